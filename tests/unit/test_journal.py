"""The journal's record keeping: in flight before the request, the outcome after, recovery."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from runner.journal import INTERRUPTED, Entry, Journal
from runner.plans import Endpoint, PoolKey, SendPlan
from runner.quota import Pool
from runner.recipient import Recipient
from runner.status import Status, StatusCells

NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
URN = "urn:li:fsd_profile:ACoAAB"


def plan(public_id: str = "ann", account: str = "acc_1") -> SendPlan:
    return SendPlan(7, Recipient(public_id), Endpoint.MESSAGE, account, "Hi Ann", subject="S")


def only(journal: Journal) -> Entry:
    [entry] = journal.entries()
    return entry


def test_a_send_is_in_flight_before_the_request_and_sent_after(tmp_path):
    with Journal(tmp_path / "j.sqlite") as journal:
        journal.begin(plan(), NOW)
        entry = only(journal)
        assert (entry.key, entry.status, entry.row) == ("id:ann", Status.IN_FLIGHT, 7)
        assert (entry.endpoint, entry.account, entry.sent_at) == ("message", "acc_1", None)
        later = NOW + timedelta(seconds=2)
        journal.finish("id:ann", StatusCells(Status.SENT, "", "ignored", URN), later)
        entry = only(journal)
        assert (entry.status, entry.sent_at, entry.recipient.urn) == (
            Status.SENT,
            "2026-01-15T09:00:02Z",
            URN,
        )
        assert journal.db.execute("SELECT message, subject FROM sends").fetchone() == (
            "Hi Ann",
            "S",
        )


def test_an_outcome_without_urn_keeps_the_one_known_and_no_send_time(tmp_path):
    with Journal(tmp_path / "j.sqlite") as journal:
        journal.begin(SendPlan(2, Recipient(None, URN), Endpoint.MESSAGE, "", "Hi"), NOW)
        journal.finish(f"urn:{URN}", StatusCells(Status.FAILED, "HTTP 404: not found"), NOW)
        entry = only(journal)
        assert (entry.status, entry.detail) == (Status.FAILED, "HTTP 404: not found")
        assert (entry.recipient.urn, entry.sent_at) == (URN, None)


def test_a_send_that_certainly_did_not_go_out_is_pending_again(tmp_path):
    with Journal(tmp_path / "j.sqlite") as journal:
        journal.begin(plan(), NOW)
        journal.finish("id:ann", StatusCells(Status.PENDING, "HTTP 429: limit"), NOW)
        assert (only(journal).status, only(journal).detail) == (Status.PENDING, "HTTP 429: limit")


def test_recovery_makes_what_a_dead_run_left_in_flight_unknown(tmp_path):
    path = tmp_path / "j.sqlite"
    with Journal(path) as journal:
        journal.begin(plan("ann"), NOW)
        journal.begin(plan("bob"), NOW)
        journal.finish("id:bob", StatusCells(Status.SENT), NOW)
    # The process died with ann's request on the wire; the next run opens the journal.
    with Journal(path, write=True) as journal:
        assert journal.recover(NOW) == 1
        by_key = {e.key: e for e in journal.entries()}
        assert by_key["id:ann"].status is Status.UNKNOWN
        assert by_key["id:ann"].detail == INTERRUPTED
        assert by_key["id:bob"].status is Status.SENT
        assert journal.recover(NOW) == 0


def test_adopting_never_overwrites_what_the_journal_knows(tmp_path):
    with Journal(tmp_path / "j.sqlite") as journal:
        journal.begin(plan(), NOW)
        journal.finish("id:ann", StatusCells(Status.SENT), NOW)
        sheet_says = Entry("id:ann", Status.FAILED, "from the sheet", Recipient("ann"), row=9)
        journal.adopt(sheet_says, NOW)
        new = Entry("id:cy", Status.UNKNOWN, "from the sheet", Recipient("cy", URN), row=3)
        journal.adopt(new, NOW)
        by_key = {e.key: e for e in journal.entries()}
        assert by_key["id:ann"].status is Status.SENT
        assert (by_key["id:cy"].status, by_key["id:cy"].row) == (Status.UNKNOWN, 3)
        assert by_key["id:cy"].recipient == Recipient("cy", URN)


def test_quotas_are_kept_per_api_account_and_endpoint(tmp_path):
    path = tmp_path / "j.sqlite"
    reset = NOW + timedelta(hours=15)
    pool = Pool("acc_1", Endpoint.SEND_GROUP, 150, 150, 0, reset, reset, "daily quota used up")
    with Journal(path) as journal:
        journal.save_pool("https://api.example/linkedin", pool)
        journal.save_pool("sandbox", Pool("", Endpoint.MESSAGE, 100, 3, 97))
    with Journal(path) as journal:
        assert journal.pools("https://api.example/linkedin") == {
            PoolKey("acc_1", Endpoint.SEND_GROUP): pool
        }
        assert [api for api, _ in journal.all_pools()] == [
            "https://api.example/linkedin",
            "sandbox",
        ]


def test_the_journal_is_durable(tmp_path):
    with Journal(tmp_path / "j.sqlite") as journal:
        assert journal.db.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
        assert journal.db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


@pytest.mark.parametrize(
    ("sqlite_says", "what_to_do"),
    [
        ("database or disk is full", "the disk holding it is full; free some space in"),
        ("attempt to write a readonly database", "it, or its folder, is read-only"),
        ("database disk image is malformed", "it is damaged; keep it and restore a backup"),
        ("disk I/O error", "the disk failed while writing it; check the disk"),
    ],
)
def test_what_goes_wrong_writing_the_journal_says_what_to_do(tmp_path, sqlite_says, what_to_do):
    from runner.journal import _trouble

    text = _trouble(tmp_path / "j.sqlite", sqlite3.OperationalError(sqlite_says))
    assert text.startswith(f"{tmp_path / 'j.sqlite'}: the journal cannot record the sends")
    assert what_to_do in text
    assert text.endswith("Nothing more was sent; everything recorded until now is kept")


def test_an_outcome_and_its_quota_are_one_commit(tmp_path):
    """One sync to disk a send, not two; and never the quota without the outcome."""
    pool = Pool("acc_1", Endpoint.MESSAGE, 100, 1, 99, NOW + timedelta(hours=15))
    with Journal(tmp_path / "j.sqlite", write=True) as journal:
        journal.begin(plan(), NOW)
        statements: list[str] = []
        assert journal.db is not None
        journal.db.set_trace_callback(statements.append)
        journal.finish("id:ann", StatusCells(Status.SENT), NOW, ("api", pool))
        journal.db.set_trace_callback(None)
        assert [s.split()[0] for s in statements] == ["BEGIN", "UPDATE", "INSERT", "COMMIT"]
        assert journal.pools("api") == {pool.key: pool}
        assert journal.entries()[0].status is Status.SENT

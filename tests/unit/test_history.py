"""Other campaigns' journals in the state folder: whom they messaged, each account's sends."""

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

from runner.history import Contact, contacted, journals, sends_by_account, shared_pools
from runner.journal import Journal
from runner.plans import Endpoint, SendPlan
from runner.recipient import Recipient
from runner.status import Status, StatusCells

T0 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
ANN_URN = "urn:li:fsd_profile:ACoAAAnnLee"


def send(
    journal: Journal, who: Recipient, account: str, at: datetime, status: Status = Status.SENT
) -> None:
    """One send through the journal, as a run records it (None: left in flight)."""
    plan = SendPlan(2, who, Endpoint.MESSAGE, account, "Hi")
    journal.begin(plan, at)
    urn = ANN_URN if status is Status.SENT and who.public_id == "ann-lee" else ""
    journal.finish(who.key, StatusCells(status, "", urn=urn), at + timedelta(seconds=1))


def campaign(state: Path, file: str, name: str | None, *sends: tuple) -> None:
    with Journal(state / file, write=True, campaign=name or "") as journal:
        for who, account, at, *status in sends:
            send(journal, Recipient(who), account, at, *status)


def test_whom_other_campaigns_messaged_by_every_name_they_have(tmp_path):
    own = tmp_path / "Q4.journal.sqlite"
    campaign(
        tmp_path,
        "Q3-founders.journal.sqlite",
        "Q3 founders",
        ("ann-lee", "acc_2", T0),
        ("bo-2", "", T0, Status.UNKNOWN),
        ("cy-3", "acc_2", T0, Status.FAILED),  # never reached anyone
    )
    campaign(tmp_path, "Q4.journal.sqlite", "Q4", ("di-4", "acc_1", T0))
    seen = contacted(tmp_path, False, own)
    ann = Contact("Q3 founders", Status.SENT, "2026-11-30", "acc_2")
    assert seen.find(Recipient("Ann-Lee")) == ann
    assert seen.find(Recipient(None, ANN_URN)) == ann  # the URN the API answered with
    assert seen.find(Recipient("bo-2")) == Contact("Q3 founders", Status.UNKNOWN, "2026-11-30", "")
    assert seen.find(Recipient("cy-3")) is None
    assert seen.find(Recipient("di-4")) is None  # this campaign's own
    assert seen.notes == ()
    assert ann.reason() == "already messaged by campaign 'Q3 founders' on 2026-11-30 (from acc_2)"
    assert seen.find(Recipient("bo-2")).reason() == (
        "may already have been messaged by campaign 'Q3 founders' on 2026-11-30: its send was "
        "cut off and is unknown there"
    )


def test_a_journal_that_does_not_name_its_campaign_goes_by_its_file_name(tmp_path):
    campaign(tmp_path, "q2-outreach.journal.sqlite", None, ("ann-lee", "", T0))
    seen = contacted(tmp_path, False, tmp_path / "other.journal.sqlite")
    assert seen.find(Recipient("ann-lee")).campaign == "q2-outreach"


def test_a_sent_message_counts_before_an_unknown_one_then_the_latest(tmp_path):
    later = T0 + timedelta(days=3)
    campaign(tmp_path, "a.journal.sqlite", "A", ("ann-lee", "", later, Status.UNKNOWN))
    campaign(tmp_path, "b.journal.sqlite", "B", ("ann-lee", "", T0), ("bo-2", "", T0))
    campaign(tmp_path, "c.journal.sqlite", "C", ("bo-2", "", later))
    seen = contacted(tmp_path, False, tmp_path / "own.journal.sqlite")
    assert seen.find(Recipient("ann-lee")).campaign == "B"
    assert seen.find(Recipient("bo-2")).campaign == "C"


def test_sandbox_trials_and_real_runs_never_see_each_other(tmp_path):
    campaign(tmp_path, "Q3.sandbox.journal.sqlite", "Q3", ("ann-lee", "", T0))
    campaign(tmp_path, "Q3.journal.sqlite", "Q3", ("bo-2", "", T0))
    real = contacted(tmp_path, False, tmp_path / "Q4.journal.sqlite")
    trial = contacted(tmp_path, True, tmp_path / "Q4.sandbox.journal.sqlite")
    assert real.find(Recipient("ann-lee")) is None and real.find(Recipient("bo-2")) is not None
    assert trial.find(Recipient("bo-2")) is None and trial.find(Recipient("ann-lee")) is not None
    assert [p.name for p in journals(tmp_path, True)] == ["Q3.sandbox.journal.sqlite"]
    assert [p.name for p in journals(tmp_path, False)] == ["Q3.journal.sqlite"]


def test_a_damaged_or_empty_journal_is_left_out_with_a_note(tmp_path):
    campaign(tmp_path, "good.journal.sqlite", "Good", ("ann-lee", "", T0))
    (tmp_path / "broken.journal.sqlite").write_bytes(b"not a database at all" * 100)
    (tmp_path / "empty.journal.sqlite").write_bytes(b"")
    seen = contacted(tmp_path, False, tmp_path / "own.journal.sqlite")
    assert seen.find(Recipient("ann-lee")) is not None
    assert seen.notes == (
        "broken.journal.sqlite (another campaign's journal) could not be read (file is not a "
        "database); the people it messaged are not known to this campaign",
        "empty.journal.sqlite (another campaign's journal) could not be read (no such table: "
        "sends); the people it messaged are not known to this campaign",
    )
    assert sends_by_account(tmp_path, False) == {"": [T0 + timedelta(seconds=1)]}


def test_no_state_folder_yet_is_no_history(tmp_path):
    assert (
        contacted(tmp_path / "none", False, tmp_path / "none" / "x.journal.sqlite").by_ident == {}
    )
    assert sends_by_account(tmp_path / "none", False) == {}


def test_reading_leaves_a_journal_at_rest_as_it_was(tmp_path):
    campaign(tmp_path, "q3.journal.sqlite", "Q3", ("ann-lee", "", T0))
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    contacted(tmp_path, False, tmp_path / "own.journal.sqlite")
    sends_by_account(tmp_path, False)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_journal_a_run_is_writing_is_read_to_its_last_send_and_the_run_carries_on(tmp_path):
    with Journal(tmp_path / "q3.journal.sqlite", write=True, campaign="Q3") as journal:
        send(journal, Recipient("ann-lee"), "", T0)
        in_flight = SendPlan(3, Recipient("bo-2"), Endpoint.MESSAGE, "acc_1", "Hi")
        journal.begin(in_flight, T0 + timedelta(minutes=1))
        seen = contacted(tmp_path, False, tmp_path / "own.journal.sqlite")
        assert seen.find(Recipient("ann-lee")).status is Status.SENT
        # On the wire this moment: it may be delivered.
        assert seen.find(Recipient("bo-2")).status is Status.UNKNOWN
        journal.finish("id:bo-2", StatusCells(Status.SENT), T0 + timedelta(minutes=2))
        journal.checkpoint()
    seen = contacted(tmp_path, False, tmp_path / "own.journal.sqlite")
    assert seen.find(Recipient("bo-2")).status is Status.SENT


def test_each_accounts_sends_across_every_journal_this_campaigns_own_included(tmp_path):
    later = T0 + timedelta(hours=2)
    campaign(
        tmp_path,
        "q3.journal.sqlite",
        "Q3",
        ("ann-lee", "acc_2", later),
        ("bo-2", "acc_2", T0, Status.UNKNOWN),
        ("cy-3", "acc_2", T0, Status.FAILED),
    )
    campaign(tmp_path, "q4.journal.sqlite", "Q4", ("di-4", "acc_2", T0), ("ed-5", "", T0))
    campaign(tmp_path, "q4.sandbox.journal.sqlite", "Q4", ("fay-6", "acc_2", T0))
    one = timedelta(seconds=1)
    assert sends_by_account(tmp_path, False) == {
        "acc_2": [T0 + one, T0 + one, later + one],
        "": [T0 + one],
    }
    assert sends_by_account(tmp_path, True) == {"acc_2": [T0 + one]}


def test_a_journal_another_process_holds_locked_is_left_out_with_a_note(tmp_path):
    campaign(tmp_path, "q3.journal.sqlite", "Q3", ("ann-lee", "", T0))
    with closing(sqlite3.connect(tmp_path / "q3.journal.sqlite", isolation_level=None)) as db:
        db.execute("PRAGMA locking_mode=EXCLUSIVE")  # as no run of ours does: it shuts out all
        db.execute("BEGIN EXCLUSIVE")
        db.execute("INSERT INTO meta VALUES ('held', 'yes')")
        seen = contacted(tmp_path, False, tmp_path / "own.journal.sqlite")
    assert seen.by_ident == {}
    assert seen.notes == (
        "q3.journal.sqlite (another campaign's journal) could not be read (database is "
        "locked); the people it messaged are not known to this campaign",
    )


def test_a_quota_of_a_kind_this_version_does_not_know_is_left_out(tmp_path):
    """A newer version's journal in the state folder may keep quotas of other requests (its
    look-ups): they are not this version's to use, and must not stop it with a traceback."""
    campaign(tmp_path, "newer.journal.sqlite", "newer", ("ann-lee", "A", T0))
    with closing(sqlite3.connect(tmp_path / "newer.journal.sqlite")) as db, db:
        for endpoint in ("message", "some-later-kind"):
            db.execute(
                "INSERT INTO pools (api, account, endpoint, lim, used, remaining, reset, "
                "blocked_until, reason) VALUES ('real', 'A', ?, 100, 1, 99, NULL, NULL, '')",
                (endpoint,),
            )
    pools = shared_pools(tmp_path, False, "real")
    assert [(key, pool.remaining) for key, pool in pools.items()] == [(("A", Endpoint.MESSAGE), 99)]

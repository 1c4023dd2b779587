"""End to end: the CLI against the sandbox over loopback HTTP, with real files and SQLite."""

from __future__ import annotations

import csv
import sqlite3

from runner.clock import iso
from tests.support.campaign import API_KEY, make_campaign, people
from tests.support.faults import Fault, FaultKind

URN_A = "urn:li:fsd_profile:ACoAAGroupMemberA"
URN_B = "urn:li:fsd_profile:ACoAAPlainUrnB"


def by_id(rows):
    return {r["recipientProfileId"] or r["recipientProfileUrn"]: r for r in rows}


def test_routing_payloads_and_statuses(tmp_path, api):
    files = make_campaign(
        tmp_path,
        [
            ["Ann", "Acme", "ann-1", "", ""],
            ["Bo", "Bolt", "", URN_A, "12345678"],
            ["Cy", "Cove", "", URN_B, ""],
            ["Di", "Dune", "di-4", "", "777"],
        ],
        extra='account_id = "acc_main"',
    )
    assert api.run(files) == 0
    payloads = [(r.endpoint, r.payload) for r in api.sim.received]
    assert payloads == [
        (
            "message",
            {
                "recipientProfileId": "ann-1",
                "message": "Hi Ann, greetings from Acme.",
                "accountId": "acc_main",
            },
        ),
        (
            "send-group",
            {
                "recipientProfileUrn": URN_A,
                "groupId": "12345678",
                "message": "Hi Bo, greetings from Bolt.",
                "accountId": "acc_main",
            },
        ),
        (
            "message",
            {
                "recipientProfileUrn": URN_B,
                "message": "Hi Cy, greetings from Cove.",
                "accountId": "acc_main",
            },
        ),
        (
            "message",
            {
                "recipientProfileId": "di-4",
                "message": "Hi Di, greetings from Dune.",
                "groupId": "777",
                "accountId": "acc_main",
            },
        ),
    ]
    rows = files.rows()
    assert [r["status"] for r in rows] == ["sent"] * 4
    assert rows[0]["sent_at"] == iso(api.clock.now())
    assert rows[0]["recipient_urn"].startswith("urn:li:fsd_profile:ACoAA")
    assert rows[1]["recipient_urn"] == URN_A


def test_quota_pause_then_resume_next_day(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(105))
    assert api.run(files) == 75
    out = capsys.readouterr().out
    assert "Paused: daily quota used up for POST /message for account (default)" in out
    assert "resets at 2026-01-16T00:00:00Z" in out
    assert f"campaign-runner run {files.toml}" in out
    # The headers said Remaining 0 after the 100th send: no request was wasted on a 429.
    assert len(api.sim.received) == 100
    rows = files.rows()
    assert [r["status"] for r in rows].count("sent") == 100
    assert rows[104]["status"] == "pending"
    assert rows[104]["status_detail"] == "daily quota used up; resets at 2026-01-16T00:00:00Z"

    # Before the reset, a re-run sends nothing and pauses at once.
    assert api.run(files) == 75
    assert len(api.sim.received) == 100

    api.clock.advance(hours=15, seconds=1)
    assert api.run(files) == 0
    delivered = api.delivered_to()
    assert len(delivered) == 105 and len(set(delivered)) == 105
    assert {r["status"] for r in files.rows()} == {"sent"}


def test_429_blocks_only_its_pool(tmp_path, api):
    rows = people(3) + [["G", "Acme", "", f"urn:li:fsd_profile:ACoAAg{i}", "42"] for i in range(3)]
    files = make_campaign(tmp_path, rows)
    api.sim.inject(
        Fault(
            FaultKind.STATUS,
            endpoint="message",
            status=429,
            body={
                "error": "Rate limit exceeded for MESSAGE: 100/100 used. "
                "Resets at 2026-01-15T18:00:00.000Z",
                "success": False,
            },
        )
    )
    assert api.run(files) == 75
    statuses = [r["status"] for r in files.rows()]
    assert statuses == ["pending"] * 3 + ["sent"] * 3
    assert files.rows()[0]["status_detail"] == "daily quota used up; resets at 2026-01-15T18:00:00Z"
    # one 429 on /message, then nothing more there
    assert [r.endpoint for r in api.sim.received].count("message") == 1


def test_resume_after_resort_and_appended_rows(tmp_path, api):
    files = make_campaign(tmp_path, people(6))
    assert api.run(files, "--limit", "3") == 0
    assert len(api.sim.delivered()) == 3
    # The user re-sorts the sheet and appends two people, keeping the status columns.
    with files.sheet.open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    header, body = table[0], table[1:]
    body.reverse()
    body += [[*p, "", "", "", ""] for p in people(2, start=6)]
    with files.sheet.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *body])
    assert api.run(files) == 0
    delivered = api.delivered_to()
    assert sorted(delivered) == sorted(f"person-{i}" for i in range(8))
    assert {r["status"] for r in files.rows()} == {"sent"}


def test_api_errors_mark_rows_failed_and_the_run_goes_on(tmp_path, api):
    files = make_campaign(
        tmp_path,
        [
            ["A", "Acme", "invalid-someone", "", ""],
            ["B", "Acme", "", "urn:li:fsd_profile:ACoAAFORBIDDEN", "42"],
            ["C", "Acme", "c-3", "", ""],
            ["D", "Acme", "d-4", "", ""],
        ],
    )
    api.sim.inject(
        Fault(
            FaultKind.STATUS,
            status=400,
            times=1,
            body={"error": "message is required", "success": False},
            endpoint="message",
        )
    )
    assert api.run(files) == 0
    rows = files.rows()
    # the 400 fault hits the first /message request
    assert (
        rows[0]["status"] == "failed"
        and rows[0]["status_detail"] == "HTTP 400: message is required"
    )
    assert rows[1]["status"] == "failed" and "HTTP 403" in rows[1]["status_detail"]
    assert rows[2]["status"] == "sent" and rows[3]["status"] == "sent"
    # failed rows are never sent again
    assert api.run(files) == 0
    assert len(api.sim.received) == 4


def test_404_from_the_api(tmp_path, api):
    files = make_campaign(tmp_path, [["A", "Acme", "invalid-someone", "", ""]])
    assert api.run(files) == 0
    row = files.rows()[0]
    assert (row["status"], row["status_detail"]) == (
        "failed",
        "HTTP 404: LinkedIn profile not found: invalid-someone",
    )


def test_401_on_the_first_send_stops_at_once(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(4))
    api.sim.inject(Fault(FaultKind.STATUS, status=401, body={"error": "Unauthorized"}))
    assert api.run(files) == 1
    assert "the API refused the API key (HTTP 401: Unauthorized)" in capsys.readouterr().err
    assert [r["status"] for r in files.rows()] == ["pending"] * 4
    assert len(api.sim.received) == 1


def test_401_in_the_middle_of_a_run(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(4))
    assert api.run(files, "--limit", "2") == 0
    api.sim.inject(Fault(FaultKind.STATUS, status=401, body={"error": "Unauthorized"}))
    assert api.run(files) == 1
    err = capsys.readouterr().err
    assert "the API refused the API key (HTTP 401: Unauthorized)" in err
    assert API_KEY not in err
    statuses = [r["status"] for r in files.rows()]
    assert statuses == ["sent", "sent", "pending", "pending"]
    assert len(api.sim.received) == 3


def test_server_errors_are_retried_then_left_pending(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(3))
    api.sim.inject(Fault(FaultKind.STATUS, status=503, times=8, body={"error": "maintenance"}))
    assert api.run(files) == 75
    out = capsys.readouterr().out
    assert "the API is failing for account (default) (HTTP 503: maintenance)" in out
    assert [r["status"] for r in files.rows()] == ["pending"] * 3
    assert files.rows()[0]["status_detail"] == "HTTP 503: maintenance"
    # Four tries for the first row, four for the second, which confirms it is the account's.
    assert len(api.sim.received) == 8 and api.sim.delivered() == []
    assert api.run(files) == 0
    assert len(api.sim.delivered()) == 3


def test_one_row_the_api_always_fails_does_not_block_the_campaign(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(3))
    for _ in range(3):  # three runs, and on each the first row gets 503 on every try
        api.sim.inject(Fault(FaultKind.STATUS, status=503, times=4, body={"error": "maintenance"}))
        api.run(files)
    rows = {row["recipientProfileId"]: row["status"] for row in files.rows()}
    assert rows == {"person-0": "failed", "person-1": "sent", "person-2": "sent"}
    assert (
        "on 3 runs while it worked for others (HTTP 503: maintenance)"
        in (files.rows()[0]["status_detail"])
    )


def test_timeout_makes_the_row_unknown_and_it_is_not_resent(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(2), extra="[api]\ntimeout = 0.5")
    api.sim.inject(Fault(FaultKind.HANG, seconds=1.5))
    assert api.run(files) == 0
    rows = files.rows()
    assert rows[0]["status"] == "unknown" and "may have been delivered" in rows[0]["status_detail"]
    assert rows[1]["status"] == "sent"
    assert "1 row(s) are unknown" in capsys.readouterr().out
    assert api.run(files) == 0
    assert len(api.sim.received) == 2
    # Only when asked is an unknown row sent again.
    assert api.run(files, "--resend-unknown") == 0
    assert len(api.sim.received) == 3
    assert files.rows()[0]["status"] == "sent"


def test_in_flight_row_of_a_dead_run_becomes_unknown(tmp_path, api):
    files = make_campaign(tmp_path, people(2))
    assert api.run(files, "--limit", "1") == 0
    # Simulate a process that died after committing "in flight" for person-1.
    journal = files.state / "campaign.journal.sqlite"
    with sqlite3.connect(journal) as db:
        db.execute(
            "INSERT INTO sends (key, status, detail, public_id, updated_at) "
            "VALUES ('id:person-1', 'in_flight', '', 'person-1', 'x')"
        )
    assert api.run(files) == 0
    rows = files.rows()
    assert rows[1]["status"] == "unknown"
    assert "stopped while this message was being sent" in rows[1]["status_detail"]
    assert len(api.sim.received) == 1


def test_invalid_and_duplicate_rows_are_never_sent(tmp_path, api):
    files = make_campaign(
        tmp_path,
        [
            ["Ann", "Acme", "ann", "", ""],
            ["Nobody", "Acme", "", "", ""],
            ["Ann2", "Acme", "ANN", "", ""],
            ["Bo", "Acme", "", "not-a-urn", ""],
            ["Cy", "Acme", "cy", "", "12a"],
        ],
        message="Hi {{ first_name }} of {{ company }}",
    )
    assert api.run(files) == 0
    rows = files.rows()
    assert [r["status"] for r in rows] == ["sent", "invalid", "duplicate", "invalid", "invalid"]
    assert rows[2]["status_detail"] == "same recipient as row 2"
    assert api.delivered_to() == ["ann"]


def test_statuses_of_fully_blank_rows_are_not_invented(tmp_path, api):
    files = make_campaign(tmp_path, people(1))
    files.sheet.write_text(files.sheet.read_text() + "\n\n", encoding="utf-8")
    assert api.run(files) == 0
    assert [r["status"] for r in files.rows()] == ["sent"]

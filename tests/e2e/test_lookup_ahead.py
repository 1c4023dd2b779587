"""route = "auto" ahead of sending and around it: `--dry-run --lookup` and `preview --lookup`
resolve the routes (lookups only), the preview and the report show them, approval binds the
route, a crash between lookup and send sends nobody twice, an old journal still opens, and
mistakes in the campaign file are said plainly."""

from __future__ import annotations

import signal
import sqlite3

import pytest
from openpyxl import load_workbook

from runner import failpoints
from runner.cli import main
from runner.plans import Endpoint
from runner.sandbox import profile_urn
from tests.e2e.test_report import section
from tests.support.campaign import API_KEY, make_campaign, read_csv
from tests.support.process import start

AUTO = 'route = "auto"'
ROWS = [
    ["Ann", "Acme", "ann-friend", "", ""],
    ["Bo", "Bolt", "bo-stranger", "", "12345678"],
    ["Cy", "Cove", "cy-stranger", "", ""],
    ["Di", "Dune", "di-notfound", "", ""],
]


def lookups(api) -> list[str]:
    return [r.payload["profileId"] for r in api.sim.received if r.endpoint is Endpoint.RELATIONSHIP]


def cli(api, files, *args: str) -> int:
    return main(
        [*args[:1], str(files.toml), "--state-dir", str(files.state), *args[1:]],
        env={"CONNECTSAFELY_API_KEY": API_KEY, "CONNECTSAFELY_BASE_URL": api.base_url},
        clock=api.clock,
    )


def test_a_dry_run_with_lookup_resolves_the_routes_and_sends_nothing(tmp_path, api, capsys):
    files = make_campaign(tmp_path, ROWS, extra=AUTO)
    before = files.sheet.read_bytes()
    assert api.run(files, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "Would send 4: 4 to look up first." in out
    assert "; nothing sent, nothing written." in out  # true: it asked the API nothing
    assert "4 row(s) still to look up" in out and "--dry-run --lookup looks them up now" in out
    assert api.sim.received == []

    assert api.run(files, "--dry-run", "--lookup") == 0
    out = capsys.readouterr().out
    assert lookups(api) == ["ann-friend", "bo-stranger", "cy-stranger", "di-notfound"]
    assert api.sim.delivered() == []  # lookups only
    assert files.sheet.read_bytes() == before  # a dry run writes no statuses
    assert "Looked up 4 person(s)' relationship to the account (route = auto)" in out
    # The lookups went into the journal: the dry run does not say it wrote nothing.
    assert "nothing written" not in out
    assert (
        "Dry run of campaign: 4 rows in leads.csv; nothing sent, the sheet not written (the "
        "lookups are kept in the journal)." in out
    )
    assert "Every row to send has its route." in out
    assert "Would send 2: 1 via POST /message, 1 via POST /messaging/send-group." in out
    assert (
        "Routes (route = auto): 1 to connections (a normal message), 1 by group (send-group), "
        "1 skipped (not a connection; no group or InMail allowed: a groupId, or inmail = true "
        "with a subject_template, would reach them)." in out
    )
    assert "--- row 2 → ann-friend via POST /message (a 1st-degree connection" in out
    assert "  1 failed: profile not found (the relationship lookup answered HTTP 404" in out
    assert "Already done in earlier runs" not in out  # nothing was ever sent to anyone

    # The run then sends on the routes found, asking nothing again, not even the 404.
    assert api.run(files) == 0
    assert len(lookups(api)) == 4
    assert [r["status"] for r in files.rows()] == ["sent", "sent", "skipped", "failed"]


def test_dry_run_lookup_needs_a_key_and_a_route_to_look_up(tmp_path, capsys):
    files = make_campaign(tmp_path, ROWS, extra=AUTO)
    args = ["run", str(files.toml), "--dry-run", "--lookup", "--state-dir", str(files.state)]
    assert main(args, env={}) == 2
    assert "CONNECTSAFELY_API_KEY is not set" in capsys.readouterr().err
    assert main(["run", str(files.toml), "--lookup", "--sandbox"], env={}) == 2
    assert "--lookup looks the routes up ahead of sending; add --dry-run" in capsys.readouterr().err
    other = tmp_path / "columns"
    other.mkdir()
    files = make_campaign(other, ROWS)
    assert main(["run", str(files.toml), "--dry-run", "--lookup", "--sandbox"], env={}) == 2
    err = capsys.readouterr().err
    assert 'campaign.toml routes each row by its columns (route = "columns")' in err


def test_the_preview_shows_each_route_and_looks_up_the_rest_when_asked(tmp_path, api, capsys):
    files = make_campaign(tmp_path, ROWS, extra=AUTO)
    output = tmp_path / "preview.csv"
    assert cli(api, files, "preview", "--output", str(output)) == 0
    assert "4 row(s) are not looked up yet (route = auto)" in capsys.readouterr().out
    shown = {r["recipient"]: r for r in read_csv(output)}
    assert shown["ann-friend"]["route"].startswith("not looked up yet")
    assert shown["ann-friend"]["endpoint"] == ""
    assert api.sim.received == []

    assert cli(api, files, "preview", "--output", str(output), "--lookup") == 0
    assert "Looked up 4 person(s)' relationship" in capsys.readouterr().out
    shown = {r["recipient"]: r for r in read_csv(output)}
    assert shown["ann-friend"]["route"] == "a 1st-degree connection: a normal message"
    assert shown["ann-friend"]["endpoint"] == "POST /message"
    assert shown["bo-stranger"]["endpoint"] == "POST /messaging/send-group"
    assert shown["bo-stranger"]["route"] == "not a connection; in group 12345678: a group message"
    assert shown["bo-stranger"]["message_type"] == ""  # send-group takes none
    assert shown["ann-friend"]["message_type"] == "normal"
    assert shown["cy-stranger"]["check"].startswith("skipped: not a connection")
    assert shown["di-notfound"]["check"].startswith("failed: profile not found")
    assert api.sim.delivered() == []


def test_approval_binds_the_route_a_preview_showed(tmp_path, api, capsys):
    headers = [
        "First Name",
        "Company",
        "recipientProfileId",
        "recipientProfileUrn",
        "groupId",
        "ok",
    ]
    rows = [[*row, "yes"] for row in ROWS[:2]]
    files = make_campaign(tmp_path, rows, headers=headers, extra=f'{AUTO}\napproval_column = "ok"')
    output = tmp_path / "preview.xlsx"
    # A preview that could not show the route approves nothing: the run looks nobody up.
    assert cli(api, files, "preview", "--output", str(output)) == 0
    assert api.run(files) == 0
    assert api.sim.received == []
    detail = {r["recipientProfileId"]: r["status_detail"] for r in files.rows()}
    assert detail["ann-friend"].startswith("awaiting approval: its route is not known yet")
    assert "preview --lookup" in detail["ann-friend"]
    # The preview that shows the routes: a tick in it approves what it showed.
    assert cli(api, files, "preview", "--output", str(output), "--lookup") == 0
    capsys.readouterr()
    book = load_workbook(output)
    headers = [cell.value for cell in book.active[1]]
    for row in book.active.iter_rows(min_row=2):
        row[headers.index("approved")].value = "yes"
    book.save(output)
    assert api.run(files) == 0
    assert [r["status"] for r in files.rows()] == ["sent", "sent"]
    assert len(lookups(api)) == 2  # the preview's lookups, none again


def test_killed_between_a_lookup_and_its_send_then_resumed_sends_each_once(tmp_path, api):
    rows = [[f"P{i}", "Acme", f"p{i}-friend", "", ""] for i in range(4)]
    files = make_campaign(tmp_path, rows, extra=AUTO)
    # Killed as the second lookup's answer came, before it was journaled: it is asked again.
    proc = start(files, api, crash_at=f"{failpoints.LOOKED_UP}@2")
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert lookups(api) == ["p0-friend", "p1-friend"]
    assert api.run(files) == 0
    assert lookups(api) == ["p0-friend", "p1-friend", "p1-friend", "p2-friend", "p3-friend"]
    delivered = [r.payload["recipientProfileId"] for r in api.sim.delivered()]
    assert sorted(delivered) == ["p0-friend", "p1-friend", "p2-friend", "p3-friend"]
    assert [r["status"] for r in files.rows()] == ["sent"] * 4


def test_killed_after_the_send_went_in_flight_is_unknown_not_sent_again(tmp_path, api):
    rows = [[f"P{i}", "Acme", f"p{i}-friend", "", ""] for i in range(3)]
    files = make_campaign(tmp_path, rows, extra=AUTO)
    proc = start(files, api, crash_at=f"{failpoints.IN_FLIGHT_COMMITTED}@2")
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert api.run(files) == 0
    assert [r["status"] for r in files.rows()] == ["sent", "unknown", "sent"]
    assert lookups(api) == ["p0-friend", "p1-friend", "p2-friend"]  # none asked twice
    delivered = [r.payload["recipientProfileId"] for r in api.sim.delivered()]
    assert delivered == ["p0-friend", "p2-friend"]


def test_a_journal_from_before_lookups_opens_and_gains_them(tmp_path, api, capsys):
    files = make_campaign(tmp_path, ROWS[:1])
    assert api.run(files) == 0  # a campaign by columns; then its journal as an older one was
    journal = files.state / "campaign.journal.sqlite"
    with sqlite3.connect(journal) as db:
        db.execute("DROP TABLE lookups")
    assert main(["status", str(files.toml), "--state-dir", str(files.state)]) == 0
    toml = files.toml.read_text(encoding="utf-8")
    files.toml.write_text(f"{AUTO}\n{toml}", encoding="utf-8")
    with files.sheet.open("a", encoding="utf-8") as sheet:
        sheet.write("Bo,Bolt,bo-friend,,,,,,,\n")
    assert main(["status", str(files.toml), "--state-dir", str(files.state)]) == 0
    assert "1 row(s) still to look up" in capsys.readouterr().out
    assert api.run(files) == 0
    assert [r["status"] for r in files.rows()] == ["sent", "sent"]
    assert lookups(api) == ["bo-friend"]  # the row sent before is not looked up


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ('route = "smart"', 'route must be "columns" (each row as its columns say) or "auto"'),
        ("inmail = true", 'inmail = true goes with route = "auto"'),
        (f'{AUTO}\nmessage_type = "inmail"', 'message_type goes with route = "columns"'),
        (f"{AUTO}\ninmail = true", "inmail = true needs subject_template"),
        (f'{AUTO}\ninmail = "yes"', "inmail must be true or false, not a string"),
        (f"{AUTO}\ninmial = true", "unknown key 'inmial' (did you mean 'inmail'?)"),
        ("route = 1", 'route must be a string, "columns" or "auto", not a number'),
    ],
)
def test_route_and_inmail_mistakes_are_said_plainly(tmp_path, capsys, keys, message):
    files = make_campaign(tmp_path, ROWS, extra=keys)
    assert main(["run", str(files.toml), "--sandbox", "--dry-run"], env={}) == 2
    err = capsys.readouterr().err
    assert err.startswith("campaign-runner: campaign.toml: ") and message in err, err
    assert "Traceback" not in err


def test_the_report_counts_rows_by_route(tmp_path, api, capsys):
    files = make_campaign(tmp_path, ROWS, extra=AUTO)
    assert api.run(files) == 0
    output = tmp_path / "report.xlsx"
    assert cli(api, files, "report", "--output", str(output)) == 0
    summary = [row for row in load_workbook(output)["Summary"].iter_rows(values_only=True)]
    start = next(i for i, row in enumerate(summary) if row[0] == "Routes (route = auto)")
    table = {row[0]: row[1:] for row in summary[start + 2 : start + 6]}
    header = summary[start + 1]
    total = header.index("total") - 1
    assert {route: counts[total] for route, counts in table.items()} == {
        "connection: a normal message": 1,
        "not a connection: by group": 1,
        "not a connection: no way (skipped)": 1,
        "profile not found": 1,
    }
    attention = load_workbook(output)["Needs attention"]
    todo = {row[2]: row[6] for row in attention.iter_rows(min_row=2, values_only=True)}
    assert todo["di-notfound"].startswith("LinkedIn does not know this profile")
    assert todo["cy-stranger"].startswith("Nothing reaches them from this account")


def test_a_campaign_key_written_below_a_table_is_said_to_be_there(tmp_path, capsys):
    files = make_campaign(tmp_path, ROWS, extra=AUTO, pacing_keys="inmail = true")
    assert main(["run", str(files.toml), "--sandbox", "--dry-run"], env={}) == 2
    assert capsys.readouterr().err == (
        "campaign-runner: campaign.toml: inmail is inside [pacing], but it is a key of the "
        "campaign itself: move it above the first [table] line (in TOML every key below "
        "[pacing] belongs to it)\n"
    )


def test_the_run_says_which_rows_awaiting_approval_need_a_lookup_first(tmp_path, api, capsys):
    headers = [
        "First Name",
        "Company",
        "recipientProfileId",
        "recipientProfileUrn",
        "groupId",
        "ok",
    ]
    files = make_campaign(
        tmp_path, [[*ROWS[0], ""]], headers=headers, extra=f'{AUTO}\napproval_column = "ok"'
    )
    assert cli(api, files, "preview", "--output", str(tmp_path / "p.csv")) == 0
    out = capsys.readouterr().out
    assert "only a row whose route a preview showed can be approved" in out
    assert "await approval: tick them" not in out  # nothing here can be ticked yet
    assert api.run(files) == 0
    assert (
        "1 row(s) await approval (1 of them not looked up yet: run campaign-runner preview "
        "--lookup first)" in capsys.readouterr().out
    )


def test_the_reports_endpoints_are_the_sends_routes_take_not_the_lookup(tmp_path, api, capsys):
    files = make_campaign(tmp_path, ROWS, extra=AUTO)
    assert api.run(files) == 0
    with files.sheet.open("a", encoding="utf-8") as sheet:
        sheet.write("Ed,Edge,ed-friend,,,,,,,\n")  # not looked up yet
    output = tmp_path / "report.xlsx"
    assert cli(api, files, "report", "--output", str(output)) == 0
    ws = load_workbook(output)["Summary"]
    # Skipped and failed at their lookup: no send, so no endpoint; the lookup is none either.
    assert section(ws, "Endpoints") == [
        ["endpoint", "sent", "pending", "failed", "skipped", "total"],
        ["POST /message", 1, 0, 0, 0, 1],
        ["POST /messaging/send-group", 1, 0, 0, 0, 1],
        ["none", 0, 0, 1, 1, 2],
        ["to look up first", 0, 1, 0, 0, 1],
    ]


def test_a_send_cut_off_by_a_crash_keeps_another_row_for_the_person_from_going(tmp_path, api):
    """Row 3 names by URN the person row 2 names by public ID; the crash cut row 2's send off
    on the wire (unknown: it may have arrived). Its lookup had told the URN: row 3 is a
    duplicate on the next run, not a second message."""
    urn = profile_urn("cy-stranger")
    rows = [["Cy", "Cove", "cy-stranger", "", "42"], ["Cy", "Cove", "", urn, "42"]]
    files = make_campaign(tmp_path, rows, extra=AUTO)
    proc = start(files, api, crash_at=f"{failpoints.IN_FLIGHT_COMMITTED}@1")
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert api.run(files) == 0
    assert [r["status"] for r in files.rows()] == ["unknown", "duplicate"]
    assert api.sim.delivered() == []

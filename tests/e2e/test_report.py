"""`campaign-runner report`: the workbook, through the real CLI against the sandbox, read back
with openpyxl (its sheets, numbers equal to status's, the chart, the styles) and opened by
LibreOffice."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl.chart import BarChart
from openpyxl.worksheet.worksheet import Worksheet

from runner.cli import main
from runner.journal import Journal
from runner.lock import CampaignLock
from runner.plans import Endpoint
from tests.support.campaign import REPO, CampaignFiles, make_campaign, people
from tests.support.faults import Fault, FaultKind
from tests.support.xlsxcheck import libreoffice_csv, load

HEADERS = [
    "First Name",
    "Company",
    "recipientProfileId",
    "recipientProfileUrn",
    "groupId",
    "accountId",
]
MESSAGE = "Hi {{ first_name | default('there', true) }}, greetings from {{ company }}."
SHEETS = ["Summary", "Needs attention", "Sent", "Per day"]


def every_status(tmp_path: Path) -> CampaignFiles:
    """Two accounts, each sending 3 a day, and a row of every status once two days have run."""
    (tmp_path / "dnc.txt").write_text("on-the-list\n", encoding="utf-8")
    rows = [
        ["Ann", "Acme", "ann", "", "", "acc_1"],  # 2: sent
        ["Ben", "Acme", "", "urn:li:fsd_profile:ACoAAben", "123", "acc_2"],  # 3: unknown
        ["Cy", "Acme", "", "urn:li:fsd_profile:ACoAAforbidden", "123", "acc_2"],  # 4: failed
        ["Di", "Acme", "invalid-di", "", "", "acc_1"],  # 5: failed (404)
        ["Ed", "Acme", "ed", "", "abc", "acc_1"],  # 6: invalid: the group ID
        ["Flo", "", "flo", "", "", "acc_2"],  # 7: invalid: the template needs a company
        ["Gus", "Acme", "", "", "", "acc_1"],  # 8: invalid: nobody
        ["Ann again", "Acme", "ann", "", "", "acc_2"],  # 9: duplicate
        ["Hal", "Acme", "on-the-list", "", "", "acc_1"],  # 10: skipped
        *[[f"P{i}", "Acme", f"p-{i}", "", "", f"acc_{1 + i % 2}"] for i in range(12)],
    ]
    return make_campaign(
        tmp_path,
        rows,
        headers=HEADERS,
        message=MESSAGE,
        extra='do_not_contact = "dnc.txt"',
        pacing_keys="daily_limit = 3",
    )


def two_days(files: CampaignFiles, api, capsys) -> str:
    """Day one (the first group message's answer is lost), then day two; the second run's
    summary."""
    api.sim.inject(Fault(FaultKind.DROP_AFTER, endpoint=Endpoint.SEND_GROUP))
    assert api.run(files) == 75
    api.clock.advance(days=1)
    capsys.readouterr()
    assert api.run(files) == 75
    return capsys.readouterr().out


def status(files: CampaignFiles, api, capsys) -> str:
    capsys.readouterr()
    args = ["status", str(files.toml), "--state-dir", str(files.state)]
    assert main(args, env={"CONNECTSAFELY_BASE_URL": api.base_url}, clock=api.clock) == 0
    return capsys.readouterr().out


def report(files: CampaignFiles, api, *args: str) -> int:
    return main(
        ["report", str(files.toml), "--state-dir", str(files.state), *args],
        env={"CONNECTSAFELY_BASE_URL": api.base_url},
        clock=api.clock,
    )


def section(ws: Worksheet, title: str) -> list[list[object]]:
    """The rows of the summary's table under `title` (its header first), to the blank row;
    each without the empty cells at its end."""
    found = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == title)
    rows = []
    for r in range(found + 1, ws.max_row + 2):
        values = [ws.cell(r, c).value for c in range(1, ws.max_column + 1)]
        if values[0] is None:
            return rows
        while values[-1] is None:
            values.pop()
        rows.append(values)
    return rows


def listed(ws: Worksheet) -> list[dict[str, object]]:
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def journal_sent(files: CampaignFiles) -> list[tuple]:
    with sqlite3.connect(files.state / "campaign.journal.sqlite") as db:
        return db.execute(
            "SELECT sent_at, account, public_id, row, message FROM sends WHERE status = 'sent' "
            "ORDER BY sent_at, row"
        ).fetchall()


def test_the_report_says_what_status_says_with_every_status_and_two_accounts(tmp_path, api, capsys):
    files = every_status(tmp_path)
    summary = two_days(files, api, capsys)
    said = status(files, api, capsys)
    assert report(files, api) == 0
    path = tmp_path / "leads.report.xlsx"
    assert capsys.readouterr().out == (f"Report written to {path}: 21 rows, 7 need attention.\n")
    book = load(path)
    assert book.sheetnames == SHEETS
    ws = book["Summary"]
    assert ws["A1"].value == "campaign: where the campaign stands"

    # Rows by status: status's numbers, and the run's summary's.
    counts = section(ws, "Rows by status")
    assert counts[0] == ["status", "rows"]
    shown = {status: count for status, count in counts[1:]}
    assert shown == {s: int(c) for s, c in re.findall(r"^  (\w+) +(\d+)$", said, re.M)} | {
        "total": 21
    }
    assert shown["sent"] == 11 and shown["failed"] == 2 and shown["skipped"] == 1
    sheet_line = re.search(r"Sheet: (.*)\.", summary).group(1)
    assert sheet_line == ", ".join(f"{c} {s}" for s, c in counts[1:-1] if c)

    # When it will be done: status's line, and its numbers.
    projection = re.search(r"^At current limits: .*$", said, re.M).group(0)
    assert ws["A4"].value == projection
    sending = dict(section(ws, "Sending"))
    sent = journal_sent(files)
    assert sending["first send (UTC)"] == datetime(2026, 1, 15, 9, 0)
    assert sending["last send (UTC)"] == datetime(2026, 1, 16, 9, 0)
    assert sending["messages sent"] == len(sent) == 11
    assert sending["rows to send"] == 2 and "To send: 2 via POST /message." in said
    assert sending["of them today, at current limits"] == 0
    assert (sending["of them after today"], sending["at most a day"]) == (2, 2)
    assert sending["done about"] == datetime(2026, 1, 17) and "done about 2026-01-17" in said
    assert sending["rows that need attention"] == 7

    # By account: the journal's sends, and each account's day as status tells it.
    accounts = section(ws, "Accounts")
    assert accounts[0] == [
        "account",
        "sent",
        "pending",
        "failed",
        "unknown",
        "skipped",
        "total",
        "sent today",
        "own limit today",
        "left today",
        "window opens",
    ]
    assert accounts[1][:10] == ["acc_1", 6, 1, 1, 0, 1, 9, 3, 3, 0]
    assert accounts[2][:10] == ["acc_2", 5, 1, 1, 1, 0, 8, 3, 3, 0]
    assert [a for _, a, *_ in sent].count("acc_1") == 6
    assert "  acc_1: 3 sent today; 0 left of its own limit of 3;" in said
    endpoints = section(ws, "Endpoints")
    assert endpoints[1] == ["POST /message", 11, 2, 1, 0, 1, 15]
    assert endpoints[2] == ["POST /messaging/send-group", 0, 0, 1, 1, 0, 2]
    quotas = section(ws, f"Quotas, as the API last reported them ({api.base_url})")
    assert quotas[0] == ["account, endpoint", "left", "limit", "resets (UTC)", "state"]
    assert quotas[1] == ["acc_1, POST /message", 97, 100, datetime(2026, 1, 17)]
    assert "POST /message: 97 left, resets 2026-01-17T00:00:00Z" in said

    # Needs attention: every failed, unknown, invalid (and skipped) row, what to do about it.
    attention = listed(book["Needs attention"])
    assert [(a["row"], a["status"]) for a in attention] == [
        (3, "unknown"),
        (4, "failed"),
        (5, "failed"),
        (6, "invalid"),
        (7, "invalid"),
        (8, "invalid"),
        (10, "skipped"),
    ]
    sheet_rows = dict(enumerate(files.rows(), start=2))
    for line in attention:
        assert line["reason"] == sheet_rows[line["row"]]["status_detail"]
    todo = {a["row"]: a["what to do"] for a in attention}
    assert todo[3].startswith("Check on LinkedIn whether it arrived. If it did not, send it again")
    assert f"campaign-runner run {files.toml} --state-dir {files.state} --resend-unknown" in todo[3]
    assert todo[5].startswith("LinkedIn does not know this profile")
    assert "clear the row's status cell in leads.csv" in todo[5]
    assert todo[6].startswith("Fix cell E6 (groupId) of leads.csv; the next run sends it")
    assert todo[7].startswith("Fill in cell B7 (Company) of leads.csv or give the template")
    assert todo[8].startswith("Fill in the profile URL, ID or URN in row 8 of leads.csv")
    assert attention[0]["profile"] == "https://www.linkedin.com/in/ACoAAben"

    # Sent: the journal's every message, its exact text.
    messages = listed(book["Sent"])
    assert [
        (m["sent at (UTC)"], m["account"], m["recipient"], m["row"], m["message"]) for m in messages
    ] == [(datetime.fromisoformat(t[:-1]), a, p, r, m) for t, a, p, r, m in sent]
    assert messages[0]["message"] == "Hi Ann, greetings from Acme."
    assert messages[0]["endpoint"] == "POST /message"

    # Per day, and its chart: a column per day, stacked by account.
    per_day = [list(row) for row in book["Per day"].iter_rows(values_only=True)]
    assert per_day == [
        ["day", "acc_1", "acc_2", "all accounts"],
        [datetime(2026, 1, 15), 3, 2, 5],
        [datetime(2026, 1, 16), 3, 3, 6],
    ]
    [chart] = ws._charts
    assert isinstance(chart, BarChart)
    assert (chart.type, chart.grouping) == ("col", "stacked")
    assert [s.tx.strRef.f for s in chart.series] == ["'Per day'!B1", "'Per day'!C1"]
    assert [s.val.numRef.f for s in chart.series] == ["'Per day'!$B$2:$B$3", "'Per day'!$C$2:$C$3"]
    assert {s.cat.numRef.f for s in chart.series} == {"'Per day'!$A$2:$A$3"}
    assert chart.x_axis.delete is False and chart.y_axis.delete is False

    # Styles: bold headers that stay in view, a filter over each list, widths that fit.
    for name in SHEETS[1:]:
        sheet = book[name]
        assert all(cell.font.b for cell in sheet[1]), name
        assert sheet.freeze_panes == "A2"
        last = sheet.cell(sheet.max_row, sheet.max_column).coordinate
        assert sheet.auto_filter.ref == f"A1:{last}"
    assert book["Sent"].auto_filter.ref == "A1:H12"
    assert book["Sent"].column_dimensions["H"].width == 80
    assert book["Sent"]["H2"].alignment.wrap_text
    assert book["Sent"]["E2"].hyperlink.target == "https://www.linkedin.com/in/ann"
    assert ws["A1"].font.b and all(cell.font.b for cell in ws[counts_row(ws)] if cell.value)


def counts_row(ws: Worksheet) -> int:
    """The header row of the summary's counts by status."""
    return next(r for r in range(1, ws.max_row) if ws.cell(r, 1).value == "Rows by status") + 1


def test_libreoffice_opens_the_report_and_reads_its_numbers(tmp_path, api, capsys):
    files = every_status(tmp_path)
    two_days(files, api, capsys)
    assert report(files, api) == 0
    path = tmp_path / "leads.report.xlsx"
    converted = libreoffice_csv(path, tmp_path / "lo")
    assert set(converted) == set(SHEETS)
    assert ["sent", "11"] in [row[:2] for row in converted["Summary"]]
    assert converted["Sent"][1][-1] == "Hi Ann, greetings from Acme."
    assert converted["Per day"][1:] == [
        ["2026-01-15", "3", "2", "5"],
        ["2026-01-16", "3", "3", "6"],
    ]
    pdf = soffice(path, "pdf", tmp_path / "pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF") and len(data) > 10_000


def test_the_first_sheet_renders_to_an_image(tmp_path, api, capsys):
    """The summary as LibreOffice draws it: left in the test's folder to be looked at."""
    files = every_status(tmp_path)
    two_days(files, api, capsys)
    assert report(files, api) == 0
    png = soffice(tmp_path / "leads.report.xlsx", "png", tmp_path / "png")
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width > height > 400  # a landscape page


def soffice(path: Path, kind: str, folder: Path) -> Path:
    """`path` converted by LibreOffice to `kind` in `folder` (its first sheet, for an image)."""
    program = shutil.which("soffice")
    if program is None:
        pytest.skip("LibreOffice (soffice) is not on PATH; opening the report needs it")
    profile = (folder / "profile").absolute().as_uri()
    result = subprocess.run(
        [program, f"-env:UserInstallation={profile}", "--headless", "--convert-to", kind]
        + ["--outdir", str(folder), str(path)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    if "no export filter" in result.stdout + result.stderr:
        pytest.skip(f"this LibreOffice cannot write {kind} (libreoffice-draw adds images)")
    out = folder / f"{path.stem}.{kind}"
    assert result.returncode == 0 and out.exists(), result.stdout + result.stderr
    return out


def test_a_report_while_a_run_is_under_way_takes_no_lock(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(3))
    assert api.run(files, "--limit", "1") == 0
    lock = CampaignLock(files.state / "campaign.journal.lock", "busy", holder="/srv/q4.toml")
    journal = files.state / "campaign.journal.sqlite"
    with lock, Journal(journal, write=True, campaign="campaign"):  # as a run holds them
        assert report(files, api) == 0
    book = load(tmp_path / "leads.report.xlsx")
    assert book["Summary"]["A3"].value == f"A run is under way (pid {os.getpid()}, /srv/q4.toml)."
    assert dict(section(book["Summary"], "Rows by status")[1:])["sent"] == 1


def test_a_report_before_anything_was_sent(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(2))
    assert report(files, api) == 0
    book = load(tmp_path / "leads.report.xlsx")
    counts = dict(section(book["Summary"], "Rows by status")[1:])
    assert (counts["pending"], counts["sent"], counts["total"]) == (2, 0, 2)
    assert book["Summary"]._charts == []
    assert book["Per day"]["A1"].value == "Nothing sent yet."
    assert listed(book["Sent"]) == [] and listed(book["Needs attention"]) == []
    assert dict(section(book["Summary"], "Sending"))["first send (UTC)"] == "none yet"
    assert section(book["Summary"], "Endpoints") == [
        ["endpoint", "pending", "total"],
        ["POST /message", 2, 2],
    ]
    assert section(book["Summary"], "Quotas, as the API last reported them") == [
        ["Nothing known yet (no answer from the API so far)."]
    ]
    assert not files.state.exists()  # nothing written but the report


def test_a_sandbox_campaign_reports_its_sandbox_trials_beside_the_sheet(tmp_path, clock, capsys):
    files = make_campaign(tmp_path, people(3), extra="[api]\nsandbox = true")
    args = ["--state-dir", str(files.state)]
    assert main(["run", str(files.toml), "--limit", "2", *args], env={}, clock=clock) == 0
    capsys.readouterr()
    assert main(["report", str(files.toml), *args], env={}, clock=clock) == 0
    path = tmp_path / "leads.sandbox.report.xlsx"
    assert capsys.readouterr().out.startswith(f"Report written to {path}: 3 rows")
    book = load(path)
    assert "(sandbox trials)" in book["Summary"]["A2"].value
    assert dict(section(book["Summary"], "Rows by status")[1:])["sent"] == 2
    assert [m["recipient"] for m in listed(book["Sent"])] == ["person-0", "person-1"]
    assert not (tmp_path / "leads.report.xlsx").exists()


def test_text_that_looks_like_a_formula_stays_text(tmp_path, api):
    files = make_campaign(
        tmp_path, people(1), message='=HYPERLINK("http://x.invalid","{{ company }}")'
    )
    assert api.run(files) == 0
    assert report(files, api, "--output", str(tmp_path / "r.xlsx")) == 0
    cell = load(tmp_path / "r.xlsx")["Sent"]["H2"]
    assert cell.value == '=HYPERLINK("http://x.invalid","Acme")' and cell.data_type == "s"


@pytest.mark.parametrize(
    ("output", "error"),
    [
        ("report.csv", "--output report.csv: the report is an Excel workbook; name it .xlsx"),
        ("leads.xlsx", "--output {dir}/leads.xlsx: that is the campaign's leads.xlsx"),
        ("missing/r.xlsx", "{dir}/missing/r.xlsx: cannot write the report: No such file or dir"),
    ],
    ids=["not-xlsx", "the-sheet", "no-folder"],
)
def test_an_output_the_report_cannot_go_to_is_exit_2(tmp_path, api, capsys, output, error):
    files = make_campaign(tmp_path, people(1), sheet_name="leads.xlsx")
    before = files.sheet.read_bytes()
    target = output if output.endswith(".csv") else str(tmp_path / output)
    assert report(files, api, "--output", target) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith(f"campaign-runner: {error.format(dir=tmp_path)}") and "Traceback" not in err
    )
    assert files.sheet.read_bytes() == before


def test_a_report_open_in_excel_is_left_alone(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(1))
    path = tmp_path / "leads.report.xlsx"
    path.write_bytes(b"the report as Excel has it")
    (tmp_path / "~$leads.report.xlsx").write_bytes(b"owner")
    assert report(files, api) == 2
    assert capsys.readouterr().err == (
        f"campaign-runner: {path}: the report is open in Excel; close it and run this again (or "
        "give another --output)\n"
    )
    assert path.read_bytes() == b"the report as Excel has it"


def test_status_and_run_do_not_load_pandas(tmp_path):
    files = make_campaign(tmp_path, people(1))
    script = (
        "import sys\n"
        "from runner.cli import main\n"
        f"for args in (['status'], ['run', '--dry-run'], ['report']):\n"
        f"    main([args[0], {str(files.toml)!r}, *args[1:]], env={{}})\n"
        "    print('pandas after', args[0], 'pandas' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    said = [line for line in result.stdout.splitlines() if line.startswith("pandas after")]
    assert said == [
        "pandas after status False",
        "pandas after run False",
        "pandas after report True",
    ]


def test_sends_known_only_from_the_sheet_are_listed_for_what_is_known(tmp_path, api, capsys):
    """A lost journal, then --trust-sheet: the sends it takes from the sheet have a time but no
    account, endpoint or text."""
    files = make_campaign(tmp_path, people(3))
    assert api.run(files, "--limit", "2") == 0
    shutil.rmtree(files.state)
    api.clock.advance(days=1)
    assert api.run(files, "--trust-sheet") == 0
    assert report(files, api) == 0
    book = load(tmp_path / "leads.report.xlsx")
    sent = listed(book["Sent"])
    assert [(m["recipient"], m["account"], m["endpoint"]) for m in sent] == [
        ("person-0", "(not recorded)", "(not recorded)"),
        ("person-1", "(not recorded)", "(not recorded)"),
        ("person-2", "(default)", "POST /message"),
    ]
    assert sent[0]["message"].startswith("(not recorded: this send is known from the sheet")
    assert sent[0]["sent at (UTC)"] == datetime(2026, 1, 15, 9, 0)
    assert [list(r) for r in book["Per day"].iter_rows(values_only=True)] == [
        ["day", "(default)", "(not recorded)", "all accounts"],
        [datetime(2026, 1, 15), 0, 2, 2],
        [datetime(2026, 1, 16), 1, 0, 1],
    ]
    accounts = section(book["Summary"], "Accounts")
    assert [row[:2] for row in accounts[1:]] == [["(default)", 1], ["(not recorded)", 2]]


def test_a_report_with_a_broken_template_says_so_as_status_does(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(3))
    assert api.run(files, "--limit", "1") == 0
    (tmp_path / "message.txt.j2").write_text("Hi {{ frist_name }}", encoding="utf-8")
    assert report(files, api) == 0
    summary = load(tmp_path / "leads.report.xlsx")["Summary"]
    notes = [summary.cell(r, 1).value for r in range(1, 8)]
    assert any(
        str(note).startswith(
            "The template cannot be used: message.txt.j2: line 1: uses 'frist_name'"
        )
        for note in notes
    )
    counts = dict(section(summary, "Rows by status")[1:])
    assert (counts["sent"], counts["pending"]) == (1, 2)

"""Review before sending: `preview` writes every row's message for a reviewer, without sending
or touching the sheet; with `approval_column` only rows ticked for the text the preview showed
go out, and a text changed since then waits for a new look."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from runner.approval import is_yes
from runner.cli import main
from runner.report.preview import HEADERS as PREVIEW_HEADERS
from tests.support.campaign import make_campaign

HEADERS = ["First Name", "Company", "recipientProfileId", "approved"]


def rows(ticks: list[str]) -> list[list[str]]:
    return [[f"P{i}", "Acme", f"person-{i}", tick] for i, tick in enumerate(ticks)]


def approval_campaign(tmp_path, ticks):
    return make_campaign(
        tmp_path, rows(ticks), headers=HEADERS, extra='approval_column = "approved"'
    )


def preview(api, files, *args: str) -> int:
    return main(
        ["preview", str(files.toml), "--state-dir", str(files.state), *args],
        env={"CONNECTSAFELY_BASE_URL": api.base_url},
        clock=api.clock,
    )


def status_of(files) -> list[tuple[str, str]]:
    return [(row["status"], row["status_detail"]) for row in files.rows()]


def tick_in_preview(path, recipients: set[str]) -> None:
    book = load_workbook(path)
    sheet = book.active
    headers = [cell.value for cell in sheet[1]]
    who, approved = headers.index("recipient"), headers.index("approved")
    for row in sheet.iter_rows(min_row=2):
        if row[who].value in recipients:
            row[approved].value = "✓"
    book.save(path)


@pytest.mark.parametrize("text", ["yes", "Y", "TRUE", "1", "x", "X", "✓", " yes "])
def test_a_yes_in_any_form_approves(text):
    assert is_yes(text)


@pytest.mark.parametrize("text", ["", "no", "0", "false", "maybe", "n"])
def test_anything_else_does_not(text):
    assert not is_yes(text)


def test_the_preview_shows_every_row_and_sends_and_touches_nothing(tmp_path, api, capsys):
    files = make_campaign(tmp_path, rows(["", ""]) + [["Nobody", "Acme", "", ""]], headers=HEADERS)
    before = files.sheet.read_bytes()
    assert preview(api, files) == 0
    out = capsys.readouterr().out
    written = tmp_path / "leads.preview.xlsx"
    assert f"Preview of 3 rows (2 ok to send) written to {written}." in out
    assert files.sheet.read_bytes() == before and api.sim.received == []
    assert not (files.state / "campaign.journal.sqlite").exists()
    sheet = load_workbook(written).active
    table = [[cell.value for cell in row] for row in sheet.iter_rows()]
    headers = table[0]
    first = dict(zip(headers, table[1], strict=True))
    assert first["check"] == "ok" and first["endpoint"] == "POST /message"
    assert first["message"] == "Hi P0, greetings from Acme."
    assert first["account"] == "(default)"
    last = dict(zip(headers, table[3], strict=True))
    assert last["check"].startswith("invalid: no recipient")
    assert sheet["A1"].font.bold


def test_a_csv_preview_where_asked(tmp_path, api, capsys):
    files = make_campaign(tmp_path, rows(["", ""]), headers=HEADERS)
    out = tmp_path / "review.csv"
    assert preview(api, files, "--output", str(out)) == 0
    text = out.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("row,recipient,status,check,approval,endpoint")
    assert "Hi P1, greetings from Acme." in text


def test_unticked_rows_wait_for_approval_without_making_the_run_a_pause(tmp_path, api, capsys):
    files = approval_campaign(tmp_path, ["", "no"])
    assert preview(api, files) == 0
    assert api.run(files) == 0  # nothing a later run could send: a person must tick first
    assert api.sim.received == []
    assert status_of(files) == [("pending", "awaiting approval")] * 2
    assert "2 row(s) await approval" in capsys.readouterr().out


def test_a_tick_without_a_preview_does_not_send(tmp_path, api):
    files = approval_campaign(tmp_path, ["yes", ""])
    assert api.run(files) == 0
    assert api.sim.received == []
    assert status_of(files)[0][1].startswith("awaiting approval: no preview has shown")


def tick_in_sheet(files, ticks: list[str]) -> None:
    """The reviewer ticks rows in the sheet's approval column (the last column of these)."""
    lines = files.sheet.read_text(encoding="utf-8").splitlines()
    out = [lines[0]]
    for line, tick in zip(lines[1:], ticks, strict=True):
        cells = line.split(",")
        cells[3] = tick
        out.append(",".join(cells))
    files.sheet.write_text("\n".join(out) + "\n", encoding="utf-8")


def test_ticked_in_the_sheet_after_a_preview_sends_only_those(tmp_path, api):
    files = approval_campaign(tmp_path, ["", "", ""])
    assert preview(api, files) == 0
    tick_in_sheet(files, ["yes", "", "x"])
    assert api.run(files) == 0
    assert api.delivered_to() == ["person-0", "person-2"]
    assert status_of(files)[1] == ("pending", "awaiting approval")


def test_a_tick_given_before_the_preview_does_not_approve_what_it_shows(tmp_path, api, capsys):
    """Ticked ahead, before anyone read the text: the preview does not make it an approval."""
    files = approval_campaign(tmp_path, ["yes", "x"])
    assert preview(api, files) == 0
    assert "0 approved; 2 await approval" in capsys.readouterr().out
    assert api.run(files) == 0
    assert api.sim.received == []
    assert (
        "the sheet's tick was there before the preview showed this text" in status_of(files)[0][1]
    )
    tick_in_preview(tmp_path / "leads.preview.xlsx", {"person-1"})
    assert api.run(files) == 0
    assert api.delivered_to() == ["person-1"]


def test_a_message_changed_since_the_preview_waits_for_a_new_look(tmp_path, api):
    files = approval_campaign(tmp_path, ["", ""])
    assert preview(api, files) == 0
    tick_in_sheet(files, ["yes", "yes"])
    (tmp_path / "message.txt.j2").write_text("Hello {{ first_name }}!", encoding="utf-8")
    assert api.run(files) == 0
    assert api.sim.received == []
    assert status_of(files)[0][1].startswith("awaiting approval: the message changed")
    # A new preview shows the new text; the sheet's ticks were for the old one.
    assert preview(api, files) == 0
    assert api.run(files) == 0
    assert api.sim.received == []
    assert "tick it in the preview's approved column" in status_of(files)[0][1]
    # Ticked in the new preview: the new text is approved, and goes.
    tick_in_preview(tmp_path / "leads.preview.xlsx", {"person-1"})
    assert api.run(files) == 0
    assert api.delivered_to() == ["person-1"]
    assert api.sim.delivered()[0].payload["message"] == "Hello P1!"


def test_a_new_preview_keeps_the_ticks_of_the_last_for_unchanged_texts(tmp_path, api, capsys):
    files = approval_campaign(tmp_path, ["", "", ""])
    assert preview(api, files) == 0
    tick_in_preview(tmp_path / "leads.preview.xlsx", {"person-0", "person-1"})
    files.sheet.write_text(
        files.sheet.read_text().replace("P1,Acme", "P1,Globex"), encoding="utf-8"
    )
    capsys.readouterr()
    assert preview(api, files) == 0
    assert "1 approved (1 ticked in the last preview, carried over)" in capsys.readouterr().out
    assert api.run(files) == 0
    assert api.delivered_to() == ["person-0"]  # person-1's text changed: a new tick is needed


def test_ticks_still_count_when_the_reviewer_deletes_the_key_column(tmp_path, api):
    files = approval_campaign(tmp_path, ["", ""])
    assert preview(api, files) == 0
    path = tmp_path / "leads.preview.xlsx"
    tick_in_preview(path, {"person-1"})
    book = load_workbook(path)
    book.active.delete_cols(PREVIEW_HEADERS.index("approval_key") + 1)
    book.save(path)
    assert api.run(files) == 0
    assert api.delivered_to() == ["person-1"]


def test_a_csv_preview_shows_a_message_that_looks_like_a_formula_as_text(tmp_path, api):
    files = make_campaign(
        tmp_path, rows([""]), headers=HEADERS, message='=HYPERLINK("http://x","y") {{ first_name }}'
    )
    out = tmp_path / "review.csv"
    assert preview(api, files, "--output", str(out)) == 0
    assert '\'=HYPERLINK(""http://x"",""y"") P0' in out.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("name", ["leads.csv", "campaign.toml", "mine.xlsx", "nowhere/p.xlsx"])
def test_the_preview_is_never_written_over_a_file_of_the_users(tmp_path, api, capsys, name):
    files = make_campaign(tmp_path, rows([""]), headers=HEADERS)
    from openpyxl import Workbook

    Workbook().save(tmp_path / "mine.xlsx")
    target = tmp_path / name
    before = target.read_bytes() if target.exists() else None
    assert preview(api, files, "--output", str(target)) == 2
    err = capsys.readouterr().err
    assert "--output" in err and "Traceback" not in err
    assert (target.read_bytes() if target.exists() else None) == before


def test_an_edited_cell_after_the_tick_in_the_preview_waits_too(tmp_path, api):
    files = approval_campaign(tmp_path, ["", ""])
    assert preview(api, files) == 0
    tick_in_preview(tmp_path / "leads.preview.xlsx", {"person-0", "person-1"})
    files.sheet.write_text(
        files.sheet.read_text().replace("P1,Acme", "P1,Globex"), encoding="utf-8"
    )
    assert api.run(files) == 0
    assert api.delivered_to() == ["person-0"]  # person-1's message now names Globex
    assert status_of(files)[1][1] == "awaiting approval"


def test_an_approval_column_the_sheet_lacks_is_a_clear_error(tmp_path, api, capsys):
    files = make_campaign(
        tmp_path, rows(["", ""]), headers=HEADERS, extra='approval_column = "OK?"'
    )
    assert api.run(files) == 2
    err = capsys.readouterr().err
    assert "approval_column: 'OK?' is not a column of leads.csv" in err and "Traceback" not in err


def test_the_report_is_never_written_over_the_preview_a_reviewer_ticks(tmp_path, api, capsys):
    files = approval_campaign(tmp_path, ["", ""])
    assert preview(api, files) == 0
    ticked = tmp_path / "leads.preview.xlsx"
    before = ticked.read_bytes()
    argv = ["report", str(files.toml), "--state-dir", str(files.state), "--output", str(ticked)]
    assert main(argv, env={}, clock=api.clock) == 2
    assert "that is the campaign's leads.preview.xlsx" in capsys.readouterr().err
    assert ticked.read_bytes() == before


def test_the_report_lists_rows_awaiting_approval_with_what_to_do(tmp_path, api, capsys):
    files = approval_campaign(tmp_path, ["", ""])
    assert preview(api, files) == 0
    assert api.run(files) == 0
    report = tmp_path / "leads.report.xlsx"
    argv = ["report", str(files.toml), "--state-dir", str(files.state), "--output", str(report)]
    assert main(argv, env={}, clock=api.clock) == 0
    sheet = load_workbook(report)["Needs attention"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    headers = rows[0]
    todo = [dict(zip(headers, row, strict=True)) for row in rows[1:]]
    assert [row["status"] for row in todo] == ["pending", "pending"]
    assert all("tick it in the preview's approved column" in row["what to do"] for row in todo)
    assert "2 row(s) await approval" in capsys.readouterr().out

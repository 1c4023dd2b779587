"""Write-back through whole runs: the user's cells stay exactly as they were, CSV and Excel."""

from __future__ import annotations

import zipfile

import httpx
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from runner.pacing import Pacing
from runner.sandbox import Sandbox, transport
from runner.sheet import read_table
from tests.support.campaign import API_KEY, make_campaign, people, run_in_process


def test_csv_run_keeps_every_user_cell_delimiter_bom_and_line_endings(tmp_path, api):
    files = make_campaign(tmp_path, people(3))
    original = (
        "\ufeffFirst Name;Company;recipientProfileId;Notes\r\n"
        'Zoë;"Acme; Inc";00123;"line one\r\nline two"\r\n'
        "Bo;=1+1;bo-2;  spaced  \r\n"
    )
    files.sheet.write_bytes(original.encode("utf-8"))
    assert api.run(files) == 0
    raw = files.sheet.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert (
        text.splitlines()[0]
        == "First Name;Company;recipientProfileId;Notes;status;status_detail;sent_at;recipient_urn;"
        "status_for"
    )
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    table = read_table(files.sheet)
    assert [r.cells[:4] for r in table.rows] == [
        ("Zoë", "Acme; Inc", "00123", "line one\r\nline two"),
        ("Bo", "=1+1", "bo-2", "  spaced  "),
    ]
    assert [r.cells[4] for r in table.rows] == ["sent", "sent"]
    assert [p["recipientProfileId"] for p in (r.payload for r in api.sim.received)] == [
        "00123",
        "bo-2",
    ]


def test_excel_run_keeps_cells_styles_widths_and_other_sheets(tmp_path, api):
    files = make_campaign(tmp_path, [])
    path = tmp_path / "leads.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "Leads"
    ws.append(["First Name", "Company", "recipientProfileId", "Score"])
    ws.append(["Ann", "Acme", "ann-1", 12345678])
    ws.append(["Bo", "Bolt", "bo-2", 7])
    ws["A1"].font = Font(bold=True, color="FF0000")
    ws.column_dimensions["B"].width = 33
    other = wb.create_sheet("Notes")
    other["A1"] = "keep me"
    wb.save(path)
    files.toml.write_text(
        files.toml.read_text().replace('sheet = "leads.csv"', 'sheet = "leads.xlsx"'),
        encoding="utf-8",
    )
    assert api.run(files) == 0

    wb = load_workbook(path)
    ws = wb["Leads"]
    assert [c.value for c in ws[1]] == [
        "First Name",
        "Company",
        "recipientProfileId",
        "Score",
        "status",
        "status_detail",
        "sent_at",
        "recipient_urn",
        "status_for",
    ]
    assert [c.value for c in ws[2]][:4] == ["Ann", "Acme", "ann-1", 12345678]
    assert ws["D3"].value == 7
    assert ws["A1"].font.bold and ws["A1"].font.color.rgb == "00FF0000"
    assert ws.column_dimensions["B"].width == 33
    assert wb["Notes"]["A1"].value == "keep me"
    assert [ws.cell(row=r, column=5).value for r in (2, 3)] == ["sent", "sent"]


def test_sheet_is_checkpointed_during_a_long_run(tmp_path, clock):
    """With real pacing, the sheet is rewritten about every minute while the run goes on."""
    files = make_campaign(tmp_path, people(6))
    seen: list[list[str]] = []
    sim = Sandbox(API_KEY, clock)
    inner = transport(sim)

    def spy(request: httpx.Request) -> httpx.Response:
        seen.append([r.cells[-5] if len(r.cells) > 6 else "" for r in read_table(files.sheet).rows])
        return inner.handle_request(request)

    report = run_in_process(files, clock, httpx.MockTransport(spy), pacing=Pacing(40, 40))
    assert report.sent == 6
    # Written once before the first send; then, 40 s between sends, again after the 3rd send,
    # 80 s into the run.
    assert seen[:3] == [["pending"] * 6] * 3
    assert seen[3] == ["sent"] * 3 + ["pending"] * 3
    assert [r.cells[-5] for r in read_table(files.sheet).rows] == ["sent"] * 6


def test_excel_with_formulas_keeps_them_and_statuses_go_into_the_workbook(tmp_path, api, capsys):
    """Patching keeps formulas and their results (re-saving through openpyxl loses the results,
    and the next run would read those cells as empty)."""
    files = make_campaign(tmp_path, [], message="Hi {{ full }}")
    path = tmp_path / "leads.xlsx"
    wb = Workbook()
    wb.active.append(["First Name", "Last", "Company", "recipientProfileId", "Full"])
    wb.active.append(["Ann", "Lee", "Acme", "ann-1", '=A2&" "&B2'])
    wb.save(path)
    with zipfile.ZipFile(path) as package:  # as Excel saves it: the result cached beside it
        contents = {info: package.read(info) for info in package.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for info, data in contents.items():
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<v></v>", b"<v>Ann Lee</v>").replace(
                    b'<c r="E2"', b'<c r="E2" t="str"'
                )
            package.writestr(info, data)
    files.toml.write_text(
        files.toml.read_text().replace('sheet = "leads.csv"', 'sheet = "leads.xlsx"'),
        encoding="utf-8",
    )
    assert api.run(files) == 0
    assert api.sim.delivered()[0].payload["message"] == "Hi Ann Lee"
    sheet = load_workbook(path).active
    assert (sheet["E2"].value, sheet["F2"].value) == ('=A2&" "&B2', "sent")
    assert not (tmp_path / "leads.statuses.xlsx").exists()
    assert api.run(files) == 0  # the next run still reads the formula's result


@pytest.mark.parametrize("sheet", ["leads.csv", "leads.xlsx"])
def test_statuses_taken_from_the_output_file_are_written_into_the_sheet_again(tmp_path, api, sheet):
    """Cells read from another file (`output`, here) on the same row number as in the sheet
    are not the sheet's own: the sheet is written, not taken to show them already (a review
    found they were, and the sheet kept saying pending for two people messaged)."""
    files = make_campaign(tmp_path, people(3), sheet_name=sheet)
    assert api.run(files, "--limit", "1") == 0  # the sheet: sent, pending, pending
    base = files.toml.read_text()
    files.toml.write_text('output = "leads.statuses.xlsx"\n' + base)
    assert api.run(files) == 0  # the other two sent; their statuses go to the output file
    files.toml.write_text(base)  # output taken out: the statuses go into the sheet again
    assert api.run(files) == 0
    assert sorted(api.delivered_to()) == ["person-0", "person-1", "person-2"]
    assert [row["status"] for row in files.rows()] == ["sent", "sent", "sent"]

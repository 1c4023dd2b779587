"""A CSV sheet with an .xlsx `output`: CSV users get the coloured view of the statuses, and a
re-run reads its statuses back from it (nobody is messaged twice); the CSV is never touched."""

from __future__ import annotations

from openpyxl import load_workbook

from tests.support.campaign import make_campaign, people
from tests.support.faults import Fault, FaultKind


def test_a_csv_sheet_writes_its_statuses_to_a_coloured_workbook(tmp_path, api):
    files = make_campaign(tmp_path, people(3), extra='output = "statuses.xlsx"')
    before = files.sheet.read_bytes()
    api.sim.inject(Fault(FaultKind.STATUS, status=400, body={"error": "nope", "success": False}))
    assert api.run(files) == 0
    assert files.sheet.read_bytes() == before
    sheet = load_workbook(tmp_path / "statuses.xlsx").active
    headers = [cell.value for cell in sheet[1]]
    status = headers.index("status")
    values = [row[status].value for row in sheet.iter_rows(min_row=2)]
    assert values == ["failed", "sent", "sent"]
    fills = [row[status].fill.fgColor.rgb for row in sheet.iter_rows(min_row=2)]
    assert fills[0].endswith("FFC7CE") and fills[1].endswith("C6EFCE")
    assert sheet.cell(1, status + 1).font.bold
    assert [sheet.cell(r, 3).value for r in (2, 3, 4)] == ["person-0", "person-1", "person-2"]
    # The next run reads the statuses back from the workbook: nothing is sent again.
    received = len(api.sim.received)
    assert api.run(files) == 0
    assert len(api.sim.received) == received


def test_a_csv_sheet_cannot_take_another_kind_of_output(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(1), extra='output = "statuses.xlsm"')
    assert api.run(files) == 2
    assert "or .xlsx for a .csv sheet" in capsys.readouterr().err


def test_a_csv_sheet_with_an_xlsx_output_keeps_the_texts_sent(tmp_path, api):
    files = make_campaign(
        tmp_path, people(2), extra='output = "statuses.xlsx"\nwrite_message = true'
    )
    assert api.run(files) == 0
    sheet = load_workbook(tmp_path / "statuses.xlsx").active
    headers = [cell.value for cell in sheet[1]]
    texts = [row[headers.index("message_sent")].value for row in sheet.iter_rows(min_row=2)]
    assert texts == [r.payload["message"] for r in api.sim.delivered()]
    assert api.run(files) == 0  # read back: nothing sent again, the texts kept
    sheet = load_workbook(tmp_path / "statuses.xlsx").active
    assert [row[headers.index("message_sent")].value for row in sheet.iter_rows(min_row=2)] == texts
    assert len(api.sim.received) == 2

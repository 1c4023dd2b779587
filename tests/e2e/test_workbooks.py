"""Workbooks as people keep them, through the real CLI: a workbook Excel saved with everything in
it, Excel Tables and filters sorted after a run, rows hidden by a filter or by hand, links."""

from __future__ import annotations

import shutil
import zipfile

import openpyxl
from openpyxl.worksheet.table import Table as ExcelTable

from runner.sheet.look import SWATCHES
from tests.support.campaign import make_campaign
from tests.support.excelbook import FILTERED_ROW, HAND_HIDDEN_ROW, leads_book, read_parts
from tests.support.xlsxcheck import libreoffice_csv, load

STATUS = ["status", "status_detail", "sent_at", "recipient_urn", "status_for"]


def edit_part(path, part: str, old: bytes, new: bytes) -> None:
    with zipfile.ZipFile(path) as package:
        contents = [(info, package.read(info)) for info in package.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for info, data in contents:
            if info.filename == part:
                assert old in data
                data = data.replace(old, new)
            package.writestr(info, data)


def excel_campaign(tmp_path, name="leads.xlsm", **kw):
    files = make_campaign(tmp_path, [], message="Hi {{ name }}", **kw)
    files.sheet.unlink()
    files.sheet = tmp_path / name
    leads_book(files.sheet, macro=name.endswith(".xlsm"))
    # The profile column under a name the runner knows.
    edit_part(files.sheet, "xl/sharedStrings.xml", b"<t>profile</t>", b"<t>profileUrl</t>")
    text = files.toml.read_text(encoding="utf-8")
    text = text.replace('sheet = "leads.csv"', f'sheet = "{name}"\nsheet_name = "Leads"')
    files.toml.write_text(text, encoding="utf-8")
    return files


def test_a_workbook_excel_saved_gets_its_statuses_and_loses_nothing(tmp_path, api):
    files = excel_campaign(tmp_path)
    before = read_parts(files.sheet)
    assert api.run(files) == 0
    after = read_parts(files.sheet)
    assert list(after) == list(before)  # every part still there, in the same order
    changed = {name for name in before if before[name] != after[name]}
    # The sheet, the workbook's filter name widened over the status columns, the styles the
    # statuses' colours join. Charts, pictures, the pivot, the form button, printer settings,
    # comments, macros: untouched.
    assert changed == {"xl/worksheets/sheet2.xml", "xl/workbook.xml", "xl/styles.xml"}
    assert after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]

    sheet = load(files.sheet)["Leads"]
    assert [sheet.cell(1, c).value for c in range(8, 13)] == STATUS
    statuses = {r: sheet.cell(r, 8).value for r in range(2, 14)}
    assert statuses[FILTERED_ROW] == "pending"  # the filter hides it: not the audience
    assert statuses[HAND_HIDDEN_ROW] == "invalid"  # hidden, and no recipient in it
    sent = [r for r, s in statuses.items() if s == "sent"]
    assert sent == [2, 3, 4, 6, 7, 8, 9]
    colours = {r: sheet.cell(r, 8).fill.fgColor.rgb for r, s in statuses.items() if s}
    assert colours == {r: SWATCHES[s].fill for r, s in statuses.items() if s}  # each in its own
    assert len(api.sim.delivered()) == 7
    assert sheet["F2"].value == "=D2*2"  # formulas stay formulas...
    values = load(files.sheet, data_only=True)["Leads"]
    assert values["F2"].value == 84  # ...with the results Excel computed
    assert sheet.auto_filter.ref == "A1:L9"  # the filter now covers the status columns

    converted = libreoffice_csv(files.sheet, tmp_path / "lo")
    leads = converted["Leads"]
    assert leads[0][7:12] == STATUS and leads[1][7] == "sent"


def write_table_book(path, rows, *, table: bool):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Leads"
    sheet.append(["First Name", "Company", "profileId"])
    for row in rows:
        sheet.append(row)
    ref = f"A1:C{len(rows) + 1}"
    if table:
        sheet.add_table(ExcelTable(displayName="Leads", ref=ref))
    else:
        sheet.auto_filter.ref = ref
    book.save(path)


def excel_sort(path, key, *, table: bool) -> None:
    """What Excel does when the user sorts inside the Table (or the filter's range): whole rows
    of the range move, status columns and all, since the runner's columns joined it."""
    book = openpyxl.load_workbook(path)
    sheet = book["Leads"]
    area = sheet.tables["Leads"].ref if table else sheet.auto_filter.ref
    last_col = openpyxl.utils.cell.range_boundaries(area)[2]
    rows = [[c.value for c in row[:last_col]] for row in sheet.iter_rows(min_row=2)]
    for r, row in enumerate(sorted(rows, key=key), start=2):
        for c, value in enumerate(row, start=1):
            sheet.cell(r, c).value = value
    book.save(path)


def people_rows(n):
    return [[f"P{i}", "Acme", f"person-{i}"] for i in range(n)]


def by_person(path) -> dict[str, tuple]:
    sheet = load(path)["Leads"]
    headers = [c.value for c in sheet[1]]
    rows = {}
    for row in sheet.iter_rows(min_row=2, values_only=True):
        cells = dict(zip(headers, row, strict=False))
        rows[cells["profileId"]] = (cells["status"], cells["status_for"], cells["sent_at"])
    return rows


def run_sort_and_check(tmp_path, api, *, table: bool, lose_journal: bool):
    files = make_campaign(tmp_path, [], sheet_name="leads.xlsx")
    write_table_book(files.sheet, people_rows(4), table=table)
    assert api.run(files, "--limit", "2") == 0
    book = openpyxl.load_workbook(files.sheet)
    area = book["Leads"].tables["Leads"].ref if table else book["Leads"].auto_filter.ref
    assert area == "A1:H5"  # the status columns joined the Table (or the filter)
    if table:
        names = [c.name for c in book["Leads"].tables["Leads"].tableColumns]
        assert names == ["First Name", "Company", "profileId", *STATUS]
    before = by_person(files.sheet)
    excel_sort(files.sheet, key=lambda r: -int(r[2].rsplit("-", 1)[1]), table=table)
    assert by_person(files.sheet) == before  # each status moved with its person
    if lose_journal:
        shutil.rmtree(files.state)
        assert api.run(files) == 2  # a lost journal is not trusted silently...
        assert api.run(files, "--trust-sheet") == 0  # ...but the sheet's statuses, deliberately
    else:
        assert api.run(files) == 0
    assert sorted(api.delivered_to()) == [f"person-{i}" for i in range(4)]  # once each
    after = by_person(files.sheet)
    assert all(
        status == "sent" and owner.startswith(f"{p} #") for p, (status, owner, _) in after.items()
    )
    assert after["person-0"][2] == before["person-0"][2]  # the first send's time, kept


def test_a_sort_inside_an_excel_table_with_the_journal(tmp_path, api):
    run_sort_and_check(tmp_path, api, table=True, lose_journal=False)


def test_a_sort_inside_an_excel_table_without_the_journal(tmp_path, api):
    run_sort_and_check(tmp_path, api, table=True, lose_journal=True)


def test_a_sort_of_a_filter_range_with_the_journal(tmp_path, api):
    run_sort_and_check(tmp_path, api, table=False, lose_journal=False)


def test_a_sort_of_a_filter_range_without_the_journal(tmp_path, api):
    run_sort_and_check(tmp_path, api, table=False, lose_journal=True)


def test_rows_hidden_by_a_filter_or_by_hand_wait_unless_the_campaign_sends_them(
    tmp_path, api, capsys
):
    files = make_campaign(tmp_path, [], sheet_name="leads.xlsx")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Leads"
    sheet.append(["First Name", "Company", "profileId"])
    for row in [["Ann", "Acme", "ann"], ["Bob", "Initech", "bob"], ["Cy", "Acme", "cy"]]:
        sheet.append(row)
    sheet.auto_filter.ref = "A1:C4"
    sheet.auto_filter.add_filter_column(1, ["Acme"])  # Initech filtered out
    sheet.row_dimensions[3].hidden = True  # Bob, hidden by the filter
    sheet.row_dimensions[4].hidden = True  # Cy, hidden by hand too (inside the filter: Acme)
    book.save(files.sheet)
    # Cy's row is inside the filtered range, so it counts as filtered; a row outside it is not.
    book = openpyxl.load_workbook(files.sheet)
    book.active.append(["Dee", "Acme", "dee"])
    book.active.row_dimensions[5].hidden = True  # below the filter's range: hidden by hand
    book.save(files.sheet)

    capsys.readouterr()
    assert api.run(files, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "Would send 1: 1 via POST /message" in out
    assert "3 hidden row(s) will not be sent (2 hidden by the sheet's filter, 1 by hand" in out
    assert api.run(files) == 0  # hidden rows wait for the user, not for a later run
    assert "3 row(s) hidden in the sheet were not sent" in capsys.readouterr().out
    rows = by_person(files.sheet)
    assert rows["ann"][0] == "sent" and api.delivered_to() == ["ann"]
    assert [rows[p][0] for p in ("bob", "cy", "dee")] == ["pending"] * 3
    detail = load(files.sheet)["Leads"]["E3"].value
    assert detail.startswith("hidden by the sheet's filter, so not sent")
    assert load(files.sheet)["Leads"]["E5"].value.startswith("the row is hidden in the sheet")

    files.toml.write_text(
        "send_hidden_rows = true\n" + files.toml.read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert api.run(files) == 0
    assert sorted(api.delivered_to()) == ["ann", "bob", "cy", "dee"]


def test_links_behind_the_text_shown_are_who_gets_the_message(tmp_path, api, capsys):
    files = make_campaign(
        tmp_path, [], sheet_name="leads.xlsx", headers=["First Name", "Company", "LinkedIn URL"]
    )
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["First Name", "Company", "LinkedIn URL"])
    sheet.append(["Ann", "Acme", "LinkedIn"])
    sheet["C2"].hyperlink = "https://www.linkedin.com/in/ann-lee-42/"
    sheet.append(["Bob", "Acme", '=HYPERLINK("https://www.linkedin.com/in/bob-ng", "Profile")'])
    sheet.append(["Cy", "Acme", "https://www.linkedin.com/in/cy"])  # shows its own URL
    book.save(files.sheet)
    # As Excel saves a HYPERLINK formula: with the text it shows cached beside it.
    edit_part(
        files.sheet,
        "xl/worksheets/sheet1.xml",
        b'<c r="C3"><f>HYPERLINK("https://www.linkedin.com/in/bob-ng", "Profile")</f><v></v></c>',
        b'<c r="C3" t="str"><f>HYPERLINK("https://www.linkedin.com/in/bob-ng", "Profile")</f>'
        b"<v>Profile</v></c>",
    )
    capsys.readouterr()
    assert api.run(files, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "2 row(s) to send take the recipient from a cell's link:" in out
    assert "row 2: LinkedIn URL showed 'LinkedIn'; its link was used" in out
    assert "row 3: LinkedIn URL showed 'Profile'; its link was used" in out
    assert api.run(files) == 0
    assert api.delivered_to() == ["ann-lee-42", "bob-ng", "cy"]


def test_a_table_beside_the_leads_is_not_taken_over_and_a_totals_row_is_no_lead(
    tmp_path, api, capsys
):
    files = make_campaign(tmp_path, [], sheet_name="leads.xlsx")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Leads"
    sheet.append(["First Name", "Company", "profileId", None, "Region", "Owner"])
    sheet.append(["Ann", "Acme", "ann", None, "EMEA", "Jo"])
    sheet.append(["Bob", "Acme", "bob", None, "APAC", "Kim"])
    sheet.append(["Total", None, None])
    leads = ExcelTable(displayName="Leads", ref="A1:C4")
    leads.totalsRowCount = 1
    sheet.add_table(leads)
    sheet.add_table(ExcelTable(displayName="Owners", ref="E1:F3"))
    book.save(files.sheet)
    capsys.readouterr()
    assert api.run(files) == 0
    out = capsys.readouterr().out
    assert "2 sent this run" in out and "invalid" not in out  # the totals row is nobody
    assert sorted(api.delivered_to()) == ["ann", "bob"]
    sheet = load(files.sheet)["Leads"]
    assert sheet.tables["Owners"].ref == "E1:F3"  # a lookup beside the leads, left as it was
    assert sheet["G4"].value is None  # nothing written into the totals row
    assert [sheet.cell(1, c).value for c in range(7, 12)] == STATUS

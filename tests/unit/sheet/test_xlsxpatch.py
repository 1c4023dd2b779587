"""The lossless writer on workbooks shaped like Excel's: every part but the ones it must change
stays byte for byte, the changed sheet holds exactly the cells expected, openpyxl reads every
other cell and style as before, and LibreOffice converts it."""

from __future__ import annotations

import os
import re
import shutil
import stat
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from runner import failpoints
from runner.errors import SheetError
from runner.sheet import read_table
from runner.sheet.xlsxfacts import read_facts
from runner.sheet.xlsxpatch import PatchResult, StatusBlock, patch_statuses
from tests.support.excelbook import (
    HEADER,
    MAIN,
    PEOPLE,
    Variant,
    leads_book,
    minimal_book,
    read_parts,
    sheet_xml,
    write_package,
)
from tests.support.sheet import CSV_TEXT, SETTINGS, error, leftovers
from tests.support.xlsxcheck import CellXml, libreoffice_csv, load, openpyxl_cells, xml_cells

STATUS = ("status", "status_detail", "sent_at", "recipient_urn")
BLOCK = StatusBlock(1, (7, 8, 9, 10), STATUS, frozenset(range(4)))
VALUES = {
    2: ("sent", "", "2026-01-15T09:00:00Z", "urn:li:fsd_profile:ACoAA1"),
    3: ("failed", '\'=HYPERLINK("http://evil","x")', "", ""),
    5: ("pending", "  spaced out  ", "", ""),  # the row the filter hides
    10: ("invalid", "no <profile> & no URL", "", ""),  # a row with no <row> element yet
    11: ("duplicate", "two\nlines", "", ""),  # hidden by hand
}
LEADS = "xl/worksheets/sheet2.xml"
VARIANTS = [
    Variant(),
    Variant(prefix="x:"),
    Variant(omit_refs=True),
    Variant(cdata=True),
    Variant(prefix="x:", omit_refs=True, cdata=True),
]
RUNNER_COLUMNS = ("H", "I", "J", "K")


def expected_cells() -> dict[str, CellXml]:
    """The runner's cells: inline strings; the header styled as the last header cell (s=1),
    column I as its `<col style>` (6)."""
    header = zip(RUNNER_COLUMNS, STATUS, strict=True)
    cells: dict[str, CellXml] = {f"{col}1": ("inlineStr", "1", name, None) for col, name in header}
    for row, texts in VALUES.items():
        for col, text in zip(RUNNER_COLUMNS, texts, strict=True):
            if text:
                cells[f"{col}{row}"] = ("inlineStr", "6" if col == "I" else None, text, None)
    return cells


def row_chunks(data: bytes) -> list[bytes]:
    return re.findall(rb"<(?:x:)?row[\s>].*?</(?:x:)?row>", data, re.S)


def outside_rows(data: bytes) -> bytes:
    return re.sub(rb"<((?:x:)?)sheetData>.*</\1sheetData>", b"", data, flags=re.S)


@pytest.mark.parametrize("variant", VARIANTS, ids=["excel", "prefix", "no-refs", "cdata", "all"])
@pytest.mark.parametrize("macro", [False, True], ids=["xlsx", "xlsm"])
def test_only_the_sheet_and_its_filter_name_change(
    tmp_path: Path, variant: Variant, macro: bool
) -> None:
    path = tmp_path / ("leads.xlsm" if macro else "leads.xlsx")
    leads_book(path, variant, macro)
    before = read_parts(path)
    with zipfile.ZipFile(path) as package:
        infos_before = [(i.filename, i.compress_type, i.date_time) for i in package.infolist()]

    result = patch_statuses(path, path, None, BLOCK, VALUES)

    assert result == PatchResult(("the sheet's filter (A1:K9)",), ())
    after = read_parts(path)
    with zipfile.ZipFile(path) as package:
        assert [(i.filename, i.compress_type, i.date_time) for i in package.infolist()] == (
            infos_before
        )
    assert {name for name in before if before[name] != after[name]} == {LEADS, "xl/workbook.xml"}
    assert after["xl/workbook.xml"] == before["xl/workbook.xml"].replace(
        b"Leads!$A$1:$G$9", b"Leads!$A$1:$K$9"
    )
    if macro:
        assert after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]
    assert xml_cells(after[LEADS]) == {**xml_cells(before[LEADS]), **expected_cells()}
    # Outside the rows, only the dimension and the filter's ref moved.
    assert outside_rows(after[LEADS]) == outside_rows(before[LEADS]).replace(
        b'dimension ref="A1:G13"', b'dimension ref="A1:K13"'
    ).replace(b'autoFilter ref="A1:G9"', b'autoFilter ref="A1:K9"')
    written = re.compile(rb'<(?:x:)?row r="(?:1|2|3|5|11)"')
    for chunk in row_chunks(before[LEADS]):
        if not written.match(chunk):
            assert chunk in after[LEADS]  # an untouched row keeps its bytes
    p = variant.prefix.encode()
    hidden = b"<" + p + b'row r="5" spans="1:11" hidden="1" x14ac:dyDescent="0.25">'
    assert hidden in after[LEADS]  # a rewritten row keeps its attributes; spans widened
    row2 = next(c for c in row_chunks(before[LEADS]) if c.startswith(b"<" + p + b'row r="2"'))
    assert row2[row2.index(b">") + 1 : row2.rindex(b"</")] in after[LEADS]  # its cells too


def test_the_parts_are_compressed_at_zlibs_fastest_level(tmp_path: Path) -> None:
    """Compressing the parts again was most of a checkpoint's time at level 6; at level 1 a
    part is as large as Excel Online makes it (deflate's output does not depend on how its
    input was cut into pieces, so the one-shot size is the streamed one's)."""
    path = tmp_path / "leads.xlsx"
    leads_book(path, Variant(), False)
    patch_statuses(path, path, None, BLOCK, VALUES)
    with zipfile.ZipFile(path) as package:
        for info in package.infolist():
            if info.compress_type == zipfile.ZIP_DEFLATED:
                fastest = zlib.compressobj(1, zlib.DEFLATED, -15)
                data = package.read(info)
                assert info.compress_size == len(fastest.compress(data) + fastest.flush())


def test_openpyxl_reads_every_other_cell_and_style_as_before(tmp_path: Path) -> None:
    path, original = tmp_path / "leads.xlsx", tmp_path / "original.xlsx"
    leads_book(path)
    shutil.copy(path, original)
    patch_statuses(path, path, None, BLOCK, VALUES)

    old, new = openpyxl_cells(original), openpyxl_cells(path)
    ours = {("Leads", f"{col}{row}") for col in RUNNER_COLUMNS for row in range(1, 14)}
    assert {key: new[key] for key in old if key not in ours} == {
        key: value for key, value in old.items() if key not in ours
    }
    assert set(new) - set(old) <= ours
    book = load(path)
    sheet = book["Leads"]
    for row, texts in VALUES.items():
        assert [sheet[f"{col}{row}"].value for col in RUNNER_COLUMNS] == [t or None for t in texts]
    assert [sheet[f"{col}1"].value for col in RUNNER_COLUMNS] == list(STATUS)
    header = sheet["G1"]
    for col in RUNNER_COLUMNS:
        assert repr((sheet[f"{col}1"].font, sheet[f"{col}1"].fill)) == repr(
            (header.font, header.fill)
        )
    assert sheet["I3"].fill.fgColor.rgb == "FFFFFF00"  # column I's own style
    assert sheet.auto_filter.ref == "A1:K9"
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A12:C12"]
    assert [sheet[f"C{n}"].hyperlink.target for n in (2, 3, 4)] == [p[2] for p in PEOPLE[:3]]
    assert sheet["A2"].comment.text == "Ann: met at the fair"
    assert book["Contacts"].tables["Contacts"].ref == "A1:C6"
    assert book.defined_names["Scores"].attr_text == "Leads!$D$2:$D$9"


@pytest.mark.parametrize("variant", [Variant(), Variant("x:", True, True)], ids=["excel", "all"])
def test_libreoffice_reads_the_sheet_with_the_statuses(tmp_path: Path, variant: Variant) -> None:
    path, original = tmp_path / "leads.xlsx", tmp_path / "original" / "leads.xlsx"
    leads_book(path, variant)
    original.parent.mkdir()
    shutil.copy(path, original)
    patch_statuses(path, path, None, BLOCK, VALUES)

    old = libreoffice_csv(original, tmp_path / "csv-old")
    new = libreoffice_csv(path, tmp_path / "csv-new")
    assert {k: v for k, v in new.items() if k != "Leads"} == {
        k: v for k, v in old.items() if k != "Leads"
    }
    assert [row[:7] for row in new["Leads"]] == [row[:7] for row in old["Leads"]]
    runner_cells = {n: row[7:] for n, row in enumerate(new["Leads"], start=1)}
    assert runner_cells[1] == list(STATUS)
    for number, row in runner_cells.items():
        assert row == list(VALUES.get(number, ("",) * 4)) or number == 1
    assert new["Leads"][0][:7] == list(HEADER)


def test_a_table_next_to_the_status_columns_takes_them_in(tmp_path: Path) -> None:
    path, original = tmp_path / "leads.xlsx", tmp_path / "original" / "leads.xlsx"
    leads_book(path)
    original.parent.mkdir()
    shutil.copy(path, original)
    before = read_parts(path)
    block = StatusBlock(1, (3, 4, 5, 6), STATUS, frozenset(range(4)))
    values = {2: ("sent", "", "2026-01-15T09:00:00Z", "urn:1"), 4: ("failed", "no", "", "")}

    result = patch_statuses(path, path, "Contacts", block, values)

    assert result == PatchResult(('Table "Contacts" (A1:G6)',), ())
    after = read_parts(path)
    table = "xl/tables/table1.xml"
    assert {n for n in before if before[n] != after[n]} == {"xl/worksheets/sheet3.xml", table}
    columns = "".join(f'<tableColumn id="{4 + i}" name="{name}"/>' for i, name in enumerate(STATUS))
    assert after[table] == (
        before[table]
        .replace(b'ref="A1:C6"', b'ref="A1:G6"')
        .replace(b'<autoFilter ref="A1:C5"', b'<autoFilter ref="A1:G5"')
        .replace(b'count="3"', b'count="7"')
        .replace(b"</tableColumns>", columns.encode() + b"</tableColumns>")
    )
    contacts = load(path)["Contacts"].tables["Contacts"]
    assert contacts.ref == "A1:G6"
    assert contacts.autoFilter.ref == "A1:G5"
    assert list(contacts.column_names) == ["Name", "Email", "Amount", *STATUS]
    csv_sheets = libreoffice_csv(path, tmp_path / "csv")
    assert csv_sheets["Contacts"][0] == ["Name", "Email", "Amount", *STATUS]
    assert csv_sheets["Contacts"][1][3:] == list(values[2])


def test_a_table_apart_from_the_status_columns_is_left_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    leads_book(path)
    before = read_parts(path)
    block = StatusBlock(1, (4, 5, 6, 7), STATUS, frozenset(range(4)))  # column D left free
    result = patch_statuses(path, path, "Contacts", block, {2: ("sent", "", "", "")})
    assert result == PatchResult(
        (),
        (
            'Table "Contacts" (A1:C6) does not reach the status columns E:H (they are not right '
            "next to it); sorting or filtering it will not move the statuses with their rows",
        ),
    )
    assert read_parts(path)["xl/tables/table1.xml"] == before["xl/tables/table1.xml"]


def test_writing_again_replaces_the_runners_cells_and_nothing_else(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    leads_book(path)
    patch_statuses(path, path, None, BLOCK, VALUES)
    first = read_parts(path)
    again = StatusBlock(1, BLOCK.columns, STATUS)  # the header is there now
    patch_statuses(path, path, None, again, VALUES)
    assert read_parts(path) == first  # the same statuses make the same bytes

    changed = {2: ("failed", "rate limited", "", ""), 5: ("", "", "", "")}
    patch_statuses(path, path, None, again, changed)
    cells = xml_cells(read_parts(path)[LEADS])
    assert cells["H2"] == ("inlineStr", None, "failed", None)
    assert cells["I2"] == ("inlineStr", "6", "rate limited", None)
    # Emptied cells stay, with their style and no value: a cell after one without `r` counts on it.
    assert cells["J2"] == cells["K2"] == (None, None, None, None)
    assert [cells.get(f"{c}5") for c in RUNNER_COLUMNS] == [
        (None, None, None, None),
        (None, "6", None, None),
        None,  # was never written, so is not made now
        None,
    ]
    assert cells["H3"] == ("inlineStr", None, "failed", None)  # not in this write: kept


def test_the_replace_is_atomic_and_checked_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "data" / "leads.xlsx"
    real.parent.mkdir()
    leads_book(real)
    os.chmod(real, 0o640)
    link = tmp_path / "leads.xlsx"
    link.symlink_to(real)
    events: list[str] = []
    monkeypatch.setattr(failpoints, "reached", lambda name: events.append(name))
    replace = os.replace

    def recorded_replace(src: str, dst: str) -> None:
        events.append("replace")
        replace(src, dst)

    monkeypatch.setattr(os, "replace", recorded_replace)

    def check() -> None:
        events.append("check")
        assert [p.name for p in real.parent.iterdir() if p.name.endswith(".tmp")] != []

    patch_statuses(link, link, None, BLOCK, VALUES, check=check)
    assert events == [failpoints.SHEET_MID_WRITE, "check", "replace"]
    assert link.is_symlink()
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert leftovers(real.parent) == []

    def changed() -> None:
        raise SheetError("leads.xlsx: changed since it was read")

    before = real.read_bytes()
    again = StatusBlock(1, BLOCK.columns, STATUS)
    assert error(
        lambda: patch_statuses(link, link, None, again, {2: ("x", "", "", "")}, check=changed)
    ) == ("leads.xlsx: changed since it was read")
    assert real.read_bytes() == before
    assert leftovers(real.parent) == []


def test_a_merged_status_cell_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    leads_book(path)
    before = path.read_bytes()
    block = StatusBlock(1, (0, 1, 2, 3), STATUS)  # over A12:C12, merged
    values = {12: ("sent", "", "", ""), 13: ("sent", "", "", "")}
    assert error(lambda: patch_statuses(path, path, None, block, values)) == (
        "leads.xlsx: row 12: cell A12 is part of merged cells; unmerge them so the status can "
        "be written there"
    )
    assert path.read_bytes() == before
    assert leftovers(tmp_path) == []


def test_an_encrypted_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"))
    assert error(lambda: patch_statuses(path, path, None, BLOCK, VALUES)) == (
        "leads.xlsx: is password-protected (encrypted); save a copy without a password"
    )


def test_another_target_leaves_the_source_alone(tmp_path: Path) -> None:
    path, target = tmp_path / "leads.xlsx", tmp_path / "out" / "leads.statuses.xlsx"
    target.parent.mkdir()
    leads_book(path)
    before = path.read_bytes()
    patch_statuses(path, target, "Leads", BLOCK, VALUES)
    assert path.read_bytes() == before
    assert xml_cells(read_parts(target)[LEADS])["H2"] == ("inlineStr", None, "sent", None)


def test_small_reads_give_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Rows and tags cut at every place a chunk can end must come out the same.
    path = tmp_path / "leads.xlsx"
    leads_book(path, Variant("x:", True, True))
    whole = tmp_path / "whole.xlsx"
    patch_statuses(path, whole, None, BLOCK, VALUES)
    monkeypatch.setattr("runner.sheet.sheetstream._CHUNK", 7)
    pieces = tmp_path / "pieces.xlsx"
    patch_statuses(path, pieces, None, BLOCK, VALUES)
    assert read_parts(pieces) == read_parts(whole)


@pytest.mark.parametrize(
    ("block", "values", "message"),
    [
        (StatusBlock(1, (7, 7), ("a", "b")), {}, "no column twice"),
        (StatusBlock(1, (7,), ("a", "b")), {}, "one name per column"),
        (StatusBlock(1, (7,), ("a",), frozenset({1})), {}, "must index columns"),
        (StatusBlock(1, (7,), ("a",)), {1: ("x",)}, "row 1 do not fit"),
        (StatusBlock(1, (7,), ("a",)), {2: ("x", "y")}, "row 2 do not fit"),
    ],
)
def test_caller_mistakes_are_value_errors(
    tmp_path: Path, block: StatusBlock, values: dict[int, tuple[str, ...]], message: str
) -> None:
    path = tmp_path / "leads.xlsx"
    leads_book(path)
    with pytest.raises(ValueError, match=message):
        patch_statuses(path, path, None, block, values)


# Small workbooks -----------------------------------------------------------------------------

CHAIN_TYPE = (
    '<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.calcChain+xml"/>'
)
CHAIN_REL = (
    '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/calcChain" Target="calcChain.xml"/>'
)
EVERY_KIND = (
    '<row r="1" spans="1:6"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
    '<c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row>'
    '<row r="2" spans="1:6"><c r="A2" t="s"><v>5</v></c><c r="B2" s="1" t="s"><v>6</v></c>'
    '<c r="C2" s="3"><v>0.5</v></c><c r="D2" s="2" t="str"><f>A2&amp;"!"</f><v>Ann!</v></c>'
    '<c r="E2" t="inlineStr"><is><t>old</t></is></c><c r="F2"><f>C2*2</f><v>1</v></c></row>'
    '<row r="3" spans="1:6"><c r="A3" t="s"><v>7</v></c><c r="B3" t="b"><v>1</v></c>'
    '<c r="C3" t="e"><v>#N/A</v></c><c r="D3" s="2"/></row>'
)
EVERY_KIND_STRINGS = (
    "name",
    "status",
    "status_detail",
    "sent_at",
    "recipient_urn",
    "Ann",
    "sent",
    "Bob",
)
EXISTING = StatusBlock(1, (1, 2, 3, 4), STATUS)


def chain_book(path: Path, chain: str) -> None:
    minimal_book(
        path,
        sheet_xml(EVERY_KIND, head='<dimension ref="A1:F3"/>'),
        strings=EVERY_KIND_STRINGS,
        extra=[("xl/calcChain.xml", f'<calcChain xmlns="{MAIN}">{chain}</calcChain>')],
        book_rels=CHAIN_REL,
        types=CHAIN_TYPE,
    )


def test_existing_cells_of_every_kind_are_replaced_keeping_their_style(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    chain_book(path, '<c r="D2" i="1"/><c r="F2"/>')
    before = read_parts(path)
    values = {2: ("failed", "no", "2026", "urn:2"), 3: ("sent", "", "x", "")}

    patch_statuses(path, path, None, EXISTING, values)

    after = read_parts(path)
    sheet = "xl/worksheets/sheet1.xml"
    assert {n for n in before if before[n] != after[n]} == {sheet, "xl/calcChain.xml"}
    assert after["xl/calcChain.xml"] == before["xl/calcChain.xml"].replace(
        b'<c r="D2" i="1"/><c r="F2"/>', b'<c r="F2" i="1"/>'
    )
    cells = xml_cells(after[sheet])
    assert [cells[f"{c}2"] for c in "BCDEF"] == [
        ("inlineStr", "1", "failed", None),
        ("inlineStr", "3", "no", None),
        ("inlineStr", "2", "2026", None),
        ("inlineStr", None, "urn:2", None),
        (None, None, "1", "C2*2"),  # not a status column: untouched
    ]
    assert [cells.get(f"{c}3") for c in "BCDE"] == [
        ("inlineStr", None, "sent", None),
        (None, None, None, None),  # the error emptied: the runner has nothing to say there
        ("inlineStr", "2", "x", None),
        None,
    ]
    sheet_now = load(path)["Leads"]
    assert [c.value for c in sheet_now[2]] == ["Ann", "failed", "no", "2026", "urn:2", "=C2*2"]
    assert sheet_now["C2"].number_format == "0.00%"  # the style it had


def test_a_chain_left_empty_goes_with_its_type_and_relationship(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    chain_book(path, '<c r="D2" i="1"/>')
    before = read_parts(path)
    patch_statuses(path, path, None, EXISTING, {2: ("sent", "", "", "")})
    after = read_parts(path)
    assert "xl/calcChain.xml" not in after
    assert list(after) == [n for n in before if n != "xl/calcChain.xml"]
    assert after["[Content_Types].xml"] == before["[Content_Types].xml"].replace(
        CHAIN_TYPE.encode(), b""
    )
    rels = "xl/_rels/workbook.xml.rels"
    assert after[rels] == before[rels].replace(CHAIN_REL.encode(), b"")
    assert load(path)["Leads"]["D2"].value is None


def test_a_strict_workbook_is_written_in_its_own_namespace(tmp_path: Path) -> None:
    path = tmp_path / "strict.xlsx"
    minimal_book(path, sheet_xml(EVERY_KIND), strings=EVERY_KIND_STRINGS, strict=True)
    patch_statuses(path, path, "Leads", EXISTING, {4: ("sent", "", "", "")})
    data = read_parts(path)["xl/worksheets/sheet1.xml"]
    assert b'xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"' in data
    assert xml_cells(data)["B4"] == ("inlineStr", None, "sent", None)
    assert (
        etree.fromstring(data).find(".//{http://purl.oclc.org/ooxml/spreadsheetml/main}is")
        is not None
    )


def test_text_is_cut_to_excels_limit_and_illegal_characters_shown_as_question_marks(
    tmp_path: Path,
) -> None:
    path = tmp_path / "leads.xlsx"
    minimal_book(path, sheet_xml(EVERY_KIND), strings=EVERY_KIND_STRINGS)
    patch_statuses(path, path, None, EXISTING, {5: ("a\x00b\x1b", "x" * 40000, "", "")})
    sheet = load(path)["Leads"]
    assert (sheet["B5"].value, len(sheet["C5"].value)) == ("a?b?", 32767)


def excel_reads(text: str) -> str:
    """What Excel shows for a string as stored: "_xHHHH_" is the character it encodes."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m[1], 16)), text)


@pytest.fixture(scope="module")
def small_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("book") / "leads.xlsx"
    minimal_book(path, sheet_xml(EVERY_KIND), strings=EVERY_KIND_STRINGS)
    return path


@SETTINGS
@given(text=CSV_TEXT)
def test_any_status_text_round_trips(small_book: Path, tmp_path: Path, text: str) -> None:
    target = tmp_path / "out.xlsx"
    patch_statuses(
        small_book, target, None, EXISTING, {2: (text, " " + text, "", ""), 9: (text, "", "", "")}
    )
    cells = xml_cells(read_parts(target)["xl/worksheets/sheet1.xml"])
    illegal = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
    expected = illegal.sub("?", text)
    assert excel_reads(cells["B2"][2] or "") == expected
    assert excel_reads(cells["C2"][2] or "") == " " + expected
    assert cells["B2"][:2] == ("inlineStr", "1") or not expected
    if "_x" not in text:  # openpyxl does not read Excel's escapes
        sheet = load(target)["Leads"]
        assert (sheet["B2"].value, sheet["C2"].value, sheet["B9"].value) == (
            expected or None,
            " " + expected,
            expected or None,
        )


def test_folders_and_stored_entries_are_kept_as_they_are(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    minimal_book(path, sheet_xml(EVERY_KIND), strings=EVERY_KIND_STRINGS)
    with zipfile.ZipFile(path, "a") as package:
        package.mkdir("customXml")
        package.writestr("customXml/item1.xml", "<a/>", zipfile.ZIP_STORED)
    before = read_parts(path)
    patch_statuses(path, path, None, EXISTING, {2: ("sent", "", "", "")})
    with zipfile.ZipFile(path) as package:
        kinds = {i.filename: (i.is_dir(), i.compress_type) for i in package.infolist()}
    assert kinds["customXml/"] == (True, zipfile.ZIP_STORED)
    assert kinds["customXml/item1.xml"] == (False, zipfile.ZIP_STORED)
    assert read_parts(path)["customXml/item1.xml"] == before["customXml/item1.xml"]


def test_a_damaged_part_the_write_does_not_change_stops_it(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    minimal_book(path, sheet_xml(EVERY_KIND), strings=EVERY_KIND_STRINGS)
    with zipfile.ZipFile(path, "a") as package:
        package.writestr("xl/media/image1.png", b"PNG-DATA-PNG-DATA", zipfile.ZIP_STORED)
    data = path.read_bytes()
    path.write_bytes(data.replace(b"PNG-DATA-PNG-DATA", b"PNG-DATA-XXX-DATA"))  # CRC now wrong
    before = path.read_bytes()
    assert error(lambda: patch_statuses(path, path, None, EXISTING, {2: ("a", "", "", "")})) == (
        "leads.xlsx: cannot be read as an .xlsx workbook (part xl/media/image1.png: Bad CRC-32 "
        "for file 'xl/media/image1.png'); it may be damaged, or another kind of file renamed to "
        ".xlsx"
    )
    assert path.read_bytes() == before
    assert leftovers(tmp_path) == []


def test_a_status_cell_inside_a_pivot_tables_report_is_refused(tmp_path: Path) -> None:
    # The next refresh of the pivot table would write over the status.
    path = tmp_path / "leads.xlsx"
    leads_book(path)
    before = path.read_bytes()
    block = StatusBlock(1, (2, 1), ("status", "status_detail"), frozenset({0, 1}))
    assert error(
        lambda: patch_statuses(path, path, "Pivot", block, {2: ("a", ""), 4: ("b", "")})
    ) == (
        'leads.xlsx: row 4: cell B4 is inside pivot table "PivotTable1" (A3:B7); move the pivot '
        "table away from the status columns so the statuses can be written there"
    )
    assert path.read_bytes() == before
    patch_statuses(path, path, "Pivot", block, {2: ("a", "b"), 8: ("c", "d")})  # around it: fine


@pytest.fixture(scope="module")
def damageable(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    """The Excel-like workbook deflated, and with its parts stored: damage then lands in XML."""
    folder = tmp_path_factory.mktemp("stored")
    leads_book(folder / "leads.xlsx")
    stored = zipfile.ZipFile(folder / "stored.xlsx", "w", zipfile.ZIP_STORED)
    with zipfile.ZipFile(folder / "leads.xlsx") as source, stored as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
    return (folder / "leads.xlsx").read_bytes(), (folder / "stored.xlsx").read_bytes()


@settings(SETTINGS, max_examples=150)
@given(
    which=st.sampled_from([0, 1]),
    cut=st.none() | st.floats(0, 1),
    damage=st.lists(
        st.tuples(st.floats(0, 0.999), st.sampled_from(b"<>/\"'&=x \x00;!?[]-\xff")), max_size=4
    ),
)
def test_a_damaged_workbook_is_a_sheet_error_never_a_traceback(
    damageable: tuple[bytes, bytes],
    tmp_path: Path,
    which: int,
    cut: float | None,
    damage: list[tuple[float, int]],
) -> None:
    book = damageable[which]
    data = bytearray(book if cut is None else book[: int(len(book) * cut)])
    for where, byte in damage:
        if data:
            data[int(where * len(data))] = byte
    path = tmp_path / "leads.xlsx"
    path.write_bytes(bytes(data))
    try:
        patch_statuses(path, tmp_path / "out.xlsx", None, BLOCK, VALUES)
    except SheetError as err:
        assert "\n" not in str(err) and str(err).startswith("leads.xlsx: ")
    try:
        read_facts(path, None)
    except SheetError as err:
        assert "\n" not in str(err) and str(err).startswith("leads.xlsx: ")
    try:
        read_table(path, "Leads")  # calamine, the scan, or openpyxl: never a traceback
    except SheetError as err:
        assert "\n" not in str(err) and str(err).startswith("leads.xlsx")


def _merged(path: Path) -> tuple[StatusBlock, dict[int, tuple[str, ...]], str | None]:
    leads_book(path)
    return StatusBlock(1, (0, 1, 2, 3), STATUS), {12: ("sent", "", "", "")}, None


def _pivot(path: Path) -> tuple[StatusBlock, dict[int, tuple[str, ...]], str | None]:
    leads_book(path)
    block = StatusBlock(1, (2, 1), ("status", "status_detail"), frozenset({0, 1}))
    return block, {2: ("a", ""), 4: ("b", "")}, "Pivot"


def _shared(path: Path) -> tuple[StatusBlock, dict[int, tuple[str, ...]], str | None]:
    rows = "".join(
        f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(2, 400)
    ) + (  # far down, past rows a trial passes over
        '<row r="400"><c r="C400"><f t="shared" ref="C400:C401" si="0">A2*2</f><v>2</v></c></row>'
        '<row r="401"><c r="C401"><f t="shared" si="0"/><v>4</v></c></row>'
    )
    minimal_book(path, sheet_xml(rows))
    return StatusBlock(1, (2, 3), ("status", "status_detail")), {400: ("a", "")}, None


def _shared_unnumbered(path: Path) -> tuple[StatusBlock, dict[int, tuple[str, ...]], str | None]:
    block, values, sheet = _shared(path)  # the same, but the rows before it without their r
    parts = read_parts(path)
    xml = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = re.sub(rb'<row r="([0-9]|[0-3][0-9]{1,2})"', b"<row", xml)
    write_package(path, list(parts.items()))
    return block, values, sheet


def _array(path: Path) -> tuple[StatusBlock, dict[int, tuple[str, ...]], str | None]:
    rows = (
        '<row r="2"><c r="B2" cm="1"><f t="array" ref="B2:C300">SEQUENCE(299,2)</f><v>1</v></c>'
        "</row>" + "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(3, 301))
    )
    minimal_book(path, sheet_xml(rows))
    return StatusBlock(1, (2, 3), ("status", "status_detail")), {299: ("a", "")}, None


def _damaged(path: Path) -> tuple[StatusBlock, dict[int, tuple[str, ...]], str | None]:
    minimal_book(path, sheet_xml(EVERY_KIND), strings=EVERY_KIND_STRINGS)
    with zipfile.ZipFile(path, "a") as package:
        package.writestr("xl/media/image1.png", b"PNG-DATA-PNG-DATA", zipfile.ZIP_STORED)
    path.write_bytes(path.read_bytes().replace(b"PNG-DATA-PNG-DATA", b"PNG-DATA-XXX-DATA"))
    return EXISTING, {2: ("a", "", "", "")}, None


@pytest.mark.parametrize("make", [_merged, _pivot, _shared, _shared_unnumbered, _array, _damaged])
def test_a_trial_refuses_what_the_write_refuses_and_writes_nothing(
    tmp_path: Path, make: object
) -> None:
    path = tmp_path / "leads.xlsx"
    block, values, sheet = make(path)  # type: ignore[operator]
    before = path.read_bytes()
    refused = error(lambda: patch_statuses(path, tmp_path / "out.xlsx", sheet, block, values))
    assert error(lambda: patch_statuses(path, None, sheet, block, values)) == refused
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == [
        "leads.xlsx"
    ]


def test_a_trial_of_a_sheet_the_write_takes_passes(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    leads_book(path)
    before = path.read_bytes()
    assert patch_statuses(path, None, None, BLOCK, VALUES) == patch_statuses(
        path, tmp_path / "out.xlsx", None, BLOCK, VALUES
    )
    assert path.read_bytes() == before

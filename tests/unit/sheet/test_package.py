"""Opening a workbook package: what is refused and how it is said, and how sheets are found."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from runner.sheet.package import Package, resolve
from tests.support.excelbook import leads_book, minimal_book, sheet_xml
from tests.support.sheet import error


def opened(path: Path) -> Package:
    return Package(path)


def test_sheets_are_found_through_the_relationships(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    leads_book(path)
    with Package(path) as package:
        assert [(s.title, s.part, s.index, s.sheet_id, s.state) for s in package.sheets] == [
            ("Lookup", "xl/worksheets/sheet1.xml", 0, "4", "hidden"),
            ("Leads", "xl/worksheets/sheet2.xml", 1, "2", "visible"),  # an absolute target
            ("Contacts", "xl/worksheets/sheet3.xml", 2, "3", "visible"),
            ("Pivot", "xl/worksheets/sheet4.xml", 3, "5", "visible"),
        ]
        assert package.sheet(None).title == "Leads"  # the first one a person sees
        assert package.sheet("contacts").title == "Contacts"
        rels = package.rels("xl/worksheets/sheet2.xml")
        assert rels["rId1"].target == "https://www.linkedin.com/in/ann-lee"
        assert rels["rId1"].external
        assert rels["rId5"].target == "xl/drawings/drawing1.xml"
        assert rels["rId7"].target == "xl/comments1.xml"
    assert error(lambda: Package(path).sheet("Prospects")) == (
        'leads.xlsx: no sheet named "Prospects"; its sheets are '
        '"Lookup", "Leads", "Contacts", "Pivot"'
    )


def test_a_sheet_part_of_any_name(tmp_path: Path) -> None:
    path = tmp_path / "odd.xlsx"
    minimal_book(path, sheet_xml(""))
    with zipfile.ZipFile(path) as old:
        parts = {n: old.read(n) for n in old.namelist()}
    parts["xl/Sheets/My%20Data.xml"] = parts.pop("xl/worksheets/sheet1.xml")
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b'Target="worksheets/sheet1.xml"', b'Target="Sheets/My%20Data.xml"'
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"/xl/worksheets/sheet1.xml", b"/xl/Sheets/My%20Data.xml"
    )
    with zipfile.ZipFile(path, "w") as new:
        for name, data in parts.items():
            new.writestr(name.replace("%20", " "), data)
    with Package(path) as package:
        assert package.sheet(None).part == "xl/Sheets/My Data.xml"


def test_strict_workbooks_are_read(tmp_path: Path) -> None:
    path = tmp_path / "strict.xlsx"
    minimal_book(path, sheet_xml(""), strict=True)
    with Package(path) as package:
        assert package.sheet("Leads").part == "xl/worksheets/sheet1.xml"


def test_refusals(tmp_path: Path) -> None:
    encrypted = tmp_path / "locked.xlsx"
    encrypted.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(3000) + "EncryptedPackage".encode("utf-16-le")
    )
    assert error(opened, encrypted) == (
        "locked.xlsx: is password-protected (encrypted); save a copy without a password"
    )
    old = tmp_path / "old.xlsx"
    old.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(3000) + "Workbook".encode("utf-16-le")
    )
    assert error(opened, old) == (
        "old.xlsx: is an Excel 97-2003 workbook (.xls) named like an .xlsx; open it in Excel "
        "and save it as .xlsx (Excel Workbook)"
    )
    text = tmp_path / "leads.xlsx"
    text.write_text("name,email\n")
    assert error(opened, text) == (
        "leads.xlsx: is not an .xlsx workbook (it is not a ZIP package); it may be damaged, "
        "or another kind of file renamed to .xlsx"
    )
    assert error(opened, tmp_path / "gone.xlsx").startswith("gone.xlsx: file not found at ")
    assert error(opened, tmp_path) == f"{tmp_path.name}: is a directory, not a .csv or .xlsx file"


def test_binary_workbooks_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsb"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="xl/workbook.bin" Type="http://schemas.openxmlformats.'
            'org/officeDocument/2006/relationships/officeDocument"/></Relationships>',
        )
        package.writestr("xl/workbook.bin", b"\x83\x01\x00")
    assert error(opened, path) == (
        "leads.xlsb: is an Excel Binary Workbook (.xlsb), which the runner cannot write; "
        "open it in Excel and save it as .xlsx (Excel Workbook)"
    )


@pytest.mark.parametrize(
    ("part", "old", "new", "detail"),
    [
        ("_rels/.rels", b"officeDocument", b"other", "_rels/.rels names no workbook part"),
        ("xl/workbook.xml", b"<sheets>", b"<sheets", "part xl/workbook.xml is not well-formed XML"),
        (
            "[Content_Types].xml",
            b"spreadsheetml.worksheet+xml",
            b"spreadsheetml.chartsheet+xml",
            "xl/worksheets/sheet1.xml is not declared a worksheet in [Content_Types].xml",
        ),
    ],
)
def test_damaged_packages(tmp_path: Path, part: str, old: bytes, new: bytes, detail: str) -> None:
    path = tmp_path / "leads.xlsx"
    minimal_book(path, sheet_xml(""))
    with zipfile.ZipFile(path) as source:
        parts = {n: source.read(n) for n in source.namelist()}
    parts[part] = parts[part].replace(old, new)
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    assert error(opened, path).startswith(
        f"leads.xlsx: cannot be read as an .xlsx workbook ({detail}"
    )


def test_a_workbook_without_worksheets(tmp_path: Path) -> None:
    path = tmp_path / "charts.xlsx"
    minimal_book(path, sheet_xml(""))
    with zipfile.ZipFile(path) as source:
        parts = {n: source.read(n) for n in source.namelist()}
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"relationships/worksheet", b"relationships/chartsheet"
    )
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    assert error(lambda: Package(path).sheet(None)) == "charts.xlsx: has no worksheets"


@pytest.mark.parametrize(
    ("source", "target", "part"),
    [
        ("xl/workbook.xml", "worksheets/sheet1.xml", "xl/worksheets/sheet1.xml"),
        ("xl/workbook.xml", "/xl/worksheets/sheet1.xml", "xl/worksheets/sheet1.xml"),
        ("xl/worksheets/sheet1.xml", "../tables/table1.xml", "xl/tables/table1.xml"),
        ("", "xl/workbook.xml", "xl/workbook.xml"),
        ("xl/workbook.xml", "worksheets/My%20Sheet.xml", "xl/worksheets/My Sheet.xml"),
    ],
)
def test_relationship_targets(source: str, target: str, part: str) -> None:
    assert resolve(source, target) == part

"""What a worksheet says besides its values: rows hidden by a filter or by hand, links, Tables
and the filter, read in one pass whose memory does not grow with the sheet."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from runner.sheet.refs import Area
from runner.sheet.tables import TablePart
from runner.sheet.xlsxfacts import read_facts
from tests.support.excelbook import (
    PEOPLE,
    RT,
    Variant,
    leads_book,
    minimal_book,
    sheet_xml,
)
from tests.support.sheet import error

EXTERNAL = 'TargetMode="External"'
COMPUTED = 'HYPERLINK("https://www.linkedin.com/in/"&MID(C9,29,99),A9)'


@pytest.mark.parametrize(
    "variant",
    [Variant(), Variant(prefix="x:"), Variant(prefix="x:", omit_refs=True, cdata=True)],
    ids=["excel", "prefix", "prefix-no-refs-cdata"],
)
def test_the_leads_sheet(tmp_path: Path, variant: Variant) -> None:
    path = tmp_path / "leads.xlsx"
    leads_book(path, variant)
    facts = read_facts(path, None)
    assert facts.title == "Leads"  # Lookup comes first but is hidden
    assert (facts.filtered_rows, facts.hidden_rows) == ({5}, {11})
    urls = [person[2] for person in PEOPLE]
    assert facts.links == {
        # Cell hyperlinks in C2:C4 (C5 links inside the workbook: no URL)...
        **{(row, 2): urls[row - 2] for row in (2, 3, 4)},
        # ...and HYPERLINK formulas in G2:G8.
        **{(row, 6): urls[row - 2] for row in range(2, 9)},
    }
    assert facts.unresolved_links == {(9, 6): COMPUTED}
    assert (facts.tables, facts.autofilter) == ((), Area(0, 1, 6, 9))


def test_a_tables_filter_hides_rows_too(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    leads_book(path)
    facts = read_facts(path, "contacts")
    assert (facts.title, facts.filtered_rows, facts.hidden_rows) == ("Contacts", {3}, set())
    assert facts.tables == (
        TablePart(
            part="xl/tables/table1.xml",
            name="Contacts",
            ref=Area(0, 1, 2, 6),
            header_rows=1,
            totals_rows=1,
            columns=("Name", "Email", "Amount"),
            ids=(1, 2, 3),
            filter_ref=Area(0, 1, 2, 5),
            filtered=True,
            kind="worksheet",
        ),
    )
    assert facts.autofilter is None


def test_a_filter_without_criteria_hides_nothing(tmp_path: Path) -> None:
    rows = '<row r="1"/><row r="2" hidden="1"/><row r="3" hidden="true"/><row r="4"/>'
    # A filterColumn that only hides its button sets no condition.
    tail = '<autoFilter ref="A1:B4"><filterColumn colId="0" hiddenButton="1"/></autoFilter>'
    path = tmp_path / "leads.xlsx"
    minimal_book(path, sheet_xml(rows, tail=tail))
    facts = read_facts(path, None)
    assert (facts.filtered_rows, facts.hidden_rows) == (set(), {2, 3})


def test_hyperlink_formulas(tmp_path: Path) -> None:
    formulas = [
        'HYPERLINK("https://a.example/?q=""x""","a")',  # "" is a quote in the URL
        '_xlfn.HYPERLINK( "https://b.example" )',
        'hyperlink("https://c.example",B2)',
        "HYPERLINK(B2)",
        'IF(B2="","",HYPERLINK("https://d.example"))',
        "SUM(1,2)",
    ]
    cells = "".join(
        f'<c r="{chr(65 + i)}2" t="str"><f>{f.replace("&", "&amp;")}</f><v>x</v></c>'
        for i, f in enumerate(formulas)
    )
    shared = (
        '<row r="3"><c r="A3" t="str"><f t="shared" ref="A3:A5" si="0">HYPERLINK("https://e.example",B3)</f>'
        '<v>e</v></c></row><row r="4"><c r="A4" t="str"><f t="shared" si="0"/><v>e</v></c></row>'
        '<row r="5"><c t="str"><f t="shared" si="0"/><v>e</v></c></row>'
    )
    path = tmp_path / "leads.xlsx"
    minimal_book(path, sheet_xml(f'<row r="2">{cells}</row>{shared}'))
    facts = read_facts(path, None)
    assert facts.links == {
        (2, 0): 'https://a.example/?q="x"',
        (2, 1): "https://b.example",
        (2, 2): "https://c.example",
        (3, 0): "https://e.example",
        (4, 0): "https://e.example",  # a shared formula's copies link where it does
        (5, 0): "https://e.example",
    }
    assert facts.unresolved_links == {(2, 3): formulas[3], (2, 4): formulas[4]}


def test_a_hyperlink_over_a_range_and_one_with_a_fragment(tmp_path: Path) -> None:
    rows = "".join(f'<row r="{n}"><c r="A{n}"/><c r="B{n}"/></row>' for n in (1, 2, 3))
    tail = (
        '<hyperlinks><hyperlink ref="B1:C3" r:id="rId1"/><hyperlink ref="A2" r:id="rId2" '
        'location="part"/><hyperlink ref="A3" r:id="rId3"/></hyperlinks>'
    )
    rels = (
        f'<Relationship Id="rId1" Type="{RT}hyperlink" Target="https://x.example/" {EXTERNAL}/>'
        f'<Relationship Id="rId2" Type="{RT}hyperlink" Target="https://y.example/" {EXTERNAL}/>'
        f'<Relationship Id="rId3" Type="{RT}worksheet" Target="sheet1.xml"/>'
    )
    path = tmp_path / "leads.xlsx"
    minimal_book(path, sheet_xml(rows, tail=tail), sheet_rels=rels)
    facts = read_facts(path, None)
    # The range covers only the cells the sheet uses: column C holds none.
    assert facts.links == {
        (1, 1): "https://x.example/",
        (2, 1): "https://x.example/",
        (3, 1): "https://x.example/",
        (2, 0): "https://y.example/#part",
    }


def test_strict_workbooks(tmp_path: Path) -> None:
    path = tmp_path / "strict.xlsx"
    minimal_book(path, sheet_xml('<row r="1"/><row r="2" hidden="1"/>'), strict=True)
    assert read_facts(path, "Leads").hidden_rows == {2}


def test_a_sheet_that_is_not_well_formed(tmp_path: Path) -> None:
    # The byte scan does not parse the rows (calamine does, then openpyxl: see test_xlsx);
    # a sheet it does not trust, here for its comment, is parsed, and its faults show.
    path = tmp_path / "leads.xlsx"
    minimal_book(path, sheet_xml('<row r="1"><!-- a comment --><c r="A1"></row>'))
    assert error(read_facts, path, None).startswith(
        "leads.xlsx: cannot be read as an .xlsx workbook (xl/worksheets/sheet1.xml is not "
        "well-formed XML: "
    )


# VmHWM is the process's own peak (ru_maxrss would start at pytest's, inherited through fork).
MEASURE = """
import sys
from pathlib import Path
from runner.sheet.xlsxfacts import read_facts
facts = read_facts(Path(sys.argv[1]), None)
assert len(facts.hidden_rows) == int(sys.argv[2])
with open("/proc/self/status") as status:
    print(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
"""


def peak_kib(path: Path, hidden: int) -> int:
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path), str(hidden)],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(result.stdout)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's VmHWM")
def test_memory_does_not_grow_with_the_sheet(tmp_path: Path) -> None:
    def book(path: Path, count: int) -> None:
        cells = (
            '<c r="A{0}" t="inlineStr"><is><t>someone {0}</t></is></c><c r="B{0}"><v>{0}</v></c>'
        )
        hidden = ' hidden="1"'
        rows = "".join(
            f'<row r="{n}"{hidden if n % 1000 == 0 else ""}>{cells.format(n)}</row>'
            for n in range(1, count + 1)
        )
        minimal_book(path, sheet_xml(rows))

    small, large = tmp_path / "small.xlsx", tmp_path / "large.xlsx"
    book(small, 2_000)
    book(large, 300_000)  # about 30 MB of XML: a parsed tree of it would take hundreds of MB
    assert peak_kib(large, 300) - peak_kib(small, 2) < 25_000

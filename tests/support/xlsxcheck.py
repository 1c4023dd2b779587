"""Ways to look at a written workbook: its cells as the XML holds them, as openpyxl reads them
(value and style), and as LibreOffice converts them to CSV."""

from __future__ import annotations

import csv
import shutil
import subprocess
import warnings
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from lxml import etree

from runner.sheet.refs import cell_name, parse_cell

CellXml = tuple[str | None, str | None, str | None, str | None]  # t, s, text, formula


def xml_cells(data: bytes) -> dict[str, CellXml]:
    """Every `<c>` of a worksheet part by reference (following rows and cells without `r`)."""
    root = etree.fromstring(data)
    found: dict[str, CellXml] = {}
    number = 0
    for row in root.iter("{*}row"):
        number = int(row.get("r") or number + 1)
        col = -1
        for cell in row.iterchildren("{*}c"):
            ref = parse_cell(cell.get("r") or "")
            col = ref[1] if ref else col + 1
            value = cell.find("{*}v")
            inline = cell.find("{*}is")
            formula = cell.find("{*}f")
            text = value.text if value is not None else None
            if inline is not None:
                text = "".join(t.text or "" for t in inline.iter("{*}t"))
            found[cell_name(number, col)] = (
                cell.get("t"),
                cell.get("s"),
                text,
                formula.text if formula is not None else None,
            )
    return found


def load(path: Path, **options: Any) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        # openpyxl warns of what it drops (sparklines...); the patch is what keeps them.
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path, **options)


def openpyxl_cells(path: Path) -> dict[tuple[str, str], tuple[Any, ...]]:
    """(sheet, cell) -> value, type and every style openpyxl reads, for every cell."""
    book = load(path)
    found = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                style = (cell.font, cell.fill, cell.border, cell.alignment, cell.protection)
                found[(sheet.title, cell.coordinate)] = (
                    cell.value,
                    cell.data_type,
                    cell.number_format,
                    *(repr(s) for s in style),
                )
    return found


def libreoffice_csv(path: Path, folder: Path) -> dict[str, list[list[str]]]:
    """Every sheet of `path` as LibreOffice converts it to CSV (UTF-8), by sheet name."""
    return libreoffice_csvs([path], folder)[path.stem]


def libreoffice_csvs(paths: list[Path], folder: Path) -> dict[str, dict[str, list[list[str]]]]:
    """`libreoffice_csv` of each of `paths` (by file stem), in one LibreOffice run."""
    # 76 = UTF-8; the last option, -1, writes every sheet to its own file.
    options = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    output = libreoffice_convert(paths, folder, options)
    books = {}
    for path in paths:
        sheets = {}
        for file in folder.glob(f"{path.stem}-*.csv"):
            with open(file, newline="", encoding="utf-8") as handle:
                sheets[file.stem[len(path.stem) + 1 :]] = list(csv.reader(handle))
        assert sheets, output
        books[path.stem] = sheets
    return books


def libreoffice_convert(paths: list[Path], folder: Path, to: str) -> str:
    """Convert `paths` into `folder` with LibreOffice (`to`: "pdf", "png", a CSV filter...);
    what it said. Skips the test where LibreOffice is not installed."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not on PATH; the conversion check needs it")
    folder.mkdir(parents=True, exist_ok=True)
    profile = (folder / "profile").absolute().as_uri()
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            to,
            "--outdir",
            str(folder),
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        timeout=180 + 30 * len(paths),
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout + result.stderr

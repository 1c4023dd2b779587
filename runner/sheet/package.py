"""A workbook as the ZIP package it is: its parts, their relationships, and its worksheets.

Opening refuses, with a line that says what to do, what the runner cannot patch: a file that is
not a ZIP (an encrypted workbook is an OLE compound file; so is an .xls), and an .xlsb. Both
flavours of the format are read: "transitional" (what Excel writes by default) and "strict"
(Excel's "Strict Open XML" option), which differ only in their namespaces.

A worksheet is found the way Excel finds it: `<sheet r:id>` in the workbook part, through the
workbook's relationships to its part; part names are never guessed.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote

from lxml import etree

from ..errors import SheetError
from .grid import check_file, unreadable_file

# The main namespace: transitional, strict.
MAIN = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
# The namespace of r:id attributes and the prefix of relationship types, in the same order.
RELS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)
_PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")  # the stream an encrypted workbook holds
# What reading a damaged entry raises: a bad CRC, a broken deflate stream, a cut file, an
# unknown compression method, an encrypted entry.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError)
# No DTDs, no entities, no network: a workbook part never needs them.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def tags(local: str) -> frozenset[str]:
    """An element's name in either flavour, as lxml spells it: {namespace}local."""
    return frozenset(f"{{{ns}}}{local}" for ns in MAIN)


def rel_type(rel: str, kind: str) -> bool:
    """Whether relationship type `rel` is `kind` ("worksheet", "table", ...), in either flavour."""
    return any(rel == f"{ns}/{kind}" for ns in RELS)


@dataclass(frozen=True)
class Relationship:
    type: str
    target: str  # a part name inside the package, or the URL of an external target
    external: bool


@dataclass(frozen=True)
class SheetPart:
    """A worksheet: its title, its part, its place in `<sheets>` (a defined name's
    localSheetId), its sheetId (the calculation chain's `i`) and whether it is hidden."""

    title: str
    part: str
    index: int
    sheet_id: str
    state: str


class Package:
    """An open workbook package; use as a context manager, or call `close`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name
        self.zip = _open_zip(path)
        try:
            self.parts = {info.filename: info for info in self.zip.infolist()}
            self._folded = {name.casefold(): name for name in self.parts}
            self._types: Any = None
            self.workbook = self._main_part()
            self.sheets = self._worksheets()
        except BaseException:
            self.zip.close()
            raise

    def __enter__(self) -> Package:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self.zip.close()

    def damaged(self, detail: str) -> SheetError:
        return SheetError(
            f"{self.name}: cannot be read as an .xlsx workbook ({detail}); it may be damaged, "
            "or another kind of file renamed to .xlsx"
        )

    def part_name(self, name: str) -> str | None:
        """The entry holding part `name`: part names are case-insensitive in a package."""
        return name if name in self.parts else self._folded.get(name.casefold())

    def read(self, part: str) -> bytes:
        entry = self.part_name(part)
        if entry is None:
            raise self.damaged(f"part {part} is missing")
        try:
            return self.zip.read(entry)
        except OSError as err:
            raise unreadable_file(self.path, err) from err
        except (*ZIP_ERRORS, ValueError) as err:
            raise self.damaged(f"part {part}: {err}") from err

    def xml(self, part: str) -> Any:
        """Part `part` parsed (lxml element)."""
        try:
            return etree.fromstring(self.read(part), _PARSER)
        except etree.XMLSyntaxError as err:
            raise self.damaged(f"part {part} is not well-formed XML: {err}") from err

    def rels(self, part: str) -> dict[str, Relationship]:
        """The relationships of `part` by id; internal targets as part names."""
        folder, name = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", f"{name}.rels")
        if self.part_name(rels_part) is None:
            return {}
        found = {}
        for rel in self.xml(rels_part).iter(_PACKAGE_RELS):
            target, external = rel.get("Target", ""), rel.get("TargetMode") == "External"
            if not external:
                target = resolve(part, target)
            found[rel.get("Id", "")] = Relationship(rel.get("Type", ""), target, external)
        return found

    def content_type(self, part: str) -> str:
        if self._types is None:
            self._types = self.xml("[Content_Types].xml")
        types = self._types
        for override in types.iter(f"{_TYPES}Override"):
            if unquote(override.get("PartName", "")).lstrip("/").casefold() == part.casefold():
                return str(override.get("ContentType", ""))
        extension = posixpath.splitext(part)[1][1:].casefold()
        for default in types.iter(f"{_TYPES}Default"):
            if default.get("Extension", "").casefold() == extension:
                return str(default.get("ContentType", ""))
        return ""

    def sheet(self, title: str | None) -> SheetPart:
        """Worksheet `title` (case-insensitively if no exact match), or for None the first one a
        person sees: a hidden one (old data, lookups) is not the campaign."""
        sheets = self.sheets
        if not sheets:
            raise SheetError(f"{self.name}: has no worksheets")
        if title is None:
            return next((s for s in sheets if s.state == "visible"), sheets[0])
        for match in (lambda t: t == title, lambda t: t.casefold() == title.casefold()):
            for sheet in sheets:
                if match(sheet.title):
                    return sheet
        titles = ", ".join(f'"{sheet.title}"' for sheet in sheets)
        raise SheetError(f'{self.name}: no sheet named "{title}"; its sheets are {titles}')

    def _main_part(self) -> str:
        if self.part_name("_rels/.rels") is None:
            raise self.damaged("it has no _rels/.rels")
        main = next(
            (r.target for r in self.rels("").values() if rel_type(r.type, "officeDocument")),
            None,
        )
        if main is None:
            raise self.damaged("_rels/.rels names no workbook part")
        if main.casefold().endswith(".bin"):
            raise SheetError(
                f"{self.name}: is an Excel Binary Workbook (.xlsb), which the runner cannot "
                "write; open it in Excel and save it as .xlsx (Excel Workbook)"
            )
        return main

    def _worksheets(self) -> tuple[SheetPart, ...]:
        root = self.xml(self.workbook)
        if root.tag not in tags("workbook"):
            raise self.damaged(f"{self.workbook} is not a workbook part")
        rels = self.rels(self.workbook)
        found = []
        for index, sheet in enumerate(root.iter(*tags("sheet"))):
            rid = next((sheet.get(f"{{{ns}}}id") for ns in RELS if sheet.get(f"{{{ns}}}id")), "")
            rel = rels.get(rid)
            if rel is None or not rel_type(rel.type, "worksheet"):
                continue  # a chart sheet, dialog sheet or macro sheet holds no rows
            part = self.part_name(rel.target)
            if part is None:
                raise self.damaged(f'the part of sheet "{sheet.get("name")}" is missing')
            if self.content_type(part) != _WORKSHEET_TYPE:
                raise self.damaged(f"{part} is not declared a worksheet in [Content_Types].xml")
            state = sheet.get("state", "visible")
            found.append(
                SheetPart(sheet.get("name", ""), part, index, sheet.get("sheetId", ""), state)
            )
        return tuple(found)


def resolve(source: str, target: str) -> str:
    """The part a relationship of part `source` points at: targets are relative to the
    source's folder, or absolute from the package root; either may be percent-encoded."""
    target = unquote(target)
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(source), target))
    return joined.lstrip("/") if joined != "." else ""


def _open_zip(path: Path) -> zipfile.ZipFile:
    check_file(path)
    try:
        with open(path, "rb") as file:
            head = file.read(8)
            if head == _OLE_MAGIC:
                raise _ole_refusal(path, file)
        return zipfile.ZipFile(path)
    except OSError as err:
        raise unreadable_file(path, err) from err
    except zipfile.BadZipFile as err:
        raise SheetError(
            f"{path.name}: is not an .xlsx workbook (it is not a ZIP package); it may be "
            "damaged, or another kind of file renamed to .xlsx"
        ) from err
    except (*ZIP_ERRORS, ValueError) as err:
        raise SheetError(
            f"{path.name}: cannot be read as an .xlsx workbook ({err}); it may be damaged, "
            "or another kind of file renamed to .xlsx"
        ) from err


def _ole_refusal(path: Path, file: Any) -> SheetError:
    """An OLE compound file is either an encrypted workbook or an old .xls."""
    file.seek(0)
    tail = b""
    while chunk := file.read(1 << 20):
        if _ENCRYPTED in tail + chunk:
            return SheetError(
                f"{path.name}: is password-protected (encrypted); save a copy without a password"
            )
        tail = chunk[-len(_ENCRYPTED) :]
    return SheetError(
        f"{path.name}: is an Excel 97-2003 workbook (.xls) named like an .xlsx; open it in "
        "Excel and save it as .xlsx (Excel Workbook)"
    )

"""The workbook's styles part: the cell formats the runner's cells take, appended to it.

A cell's `s` indexes `<cellXfs>`; each `<xf>` there points into `<fonts>`, `<fills>` and the
other lists. A format the runner asks for is made from one the cell would have anyway (its own,
or its row's or column's) with bold, a font colour or a solid fill set. Each font, fill and xf
is first looked for among those the part holds, by content (an earlier write appended it, or the
workbook has the same), and appended only when missing: no existing index moves, and writing the
same statuses again adds nothing.

The part is parsed and written back with lxml, which keeps its namespaces, `mc:Ignorable` and
extensions (`x14ac:knownFonts`, `extLst`) as they are; only the lists appended to and their
`count`s change, and a part nothing is appended to is not written at all. A workbook without a
styles part gets one (with its content type and relationship): the least Excel accepts, and the
runner's formats after it.
"""

from __future__ import annotations

import copy
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from .bookparts import add_content_type, add_relationship
from .package import MAIN, RELS, Package, rel_type

STYLES_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
# The lists of a stylesheet in the order the schema fixes (a missing one is made at its place).
_ORDER = (
    "numFmts",
    "fonts",
    "fills",
    "borders",
    "cellStyleXfs",
    "cellXfs",
    "cellStyles",
    "dxfs",
    "tableStyles",
    "colors",
    "extLst",
)
_ITEM = {"fonts": "font", "fills": "fill", "cellXfs": "xf"}
# The least a list must hold before the runner's items: Excel takes fills 0 and 1 to be "none"
# and "gray125" whatever they say, and index 0 of fonts and cellXfs is every plain cell's.
_FIRST = {
    "fonts": (
        '<font><sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/>'
        '<scheme val="minor"/></font>',
    ),
    "fills": (
        '<fill><patternFill patternType="none"/></fill>',
        '<fill><patternFill patternType="gray125"/></fill>',
    ),
    "cellXfs": ('<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',),
}
_MINIMAL = (
    '<styleSheet xmlns="{ns}"><fonts count="1">{font}</fonts><fills count="2">{fills}</fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1">{xf}</cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@dataclass(frozen=True)
class Format:
    """What the runner sets on a format: bold, a font colour, a solid fill (colours as ARGB
    hex, "FF006100")."""

    bold: bool = False
    colour: str | None = None
    fill: str | None = None


class Stylesheet:
    """The styles part of an open package, as the runner adds formats to it."""

    def __init__(self, package: Package) -> None:
        rels = package.rels(package.workbook)
        found = next(
            (
                (rid, rel.target)
                for rid, rel in rels.items()
                if rel_type(rel.type, "styles") and not rel.external
            ),
            None,
        )
        self.rid = found[0] if found else None
        self.part = found[1] if found else _free_name(package)
        self.exists = package.part_name(self.part) is not None
        if self.exists:
            self.root = package.xml(self.part)
        else:
            book = package.xml(package.workbook)
            self.root = _minimal(etree.QName(book).namespace or MAIN[0])
        self.ns = etree.QName(self.root).namespace or MAIN[0]
        self.changed = False
        self._keys: dict[str, dict[tuple[Any, ...], int]] = {}
        self._made: dict[tuple[int, Format], int] = {}

    def index(self, base: int, fmt: Format) -> int:
        """The cellXfs index of format `base` with `fmt` set, appended if the part lacks it."""
        made = self._made.get((base, fmt))
        if made is not None:
            return made
        xfs = self._items("cellXfs")
        xf = copy.deepcopy(xfs[base] if 0 <= base < len(xfs) else xfs[0])
        xf.tail = None
        if fmt.bold or fmt.colour:
            fonts = self._items("fonts")
            font_id = _number(xf.get("fontId"))
            font = copy.deepcopy(fonts[font_id] if font_id < len(fonts) else fonts[0])
            font.tail = None
            if fmt.bold:
                self._set_bold(font)
            if fmt.colour:
                self._set_colour(font, fmt.colour)
            xf.set("fontId", str(self._find_or_append("fonts", font)))
            xf.set("applyFont", "1")
        if fmt.fill:
            xf.set("fillId", str(self._find_or_append("fills", self._solid(fmt.fill))))
            xf.set("applyFill", "1")
        made = self._find_or_append("cellXfs", xf)
        self._made[(base, fmt)] = made
        return made

    def parts(self, package: Package, changed: Mapping[str, bytes]) -> dict[str, bytes]:
        """The parts to write for the formats appended (none when nothing was): the styles
        part, and for a new one the content types and the workbook's relationships (on top of
        their `changed` bytes, where the write changes them already)."""
        if not self.changed:
            return {}
        tree = self.root.getroottree()
        standalone = tree.docinfo.standalone if self.exists else True
        data = etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=standalone)
        out = {self.part: data}
        if self.exists:
            return out
        if package.content_type(self.part) != STYLES_TYPE:
            types = changed.get("[Content_Types].xml") or package.read("[Content_Types].xml")
            out["[Content_Types].xml"] = add_content_type(types, self.part, STYLES_TYPE)
        if self.rid is None:
            folder, name = posixpath.split(package.workbook)
            rels_part = posixpath.join(folder, "_rels", f"{name}.rels")
            rels = changed.get(rels_part) or package.read(rels_part)
            flavour = RELS[MAIN.index(self.ns)] if self.ns in MAIN else RELS[0]  # strict or not
            target = posixpath.relpath(self.part, folder or ".")
            taken = set(package.rels(package.workbook))
            rid = next(f"rId{n}" for n in range(1, len(taken) + 2) if f"rId{n}" not in taken)
            out[rels_part] = add_relationship(rels, rid, f"{flavour}/styles", target)
        return out

    # The lists -------------------------------------------------------------------------------

    def _tag(self, local: str) -> str:
        return f"{{{self.ns}}}{local}"

    def _list(self, name: str) -> Any:
        """The list element `name`, made at its place in the schema's order if missing."""
        found = self.root.find(self._tag(name))
        if found is not None:
            return found
        later = _ORDER[_ORDER.index(name) + 1 :]
        after = next(
            (c for c in self.root if isinstance(c.tag, str) and etree.QName(c).localname in later),
            None,
        )
        made = etree.Element(self._tag(name))
        if after is None:
            self.root.append(made)
        else:
            after.addprevious(made)
        return made

    def _items(self, name: str) -> list[Any]:
        """The items of list `name`, with at least those every workbook needs (see _FIRST)."""
        listing = self._list(name)
        items = listing.findall(self._tag(_ITEM[name]))
        if len(items) < len(_FIRST[name]):
            defaults = _minimal(self.ns).find(self._tag(name)).findall(self._tag(_ITEM[name]))
            for item in defaults[len(items) :]:
                self._append(listing, item, items)
            self._keys.pop(name, None)
        return items

    def _find_or_append(self, name: str, item: Any) -> int:
        items = self._items(name)
        keys = self._keys.get(name)
        if keys is None:
            keys = {}
            for i, existing in enumerate(items):
                keys.setdefault(_key(existing), i)
            self._keys[name] = keys
        key = _key(item)
        if key not in keys:
            keys[key] = len(items)
            self._append(self._list(name), item, items)
        return keys[key]

    def _append(self, listing: Any, item: Any, items: list[Any]) -> None:
        listing.append(item)  # after every item (and any comment), so no index moves
        items.append(item)
        listing.set("count", str(len(items)))
        self.changed = True

    # The items -------------------------------------------------------------------------------

    def _set_bold(self, font: Any) -> None:
        bold = font.find(self._tag("b"))
        if bold is None:
            font.insert(0, etree.Element(self._tag("b")))
        else:
            bold.attrib.pop("val", None)  # `<b val="0"/>` is not bold; `<b/>` is

    def _set_colour(self, font: Any, argb: str) -> None:
        colour = font.find(self._tag("color"))
        if colour is None:
            colour = etree.Element(self._tag("color"))
            # Where Excel writes it: before the font's name and family.
            names = [self._tag(n) for n in ("name", "family", "charset", "scheme")]
            after = next((c for c in font if c.tag in names), None)
            if after is None:
                font.append(colour)
            else:
                after.addprevious(colour)
        colour.attrib.clear()
        colour.set("rgb", argb)

    def _solid(self, argb: str) -> Any:
        """A solid fill of colour `argb`, as Excel writes one."""
        fill = etree.Element(self._tag("fill"))
        pattern = etree.SubElement(fill, self._tag("patternFill"), patternType="solid")
        etree.SubElement(pattern, self._tag("fgColor"), rgb=argb)
        etree.SubElement(pattern, self._tag("bgColor"), indexed="64")
        return fill


def _key(element: Any) -> tuple[Any, ...]:
    """What makes two items the same: names, attributes (in any order), text, children."""
    children = tuple(_key(c) for c in element if isinstance(c.tag, str))
    text = (element.text or "").strip()
    return (element.tag, tuple(sorted(element.attrib.items())), text, children)


def _number(value: str | None) -> int:
    return int(value) if value is not None and value.isdigit() else 0


def _minimal(ns: str) -> Any:
    text = _MINIMAL.format(
        ns=ns, font=_FIRST["fonts"][0], fills="".join(_FIRST["fills"]), xf=_FIRST["cellXfs"][0]
    )
    return etree.fromstring(text.encode(), _PARSER)


def _free_name(package: Package) -> str:
    """A name for a new styles part beside the workbook part that no entry has."""
    folder = posixpath.dirname(package.workbook)
    names = (posixpath.join(folder, f"styles{n or ''}.xml") for n in range(len(package.parts) + 1))
    return next(name for name in names if package.part_name(name) is None)

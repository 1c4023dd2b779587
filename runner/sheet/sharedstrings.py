"""The shared strings calamine reads differently from openpyxl, and openpyxl's text of them.

calamine trims the text of a `<t>` that does not preserve its spaces, reads `_x000D_` as the
character it encodes, and joins a string's pieces in the order they are written; openpyxl keeps
the spaces, leaves `_x000D_` as written (it only drops `x005F_`) and puts the plain text before
the rich runs. Most strings are plain text where the two agree; those where they may not are
found by searching the part's bytes, and the cells holding them read again (see sheetscan).
"""

from __future__ import annotations

import posixpath
import re
from bisect import bisect_right
from collections.abc import Sequence

from lxml import etree
from openpyxl.cell.text import Text

from .cellformats import Unsure
from .package import Package

_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_ROOT = re.compile(rb"<(?:([\w.-]+):)?sst\b[^>]*>")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


class SharedStrings(Sequence[str]):
    """The shared strings part of `package` (the one both readers read), as bytes."""

    def __init__(self, package: Package) -> None:
        entry = _entry(package)
        self.data = package.read(entry) if entry else b""
        root = _ROOT.search(self.data)
        if self.data and root is None:
            raise Unsure("the shared strings part has no <sst>")
        self.root = root[0] if root else b""
        self.prefix = (root[1] + b":") if root and root[1] else b""
        self._starts: list[int] | None = None
        self._texts: dict[int, str] = {}

    def risky(self) -> frozenset[int]:
        """The strings calamine may read otherwise than openpyxl (a superset: it errs on the
        side of reading a string again)."""
        data, p = self.data, re.escape(self.prefix)
        if not data:
            return frozenset()
        root_end = data.index(self.root) + len(self.root)
        if b"<!" in data[root_end:]:  # (a comment before the root is harmless)
            raise Unsure("comments or CDATA in the shared strings")
        patterns = (
            rb"_x00",
            rb"x005F_",
            b"<" + p + rb't(?:>(?:[\s&]|[^<]*[\s;]</)|\s(?!xml:space="preserve">))',
            b"</" + p + rb"(?:t|r|rPh)>\s*<" + p + rb"t[\s>]",
        )
        hits = sorted(m.start() for pattern in patterns for m in re.finditer(pattern, data))
        if not hits:
            return frozenset()
        starts = self.starts()
        return frozenset(bisect_right(starts, hit) - 1 for hit in hits)

    def starts(self) -> list[int]:
        if self._starts is None:
            found = re.finditer(b"<" + re.escape(self.prefix) + rb"si[\s/>]", self.data)
            self._starts = [m.start() for m in found]
        return self._starts

    def __len__(self) -> int:
        return len(self.starts())

    def __getitem__(self, index: int) -> str:  # type: ignore[override]
        """String `index` as openpyxl reads it (`read_string_table`)."""
        if index not in self._texts:
            starts = self.starts()
            end = starts[index + 1] if index + 1 < len(starts) else self.data.rindex(b"</")
            xml = self.root + self.data[starts[index] : end] + b"</" + self.prefix + b"sst>"
            try:
                node = etree.fromstring(xml, _PARSER)[0]
            except etree.XMLSyntaxError as err:
                raise Unsure(f"a shared string is not well-formed XML ({err})") from err
            self._texts[index] = Text.from_tree(node).content.replace("x005F_", "")
        return self._texts[index]


def _entry(package: Package) -> str | None:
    """The part both readers take for the shared strings; Unsure when they take different
    ones. openpyxl takes the first the content types list (by that exact name); calamine
    `sharedStrings.xml` beside the workbook part (in any case)."""
    types = package.xml("[Content_Types].xml")
    listed = next(
        (
            o.get("PartName", "")[1:]
            for o in types.iter("{*}Override")
            if o.get("ContentType") == _TYPE
        ),
        None,
    )
    beside = package.part_name(
        posixpath.join(posixpath.dirname(package.workbook), "sharedStrings.xml")
    )
    if listed is None and beside is None:
        return None
    if listed is None or listed not in package.parts or listed != beside:
        raise Unsure("openpyxl and calamine would read different shared strings")
    return listed

"""What follows a worksheet's `<sheetData>` (filters, merged cells, links, drawings...), as the
streaming rewrite (sheetstream) hands it to the package layer, which patches it according to
the Tables found in other parts."""

from __future__ import annotations

from dataclasses import dataclass

from .refs import Area, parse_area
from .xmlscan import attributes, local, set_attribute, text_of, tokens


@dataclass(frozen=True)
class Tail:
    """What follows `<sheetData>`: its bytes, the sheet's `<autoFilter>`, the merged cells."""

    data: bytes
    autofilter: tuple[int, int, Area] | None  # the start tag's span in `data`, its ref
    merges: tuple[Area, ...]

    def with_filter(self, area: Area) -> bytes:
        assert self.autofilter is not None
        start, end, _ = self.autofilter
        tag = set_attribute(self.data[start:end], b"ref", str(area))
        return self.data[:start] + tag + self.data[end:]


def read_tail(data: bytes) -> Tail:
    """What follows `<sheetData>` in `data`, its filter and merged cells found."""
    autofilter = None
    merges = []
    depth, parent = 1, b""
    for token in tokens(data, 0, "the worksheet"):
        if token["end"] is not None:
            depth -= 1
            continue
        if token["name"] is None:
            continue
        name = local(token["name"])
        if depth == 1:
            parent = name
            if name == b"autoFilter":
                area = parse_area(text_of(attributes(token[0]).get(b"ref", b"")))
                autofilter = (token.start(), token.end(), area) if area else None
        elif depth == 2 and parent == b"mergeCells" and name == b"mergeCell":
            area = parse_area(text_of(attributes(token[0]).get(b"ref", b"")))
            if area is not None:
                merges.append(area)
        depth += 0 if token["empty"] else 1
    return Tail(data, autofilter, tuple(merges))

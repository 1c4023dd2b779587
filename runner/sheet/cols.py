"""The worksheet's `<cols>`: the style it gives the runner's columns, and widths for those it
leaves without.

`<col min="3" max="5" width="12" style="6" customWidth="1"/>` sets the width and the style of
columns C to E (`min` and `max` 1-based). A new cell in a column takes the column's style, as
in Excel. The runner adds a `<col>` for each of its columns no `<col>` covers, placed among the
others in column order; a column the sheet already sizes, the user's or the runner's from an
earlier write, is left as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .xmlscan import Damaged, attributes, local, prefix_of, tokens


def col_styles(element: bytes, columns: Iterable[int]) -> dict[int, bytes]:
    """The style `<cols>` (the whole element) gives each of `columns` (0-based) that has one."""
    styles = {}
    for first, last, attrs in _cols(element):
        style = attrs.get(b"style")
        if style is not None and style != b"0":
            styles.update({col: style for col in columns if first <= col + 1 <= last})
    return styles


def widen_cols(element: bytes, widths: Mapping[int, float]) -> bytes:
    """`<cols>` (the whole element) with a `<col>` of width `widths[col]` for each column (0-based)
    no `<col>` covers yet."""
    spans = [(first, last) for first, last, _ in _cols(element)]
    missing = sorted(c for c in widths if not any(a <= c + 1 <= b for a, b in spans))
    if not missing:
        return element
    start = next(tokens(element, 0, "<cols>"))
    prefix = prefix_of(start["name"])
    if start["empty"]:  # <cols/>: no <col> to place them among
        return new_cols(prefix, {c: widths[c] for c in missing})
    pieces, last = [], 0
    for token in tokens(element, start.end(), "<cols>"):
        place = token.start()
        if token["name"] is not None and local(token["name"]) == b"col":
            span = _span(attributes(token[0]))
            before = [c for c in missing if span and c + 1 < span[0]]
        elif token["end"] is not None and local(token["end"]) == b"cols":
            before = missing
        else:
            continue
        pieces += [element[last:place], *(_col(prefix, c, widths[c]) for c in before)]
        missing = missing[len(before) :]
        last = place
    return b"".join([*pieces, element[last:]])


def new_cols(prefix: bytes, widths: Mapping[int, float]) -> bytes:
    """A `<cols>` for a sheet without one; b"" when there is no width to set."""
    if not widths:
        return b""
    body = b"".join(_col(prefix, col, widths[col]) for col in sorted(widths))
    return b"<" + prefix + b"cols>" + body + b"</" + prefix + b"cols>"


def _col(prefix: bytes, col: int, width: float) -> bytes:
    n = str(col + 1).encode()
    size = f"{width:g}".encode()
    return (
        b"<"
        + prefix
        + b'col min="'
        + n
        + b'" max="'
        + n
        + b'" width="'
        + size
        + b'" customWidth="1"/>'
    )


def _cols(element: bytes) -> list[tuple[int, int, dict[bytes, bytes]]]:
    """Each `<col>`: its first and last column (1-based) and its attributes."""
    found = []
    for token in tokens(element, 0, "<cols>"):
        if token["name"] is not None and local(token["name"]) == b"col":
            attrs = attributes(token[0])
            span = _span(attrs)
            if span is not None:
                found.append((*span, attrs))
            elif attrs.get(b"style", b"0") != b"0":
                raise Damaged("a <col> has no min or max")
    return found


def _span(attrs: Mapping[bytes, bytes]) -> tuple[int, int] | None:
    try:
        return int(attrs.get(b"min", b"")), int(attrs.get(b"max", b""))
    except ValueError:
        return None

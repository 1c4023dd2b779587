"""The workbook-wide parts a status write may have to touch, patched as bytes.

- `xl/workbook.xml`: a sheet's filter has a hidden defined name, `_xlnm._FilterDatabase`, that
  must cover the same cells as the filter, so it is widened with it.
- `xl/calcChain.xml`: the order Excel computes formulas in. A cell the runner replaced that held
  a formula must leave it, or Excel reports the file as damaged; a chain left with no cell goes
  altogether (with its content type and relationship), as Excel rebuilds it when it is missing.
- `[Content_Types].xml` and the workbook's relationships: a part the write adds (a styles part
  for a workbook without one) is declared in both.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

from .refs import Area, parse_area
from .xmlscan import (
    attribute_text,
    attributes,
    content_text,
    local,
    prefix_of,
    set_attribute,
    text_of,
    tokens,
)

_FILTER_NAME = "_xlnm._FilterDatabase"


def widen_filter_name(data: bytes, index: int, old: Area, new: Area) -> bytes | None:
    """Workbook part `data` with the filter name of sheet `index` (its place in `<sheets>`)
    moved from `old` to `new`; None when there is no such name covering `old`."""
    opened = None
    for token in tokens(data, 0, "xl/workbook.xml"):
        if token["name"] is not None and local(token["name"]) == b"definedName":
            attrs = attributes(token[0])
            ours = text_of(attrs.get(b"name", b"")) == _FILTER_NAME
            if ours and attrs.get(b"localSheetId") == str(index).encode() and not token["empty"]:
                opened = token
        elif token["end"] is not None and opened is not None:
            sheet, bang, ref = text_of(data[opened.end() : token.start()]).rpartition("!")
            if not bang or parse_area(ref) != old:
                return None
            text = content_text(f"{sheet}!{new.absolute()}")
            return data[: opened.end()] + text + data[token.start() :]
    return None


def drop_from_chain(data: bytes, sheet_id: str, cells: set[str]) -> bytes | None:
    """Calculation chain `data` without `cells` of the sheet whose sheetId is `sheet_id`; None
    when no cell would be left in it."""
    pieces, last = [], 0
    current: bytes | None = None
    carry: dict[bytes, bytes] = {}  # what a dropped entry said for the entries after it
    kept = 0
    for token in tokens(data, 0, "xl/calcChain.xml"):
        if token["name"] is None or local(token["name"]) != b"c":
            continue
        attrs = attributes(token[0])
        current = attrs.get(b"i", current)  # an entry without `i` is on the previous one's sheet
        if (
            token["empty"]
            and current == sheet_id.encode()
            and text_of(attrs.get(b"r", b"")) in cells
        ):
            pieces.append(data[last : token.start()])
            last = token.end()
            carry.update((key, attrs[key]) for key in (b"i", b"l") if key in attrs)
            continue
        kept += 1
        if carry:
            tag = token[0]
            for key, value in carry.items():
                if key not in attrs:
                    tag = set_attribute(tag, key, value.decode())
            pieces += [data[last : token.start()], tag]
            last = token.end()
            carry = {}
    return b"".join([*pieces, data[last:]]) if kept else None


def drop_content_type(data: bytes, part: str) -> bytes:
    """[Content_Types].xml without the override for `part`."""

    def match(attrs: dict[bytes, bytes]) -> bool:
        name = unquote(text_of(attrs.get(b"PartName", b"")))
        return name.lstrip("/").casefold() == part.casefold()

    return _drop(data, b"Override", match)


def drop_relationship(data: bytes, rid: str) -> bytes:
    """A relationships part without relationship `rid`."""
    return _drop(data, b"Relationship", lambda attrs: text_of(attrs.get(b"Id", b"")) == rid)


def add_content_type(data: bytes, part: str, content_type: str) -> bytes:
    """[Content_Types].xml with an override declaring `part`'s type."""
    attrs = {b"PartName": "/" + part, b"ContentType": content_type}
    return _append(data, b"Override", attrs)


def add_relationship(data: bytes, rid: str, kind: str, target: str) -> bytes:
    """A relationships part with relationship `rid` of type `kind` to `target` added."""
    return _append(data, b"Relationship", {b"Id": rid, b"Type": kind, b"Target": target})


def _append(data: bytes, name: bytes, attrs: dict[bytes, str]) -> bytes:
    """`data` with an empty element `name` (in the root's prefix) last in its root."""
    root = last = None
    for token in tokens(data, 0, "a package part"):
        if root is None and token["name"] is not None:
            root = token
        elif token["end"] is not None:
            last = token
    if root is None:
        raise ValueError("a package part without a root element")
    prefix = prefix_of(root["name"])
    text = b"".join(
        b" " + key + b'="' + attribute_text(value) + b'"' for key, value in attrs.items()
    )
    element = b"<" + prefix + name + text + b"/>"
    if last is None:  # an empty root, <Types .../>: opened to hold the element
        opened = root[0][:-2].rstrip() + b">"
        closed = element + b"</" + root["name"] + b">"
        return data[: root.start()] + opened + closed + data[root.end() :]
    return data[: last.start()] + element + data[last.start() :]


def _drop(data: bytes, name: bytes, match: Callable[[dict[bytes, bytes]], bool]) -> bytes:
    for token in tokens(data, 0, "a package part"):
        name_matches = token["name"] is not None and local(token["name"]) == name
        if name_matches and token["empty"] and match(attributes(token[0])):
            return data[: token.start()] + data[token.end() :]
    return data

"""Reading XML as bytes, for patching a part without re-serialising it.

A parser would re-write every byte it passes on (attribute quotes, namespace declarations,
empty-element forms); the writer instead finds the markup it must change and copies everything
else as it was. `TOKEN` recognises one piece of markup at a `<` with the XML grammar's own
boundaries: comments, CDATA sections and processing instructions are whole tokens, and an
attribute value may hold `>` (but never `<`, which well-formed XML always escapes). Text between
tokens never holds `<`, so the next token is always at the next `<`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from ..errors import SheetError

TOKEN = re.compile(
    rb"""<(?:
        (?P<comment>!--.*?--)
      | (?P<cdata>!\[CDATA\[.*?\]\])
      | (?P<pi>\?.*?\?)
      | /(?P<end>[^\s<>]+)\s*
      | (?P<name>[^\s/<>!?]+)
        (?P<attrs>(?:\s+[^\s=/<>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(?P<empty>/)?
    )>""",
    re.S | re.X,
)
_ATTR = re.compile(rb"""([^\s=/<>]+)\s*=\s*("[^"]*"|'[^']*')""")
_NS_DECL = re.compile(rb"""xmlns(?::([^\s=/>]+))?\s*=\s*(?:"([^"]*)"|'([^']*)')""")

# Characters XML 1.0 cannot hold; the current writer shows them as "?" too.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Excel reads "_x000D_" in a string as the character it encodes; a literal one must be escaped.
_EXCEL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_ATTR_SPECIAL = re.compile(r'[&<>"\t\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')
_SPECIAL = re.compile(r"[&<>\r]|^\s|\s$")
_EXCEL_CODE = re.compile(r"_x([0-9A-Fa-f]{4})_")
CELL_LIMIT = 32767  # characters Excel holds in a cell, counted in UTF-16 units as Excel does


class Damaged(SheetError):
    """A part is not well-formed XML where the writer reads it; the caller names the file."""


def local(name: bytes) -> bytes:
    """The element name without its prefix: b"x:row" -> b"row"."""
    return name.rpartition(b":")[2]


def prefix_of(name: bytes) -> bytes:
    """The prefix with its colon, as element names are built from it: b"x:row" -> b"x:"."""
    head, colon, _ = name.rpartition(b":")
    return head + colon


def attributes(attrs: bytes) -> dict[bytes, bytes]:
    """The attributes of a start tag's `attrs` group, values still as written (escaped)."""
    return {key: value[1:-1] for key, value in _ATTR.findall(attrs)}


def text_of(value: bytes) -> str:
    """An attribute value or text as the XML means it: entities and character references read."""
    return html.unescape(value.decode("utf-8"))


def set_attribute(tag: bytes, name: bytes, value: str) -> bytes:
    """`tag` (a whole start tag) with attribute `name` set to `value`, other bytes unchanged."""
    escaped = attribute_text(value)
    for match in _ATTR.finditer(tag):
        if match[1] == name:
            start, end = match.span(2)
            quote = tag[start : start + 1]
            return tag[: start + 1] + escaped.replace(quote, b"&quot;") + tag[end - 1 :]
    close = len(tag) - (2 if tag.endswith(b"/>") else 1)
    return tag[:close].rstrip() + b" " + name + b'="' + escaped + b'"' + tag[close:]


def drop_attribute(tag: bytes, name: bytes) -> bytes:
    for match in _ATTR.finditer(tag):
        if match[1] == name:
            start = match.start()
            while start and tag[start - 1 : start].isspace():
                start -= 1
            return tag[:start] + tag[match.end() :]
    return tag


def namespaces(tag: bytes) -> dict[bytes, str]:
    """Prefix (b"" for the default) -> namespace, as a start tag declares them."""
    return {
        (m[1] or b""): (m[2] if m[2] is not None else m[3]).decode() for m in _NS_DECL.finditer(tag)
    }


def tokens(data: bytes, pos: int, what: str) -> Iterator[re.Match[bytes]]:
    """Every token of `data` from `pos`, in order; Damaged on anything that is not markup."""
    while True:
        start = data.find(b"<", pos)
        if start < 0:
            return
        match = TOKEN.match(data, start)
        if match is None:
            raise Damaged(f"{what} is not well-formed XML near byte {start}")
        yield match
        pos = match.end()


def depth_end(data: bytes, start: int) -> int | None:
    """Where the element whose content starts at `start` ends, token by token; None when
    `data` stops before it does."""
    depth = 0
    pos = start
    while (lt := data.find(b"<", pos)) >= 0:
        token = TOKEN.match(data, lt)
        if token is None:
            return None
        if token["end"] is not None:
            if depth == 0:
                return token.end()
            depth -= 1
        elif token["name"] is not None and not token["empty"]:
            depth += 1
        pos = token.end()
    return None


def excel_text(value: str) -> str:
    """A name as Excel writes it in an attribute read back: "_x000a_" is a line break."""
    return _EXCEL_CODE.sub(lambda m: chr(int(m[1], 16)), value) if "_x" in value else value


def attribute_text(value: str) -> bytes:
    """`value` escaped for a double-quoted attribute."""
    if not _ATTR_SPECIAL.search(value):
        return value.encode("utf-8")
    value = _NOT_XML.sub("?", value)
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;")):
        value = value.replace(char, entity)
    for char, ref in (("\t", "&#9;"), ("\n", "&#10;"), ("\r", "&#13;")):
        value = value.replace(char, ref)  # else a parser reads them as spaces
    return value.encode("utf-8")


def cell_text(value: str) -> str:
    """What a cell can hold of `value`: XML-illegal characters as "?", at most Excel's length."""
    if _NOT_XML.search(value):
        value = _NOT_XML.sub("?", value)
    if len(value) > CELL_LIMIT // 2 and len(value.encode("utf-16-le")) > 2 * CELL_LIMIT:
        cut = value.encode("utf-16-le")[: 2 * CELL_LIMIT].decode("utf-16-le", "ignore")
        value = cut
    return value


def content_text(value: str) -> bytes:
    """`value` escaped as an element's text."""
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;")):
        value = value.replace(char, entity)
    return value.encode("utf-8")


def text_element(tag: bytes, value: str) -> bytes:
    """`<t>value</t>` (with the element name `tag`), the text escaped; `value` from cell_text."""
    if not _SPECIAL.search(value) and "_x" not in value:  # most statuses: nothing to escape
        return b"<" + tag + b">" + value.encode("utf-8") + b"</" + tag + b">"
    # A literal "_xHHHH_" is escaped, or Excel would read it as the character it encodes.
    text = content_text(_EXCEL_ESCAPE.sub(r"_x005F_\1", value))
    space = b' xml:space="preserve"' if value != value.strip(" \t\n\r") else b""
    return b"<" + tag + space + b">" + text + b"</" + tag + b">"

"""Jinja's lexer, changed so that a line holding only tags leaves no blank line in a message."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from jinja2.lexer import Lexer

_Token = tuple[int, str, str]  # line, kind, text: what Jinja's lexer yields


class StandaloneLexer(Lexer):
    """A line that holds only `{% %}` tags and comments leaves nothing in the message, not
    even its line break, so blocks add no blank lines. Unlike Jinja's `trim_blocks`, a tag
    that ends a line of text keeps the line's break (`...{% endif %}` and the next line are
    not glued together); unlike `lstrip_blocks`, a tag inside a line of text keeps its indent.
    Done in the lexer because the token stream extensions see has lost the comments."""

    def tokeniter(
        self, source: str, name: str | None, filename: str | None = None, state: str | None = None
    ) -> Iterator[_Token]:
        tokens = super().tokeniter(source, name, filename, state)
        return tokens if state else _without_standalone_lines(list(tokens))


class _Piece(NamedTuple):
    kind: str  # "text" (at most one line of it), "quiet" (a tag that prints nothing), "prints"
    tokens: list[_Token]


_LINES = re.compile(r"[^\n]*\n|[^\n]+")
_CLOSE = {
    "block_begin": "block_end",
    "variable_begin": "variable_end",
    "comment_begin": "comment_end",
}


def _without_standalone_lines(tokens: list[_Token]) -> Iterator[_Token]:
    line: list[_Piece] = []
    for piece in _pieces(tokens):
        line.append(piece)
        if piece.kind == "text" and piece.tokens[0][2].endswith("\n"):
            yield from _line(line)
            line = []
    yield from _line(line)


def _line(pieces: list[_Piece]) -> Iterator[_Token]:
    kinds = {p.kind for p in pieces}
    text = "".join(p.tokens[0][2] for p in pieces if p.kind == "text")
    standalone = "quiet" in kinds and "prints" not in kinds and not text.strip()
    for piece in pieces:
        if not (standalone and piece.kind == "text"):
            yield from piece.tokens


def _pieces(tokens: list[_Token]) -> Iterator[_Piece]:
    """The lexer's tokens as lines of text and whole tags."""
    at = 0
    while at < len(tokens):
        lineno, kind, value = tokens[at]
        if kind == "data":
            for text in _LINES.findall(value):
                yield _Piece("text", [(lineno, kind, text)])
                lineno += text.count("\n")
            at += 1
            continue
        end = at
        while kind in _CLOSE and end + 1 < len(tokens) and tokens[end][1] != _CLOSE[kind]:
            end += 1
        tag = tokens[at : end + 1]
        words = [v for _, k, v in tag if k == "name"]
        # An {% include %} prints the file it names: its line is text, not a quiet tag.
        quiet = kind in ("comment_begin", "raw_begin", "raw_end") or (
            kind == "block_begin" and words[:1] != ["include"]
        )
        yield _Piece("quiet" if quiet else "prints", tag)
        at = end + 1

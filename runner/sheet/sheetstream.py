"""A worksheet part rewritten in one streaming pass, row by row.

Bytes are read in chunks and copied as they are, except: the `<dimension>` ref (widened to
the cells written), `<cols>` (widths for the runner's columns: see cols), the rows the runner
writes (see rowpatch, with the styles of look), and new `<row>`s inserted in order for rows the
sheet has no element for. What follows `<sheetData>` (filters, merged cells,
links, drawings...) is handed back as `Tail` for the package layer to patch, since what it does
there depends on the Tables found in other parts.

A status cell whose write would break a formula stops the pass (SheetError: see formulaguard).
Where the sheet's reader found every row numbered and in order, the rows without formulas
before the next row written are copied unread, since nothing in them can stop the write: a
checkpoint of a few rows then costs little more than copying the part's bytes. A trial (the
dry run's) writes nothing, and passes over the rows it would write too.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import IO

from .cols import col_styles, new_cols, widen_cols
from .formulaguard import FormulaGuard
from .package import MAIN
from .refs import Area, cell_name, parse_area
from .rowpatch import needs_tokens, new_row, patch_row
from .sheettail import Tail, read_tail
from .writes import Writes
from .xmlscan import (
    TOKEN,
    Damaged,
    attributes,
    depth_end,
    local,
    namespaces,
    prefix_of,
    set_attribute,
    text_of,
)

_CHUNK = 1 << 20


@dataclass(frozen=True)
class Rewritten:
    tail: Tail
    formulas: tuple[str, ...]  # cells whose formulas the write replaced, for the calc chain


def rewrite_sheet(
    raw: IO[bytes], out: IO[bytes], writes: Writes, name: str, trial: bool = False
) -> Rewritten:
    """Copy worksheet `raw` to `out` with `writes` made, up to `</sheetData>`; the rest is
    returned as `Tail`. `name` (the file's) starts every error. A `trial` only looks for what
    would stop the write: a row without formulas is not patched (`out` gets it as it was)."""
    return _Pass(raw, out, writes, name, trial).run()


class _Pass:
    def __init__(
        self, raw: IO[bytes], out: IO[bytes], writes: Writes, name: str, trial: bool
    ) -> None:
        self.raw, self.target, self.writes, self.name = raw, out, writes, name
        self.trial, self.skipping = trial, writes.rows_in_order
        self.held_by = 0  # a row to write that a pass over plain rows stopped at: none then
        self.misses = self.wait = 0  # passes that found the next row is written; rows to wait
        # Where each mark is next in `data`, or, not there, -1 - how far `data` was searched.
        self.marks: dict[bytes, int] = {}
        self.pending: list[bytes] = []  # output not yet handed to `target`: a write per row
        self.pending_size = 0  # costs more than the row's own work
        self.data = b""
        self.pos = 0  # what is read and decided
        self.mark = 0  # what is written to `out`; data[mark:pos] will be copied as it is
        self.eof = False
        self.col_styles: dict[int, bytes] = {}
        self.guard = FormulaGuard(writes, name)  # the formulas the write would break
        self.formulas: list[str] = []

    # Reading and writing ---------------------------------------------------------------------

    def write(self, data: bytes) -> None:
        self.pending.append(data)
        self.pending_size += len(data)
        if self.pending_size > _CHUNK:
            self.flush()

    def flush(self) -> None:
        self.target.write(b"".join(self.pending))
        self.pending, self.pending_size = [], 0

    def more(self) -> bool:
        if self.eof:
            return False
        chunk = self.raw.read(_CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.write(self.data[self.mark : self.pos])
        shift, self.data = self.pos, self.data[self.pos :] + chunk
        self.mark = self.pos = 0
        # (marks keep where they were found, and how far they were not: a row longer than a
        # read would else have the whole of it searched again at each read)
        self.marks = {
            m: at - shift if at >= 0 else min(at + shift, -1)
            for m, at in self.marks.items()
            if at < 0 or at >= shift  # (one found before `pos` is looked for again)
        }
        return True

    def next_mark(self, mark: bytes) -> int:
        """Where `mark` next is at or after `pos` in the data read (-1: not there). Looked for
        again only once `pos` passed it: a pass before every row (each written) would else
        search the rest of the data each time."""
        at = self.marks.get(mark)
        if at is not None and at >= self.pos:
            return at
        start = self.pos if at is None or at >= 0 else max(self.pos, -1 - at - len(mark) + 1)
        at = self.data.find(mark, start)
        self.marks[mark] = at if at >= 0 else -1 - len(self.data)
        return at

    def token(self) -> re.Match[bytes]:
        """The next token at or after `pos` (which stays where it is)."""
        while True:
            start = self.data.find(b"<", self.pos)
            if start >= 0 and (found := TOKEN.match(self.data, start)):
                return found
            if not self.more():
                raise Damaged("it ends before </worksheet>")

    def replace(self, start: int, end: int, new: bytes) -> None:
        """Write `new` for data[start:end]; what lies before `start` is copied."""
        self.write(self.data[self.mark : start])
        self.write(new)
        self.mark = self.pos = end

    # The pass --------------------------------------------------------------------------------

    def run(self) -> Rewritten:
        prefix = self.head()
        if prefix is not None:
            self.rows(prefix)
        self.write(self.data[self.mark : self.pos])
        self.flush()
        rest = self.data[self.pos :] + self.raw.read()
        return Rewritten(read_tail(rest), tuple(self.formulas))

    def head(self) -> bytes | None:
        """Up to `<sheetData>`; its element prefix, or None when it was empty and is done."""
        depth, widths = 0, self.writes.look.widths if self.writes.look else {}
        area = self.writes.area()
        while True:
            token = self.token()
            self.pos = token.end()
            if token["end"] is not None:
                depth -= 1
                if depth <= 0:
                    raise Damaged("it has no <sheetData>")
                continue
            if token["name"] is None:
                continue
            name = local(token["name"])
            if depth == 0:
                _check_root(token)
            elif depth == 1 and name == b"cols":
                self.cols(token, widths)
                widths = {}
                continue  # the whole element is read
            elif depth == 1 and name == b"sheetData":
                cols = new_cols(prefix_of(token["name"]), widths)
                self.replace(token.start(), token.start(), cols)
                self.pos = token.end()
                return self.sheet_data(token)
            elif depth == 1 and name == b"dimension" and area is not None:
                self.widen_dimension(token, area)
            depth += 0 if token["empty"] else 1

    def sheet_data(self, token: re.Match[bytes]) -> bytes | None:
        prefix = prefix_of(token["name"])
        if not token["empty"]:
            return prefix
        rows = b"".join(self.new_row(prefix, n) for n in self.writes.numbers())
        name = token["name"]
        opened = token[0][:-2].rstrip() + b">"
        self.replace(token.start(), token.end(), opened + rows + b"</" + name + b">")
        return None

    def widen_dimension(self, token: re.Match[bytes], area: Area) -> None:
        old = parse_area(text_of(attributes(token[0]).get(b"ref", b"")))
        if old is None or old == old.union(area):
            return
        tag = set_attribute(token[0], b"ref", str(old.union(area)))
        self.replace(token.start(), token.end(), tag)

    def cols(self, token: re.Match[bytes], widths: Mapping[int, float]) -> None:
        """`<cols>`, whose start tag is `token`: the styles it gives the runner's columns, and
        widths for those it leaves without."""
        self.pos = token.start()
        length = token.end() - token.start()
        if not token["empty"]:
            length = self.element_end(length, token["name"])[0]
        element = self.data[self.pos : self.pos + length]
        self.col_styles = col_styles(element, self.writes.columns)
        self.replace(self.pos, self.pos + length, widen_cols(element, widths))

    def rows(self, prefix: bytes) -> None:
        self.formula_tag = b"<" + prefix + b"f"
        pending = deque(self.writes.numbers())
        last = 0
        while True:
            # (a trial writes nothing: it passes over the rows it would write too)
            before = None if self.trial or not pending else pending[0]
            skip = self.skipping and not self.guard.arrays and before != self.held_by
            if skip and self.wait:
                self.wait -= 1  # the last passes found the next row written: fewer tries
            elif skip and self.skip_plain_rows(prefix, before):
                last = 0  # the rows passed over were not counted: the next has its number
            token = self.token()
            if token["end"] is not None:  # </sheetData>
                new = b"".join(self.new_row(prefix, n) for n in pending)
                self.replace(token.start(), token.start(), new)
                self.pos = token.end()
                return
            if token["name"] is None:  # a comment or processing instruction
                self.pos = token.end()
                continue
            if local(token["name"]) != b"row":
                raise Damaged(f"<sheetData> holds a <{token['name'].decode()}>")
            ref = attributes(token[0]).get(b"r")
            number = int(ref) if ref is not None and ref.isdigit() else last + 1
            if number <= last:
                raise Damaged(f"row {number} comes after row {last}")
            while pending and pending[0] < number:
                self.replace(token.start(), token.start(), self.new_row(prefix, pending.popleft()))
            self.pos = token.start()
            self.row(number, token.end() - token.start(), token, pending)
            last = number

    def skip_plain_rows(self, prefix: bytes, before: int | None) -> bool:
        """Pass over the rows up to the next formula unread (nothing in a row without one can
        stop a write) and, where given, to row `before` (the next to write, or the rows after
        which it goes), to a row that has its number; whether it moved. A checkpoint then
        reads only the rows it writes, not the whole sheet."""
        row_tag, end_tag = b"<" + prefix + b"row", b"</" + prefix + b"sheetData"
        moved = False
        while True:
            # (a comment, CDATA or processing instruction is read token by token: a row tag in
            # one is only text)
            marks = (self.formula_tag, end_tag, b"<!", b"<?")
            found = [at for at in map(self.next_mark, marks) if at >= 0]
            stop = min(found) if found else len(self.data)
            if before is not None:  # the next row is the one to write, or after it: no pass
                following = self.number_at(row_tag, self.data.find(row_tag, self.pos), stop)
                if following is not None and following >= before:
                    self.held_by, self.wait = before, min(2 * self.misses + 1, 63)
                    self.misses = self.wait  # rows written one after another: try less often
                    return moved
            start = self.data.rfind(row_tag, self.pos, stop)
            tag_end = self.data.find(b">", start) if start > self.pos else -1
            if tag_end < 0 and start > self.pos:  # the last row read is cut: the one before it
                start = self.data.rfind(row_tag, self.pos, start)
                tag_end = self.data.find(b">", start) if start > self.pos else -1
            if tag_end >= 0:
                ref = attributes(self.data[start:tag_end]).get(b"r")
                if ref is None or not ref.isdigit():
                    self.skipping = False  # rows without their numbers are counted one by one
                    return moved
                if before is not None and int(ref) >= before:
                    at = self.row_tag_of(row_tag, before, tag_end)
                    if at is None or at <= self.pos:  # not found: row by row to it
                        self.held_by = before
                        return moved
                    self.pos, self.misses = at, 0
                    return True
                self.pos, moved, self.misses = start, True, 0
            if found or not self.more():
                return moved

    def number_at(self, row_tag: bytes, start: int, stop: int) -> int | None:
        """The number of the row whose start tag is at `start`, if it is whole before `stop`."""
        tag_end = self.data.find(b">", start, stop) if self.pos <= start < stop else -1
        ref = attributes(self.data[start:tag_end]).get(b"r") if tag_end >= 0 else None
        return int(ref) if ref is not None and ref.isdigit() else None

    def row_tag_of(self, row_tag: bytes, number: int, end: int) -> int | None:
        """Where row `number`'s start tag is, between `pos` and `end`; None if not found."""
        digits = str(number).encode()
        for at in self._spelt(digits, end):
            start = self.data.rfind(row_tag, self.pos, at)
            # the number inside a row's start tag, as its `r`
            if self.number_at(row_tag, start, end) == number and self.data.find(b">", start) > at:
                return start
        return None

    def _spelt(self, digits: bytes, end: int) -> Iterator[int]:
        """Where ` r="<digits>"` is, as nearly every writer spells it (a row spelt otherwise is
        not found: the rows up to it are read one by one)."""
        for spelt in (b' r="' + digits + b'"', b" r='" + digits + b"'"):
            at = self.data.find(spelt, self.pos, end)
            while at >= 0:
                yield at
                at = self.data.find(spelt, at + 1, end)

    def row(self, number: int, tag_len: int, token: re.Match[bytes], pending: deque[int]) -> None:
        """The row whose start tag `token` is at `pos`: copied, or patched when it is written."""
        qname, empty = token["name"], bool(token["empty"])
        length, careful = (tag_len, False) if empty else self.element_end(tag_len, qname)
        row = self.data[self.pos : self.pos + length]
        if b"array" in row:
            self.guard.note_arrays(row, number)
        if not pending or pending[0] != number:
            self.pos += length
            return
        pending.popleft()
        writes = self.writes.row(number)
        self.guard.check_arrays(number, writes)
        if self.trial and not careful and self.formula_tag not in row:
            self.pos += length  # a row without formulas: nothing in it can stop the write
            return
        header = number == self.writes.header_row
        restyle = self.writes.restyle(number)
        patched = patch_row(row, number, writes, self.col_styles, header, careful, restyle)
        for col, formula in patched.formulas:
            self.guard.check_shared(number, col, formula)
            self.formulas.append(cell_name(number, col))
        self.replace(self.pos, self.pos + length, patched.data)

    def element_end(self, start: int, qname: bytes) -> tuple[int, bool]:
        """Length of the element at `pos` whose start tag is `start` bytes long, and whether
        it had to be read token by token."""
        end_tag = _end_tag(qname)
        while True:
            found = end_tag.search(self.data, self.pos + start)
            if found and not needs_tokens(self.data[self.pos + start : found.start()]):
                return found.end() - self.pos, False
            if found or self.eof:
                end = depth_end(self.data, self.pos + start)
                if end is not None:
                    return end - self.pos, True
            if not self.more():
                raise Damaged("it ends inside a <row>")

    def new_row(self, prefix: bytes, number: int) -> bytes:
        if self.trial and not self.guard.arrays:
            return b""  # nothing to check, and a trial's output goes nowhere
        writes = self.writes.row(number)
        self.guard.check_arrays(number, writes)
        return new_row(prefix, number, writes, self.col_styles, self.writes.restyle(number))


def _check_root(token: re.Match[bytes]) -> None:
    declared = namespaces(token[0]).get(prefix_of(token["name"])[:-1])
    if local(token["name"]) != b"worksheet" or declared not in MAIN:
        raise Damaged("its sheet part is not a worksheet")


@lru_cache(maxsize=8)
def _end_tag(qname: bytes) -> re.Pattern[bytes]:
    return re.compile(b"</" + re.escape(qname) + rb"\s*>")

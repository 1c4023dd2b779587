"""The sheet as both formats read it: a grid of text cells whose header row (row 1, or the
campaign's `header_row` below a title block) holds the column names.

The value types, and the checks that are the same for CSV and XLSX: the file is there, the header
row has names, and no cell below it has a value in a column without a header. Duplicate names are
the business of whoever uses them (see rows.py): unused, they are harmless.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl.utils import get_column_letter

from ..errors import SheetError
from ..perrow import per_row

if TYPE_CHECKING:
    from .csvfile import CsvLayout


def fold_header(name: str) -> str:
    """Fold a header for matching: case, spaces, '_' and '-' do not count.

    'Recipient Profile-Id' -> 'recipientprofileid'.
    """
    return re.sub(r"[\s_-]+", "", name).casefold()


@dataclass(frozen=True)
class Stamp:
    """What identifies one version of a file, cheaply: a save by any program changes it."""

    size: int
    mtime_ns: int
    ctime_ns: int  # changes on every write, and no program can set it back
    inode: int
    device: int

    @classmethod
    def of(cls, path: Path) -> Stamp | None:
        """The file's stamp now; None when there is no file."""
        try:
            st = os.stat(path)
        except OSError:
            return None
        return cls(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


@per_row
class SheetRow:
    """One data row: `number` is the row number the user sees (the header's is 1, or above)."""

    number: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A sheet read as text: headers exactly as written, data rows without the fully blank ones."""

    path: Path
    kind: str
    sheet_name: str | None
    headers: tuple[str, ...]
    rows: tuple[SheetRow, ...]
    header_row: int = 1  # the row (1-based) the headers are on; rows above it are left alone
    stamp: Stamp | None = None  # the file as it was read: a write never replaces another
    # Rows hidden in the workbook: row -> "filter" (a filter hides it) or "hand" (hidden by hand).
    hidden: Mapping[int, str] = field(default_factory=dict)
    # Linked cells: (row, 0-based column) -> the link's URL; and the cells whose HYPERLINK
    # formula computes the URL -> the formula (the URL itself cannot be known then).
    links: Mapping[tuple[int, int], str] = field(default_factory=dict)
    unresolved_links: Mapping[tuple[int, int], str] = field(default_factory=dict)
    # A column of the leads (the recipient's), once the columns' meaning is known: only a Table
    # or filter holding it is widened over the status columns.
    anchor: int | None = None
    # The campaign's write_message: the writers fill message_sent beside the status columns.
    message_column: bool = False
    # Whether the rows' status cells are still the file's: not once the runner has written
    # statuses into it (the table then keeps the file's new stamp, not its new cells).
    statuses_as_read: bool = True
    # Whether its reader found every row numbered and in order (a workbook's scan vouches): a
    # write may then copy the rows it does not write unread.
    rows_in_order: bool = False
    # A CSV's text and records as read, and the file's stamp then: a write into the file still
    # at that stamp takes them rather than reading and checking the whole file again. Bound to
    # its own stamp, so a table given a newer one (after the runner's own write) never uses it.
    read_as: tuple[Stamp, CsvLayout] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class WriteReport:
    """Where the statuses went; `note` explains when that is not the file asked for.
    `stamp` is the sheet's new stamp when the statuses were written into the sheet itself."""

    path: Path
    note: str | None
    stamp: Stamp | None = None
    # A CSV's text and records as written: with `stamp`, the next write takes them rather
    # than reading and checking the whole file again (see Table.read_as); and the file as
    # written, to tell that `stamp` is of that file and not of a save since.
    layout: CsvLayout | None = field(default=None, compare=False, repr=False)
    written: Written | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Written:
    """A file as the runner wrote it, as far as renaming it into place keeps: a save since
    changes its inode (a program that writes a new file), or its mtime or size."""

    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, st: os.stat_result) -> Written:
        return cls(st.st_ino, st.st_size, st.st_mtime_ns)

    def is_at(self, stamp: Stamp | None) -> bool:
        """Whether `stamp` is of this file, as written."""
        return stamp is not None and (stamp.inode, stamp.size, stamp.mtime_ns) == (
            self.inode,
            self.size,
            self.mtime_ns,
        )


def check_file(path: Path) -> None:
    if path.is_dir():
        raise SheetError(f"{path.name}: is a directory, not a .csv or .xlsx file")
    if not path.exists():
        raise SheetError(f"{path.name}: file not found at {path.absolute()}")


def unreadable_file(path: Path, err: OSError) -> SheetError:
    return SheetError(f"{path.name}: cannot be read: {err.strerror or err}")


def make_table(
    path: Path,
    kind: str,
    sheet_name: str | None,
    lines: Sequence[Sequence[str]],
    header_row: int = 1,
) -> Table:
    """Check the grid (`lines[0]` is row 1; the header is on `header_row`) and make it a Table."""
    name = path.name
    subject = f'{name}: sheet "{sheet_name}"' if kind == "xlsx" else f"{name}:"
    if not any(any(line) for line in lines):
        raise SheetError(f"{subject} is empty")
    header = lines[header_row - 1] if header_row <= len(lines) else []
    width = max((i + 1 for i, cell in enumerate(header) if cell), default=0)
    if not width:
        below = next((n for n, line in _numbered(lines, header_row) if any(line)), None)
        hint = f"; it seems to be on row {below}: {_set_header_row(below)}" if below else ""
        raise SheetError(
            f"{name}: row {header_row} is blank; the header (column names) must be on row "
            f"{header_row}{hint}"
        )
    headers = tuple(header[:width])
    rows = []
    padding = ("",) * width
    for number, line in _numbered(lines, header_row):
        if not any(line):
            continue
        extra = None
        if len(line) > width and any(line[width:]):
            extra = next(i for i in range(width, len(line)) if line[i])
        if extra is not None and width == 1 and number < header_row + 10:
            # A title line above the real header ("Leads export, Q4"), as exports often have.
            raise SheetError(
                f"{name}: row {header_row} holds only {headers[0]!r} but row {number} has more "
                f"columns, so the header seems to be on row {number}: {_set_header_row(number)}"
            )
        if extra is not None:
            letter = get_column_letter(extra + 1)
            raise SheetError(
                f"{name}: row {number}: cell {letter}{number} has a value but column "
                f"{letter} has no header; give the column a header or clear the cell "
                "(status columns are added right of the header)"
            )
        cells = tuple(line) if len(line) == width else (*line[:width], *padding[len(line) :])
        rows.append(SheetRow(number, cells))
    if not rows:
        raise SheetError(f"{subject} has a header but no data rows")
    return Table(path, kind, sheet_name, headers, tuple(rows), header_row=header_row)


def _numbered(
    lines: Sequence[Sequence[str]], header_row: int
) -> Iterator[tuple[int, Sequence[str]]]:
    """The lines below the header, with their row numbers."""
    return enumerate(lines[header_row:], start=header_row + 1)


def _set_header_row(number: int) -> str:
    return f"set header_row = {number} in the campaign file"

"""Sheet rows → typed recipient rows: which columns mean what, and who each row is for."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from .campaign import MessageType
from .columns import (
    RECIPIENT_ALIASES,
    Columns,
    column_letters,
    find_columns,
    shared_names,
    template_names,
)
from .errors import LeadsElsewhere, SheetError
from .perrow import per_row
from .profiles import Kind, Profile, nfc, one_argument, read_profile
from .recipient import Recipient
from .sheet import (
    RUNNER_KEYS,
    STATUS_COLUMNS,
    SheetRow,
    Table,
    check_status_columns,
    existing_status_columns,
    fold_header,
    runner_columns,
)
from .status import StatusCells

# LinkedIn URNs look like urn:li:fsd_profile:ACoAAA24A-MBVEvT49xpVF2gnWrhvmUIPDJshSM.
URN_PATTERN = re.compile(r"urn:li:[A-Za-z_]+:[A-Za-z0-9_-]+")
_GROUP_ID = re.compile(r"[0-9]+")
# What exports write for "no value" (pandas' nan, Python's None, Excel's #N/A): such a cell is
# empty, or a message would greet someone as "Hi nan,".
PLACEHOLDERS = frozenset(
    {"nan", "none", "null", "nat", "n/a"}
    # Excel's error values: a broken formula must not reach someone as "Hi #NAME?,".
    | {"#n/a", "#name?", "#ref!", "#value!", "#div/0!", "#num!", "#null!", "#spill!", "#calc!"}
)

_LONGEST_PLACEHOLDER = max(map(len, PLACEHOLDERS))
# Their first letters, either case: a cell starting otherwise is no placeholder (most are not).
_PLACEHOLDER_STARTS = frozenset(p[0] for p in PLACEHOLDERS) | {p[0].upper() for p in PLACEHOLDERS}
_MESSAGE_TYPES = frozenset(MessageType)


def cell_text(cell: str) -> str:
    """A cell's value as the runner uses it: stripped, and empty if it is only a placeholder."""
    text = cell.strip()
    return "" if len(text) <= _LONGEST_PLACEHOLDER and text.lower() in PLACEHOLDERS else text


@per_row
class Row:
    """One data row, read: who it is for, how to send, and the values templates see."""

    number: int
    # The row's cells as read, and the layout that says which are the templates' values:
    # `values` and `placeholders` are worked out from them when asked (two dicts a row, held
    # for every row of the sheet, were a tenth of a 100,000-row campaign's memory).
    cells: tuple[str, ...]
    layout: SheetLayout | None = field(repr=False)
    recipient: Recipient | None
    group_id: str | None
    account_id: str | None
    message_type: MessageType | None
    problem: str | None  # why this row can never be sent as it stands
    # The status cells as the sheet has them from an earlier run.
    previous: StatusCells = StatusCells()
    hidden: str | None = None  # "filter" or "hand" when the workbook hides the row
    link_note: str = ""  # where the recipient was read from a cell's link, what the cell showed

    @property
    def values(self) -> dict[str, str]:
        """header -> stripped cell text, empty cells left out: what templates see."""
        return self._fields()[0]

    @property
    def placeholders(self) -> dict[str, str]:
        """header -> a cell left out of `values` for saying "nan", "None", ..."""
        return self._fields()[1]

    def values_of(self, columns: tuple[tuple[int, str], ...]) -> dict[str, str]:
        """`values`, of these (column, header) pairs alone: the columns a template reads."""
        return self._fields(columns)[0]

    def _fields(
        self, columns: tuple[tuple[int, str], ...] | None = None
    ) -> tuple[dict[str, str], dict[str, str]]:
        values: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        layout, cells = self.layout, self.cells
        if layout is None:
            return values, placeholders
        shared = bool(layout.shared)
        for i, header in layout.data_columns if columns is None else columns:
            if shared and (header in values or header in placeholders):
                continue  # a duplicate header: the first speaks (a template using it is refused)
            text = cells[i].strip()
            if not text:
                continue
            if text[0] in _PLACEHOLDER_STARTS and text.lower() in PLACEHOLDERS:
                placeholders[header] = text
            else:
                values[header] = text
        return values, placeholders


@dataclass(frozen=True)
class SheetLayout:
    """What the header row tells: the recipient columns and each column's template name."""

    columns: Columns
    data_headers: tuple[str, ...]  # headers templates see (not the runner's status columns)
    data_indices: tuple[int, ...]  # their positions in the sheet
    names: dict[str, str]  # identifier usable in a template -> header
    status_indices: tuple[int | None, ...] = (None,) * len(STATUS_COLUMNS)
    headers: tuple[str, ...] = ()  # every column's name, clean (see `clean_header`)
    sheet: str = ""  # the file's name, for messages
    # Headers and plain names that more than one column has -> which columns, and what to do.
    shared: Mapping[tuple[str, bool], tuple[str, str]] = field(default_factory=dict)

    def refuse_shared(self, name: str, template: str, *, header: bool = False) -> None:
        """SheetError if the column `template` names (a plain name, or with `header` a
        row['...'] key) is more than one column of the sheet; unused, a duplicate is harmless."""
        if (name, header) in self.shared:
            clash, advice = self.shared[(name, header)]
            raise SheetError(f"{self.sheet}: {clash}, and {template} uses it; {advice}")

    @cached_property
    def recipient_cells(self) -> tuple[tuple[int, str, bool], ...]:
        """The cells a row's recipient is read from, in the order tried: (column, header,
        whether only a URL counts there). Worked out once, not for every row."""
        cols = self.columns
        tried = ([cols.profile_id] if cols.profile_id is not None else []) + [*cols.profile_urls]
        return tuple(
            (i, self.headers[i], i != cols.profile_id and i not in cols.bare_ids) for i in tried
        )

    @cached_property
    def data_columns(self) -> tuple[tuple[int, str], ...]:
        """(column, header) of each column templates see."""
        return tuple(zip(self.data_indices, self.data_headers, strict=True))

    @cached_property
    def has_every_status(self) -> bool:
        """Whether the sheet has every one of the status columns."""
        return all(i is not None for i in self.status_indices)

    @cached_property
    def has_status(self) -> bool:
        """Whether the sheet has any of the status columns (a new campaign's has none)."""
        return any(i is not None for i in self.status_indices)


def clean_header(header: str) -> str:
    """A header as templates see it: without the spaces around it, in NFC (a Mac's "ü" is the
    same as Windows')."""
    return nfc(header.strip())


def read_layout(table: Table) -> SheetLayout:
    """Find the recipient columns; a sheet without any is a SheetError."""
    where = table.path.name
    headers = tuple(clean_header(h) for h in table.headers)
    folded = [fold_header(h) for h in headers]
    columns = find_columns(table, headers, lambda row, col: _linked_text(table, row, col))
    if not columns.recipient:
        for sheet_row in table.rows[:10]:
            named = [c for c in sheet_row.cells if fold_header(c) in RECIPIENT_ALIASES]
            if named:
                raise SheetError(
                    f"{where}: row {sheet_row.number} looks like the header (it has "
                    f"{named[0].strip()!r}), not row {table.header_row}; set header_row = "
                    f"{sheet_row.number} in the campaign file"
                )
        raise LeadsElsewhere(
            f"{where}: no recipient column; add one of recipientProfileId, profileUrl or "
            f"recipientProfileUrn (found: {', '.join(repr(h) for h in headers if h)})",
            table.sheet_name,
        )
    for name in runner_columns(table):
        hits = [i for i, f in enumerate(folded) if f == fold_header(name)]
        if len(hits) > 1:
            raise SheetError(
                f"{where}: columns {column_letters(hits)} are both named {name!r}; the runner "
                "writes its statuses into one of them: rename or delete the other"
            )
    # The runner's columns are never data: message_sent neither, even where no longer written.
    data_indices = tuple(i for i, f in enumerate(folded) if headers[i] and f not in RUNNER_KEYS)
    status_indices = existing_status_columns(table.headers)
    check_status_columns(table, status_indices)
    return SheetLayout(
        columns,
        tuple(headers[i] for i in data_indices),
        data_indices,
        template_names(headers, data_indices),
        status_indices,
        headers,
        where,
        shared_names(headers, data_indices),
    )


def read_row(layout: SheetLayout, table: Table, sheet_row: SheetRow) -> Row:
    """Turn one sheet row into a Row; problems are recorded on the row, never raised."""
    cells = sheet_row.cells
    cols = layout.columns
    problems: list[str] = []

    public_id, urn, link_note = _recipient(layout, table, sheet_row, problems)
    recipient = Recipient(public_id, urn) if (public_id or urn) else None
    if recipient is None and not problems:
        problems.append("no recipient: the profile ID, profile URL and URN cells are all empty")

    group_id = _get(cells, cols.group_id) or None
    if group_id and not _GROUP_ID.fullmatch(group_id):
        problems.append(f"{_header(layout, cols.group_id)} {group_id!r} is not a numeric group ID")
        group_id = None

    message_type = None
    type_text = _get(cells, cols.message_type).lower()
    if type_text in _MESSAGE_TYPES:
        message_type = MessageType(type_text)
    elif type_text:
        problems.append(
            f'{_header(layout, cols.message_type)} {type_text!r} is not "normal" or "inmail"'
        )

    return Row(
        number=sheet_row.number,
        cells=cells,
        layout=layout,
        recipient=recipient,
        group_id=group_id,
        account_id=_get(cells, cols.account_id) or None,
        message_type=message_type,
        problem="; ".join(problems) or None,
        previous=_previous(layout, sheet_row, recipient) if layout.has_status else _NOT_RUN,
        hidden=table.hidden.get(sheet_row.number),
        link_note=link_note,
    )


_NOT_RUN = StatusCells()


def _previous(layout: SheetLayout, sheet_row: SheetRow, recipient: Recipient | None) -> StatusCells:
    """The status cells as an earlier run left them in the row."""
    cells = sheet_row.cells
    raw = [cells[i] if i is not None else "" for i in layout.status_indices]
    block = [text.strip() for text in raw]
    owner = block[-1]
    if not owner.isascii():  # status_for names a recipient, as their IDs are: in NFC
        block[-1] = owner = nfc(owner)
    # Whether the block is the cells as they are, every one of them there: then the cells can
    # tell a write they need no new text. (Only where status_for names someone: cells can
    # show themselves only with its check.)
    exact = bool(owner) and layout.has_every_status and block == raw
    return StatusCells.read(
        *block, row_for=str(recipient or ""), exact=sheet_row.number if exact else 0
    )


def _get(cells: tuple[str, ...], index: int | None) -> str:
    return cell_text(cells[index]) if index is not None else ""


def _header(layout: SheetLayout, index: int | None) -> str:
    return layout.headers[index] if index is not None else "?"


def _linked_text(table: Table, sheet_row: SheetRow, col: int) -> str:
    """What a cell says for judging its column: its link's target where it has one."""
    text = cell_text(sheet_row.cells[col])
    return (table.links.get((sheet_row.number, col)) or text).strip()


def _recipient(
    layout: SheetLayout, table: Table, sheet_row: SheetRow, problems: list[str]
) -> tuple[str | None, str | None, str]:
    """The public ID and URN a row names (problems appended), and a note when a cell's link,
    not its text, gave the ID. The profile ID cell is read first, then the profile URL cells,
    best column first: the first that names a profile the API takes is the recipient."""
    cols, cells = layout.columns, sheet_row.cells
    found: Profile | None = None
    note = how = ""
    unusable: list[str] = []  # Sales Navigator links: the reason only if nothing else is there
    linked = table.links or table.unresolved_links  # most sheets have no links: no lookups
    for index, header, only_url in layout.recipient_cells:
        text = cell_text(cells[index])
        if linked:
            cell = (sheet_row.number, index)
            if not text and cell not in table.links and cell not in table.unresolved_links:
                continue
            text, how, unknowable = _through_link(table, cell, text, header)
            if unknowable:
                problems.append(unknowable)
                continue
        elif not text:
            continue
        label = f"{header}'s link" if how else header
        profile = read_profile(text, label, only_url=only_url or bool(how))
        if profile.problem:
            (unusable if profile.kind is Kind.SALES_NAV else problems).append(profile.problem)
            continue
        found, note = profile, how
        break
    if found is None:
        problems.extend(unusable[:1])
    urn = nfc(_get(cells, cols.urn)) or None
    if urn and not URN_PATTERN.fullmatch(urn):
        problems.append(
            f"{_header(layout, cols.urn)} {urn!r} is not a LinkedIn URN "
            "(expected urn:li:fsd_profile:...)"
        )
        urn = None
    member = found.urn if found else None
    if urn and member and urn != member:
        problems.append(
            f"{_header(layout, cols.urn)} {urn!r} and the profile URL's member ID ({member}) "
            "name two different people; clear the wrong one"
        )
    return (found.public_id if found else None), (urn or member), note


def _through_link(
    table: Table, cell: tuple[int, int], shown: str, header: str
) -> tuple[str, str, str]:
    """What a recipient cell means: its link's target where it has one that differs from the
    text shown ("LinkedIn", a name), never the text when the link says otherwise. Returns the
    text to read, a note when it came from the link, and a problem when it cannot be known."""
    target = table.links.get(cell)
    if target is not None:
        target = target.strip()
        if target == shown:
            return shown, "", ""
        showed = repr(shown) if shown else "nothing (a formula whose result was never saved)"
        return target, f"{header} showed {showed}; its link was used", ""
    formula = table.unresolved_links.get(cell)
    if formula is None or (shown and one_argument(formula)):
        return shown, "", ""  # HYPERLINK(x) shows x itself: the text is the link
    if not shown:
        return (
            "",
            "",
            (
                f"{header} holds a formula ({formula}) whose result was never saved (the file "
                "was written by a program that does not compute formulas), so the link it "
                "builds cannot be known; open and save the file in Excel, or put the profile "
                "URL itself in the cell"
            ),
        )
    return (
        "",
        "",
        (
            f"{header} shows {shown!r} but its formula ({formula}) computes the link, which cannot "
            "be read; put the profile URL itself in the cell"
        ),
    )

"""Sheet rows → typed recipient rows: which columns mean what, and who each row is for."""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from .campaign import MessageType
from .errors import LeadsElsewhere, SheetError
from .sheet import (
    STATUS_COLUMNS,
    STATUS_KEYS,
    SheetRow,
    Table,
    check_status_columns,
    existing_status_columns,
    fold_header,
)
from .status import StatusCells

# Role -> folded header names that mean it, in order of preference.
ROLE_ALIASES: dict[str, tuple[str, ...]] = {
    "profile_id": ("recipientprofileid", "profileid", "publicid"),
    "profile_url": ("profileurl", "linkedinurl", "url"),
    "urn": ("recipientprofileurn", "profileurn", "urn"),
    "group_id": ("groupid",),
    "account_id": ("accountid",),
    "message_type": ("messagetype",),
}

# LinkedIn URNs look like urn:li:fsd_profile:ACoAAA24A-MBVEvT49xpVF2gnWrhvmUIPDJshSM.
_URN = re.compile(r"urn:li:[A-Za-z_]+:[A-Za-z0-9_-]+")
# Public IDs are letters (any script), digits and hyphens; older ones have underscores too.
_PUBLIC_ID = re.compile(r"[\w-]+")
_GROUP_ID = re.compile(r"[0-9]+")
# What exports write for "no value" (pandas' nan, Python's None, Excel's #N/A): such a cell is
# empty, or a message would greet someone as "Hi nan,".
PLACEHOLDERS = frozenset(
    {"nan", "none", "null", "nat", "n/a"}
    # Excel's error values: a broken formula must not reach someone as "Hi #NAME?,".
    | {"#n/a", "#name?", "#ref!", "#value!", "#div/0!", "#num!", "#null!", "#spill!", "#calc!"}
)


def cell_text(cell: str) -> str:
    """A cell's value as the runner uses it: stripped, and empty if it is only a placeholder."""
    text = cell.strip()
    return "" if text.lower() in PLACEHOLDERS else text


@dataclass(frozen=True)
class Columns:
    """Index of each recipient column in the sheet's headers (None where absent)."""

    profile_id: int | None = None
    profile_url: int | None = None
    urn: int | None = None
    group_id: int | None = None
    account_id: int | None = None
    message_type: int | None = None

    def header(self, headers: tuple[str, ...], role: str) -> str:
        index = getattr(self, role)
        return headers[index] if index is not None else role

    def get(self, cells: tuple[str, ...], role: str) -> str:
        index = getattr(self, role)
        return cell_text(cells[index]) if index is not None else ""


@dataclass(frozen=True)
class Recipient:
    public_id: str | None = None
    urn: str | None = None

    @property
    def idents(self) -> tuple[str, ...]:
        """Every name this person is known by; two rows sharing one are the same person."""
        names = []
        if self.urn:
            names.append(f"urn:{self.urn}")
        if self.public_id:
            # LinkedIn public IDs are case-insensitive; URNs are not.
            names.append(f"id:{self.public_id.lower()}")
        return tuple(names)

    @property
    def key(self) -> str:
        """The one name the journal files this person under."""
        return self.idents[0]

    def __str__(self) -> str:
        return self.public_id or self.urn or "?"


@dataclass(frozen=True)
class Row:
    """One data row, read: who it is for, how to send, and the values templates see."""

    number: int
    values: dict[str, str]  # header -> stripped cell text, empty cells left out
    placeholders: dict[str, str]  # header -> a cell left out for saying "nan", "None", ...
    recipient: Recipient | None
    group_id: str | None
    account_id: str | None
    message_type: MessageType | None
    problem: str | None  # why this row can never be sent as it stands
    # The status cells as the sheet has them from an earlier run.
    previous: StatusCells = StatusCells()
    hidden: str | None = None  # "filter" or "hand" when the workbook hides the row
    link_note: str = ""  # where the recipient was read from a cell's link, what the cell showed


@dataclass(frozen=True)
class SheetLayout:
    """What the header row tells: the recipient columns and each column's template name."""

    columns: Columns
    data_headers: tuple[str, ...]  # headers templates see (not the runner's status columns)
    data_indices: tuple[int, ...]  # their positions in the sheet
    names: dict[str, str]  # identifier usable in a template -> header
    status_indices: tuple[int | None, ...] = (None,) * len(STATUS_COLUMNS)


def read_layout(table: Table) -> SheetLayout:
    """Find the recipient columns; a sheet without any is a SheetError."""
    where = table.path.name
    folded = [fold_header(h) for h in table.headers]
    found: dict[str, int] = {}
    for role, aliases in ROLE_ALIASES.items():
        hits = [i for i, f in enumerate(folded) if f in aliases]
        if len(hits) > 1:
            listed = " and ".join(repr(table.headers[i]) for i in hits)
            raise SheetError(
                f"{where}: columns {listed} both give the {role.replace('_', ' ')}; "
                "keep one of them"
            )
        if hits:
            found[role] = hits[0]
    if not any(role in found for role in ("profile_id", "profile_url", "urn")):
        recipient_names = {a for r in ("profile_id", "profile_url", "urn") for a in ROLE_ALIASES[r]}
        for sheet_row in table.rows[:10]:
            named = [c for c in sheet_row.cells if fold_header(c) in recipient_names]
            if named:
                raise SheetError(
                    f"{where}: row {sheet_row.number} looks like the header (it has "
                    f"{named[0].strip()!r}), not row {table.header_row}; set header_row = "
                    f"{sheet_row.number} in the campaign file"
                )
        raise LeadsElsewhere(
            f"{where}: no recipient column; add one of recipientProfileId, profileUrl or "
            f"recipientProfileUrn (found: {', '.join(repr(h) for h in table.headers if h)})",
            table.sheet_name,
        )
    data_indices = tuple(
        i
        for i, (h, f) in enumerate(zip(table.headers, folded, strict=True))
        if h.strip() and f not in STATUS_KEYS
    )
    data_headers = tuple(table.headers[i] for i in data_indices)
    status_indices = existing_status_columns(table.headers)
    check_status_columns(table, status_indices)
    names: dict[str, str] = {}
    for header in data_headers:
        name = identifier(header)
        if name and name not in names and name != "row":
            names[name] = header
    return SheetLayout(Columns(**found), data_headers, data_indices, names, status_indices)


def identifier(header: str) -> str | None:
    """The plain template name of a header, if it folds to one: 'First Name' -> 'first_name'."""
    name = re.sub(r"\W+", "_", header.strip().lower()).strip("_")
    if not name or not name.isidentifier() or keyword.iskeyword(name):
        return None
    return name


def read_row(layout: SheetLayout, table: Table, sheet_row: SheetRow) -> Row:
    """Turn one sheet row into a Row; problems are recorded on the row, never raised."""
    cells = sheet_row.cells
    cols = layout.columns
    values = {table.headers[i]: cell_text(cells[i]) for i in layout.data_indices}
    placeholders = {
        header: cells[i].strip()
        for i, header in enumerate(table.headers)
        if values.get(header) == "" and cells[i].strip()
    }
    values = {header: text for header, text in values.items() if text}
    problems: list[str] = []

    public_id, urn, link_note = _recipient(layout, table, sheet_row, problems)
    recipient = Recipient(public_id, urn) if (public_id or urn) else None
    if recipient is None and not problems:
        problems.append("no recipient: the profile ID, profile URL and URN cells are all empty")

    group_id = cols.get(cells, "group_id") or None
    if group_id and not _GROUP_ID.fullmatch(group_id):
        problems.append(
            f"{cols.header(table.headers, 'group_id')} {group_id!r} is not a numeric group ID"
        )
        group_id = None

    message_type = None
    type_text = cols.get(cells, "message_type").lower()
    if type_text in tuple(MessageType):
        message_type = MessageType(type_text)
    elif type_text:
        problems.append(
            f"{cols.header(table.headers, 'message_type')} {type_text!r} "
            'is not "normal" or "inmail"'
        )

    block = (cells[i].strip() if i is not None else "" for i in layout.status_indices)
    return Row(
        number=sheet_row.number,
        values=values,
        placeholders=placeholders,
        recipient=recipient,
        group_id=group_id,
        account_id=cols.get(cells, "account_id") or None,
        message_type=message_type,
        problem="; ".join(problems) or None,
        previous=StatusCells.read(*block),
        hidden=table.hidden.get(sheet_row.number),
        link_note=link_note,
    )


def _recipient(
    layout: SheetLayout, table: Table, sheet_row: SheetRow, problems: list[str]
) -> tuple[str | None, str | None, str]:
    """The public ID and URN a row names (problems appended), and a note when a cell's link,
    not its text, gave the ID."""
    cols, cells = layout.columns, sheet_row.cells
    public_id, note = None, ""
    for role in ("profile_id", "profile_url"):
        index = getattr(cols, role)
        raw = cols.get(cells, role)
        if public_id or index is None or not raw:
            continue
        header = table.headers[index]
        text, how, unknowable = _through_link(table, (sheet_row.number, index), raw, header)
        if unknowable:
            problems.append(unknowable)
            continue
        label = f"{header}'s link" if how else header
        public_id, problem = _public_id_from(text, label, only_url=bool(how))
        note = how if public_id else note
        if problem:
            problems.append(problem)
    urn = cols.get(cells, "urn") or None
    if urn and not _URN.fullmatch(urn):
        problems.append(
            f"{cols.header(table.headers, 'urn')} {urn!r} is not a LinkedIn URN "
            "(expected urn:li:fsd_profile:...)"
        )
        urn = None
    return public_id, urn, note


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
        return target, f"{header} showed {shown!r}; its link was used", ""
    formula = table.unresolved_links.get(cell)
    if formula is None or _one_argument(formula):
        return shown, "", ""  # HYPERLINK(x) shows x itself: the text is the link
    return (
        "",
        "",
        (
            f"{header} shows {shown!r} but its formula ({formula}) computes the link, which cannot "
            "be read; put the profile URL itself in the cell"
        ),
    )


def _one_argument(formula: str) -> bool:
    """Whether a HYPERLINK formula gives only the URL (no comma outside quotes and brackets)."""
    start = formula.upper().find("HYPERLINK(")
    depth, quoted = 0, False
    for char in formula[start + len("HYPERLINK(") :]:
        if char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                return True
            depth -= 1
        elif char == "," and depth == 0:
            return False
    return True


def _public_id_from(
    value: str, column: str, *, only_url: bool = False
) -> tuple[str | None, str | None]:
    """A public profile ID from an ID cell or a profile URL (the part after /in/); with
    `only_url`, only from a URL (a link's target)."""
    if value.lower().startswith("urn:") and not only_url:
        return None, (
            f"{column} {value!r} is a URN, not a public profile ID; "
            "put it in a recipientProfileUrn column"
        )
    if "/" not in value and not only_url:
        if _PUBLIC_ID.fullmatch(value):
            return value, None
        return None, f"{column} {value!r} is not a LinkedIn public profile ID"
    url = value if "://" in value else "https://" + value
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    host = (parts.hostname or "").lower()
    if (host == "linkedin.com" or host.endswith(".linkedin.com")) and "in" in segments:
        at = segments.index("in")
        if at + 1 < len(segments):
            public_id = unquote(segments[at + 1])
            if _PUBLIC_ID.fullmatch(public_id):
                return public_id, None
    return None, f"{column} {value!r} is not a LinkedIn profile URL (linkedin.com/in/...)"

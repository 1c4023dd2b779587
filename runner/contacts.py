"""The do-not-contact list: people no campaign messages, in a file the campaign names
(`do_not_contact`), shared by every campaign that names it.

Two forms:
- a CSV (.csv) whose header names recipient columns as a sheet's does (recipientProfileId, a
  profile URL column such as "LinkedIn URL", recipientProfileUrn); every such cell of a row
  counts, so a row with both a public URL and a URN matches the person by either;
- anything else (or a CSV of one column with no such header): a list, one profile ID, profile
  URL or URN a line; blank lines and `#` comments are left out.

Each entry is read as a sheet's cell is (the same text clean-up, profile and URN forms), so it
gives the names rows are matched by (`Recipient.idents`). One addition: a Sales Navigator lead
link (linkedin.com/sales/lead/ACwAA...,NAME_SEARCH,x) carries the member ID of the profile link
linkedin.com/in/ACwAA..., and is read as that. An entry that names nobody is a ConfigError
naming its line: a list that cannot be read cannot be honoured.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .columns import RECIPIENT_ALIASES, find_columns
from .errors import ConfigError, SheetError
from .profiles import Kind, nfc, read_profile
from .recipient import Recipient
from .rows import URN_PATTERN, cell_text, clean_header
from .sheet import SheetRow, Table, fold_header
from .sheet.csvfile import read_records, read_text

# The member ID in a Sales Navigator lead link (the part before its first comma).
_LEAD_LINK = re.compile(
    r"linkedin\.com/sales/(?:lead|people)/(AC[A-Za-z]AA[A-Za-z0-9_-]{20,})(?:[,/?#]|$)",
    re.IGNORECASE,
)
# A note after an entry ("john-doe  # asked us to stop"); a URL holds no space before a "#".
_COMMENT = re.compile(r"(?:^|\s)#.*")
# How far down a CSV its header may be (below a title line or two, as exports have).
_HEADER_SEARCH = 10


@dataclass(frozen=True)
class DoNotContact:
    """The people on the list, by every name they are known by."""

    name: str  # the file's name, as the skipped rows' detail says it
    idents: frozenset[str]

    def lists(self, recipient: Recipient) -> bool:
        return not self.idents.isdisjoint(recipient.idents)


def read_do_not_contact(path: Path) -> DoNotContact:
    """Read the list (see the module's docstring); ConfigError where it cannot be read."""
    try:
        if path.suffix.lower() == ".csv":
            idents = _from_csv(path)
        else:
            _, _, text = read_text(path)
            lines = ((n, _COMMENT.sub("", line)) for n, line in enumerate(text.splitlines(), 1))
            idents = _from_list(path.name, lines, "line")
    except SheetError as error:  # the sheet reader's words, which name the file and the fix
        raise ConfigError(f"{error}") from None
    return DoNotContact(path.name, frozenset(idents))


def read_entry(text: str, column: str = "", *, only_url: bool = False) -> tuple[list[str], str]:
    """The names one cell or line gives a person, as a sheet's cell would, or why it gives
    none; an empty cell gives neither. `column` names the cell in the reason."""
    text = nfc(cell_text(text))
    if not text:
        return [], ""
    if text.lower().startswith("urn:") and not only_url:
        if URN_PATTERN.fullmatch(text):
            return list(Recipient(urn=text).idents), ""
        problem = f"{column} {text!r} is not a LinkedIn URN (expected urn:li:fsd_profile:...)"
        return [], problem.strip()
    profile = read_profile(text, column, only_url=only_url)
    lead = _LEAD_LINK.search(text) if profile.kind is Kind.SALES_NAV else None
    if lead is not None:
        profile = read_profile(f"https://www.linkedin.com/in/{lead.group(1)}", column)
    if profile.problem:
        return [], profile.problem.strip()
    return list(Recipient(profile.public_id, profile.urn).idents), ""


def _from_list(name: str, entries: Iterable[tuple[int, str]], unit: str) -> list[str]:
    idents: list[str] = []
    for number, entry in entries:
        found, problem = read_entry(entry)
        if problem:
            fix = (
                "correct it, or start the line with # to keep it as a note"
                if unit == "line"
                else "correct it, or give the column a header such as profileUrl"
            )
            raise ConfigError(f"{name}: {unit} {number}: {problem}; {fix}")
        idents += found
    return idents


def _from_csv(path: Path) -> list[str]:
    records = [
        (n, r) for n, r in enumerate(read_records(path).records, 1) if any(map(str.strip, r))
    ]
    for at, (number, record) in enumerate(records[:_HEADER_SEARCH]):
        headers = tuple(clean_header(cell) for cell in record)
        if any(fold_header(header) in RECIPIENT_ALIASES for header in headers):
            return _from_table(path, number, headers, records[at + 1 :])
    if all(sum(bool(cell.strip()) for cell in record) == 1 for _, record in records):
        only = ((n, next(c for c in r if c.strip())) for n, r in records)
        return _from_list(path.name, only, "row")
    found = ", ".join(repr(cell.strip()) for cell in records[0][1] if cell.strip())
    raise ConfigError(
        f"{path.name}: no recipient column (found: {found}); name the column of profile IDs, "
        "profile URLs or URNs recipientProfileId, profileUrl or recipientProfileUrn, or list "
        "one profile a line"
    )


def _from_table(
    path: Path,
    header_row: int,
    headers: tuple[str, ...],
    records: list[tuple[int, tuple[str, ...]]],
) -> list[str]:
    """The names in the recipient columns, found as a sheet's are (columns.py)."""
    width = len(headers)
    rows = tuple(SheetRow(n, tuple(r[:width]) + ("",) * (width - len(r))) for n, r in records)
    table = Table(path, "csv", None, headers, rows, header_row=header_row)
    columns = find_columns(table, headers, lambda row, col: cell_text(row.cells[col]))
    named = [i for i in (columns.profile_id, *columns.profile_urls, columns.urn) if i is not None]
    idents: list[str] = []
    for row in rows:
        found: list[str] = []
        problems: list[str] = []
        for index in named:
            # Only the columns a sheet takes a bare ID from take one here (a column named
            # "LinkedIn" may say "Yes").
            bare = index in (columns.profile_id, columns.urn) or index in columns.bare_ids
            names, problem = read_entry(row.cells[index], headers[index], only_url=not bare)
            found += names
            problems += [problem] if problem else []
        if problems and not found:  # one cell that names the person is enough
            raise ConfigError(
                f"{path.name}: row {row.number}: {problems[0]}; correct it or delete the row"
            )
        idents += found
    return idents

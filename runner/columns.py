"""Which column means what: the names lead tools give the recipient columns, and, where several
columns could hold the profile URL, the one whose cells are LinkedIn profile URLs; and the
name each column has in a template. Pure.

Headers match with case, spaces, "_" and "-" ignored (see `fold_header`). The profile URL names
are those of the exports people bring:
- Apollo: "Person Linkedin Url"; ZoomInfo: "LinkedIn Contact Profile URL";
- Phantombuster: "profileUrl", "linkedInProfileUrl", "defaultProfileUrl" (the member-ID form);
- Evaboot: "Linkedin URL Public", "Linkedin URL Unique ID" (member-ID form), "Sales Navigator URL";
- Captain Data and scrapers: "linkedin_profile_url", "linkedinUrl", "sales_navigator_profile_url";
- Clay: "LinkedIn Profile", "LinkedIn URL"; HubSpot: "LinkedIn URL" (hs_linkedin_url);
- Salesforce: "LinkedIn Profile URL" (LinkedIn_Profile_URL__c); Pipedrive: "Person - LinkedIn";
- outreach tools (Dripify, Expandi, LinkedIn Helper): "Profile Link", "profile_url".
"""

from __future__ import annotations

import itertools
import keyword
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from .errors import SheetError
from .profiles import SENDABLE, Kind, read_profile
from .sheet import SheetRow, Table, fold_header

# Role -> folded header names that mean it; one column each.
ROLE_ALIASES: dict[str, tuple[str, ...]] = {
    "profile_id": ("recipientprofileid", "profileid", "publicid"),
    "urn": ("recipientprofileurn", "profileurn", "urn"),
    "group_id": ("groupid",),
    "account_id": ("accountid",),
    "message_type": ("messagetype",),
}
# Folded names of profile URL columns, most specific first: where several columns hold the same
# kind of URL equally well, the earlier name is tried first.
PROFILE_URL_ALIASES = (
    "profileurl",
    "linkedinurl",
    "linkedinprofileurl",
    "linkedinprofile",
    "linkedinurlpublic",
    "personlinkedinurl",
    "linkedincontactprofileurl",
    "linkedinprofilelink",
    "linkedinlink",
    "profilelink",
    "personlinkedin",
    "personlinkedinprofile",
    "hslinkedinurl",
    "linkedinprofileurlc",
    "linkedin",
    "defaultprofileurl",
    "linkedinurluniqueid",
    "salesnavigatorurl",
    "salesnavigatorprofileurl",
    "salesnavurl",
    "salesnavigatorlink",
    "url",
)
# Older versions took a bare public ID ("john-doe") from columns of these names, so they still
# do; any other profile URL column must hold a URL: a column named only "LinkedIn" may say "Yes".
BARE_ID_OK = frozenset({"profileurl", "linkedinurl", "url"})
RECIPIENT_ALIASES = frozenset(
    [*ROLE_ALIASES["profile_id"], *PROFILE_URL_ALIASES, *ROLE_ALIASES["urn"]]
)
# How many filled cells of a column tell what it holds: enough to judge, cheap on any sheet.
_SAMPLE = 200


@dataclass(frozen=True)
class Columns:
    """Index of each recipient column in the sheet's headers (None where absent)."""

    profile_id: int | None = None
    urn: int | None = None
    group_id: int | None = None
    account_id: int | None = None
    message_type: int | None = None
    # The profile URL columns in the order a row's cells are tried, the best first.
    profile_urls: tuple[int, ...] = ()
    bare_ids: frozenset[int] = field(default_factory=frozenset)  # those that take a bare ID

    @property
    def recipient(self) -> bool:
        """Whether any column can name the recipient."""
        return self.profile_id is not None or self.urn is not None or bool(self.profile_urls)

    @property
    def first_recipient(self) -> int | None:
        """A column that names the recipient, if any: where the sheet's leads are."""
        found = [c for c in (self.profile_id, self.urn, *self.profile_urls) if c is not None]
        return min(found, default=None)


def find_columns(
    table: Table, names: tuple[str, ...], cell: Callable[[SheetRow, int], str]
) -> Columns:
    """The recipient columns of a sheet whose clean header names are `names`; `cell(row, col)`
    gives what a row's cell says (its link's target where it has one). SheetError where two columns
    compete for one role."""
    folded = [fold_header(n) for n in names]
    found: dict[str, int] = {}
    for role, aliases in ROLE_ALIASES.items():
        hits = [i for i, f in enumerate(folded) if f in aliases]
        if len(hits) > 1:
            listed = " and ".join(repr(names[i]) for i in hits)
            raise SheetError(
                f"{table.path.name}: columns {listed} both give the {role.replace('_', ' ')}; "
                "keep one of them"
            )
        if hits:
            found[role] = hits[0]
    urls = [i for i, f in enumerate(folded) if f in PROFILE_URL_ALIASES]
    bare = frozenset(i for i in urls if folded[i] in BARE_ID_OK)
    kinds = {i: _column_kind(table, i, i in bare, cell) for i in urls}
    order = sorted(urls, key=lambda i: (kinds[i], PROFILE_URL_ALIASES.index(folded[i]), i))
    for kind, group in itertools.groupby(order, key=kinds.get):
        competing = list(group)
        if kind in SENDABLE and len(competing) > 1:
            a, b = (names[i] for i in sorted(competing)[:2])  # as the sheet has them
            raise SheetError(
                f"{table.path.name}: columns {a!r} and {b!r} both hold LinkedIn profile URLs, "
                "so which one names the recipient is unclear; keep one of them (rename or "
                "delete the other)"
            )
    # A column of other things (websites, notes) is read only when nothing better is there.
    useful = [i for i in order if kinds[i] is not Kind.OTHER] or order[:1]
    return Columns(**found, profile_urls=tuple(useful), bare_ids=bare)


def _column_kind(table: Table, col: int, bare: bool, cell: Callable[[SheetRow, int], str]) -> Kind:
    """What most of a column's filled cells name (ties go to the better kind); OTHER when most
    name nothing on LinkedIn, or the column is empty."""
    counts = dict.fromkeys(Kind, 0)
    seen = 0
    for sheet_row in table.rows:
        text = cell(sheet_row, col)
        if not text:
            continue
        counts[read_profile(text, "", only_url=not bare).kind] += 1
        seen += 1
        if seen == _SAMPLE:
            break
    linkedin = seen - counts[Kind.OTHER]
    if not linkedin or linkedin < counts[Kind.OTHER]:
        return Kind.OTHER
    return max((k for k in Kind if k is not Kind.OTHER), key=lambda k: (counts[k], -k))


def identifier(header: str) -> str | None:
    """The plain template name of a header, if it folds to one: 'First Name' -> 'first_name'."""
    name = re.sub(r"\W+", "_", header.strip().lower()).strip("_")
    if not name or not name.isidentifier() or keyword.iskeyword(name):
        return None
    return name


def template_names(headers: tuple[str, ...], indices: tuple[int, ...]) -> dict[str, str]:
    """Each plain name a template may use -> its header. A header usable as it is written
    (`companyName`) is a name, before the folded forms (`companyname`, `first_name`)."""
    written = [(headers[i], headers[i]) for i in indices if headers[i].isidentifier()]
    folded = [(identifier(headers[i]), headers[i]) for i in indices]
    names: dict[str, str] = {}
    for name, header in written + folded:
        if name and name != "row" and not keyword.iskeyword(name):
            names.setdefault(name, header)
    return names


def shared_names(
    headers: tuple[str, ...], indices: tuple[int, ...]
) -> dict[tuple[str, bool], tuple[str, str]]:
    """Headers (key: (header, True)) and plain names (key: (name, False)) that several data
    columns have: which columns, and what to do when a template uses one."""
    by_header: dict[str, list[int]] = {}
    by_name: dict[str, list[int]] = {}
    for i in indices:
        by_header.setdefault(headers[i], []).append(i)
        name = identifier(headers[i])
        if name:
            by_name.setdefault(name, []).append(i)
    rename = "rename one of them"
    shared = {
        (header, True): (f"columns {column_letters(hits)} are both named {header!r}", rename)
        for header, hits in by_header.items()
        if len(hits) > 1
    }
    for name, hits in by_name.items():
        if len(hits) < 2:
            continue
        a, b = hits[:2]
        clash = (
            f"columns {get_column_letter(a + 1)} ({headers[a]!r}) and "
            f"{get_column_letter(b + 1)} ({headers[b]!r}) both give the name {name}"
        )
        advice = (
            rename
            if headers[a] == headers[b]
            else f"write row[{headers[a]!r}] or row[{headers[b]!r}] instead, or {rename}"
        )
        shared[(name, False)] = (clash, advice)
    return shared


def column_letters(indices: list[int]) -> str:
    return " and ".join(get_column_letter(i + 1) for i in indices[:2])

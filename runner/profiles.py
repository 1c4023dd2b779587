"""What a recipient cell names: a profile the API can message, a Sales Navigator lead, or nothing
LinkedIn knows. Pure.

Lead tools export one person's profile in several forms, and each is handled on purpose:
- the public URL, linkedin.com/in/<public ID>: the ID is sent as `recipientProfileId`;
- the member-ID URL, linkedin.com/in/ACoAA...: the ID is the one the profile's URN carries
  (urn:li:fsd_profile:ACoAA...), so it is sent as that URN, which the API documents, and keyed by
  it (member IDs are case-sensitive, public IDs are not);
- other member-ID forms, such as Sales Navigator's linkedin.com/in/ACwAA...: LinkedIn opens them
  as the profile, but they make no URN, so the ID is sent as `recipientProfileId`, the part after
  /in/ as the API reference defines it;
- a Sales Navigator lead link, linkedin.com/sales/lead/... or /sales/people/...: only Sales
  Navigator opens it and it names no profile the API takes, so the row needs another column.

Text is normalised to NFC first: an "ü" pasted on a Mac (u + a combining diaeresis) is the same
person as one typed on Windows.
"""

from __future__ import annotations

import re
import unicodedata
from enum import IntEnum
from urllib.parse import unquote, urlsplit

from .perrow import per_row


class Kind(IntEnum):
    """What a cell names, best first: a column is ranked by the kind most of its cells are."""

    PUBLIC = 0  # linkedin.com/in/<public ID>, or the ID alone
    MEMBER = 1  # linkedin.com/in/ACoAA...: sent as its URN
    MEMBER_OTHER = 2  # linkedin.com/in/ACwAA... and the like: sent as the ID after /in/
    SALES_NAV = 3  # linkedin.com/sales/lead/...: cannot be sent to
    OTHER = 4  # not a LinkedIn profile at all


SENDABLE = (Kind.PUBLIC, Kind.MEMBER, Kind.MEMBER_OTHER)

# Public IDs are letters (any script), digits and hyphens; older ones have underscores too.
_PUBLIC_ID = re.compile(r"[\w-]+")
# A member ID as LinkedIn's own pages write it (39 characters, case-sensitive): "ACoAA" starts the
# profile's URN ID; Sales Navigator writes the same member as "ACwAA...".
_MEMBER_ID = re.compile(r"ACoAA[A-Za-z0-9_-]{20,}")
_OTHER_MEMBER_ID = re.compile(r"AC[A-Za-z]AA[A-Za-z0-9_-]{20,}")
URN_PREFIX = "urn:li:fsd_profile:"
# A profile URL as LinkedIn and lead tools write it, read by one regular expression (reading it
# through urlsplit costs as much as the rest of a row): "https://www.linkedin.com/in/ID/?x".
_PROFILE_URL = re.compile(
    r"(?:https?://)?(?:[a-z0-9-]+\.)*linkedin\.com/in/([\w%-]+)(?:[/?#]|$)", re.IGNORECASE
)


@per_row
class Profile:
    """What one cell names; `problem` says why it names nobody the API can message."""

    kind: Kind
    public_id: str | None = None
    urn: str | None = None
    problem: str | None = None


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def read_profile(value: str, column: str, *, only_url: bool = False) -> Profile:
    """Who a profile ID or URL cell names (see the module's docstring); with `only_url`, only a
    URL counts (a link's target). `column` names the cell in the problem's text."""
    value = nfc(value)
    if value[:4].lower() == "urn:" and not only_url:
        return Profile(
            Kind.OTHER,
            problem=(
                f"{column} {value!r} is a URN, not a public profile ID; "
                "put it in a recipientProfileUrn column"
            ),
        )
    if "/" not in value and not only_url:
        if _PUBLIC_ID.fullmatch(value):
            return _from_id(value)
        return Profile(
            Kind.OTHER, problem=f"{column} {value!r} is not a LinkedIn public profile ID"
        )
    common = _PROFILE_URL.match(value)
    if common:  # the form nearly every cell has, as `_from_url` reads it
        public_id = common.group(1)
        public_id = nfc(unquote(public_id)) if "%" in public_id else public_id
        if _PUBLIC_ID.fullmatch(public_id):
            return _from_id(public_id)
    return _from_url(value, column)


def _from_url(value: str, column: str) -> Profile:
    """Who a URL names, read through urlsplit."""
    parts = urlsplit(value if "://" in value else "https://" + value)
    segments = [s for s in parts.path.split("/") if s]
    lowered = [s.lower() for s in segments]  # LINKEDIN.COM/IN/Dave is as good as .../in/dave
    host = (parts.hostname or "").lower()
    if host == "linkedin.com" or host.endswith(".linkedin.com"):
        if "in" in lowered and lowered.index("in") + 1 < len(segments):
            public_id = nfc(unquote(segments[lowered.index("in") + 1]))
            if _PUBLIC_ID.fullmatch(public_id):
                return _from_id(public_id)
        if lowered[:1] == ["sales"] and lowered[1:2] in (["lead"], ["people"]):
            return Profile(
                Kind.SALES_NAV,
                problem=(
                    f"{column} {value!r} is a Sales Navigator lead link, which only Sales "
                    "Navigator opens and the API cannot send to; export the leads' public "
                    "profile URLs (linkedin.com/in/...) too, into a column such as 'LinkedIn URL'"
                ),
            )
    return Profile(
        Kind.OTHER,
        problem=f"{column} {value!r} is not a LinkedIn profile URL (linkedin.com/in/...)",
    )


def kind_of(value: str) -> Kind:
    """The kind of profile a cell names, for ranking columns by their cells."""
    return read_profile(value, "").kind


def one_argument(formula: str) -> bool:
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


def _from_id(public_id: str) -> Profile:
    if not public_id.startswith("AC"):  # as every member ID does: most IDs are names
        return Profile(Kind.PUBLIC, public_id)
    if _MEMBER_ID.fullmatch(public_id):
        # Kept as the public ID too: earlier versions filed such a row under it, and the
        # journal and the sheet's status_for still name it so.
        return Profile(Kind.MEMBER, public_id, URN_PREFIX + public_id)
    if _OTHER_MEMBER_ID.fullmatch(public_id):
        return Profile(Kind.MEMBER_OTHER, public_id)
    return Profile(Kind.PUBLIC, public_id)

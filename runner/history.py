"""What the campaigns sharing a state folder have sent, from their journals: whom the others
messaged (`skip_contacted`, and `status` either way), and when each account sent (daily caps
that hold across campaigns).

A sandbox trial's history is the other sandbox trials (NAME.sandbox.journal.sqlite), a real
run's the other real runs: a trial never counts as a message. Other campaigns' journals are only
read, never locked or written: their own runs may be writing them at that moment, and a journal
that cannot be read (damaged, busy, not a journal) is left out with a note; its own campaign's
next run says what is wrong with it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .journal import CAMPAIGN_META
from .plans import PoolKey
from .poolrows import read_pools
from .quota import Pool, parse_time
from .recipient import Recipient, first_known
from .settings import JOURNAL_SUFFIX, SANDBOX_JOURNAL_SUFFIX, Places
from .status import Status

# A journal another run holds mid-write is waited for this long, then left out.
_BUSY_SECONDS = 1.0


@dataclass(frozen=True)
class Contact:
    """One campaign's message to a person."""

    campaign: str
    status: Status  # SENT, or UNKNOWN: it may or may not have been delivered
    day: str  # the UTC date it was sent (for UNKNOWN: attempted), "" where the journal lacks it
    account: str  # "" for the API key's default account

    def reason(self) -> str:
        """Why a row for this person is skipped: 'already messaged by campaign ...'."""
        on = f" on {self.day}" if self.day else ""
        account = f" (from {self.account})" if self.account else ""
        if self.status is Status.SENT:
            return f"already messaged by campaign '{self.campaign}'{on}{account}"
        return (
            f"may already have been messaged by campaign '{self.campaign}'{on}{account}: its "
            "send was cut off and is unknown there"
        )


@dataclass(frozen=True)
class Contacted:
    """Whom the other campaigns messaged, by every name the person is known by."""

    by_ident: Mapping[str, Contact] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # journals left out, and why

    def find(self, recipient: Recipient) -> Contact | None:
        return first_known(self.by_ident, recipient.idents)


@dataclass(frozen=True)
class _Send:
    """A send a journal records as sent or possibly delivered."""

    idents: tuple[str, ...]
    status: Status  # SENT or UNKNOWN
    account: str
    at: datetime | None


def journals(state_dir: Path, sandbox: bool) -> list[Path]:
    """The journals in the state folder: the sandbox trials' or the real runs'."""
    if not state_dir.is_dir():
        return []
    found = state_dir.glob(f"*{JOURNAL_SUFFIX}")
    return sorted(p for p in found if p.name.endswith(SANDBOX_JOURNAL_SUFFIX) == sandbox)


def contacted(state_dir: Path, sandbox: bool, own: Path) -> Contacted:
    """Whom the campaigns other than the one whose journal is `own` messaged. Where several
    did, a sent message counts before an unknown one, then the latest."""
    by_ident: dict[str, Contact] = {}
    notes = []
    for path in journals(state_dir, sandbox):
        if path.resolve() == own.resolve():
            continue
        try:
            name, sends = _read(path)
        except sqlite3.Error as error:
            notes.append(
                f"{path.name} (another campaign's journal) could not be read ({error}); the "
                "people it messaged are not known to this campaign"
            )
            continue
        for send in sends:
            day = send.at.date().isoformat() if send.at else ""
            contact = Contact(name, send.status, day, send.account)
            for ident in send.idents:
                if ident not in by_ident or _rank(contact) > _rank(by_ident[ident]):
                    by_ident[ident] = contact
    return Contacted(by_ident, tuple(notes))


def sends_by_account(
    state_dir: Path, sandbox: bool, *, only: Path | None = None, leave_out: Path | None = None
) -> dict[str, list[datetime]]:
    """Each account's sends (sent, or possibly delivered), in UTC, oldest first, as every
    journal in the state folder records them, this campaign's own included ("" is the API
    key's default account); or as the journal `only` does, or every journal but `leave_out`.
    A journal that cannot be read is left out (see `contacted`)."""
    times: dict[str, list[datetime]] = {}
    paths = [only] if only is not None else journals(state_dir, sandbox)
    for path in paths:
        if leave_out is not None and path.resolve() == leave_out.resolve():
            continue
        found: dict[str, list[datetime]] = {}
        try:
            with _reading(path) as db:
                # Row by row, not fetched all at once: a journal of 100,000 sends would be a
                # list of 100,000 rows at the campaign's peak of memory (a resume's first write).
                for account, status, sent_at, updated_at in db.execute(
                    "SELECT account, status, sent_at, updated_at FROM sends "
                    "WHERE status IN (?, ?, ?)",
                    (Status.SENT, Status.UNKNOWN, Status.IN_FLIGHT),
                ):  # when each went out: see `_send`
                    sent = status == Status.SENT
                    at = _time(sent_at) if sent else _time(sent_at) or _time(updated_at)
                    if at is not None:
                        found.setdefault(account or "", []).append(at)
        except sqlite3.Error:
            continue  # left out whole, not only from where it failed
        for account, moments in found.items():
            times.setdefault(account, []).extend(moments)
    return {account: sorted(at) for account, at in times.items()}


def campaign_sends(places: Places, *, own: bool) -> dict[str, list[datetime]]:
    """`sends_by_account` as the campaign's own journal (`own`) has them, or the others'."""
    which = {"only" if own else "leave_out": places.journal}
    return sends_by_account(places.state_dir, places.sandbox, **which)


def _rank(contact: Contact) -> tuple[bool, str]:
    return contact.status is Status.SENT, contact.day


def _reading(path: Path) -> closing[sqlite3.Connection]:
    """A connection that only reads the journal at `path`.

    A journal at rest (no write-ahead log beside it) is read as immutable: a read-only
    connection would leave an empty log and index behind, which it cannot remove. One being
    written is read through its log, to see the latest sends."""
    mode = "mode=ro" if path.with_name(path.name + "-wal").exists() else "immutable=1"
    uri = f"{path.absolute().as_uri()}?{mode}"
    return closing(sqlite3.connect(uri, uri=True, timeout=_BUSY_SECONDS))


def _read(path: Path) -> tuple[str, list[_Send]]:
    """A journal's campaign name and what it sent; sqlite3.Error where it cannot be read."""
    with _reading(path) as db:
        rows = db.execute(
            "SELECT key, status, public_id, urn, account, sent_at, updated_at FROM sends "
            "WHERE status IN (?, ?, ?)",
            (Status.SENT, Status.UNKNOWN, Status.IN_FLIGHT),
        ).fetchall()
        try:
            meta = db.execute("SELECT value FROM meta WHERE key = ?", (CAMPAIGN_META,)).fetchone()
        except sqlite3.OperationalError:  # written by an earlier version, which kept no meta
            meta = None
    suffix = (
        SANDBOX_JOURNAL_SUFFIX if path.name.endswith(SANDBOX_JOURNAL_SUFFIX) else JOURNAL_SUFFIX
    )
    name = meta[0] if meta else path.name.removesuffix(suffix)
    return name, [_send(*row) for row in rows]


def _send(
    key: str,
    status: str,
    public_id: str | None,
    urn: str | None,
    account: str | None,
    sent_at: str | None,
    updated_at: str | None,
) -> _Send:
    idents = tuple(dict.fromkeys((key, *Recipient(public_id, urn).idents)))
    if status == Status.SENT:
        return _Send(idents, Status.SENT, account or "", _time(sent_at))
    # Unknown (or in flight now): the journal keeps no send time, only when the row last
    # changed: when it went out, or when a later run found it cut off.
    return _Send(idents, Status.UNKNOWN, account or "", _time(sent_at) or _time(updated_at))


def _time(value: str | None) -> datetime | None:
    # A sent_at adopted from a sheet may be any text a spreadsheet made of it: then None.
    return parse_time(value) if value else None


def shared_pools(state_dir: Path, sandbox: bool, api: str) -> dict[PoolKey, Pool]:
    """What the API last said of each account's quotas, to whichever campaign of the state
    folder it said it: one campaign's sends spend the quota another campaign sees."""
    best: dict[PoolKey, Pool] = {}
    for path in journals(state_dir, sandbox):
        try:
            pools = _pools(path, api)
        except sqlite3.Error:
            continue
        for pool in pools:
            best[pool.key] = later(best.get(pool.key), pool)
    return best


def later(known: Pool | None, other: Pool) -> Pool:
    """Of two readings of one quota, the later: the later day's, then the one with less left
    (a quota only goes down within its day), then a block over none."""
    if known is None:
        return other

    def rank(pool: Pool) -> tuple[datetime, int, datetime]:
        floor = datetime.min.replace(tzinfo=UTC)
        left = -(pool.remaining if pool.remaining is not None else 1 << 30)
        return pool.reset or floor, left, pool.blocked_until or floor

    return other if rank(other) > rank(known) else known


def _pools(path: Path, api: str) -> list[Pool]:
    with _reading(path) as db:
        return read_pools(db, api)

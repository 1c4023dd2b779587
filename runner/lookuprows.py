"""A journal's relationship lookups (route = "auto"): what a lookup from each account said of
each person, kept so that a resumed or re-run campaign never asks twice; and the record of a
row whose lookup found no such profile (failed, never sent).

A lookup is committed after its answer, with what the answer said of its quota, in one commit.
Nothing is committed before it: a lookup cut off by a crash is simply made again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .clock import iso
from .plans import Endpoint, SendPlan
from .recipient import Recipient
from .relationship import Relationship
from .status import Status

# Added to a journal of an earlier version when it is next opened to write; a reader of such a
# journal finds no lookups.
LOOKUPS_TABLE = """
CREATE TABLE IF NOT EXISTS lookups (
    account TEXT NOT NULL,       -- who asked: "" for the API key's default account
    key TEXT NOT NULL,           -- the person, as sends.key names them
    public_id TEXT,
    urn TEXT,                    -- the profile URN the lookup answered
    connected INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT '',
    invitation_sent INTEGER NOT NULL DEFAULT 0,
    invitation_received INTEGER NOT NULL DEFAULT 0,
    looked_at TEXT NOT NULL,
    PRIMARY KEY (account, key)
);
"""

Statement = tuple[str, Sequence[object]]


@dataclass(frozen=True)
class Lookup:
    """One lookup's answer: how `account` stands to `recipient`."""

    account: str
    recipient: Recipient  # as the sheet names them (the key the journal files them under)
    found: Relationship
    at: str = ""  # when it was made (ISO 8601, UTC)

    @property
    def idents(self) -> tuple[str, ...]:
        """Every name the person is known by, the URN the lookup gave among them."""
        urn = (f"urn:{self.found.urn}",) if self.found.urn else ()
        return tuple(dict.fromkeys((*self.recipient.idents, *urn)))


def lookup_row(lookup: Lookup, now: datetime) -> Statement:
    found = lookup.found
    return (
        "INSERT OR REPLACE INTO lookups (account, key, public_id, urn, connected, status, "
        "invitation_sent, invitation_received, looked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            lookup.account,
            lookup.recipient.key,
            lookup.recipient.public_id,
            found.urn,
            int(found.connected),
            found.status,
            int(found.invitation_sent),
            int(found.invitation_received),
            iso(now),
        ),
    )


def not_found_row(plan: SendPlan, detail: str, now: datetime) -> Statement:
    """The row failed at its lookup (no such profile): recorded as a send that failed, so it is
    never tried again unless the user clears its status cell, as for a refused send."""
    return (
        "INSERT INTO sends (key, status, detail, public_id, urn, row, endpoint, account, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (key) DO UPDATE SET status = excluded.status, detail = excluded.detail, "
        "row = excluded.row, endpoint = excluded.endpoint, account = excluded.account, "
        "updated_at = excluded.updated_at",
        (
            plan.recipient.key,
            Status.FAILED,
            detail,
            plan.recipient.public_id,
            plan.recipient.urn,
            plan.row,
            Endpoint.RELATIONSHIP,
            plan.account,
            iso(now),
        ),
    )


def read_lookups(db: sqlite3.Connection) -> list[Lookup]:
    """Every lookup a journal keeps (none in a journal an earlier version wrote)."""
    try:
        rows = db.execute(
            "SELECT account, key, public_id, urn, connected, status, invitation_sent, "
            "invitation_received, looked_at FROM lookups ORDER BY looked_at"
        ).fetchall()
    except sqlite3.OperationalError as err:
        if "no such table" in str(err):
            return []
        raise
    return [
        Lookup(
            account,
            _recipient(key, public_id),
            Relationship(bool(connected), urn, status, bool(sent), bool(received)),
            at,
        )
        for account, key, public_id, urn, connected, status, sent, received, at in rows
    ]


def _recipient(key: str, public_id: str | None) -> Recipient:
    """The person as the sheet named them: by the key's URN, or by public ID."""
    urn = key.removeprefix("urn:") if key.startswith("urn:") else None
    return Recipient(public_id, urn)

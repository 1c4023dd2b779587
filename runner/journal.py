"""The journal: a durable SQLite record of every send, the truth about what was sent.

Before a request goes out its row is committed as in flight; after the answer, its outcome.
With synchronous=FULL a committed record survives a crash or power cut, so a row that was in
flight when the process died is known, on the next start, to be possibly delivered (unknown).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .clock import iso
from .errors import ConfigError
from .plans import Endpoint, PoolKey, SendPlan
from .quota import Pool, parse_time
from .rows import Recipient
from .status import Status, StatusCells

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sends (
    key TEXT PRIMARY KEY,        -- the recipient: urn:... or id:<public id, lower case>
    status TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    public_id TEXT,
    urn TEXT,                    -- from the sheet, or as the API answered
    row INTEGER,                 -- the sheet row when last attempted (rows move; keys do not)
    endpoint TEXT,
    account TEXT,
    message TEXT,
    subject TEXT,
    sent_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pools (
    api TEXT NOT NULL,
    account TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    lim INTEGER,
    used INTEGER,
    remaining INTEGER,
    reset TEXT,
    blocked_until TEXT,
    reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (api, account, endpoint)
);
"""

INTERRUPTED = (
    "the run stopped while this message was being sent; it may or may not have been "
    "delivered (rerun with --resend-unknown to send it again)"
)


@dataclass(frozen=True)
class Entry:
    """What the journal knows of one recipient."""

    key: str
    status: Status
    detail: str
    recipient: Recipient  # with the URN the API answered, once sent
    row: int | None = None
    endpoint: str | None = None
    account: str | None = None
    sent_at: str | None = None

    @property
    def idents(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.key, *self.recipient.idents)))


class Journal:
    """One campaign's journal. Writers hold the campaign lock (lock.py) while it is open."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ConfigError(
                f"{path.parent}: cannot create the state folder: {err.strerror}"
            ) from None
        try:
            self.db = sqlite3.connect(path, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA busy_timeout=5000")
            self.db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as err:
            self.close()
            raise ConfigError(f"{path}: the journal cannot be opened: {err}") from None

    def close(self) -> None:
        db = getattr(self, "db", None)
        if db is not None:
            db.close()
            self.db = None  # type: ignore[assignment]

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading, once at start-up --------------------------------------------------------

    def entries(self) -> list[Entry]:
        rows = self.db.execute(
            "SELECT key, status, detail, public_id, urn, row, endpoint, account, sent_at FROM sends"
        )
        return [
            Entry(r[0], Status(r[1]), r[2], Recipient(r[3], r[4]), r[5], r[6], r[7], r[8])
            for r in rows
        ]

    def pools(self, api: str) -> dict[PoolKey, Pool]:
        rows = self.db.execute(
            "SELECT account, endpoint, lim, used, remaining, reset, blocked_until, reason "
            "FROM pools WHERE api = ?",
            (api,),
        )
        return {
            PoolKey(r[0], Endpoint(r[1])): Pool(
                r[0], Endpoint(r[1]), r[2], r[3], r[4], _time(r[5]), _time(r[6]), r[7]
            )
            for r in rows
        }

    def all_pools(self) -> list[tuple[str, Pool]]:
        """Every quota known, for every API this campaign has talked to."""
        apis = [r[0] for r in self.db.execute("SELECT DISTINCT api FROM pools ORDER BY api")]
        return [(api, pool) for api in apis for pool in self.pools(api).values()]

    # -- writing ---------------------------------------------------------------------------

    def recover(self, now: datetime) -> int:
        """Rows left in flight by a process that died become unknown; returns how many."""
        cur = self.db.execute(
            "UPDATE sends SET status = ?, detail = ?, updated_at = ? WHERE status = ?",
            (Status.UNKNOWN, INTERRUPTED, iso(now), Status.IN_FLIGHT),
        )
        return cur.rowcount

    def adopt(self, entry: Entry, now: datetime) -> None:
        """Record an outcome known only from the sheet (a journal lost or started afresh)."""
        self.db.execute(
            "INSERT OR IGNORE INTO sends (key, status, detail, public_id, urn, row, sent_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                entry.key,
                entry.status,
                entry.detail,
                entry.recipient.public_id,
                entry.recipient.urn,
                entry.row,
                entry.sent_at,
                iso(now),
            ),
        )

    def begin(self, plan: SendPlan, now: datetime) -> None:
        """Record a send as in flight; committed before the request leaves."""
        self.db.execute(
            "INSERT OR REPLACE INTO sends (key, status, detail, public_id, urn, row, endpoint, "
            "account, message, subject, sent_at, updated_at) "
            "VALUES (?, ?, '', ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
            (
                plan.recipient.key,
                Status.IN_FLIGHT,
                plan.recipient.public_id,
                plan.recipient.urn,
                plan.row,
                plan.endpoint,
                plan.account,
                plan.message,
                plan.subject,
                iso(now),
            ),
        )

    def finish(self, key: str, cells: StatusCells, now: datetime) -> None:
        """Record a send's outcome as the row shows it (pending when it certainly did not go
        out); a sent row's time is `now`, and the URN the API answered is kept."""
        status = cells.status or Status.PENDING
        self.db.execute(
            "UPDATE sends SET status = ?, detail = ?, urn = COALESCE(?, urn), "
            "sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END, updated_at = ? "
            "WHERE key = ?",
            (status, cells.detail, cells.urn or None, status, iso(now), iso(now), key),
        )

    def save_pool(self, api: str, pool: Pool) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO pools (api, account, endpoint, lim, used, remaining, reset, "
            "blocked_until, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                api,
                pool.account,
                pool.endpoint,
                pool.limit,
                pool.used,
                pool.remaining,
                iso(pool.reset) if pool.reset else None,
                iso(pool.blocked_until) if pool.blocked_until else None,
                pool.reason,
            ),
        )


def _time(value: str | None) -> datetime | None:
    return parse_time(value) if value else None

"""The journal: a durable SQLite record of every send, the truth about what was sent.

Before a request goes out its row is committed as in flight; after the answer, its outcome
(synchronous=FULL: a committed record survives a crash or power cut), so a row in flight when
the process died is known, on the next start, to be possibly delivered (unknown).

A damaged journal must never pass for a new one (that would mean messaging everyone again):
an empty or garbled file, a failed integrity check, or a write-ahead log lost after a crash
(the main file says a run was under way, and its log is gone) are refused. The main file is
made whole at every sheet write and at the end of a run: the `.sqlite` alone loses nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import field
from datetime import datetime
from pathlib import Path

from . import failpoints
from .clock import iso
from .errors import ConfigError, JournalError
from .journalfile import JournalDamaged, check_at_rest, check_integrity
from .lookuprows import LOOKUPS_TABLE, Lookup, Statement, read_lookups
from .perrow import per_row
from .plans import PoolKey, SendPlan
from .poolrows import pool_row, read_pools
from .quota import Pool
from .recipient import Recipient
from .rows import Row
from .status import Status, StatusCells, message_text

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
    updated_at TEXT NOT NULL,
    strikes INTEGER NOT NULL DEFAULT 0  -- runs on which the API failed for this row alone
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,        -- state: open while a run writes, closed after; sheet_written_at;
                                 -- campaign: its name, as other campaigns' reports say it
    value TEXT NOT NULL
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

_ENTRIES = (
    "SELECT message, subject, updated_at, key, status, detail, public_id, urn, row, endpoint, "
    "account, sent_at, strikes FROM sends"
)

CAMPAIGN_META = "campaign"  # the meta key of the campaign's name (history.py reads it)

INTERRUPTED = (
    "the run stopped while this message was being sent; it may or may not have been "
    "delivered (rerun with --resend-unknown to send it again)"
)


@per_row
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
    strikes: int = 0
    text: str | None = field(default="", kw_only=True)  # message_sent's text; None: not kept
    # The sheet was written since this outcome was recorded: an empty status cell was cleared
    # (--lookup and the preview record lookups without writing the sheet).
    shown: bool = field(default=False, kw_only=True)

    @property
    def idents(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.key, *self.recipient.idents)))


class Journal:
    """One campaign's journal. Writers hold the campaign lock (lock.py) while it is open, and
    open it with `write=True`: it is then marked as in use until closed."""

    def __init__(self, path: Path, *, write: bool = False, campaign: str = "") -> None:
        self.path = path
        self.write = write
        self.existed = path.exists()
        self.db: sqlite3.Connection | None = None
        if self.existed:
            check_at_rest(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ConfigError(
                f"{path.parent}: cannot create the state folder: {err.strerror}"
            ) from None
        try:
            self.db = _connect(path, read_only=self.existed and not write)
            if self.existed:
                check_integrity(self.db)
            if self.write or not self.existed:
                self.db.executescript(_SCHEMA + LOOKUPS_TABLE)
                _upgrade(self.db)
            if write:
                self._set_meta("state", "open")
                if campaign:  # the file's name is the campaign's made safe; this, as written
                    self._set_meta(CAMPAIGN_META, campaign)
                self.checkpoint()
                failpoints.limit_journal(self.db)
        except (JournalDamaged, JournalError):
            self.close()
            raise
        except sqlite3.DatabaseError as err:
            self.close()
            if self.existed:
                raise JournalDamaged(f"SQLite cannot read it ({err})") from None
            raise ConfigError(f"{path}: the journal cannot be created: {err}") from None

    def close(self) -> None:
        db, self.db = self.db, None
        if db is None:
            return
        try:
            if self.write:
                # Everything is committed; say so in the main file and fold the log into it.
                db.execute("INSERT OR REPLACE INTO meta VALUES ('state', 'closed')")
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            pass  # the next open finds the log and checks what it holds
        finally:
            db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def _db(self) -> sqlite3.Connection:
        assert self.db is not None, "the journal is closed"
        return self.db

    def _sql(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Cursor:
        """Run one statement; what goes wrong (a full disk, a read-only file, a damaged page)
        is a JournalError that says what to do, not a traceback."""
        try:
            return self._db.execute(sql, params)
        except sqlite3.Error as err:
            raise JournalError(_trouble(self.path, err)) from None

    def _sql_all(self, *statements: tuple[str, Sequence[object]]) -> None:
        """Statements in one commit, or none of them (as `_sql` for what goes wrong)."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
            for sql, params in statements:
                self._db.execute(sql, params)
            self._db.execute("COMMIT")
        except sqlite3.Error as err:
            with suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            raise JournalError(_trouble(self.path, err)) from None

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the main file (at each sheet write and at the end)."""
        self._sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def _set_meta(self, key: str, value: str) -> None:
        self._sql("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def _meta(self, key: str) -> str | None:
        row = self._sql("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def wrote_sheet(self, now: datetime) -> None:
        """Record that this journal's statuses are in the sheet (see `has_history`)."""
        self._set_meta("sheet_written_at", iso(now))

    def has_history(self) -> bool:
        """Whether this journal has run the campaign: sent, or written statuses to the sheet.
        Statuses in a sheet that a journal without history did not write came from elsewhere
        (a lost journal, another campaign)."""
        if self._meta("sheet_written_at"):
            return True
        return self._sql("SELECT 1 FROM sends LIMIT 1").fetchone() is not None

    # -- reading, once at start-up --------------------------------------------------------

    def entries(self, *, texts: bool = True, sheet: Mapping[str, Row] | None = None) -> list[Entry]:
        """What the journal knows of every recipient. Without `texts` (a campaign that writes
        no message_sent, the only place they show) the messages are left unread: each entry's
        text is None, as where the journal does not hold it. With `sheet` (the sheet's rows, by
        the key of their recipient), what an entry has as its row has it (the person's names,
        the status cells the sheet shows) is the row's own string, not a copy."""
        written = self._meta("sheet_written_at") or ""
        rows = self._sql(_ENTRIES if texts else _ENTRIES.replace("message, subject", "NULL, NULL"))
        status = Status.of
        # One string for the values every entry repeats, where sqlite3 makes each anew, and
        # the key as the recipient's own name for it: a 100,000-row journal's entries are held
        # at the campaign's peak of memory.
        repeated: dict[str | None, str | None] = {}
        share = repeated.setdefault
        entries = []
        for r in rows:
            detail, public_id, urn, number, sent_at = r[5], r[6], r[7], r[8], r[11]
            row = sheet.get(r[3]) if sheet else None
            like = row.recipient if row else None
            if row is not None and like is not None:
                shown = row.previous
                public_id = like.public_id if like.public_id == public_id else public_id
                urn = like.urn if like.urn == urn else shown.urn if shown.urn == urn else urn
                number = row.number if row.number == number else number
                sent_at = shown.sent_at if shown.sent_at == sent_at else sent_at
                detail = shown.detail if shown.detail == detail else detail
            recipient = Recipient(public_id, urn, like=like)
            names, key = recipient.idents, r[3]
            key = names[names.index(key)] if key in names else key
            endpoint, account = share(r[9], r[9]), share(r[10], r[10])
            known = (key, status(r[4]), detail, recipient, number, endpoint, account, sent_at)
            entries.append(Entry(*known, r[12], text=message_text(*r[:2]), shown=r[2] <= written))
        return entries

    def lookups(self) -> list[Lookup]:
        """The relationship lookups made (route = "auto"), so that none is made twice."""
        try:
            return read_lookups(self._db)
        except sqlite3.Error as err:
            raise JournalError(_trouble(self.path, err)) from None

    def pools(self, api: str) -> dict[PoolKey, Pool]:
        return {pool.key: pool for pool in read_pools(self._db, api)}

    def all_pools(self) -> list[tuple[str, Pool]]:
        """Every quota known, for every API this campaign has talked to."""
        apis = [r[0] for r in self._sql("SELECT DISTINCT api FROM pools ORDER BY api")]
        return [(api, pool) for api in apis for pool in self.pools(api).values()]

    # -- writing ---------------------------------------------------------------------------

    def recover(self, now: datetime) -> int:
        """Rows left in flight by a process that died become unknown; returns how many."""
        cur = self._sql(
            "UPDATE sends SET status = ?, detail = ?, updated_at = ? WHERE status = ?",
            (Status.UNKNOWN, INTERRUPTED, iso(now), Status.IN_FLIGHT),
        )
        return cur.rowcount

    def adopt(self, entry: Entry, now: datetime) -> None:
        """Record an outcome known only from the sheet (a journal lost or started afresh)."""
        self._sql(
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
        """Record a send as in flight; committed before the request leaves. (What an earlier
        attempt left, its strikes, is kept.)"""
        self._sql(*begun(plan, now))

    def finish(
        self, key: str, cells: StatusCells, now: datetime, pool: tuple[str, Pool] | None = None
    ) -> None:
        """Record a send's outcome as the row shows it (pending when it certainly did not go
        out); a sent row's time is `now`, and the URN the API answered is kept. With `pool`,
        what the answer said of its quota, in the same commit (one sync to disk, not two)."""
        self._sql_all(finished(key, cells, now), *([pool_row(*pool)] if pool is not None else []))

    def strike(self, key: str) -> int:
        """One more run on which the API failed for this recipient alone; how many now."""
        self._sql("UPDATE sends SET strikes = strikes + 1 WHERE key = ?", (key,))
        row = self._sql("SELECT strikes FROM sends WHERE key = ?", (key,)).fetchone()
        return int(row[0]) if row else 0

    def save_pool(self, api: str, pool: Pool) -> None:
        self._sql(*pool_row(api, pool))

    def record(self, *statements: Statement) -> None:
        """What another module writes (a lookup and its quota, lookuprows.py), in one commit."""
        self._sql_all(*statements)


def _trouble(path: Path, err: sqlite3.Error) -> str:
    """One line on what went wrong writing the journal, and what to do."""
    text = str(err)
    if "full" in text:
        what = f"the disk holding it is full; free some space in {path.parent}"
    elif "readonly" in text or "read-only" in text:
        what = "it, or its folder, is read-only; make both writable"
    elif "malformed" in text or "not a database" in text:
        what = "it is damaged; keep it and restore a backup, or see --trust-sheet in the README"
    elif "I/O" in text:
        what = "the disk failed while writing it; check the disk"
    else:
        what = "SQLite refused the write"
    return (
        f"{path}: the journal cannot record the sends ({text}): {what}, then run again. "
        "Nothing more was sent; everything recorded until now is kept"
    )


def _connect(path: Path, *, read_only: bool) -> sqlite3.Connection:
    """A reader's connection (status, a dry run) is read-only: closing an ordinary one would
    fold a killed run's log into the file and delete it, and the journal would then look as if
    its log had been lost. One an earlier version wrote is opened to be upgraded."""
    if read_only:
        uri = f"{path.absolute().as_uri()}?mode=ro"
        db = sqlite3.connect(uri, uri=True, isolation_level=None)
        db.execute("PRAGMA busy_timeout=5000")
        columns = {row[1] for row in db.execute("PRAGMA table_info(sends)")}
        if "strikes" in columns:
            return db
        db.close()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA busy_timeout=5000")
    return db


def _upgrade(db: sqlite3.Connection) -> None:
    """Bring a journal an earlier version wrote up to this schema."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(sends)")}
    if "strikes" not in columns:
        db.execute("ALTER TABLE sends ADD COLUMN strikes INTEGER NOT NULL DEFAULT 0")


def begun(plan: SendPlan, now: datetime) -> Statement:
    """What `Journal.begin` writes: the send in flight."""
    return (
        "INSERT INTO sends (key, status, detail, public_id, urn, row, endpoint, "
        "account, message, subject, sent_at, updated_at) "
        "VALUES (?, ?, '', ?, ?, ?, ?, ?, ?, ?, NULL, ?) "
        "ON CONFLICT (key) DO UPDATE SET status = excluded.status, detail = '', "
        "public_id = excluded.public_id, urn = excluded.urn, row = excluded.row, "
        "endpoint = excluded.endpoint, account = excluded.account, "
        "message = excluded.message, subject = excluded.subject, sent_at = NULL, "
        "updated_at = excluded.updated_at",
        (
            plan.recipient.key,
            Status.IN_FLIGHT,
            plan.recipient.public_id,
            # the URN a lookup gave (route = "auto"): should this send end unknown, another
            # row naming the person by URN is a duplicate, not a second message
            plan.recipient.urn or plan.found_urn,
            plan.row,
            plan.endpoint,
            plan.account,
            plan.message,
            plan.subject,
            iso(now),
        ),
    )


def finished(key: str, cells: StatusCells, now: datetime) -> Statement:
    """What `Journal.finish` writes: the send's outcome."""
    status = cells.status or Status.PENDING
    return (
        "UPDATE sends SET status = ?, detail = ?, urn = COALESCE(?, urn), "
        "sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END, updated_at = ? "
        "WHERE key = ?",
        (status, cells.detail, cells.urn or None, status, iso(now), iso(now), key),
    )

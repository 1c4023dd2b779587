"""The sandbox's state in SQLite: quota counts, and the log of delivered messages.

In memory, or in a file shared by processes: the sandbox CLI is a new process each run and must
find its quota spent, and tests read the delivered log of a run in another process.
"""

from __future__ import annotations

import json
import sqlite3
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..plans import Endpoint


@dataclass(frozen=True)
class ReceivedRequest:
    """One request that reached the sandbox, and what became of it."""

    endpoint: Endpoint | None  # None for an unknown path
    payload: dict | None  # the JSON body, None when it was not a JSON object
    account: str  # accountId, or "default"
    status: int  # the status answered; 0 when nothing was answered
    delivered: bool  # the simulated LinkedIn message was sent (quota spent)
    at: datetime


_SCHEMA = """
CREATE TABLE IF NOT EXISTS quota (
    account TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    period INTEGER NOT NULL,
    used INTEGER NOT NULL,
    PRIMARY KEY (account, endpoint)
);
CREATE TABLE IF NOT EXISTS delivered (
    seq INTEGER PRIMARY KEY,
    endpoint TEXT NOT NULL,
    account TEXT NOT NULL,
    payload TEXT NOT NULL,
    status INTEGER NOT NULL,
    at TEXT NOT NULL
);
"""


class Store:
    """Quota counts and the delivered log in SQLite: a file shared by processes, or memory."""

    def __init__(self, path: Path | None) -> None:
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            ":memory:" if path is None else path, isolation_level=None, check_same_thread=False
        )
        # Close the connection even when the owner forgets to (no ResourceWarning on 3.13+).
        self.close = weakref.finalize(self, self._db.close)
        self._db.executescript(_SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        # IMMEDIATE takes the write lock up front, so two processes cannot both spend the last unit.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def used(self, account: str, endpoint: Endpoint, period: int) -> int:
        row = self._db.execute(
            "SELECT used FROM quota WHERE account = ? AND endpoint = ? AND period = ?",
            (account, endpoint, period),
        ).fetchone()
        return row[0] if row else 0

    def consume(self, account: str, endpoint: Endpoint, period: int) -> int:
        """Spend one unit in `period` (a count from an older period starts over); the new count."""
        (used,) = self._db.execute(
            "INSERT INTO quota (account, endpoint, period, used) VALUES (?, ?, ?, 1)"
            " ON CONFLICT (account, endpoint) DO UPDATE SET"
            " used = CASE WHEN period = excluded.period THEN used + 1 ELSE 1 END,"
            " period = excluded.period"
            " RETURNING used",
            (account, endpoint, period),
        ).fetchone()
        return used

    def log_delivery(self, request: ReceivedRequest) -> None:
        self._db.execute(
            "INSERT INTO delivered (endpoint, account, payload, status, at) VALUES (?, ?, ?, ?, ?)",
            (
                request.endpoint,
                request.account,
                json.dumps(request.payload),
                request.status,
                request.at.isoformat(),
            ),
        )

    def deliveries(self) -> list[ReceivedRequest]:
        rows = self._db.execute(
            "SELECT endpoint, payload, account, status, at FROM delivered ORDER BY seq"
        )
        return [
            ReceivedRequest(
                Endpoint(endpoint),
                json.loads(payload),
                account,
                status,
                True,
                datetime.fromisoformat(at),
            )
            for endpoint, payload, account, status, at in rows
        ]

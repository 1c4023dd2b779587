"""Named points where the crash tests kill this process, to prove what a real crash leaves.

`CAMPAIGN_RUNNER_CRASH_AT=name` (or `name@N`, the N-th time it is reached) sends SIGKILL to the
process there: no cleanup, no finally blocks, exactly like a power cut or an OOM kill. Unset,
a point costs one dictionary look-up.
"""

from __future__ import annotations

import os
import signal
import sqlite3
from collections import Counter

ENV = "CAMPAIGN_RUNNER_CRASH_AT"

# The points, in the order a send meets them.
IN_FLIGHT_COMMITTED = "in-flight-committed"  # the journal says in flight; the request not yet sent
ANSWER_RECEIVED = "answer-received"  # the API answered; the outcome not yet committed
SHEET_MID_WRITE = "sheet-mid-write"  # the new sheet is in its temporary file, not yet renamed
# route = "auto": a relationship lookup answered, its answer not yet committed (before the send)
LOOKED_UP = "looked-up"
POINTS = (IN_FLIGHT_COMMITTED, ANSWER_RECEIVED, SHEET_MID_WRITE, LOOKED_UP)

_reached: Counter[str] = Counter()


def reached(name: str) -> None:
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    point, _, nth = wanted.partition("@")
    if point != name:
        return
    _reached[name] += 1
    if _reached[name] >= int(nth or 1):
        # SIGKILL where there is one; on Windows SIGTERM ends the process just as abruptly.
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


# Limits a test sets on the journal, so that SQLite itself refuses writes as it does on a full
# disk ("full": no more pages than now) or a read-only file ("readonly").
JOURNAL_LIMIT_ENV = "CAMPAIGN_RUNNER_JOURNAL_LIMIT"


def limit_journal(db: sqlite3.Connection) -> None:
    limit = os.environ.get(JOURNAL_LIMIT_ENV)
    if limit == "full":
        (pages,) = db.execute("PRAGMA page_count").fetchone()
        db.execute(f"PRAGMA max_page_count = {int(pages)}")
    elif limit == "readonly":
        db.execute("PRAGMA query_only = 1")

"""Whether a journal file can be trusted before it is used: not empty, SQLite, its write-ahead
log not lost after a crash, and whole.

A damaged journal must never pass for a new one (that would mean messaging everyone again).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path


class JournalDamaged(Exception):
    """The journal file exists but cannot be trusted; the text says what is wrong with it."""


_SQLITE_HEADER = b"SQLite format 3\x00"


def check_at_rest(path: Path) -> None:
    """Refuse a journal that is empty, not SQLite, or whose write-ahead log was lost."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(_SQLITE_HEADER))
    except OSError as err:
        raise JournalDamaged(f"it cannot be read ({err.strerror})") from None
    if not header:
        raise JournalDamaged("it is empty (0 bytes)")
    if header != _SQLITE_HEADER:
        raise JournalDamaged("it is not an SQLite database (garbled, or another file)")
    if path.with_name(path.name + "-wal").exists():
        return  # a crash left its log: opening replays it
    # Read the main file alone, as it is on disk: with no log beside it, it says whether a run
    # was under way when it was last written (a crash), and then records may be missing.
    try:
        uri = f"{path.absolute().as_uri()}?immutable=1"
        with closing(sqlite3.connect(uri, uri=True)) as db:
            state = db.execute("SELECT value FROM meta WHERE key = 'state'").fetchone()
    except sqlite3.OperationalError as err:
        if "no such table" in str(err):
            return  # written by an earlier version, which kept no state
        raise JournalDamaged(f"SQLite cannot read it ({err})") from None
    except sqlite3.DatabaseError as err:
        raise JournalDamaged(f"SQLite cannot read it ({err})") from None
    if state == ("open",):
        raise JournalDamaged(
            "a run was under way when it was last written and its write-ahead log "
            f"({path.name}-wal) is missing, so the records of the last sends may be lost"
        )


def check_integrity(db: sqlite3.Connection) -> None:
    problems = [row[0] for row in db.execute("PRAGMA quick_check")]
    if problems != ["ok"]:
        raise JournalDamaged(f"it is damaged or truncated ({problems[0]})")

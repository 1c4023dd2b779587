"""A journal's quota rows: what the API last said of each account's quotas, written with the
outcome of the send it came with, and read by the run and by other campaigns' (history.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from .clock import iso
from .plans import Endpoint
from .quota import Pool, parse_time


def pool_row(api: str, pool: Pool) -> tuple[str, Sequence[object]]:
    reset, until = (iso(t) if t else None for t in (pool.reset, pool.blocked_until))
    return (
        "INSERT OR REPLACE INTO pools (api, account, endpoint, lim, used, remaining, reset, "
        "blocked_until, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (api, pool.account, pool.endpoint, pool.limit, pool.used, pool.remaining)
        + (reset, until, pool.reason),
    )


def read_pools(db: sqlite3.Connection, api: str) -> list[Pool]:
    """The quotas a journal keeps for `api` (from other campaigns' journals too)."""
    rows = db.execute(
        "SELECT account, endpoint, lim, used, remaining, reset, blocked_until, reason "
        "FROM pools WHERE api = ?",
        (api,),
    )
    return [
        Pool(r[0], Endpoint(r[1]), r[2], r[3], r[4], _time(r[5]), _time(r[6]), r[7])
        for r in rows
        if r[1] in _ENDPOINTS  # not another version's quota of a kind of request unknown here
    ]


_ENDPOINTS = frozenset(endpoint.value for endpoint in Endpoint)


def _time(value: str | None) -> datetime | None:
    return parse_time(value) if value else None

"""Sending: a run of a campaign to the simulator on a loopback HTTP server, no pauses, against
the least a crash-safe sender does: an `httpx.Client` posting the same payloads in a loop, with
two durable SQLite commits per send (in flight before the request, its outcome after)."""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path

import httpx

from runner.api import ApiClient, ApiTarget, make_http_client
from runner.campaign import load_campaign
from runner.clock import SystemClock
from runner.prepare import Prepared, prepare
from runner.run import Run
from runner.settings import Places, RunOptions, places

from .campaigns import KEY, Setup, loopback, make_campaign, state
from .leads import leads_csv
from .measures import Figure

SENDS = 2_000  # sends at most, at any size: a hundred thousand would take minutes


def sends(setup: Setup) -> int | None:
    """How many rows this size sends; None where a smaller size already sent as many."""
    count = min(setup.rows, SENDS)
    if any(min(size, SENDS) == count for size in setup.sizes if size < setup.rows):
        return None
    return count


def sending(setup: Setup) -> list[Figure]:
    count = sends(setup)
    if count is None:
        return []
    sheet = setup.folder / f"send-{count}.csv"
    leads_csv(sheet, count)
    runs = itertools.count()
    ready: list[tuple[Prepared, Places]] = []

    def fresh() -> None:
        """A campaign never run, planned: each run sends every row."""
        folder = setup.folder / f"send-run-{next(runs)}"
        folder.mkdir()
        toml = make_campaign(folder, sheet)
        campaign = load_campaign(toml)
        where = places(campaign, sandbox=False, state_dir=state(toml))
        ready[:] = [(prepare(campaign, where), where)]

    def send() -> None:
        prepared, where = ready.pop()
        clock = SystemClock()
        target = ApiTarget(loopback(), KEY, 30)
        with make_http_client(target) as http:
            api = ApiClient(http, clock)
            report = Run(prepared, RunOptions(where, "bench"), api, clock).execute()
        assert report.sent == count, report

    fresh()
    payloads = [(rp.plan.recipient.key, rp.plan.payload()) for rp in ready[0][0].plans if rp.plan]
    return [
        Figure(
            name="sending",
            rows=count,
            measured="Run.execute over httpx to the simulator, no pauses",
            run=send,
            baseline="httpx.Client loop, two SQLite commits a send (WAL, synchronous=FULL)",
            run_baseline=lambda: bare_send(payloads, setup.folder / f"bare-{next(runs)}.sqlite"),
            target=1.2,
            before=fresh,
        )
    ]


def bare_send(payloads: list[tuple[str, dict[str, object]]], journal: Path) -> None:
    """Each payload posted in turn, its send committed as in flight before the request and
    its outcome after, durably."""
    db = sqlite3.connect(journal, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE sends (key TEXT PRIMARY KEY, status TEXT, urn TEXT)")
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=loopback(), headers=headers, timeout=30) as client:
        for key, payload in payloads:
            db.execute("INSERT INTO sends VALUES (?, 'in flight', NULL)", (key,))
            answer = client.post("/message", json=payload)
            answer.raise_for_status()
            urn = answer.json().get("recipientProfileUrn")
            db.execute("UPDATE sends SET status = 'sent', urn = ? WHERE key = ?", (urn, key))
    db.close()

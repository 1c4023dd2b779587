"""A day's sending from several accounts at once, against one account's: each account sends from
its own thread, so five accounts should take about the time one takes when the API is slow."""

from __future__ import annotations

import csv
import itertools
import time
from pathlib import Path

import httpx

from runner.api import ApiClient, ApiTarget, make_http_client
from runner.campaign import load_campaign
from runner.clock import SystemClock
from runner.prepare import prepare
from runner.run import Run
from runner.sandbox import Sandbox, transport
from runner.settings import RunOptions, places

from .campaigns import KEY, Setup
from .measures import Figure

ANSWER_SECONDS = 0.1  # how long the simulator takes to answer each send
ROWS_PER_ACCOUNT = 10
_runs = itertools.count()


class SlowApi(httpx.BaseTransport):
    """The sandbox, answering each request after `ANSWER_SECONDS` (a slow API)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.inner = transport(sandbox)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        time.sleep(ANSWER_SECONDS)
        return self.inner.handle_request(request)


def send_day(folder: Path, accounts: int) -> None:
    """One campaign of `ROWS_PER_ACCOUNT` rows per account, sent to the end, from scratch."""
    where_to = folder / f"run-{next(_runs)}"
    where_to.mkdir()
    with (where_to / "leads.csv").open("w", newline="", encoding="utf-8") as handle:
        rows = csv.writer(handle)
        rows.writerow(["First Name", "recipientProfileId", "accountId"])
        for i in range(accounts * ROWS_PER_ACCOUNT):
            rows.writerow([f"P{i}", f"person-{i}", f"acc_{i % accounts}"])
    (where_to / "message.txt.j2").write_text("Hi {{ first_name }}", encoding="utf-8")
    (where_to / "campaign.toml").write_text(
        'sheet = "leads.csv"\nmessage_template = "message.txt.j2"\n'
        "[pacing]\nmin_delay = 0\nmax_delay = 0\n",
        encoding="utf-8",
    )
    campaign = load_campaign(where_to / "campaign.toml")
    where = places(campaign, sandbox=False, state_dir=where_to / "state")
    clock = SystemClock()
    sandbox = Sandbox(KEY, clock)
    target = ApiTarget("http://sandbox.invalid/linkedin", KEY, 30)
    with make_http_client(target, SlowApi(sandbox)) as http:
        report = Run(
            prepare(campaign, where), RunOptions(where, "bench"), ApiClient(http, clock), clock
        ).execute()
    sandbox.close()
    assert report.sent == accounts * ROWS_PER_ACCOUNT, report


def accounts(setup: Setup) -> list[Figure]:
    """Measured once, at the smallest size: no size changes it."""
    if setup.rows != setup.sizes[0]:
        return []
    return [
        Figure(
            name=f"a day's sending from 5 accounts, the API answering in {ANSWER_SECONDS} s",
            rows=None,
            measured=f"5 accounts x {ROWS_PER_ACCOUNT} rows, one campaign",
            run=lambda: send_day(setup.folder, 5),
            baseline=f"1 account x {ROWS_PER_ACCOUNT} rows",
            run_baseline=lambda: send_day(setup.folder, 1),
            target=1.3,
        )
    ]

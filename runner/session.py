"""One sending session: the HTTP client (in-process to the sandbox when the run asks for it), a
clock whose pauses a stop request cuts short, and the run. The CLI's one call to send, and to
look the routes up ahead of sending (--lookup)."""

from __future__ import annotations

import sqlite3
from contextlib import ExitStack

import httpx

from .api import ApiClient, ApiTarget, make_http_client
from .campaign import Campaign, RouteMode
from .clock import Clock
from .errors import ConfigError
from .outcomes import Progress, RunReport
from .prepare import Prepared
from .run import Run
from .settings import Places, RunOptions
from .stopping import StoppableClock, StopRequest


def run_campaign(
    prepared: Prepared,
    target: ApiTarget,
    options: RunOptions,
    clock: Clock,
    progress: Progress | None = None,
    stop: StopRequest | None = None,
) -> RunReport:
    """Send the campaign to `target` (the built-in sandbox when it says so). A `stop` request
    (the CLI makes signals into one) ends it gracefully."""
    stop = stop or StopRequest()
    clock = StoppableClock(clock, stop)  # pauses, here and between retries, end at a stop
    with ExitStack() as stack:
        transport = None
        if target.sandbox:
            transport = _sandbox_transport(prepared, target, options.places, clock, stack)
        http = stack.enter_context(make_http_client(target, transport))
        api = ApiClient(http, clock)
        run = Run(prepared, options, api, clock, progress=progress, stop=stop)
        return run.execute()


def look_up(
    prepared: Prepared,
    target: ApiTarget,
    where: Places,
    clock: Clock,
    progress: Progress,
    stop: StopRequest,
    wait: bool = False,
    trust: bool = False,
) -> RunReport:
    """--lookup (route = "auto"): the relationship lookup of every row not looked up yet, and
    nothing else: nothing is sent, the sheet is not written."""
    options = RunOptions(
        places=where,
        api_name="sandbox" if target.sandbox else target.base_url,
        trust_sheet=trust or target.sandbox,  # as a run would take the sheet
        wait=wait,
        lookups_only=True,
    )
    return run_campaign(prepared, target, options, clock, progress, stop)


def check_lookup(lookup: bool, campaign: Campaign) -> None:
    """--lookup on a campaign that routes by its columns has nothing to look up."""
    if lookup and campaign.route is not RouteMode.AUTO:
        raise ConfigError(
            f'--lookup: {campaign.path.name} routes each row by its columns (route = "columns"), '
            'so there is nothing to look up; set route = "auto" to route by relationship'
        )


def _sandbox_transport(
    prepared: Prepared, target: ApiTarget, places: Places, clock: Clock, stack: ExitStack
) -> httpx.BaseTransport:
    from .sandbox import Sandbox, transport  # here, not at the top: only a sandbox run needs it

    try:
        sandbox = Sandbox(
            target.api_key,
            clock,
            day_seconds=prepared.campaign.api.sandbox_day_seconds,
            store_path=places.sandbox_store,
        )
    except (OSError, sqlite3.Error) as error:
        raise ConfigError(
            f"{places.state_dir}: cannot keep the sandbox's state there ({error}); "
            "choose another folder with --state-dir"
        ) from None
    stack.callback(sandbox.close)
    return transport(sandbox)

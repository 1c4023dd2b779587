"""What a row left waiting says: the quota, window or cap it waits on, and until when, in the
account's local time and UTC; and how --wait sleeps through a pause."""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from .campaign import Campaign
from .caps import Caps
from .clock import Clock, iso
from .outcomes import Progress
from .plans import SENDS, Endpoint, PoolKey, SendPlan
from .projection import Projection, project
from .quota import QUOTA_USED_UP, Pool
from .schedule import Scheduler, Wait, WaitReason
from .status import Status, StatusCells

# The waits the clock ends, which the summary names (a quota's are named by its pool).
CLOCK = frozenset({WaitReason.WINDOW, WaitReason.CAP, WaitReason.ELSEWHERE})


@dataclass(frozen=True)
class Shown:
    blocked: list[Pool]  # spent quotas rows wait on
    waits: list[tuple[Wait, str]]  # closed windows and reached caps rows wait on, and what they say
    projection: Projection  # when the rows left will go, at these limits


def mark_waiting(
    queue: Sequence[SendPlan],
    states: MutableMapping[int, StatusCells],
    scheduler: Scheduler,
    campaign: Campaign,
    in_flight: Collection[str],
    now: datetime,
) -> Shown:
    """Give each pending row that waits the detail saying on what and until when."""
    pools = scheduler.pools
    blocked: dict[PoolKey, Pool] = {}
    waits: dict[tuple[str, WaitReason], tuple[Wait, str]] = {}
    for plan in queue:
        cells = states.get(plan.row)
        if cells is None or cells.status is not Status.PENDING:
            continue
        found = scheduler.waiting(plan, now)
        if not found or plan.recipient.key in in_flight:
            continue
        for wait in found:  # each sender's (several with rotate_accounts), earliest first
            key = _blocking(pools, wait, plan.endpoint, now)
            if wait.reason in (WaitReason.QUOTA, WaitReason.ASKED) and key in pools:
                blocked[key] = pools[key]
            detail = wait_detail(wait, scheduler, campaign, now, pools.get(key))
            waits.setdefault((wait.account, wait.reason), (wait, detail))
            if wait is found[0]:
                states[plan.row] = replace(cells, detail=detail)
    clock_waits = [pair for pair in sorted(waits.values()) if pair[0].reason in CLOCK]
    left = [plan for plan in queue if _pending(states.get(plan.row))]
    projection = project(
        left,
        pools,
        now,
        pacing_for=campaign.pacing_for,
        rotate=campaign.rotate_accounts,
        caps=scheduler.caps,
    )
    return Shown([blocked[key] for key in sorted(blocked)], clock_waits, projection)


def first_go(
    queue: Sequence[SendPlan],
    pools: Mapping[PoolKey, Pool],
    campaign: Campaign,
    caps: Caps,
    now: datetime,
) -> tuple[datetime | None, bool]:
    """When the first row of `queue` can go, where none can now (None: one can, or none is
    left), and whether the lookups' quota (route = "auto") is what holds it until then: what
    `status` says to do next. Nothing is taken or sent; only the waits are asked."""
    scheduler = Scheduler(
        (), pools, campaign.pacing_for, random.Random(0), caps=caps, rotate=campaign.rotate_accounts
    )
    first: tuple[datetime, bool] | None = None
    asked: set[PoolKey] = set()
    for plan in queue:
        if plan.pool in asked:  # the same account and way: the same waits
            continue
        asked.add(plan.pool)
        waits = scheduler.waiting(plan, now)
        if not waits:
            return None, False
        wait = waits[0]
        quota = wait.reason in (WaitReason.QUOTA, WaitReason.ASKED)
        key = _blocking(pools, wait, plan.endpoint, now)
        lookups = quota and key.endpoint is Endpoint.RELATIONSHIP
        if first is None or wait.until < first[0]:
            first = (wait.until, lookups)
    return first if first is not None else (None, False)


def _blocking(
    pools: Mapping[PoolKey, Pool], wait: Wait, endpoint: Endpoint, now: datetime
) -> PoolKey:
    """The quota a wait is for: the endpoint's own, but for a lookup (route = "auto") held back
    because no send could follow it, the spent quota of the sends."""
    key = PoolKey(wait.account, endpoint)
    if endpoint is not Endpoint.RELATIONSHIP or (key in pools and pools[key].blocked(now)):
        return key
    spent = [PoolKey(wait.account, each) for each in SENDS]
    return next((k for k in spent if k in pools and pools[k].blocked_until == wait.until), key)


def _pending(cells: StatusCells | None) -> bool:
    return cells is not None and cells.status is Status.PENDING


def wait_detail(
    wait: Wait, scheduler: Scheduler, campaign: Campaign, now: datetime, pool: Pool | None = None
) -> str:
    """What a wait is for, and until when; a quota's `pool`, if not given, is the account's
    quota spent until then (the messages' before the lookups', where both are)."""
    if pool is None and wait.reason in (WaitReason.QUOTA, WaitReason.ASKED):
        spent = [
            p
            for p in scheduler.pools.values()
            if p.account == wait.account and p.blocked(now) and p.blocked_until == wait.until
        ]
        pool = min(spent, key=lambda p: p.endpoint is Endpoint.RELATIONSHIP, default=None)
    window = campaign.pacing_for(wait.account).window
    who = f"account {wait.account}" if wait.account else "the account"
    if wait.reason is WaitReason.WINDOW:
        return f"outside the send window of {who}; it opens {window.describe(wait.until)}"
    if wait.reason is WaitReason.ELSEWHERE:
        holder = scheduler.elsewhere.get(wait.account, "another run")
        return (
            f"another run is sending from {who} ({holder}); its rows wait until that run "
            f"ends (asked again at {iso(wait.until)})"
        )
    if wait.reason is WaitReason.CAP:
        cap = scheduler.caps.state(wait.account, now).cap
        pacing = campaign.pacing_for(wait.account)
        which = "its own daily limit"
        if pacing.warmup is not None and (pacing.daily_limit is None or cap != pacing.daily_limit):
            up_to = f", up to {pacing.daily_limit}" if pacing.daily_limit else ""
            which = f"its warm-up limit today; {pacing.warmup.step} more each day it sends{up_to}"
        again = window.describe(wait.until)
        return f"{who} sent its {cap} for today ({which}); it sends again {again}"
    if pool is not None and pool.asked_to_wait:
        return f"{pool.reason}; may send again at {iso(wait.until)}"
    if pool is not None and pool.endpoint is Endpoint.RELATIONSHIP:
        return (
            f"the relationship lookups' {QUOTA_USED_UP} (route = auto); resets at {iso(wait.until)}"
        )
    return f"{QUOTA_USED_UP}; resets at {iso(wait.until)}"


def sleep_until(clock: Clock, until: datetime, progress: Progress) -> None:
    """Sleep to `until` in short steps, reading the wall clock each time: a laptop asleep
    through the moment wakes past it, and a clock set forward or back is followed. A stop
    request ends the sleep at once (the clock's sleep raises)."""
    while (now := clock.now()) < until:
        progress.waiting(until, now)
        clock.sleep(min((until - now).total_seconds(), progress.step))

"""Which send comes next: per-quota queues, human pacing per account, spent quotas.

The send loop asks one question, `next(now)`: a plan to send now, a `Wait` until a moment
(pacing, or a spent quota), or None when nothing is left that this run could send. Several
accounts, send windows and daily caps answer through it. Each account sends one message at a
time: a plan handed out is in flight until `done`, and its account gets nothing meanwhile.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .answers import Outcome, SendResult
from .journal import Entry
from .pacing import Pacing
from .plans import PoolKey, SendPlan
from .quota import Pool, exhausted, observe, parse_time
from .status import Status


class WaitReason(StrEnum):
    PACING = "pacing"  # the account paused after its last send, as a person would
    ASKED = "asked"  # the API asked to wait a while (a 429's Retry-After)
    QUOTA = "quota"  # every pool with rows left has spent its daily quota


@dataclass(frozen=True)
class Wait:
    until: datetime
    reason: WaitReason


class Scheduler:
    def __init__(
        self,
        queue: Iterable[SendPlan],
        pools: Mapping[PoolKey, Pool],
        pacing: Pacing,
        rng: random.Random,
        *,
        last_sent: Mapping[str, datetime] | None = None,
    ) -> None:
        self.lanes: dict[PoolKey, deque[SendPlan]] = {}
        self.requeue(queue)
        self.pools = dict(pools)
        self.pacing = pacing
        self.rng = rng
        self.failing: dict[str, str] = {}  # account -> why the API is failing for it
        self.busy: set[str] = set()  # accounts with a send in flight
        # account -> the earliest moment pacing lets it send again
        gap = timedelta(seconds=pacing.min_delay)
        self.next_send = {account: at + gap for account, at in (last_sent or {}).items()}

    def requeue(self, queue: Iterable[SendPlan]) -> None:
        """What is left to send, anew (the sheet was read again); pacing and quotas stay."""
        self.lanes = {}
        for plan in queue:
            self.lanes.setdefault(plan.pool, deque()).append(plan)

    def next(self, now: datetime) -> SendPlan | Wait | None:
        """What may be sent now (handed out: call `done` after), or until when to wait."""
        best: tuple[datetime, int] | None = None
        choice: PoolKey | None = None
        reopens: list[tuple[datetime, WaitReason]] = []
        for key, lane in self.lanes.items():
            if not lane or key.account in self.failing or key.account in self.busy:
                continue
            pool = self.pools.get(key)
            if pool is not None and pool.blocked(now):
                assert pool.blocked_until is not None
                why = WaitReason.ASKED if pool.asked_to_wait else WaitReason.QUOTA
                reopens.append((pool.blocked_until, why))
                continue
            rank = (self._ready_at(key.account, now), lane[0].row)
            if best is None or rank < best:
                best, choice = rank, key
        if best is None or choice is None:
            return Wait(*min(reopens)) if reopens else None
        if best[0] > now:
            return Wait(best[0], WaitReason.PACING)
        self.busy.add(choice.account)
        return self.lanes[choice].popleft()

    def _ready_at(self, account: str, now: datetime) -> datetime:
        """When pacing lets `account` send: never later than `max_delay` from now, whatever an
        earlier run, a sheet's typed date or a clock set wrong then stepped back says."""
        ready = self.next_send.get(account, now)
        latest = now + timedelta(seconds=self.pacing.max_delay)
        if ready > latest:
            self.next_send[account] = ready = latest
        return ready

    def done(self, plan: SendPlan, now: datetime) -> None:
        """The plan's send is over: its account pauses for a random human-like while."""
        self.busy.discard(plan.account)
        delay = self.rng.uniform(self.pacing.min_delay, self.pacing.max_delay)
        self.next_send[plan.account] = now + timedelta(seconds=delay)

    def again(self, plan: SendPlan) -> None:
        """The plan was not sent (its quota said wait): it goes first in its queue again."""
        self.lanes.setdefault(plan.pool, deque()).appendleft(plan)

    def release(self, plan: SendPlan) -> None:
        """The plan was not sent after all (no request went out): no pause follows."""
        self.busy.discard(plan.account)

    def learn(self, key: PoolKey, result: SendResult, now: datetime) -> Pool | None:
        """Take in what an answer said of its quota; returns the pool if that changed it."""
        before = self.pools.get(key)
        pool = observe(before or Pool(key.account, key.endpoint), result.rate, now)
        if result.outcome is Outcome.RATE_LIMITED:
            pool = exhausted(pool, result.reset, result.detail, now, result.retry_after)
        if pool == before:
            return None
        self.pools[key] = pool
        return pool

    def fail_account(self, account: str, why: str) -> None:
        """The API is failing for this account: nothing more is sent from it this run."""
        self.failing[account] = why

    def left(self) -> list[SendPlan]:
        """Every plan not handed out yet."""
        return [plan for lane in self.lanes.values() for plan in lane]


def last_sends(entries: Iterable[Entry]) -> dict[str, datetime]:
    """Each account's last send in the journal: a quick re-run still keeps the pause after it."""
    last: dict[str, datetime] = {}
    for entry in entries:
        sent = parse_time(entry.sent_at or "") if entry.status is Status.SENT else None
        if sent is not None:
            account = entry.account or ""
            last[account] = max(last.get(account, sent), sent)
    return last

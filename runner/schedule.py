"""Which send comes next: per-quota queues, human pacing per account, spent quotas.

The send loop asks one question, `next(now)`: a plan to send now, a `Wait` until a moment
(pacing, a spent quota, a closed send window, an own daily cap reached), or None when nothing
is left that an idle account could send. Each account sends one message at a time: a plan
handed out is in flight until `done`, and its account gets nothing meanwhile. Rows naming no
account go, with `rotate_accounts`, to whichever of those accounts can send first (the one with
most left today among equals), and keep that account from then on.
"""

from __future__ import annotations

import random
import re
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from .answers import Outcome, SendResult
from .caps import Caps
from .journal import Entry
from .pacing import Pacing
from .plans import SENDS, Endpoint, PoolKey, SendPlan
from .quota import Pool, exhausted, observe, parse_time
from .status import Status


class WaitReason(StrEnum):
    PACING = "pacing"  # the account paused after its last send, as a person would
    ASKED = "asked"  # the API asked to wait a while (a 429's Retry-After)
    QUOTA = "quota"  # the API's daily quota is spent
    WINDOW = "window"  # outside the account's send window (or on a weekend it skips)
    CAP = "cap"  # the account reached its own daily cap (daily_limit, warm-up)
    ELSEWHERE = "elsewhere"  # another run (another campaign) is sending from the account


# How long an account another run sends from waits before it is asked for again.
ELSEWHERE_RETRY = timedelta(minutes=5)


# What a run without --wait stops on, as on a spent quota: sending resumes at a later run.
DAY_WAITS = frozenset({WaitReason.QUOTA, WaitReason.WINDOW, WaitReason.CAP, WaitReason.ELSEWHERE})


@dataclass(frozen=True, order=True)
class Wait:
    until: datetime
    reason: WaitReason
    account: str = ""  # whose wait ("" for the API key's default account)


class Scheduler:
    def __init__(
        self,
        queue: Iterable[SendPlan],
        pools: Mapping[PoolKey, Pool],
        pacing: Pacing | Callable[[str], Pacing],
        rng: random.Random,
        *,
        last_sent: Mapping[str, datetime] | None = None,
        caps: Caps | None = None,
        rotate: Sequence[str] = (),
        take: Callable[[str], str | None] = lambda _account: None,
        reads_only: bool = False,
    ) -> None:
        self.lanes: dict[PoolKey, deque[SendPlan]] = {}
        self.requeue(queue)
        self.pools = dict(pools)
        self.pacing_for = pacing if callable(pacing) else (lambda _account: pacing)
        self.rng = rng
        self.caps = caps or Caps(self.pacing_for, {})
        self.rotate = tuple(rotate)  # rows naming no account go to whichever of these is free
        self.take = take  # takes an account for this run; else says which run sends from it
        self.elsewhere: dict[str, str] = {}  # account -> the other run sending from it
        self.failing: dict[str, str] = {}  # account -> why the API is failing for it
        self.busy: set[str] = set()  # accounts with a send in flight
        # Only lookups are queued (--lookup): no send follows them, so only their quota holds.
        self.reads_only = reads_only
        # account -> the earliest moment pacing lets it send again
        self.next_send = {
            account: at + timedelta(seconds=self.pacing_for(account).min_delay)
            for account, at in (last_sent or {}).items()
        }

    def requeue(self, queue: Iterable[SendPlan]) -> None:
        """What is left to send, anew (the sheet was read again); pacing and quotas stay."""
        self.lanes = {}
        for plan in queue:
            self.lanes.setdefault(plan.pool, deque()).append(plan)

    def senders(self, key: PoolKey) -> tuple[str, ...]:
        """The accounts that may send a lane's plans: its own, or the rotation's."""
        return self.rotate if key.account == "" and self.rotate else (key.account,)

    def next(self, now: datetime) -> SendPlan | Wait | None:
        """What may be sent now (handed out: call `done` after), or until when to wait (the
        earliest moment any account could send); None when no idle account has rows left."""
        best: tuple[datetime, int, int] | None = None
        choice: tuple[PoolKey, str, int] | None = None
        waits: list[Wait] = []
        for key, lane in self.lanes.items():
            if not lane:
                continue
            for account in self.senders(key):
                if account in self.failing or account in self.busy:
                    continue
                held = self.held(account, key.endpoint, now)
                first = self._first(lane, account, now) if held is None else held
                if isinstance(first, Wait):
                    waits.append(first)
                    continue
                ready = self._ready_at(account, now)
                rank = (ready, lane[first].row, -self._left(account, key, now))
                if best is None or rank < best:
                    best, choice = rank, (key, account, first)
        if best is None or choice is None:
            return min(waits) if waits else None
        key, account, index = choice
        if best[0] > now:
            return Wait(best[0], WaitReason.PACING, account)
        self.busy.add(account)
        plan = self.lanes[key][index]
        del self.lanes[key][index]
        return plan if plan.account == account else replace(plan, account=account)

    def _first(self, lane: deque[SendPlan], account: str, now: datetime) -> int | Wait:
        """Which plan of the lane goes first from `account`: the first, but among lookups
        (route = "auto") the first whose send could follow it, or until when none could."""
        if lane[0].endpoint is not Endpoint.RELATIONSHIP or self._follows(account, lane[0], now):
            return 0
        found = next((i for i, plan in enumerate(lane) if self._follows(account, plan, now)), None)
        if found is not None:
            return found
        wait = self._no_send(account, now)
        assert wait is not None  # else the first would have followed
        return wait

    def _follows(self, account: str, plan: SendPlan, now: datetime) -> bool:
        """Whether a send could follow `plan`'s lookup from `account` now: through /message
        (a connection, an InMail), or, for a row with a groupId, through send-group (the
        lookups of --lookup are followed by none, and need none)."""
        if self.reads_only or self._no_send(account, now) is None:
            return True
        return plan.group_id is not None and not self._spent(account, Endpoint.SEND_GROUP, now)

    def _no_send(self, account: str, now: datetime) -> Wait | None:
        """Until when `account`'s message quota is spent (or the API asked it to wait)."""
        pool = self.pools.get(PoolKey(account, Endpoint.MESSAGE))
        if pool is None or not pool.blocked(now):
            return None
        assert pool.blocked_until is not None
        why = WaitReason.ASKED if pool.asked_to_wait else WaitReason.QUOTA
        return Wait(pool.blocked_until, why, account)

    def _spent(self, account: str, endpoint: Endpoint, now: datetime) -> bool:
        pool = self.pools.get(PoolKey(account, endpoint))
        return pool is not None and pool.blocked(now)

    def held(
        self, account: str, endpoint: Endpoint, now: datetime, *, take: bool = True
    ) -> Wait | None:
        """Why `account` cannot send through `endpoint` now, and until when; None if it can
        (pacing aside). With `take`, an account that could send is taken for this run."""
        pool = self.pools.get(PoolKey(account, endpoint))
        if pool is not None and pool.blocked(now):
            assert pool.blocked_until is not None
            why = WaitReason.ASKED if pool.asked_to_wait else WaitReason.QUOTA
            return Wait(pool.blocked_until, why, account)
        if endpoint is Endpoint.RELATIONSHIP and self.reads_only:
            return None
        if endpoint is Endpoint.RELATIONSHIP:  # a lookup is made when a send could follow it
            sends = [self.pools.get(PoolKey(account, each)) for each in SENDS]
            spent = [
                p.blocked_until
                for p in sends
                if p is not None and p.blocked_until and p.blocked(now)
            ]
            if len(spent) == len(SENDS):
                return Wait(min(spent), WaitReason.QUOTA, account)
        window = self.pacing_for(account).window
        if not window.is_open(now):
            return Wait(window.next_open(now), WaitReason.WINDOW, account)
        if self.caps.reached(account, now):
            return Wait(self.caps.reopens(account, now), WaitReason.CAP, account)
        if take:
            holder = self.take(account)
            if holder is None:
                self.elsewhere.pop(account, None)
            else:
                self.elsewhere[account] = holder
        if account in self.elsewhere:
            return Wait(now + ELSEWHERE_RETRY, WaitReason.ELSEWHERE, account)
        if self.caps.reached(account, now):  # taken just now: other runs' sends count too
            return Wait(self.caps.reopens(account, now), WaitReason.CAP, account)
        return None

    def waiting(self, plan: SendPlan, now: datetime) -> list[Wait]:
        """Why a plan left unsent waits: each of its possible senders' waits, earliest first
        (none when one of them could send it)."""
        senders = self.senders(plan.pool)
        waits = [
            self.held(account, plan.endpoint, now, take=False)
            or (None if self._follows(account, plan, now) else self._no_send(account, now))
            for account in senders
        ]
        found = [wait for wait in waits if wait is not None]
        return sorted(found) if len(found) == len(waits) else []

    def _left(self, account: str, key: PoolKey, now: datetime) -> int:
        """What the account has left today: the API's quota and its own cap, the lesser."""
        pool = self.pools.get(PoolKey(account, key.endpoint))
        left = pool.remaining if pool and pool.remaining is not None else key.endpoint.daily_limit
        cap = self.caps.state(account, now).left
        return left if cap is None else min(left, cap)

    def _ready_at(self, account: str, now: datetime) -> datetime:
        """When pacing lets `account` send: never later than `max_delay` from now, whatever an
        earlier run, a sheet's typed date or a clock set wrong then stepped back says."""
        if self.reads_only:
            return now
        ready = self.next_send.get(account, now)
        latest = now + timedelta(seconds=self.pacing_for(account).max_delay)
        if ready > latest:
            self.next_send[account] = ready = latest
        return ready

    def done(self, plan: SendPlan, now: datetime, *, counted: bool = True) -> None:
        """The plan's send is over: its account pauses for a random human-like while. A send
        that may have reached the person (`counted`) counts toward the account's cap."""
        self.busy.discard(plan.account)
        pacing = self.pacing_for(plan.account)
        delay = self.rng.uniform(pacing.min_delay, pacing.max_delay)
        self.next_send[plan.account] = now + timedelta(seconds=delay)
        if counted:
            self.caps.add(plan.account, now)

    def again(self, plan: SendPlan) -> None:
        """The plan was not sent (its quota said wait): it goes first in its queue again."""
        self.lanes.setdefault(plan.pool, deque()).appendleft(plan)

    def put_back(self, plan: SendPlan) -> None:
        """The plan is not to go yet after all (no request went out): first in its queue again,
        its account free."""
        self.again(plan)
        self.release(plan)

    def release(self, plan: SendPlan) -> None:
        """The plan was not sent after all (no request went out): no pause follows."""
        self.busy.discard(plan.account)

    def looked_up(self, plan: SendPlan, now: datetime, routed: SendPlan | None) -> None:
        """A lookup's answer came: its row's send (`routed`, first in its queue) follows at
        once where it can; else the account pauses as after a send, so that lookups alone go
        at a person's pace too."""
        if routed is not None:
            self.again(routed)
        follows = routed is not None and self.held(plan.account, routed.endpoint, now) is None
        if follows or self.reads_only:
            self.release(plan)
        else:
            self.done(plan, now, counted=False)

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


def sticky(queue: Iterable[SendPlan], entries: Iterable[Entry]) -> list[SendPlan]:
    """Rows naming no account keep the account of an earlier attempt that may have reached the
    person (unknown): a resumed campaign never moves a conversation it may have begun to
    another sender. One that certainly did not (pending, refused) goes to any account, so a
    banned or removed account takes nothing more."""
    took = {
        entry.key: entry.account
        for entry in entries
        if entry.account and entry.status in (Status.UNKNOWN, Status.IN_FLIGHT)
    }
    return [
        replace(plan, account=took[plan.recipient.key])
        if not plan.account and took.get(plan.recipient.key)
        else plan
        for plan in queue
    ]


def last_sends(entries: Iterable[Entry]) -> dict[str, datetime]:
    """Each account's last send in the journal: a quick re-run still keeps the pause after it.
    Times as the runner writes them (`iso`) sort as their text does: only each account's
    latest of those is parsed, not one a send (a resume of 100,000 sends parsed them all)."""
    sent = [e for e in entries if e.status is Status.SENT and e.sent_at]
    latest: dict[str, str] = {}  # account -> its latest time in iso()'s form
    texts: list[tuple[str, str]] = []  # (account, time) in any other form
    for entry in sent:
        account, text = entry.account or "", entry.sent_at or ""
        if len(text) == 20 and _ISO.fullmatch(text):
            if text > latest.get(account, ""):
                latest[account] = text
        else:
            texts.append((account, text))
    for account, text in latest.items():
        if parse_time(text) is None:  # no real time (a sheet's 2026-02-30): parse them all
            texts += [(account, e.sent_at or "") for e in sent if (e.account or "") == account]
    last: dict[str, datetime] = {}
    for account, text in [*latest.items(), *texts]:
        moment = parse_time(text)
        if moment is not None:
            last[account] = max(last.get(account, moment), moment)
    return last


_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")  # as clock.iso has it

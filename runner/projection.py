"""When a campaign will be done at the current limits: one source of these numbers for the dry
run, `status` and the run's summary. Pure.

Day by day, each account sends what every limit on it allows: the API's quota per endpoint
(what it has left today, then the limit it last reported, else its reference's), its own
`daily_limit` raised by the warm-up on each day it sent, its send window (none on a weekend it
skips; today, what is left of it), and its pacing (a window of 8 hours at 10 minutes a send is
48 sends). Rows naming no account go to the rotation's accounts with room. A row still to look
up (route = "auto") spends one of the account's lookups (GET /relationship, their own quota)
and is counted as a normal message, the way most go. It is an estimate: each account's days
are taken in its own time zone, the API's in UTC, as if they lined up.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from .caps import Caps
from .pacing import Pacing
from .plans import SENDS, Endpoint, PoolKey, SendPlan
from .quota import Pool
from .window import SendWindow

# Beyond this many days the campaign is said never to finish at these limits.
HORIZON = 3660


@dataclass(frozen=True)
class Projection:
    today: int  # rows the limits let go out today
    later: int  # rows left after today
    days: int  # days after today that those take
    daily: int  # the most a full day sends, at the limits of the accounts with rows to send
    finish: date | None = None  # the day the last row goes (None: nothing left, or never)
    never: int = 0  # rows no account can send within the horizon (its limits allow nothing)
    sandbox_day: float | None = None  # a sandbox trial's short "day" (seconds), if it has one
    resumes: datetime | None = None  # no row left can go now: when the first can (status)
    resumes_lookups: bool = False  # ... and what holds it until then is the lookups' quota

    @property
    def total(self) -> int:
        return self.today + self.later


@dataclass
class _Account:
    name: str
    pacing: Pacing
    active: int  # earlier days it sent on (for the warm-up)
    sent_today: int
    api: dict[Endpoint, int] = field(default_factory=dict)  # what the API lets it send today


def project(
    queue: Iterable[SendPlan],
    pools: Mapping[PoolKey, Pool],
    now: datetime,
    *,
    pacing_for: Callable[[str], Pacing] = lambda _account: Pacing(),
    rotate: Sequence[str] = (),
    caps: Caps | None = None,
) -> Projection:
    """How `queue` spreads over the days, at the quotas in `pools` and each account's pacing
    (as of `now`; `caps` holds what each account sent, for today's count and the warm-up)."""
    caps = caps or Caps(pacing_for, {})
    queue = list(queue)
    own: Counter[object] = Counter()  # PoolKey -> rows
    shared: Counter[object] = Counter()  # Endpoint -> rows naming no account (rotation)
    for plan in queue:
        if not plan.account and rotate:
            shared[plan.endpoint] += 1
        else:
            own[PoolKey(plan.account, plan.endpoint)] += 1
    names = sorted({plan.account for plan in queue if plan.account or not rotate})
    names = sorted(set(names) | (set(rotate) if shared else set()))
    accounts = [_account(name, pacing_for(name), caps, now) for name in names]
    limits = {
        PoolKey(name, endpoint): _limit(pools.get(PoolKey(name, endpoint)), endpoint)
        for name in names
        for endpoint in Endpoint
    }
    # A full day's most, where no day after today says: each way the rows go, at its limit
    # (a row to look up as a message).
    daily = sum(limits[key] for key in _keys(own, shared, names))
    sent: list[int] = []
    for day in range(HORIZON):
        for account in accounts:
            for endpoint in Endpoint:
                key = PoolKey(account.name, endpoint)
                left = _left_today(pools.get(key), limits[key], now) if day == 0 else limits[key]
                account.api[endpoint] = left
        sent.append(sum(_send_day(account, day, now, own, shared) for account in accounts))
        if not own.total() and not shared.total():
            break
    today, later = sent[0] if sent else 0, sum(sent[1:])
    daily = max(sent[1:], default=0) or daily  # what the limits let through on a full day
    never = own.total() + shared.total()
    days = len(sent) - 1 if not never else len(sent)
    last = max((i for i, count in enumerate(sent) if count), default=None)
    zone = pacing_for("").window
    finish = None if never or last is None else zone.day(now) + timedelta(days=last)
    return Projection(today, later + never, days, daily, finish, never)


def _keys(own: Counter[object], shared: Counter[object], names: list[str]) -> set[PoolKey]:
    """The quotas the rows are sent through (a row to look up: the message quota)."""
    keys = {_sent_by(key) for key, count in own.items() if count and isinstance(key, PoolKey)}
    endpoints = [key for key in shared if isinstance(key, Endpoint)]
    keys |= {_sent_by(PoolKey(name, endpoint)) for endpoint in endpoints for name in names}
    return keys


def _sent_by(key: PoolKey) -> PoolKey:
    if key.endpoint is Endpoint.RELATIONSHIP:
        return PoolKey(key.account, Endpoint.MESSAGE)
    return key


def _account(name: str, pacing: Pacing, caps: Caps, now: datetime) -> _Account:
    today = pacing.window.day(now)
    days = caps.days.get(name, Counter())
    active = sum(1 for day, count in days.items() if day < today and count)
    return _Account(name, pacing, active, days[today])


def _send_day(
    account: _Account, day: int, now: datetime, own: Counter[object], shared: Counter[object]
) -> int:
    """What `account` sends on day `day` (0: the rest of today), taken from the counters."""
    budget = _budget(account, day, now)
    sent = 0
    api = account.api
    for endpoint in (*SENDS, Endpoint.RELATIONSHIP):  # its own rows first, then the rotation's
        # A row to look up: one lookup, then (counted so) a normal message.
        way = Endpoint.MESSAGE if endpoint is Endpoint.RELATIONSHIP else endpoint
        for rows, key in ((own, PoolKey(account.name, endpoint)), (shared, endpoint)):
            count = min(rows[key], api[way], api[endpoint], budget)
            if count > 0:
                rows[key] -= count
                api[way] -= count
                if way is not endpoint:
                    api[endpoint] -= count
                budget -= count
                sent += count
    if sent:
        account.active += 1
    return sent


def _budget(account: _Account, day: int, now: datetime) -> int:
    """What the account's own limits let it send that day: its cap and its window at its pace."""
    pacing = account.pacing
    cap = pacing.cap(account.active)
    own = math.inf if cap is None else cap - (account.sent_today if day == 0 else 0)
    seconds = _open_today(pacing.window, now) if day == 0 else _open_on(pacing.window, now, day)
    pace = (pacing.min_delay + pacing.max_delay) / 2
    if seconds <= 0:
        return 0
    paced = math.inf if pace <= 0 else math.floor(seconds / pace) + 1
    return int(max(min(own, paced, 10**9), 0))


def _open_on(window: SendWindow, now: datetime, day: int) -> float:
    """How long the window is open on the local day `day` days after today's."""
    weekday = (window.day(now) + timedelta(days=day)).weekday()
    if window.skip_weekends and weekday >= 5:
        return 0
    length = (window.end - window.start) % (24 * 60) or 24 * 60
    return length * 60.0


def _open_today(window: SendWindow, now: datetime) -> float:
    """How long the window is still open today (to the local day's end), minute by minute."""
    if window.always:
        return (window.next_day(now) - now).total_seconds()
    end, moment, total = window.next_day(now), now, 0.0
    while moment < end:
        step = min(timedelta(minutes=1), end - moment)
        if window.is_open(moment):
            total += step.total_seconds()
        moment += step
    return total


def _limit(pool: Pool | None, endpoint: Endpoint) -> int:
    return (pool.limit if pool and pool.limit else None) or endpoint.daily_limit


def _left_today(pool: Pool | None, limit: int, now: datetime) -> int:
    if pool is None:
        return limit
    if pool.blocked(now):
        return 0
    if pool.reset is not None and pool.reset <= now:
        return limit  # its day has turned since the API last said
    return pool.remaining if pool.remaining is not None else limit


@dataclass(frozen=True)
class AccountToday:
    """One account's day, as `status` shows it."""

    account: str
    sent: int  # today (its local day), by every campaign of the state folder
    cap: int | None  # its own cap today (daily_limit, warm-up); None: only the API's quota
    quotas: tuple[Pool, ...]  # what the API last said of each endpoint's quota
    opens: datetime | None  # when its window next opens, if it is closed now


def accounts_today(
    names: Iterable[str],
    pools: Mapping[PoolKey, Pool],
    now: datetime,
    *,
    pacing_for: Callable[[str], Pacing] = lambda _account: Pacing(),
    caps: Caps | None = None,
) -> list[AccountToday]:
    """Each account's day so far: sent, own cap, the API's quotas, its window."""
    caps = caps or Caps(pacing_for, {})
    known = sorted(set(names) | {key.account for key in pools})
    days = []
    for name in known:
        state = caps.state(name, now)
        window = pacing_for(name).window
        quotas = tuple(pools[key] for key in sorted(pools) if key.account == name)
        opens = None if window.is_open(now) else window.next_open(now)
        days.append(AccountToday(name, state.sent, state.cap, quotas, opens))
    return days

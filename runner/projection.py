"""When a campaign will be done at the current limits: one source of these numbers for the dry
run, `status` and the run's summary. Pure.

Each quota (an account's use of an endpoint) sends what it has left today, then its daily
limit each day after: the limit the API last reported, else the one its reference gives.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from .plans import PoolKey, SendPlan
from .quota import Pool


@dataclass(frozen=True)
class Projection:
    today: int  # rows the quotas let go out today
    later: int  # rows left after today
    days: int  # days after today that those take, at the slowest quota
    daily: int  # what all the quotas with rows to send allow a day

    @property
    def total(self) -> int:
        return self.today + self.later


def project(queue: Iterable[SendPlan], pools: Mapping[PoolKey, Pool], now: datetime) -> Projection:
    """How `queue` spreads over the days, at the quotas in `pools` (as of `now`)."""
    waiting = Counter(plan.pool for plan in queue)
    today = later = days = daily = 0
    for key, count in waiting.items():
        pool = pools.get(key)
        limit = (pool.limit if pool and pool.limit else None) or key.endpoint.daily_limit
        first = min(count, _left_today(pool, limit, now))
        rest = count - first
        today, later, daily = today + first, later + rest, daily + limit
        days = max(days, math.ceil(rest / limit))
    return Projection(today, later, days, daily)


def _left_today(pool: Pool | None, limit: int, now: datetime) -> int:
    if pool is None:
        return limit
    if pool.blocked(now):
        return 0
    if pool.reset is not None and pool.reset <= now:
        return limit  # its day has turned since the API last said
    return pool.remaining if pool.remaining is not None else limit

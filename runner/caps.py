"""Each account's own daily cap: `daily_limit`, raised day by day by a warm-up, counted in the
account's local day from every send the state folder's journals recorded. Pure.

A send counts on the day it went out, whatever campaign sent it: LinkedIn watches the account,
not the campaign. A maybe-delivered send (unknown) counts too; a send is counted as it starts,
so one cut off on the wire still counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from .pacing import Pacing


@dataclass(frozen=True)
class CapState:
    cap: int | None  # the own cap today (None: only the API's quota limits the account)
    sent: int  # sends today, from every campaign of the state folder

    @property
    def left(self) -> int | None:
        return None if self.cap is None else max(self.cap - self.sent, 0)


class Caps:
    def __init__(
        self,
        pacing_for: Callable[[str], Pacing],
        sends: Mapping[str, Iterable[datetime]],
        own: Mapping[str, Iterable[datetime]] | None = None,
    ) -> None:
        """`sends` by account; `own`, those of the run's own campaign, which no other run
        adds to (it holds the campaign's lock): `reload` keeps them rather than read them
        again."""
        self.pacing_for = pacing_for
        self._own = {account: self._count(account, at) for account, at in (own or {}).items()}
        self.days: dict[str, Counter[date]] = {a: Counter(days) for a, days in self._own.items()}
        for account, moments in sends.items():
            self.days.setdefault(account, Counter()).update(self._count(account, moments))

    def reload(self, account: str, others: Iterable[datetime]) -> None:
        """`account`'s sends anew, the other campaigns' as `others` (they may have sent from
        it since they were read), this one's as they were."""
        self.days[account] = self._own.get(account, Counter()) + self._count(account, others)

    def add(self, account: str, now: datetime) -> None:
        """A send from `account` starts at `now`."""
        day = self.pacing_for(account).window.day(now)
        self.days.setdefault(account, Counter())[day] += 1

    def _count(self, account: str, moments: Iterable[datetime]) -> Counter[date]:
        """Sends by the account's local day."""
        return Counter(map(self.pacing_for(account).window.day, moments))

    def state(self, account: str, now: datetime) -> CapState:
        pacing = self.pacing_for(account)
        today = pacing.window.day(now)
        days = self.days.get(account, Counter())
        active = sum(1 for day, count in days.items() if day < today and count)
        return CapState(pacing.cap(active), days[today])

    def reached(self, account: str, now: datetime) -> bool:
        return self.state(account, now).left == 0

    def reopens(self, account: str, now: datetime) -> datetime:
        """When a capped account may send again: its next local day, once its window opens."""
        window = self.pacing_for(account).window
        return window.next_open(window.next_day(now))

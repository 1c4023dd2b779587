"""What a run does with the answer to a relationship lookup (route = "auto"): keep it in the
journal, with what it said of the lookup quota, in one commit; route the row (`plans.route`);
and hand its send to the scheduler, first in its queue, so that it follows at once. A profile
not found fails the row, recorded as a send that failed; nothing is sent to it.

Nothing is journaled before a lookup: one cut off by a crash is made again, and its send is
journaled in flight before it leaves, as every send is. With `--lookup` (`reads_only`) only
the lookups are made: nothing is sent and the sheet is not written.
"""

from __future__ import annotations

from datetime import datetime

from .answers import Outcome, SendResult
from .campaign import Campaign
from .journal import Journal
from .lookuprows import Lookup, lookup_row, not_found_row
from .plans import Endpoint, SendPlan, route
from .poolrows import pool_row
from .quota import Pool
from .routing import routed_cells
from .schedule import Scheduler
from .settings import RunOptions
from .status import Status, StatusCells
from .writeback import States, WriteBack


class Looker:
    """The lookups of one run."""

    def __init__(
        self,
        journal: Journal,
        scheduler: Scheduler,
        campaign: Campaign,
        options: RunOptions,
    ) -> None:
        self.journal = journal
        self.scheduler = scheduler
        self.campaign = campaign
        self.api_name = options.api_name
        self.reads_only = options.lookups_only
        self.answered_for: set[str] = set()  # people whose lookup got an answer about them
        self.routed: dict[str, SendPlan] = {}  # person -> the send their lookup queued

    def answered(
        self,
        plan: SendPlan,
        result: SendResult,
        now: datetime,
        pool: Pool | None,
        in_sheet: bool = True,
    ) -> tuple[StatusCells, bool]:
        """Act on `result`, the answer to `plan`'s lookup: the row's cells, and whether it is
        settled for this run (False: its send follows; never for a row no longer `in_sheet`)."""
        quota = [pool_row(self.api_name, pool)] if pool is not None else []
        key = plan.recipient.key
        if result.outcome is Outcome.FOUND and result.relationship is not None:
            found = result.relationship
            self.journal.record(
                lookup_row(Lookup(plan.account, plan.recipient, found), now), *quota
            )
            self.answered_for.add(key)
            routed = route(plan, found, self.campaign)
            sending = in_sheet and not self.reads_only
            send = routed if isinstance(routed, SendPlan) and sending else None
            if send is not None:
                self.routed[key] = send
            self.scheduler.looked_up(plan, now, send)
            # --lookup writes no sheet: the detail is for its log, which says each row's route
            why = ""
            if isinstance(routed, SendPlan) and routed.route is not None and self.reads_only:
                why = f"route: {routed.route.why(routed.group_id)}"
            return routed_cells(routed, found, StatusCells(Status.PENDING, why)), send is None
        if result.outcome is Outcome.FAILED:  # no such profile, or the lookup was refused
            self.journal.record(not_found_row(plan, result.detail, now), *quota)
            self.answered_for.add(key)
            cells = StatusCells(Status.FAILED, result.detail)
        else:
            if quota:
                self.journal.record(*quota)
            if result.outcome is Outcome.RATE_LIMITED:
                self.scheduler.again(plan)  # looked up once the quota or the wait is over
            cells = StatusCells(Status.PENDING, result.detail)
        self.scheduler.looked_up(plan, now, None)
        return cells, True

    def current(self, queue: list[SendPlan]) -> list[SendPlan]:
        """`queue` with each row looked up this run as the send it was routed to: what a row
        still pending waits on is its send's quota, not its lookup's."""
        return [self.routed.get(plan.recipient.key, plan) for plan in queue]

    def tally(self, queue: list[SendPlan]) -> tuple[int, int]:
        """How many people were looked up this run, and how many of `queue` are still to be."""
        left = sum(
            1
            for plan in queue
            if plan.endpoint is Endpoint.RELATIONSHIP
            and plan.recipient.key not in self.answered_for
        )
        return len(self.answered_for), left


class NoWrite(WriteBack):
    """--lookup writes no statuses: the sheet is left as it is, as in any dry run."""

    def first(self, states: States) -> None:
        pass

    def checkpoint(self, states: States, *, force: bool = False) -> None:
        pass

    def final(self, states: States) -> None:
        pass

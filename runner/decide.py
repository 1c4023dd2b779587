"""Acting on what the stop rules (`stops.py`) said: an account the API fails for is paused, rows
whose trouble was their own wait behind the others (and fail after a few runs, so that no row
holds the campaign back), and a stop reverts what it must and ends the run."""

from __future__ import annotations

from dataclasses import dataclass

from .clock import Clock
from .errors import ApiFatal
from .journal import Journal
from .outcomes import RunReport, StopReason
from .plans import Endpoint
from .schedule import Scheduler
from .status import Status, StatusCells
from .stops import Acquit, Decision, PauseAccount, Stop, StopKind, Trouble, struck_cells

AGAIN = "the lookup failed for this person while it worked for others: looked up again next run"


@dataclass
class Decider:
    journal: Journal
    scheduler: Scheduler
    states: dict[int, StatusCells]  # the run's statuses by row, as the sheet will show them
    report: RunReport
    clock: Clock

    def act(self, decisions: list[Decision]) -> bool:
        """Act on what the stop rules said; True when the run stops sending."""
        for decision in decisions:
            if isinstance(decision, PauseAccount):
                self.scheduler.fail_account(decision.account, decision.why)
            elif isinstance(decision, Acquit):
                self._acquit(decision)
            else:
                self._stop(decision)
                return True
        return False

    def _acquit(self, acquit: Acquit) -> None:
        if acquit.trouble is Trouble.SAME_REFUSAL:
            return  # refused, as the API said: they stay failed
        now = self.clock.now()
        for plan in acquit.plans:
            if plan.endpoint is Endpoint.RELATIONSHIP:  # a lookup: simply made again next run
                self.states[plan.row] = StatusCells(Status.PENDING, f"{acquit.detail}; {AGAIN}")
                continue
            cells = struck_cells(acquit.detail, self.journal.strike(plan.recipient.key))
            self.journal.finish(plan.recipient.key, cells, now)
            self.states[plan.row] = cells

    def _stop(self, stop: Stop) -> None:
        now = self.clock.now()
        for plan in stop.revert:
            self.journal.finish(plan.recipient.key, StatusCells(Status.PENDING), now)
            if stop.revert_detail is not None:
                self.states[plan.row] = StatusCells(Status.PENDING, stop.revert_detail)
        if stop.kind is StopKind.FATAL:
            raise ApiFatal(stop.why)
        self.report.stop = StopReason.STALLED
        self.report.stalled = stop.why

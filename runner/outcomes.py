"""What a run did: each row's outcome, the run's report, why it stopped, its exit code."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from .answers import Outcome, SendResult
from .approval import AWAITING
from .clock import iso
from .errors import ExitCode
from .plans import SendPlan
from .projection import Projection
from .quota import Pool
from .schedule import Wait
from .sheet import WriteReport
from .status import Status, StatusCells

# --wait reads the clock at least this often while it sleeps through a pause (seconds).
WAIT_STEP = 30.0
RESEND_HINT = " (rerun with --resend-unknown to send it again)"


class StopReason(StrEnum):
    FINISHED = "finished"  # nothing left this run can send (what is pending waits on a quota)
    LIMIT = "limit"  # --limit reached with rows left
    STALLED = "stalled"  # a stop rule: the API stopped giving usable answers
    SHEET = "sheet"  # the user saved the sheet in a form that cannot be used
    INTERRUPTED = "interrupted"  # Ctrl-C where no signal handler was set
    SIGNAL = "signal"  # SIGTERM, SIGHUP or SIGINT asked the run to stop


@dataclass
class RunReport:
    states: dict[int, StatusCells] = field(default_factory=dict)
    attempted: int = 0
    sent: int = 0
    stop: StopReason = StopReason.FINISHED
    stalled: str = ""  # for STALLED and SHEET: why
    blocked: list[Pool] = field(default_factory=list)  # spent quotas that rows wait on
    # closed send windows and reached daily caps that rows wait on, each with what it says
    waits: list[tuple[Wait, str]] = field(default_factory=list)
    pauses: int = 0  # --wait: times the run slept through a pause
    projection: Projection | None = None  # when what is left will be sent, at these limits
    failing: dict[str, str] = field(default_factory=dict)  # account -> why the API is failing
    recovered: int = 0  # rows an earlier run left in flight, now unknown
    adopted: int = 0  # outcomes the sheet showed and the journal did not know
    moved: int = 0  # status blocks found beside someone other than the person they name
    hidden: int = 0  # rows held back because the sheet hides them
    rereads: int = 0  # times the sheet was read again after the user saved it
    signal: int = 0  # for SIGNAL: which
    held: str = ""  # why the statuses are not in the sheet yet (it is open in Excel)
    written: WriteReport | None = None  # where the statuses were last written
    write_error: str = ""  # why the final write failed
    exit_code: int = ExitCode.OK
    lookups_only: bool = False  # --lookup: a run of relationship lookups alone
    looked_up: int = 0  # people whose relationship was looked up this run (route = "auto")
    to_look_up: int = 0  # rows still to look up when the run ended

    def counts(self) -> Counter[Status | None]:
        return Counter(cells.status for cells in self.states.values())

    @property
    def awaiting(self) -> int:
        """Rows waiting for a reviewer's approval (approval_column)."""
        return sum(
            1
            for cells in self.states.values()
            if cells.status is Status.PENDING and cells.detail.startswith(AWAITING)
        )

    @property
    def waiting_for_someone(self) -> int:
        """Pending rows a person must act on first (hidden, or not approved): not a later run."""
        return self.hidden + self.awaiting


def outcome_cells(plan: SendPlan, result: SendResult, now: datetime) -> StatusCells:
    """What a row shows after an answer (a fatal answer is not about the row)."""
    text = plan.sent_text  # what went out, or may have
    if result.outcome is Outcome.SENT:
        urn = result.recipient_urn or plan.recipient.urn or ""
        return StatusCells(Status.SENT, "", iso(now), urn, message=text)
    if result.outcome is Outcome.FAILED:
        return StatusCells(Status.FAILED, result.detail)
    if result.outcome is Outcome.UNKNOWN:
        return StatusCells(Status.UNKNOWN, result.detail + RESEND_HINT, message=text)
    # RATE_LIMITED or RETRY_LATER: certainly not sent, the row waits
    return StatusCells(Status.PENDING, result.detail)


def exit_code(report: RunReport) -> int:
    if report.stop is StopReason.INTERRUPTED:
        return ExitCode.INTERRUPTED
    if report.stop is StopReason.SIGNAL:
        return 128 + report.signal  # what shells and service managers expect of a signal
    # Rows the user hid, or a reviewer has not approved, wait for them, not for a later run.
    pending = report.counts()[Status.PENDING] - report.waiting_for_someone
    if report.lookups_only:  # what waits is the lookups left (the sends are for a later run)
        pending = report.to_look_up
    code = ExitCode.PAUSED if pending and report.stop is not StopReason.LIMIT else ExitCode.OK
    # The sheet not written is worth a non-zero code even when all was sent.
    return ExitCode.FATAL if report.write_error and code is ExitCode.OK else code


class Progress(Protocol):
    """How the core reports progress; the CLI draws it (a bar on a terminal)."""

    def start(self, total: int) -> None: ...

    def advance(self, plan: SendPlan, cells: StatusCells) -> None: ...

    def close(self) -> None: ...

    def paused(self, wait: Wait, detail: str) -> None:
        """--wait: the run sleeps until `wait.until` (one line in a log)."""

    def waiting(self, until: datetime, now: datetime) -> None:
        """--wait: still asleep (a countdown on a terminal)."""

    step: float  # --wait re-reads the clock this often (seconds), so a laptop's sleep is seen


class NoProgress:
    def start(self, total: int) -> None:
        pass

    def advance(self, plan: SendPlan, cells: StatusCells) -> None:
        pass

    def close(self) -> None:
        pass

    def paused(self, wait: Wait, detail: str) -> None:
        pass

    def waiting(self, until: datetime, now: datetime) -> None:
        pass

    step = WAIT_STEP

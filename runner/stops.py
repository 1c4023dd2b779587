"""When the trouble is not the row: answers that stop the run, pause an account, or only look
that way until the next row says otherwise.

`StopRules.observe` sees every result in order and returns what follows from it:
- a 401 (the key refused) stops the run at once;
- a row the API keeps failing (503 after every retry), a row answered by something that is not
  the API (an HTML page), or the same refusal for several recipients in a row, may be about the
  account or the API, or about those rows alone. The next row of the same account decides: if
  it goes through, the trouble was the rows' own (`Acquit`: they wait, tried after the others
  next run, and fail for good after a few runs); if it meets the same trouble, it is the
  account's (`PauseAccount`) or the request's (`Stop`). So no row can hold back the rest for
  more than one run;
- several sends in a row with no usable answer stall the run: every further send would only add
  a row that may or may not have been delivered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from .answers import Outcome, SendResult
from .plans import SendPlan
from .status import Status, StatusCells

MAX_UNKNOWN_IN_A_ROW = 3
MAX_SAME_FAILURE = 3


class StopKind(StrEnum):
    FATAL = "fatal"  # stop with an error (exit 1); `revert` go back to pending
    STALLED = "stalled"  # stop sending; what is pending waits for a later run


class Trouble(StrEnum):
    """What a row met that may not be about the row."""

    FAILING = "failing"  # certainly not sent, after every retry: the API fails for now
    STRANGE = "strange"  # an answer that is not the API's (a wrong base URL, a proxy page)
    SAME_REFUSAL = "same-refusal"  # the same words for several different recipients


@dataclass(frozen=True)
class Stop:
    kind: StopKind
    why: str
    revert: tuple[SendPlan, ...] = ()  # rows whose outcome is withdrawn: they stay pending
    revert_detail: str | None = None  # the detail those rows then show (None: as before)


@dataclass(frozen=True)
class PauseAccount:
    """The API fails for this account: nothing more is sent from it this run."""

    account: str
    why: str


@dataclass(frozen=True)
class Acquit:
    """The next row went through: these rows' trouble was their own."""

    plans: tuple[SendPlan, ...]
    trouble: Trouble
    detail: str


Decision = Stop | PauseAccount | Acquit


@dataclass(frozen=True)
class _Suspicion:
    trouble: Trouble
    plans: tuple[SendPlan, ...]
    result: SendResult


class StopRules:
    def __init__(self) -> None:
        self._unknown_in_a_row = 0
        self._same_failure: list[SendPlan] = []
        self._last_failure = ""
        self._suspects: dict[str, _Suspicion] = {}  # account -> what its next row must confirm

    def observe(self, plan: SendPlan, result: SendResult) -> list[Decision]:
        """What follows from `result`, the answer for `plan`, in the order to apply it."""
        outcome = result.outcome
        self._unknown_in_a_row = self._unknown_in_a_row + 1 if outcome is Outcome.UNKNOWN else 0
        if outcome is Outcome.FATAL and _about_everyone(result):
            return [_fatal(result, (plan,))]
        trouble = _trouble(result)
        decisions: list[Decision] = []
        suspicion = self._suspects.pop(plan.account, None)
        if suspicion is not None:
            if _same(suspicion, trouble, result):
                return [_confirmed(suspicion, plan, result)]
            decisions.append(Acquit(suspicion.plans, suspicion.trouble, suspicion.result.detail))
        if trouble is Trouble.SAME_REFUSAL:
            self._count_refusal(plan, result)
        elif outcome is not Outcome.FAILED:
            self._same_failure, self._last_failure = [], ""
        if trouble is not None and trouble is not Trouble.SAME_REFUSAL:
            self._suspects[plan.account] = _Suspicion(trouble, (plan,), result)
        if self._unknown_in_a_row >= MAX_UNKNOWN_IN_A_ROW:
            decisions.append(
                Stop(
                    StopKind.STALLED,
                    f"{self._unknown_in_a_row} sends in a row got no usable answer "
                    f"({result.detail}); stopped so as not to add more rows that may or may "
                    "not have been delivered",
                )
            )
        return decisions

    def unresolved(self, struck: Callable[[SendPlan], bool]) -> list[Decision]:
        """At the end of the run, what no next row could confirm: rows already `struck` on an
        earlier run (the API failed for them while it worked for others) are taken to have
        their own trouble again; anything else is taken as it looked."""
        decisions: list[Decision] = []
        for account, suspicion in self._suspects.items():
            if suspicion.trouble is not Trouble.SAME_REFUSAL and all(map(struck, suspicion.plans)):
                decisions.append(
                    Acquit(suspicion.plans, suspicion.trouble, suspicion.result.detail)
                )
            elif suspicion.trouble is Trouble.FAILING:
                decisions.append(PauseAccount(account, suspicion.result.detail))
            else:
                decisions.append(_confirmed(suspicion, None, suspicion.result))
        self._suspects = {}
        return decisions

    def _count_refusal(self, plan: SendPlan, result: SendResult) -> None:
        if result.detail != self._last_failure:
            self._same_failure, self._last_failure = [], result.detail
        self._same_failure.append(plan)
        if len(self._same_failure) >= MAX_SAME_FAILURE:
            refused = tuple(self._same_failure)
            self._suspects[plan.account] = _Suspicion(Trouble.SAME_REFUSAL, refused, result)
            self._same_failure, self._last_failure = [], ""


def _trouble(result: SendResult) -> Trouble | None:
    if result.outcome is Outcome.RETRY_LATER:
        return Trouble.FAILING
    if result.outcome is Outcome.FATAL:
        return Trouble.STRANGE
    if result.outcome is Outcome.FAILED and not about_the_recipient(result):
        return Trouble.SAME_REFUSAL
    return None


def _same(suspicion: _Suspicion, trouble: Trouble | None, result: SendResult) -> bool:
    """Whether the next row met the trouble its account is suspected of."""
    if trouble is not suspicion.trouble:
        return False
    return trouble is not Trouble.SAME_REFUSAL or result.detail == suspicion.result.detail


def _confirmed(suspicion: _Suspicion, plan: SendPlan | None, result: SendResult) -> Decision:
    """The account's trouble, not the rows'."""
    plans = suspicion.plans + ((plan,) if plan else ())
    if suspicion.trouble is Trouble.FAILING:
        return PauseAccount(suspicion.plans[0].account, result.detail)
    if suspicion.trouble is Trouble.STRANGE:
        return _fatal(result, plans)
    return Stop(
        StopKind.FATAL,
        f"the API refused {len(plans)} different recipients in a row with the same answer "
        f"({result.detail}); that is about the account or the request, not about them, so they "
        "stay pending. Fix the cause and run again",
        revert=plans,
        revert_detail=result.detail,
    )


def _fatal(result: SendResult, plans: tuple[SendPlan, ...]) -> Stop:
    return Stop(
        StopKind.FATAL,
        f"{result.detail}. Nothing was marked failed; run again once it is fixed",
        revert=plans,
    )


def _about_everyone(result: SendResult) -> bool:
    """Answers about the key or the base URL, never about one row: a 401, a redirect."""
    status = result.status or 0
    return status == 401 or 300 <= status < 400


def about_the_recipient(result: SendResult) -> bool:
    """Refusals that are about this person, even when the words are the same for everyone:
    not found, or not visible to the sender through the group (UNAUTHORIZED_VIEWER)."""
    return result.status == 404 or "UNAUTHORIZED_VIEWER" in result.detail


# A row the API fails for while it works for others is tried on this many runs, then failed.
MAX_STRIKES = 3


def struck_cells(detail: str, strikes: int) -> StatusCells:
    """What a row the API failed for alone shows after its `strikes`-th run of it: pending,
    tried after the others next run, until it fails (so that no row holds the campaign back)."""
    if strikes >= MAX_STRIKES:
        return StatusCells(
            Status.FAILED,
            f"the API failed for this recipient on {strikes} runs while it worked for "
            f"others ({detail}); clear the status cell to try again",
        )
    return StatusCells(
        Status.PENDING,
        f"{detail}; the API failed for this recipient while it worked for "
        f"others ({strikes} of {MAX_STRIKES}): tried after the others next run",
    )

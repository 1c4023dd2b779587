"""When a run must stop although rows are left: answers that say the trouble is not the rows.

`StopRules.observe` sees every result in order and says when to stop:
- an answer about no recipient at all (401, a page that is not the API's) stops at once;
- the same refusal for several different recipients in a row is about the account or the
  request (a bad accountId, say): those rows go back to pending and the run stops;
- several sends in a row with no usable answer: the API is in trouble, and every further send
  would only add a row that may or may not have been delivered.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .api import Outcome, SendResult
from .plans import SendPlan

MAX_UNKNOWN_IN_A_ROW = 3
MAX_SAME_FAILURE = 3


class StopKind(StrEnum):
    FATAL = "fatal"  # stop with an error (exit 1); `revert` go back to pending
    STALLED = "stalled"  # stop sending; what is pending waits for a later run


@dataclass(frozen=True)
class Stop:
    kind: StopKind
    why: str
    revert: tuple[SendPlan, ...] = ()  # rows whose outcome is withdrawn: they stay pending
    revert_detail: str | None = None  # the detail those rows then show (None: as before)


class StopRules:
    def __init__(self) -> None:
        self._unknown_in_a_row = 0
        self._same_failure: list[SendPlan] = []
        self._last_failure = ""

    def observe(self, plan: SendPlan, result: SendResult) -> Stop | None:
        outcome = result.outcome
        self._unknown_in_a_row = self._unknown_in_a_row + 1 if outcome is Outcome.UNKNOWN else 0
        if outcome is not Outcome.FAILED:
            self._same_failure, self._last_failure = [], ""
        if outcome is Outcome.FATAL:
            return Stop(
                StopKind.FATAL,
                f"{result.detail}. Nothing was marked failed; run again once it is fixed",
                revert=(plan,),
            )
        if outcome is Outcome.FAILED and not about_the_recipient(result):
            return self._same_failure_check(plan, result.detail)
        if self._unknown_in_a_row >= MAX_UNKNOWN_IN_A_ROW:
            return Stop(
                StopKind.STALLED,
                f"{self._unknown_in_a_row} sends in a row got no usable answer "
                f"({result.detail}); stopped so as not to add more rows that may or may "
                "not have been delivered",
            )
        return None

    def _same_failure_check(self, plan: SendPlan, detail: str) -> Stop | None:
        if detail != self._last_failure:
            self._same_failure, self._last_failure = [], detail
        self._same_failure.append(plan)
        if len(self._same_failure) < MAX_SAME_FAILURE:
            return None
        return Stop(
            StopKind.FATAL,
            f"the API refused {len(self._same_failure)} different recipients in a row with the "
            f"same answer ({detail}); that is about the account or the request, not about them, "
            "so they stay pending. Fix the cause and run again",
            revert=tuple(self._same_failure),
            revert_detail=detail,
        )


def about_the_recipient(result: SendResult) -> bool:
    """Refusals that are about this person, even when the words are the same for everyone:
    not found, or not visible to the sender through the group (UNAUTHORIZED_VIEWER)."""
    return result.status == 404 or "UNAUTHORIZED_VIEWER" in result.detail

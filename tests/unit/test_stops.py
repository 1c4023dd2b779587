"""The stop rules: results that say the trouble is not the rows."""

from __future__ import annotations

from runner.api import Outcome, SendResult
from runner.plans import Endpoint, SendPlan
from runner.rows import Recipient
from runner.stops import MAX_SAME_FAILURE, MAX_UNKNOWN_IN_A_ROW, StopKind, StopRules

SENT = SendResult(Outcome.SENT)
UNKNOWN = SendResult(Outcome.UNKNOWN, "no answer after sending (timed out)")
BAD_ACCOUNT = SendResult(Outcome.FAILED, "HTTP 400: accountId not found", status=400)
NOT_FOUND = SendResult(Outcome.FAILED, "HTTP 404: LinkedIn profile not found", status=404)


def plan(row: int) -> SendPlan:
    return SendPlan(row, Recipient(f"p-{row}"), Endpoint.MESSAGE, "", "Hi")


def feed(rules: StopRules, results: list[SendResult]):
    stops = [rules.observe(plan(i), result) for i, result in enumerate(results, start=2)]
    return stops[:-1], stops[-1]


def test_ordinary_results_never_stop():
    before, last = feed(StopRules(), [SENT, NOT_FOUND, SENT, UNKNOWN, SENT])
    assert before == [None] * 4 and last is None


def test_no_usable_answer_several_times_in_a_row_stalls_the_run():
    assert MAX_UNKNOWN_IN_A_ROW == 3
    before, stop = feed(StopRules(), [UNKNOWN, UNKNOWN, UNKNOWN])
    assert before == [None, None]
    assert stop is not None and stop.kind is StopKind.STALLED and stop.revert == ()
    assert stop.why.startswith("3 sends in a row got no usable answer (no answer after sending")


def test_an_answer_between_unknowns_starts_the_count_again():
    _, stop = feed(StopRules(), [UNKNOWN, UNKNOWN, SENT, UNKNOWN, UNKNOWN])
    assert stop is None


def test_a_fatal_answer_stops_at_once_and_withdraws_its_row():
    fatal = SendResult(Outcome.FATAL, "the API refused the API key (HTTP 401: Unauthorized)")
    stop = StopRules().observe(plan(2), fatal)
    assert stop is not None and stop.kind is StopKind.FATAL
    assert stop.revert == (plan(2),) and stop.revert_detail is None
    assert stop.why == (
        "the API refused the API key (HTTP 401: Unauthorized). Nothing was marked failed; "
        "run again once it is fixed"
    )


def test_the_same_refusal_for_several_recipients_stops_and_puts_them_back():
    assert MAX_SAME_FAILURE == 3
    before, stop = feed(StopRules(), [SENT, BAD_ACCOUNT, BAD_ACCOUNT, BAD_ACCOUNT])
    assert before == [None, None, None]
    assert stop is not None and stop.kind is StopKind.FATAL
    assert stop.revert == (plan(3), plan(4), plan(5))
    assert stop.revert_detail == BAD_ACCOUNT.detail
    assert "refused 3 different recipients in a row with the same answer" in stop.why


def test_different_refusals_or_a_send_between_them_start_the_count_again():
    other = SendResult(Outcome.FAILED, "HTTP 400: message is required", status=400)
    _, stop = feed(StopRules(), [BAD_ACCOUNT, BAD_ACCOUNT, other, BAD_ACCOUNT])
    assert stop is None
    _, stop = feed(StopRules(), [BAD_ACCOUNT, BAD_ACCOUNT, SENT, BAD_ACCOUNT])
    assert stop is None


def test_refusals_about_each_recipient_never_count_as_the_same_refusal():
    forbidden = SendResult(Outcome.FAILED, "HTTP 403: Forbidden (UNAUTHORIZED_VIEWER: ...)")
    _, stop = feed(StopRules(), [NOT_FOUND] * 5)
    assert stop is None
    _, stop = feed(StopRules(), [forbidden] * 5)
    assert stop is None

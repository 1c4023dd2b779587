"""The stop rules: results that say the trouble is not the row, and the next row that decides."""

from __future__ import annotations

from runner.answers import Outcome, SendResult
from runner.plans import Endpoint, SendPlan
from runner.recipient import Recipient
from runner.stops import (
    MAX_SAME_FAILURE,
    MAX_UNKNOWN_IN_A_ROW,
    Acquit,
    PauseAccount,
    Stop,
    StopKind,
    StopRules,
    Trouble,
)

SENT = SendResult(Outcome.SENT)
UNKNOWN = SendResult(Outcome.UNKNOWN, "no answer after sending (timed out)")
BAD_ACCOUNT = SendResult(Outcome.FAILED, "HTTP 400: accountId not found", status=400)
NOT_FOUND = SendResult(Outcome.FAILED, "HTTP 404: LinkedIn profile not found", status=404)
BUSY = SendResult(Outcome.RETRY_LATER, "HTTP 503: maintenance", status=503)
PAGE = SendResult(Outcome.FATAL, "the API answered HTTP 404 (<html>)", status=404)
KEY = SendResult(Outcome.FATAL, "the API refused the API key (HTTP 401: Unauthorized)", status=401)


def plan(row: int, account: str = "") -> SendPlan:
    return SendPlan(row, Recipient(f"p-{row}"), Endpoint.MESSAGE, account, "Hi")


def feed(rules: StopRules, results: list[SendResult], account: str = ""):
    return [rules.observe(plan(i, account), r) for i, r in enumerate(results, start=2)]


def test_ordinary_results_decide_nothing():
    assert feed(StopRules(), [SENT, NOT_FOUND, SENT, UNKNOWN, SENT]) == [[]] * 5


def test_no_usable_answer_several_times_in_a_row_stalls_the_run():
    assert MAX_UNKNOWN_IN_A_ROW == 3
    *before, [stop] = feed(StopRules(), [UNKNOWN, UNKNOWN, UNKNOWN])
    assert before == [[], []]
    assert isinstance(stop, Stop) and stop.kind is StopKind.STALLED and stop.revert == ()
    assert stop.why.startswith("3 sends in a row got no usable answer (no answer after sending")


def test_an_answer_between_unknowns_starts_the_count_again():
    assert feed(StopRules(), [UNKNOWN, UNKNOWN, SENT, UNKNOWN, UNKNOWN])[-1] == []


def test_a_refused_key_stops_at_once_and_withdraws_its_row():
    [stop] = StopRules().observe(plan(2), KEY)
    assert isinstance(stop, Stop) and stop.kind is StopKind.FATAL
    assert stop.revert == (plan(2),) and stop.revert_detail is None
    assert stop.why == (
        "the API refused the API key (HTTP 401: Unauthorized). Nothing was marked failed; "
        "run again once it is fixed"
    )


def test_a_row_the_api_keeps_failing_is_its_own_trouble_when_the_next_goes_through():
    rules = StopRules()
    assert rules.observe(plan(2), BUSY) == []  # suspect: the next row of the account decides
    assert rules.observe(plan(3), SENT) == [Acquit((plan(2),), Trouble.FAILING, BUSY.detail)]


def test_a_failing_api_is_the_accounts_when_the_next_row_fails_too():
    rules = StopRules()
    rules.observe(plan(2, "acc_1"), BUSY)
    assert rules.observe(plan(3, "acc_2"), SENT) == []  # another account says nothing of it
    assert rules.observe(plan(4, "acc_1"), BUSY) == [PauseAccount("acc_1", BUSY.detail)]


def test_a_page_that_is_not_the_apis_stops_the_run_when_the_next_row_gets_one_too():
    rules = StopRules()
    assert rules.observe(plan(2), PAGE) == []
    [stop] = rules.observe(plan(3), PAGE)
    assert isinstance(stop, Stop) and stop.kind is StopKind.FATAL
    assert stop.revert == (plan(2), plan(3))
    assert stop.why.startswith("the API answered HTTP 404 (<html>). Nothing was marked failed")


def test_the_same_refusal_for_several_recipients_is_the_accounts_if_the_next_meets_it_too():
    assert MAX_SAME_FAILURE == 3
    decisions = feed(StopRules(), [SENT, BAD_ACCOUNT, BAD_ACCOUNT, BAD_ACCOUNT, BAD_ACCOUNT])
    assert decisions[:4] == [[]] * 4
    [stop] = decisions[4]
    assert isinstance(stop, Stop) and stop.kind is StopKind.FATAL
    assert stop.revert == (plan(3), plan(4), plan(5), plan(6))
    assert stop.revert_detail == BAD_ACCOUNT.detail
    assert "refused 4 different recipients in a row with the same answer" in stop.why


def test_the_same_refusal_the_next_row_does_not_meet_was_about_each_of_them():
    decisions = feed(StopRules(), [BAD_ACCOUNT, BAD_ACCOUNT, BAD_ACCOUNT, SENT])
    assert decisions[3] == [
        Acquit((plan(2), plan(3), plan(4)), Trouble.SAME_REFUSAL, BAD_ACCOUNT.detail)
    ]


def test_different_refusals_or_a_send_between_them_start_the_count_again():
    other = SendResult(Outcome.FAILED, "HTTP 400: message is required", status=400)
    assert feed(StopRules(), [BAD_ACCOUNT, BAD_ACCOUNT, other, BAD_ACCOUNT, SENT])[-1] == []
    assert feed(StopRules(), [BAD_ACCOUNT, BAD_ACCOUNT, SENT, BAD_ACCOUNT, SENT])[-1] == []


def test_refusals_about_each_recipient_never_count_as_the_same_refusal():
    forbidden = SendResult(Outcome.FAILED, "HTTP 403: Forbidden (UNAUTHORIZED_VIEWER: ...)")
    assert feed(StopRules(), [NOT_FOUND] * 5 + [SENT]) == [[]] * 6
    assert feed(StopRules(), [forbidden] * 5 + [SENT]) == [[]] * 6


def test_what_no_next_row_confirmed_is_taken_as_it_looked_unless_the_row_was_struck_before():
    rules = StopRules()
    rules.observe(plan(2, "a"), BUSY)
    rules.observe(plan(3, "b"), PAGE)
    decisions = rules.unresolved(struck=lambda p: False)
    assert decisions[0] == PauseAccount("a", BUSY.detail)
    assert isinstance(decisions[1], Stop) and decisions[1].revert == (plan(3, "b"),)
    rules.observe(plan(2, "a"), BUSY)
    assert rules.unresolved(struck=lambda p: True) == [
        Acquit((plan(2, "a"),), Trouble.FAILING, BUSY.detail)
    ]

"""The scheduler: what may be sent next, or until when to wait."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from runner.answers import Outcome, SendResult
from runner.journal import Entry
from runner.pacing import Pacing
from runner.plans import Endpoint, PoolKey, SendPlan
from runner.quota import Pool, RateLimit
from runner.recipient import Recipient
from runner.schedule import Scheduler, Wait, WaitReason, last_sends
from runner.status import Status

NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=3)
NO_PAUSE = Pacing(0, 0)


def plan(row: int, account: str = "", endpoint: Endpoint = Endpoint.MESSAGE) -> SendPlan:
    return SendPlan(row, Recipient(f"p-{row}"), endpoint, account, "Hi")


def scheduler(plans, pacing=NO_PAUSE, pools=None, last_sent=None) -> Scheduler:
    return Scheduler(plans, pools or {}, pacing, random.Random(1), last_sent=last_sent)


def test_rows_go_in_sheet_order_and_nothing_is_left_at_the_end():
    s = scheduler([plan(2), plan(3)])
    first = s.next(NOW)
    assert first == plan(2)
    s.done(first, NOW)
    second = s.next(NOW)
    assert second == plan(3)
    s.done(second, NOW)
    assert s.next(NOW) is None
    assert s.left() == []


def test_an_account_waits_its_pacing_after_a_send():
    s = scheduler([plan(2), plan(3)], pacing=Pacing(30, 30))
    s.done(s.next(NOW), NOW)
    assert s.next(NOW) == Wait(NOW + timedelta(seconds=30), WaitReason.PACING)
    assert s.next(NOW + timedelta(seconds=30)) == plan(3)


def test_pauses_are_random_within_the_bounds():
    s = scheduler([plan(i) for i in range(2, 12)], pacing=Pacing(20, 60))
    now, gaps = NOW, []
    while (step := s.next(now)) is not None:
        if isinstance(step, Wait):
            gaps.append((step.until - now).total_seconds())
            now = step.until
            continue
        s.done(step, now)
    assert len(gaps) == 9 and all(20 <= g <= 60 for g in gaps) and len(set(gaps)) > 1


def test_while_one_account_pauses_another_sends():
    s = scheduler([plan(2, "a"), plan(3, "a"), plan(4, "b")], pacing=Pacing(60, 60))
    s.done(s.next(NOW), NOW)  # row 2 from a
    assert s.next(NOW) == plan(4, "b")


def test_an_account_with_a_send_in_flight_gets_nothing_more():
    s = scheduler([plan(2, "a"), plan(3, "a"), plan(4, "b")])
    assert s.next(NOW) == plan(2, "a")  # handed out, not done yet
    assert s.next(NOW) == plan(4, "b")
    assert s.next(NOW) is None  # a is busy, b has nothing left
    s.release(plan(2, "a"))  # no request went out: no pause
    assert s.next(NOW) == plan(3, "a")


def test_a_spent_quota_is_a_wait_until_its_reset():
    key = PoolKey("", Endpoint.MESSAGE)
    pools = {key: Pool("", Endpoint.MESSAGE, remaining=0, blocked_until=LATER)}
    s = scheduler([plan(2)], pools=pools)
    assert s.next(NOW) == Wait(LATER, WaitReason.QUOTA)
    assert s.next(LATER) == plan(2)


def test_a_spent_quota_holds_back_only_its_own_endpoint():
    key = PoolKey("", Endpoint.MESSAGE)
    pools = {key: Pool("", Endpoint.MESSAGE, remaining=0, blocked_until=LATER)}
    s = scheduler([plan(2), plan(3, endpoint=Endpoint.SEND_GROUP)], pools=pools)
    assert s.next(NOW) == plan(3, endpoint=Endpoint.SEND_GROUP)


def test_a_failing_account_gets_nothing_more():
    s = scheduler([plan(2, "a"), plan(3, "a"), plan(4, "b")])
    s.done(s.next(NOW), NOW)
    s.fail_account("a", "HTTP 503")
    assert s.next(NOW) == plan(4, "b")
    s.done(plan(4, "b"), NOW)
    assert s.next(NOW) is None
    assert s.left() == [plan(3, "a")]
    assert s.failing == {"a": "HTTP 503"}


def test_learn_keeps_the_quota_and_says_when_it_changed():
    s = scheduler([plan(2), plan(3)])
    key = PoolKey("", Endpoint.MESSAGE)
    sent = SendResult(Outcome.SENT, rate=RateLimit(100, 99, 1, LATER))
    pool = s.learn(key, sent, NOW)
    assert pool is not None and pool.remaining == 1 and not pool.blocked(NOW)
    assert s.learn(key, sent, NOW) is None  # the same again changes nothing
    last = SendResult(Outcome.SENT, rate=RateLimit(100, 100, 0, LATER))
    assert s.learn(key, last, NOW).blocked_until == LATER
    assert s.next(NOW) == Wait(LATER, WaitReason.QUOTA)


def test_a_429_blocks_the_pool_until_the_reset_it_gave():
    s = scheduler([plan(2)])
    key = PoolKey("", Endpoint.MESSAGE)
    limited = SendResult(Outcome.RATE_LIMITED, "HTTP 429: limit", reset=LATER)
    pool = s.learn(key, limited, NOW)
    assert pool is not None and pool.blocked_until == LATER and pool.reason == "daily quota used up"


def test_the_pause_after_the_last_send_of_an_earlier_run_is_kept():
    earlier = NOW - timedelta(seconds=10)
    s = scheduler([plan(2, "a")], pacing=Pacing(30, 60), last_sent={"a": earlier})
    assert s.next(NOW) == Wait(earlier + timedelta(seconds=30), WaitReason.PACING, "a")


def test_last_sends_are_read_per_account_from_the_journal():
    def sent(key: str, account: str, at: str | None, status=Status.SENT) -> Entry:
        return Entry(key, status, "", Recipient(key), account=account, sent_at=at)

    entries = [
        sent("a1", "a", "2026-01-15T08:00:00Z"),
        sent("a2", "a", "2026-01-15T08:30:00Z"),
        sent("a3", "a", "2026-01-15T08:10:00Z"),
        sent("b1", "", "2026-01-15T07:00:00Z"),
        sent("b2", "", "2026-01-15T09:00:00Z", Status.FAILED),  # not a send that went out
        # Times taken from a sheet, in a spreadsheet's forms: each counts as the time it is.
        sent("c1", "c", "2026-01-15T09:00:00Z"),
        sent("c2", "c", "2026-01-15 10:30:00+01:00"),  # 09:30 UTC: the latest
        sent("c3", "c", "2026-01-15T09:15:00.5Z"),
        sent("c4", "c", "15/01/2026 11:00"),  # no time it can be sure of: left out
        sent("d1", "d", "1768467600"),  # a Unix timestamp: 09:00 UTC
        sent("d2", "d", "2026-01-15T08:59:59Z"),
        # In the runner's form, but no time (adopted from a sheet): the real ones still count.
        sent("e1", "e", "2026-01-15T09:00:00Z"),
        sent("e2", "e", "2026-02-30T09:00:00Z"),
        sent("e3", "e", "2026-01-15T24:00:00Z"),
        sent("f1", "f", "2026-01-15T09:00:00Z"),
        sent("f2", "f", "２０２６-01-15T10:00:00Z"),  # full-width digits: no time either
    ]
    assert last_sends(entries) == {
        "a": datetime(2026, 1, 15, 8, 30, tzinfo=UTC),
        "": datetime(2026, 1, 15, 7, 0, tzinfo=UTC),
        "c": datetime(2026, 1, 15, 9, 30, tzinfo=UTC),
        "d": datetime(2026, 1, 15, 9, 0, tzinfo=UTC),
        "e": datetime(2026, 1, 15, 9, 0, tzinfo=UTC),
        "f": datetime(2026, 1, 15, 9, 0, tzinfo=UTC),
    }


def test_pacing_never_waits_longer_than_max_delay_whatever_the_last_send_says():
    # A sent_at a day ahead (a clock that was ahead, a typed date) in the journal or the sheet.
    future = NOW + timedelta(days=1)
    s = scheduler([plan(2, "a")], pacing=Pacing(30, 60), last_sent={"a": future})
    assert s.next(NOW) == Wait(NOW + timedelta(seconds=60), WaitReason.PACING, "a")
    assert s.next(NOW + timedelta(seconds=60)) == plan(2, "a")  # and then it sends


def test_a_clock_stepped_back_does_not_stall_sending():
    s = scheduler([plan(2), plan(3)], pacing=Pacing(30, 30))
    s.done(s.next(NOW), NOW)
    back = NOW - timedelta(hours=3)  # the system clock corrected by three hours
    assert s.next(back) == Wait(back + timedelta(seconds=30), WaitReason.PACING)
    assert s.next(back + timedelta(seconds=30)) == plan(3)

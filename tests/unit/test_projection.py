"""The projection: day by day at every limit on each account (the API's quota, its own daily
cap and warm-up, its send window and weekends, its pace), rows naming no account spread over
the rotation; the day the last row goes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from runner.caps import Caps
from runner.pacing import Pacing, Warmup
from runner.plans import Endpoint, PoolKey, SendPlan
from runner.projection import accounts_today, project
from runner.quota import Pool
from runner.recipient import Recipient
from runner.window import SendWindow, parse_window

THURSDAY = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
FAST = Pacing(0, 0)


def plans(count: int, account: str = "", endpoint: Endpoint = Endpoint.MESSAGE) -> list[SendPlan]:
    return [SendPlan(i, Recipient(f"{account}-{i}"), endpoint, account, "Hi") for i in range(count)]


def days_of(projection, start: date) -> int:
    assert projection.finish is not None
    return (projection.finish - start).days


def test_the_own_daily_limit_spreads_the_rows():
    projection = project(plans(100), {}, THURSDAY, pacing_for=lambda _: Pacing(0, 0, 30))
    assert (projection.today, projection.later, projection.days) == (30, 70, 3)
    assert projection.finish == date(2026, 1, 18) and projection.daily == 30


def test_what_was_sent_today_counts_against_the_cap():
    pacing = Pacing(0, 0, 30)
    caps = Caps(lambda _: pacing, {"": [THURSDAY - timedelta(hours=1)] * 25})
    projection = project(plans(10), {}, THURSDAY, pacing_for=lambda _: pacing, caps=caps)
    assert (projection.today, projection.later) == (5, 5)


def test_warm_up_grows_the_cap_day_by_day():
    pacing = Pacing(0, 0, 30, warmup=Warmup(10, 5))
    projection = project(plans(100), {}, THURSDAY, pacing_for=lambda _: pacing)
    # 10, 15, 20, 25, then 30 for the last 30
    assert (projection.today, projection.days) == (10, 4)
    earlier = [THURSDAY - timedelta(days=d) for d in (1, 2)]  # two active days already
    caps = Caps(lambda _: pacing, {"": earlier})
    assert project(plans(100), {}, THURSDAY, pacing_for=lambda _: pacing, caps=caps).today == 20


def test_weekends_and_the_window_leave_days_out():
    berlin = ZoneInfo("Europe/Berlin")
    window = parse_window("09:00-17:00", berlin, skip_weekends=True)
    pacing = Pacing(600, 600, window=window)  # 8 hours at 10 minutes a send: 49 a day
    friday_4pm = datetime(2026, 1, 16, 15, 0, tzinfo=UTC)  # 16:00 in Berlin: an hour left
    projection = project(plans(60), {}, friday_4pm, pacing_for=lambda _: pacing)
    assert projection.today == 7  # an hour at 10 minutes a send, the first at once
    # Saturday and Sunday send nothing; Monday 49; Tuesday the last 4.
    assert projection.finish == date(2026, 1, 20)
    assert projection.daily == 49


def test_rotation_spreads_rows_over_every_account_with_room():
    caps_of = {"acc_1": Pacing(0, 0, 20), "acc_2": Pacing(0, 0, 30)}
    projection = project(
        plans(120),
        {},
        THURSDAY,
        pacing_for=lambda a: caps_of.get(a, FAST),
        rotate=["acc_1", "acc_2"],
    )
    assert (projection.today, projection.later, projection.days) == (50, 70, 2)


def test_a_spent_quota_sends_nothing_more_today():
    spent = Pool("acc", Endpoint.MESSAGE, 100, 100, 0, THURSDAY + timedelta(hours=15))
    spent = Pool("acc", Endpoint.MESSAGE, 100, 100, 0, spent.reset, spent.reset)
    projection = project(plans(150, "acc"), {spent.key: spent}, THURSDAY, pacing_for=lambda _: FAST)
    assert (projection.today, projection.later, projection.days) == (0, 150, 2)


def test_accounts_today_says_what_each_account_has_left_and_when_its_window_opens():
    window = SendWindow(ZoneInfo("UTC"), 10 * 60, 17 * 60)
    pacing = {"acc_1": Pacing(0, 0, 40, window=window)}
    caps = Caps(lambda a: pacing.get(a, FAST), {"acc_1": [THURSDAY - timedelta(hours=2)] * 3})
    pool = Pool("acc_2", Endpoint.MESSAGE, 100, 10, 90, THURSDAY + timedelta(hours=15))
    days = accounts_today(
        ["acc_1"],
        {PoolKey("acc_2", Endpoint.MESSAGE): pool},
        THURSDAY,
        pacing_for=lambda a: pacing.get(a, FAST),
        caps=caps,
    )
    one, two = days
    assert (one.account, one.sent, one.cap, one.opens) == (
        "acc_1",
        3,
        40,
        datetime(2026, 1, 15, 10, 0, tzinfo=UTC),
    )
    assert (two.account, two.sent, two.cap, two.quotas, two.opens) == (
        "acc_2",
        0,
        None,
        (pool,),
        None,
    )


def test_rows_to_look_up_wait_for_the_lookup_quota_too():
    # The API says an account may look up 50 people a day, and has spent them today.
    reset = THURSDAY + timedelta(hours=15)
    lookups = Pool("acc", Endpoint.RELATIONSHIP, 50, 50, 0, reset, reset)
    pools = {lookups.key: lookups}
    to_look_up = plans(300, "acc", Endpoint.RELATIONSHIP)
    projection = project(to_look_up, pools, THURSDAY, pacing_for=lambda _: FAST)
    assert (projection.today, projection.later, projection.days) == (0, 300, 6)
    assert projection.daily == 50
    # Rows already looked up go at their sends' limits, beside the lookups' rows.
    routed = plans(100, "acc", Endpoint.SEND_GROUP)
    projection = project([*routed, *to_look_up], pools, THURSDAY, pacing_for=lambda _: FAST)
    assert (projection.today, projection.later) == (100, 300)
    # A row to look up goes as a message: the message quota holds it as well.
    fresh = Pool("acc", Endpoint.RELATIONSHIP, 500, 0, 500, reset)
    projection = project(plans(300, "acc", Endpoint.RELATIONSHIP), {fresh.key: fresh}, THURSDAY)
    assert (projection.today, projection.later, projection.days) == (100, 200, 2)

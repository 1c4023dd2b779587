"""Send windows: open or not, when they open, the local day, across midnight, weekends and DST.

Every moment in and out is UTC; `at(zone, ...)` builds the UTC moment of a wall-clock time.
The DST facts used (from the IANA tz data) are asserted where a test relies on them.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runner.window import SendWindow, parse_window

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def at(zone: ZoneInfo, *wall: int, fold: int = 0) -> datetime:
    """The UTC moment a clock in `zone` shows `wall` (year, month, day, hour, minute, second)."""
    return datetime(*wall, tzinfo=zone, fold=fold).astimezone(UTC)


def utc(*wall: int) -> datetime:
    return datetime(*wall, tzinfo=UTC)


def window(text: str, zone: str = "Europe/Berlin", skip_weekends: bool = False) -> SendWindow:
    return parse_window(text, ZoneInfo(zone), skip_weekends)


# 2026-01-12 is a Monday; Berlin is at +01:00 all January.
MON, FRI, SAT, SUN, NEXT_MON = 12, 16, 17, 18, 19


# -- parse_window ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("09:00-17:30", 9 * 60, 17 * 60 + 30),
        (" 9:00 - 17:30 ", 9 * 60, 17 * 60 + 30),
        ("22:00-06:00", 22 * 60, 6 * 60),
        ("09:00-24:00", 9 * 60, 24 * 60),
        ("22:00-00:00", 22 * 60, 24 * 60),  # to midnight, however it is written
        ("00:00-24:00", 0, 24 * 60),  # the whole day
        ("00:00-06:00", 0, 6 * 60),
    ],
)
def test_parse_window(text, start, end):
    parsed = window(text)
    assert (parsed.start, parsed.end, parsed.zone) == (start, end, BERLIN)


def test_parse_window_keeps_skip_weekends():
    assert window("09:00-17:00", skip_weekends=True).skip_weekends
    assert not window("09:00-17:00").skip_weekends


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("9-17", "must be two times like \"09:00-17:30\", not '9-17'"),
        ("9h-17h", "must be two times like \"09:00-17:30\", not '9h-17h'"),
        ("09:00", "must be two times like \"09:00-17:30\", not '09:00'"),
        ("", "must be two times like \"09:00-17:30\", not ''"),
        ("09:00-12:00-14:00", "must be two times like"),
        ("09:00-17:30:00", "must be two times like"),
        ("25:00-26:00", "has '25:00', which is not a time of day (00:00 to 24:00)"),
        ("09:60-10:00", "has '09:60', which is not a time of day (00:00 to 24:00)"),
        ("09:00-24:01", "has '24:01', which is not a time of day (00:00 to 24:00)"),
        ("09:00-09:00", "starts and ends at the same time ('09:00-09:00')"),
        ("00:00-00:00", "starts and ends at the same time ('00:00-00:00')"),
        ("24:00-24:00", "starts and ends at the same time ('24:00-24:00')"),
        ("24:00-06:00", "starts at 24:00 ('24:00-06:00'), which can only end a window; use 00:00"),
    ],
)
def test_parse_window_errors(text, message):
    with pytest.raises(ValueError) as info:
        window(text)
    assert message in str(info.value)


def test_same_start_and_end_says_what_to_do():
    with pytest.raises(ValueError, match="leave send_window out to send at any hour"):
        window("09:00-09:00")


# -- is_open and next_open, one day -----------------------------------------------------------

OFFICE = window("09:00-17:30")


@pytest.mark.parametrize(
    ("hour", "minute", "second", "open_"),
    [
        (0, 0, 0, False),
        (8, 59, 59, False),
        (9, 0, 0, True),  # the start minute is in
        (12, 0, 0, True),
        (17, 29, 59, True),
        (17, 30, 0, False),  # the end minute is out
        (23, 59, 59, False),
    ],
)
def test_is_open_within_a_day(hour, minute, second, open_):
    assert OFFICE.is_open(at(BERLIN, 2026, 1, MON, hour, minute, second)) is open_


@pytest.mark.parametrize(
    ("now", "opens"),
    [
        ((MON, 0, 0, 0), (MON, 9, 0)),  # before
        ((MON, 8, 59, 30), (MON, 9, 0)),  # half a minute before
        ((MON, 9, 0, 0), (MON, 9, 0)),  # at the start: now
        ((MON, 12, 0, 0), (MON, 12, 0)),  # inside: now
        ((MON, 17, 29, 59), (MON, 17, 29, 59)),
        ((MON, 17, 30, 0), (MON + 1, 9, 0)),  # at the end: tomorrow
        ((MON, 23, 59, 59), (MON + 1, 9, 0)),  # after
    ],
)
def test_next_open_within_a_day(now, opens):
    assert OFFICE.next_open(at(BERLIN, 2026, 1, *now)) == at(BERLIN, 2026, 1, *opens)


def test_a_window_to_midnight():
    late = window("18:00-24:00")
    assert late.is_open(at(BERLIN, 2026, 1, MON, 23, 59, 59))
    assert not late.is_open(at(BERLIN, 2026, 1, MON + 1, 0, 0))
    assert late.next_open(at(BERLIN, 2026, 1, MON + 1, 0, 0)) == at(BERLIN, 2026, 1, MON + 1, 18, 0)


# -- across midnight ----------------------------------------------------------------------------

NIGHT = window("22:00-06:00")


@pytest.mark.parametrize(
    ("hour", "minute", "open_"),
    [(12, 0, False), (21, 59, False), (22, 0, True), (23, 59, True), (0, 0, True), (5, 59, True)]
    + [(6, 0, False), (7, 0, False)],
)
def test_is_open_across_midnight(hour, minute, open_):
    assert NIGHT.is_open(at(BERLIN, 2026, 1, MON, hour, minute)) is open_


@pytest.mark.parametrize(
    ("now", "opens"),
    [
        ((MON, 12, 0), (MON, 22, 0)),  # between end and start: tonight
        ((MON, 6, 0), (MON, 22, 0)),  # at the end
        ((MON, 21, 59), (MON, 22, 0)),
        ((MON, 22, 0), (MON, 22, 0)),  # at the start
        ((MON, 23, 0), (MON, 23, 0)),  # inside, before midnight
        ((MON, 3, 0), (MON, 3, 0)),  # inside, after midnight
    ],
)
def test_next_open_across_midnight(now, opens):
    assert NIGHT.next_open(at(BERLIN, 2026, 1, *now)) == at(BERLIN, 2026, 1, *opens)


# -- weekends -------------------------------------------------------------------------------

WEEKDAYS = window("09:00-17:30", skip_weekends=True)


@pytest.mark.parametrize(
    ("now", "opens"),
    [
        ((FRI, 8, 0), (FRI, 9, 0)),
        ((FRI, 12, 0), (FRI, 12, 0)),
        ((FRI, 17, 30), (NEXT_MON, 9, 0)),  # late Friday: Monday's opening
        ((FRI, 23, 59), (NEXT_MON, 9, 0)),
        ((SAT, 10, 0), (NEXT_MON, 9, 0)),
        ((SUN, 23, 59), (NEXT_MON, 9, 0)),
        ((NEXT_MON, 9, 0), (NEXT_MON, 9, 0)),
    ],
)
def test_next_open_skips_the_weekend(now, opens):
    assert WEEKDAYS.next_open(at(BERLIN, 2026, 1, *now)) == at(BERLIN, 2026, 1, *opens)


def test_weekend_closes_a_window_inside_its_hours():
    assert not WEEKDAYS.is_open(at(BERLIN, 2026, 1, SAT, 10, 0))
    assert not WEEKDAYS.is_open(at(BERLIN, 2026, 1, SUN, 10, 0))
    assert WEEKDAYS.is_open(at(BERLIN, 2026, 1, FRI, 10, 0))
    assert not WEEKDAYS.always and not OFFICE.always and SendWindow(BERLIN).always


NIGHT_WEEKDAYS = window("22:00-06:00", skip_weekends=True)


@pytest.mark.parametrize(
    ("now", "open_"),
    [
        ((FRI, 1, 0), True),  # Thursday night's shift, on a Friday
        ((FRI, 22, 0), True),
        ((FRI, 23, 59), True),
        ((SAT, 0, 0), False),  # nothing on a local Saturday, though Friday's shift runs on
        ((SAT, 1, 0), False),
        ((SAT, 22, 0), False),
        ((SUN, 22, 30), False),  # nor on a Sunday, though Monday's shift starts
        ((NEXT_MON, 0, 0), True),
        ((NEXT_MON, 5, 59), True),
        ((NEXT_MON, 6, 0), False),
    ],
)
def test_weekend_rule_across_midnight(now, open_):
    assert NIGHT_WEEKDAYS.is_open(at(BERLIN, 2026, 1, *now)) is open_


@pytest.mark.parametrize(
    ("now", "opens"),
    [
        ((FRI, 12, 0), (FRI, 22, 0)),
        ((SAT, 1, 0), (NEXT_MON, 0, 0)),  # Monday's midnight, not Monday's 22:00
        ((SAT, 23, 0), (NEXT_MON, 0, 0)),
        ((SUN, 22, 30), (NEXT_MON, 0, 0)),
        ((NEXT_MON, 6, 0), (NEXT_MON, 22, 0)),
    ],
)
def test_next_open_across_midnight_and_a_weekend(now, opens):
    assert NIGHT_WEEKDAYS.next_open(at(BERLIN, 2026, 1, *now)) == at(BERLIN, 2026, 1, *opens)


# -- DST: Europe/Berlin ---------------------------------------------------------------------
# 2026-03-29 (a Sunday): 02:00 CET -> 03:00 CEST at 01:00 UTC.
# 2026-10-25 (a Sunday): 03:00 CEST -> 02:00 CET at 01:00 UTC; 02:00-02:59 happens twice.


def test_berlin_facts():
    assert at(BERLIN, 2026, 3, 29, 1, 59) == utc(2026, 3, 29, 0, 59)
    assert at(BERLIN, 2026, 3, 29, 3, 0) == utc(2026, 3, 29, 1, 0)
    assert at(BERLIN, 2026, 10, 25, 2, 30) == utc(2026, 10, 25, 0, 30)
    assert at(BERLIN, 2026, 10, 25, 2, 30, fold=1) == utc(2026, 10, 25, 1, 30)


def test_an_opening_the_spring_change_skips_is_the_first_moment_after_it():
    early = window("02:30-10:00")
    midnight = at(BERLIN, 2026, 3, 29, 0, 0)
    assert early.next_open(midnight) == utc(2026, 3, 29, 1, 0)  # 03:00 CEST
    assert not early.is_open(utc(2026, 3, 29, 0, 59))  # 01:59 CET
    assert early.is_open(utc(2026, 3, 29, 1, 0))
    # the next day it opens at 02:30 again
    assert early.next_open(utc(2026, 3, 29, 8, 0)) == at(BERLIN, 2026, 3, 30, 2, 30)


def test_a_window_inside_the_skipped_hour_skips_that_day():
    gone = window("02:00-02:30")
    assert gone.next_open(at(BERLIN, 2026, 3, 29, 0, 0)) == at(BERLIN, 2026, 3, 30, 2, 0)


def test_office_hours_follow_the_clocks_on_the_spring_day():
    assert OFFICE.next_open(at(BERLIN, 2026, 3, 28, 18, 0)) == utc(2026, 3, 29, 7, 0)
    assert OFFICE.next_open(at(BERLIN, 2026, 3, 27, 18, 0)) == utc(2026, 3, 28, 8, 0)
    assert OFFICE.is_open(utc(2026, 3, 29, 15, 29)) and not OFFICE.is_open(utc(2026, 3, 29, 15, 30))


def test_office_hours_follow_the_clocks_on_the_fall_back_day():
    # 09:00 on the fall-back day is CET, +01:00: 08:00 UTC (07:00 UTC the day before)
    assert OFFICE.next_open(at(BERLIN, 2026, 10, 25, 0, 0)) == utc(2026, 10, 25, 8, 0)
    assert OFFICE.next_open(at(BERLIN, 2026, 10, 23, 18, 0)) == utc(2026, 10, 24, 7, 0)
    assert not OFFICE.is_open(utc(2026, 10, 25, 7, 59))


def test_a_window_opening_in_the_repeated_hour_opens_at_its_first_reading():
    window_ = window("02:30-04:00")
    assert window_.next_open(at(BERLIN, 2026, 10, 25, 0, 0)) == utc(2026, 10, 25, 0, 30)


def test_the_repeated_hour_reopens_a_window_the_clocks_turn_back_out_of():
    # 02:30-04:00: open at 02:59 CEST; the clocks turn back to 02:00 CET, before the start;
    # at 02:30 CET the window opens a second time, as the wall clock says.
    window_ = window("02:30-04:00")
    assert window_.is_open(utc(2026, 10, 25, 0, 59))
    assert not window_.is_open(utc(2026, 10, 25, 1, 10))
    assert window_.next_open(utc(2026, 10, 25, 1, 10)) == utc(2026, 10, 25, 1, 30)


def test_the_clocks_turning_back_into_a_window_open_it():
    # 01:00-02:15: closed from 02:15 CEST; open again from 02:00 CET, the moment of the change
    window_ = window("01:00-02:15")
    assert not window_.is_open(utc(2026, 10, 25, 0, 30))
    assert window_.next_open(utc(2026, 10, 25, 0, 30)) == utc(2026, 10, 25, 1, 0)


def test_next_day_on_berlin_dst_days():
    spring = at(BERLIN, 2026, 3, 29, 0, 0)
    assert OFFICE.day(spring) == date(2026, 3, 29)
    assert OFFICE.next_day(at(BERLIN, 2026, 3, 28, 12, 0)) == spring
    assert OFFICE.next_day(spring) - spring == timedelta(hours=23)
    autumn = at(BERLIN, 2026, 10, 25, 0, 0)
    assert OFFICE.next_day(autumn) - autumn == timedelta(hours=25)
    assert OFFICE.day(utc(2026, 10, 25, 22, 59)) == date(2026, 10, 25)  # 23:59 CET
    assert OFFICE.next_day(utc(2026, 10, 25, 22, 59)) == utc(2026, 10, 25, 23, 0)


# -- DST: America/New_York ------------------------------------------------------------------
# 2026-03-08: 02:00 EST -> 03:00 EDT at 07:00 UTC. 2026-11-01: 02:00 EDT -> 01:00 EST at 06:00.


def test_new_york_spring_day():
    early = window("02:30-10:00", "America/New_York")
    assert early.next_open(at(NEW_YORK, 2026, 3, 8, 0, 0)) == utc(2026, 3, 8, 7, 0)
    office = window("09:00-17:00", "America/New_York")
    assert office.next_open(at(NEW_YORK, 2026, 3, 7, 20, 0)) == utc(2026, 3, 8, 13, 0)
    assert office.next_open(at(NEW_YORK, 2026, 3, 6, 20, 0)) == utc(2026, 3, 7, 14, 0)
    midnight = at(NEW_YORK, 2026, 3, 8, 0, 0)
    assert midnight == utc(2026, 3, 8, 5, 0)
    assert office.next_day(midnight) - midnight == timedelta(hours=23)


def test_new_york_fall_back_day():
    office = window("09:00-17:00", "America/New_York")
    assert office.next_open(at(NEW_YORK, 2026, 10, 31, 20, 0)) == utc(2026, 11, 1, 14, 0)
    assert office.next_open(at(NEW_YORK, 2026, 10, 30, 20, 0)) == utc(2026, 10, 31, 13, 0)
    midnight = at(NEW_YORK, 2026, 11, 1, 0, 0)
    assert midnight == utc(2026, 11, 1, 4, 0)
    assert office.next_day(midnight) == utc(2026, 11, 2, 5, 0)  # a 25-hour day


# -- DST changes at midnight ----------------------------------------------------------------


def test_santiago_skips_midnight():
    # 2026-09-06 (a Sunday): 00:00 -04 -> 01:00 -03 at 04:00 UTC: the day has no midnight.
    zone = ZoneInfo("America/Santiago")
    assert utc(2026, 9, 6, 4, 0).astimezone(zone).hour == 1
    assert utc(2026, 9, 6, 3, 59).astimezone(zone).day == 5
    night = window("00:00-06:00", "America/Santiago")
    saturday_noon = at(zone, 2026, 9, 5, 12, 0)
    assert night.day(utc(2026, 9, 6, 3, 59)) == date(2026, 9, 5)
    assert night.day(utc(2026, 9, 6, 4, 0)) == date(2026, 9, 6)
    assert night.next_day(saturday_noon) == utc(2026, 9, 6, 4, 0)  # its first moment, 01:00
    assert night.next_open(saturday_noon) == utc(2026, 9, 6, 4, 0)
    assert night.next_day(utc(2026, 9, 6, 4, 0)) == utc(2026, 9, 7, 3, 0)  # 23 hours


def test_santiago_repeats_the_last_hour_of_a_saturday():
    # 2026-04-05 03:00 UTC: Saturday 23:59 -03 -> Saturday 23:00 -04: a 25-hour Saturday.
    zone = ZoneInfo("America/Santiago")
    first = at(zone, 2026, 4, 4, 23, 30)
    assert first == utc(2026, 4, 5, 2, 30)
    weekdays = window("00:00-24:00", "America/Santiago", skip_weekends=True)
    assert weekdays.day(utc(2026, 4, 5, 3, 30)) == date(2026, 4, 4)  # the second 23:30
    assert weekdays.next_day(first) == utc(2026, 4, 5, 4, 0)
    assert weekdays.next_open(first) == at(zone, 2026, 4, 6, 0, 0)  # Monday


def test_beirut_reopens_a_late_window_in_the_repeated_hour():
    # 2026-10-24 21:00 UTC: Saturday 23:59 +03 -> Saturday 23:00 +02.
    zone = ZoneInfo("Asia/Beirut")
    assert utc(2026, 10, 24, 21, 0).astimezone(zone).hour == 23
    late = window("23:30-01:00", "Asia/Beirut")
    assert late.next_open(at(zone, 2026, 10, 24, 12, 0)) == utc(2026, 10, 24, 20, 30)
    assert not late.is_open(utc(2026, 10, 24, 21, 10))  # the second 23:10
    assert late.next_open(utc(2026, 10, 24, 21, 10)) == utc(2026, 10, 24, 21, 30)


def test_havana_repeats_midnight():
    # 2026-11-01 05:00 UTC: 00:59 -04 -> 00:00 -05: midnight (a Sunday's) comes twice.
    zone = ZoneInfo("America/Havana")
    assert utc(2026, 11, 1, 5, 0).astimezone(zone).hour == 0
    first_hour = window("00:00-00:30", "America/Havana")
    assert first_hour.next_open(at(zone, 2026, 10, 31, 12, 0)) == utc(2026, 11, 1, 4, 0)
    assert first_hour.next_open(utc(2026, 11, 1, 4, 40)) == utc(2026, 11, 1, 5, 0)
    assert first_hour.next_day(at(zone, 2026, 10, 31, 12, 0)) == utc(2026, 11, 1, 4, 0)
    assert first_hour.next_day(utc(2026, 11, 1, 4, 0)) == utc(2026, 11, 2, 5, 0)


def test_kiritimati_skipped_a_whole_day():
    # 1994-12-31 10:00 UTC: 1994-12-30 23:59 -10 -> 1995-01-01 00:00 +14.
    zone = ZoneInfo("Pacific/Kiritimati")
    office = window("09:00-17:00", "Pacific/Kiritimati")
    evening = at(zone, 1994, 12, 30, 20, 0)
    assert office.next_day(evening) == utc(1994, 12, 31, 10, 0)
    assert office.day(office.next_day(evening)) == date(1995, 1, 1)
    assert office.next_open(evening) == at(zone, 1995, 1, 1, 9, 0)


# -- far offsets: the local day is not UTC's ----------------------------------------------------


def test_kiritimati_is_on_saturday_while_utc_is_on_friday():
    zone = ZoneInfo("Pacific/Kiritimati")  # +14
    weekdays = window("09:00-17:00", "Pacific/Kiritimati", skip_weekends=True)
    friday_utc = utc(2026, 1, FRI, 20, 0)  # Saturday 10:00 there
    assert weekdays.day(friday_utc) == date(2026, 1, SAT)
    assert not weekdays.is_open(friday_utc)
    assert weekdays.next_open(friday_utc) == at(zone, 2026, 1, NEXT_MON, 9, 0)
    assert weekdays.next_open(friday_utc) == utc(2026, 1, SUN, 19, 0)
    assert weekdays.next_day(friday_utc) == utc(2026, 1, SAT, 10, 0)


def test_pago_pago_is_on_sunday_while_utc_is_on_monday():
    zone = ZoneInfo("Pacific/Pago_Pago")  # -11
    weekdays = window("09:00-17:00", "Pacific/Pago_Pago", skip_weekends=True)
    monday_utc = utc(2026, 1, NEXT_MON, 5, 0)  # Sunday 18:00 there
    assert weekdays.day(monday_utc) == date(2026, 1, SUN)
    assert not weekdays.is_open(monday_utc)
    assert weekdays.next_open(monday_utc) == at(zone, 2026, 1, NEXT_MON, 9, 0)
    assert weekdays.next_open(monday_utc) == utc(2026, 1, NEXT_MON, 20, 0)
    assert weekdays.next_day(monday_utc) == utc(2026, 1, NEXT_MON, 11, 0)


def test_the_default_window_is_utc_and_always_open():
    default = SendWindow()
    moment = utc(2026, 1, SAT, 23, 59, 59)
    assert default.always and default.is_open(moment) and default.next_open(moment) == moment
    assert default.day(moment) == date(2026, 1, SAT)
    assert default.next_day(moment) == utc(2026, 1, SUN)


# -- describe ------------------------------------------------------------------------------


def test_describe_says_local_time_and_utc():
    assert OFFICE.describe(utc(2026, 1, MON, 8, 0)) == (
        "2026-01-12 09:00 Europe/Berlin (2026-01-12T08:00:00Z)"
    )
    # the two readings of 02:30 on the fall-back night differ by their UTC
    assert OFFICE.describe(utc(2026, 10, 25, 0, 30)) == (
        "2026-10-25 02:30 Europe/Berlin (2026-10-25T00:30:00Z)"
    )
    assert OFFICE.describe(utc(2026, 10, 25, 1, 30)) == (
        "2026-10-25 02:30 Europe/Berlin (2026-10-25T01:30:00Z)"
    )


def test_describe_in_utc_says_it_once():
    assert SendWindow().describe(utc(2026, 1, MON, 8, 0, 5)) == "2026-01-12T08:00:05Z"


# -- properties ----------------------------------------------------------------------------

# Each zone with the UTC moments of its DST changes, near which the mistakes hide.
CHANGES = {
    "UTC": [],
    "Pacific/Pago_Pago": [],
    "Europe/Berlin": [utc(2026, 3, 29, 1), utc(2026, 10, 25, 1)],
    "America/New_York": [utc(2026, 3, 8, 7), utc(2026, 11, 1, 6)],
    "America/Santiago": [utc(2026, 4, 5, 3), utc(2026, 9, 6, 4)],  # at midnight
    "Asia/Beirut": [utc(2026, 3, 28, 22), utc(2026, 10, 24, 21)],  # at midnight
    "America/Havana": [utc(2026, 3, 8, 5), utc(2026, 11, 1, 5)],  # at midnight
    "Australia/Lord_Howe": [utc(2026, 4, 4, 15), utc(2026, 10, 3, 15, 30)],  # half an hour
    "Pacific/Kiritimati": [utc(1994, 12, 31, 10)],  # a day skipped
    "Pacific/Apia": [utc(2011, 12, 30, 10)],  # a day skipped
}


@st.composite
def cases(draw: st.DrawFn) -> tuple[SendWindow, datetime]:
    """A window and a moment: anywhere in a year, or (half the time) a window starting and
    ending within two hours of a DST change and a moment within three hours of it."""
    zone = draw(st.sampled_from(sorted(CHANGES)))
    minutes = st.integers(0, 24 * 60 - 1)
    now = draw(st.datetimes(datetime(2025, 12, 1), datetime(2027, 2, 1), timezones=st.just(UTC)))
    if CHANGES[zone] and draw(st.booleans()):
        change = draw(st.sampled_from(CHANGES[zone]))
        now = change + draw(st.timedeltas(-timedelta(hours=3), timedelta(hours=3)))
        wall = (change - timedelta(seconds=1)).astimezone(ZoneInfo(zone))
        near = st.integers(-120, 120).map(lambda step: wall.hour * 60 + wall.minute + step)
        minutes = near.map(lambda minute: minute % (24 * 60))
    start = draw(minutes)
    end = draw(st.one_of(minutes, st.just(24 * 60)).filter(lambda end: end % (24 * 60) != start))
    return SendWindow(ZoneInfo(zone), start, end, draw(st.booleans())), now


def assert_first_open(window_: SendWindow, now: datetime) -> None:
    opens = window_.next_open(now)
    assert opens >= now
    assert window_.is_open(opens)
    assert window_.next_open(opens) == opens
    assert opens == now or not window_.is_open(now)
    # is_open changes only on a whole minute: checking each one between is checking them all
    minute = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    while minute < opens:
        assert not window_.is_open(minute), minute
        minute += timedelta(minutes=1)


@settings(max_examples=400, deadline=None)
@given(cases())
def test_next_open_is_the_first_open_moment(case):
    assert_first_open(*case)


# The clocks turning back: (zone, the moment, the wall-clock minute the repeated hour begins).
TURNS_BACK = [
    ("Europe/Berlin", utc(2026, 10, 25, 1), 2 * 60),
    ("America/New_York", utc(2026, 11, 1, 6), 1 * 60),
    ("America/Santiago", utc(2026, 4, 5, 3), 23 * 60),
    ("America/Havana", utc(2026, 11, 1, 5), 0),
    ("Australia/Lord_Howe", utc(2026, 4, 4, 15), 1 * 60 + 30),  # half an hour repeated
]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(TURNS_BACK),
    st.integers(-90, 59),
    st.integers(1, 90),
    st.timedeltas(-timedelta(hours=1), timedelta(hours=2)),
    st.booleans(),
)
def test_next_open_when_the_clocks_turn_back(turn, start, end, offset, skip_weekends):
    """Windows starting before or in the repeated hour and ending in it or after: the hour the
    clocks repeat may open a window a second time, at its start or at the change itself."""
    zone, change, repeat = turn
    start, end = (repeat + start) % (24 * 60), (repeat + end) % (24 * 60)
    if start != end:
        assert_first_open(SendWindow(ZoneInfo(zone), start, end, skip_weekends), change + offset)


@settings(max_examples=400, deadline=None)
@given(cases())
def test_next_day_is_where_the_local_date_changes(case):
    window_, now = case
    tomorrow = window_.next_day(now)
    assert tomorrow > now
    assert window_.day(tomorrow) > window_.day(now)  # the next day, or the one after a lost one
    assert window_.day(tomorrow - timedelta(microseconds=1)) == window_.day(now)
    assert window_.day(tomorrow) == window_.day(now) + timedelta(days=1) or now.year < 2012

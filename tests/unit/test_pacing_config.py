"""`[pacing]`, `[accounts.NAME]` and `rotate_accounts` in the campaign file: read, inherited,
and every wrong value said with the file, the table and the key."""

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from runner.campaign import load_campaign
from runner.errors import ConfigError
from runner.pacing import Pacing, Warmup
from runner.window import SendWindow

BASE = 'sheet = "leads.csv"\nmessage_template = "m.j2"\n'
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")

FULL = """
[pacing]
min_delay = 30
max_delay = 90.5
daily_limit = 40
send_window = "09:00-17:30"
timezone = "Europe/Berlin"
skip_weekends = true
warmup = { start = 10, step = 5 }
"""
FULL_PACING = Pacing(30, 90.5, 40, SendWindow(BERLIN, 540, 1050, True), Warmup(10, 5))


def load(tmp_path: Path, text: str):
    (tmp_path / "leads.csv").write_text("recipientProfileId\nann\n", encoding="utf-8")
    (tmp_path / "m.j2").write_text("Hi", encoding="utf-8")
    path = tmp_path / "c.toml"
    path.write_text(BASE + text, encoding="utf-8")
    return load_campaign(path)


def error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text)
    return str(info.value)


# -- reading ---------------------------------------------------------------------------------


def test_no_pacing_table_is_the_defaults(tmp_path):
    campaign = load(tmp_path, "")
    assert campaign.pacing == Pacing()
    assert campaign.pacing.window.always and campaign.pacing.cap(5) is None
    assert campaign.accounts == {} and campaign.rotate_accounts == ()


def test_every_pacing_key(tmp_path):
    campaign = load(tmp_path, FULL)
    assert campaign.pacing == FULL_PACING
    assert campaign.pacing_for("anyone") == FULL_PACING


def test_a_timezone_alone_sets_the_day_a_cap_counts_in(tmp_path):
    pacing = load(tmp_path, '[pacing]\ntimezone = " America/New_York "\n').pacing
    assert pacing.window == SendWindow(NEW_YORK)
    assert pacing.window.always
    # 03:00 UTC on the 16th is still the 15th in New York
    assert pacing.window.day(datetime(2026, 1, 16, 3, tzinfo=UTC)).day == 15


def test_skip_weekends_off_needs_no_timezone(tmp_path):
    assert load(tmp_path, "[pacing]\nskip_weekends = false\n").pacing.window == SendWindow()


@pytest.mark.parametrize(
    ("warmup", "limit", "caps"),
    [
        (Warmup(10, 5), 30, [10, 15, 20, 25, 30, 30, 30]),
        (Warmup(10, 5), None, [10, 15, 20, 25, 30, 35, 40]),
        (Warmup(50, 5), 30, [30] * 7),  # never above the daily limit
        (Warmup(3, 0), None, [3] * 7),
        (None, 30, [30] * 7),
        (None, None, [None] * 7),
    ],
)
def test_cap(warmup, limit, caps):
    pacing = Pacing(daily_limit=limit, warmup=warmup)
    assert [pacing.cap(days) for days in range(7)] == caps


def test_warmup_step_defaults_to_zero(tmp_path):
    pacing = load(tmp_path, "[pacing]\nwarmup = { start = 4 }\n").pacing
    assert pacing.warmup == Warmup(4, 0)


# -- [accounts.NAME] inherits from [pacing] ----------------------------------------------------


def test_an_empty_account_table_is_the_pacing_table(tmp_path):
    campaign = load(tmp_path, FULL + "[accounts.acc_1]\n")
    assert campaign.pacing_for("acc_1") == FULL_PACING
    assert set(campaign.accounts) == {"acc_1"}


@pytest.mark.parametrize(
    ("line", "changed"),
    [
        ("min_delay = 5", {"min_delay": 5.0}),
        ("max_delay = 200", {"max_delay": 200.0}),
        ("daily_limit = 7", {"daily_limit": 7}),
        ('send_window = "22:00-06:00"', {"window": SendWindow(BERLIN, 1320, 360, True)}),
        ('timezone = "America/New_York"', {"window": SendWindow(NEW_YORK, 540, 1050, True)}),
        ("skip_weekends = false", {"window": SendWindow(BERLIN, 540, 1050, False)}),
        ("warmup = { start = 2, step = 1 }", {"warmup": Warmup(2, 1)}),
    ],
)
def test_an_account_table_overrides_only_what_it_sets(tmp_path, line, changed):
    campaign = load(tmp_path, FULL + f"[accounts.acc_1]\n{line}\n")
    assert campaign.pacing_for("acc_1") == replace(FULL_PACING, **changed)
    assert campaign.pacing_for("acc_2") == FULL_PACING  # no table: [pacing]'s


def test_a_window_set_only_in_the_account_uses_the_pacing_timezone(tmp_path):
    campaign = load(
        tmp_path,
        '[pacing]\ntimezone = "America/New_York"\n'
        '[accounts.acc_1]\nsend_window = "08:00-12:00"\nskip_weekends = true\n',
    )
    assert campaign.pacing_for("acc_1").window == SendWindow(NEW_YORK, 480, 720, True)
    assert campaign.pacing.window == SendWindow(NEW_YORK)


def test_a_timezone_set_only_in_the_account_moves_the_pacing_window(tmp_path):
    campaign = load(
        tmp_path,
        '[pacing]\nsend_window = "09:00-17:00"\ntimezone = "Europe/Berlin"\n'
        '[accounts.acc_us]\ntimezone = "America/New_York"\n',
    )
    assert campaign.pacing_for("acc_us").window == SendWindow(NEW_YORK, 540, 1020)
    assert campaign.pacing.window == SendWindow(BERLIN, 540, 1020)


def test_a_pacing_window_needs_a_pacing_timezone_for_accounts_without_a_table(tmp_path):
    message = error(
        tmp_path,
        '[pacing]\nsend_window = "09:00-17:00"\n[accounts.acc_us]\ntimezone = "America/New_York"\n',
    )
    assert message.startswith("c.toml: send_window in [pacing] needs a timezone beside it")


def test_account_names_are_trimmed(tmp_path):
    campaign = load(tmp_path, '[accounts." acc_1 "]\ndaily_limit = 3\n')
    assert campaign.pacing_for("acc_1").daily_limit == 3


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[pacing]\ntimzone = "Europe/Berlin"\n',
            "c.toml: unknown key 'timzone' in [pacing] (did you mean 'timezone'?); known keys: "
            "min_delay, max_delay, daily_limit, send_window, timezone, skip_weekends, warmup",
        ),
        (
            '[accounts.acc_1]\nwindow = "09:00-17:00"\n',
            "c.toml: unknown key 'window' in [accounts.acc_1] (did you mean 'send_window'?)",
        ),
        (
            '[pacing]\nsend_window = "09:00-17:00"\n',
            "c.toml: send_window in [pacing] needs a timezone beside it (an IANA name such as "
            'timezone = "Europe/Berlin"): hours and weekends are read on the clock where your '
            "prospects are",
        ),
        (
            "[pacing]\nskip_weekends = true\n",
            "c.toml: skip_weekends in [pacing] needs a timezone beside it",
        ),
        (
            '[accounts.acc_1]\nsend_window = "09:00-17:00"\n',
            "c.toml: send_window in [accounts.acc_1] needs a timezone beside it, in "
            "[accounts.acc_1] or [pacing]",
        ),
        (
            '[pacing]\ntimezone = "Europe/Berln"\n',
            "c.toml: timezone in [pacing]: 'Europe/Berln' is not a time zone name "
            "(did you mean 'Europe/Berlin'?); use an IANA name",
        ),
        (
            '[pacing]\ntimezone = "europe/berlin"\n',
            "(did you mean 'Europe/Berlin'?)",
        ),
        (
            '[accounts.acc_1]\ntimezone = "Europe"\n',
            "c.toml: timezone in [accounts.acc_1]: 'Europe' is not a time zone name",
        ),
        ('[pacing]\ntimezone = ""\n', "c.toml: timezone in [pacing]: '' is not a time zone name"),
        (
            '[pacing]\ntimezone = "../../etc/passwd"\n',
            "c.toml: timezone in [pacing]: '../../etc/passwd' is not a time zone name",
        ),
        ("[pacing]\ntimezone = 1\n", 'timezone in [pacing] must be a string like "Europe/Berlin"'),
        (
            "[pacing]\nsend_window = 09:00:00\n",
            'c.toml: send_window in [pacing] must be a string like "09:00-17:30", not a date or '
            "time",
        ),
        (
            "[pacing]\nmin_delay = 2026-01-01\n",
            "min_delay in [pacing] must be a number, not a date",
        ),
        (
            '[pacing]\nsend_window = ""\n',
            "c.toml: send_window in [pacing] needs a timezone beside it",
        ),
        (
            '[pacing]\ntimezone = "UTC"\nsend_window = ""\n',
            "c.toml: send_window in [pacing] must be two times like \"09:00-17:30\", not ''",
        ),
        (
            '[pacing]\ntimezone = "UTC"\nsend_window = "9-17"\n',
            "c.toml: send_window in [pacing] must be two times like \"09:00-17:30\", not '9-17'",
        ),
        (
            '[pacing]\ntimezone = "UTC"\nsend_window = "25:00-26:00"\n',
            "c.toml: send_window in [pacing] has '25:00', which is not a time of day",
        ),
        (
            '[pacing]\ntimezone = "UTC"\n[accounts.a]\nsend_window = "09:00 - 09:00"\n',
            "c.toml: send_window in [accounts.a] starts and ends at the same time",
        ),
        (
            "[pacing]\ndaily_limit = 0\n",
            "c.toml: daily_limit in [pacing] must be at least 1, not 0 (leave the account out "
            "of the campaign to send nothing from it)",
        ),
        ("[accounts.a]\ndaily_limit = -2\n", "c.toml: daily_limit in [accounts.a] must be at"),
        ("[pacing]\ndaily_limit = true\n", "c.toml: daily_limit in [pacing] must be a whole"),
        ("[pacing]\ndaily_limit = 2.5\n", "c.toml: daily_limit in [pacing] must be a whole"),
        (
            "[pacing]\nwarmup = { start = 0, step = 5 }\n",
            "c.toml: warmup in [pacing] needs start of 1 or more and step of 0 or more "
            "(got start = 0, step = 5)",
        ),
        (
            "[accounts.a]\nwarmup = { start = 5, step = -1 }\n",
            "c.toml: warmup in [accounts.a] needs start of 1 or more and step of 0 or more "
            "(got start = 5, step = -1)",
        ),
        (
            "[pacing]\nwarmup = { start = 5, stpe = 1 }\n",
            "c.toml: unknown key 'stpe' in [pacing.warmup] (did you mean 'step'?)",
        ),
        ("[pacing]\nwarmup = { step = 1 }\n", "missing required key 'start' in [pacing.warmup]"),
        ("[pacing]\nwarmup = 10\n", "c.toml: warmup in [pacing] must be a table like"),
        ("[pacing]\nwarmup = { start = 1.5 }\n", "start in [pacing.warmup] must be a whole"),
        (
            "[pacing]\nmin_delay = 10\nmax_delay = 5\n",
            "c.toml: [pacing] needs 0 <= min_delay <= max_delay (got min_delay = 10 and "
            "max_delay = 5)",
        ),
        (
            "[pacing]\nmin_delay = 90\n",
            "c.toml: [pacing] needs 0 <= min_delay <= max_delay (got min_delay = 90 and "
            "max_delay = 60 (the default))",
        ),
        ("[pacing]\nmin_delay = -1\n", "needs 0 <= min_delay <= max_delay (got min_delay = -1"),
        (
            "[accounts.slow]\nmin_delay = 100\nmax_delay = 50\n",
            "c.toml: [accounts.slow] needs 0 <= min_delay <= max_delay (got min_delay = 100 "
            "and max_delay = 50)",
        ),
        (
            "[pacing]\nmin_delay = 50\n[accounts.slow]\nmax_delay = 30\n",
            "c.toml: [accounts.slow] needs 0 <= min_delay <= max_delay (got min_delay = 50 "
            "(from [pacing]) and max_delay = 30)",
        ),
        ("[pacing]\nmax_delay = inf\n", "c.toml: max_delay in [pacing] must be a finite number"),
        ("[accounts.a]\nmin_delay = nan\n", "c.toml: min_delay in [accounts.a] must be a finite"),
        ('[pacing]\nmin_delay = "5"\n', "c.toml: min_delay in [pacing] must be a number, not a"),
        ("[accounts]\nslow = 5\n", "c.toml: [accounts.slow] must be a table of pacing keys"),
        ('accounts = "acc_1"\n', "c.toml: accounts must be a table of [accounts.NAME] tables"),
        ('pacing = "fast"\n', "c.toml: pacing must be a table"),
        ('[accounts." "]\ndaily_limit = 1\n', "c.toml: [accounts] names an account with an em"),
        (
            '[accounts.a]\ndaily_limit = 1\n[accounts." a"]\ndaily_limit = 2\n',
            "c.toml: [accounts.a] and [accounts. a] name the same account",
        ),
    ],
)
def test_pacing_errors(tmp_path, text, message):
    assert message in error(tmp_path, text)


def test_whole_error_messages(tmp_path):
    assert error(tmp_path, "[pacing]\ndaily_limit = 0\n") == (
        "c.toml: daily_limit in [pacing] must be at least 1, not 0 (leave the account out "
        "of the campaign to send nothing from it)"
    )
    assert error(tmp_path, '[pacing]\ntimezone = "Mars/Olympus"\n') == (
        "c.toml: timezone in [pacing]: 'Mars/Olympus' is not a time zone name; use an IANA "
        'name such as "Europe/Berlin", "America/New_York" or "UTC"'
    )


# -- rotate_accounts -----------------------------------------------------------------------


def test_rotate_accounts(tmp_path):
    campaign = load(tmp_path, 'rotate_accounts = ["acc_1", " acc_2 "]\n')
    assert campaign.rotate_accounts == ("acc_1", "acc_2")
    assert campaign.account_id is None


def test_rotate_accounts_empty_beside_account_id(tmp_path):
    campaign = load(tmp_path, 'account_id = "acc_1"\nrotate_accounts = []\n')
    assert (campaign.account_id, campaign.rotate_accounts) == ("acc_1", ())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'rotate_accounts = ["acc_1", "acc_2", "acc_1"]\n',
            "c.toml: rotate_accounts names 'acc_1' twice",
        ),
        ('rotate_accounts = ["acc_1", " acc_1"]\n', "c.toml: rotate_accounts names 'acc_1' twice"),
        (
            'rotate_accounts = ["acc_1", 2]\n',
            "c.toml: rotate_accounts must list account IDs as strings, like "
            '["acc_1", "acc_2"]; found 2',
        ),
        ('rotate_accounts = [""]\n', "c.toml: rotate_accounts must list account IDs as strings"),
        ("rotate_accounts = [[]]\n", "c.toml: rotate_accounts must list account IDs as strings"),
        ('rotate_accounts = "acc_1"\n', "c.toml: rotate_accounts must be a list of account IDs"),
        (
            'account_id = "acc_0"\nrotate_accounts = ["acc_1"]\n',
            "c.toml: account_id and rotate_accounts both name the sender; keep one",
        ),
    ],
)
def test_rotate_accounts_errors(tmp_path, text, message):
    assert error(tmp_path, text).startswith(message)

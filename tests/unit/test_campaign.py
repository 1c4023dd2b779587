"""The campaign file: every key checked, paths resolved relative to the file."""

from pathlib import Path

import pytest

from runner.campaign import load_campaign
from runner.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "leads.csv").write_text("recipientProfileId\nann\n", encoding="utf-8")
    (tmp_path / "m.j2").write_text("Hi", encoding="utf-8")
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    return path


BASE = 'sheet = "leads.csv"\nmessage_template = "m.j2"\n'


def error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as info:
        load_campaign(write(tmp_path, text))
    return str(info.value)


def test_defaults_and_relative_paths(tmp_path):
    campaign = load_campaign(write(tmp_path, BASE))
    assert campaign.name == "c"
    assert campaign.sheet == (tmp_path / "leads.csv").resolve()
    assert campaign.target == campaign.sheet
    assert campaign.api.base_url == "https://api.connectsafely.ai/linkedin"
    assert campaign.api.timeout == 30
    assert (campaign.pacing.min_delay, campaign.pacing.max_delay) == (20, 60)


def test_full_file(tmp_path):
    (tmp_path / "s.j2").write_text("Subject", encoding="utf-8")
    campaign = load_campaign(
        write(
            tmp_path,
            BASE
            + 'name = "q4"\noutput = "out/status.csv"\nsubject_template = "s.j2"\n'
            + 'account_id = "acc_1"\nmessage_type = "InMail"\n'
            + "[api]\nsandbox = true\ntimeout = 5\n[pacing]\nmin_delay = 1\nmax_delay = 2\n",
        )
    )
    assert campaign.name == "q4"
    assert campaign.output == (tmp_path / "out/status.csv").resolve()
    assert campaign.message_type == "inmail"
    assert campaign.account_id == "acc_1"
    assert campaign.api.sandbox and campaign.api.timeout == 5


def test_unknown_key_is_named_with_a_suggestion(tmp_path):
    message = error(tmp_path, BASE + 'acount_id = "x"\n')
    assert message.startswith("c.toml: unknown key 'acount_id' (did you mean 'account_id'?)")


def test_unknown_key_in_a_table(tmp_path):
    assert "unknown key 'timout' in [api] (did you mean 'timeout'?)" in error(
        tmp_path, BASE + "[api]\ntimout = 3\n"
    )


def test_missing_required_key(tmp_path):
    assert error(tmp_path, 'sheet = "leads.csv"\n') == (
        "c.toml: missing required key 'message_template'"
    )


def test_wrong_type(tmp_path):
    assert error(tmp_path, BASE + '[api]\ntimeout = "30"\n') == (
        "c.toml: timeout in [api] must be a number, not a string"
    )
    assert "sandbox in [api] must be true or false" in error(
        tmp_path, BASE + "[api]\nsandbox = 1\n"
    )


def test_toml_syntax_error(tmp_path):
    assert error(tmp_path, "sheet = \n").startswith("c.toml: TOML syntax error:")


def test_missing_path(tmp_path):
    assert error(tmp_path, 'sheet = "nope.csv"\nmessage_template = "m.j2"\n').startswith(
        "c.toml: sheet: nope.csv does not exist"
    )


def test_bad_message_type_and_pacing(tmp_path):
    assert "message_type must be" in error(tmp_path, BASE + 'message_type = "email"\n')
    assert "min_delay <= max_delay" in error(
        tmp_path, BASE + "[pacing]\nmin_delay = 9\nmax_delay = 1\n"
    )


def test_missing_campaign_file(tmp_path):
    with pytest.raises(ConfigError, match="campaign file not found"):
        load_campaign(tmp_path / "none.toml")


def test_header_row(tmp_path):
    assert load_campaign(write(tmp_path, BASE)).header_row == 1
    assert load_campaign(write(tmp_path, BASE + "header_row = 4\n")).header_row == 4


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "c.toml: header_row must be a row number, 1 or more, not 0"),
        ('"4"', "c.toml: header_row must be a whole number, not a string"),
        ("4.0", "c.toml: header_row must be a whole number, not a number"),
    ],
)
def test_header_row_must_be_a_row_number(tmp_path, value, message):
    assert error(tmp_path, BASE + f"header_row = {value}\n") == message

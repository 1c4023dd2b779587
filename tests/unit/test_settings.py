"""Settings: where to send (flag > environment > campaign file), and where files live."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from runner.campaign import ApiSettings, load_campaign
from runner.errors import ConfigError
from runner.settings import SANDBOX_KEY, SANDBOX_URL, places, resolve_target
from tests.support.campaign import make_campaign, people

FILE_URL = "https://file.example/linkedin"
ENV_URL = "https://env.example/linkedin"
FLAG_URL = "https://flag.example/linkedin"
KEY = {"CONNECTSAFELY_API_KEY": "sk_1"}


@pytest.fixture
def campaign(tmp_path: Path):
    files = make_campaign(tmp_path, people(1), extra=f'[api]\nbase_url = "{FILE_URL}"')
    return load_campaign(files.toml)


def sandboxed(campaign):
    return replace(campaign, api=replace(campaign.api, sandbox=True))


def test_the_file_base_url_is_the_default(campaign):
    assert resolve_target(campaign, KEY).base_url == FILE_URL


def test_the_environment_beats_the_file(campaign):
    env = {**KEY, "CONNECTSAFELY_BASE_URL": ENV_URL}
    assert resolve_target(campaign, env).base_url == ENV_URL


def test_the_flag_beats_the_environment(campaign):
    env = {**KEY, "CONNECTSAFELY_BASE_URL": ENV_URL}
    assert resolve_target(campaign, env, base_url_flag=FLAG_URL).base_url == FLAG_URL


def test_the_sandbox_flag_beats_everything_and_needs_no_key(campaign):
    env = {"CONNECTSAFELY_BASE_URL": ENV_URL}
    target = resolve_target(campaign, env, sandbox_flag=True)
    assert (target.base_url, target.api_key, target.sandbox) == (SANDBOX_URL, SANDBOX_KEY, True)


def test_sandbox_in_the_file_beats_the_environment_but_not_a_base_url_flag(campaign):
    env = {**KEY, "CONNECTSAFELY_BASE_URL": ENV_URL}
    assert resolve_target(sandboxed(campaign), env).sandbox
    target = resolve_target(sandboxed(campaign), env, base_url_flag=FLAG_URL)
    assert (target.base_url, target.sandbox) == (FLAG_URL, False)


def test_both_flags_contradict_each_other(campaign):
    with pytest.raises(ConfigError, match="--sandbox and --base-url contradict each other"):
        resolve_target(campaign, KEY, sandbox_flag=True, base_url_flag=FLAG_URL)


def test_a_key_is_needed_only_to_send(campaign):
    with pytest.raises(ConfigError, match="CONNECTSAFELY_API_KEY is not set"):
        resolve_target(campaign, {})
    assert resolve_target(campaign, {}, need_key=False).api_key == ""


def test_the_timeout_comes_from_the_file(campaign):
    campaign = replace(campaign, api=ApiSettings(base_url=FILE_URL, timeout=7))
    assert resolve_target(campaign, KEY).timeout == 7


def test_files_live_beside_the_campaign_by_default(campaign):
    where = places(campaign, sandbox=False)
    folder = campaign.path.parent / ".campaign-runner"
    assert where.state_dir == folder
    assert where.journal == folder / "campaign.journal.sqlite"
    assert where.lock == folder / "campaign.journal.lock"
    assert where.target == campaign.sheet
    assert where.sibling == campaign.sheet.with_name("leads.statuses.xlsx")
    assert where.sandbox_store == folder / "sandbox.sqlite"


def test_a_sandbox_run_has_its_own_journal_and_status_file(campaign, tmp_path):
    where = places(campaign, sandbox=True, state_dir=tmp_path / "state")
    assert where.journal == tmp_path / "state" / "campaign.sandbox.journal.sqlite"
    assert where.target == campaign.sheet.with_name("leads.sandbox.csv")


def test_output_is_the_target_and_odd_names_make_safe_file_names(campaign, tmp_path):
    odd = replace(campaign, name="Q4 / founders: März", output=tmp_path / "out.csv")
    where = places(odd, sandbox=False)
    assert where.journal.name == "Q4-founders-M-rz.journal.sqlite"
    assert where.target == tmp_path / "out.csv"

"""What a command runs with, decided in one place: where to send (flag > environment > campaign
file) and where the campaign's state and statuses live."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .api import ApiTarget, check_api_key, check_base_url
from .campaign import Campaign
from .errors import ConfigError
from .sheet import statuses_sibling

KEY_VAR = "CONNECTSAFELY_API_KEY"
URL_VAR = "CONNECTSAFELY_BASE_URL"
SANDBOX_KEY = "sandbox-key"
SANDBOX_URL = "http://sandbox.invalid/linkedin"
STATE_DIR_NAME = ".campaign-runner"
# A campaign's journal in the state folder is NAME.journal.sqlite, its sandbox trials' one
# NAME.sandbox.journal.sqlite: how other campaigns' journals are found (history.py) too.
JOURNAL_SUFFIX = ".journal.sqlite"
SANDBOX_JOURNAL_SUFFIX = ".sandbox" + JOURNAL_SUFFIX


def resolve_target(
    campaign: Campaign,
    env: Mapping[str, str],
    *,
    sandbox_flag: bool = False,
    base_url_flag: str | None = None,
    need_key: bool = True,
) -> ApiTarget:
    """Where to send and with which key.

    Flags first (--sandbox, else --base-url), then the campaign file's `sandbox = true`, then
    CONNECTSAFELY_BASE_URL, then the file's base_url.
    """
    if sandbox_flag and base_url_flag:
        raise ConfigError("--sandbox and --base-url contradict each other; give one of them")
    key = env.get(KEY_VAR, "").strip()
    if key:
        check_api_key(key, KEY_VAR)
    if sandbox_flag or (campaign.api.sandbox and not base_url_flag):
        return ApiTarget(SANDBOX_URL, key or SANDBOX_KEY, campaign.api.timeout, sandbox=True)
    if base_url_flag:
        url = check_base_url(base_url_flag, "--base-url")
    elif env.get(URL_VAR):
        url = check_base_url(env[URL_VAR], URL_VAR)
    else:
        url = check_base_url(campaign.api.base_url, f"{campaign.path.name}: [api] base_url")
    if need_key and not key:
        raise ConfigError(
            f"{KEY_VAR} is not set. Export your ConnectSafely API key "
            f"(export {KEY_VAR}=...), or try the campaign with --sandbox"
        )
    return ApiTarget(url, key, campaign.api.timeout)


@dataclass(frozen=True)
class Places:
    """Every file a campaign run reads or writes besides the sheet and templates."""

    state_dir: Path
    journal: Path  # the truth about what was sent (SQLite)
    preview_record: Path  # what the last preview showed the reviewer (approval_column)
    lock: Path  # held while a run sends, so two runs of the campaign never overlap
    target: Path  # where the statuses are written: the sheet, `output`, or the sandbox's copy
    target_lock: Path  # held while a run writes `target`, whatever the campaign
    # held while a real run sends from the sheet, so two campaigns on one sheet take turns even
    # when each writes its own `output` (None for a sandbox trial, which sends nothing real)
    sheet_lock: Path | None
    sibling: Path  # where they go when the workbook cannot be written in place
    sandbox_store: Path  # the sandbox's quota and delivery log
    sandbox: bool = False  # a sandbox trial: only other sandbox trials' journals are its history

    def make_target_folder(self, campaign_file: str) -> None:
        """The folder the statuses are written to, made if need be."""
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ConfigError(
                f"{campaign_file}: output: cannot create {self.target.parent}: {err.strerror}"
            ) from None

    @property
    def status_files(self) -> tuple[Path, ...]:
        """Files other than the sheet that may hold statuses from earlier runs."""
        return (self.target, self.sibling)


def places(campaign: Campaign, *, sandbox: bool, state_dir: Path | None = None) -> Places:
    """Where a campaign's files live: `state_dir` (--state-dir), else `.campaign-runner/` beside
    the campaign file. One journal per campaign and API: a sandbox trial never counts as a real
    send, and its statuses go beside the sheet, never into it.

    A relative `state_dir` is taken from the campaign file's folder, as every path in the
    campaign file is, so that it names the same folder from cron as from a shell."""
    folder = (campaign.path.parent / (state_dir or STATE_DIR_NAME)).resolve()
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", campaign.name).strip("-.") or "campaign"
    journal = folder / f"{safe}{SANDBOX_JOURNAL_SUFFIX if sandbox else JOURNAL_SUFFIX}"
    target = campaign.target
    if sandbox:
        target = target.with_name(f"{target.stem}.sandbox{target.suffix}")
    return Places(
        state_dir=folder,
        journal=journal,
        preview_record=folder / f"{safe}{'.sandbox' if sandbox else ''}.preview.json",
        lock=journal.with_suffix(".lock"),
        target=target,
        # Beside the file it guards (by its real path, so a symlink or another spelling of the
        # path is the same file), where every run that writes it, from any folder, looks.
        target_lock=_beside(Path(os.path.realpath(target)), "campaign-runner.lock"),
        sheet_lock=None
        if sandbox
        else _beside(Path(os.path.realpath(campaign.sheet)), "campaign-runner.lock"),
        sibling=statuses_sibling(campaign.sheet),
        sandbox_store=folder / "sandbox.sqlite",
        sandbox=sandbox,
    )


def _beside(path: Path, suffix: str) -> Path:
    """A hidden file next to `path`: `.leads.xlsx.campaign-runner.lock`."""
    return path.with_name(f".{path.name}.{suffix}")


@dataclass(frozen=True)
class RunOptions:
    places: Places
    api_name: str  # which API the quotas belong to: its base URL, or "sandbox"
    limit: int | None = None
    resend_unknown: bool = False
    trust_sheet: bool = False  # take sheet statuses the journal cannot vouch for as the record
    wait: bool = False  # --wait: sleep through pauses (quota, window, cap) until all is sent
    lookups_only: bool = False  # --lookup: look the routes up (route = "auto"); send nothing

"""The campaign file (TOML): read, check every key, resolve paths relative to the file."""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .keys import check_table
from .pacing import Pacing, read_pacing


class MessageType(StrEnum):
    NORMAL = "normal"
    INMAIL = "inmail"


class RouteMode(StrEnum):
    """How each row's way of sending is chosen (the `route` key)."""

    COLUMNS = "columns"  # by the sheet's columns and message_type, as written
    AUTO = "auto"  # by the account's relationship to the person, looked up before sending


DEFAULT_BASE_URL = "https://api.connectsafely.ai/linkedin"


@dataclass(frozen=True)
class ApiSettings:
    sandbox: bool = False
    base_url: str = DEFAULT_BASE_URL
    timeout: float = 30.0
    # Only the sandbox reads this: a short "day" lets a user watch a quota reset.
    sandbox_day_seconds: float = 86400.0


@dataclass(frozen=True)
class Limits:
    """LinkedIn's length limits, in characters; a row over them is invalid, not sent."""

    message: int = 8000
    inmail_body: int = 1900
    inmail_subject: int = 200


@dataclass(frozen=True)
class Campaign:
    path: Path
    name: str
    sheet: Path
    message_template: Path
    sheet_name: str | None = None
    header_row: int = 1  # the row holding the column names (below a report's title block)
    output: Path | None = None
    subject_template: Path | None = None
    account_id: str | None = None
    message_type: MessageType | None = None
    send_hidden_rows: bool = False  # rows a filter or the user hid are the audience too
    api: ApiSettings = ApiSettings()
    pacing: Pacing = Pacing()  # every account's, but those named in `accounts`
    limits: Limits = Limits()
    accounts: Mapping[str, Pacing] = field(default_factory=dict)  # [accounts.NAME] tables
    rotate_accounts: tuple[str, ...] = ()  # rows naming no account are spread across these
    do_not_contact: Path | None = None  # people never to message, whatever the campaign
    skip_contacted: bool = False  # skip people other campaigns in the state folder messaged
    approval_column: str | None = None  # rows go only once ticked here for the previewed text
    write_message: bool = False  # a message_sent column: the exact text that went out (audit)
    route: RouteMode = RouteMode.COLUMNS
    inmail: bool = False  # route = "auto": a non-connection with no group may get an InMail

    def pacing_for(self, account: str) -> Pacing:
        return self.accounts.get(account, self.pacing)

    @property
    def target(self) -> Path:
        """Where statuses are written: `output`, else the sheet itself."""
        return self.output or self.sheet


# key -> (accepted types, type name for messages, required)
_TOP: dict[str, tuple[tuple[type, ...], str, bool]] = {
    "name": ((str,), "a string", False),
    "sheet": ((str,), "a string (a path)", True),
    "sheet_name": ((str,), "a string", False),
    "header_row": ((int,), "a whole number", False),
    "output": ((str,), "a string (a path)", False),
    "message_template": ((str,), "a string (a path)", True),
    "subject_template": ((str,), "a string (a path)", False),
    "account_id": ((str,), "a string", False),
    "rotate_accounts": ((list,), 'a list of account IDs like ["acc_1", "acc_2"]', False),
    "message_type": ((str,), "a string", False),
    "send_hidden_rows": ((bool,), "true or false", False),
    "api": ((dict,), "a table", False),
    "pacing": ((dict,), "a table", False),
    "accounts": ((dict,), "a table of [accounts.NAME] tables", False),
    "limits": ((dict,), "a table", False),
    "do_not_contact": ((str,), "a string (a path)", False),
    "skip_contacted": ((bool,), "true or false", False),
    "approval_column": ((str,), "a string (a column name)", False),
    "write_message": ((bool,), "true or false", False),
    "route": ((str,), 'a string, "columns" or "auto"', False),
    "inmail": ((bool,), "true or false", False),
}
_NUMBER = ((int, float), "a number", False)
_API: dict[str, tuple[tuple[type, ...], str, bool]] = {
    "sandbox": ((bool,), "true or false", False),
    "base_url": ((str,), "a string", False),
    "timeout": _NUMBER,
    "sandbox_day_seconds": _NUMBER,
}
_LIMITS = {
    "message": ((int,), "a whole number", False),
    "inmail_body": ((int,), "a whole number", False),
    "inmail_subject": ((int,), "a whole number", False),
}


def load_campaign(path: Path) -> Campaign:
    """Read and check a campaign file; every problem is a ConfigError naming the file."""
    path = Path(path)
    where = path.name
    data = _read(path)
    check_table(data, _TOP, where, "")
    _misplaced(data, where)
    api = data.get("api", {})
    limits = data.get("limits", {})
    check_table(api, _API, where, "api")
    check_table(limits, _LIMITS, where, "limits")
    pacing, accounts = read_pacing(data.get("pacing", {}), data.get("accounts", {}), where)

    base = path.parent
    sheet = _existing(base, data["sheet"], "sheet", where)
    if sheet.suffix.lower() not in (".csv", ".xlsx", ".xlsm"):
        raise ConfigError(
            f"{where}: sheet: {data['sheet']} is not a .csv, .xlsx or .xlsm file"
            + ("; open it in Excel and save it as .xlsx" if sheet.suffix.lower() == ".xls" else "")
        )
    output = _output(base, data, sheet, where)
    if "sheet_name" in data and sheet.suffix.lower() == ".csv":
        raise ConfigError(f"{where}: sheet_name only applies to an .xlsx or .xlsm sheet")
    header_row = data.get("header_row", 1)
    if header_row < 1:
        raise ConfigError(f"{where}: header_row must be a row number, 1 or more, not {header_row}")
    message_type = data.get("message_type")
    if message_type is not None and message_type.strip().lower() not in tuple(MessageType):
        raise ConfigError(
            f'{where}: message_type must be "normal" or "inmail", not {message_type!r}'
        )
    for key, value in api.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(f"{where}: {key} must be a finite number, not {value}")
    api_settings, limit_settings = _api_settings(api, where), _limits(limits, where)
    account_id = (data.get("account_id") or "").strip() or None
    rotate = _rotation(data.get("rotate_accounts", []), account_id, where)
    route = _route(data, where)

    return Campaign(
        path=path.resolve(),
        name=data.get("name") or path.stem,
        sheet=sheet,
        sheet_name=data.get("sheet_name"),
        header_row=header_row,
        output=output,
        message_template=_existing(base, data["message_template"], "message_template", where),
        subject_template=(
            _existing(base, data["subject_template"], "subject_template", where)
            if "subject_template" in data
            else None
        ),
        account_id=account_id,
        message_type=MessageType(message_type.strip().lower()) if message_type else None,
        send_hidden_rows=data.get("send_hidden_rows", False),
        api=api_settings,
        pacing=pacing,
        limits=limit_settings,
        accounts=accounts,
        rotate_accounts=rotate,
        do_not_contact=(
            _existing(base, data["do_not_contact"], "do_not_contact", where)
            if "do_not_contact" in data
            else None
        ),
        skip_contacted=data.get("skip_contacted", False),
        approval_column=(data.get("approval_column") or "").strip() or None,
        write_message=data.get("write_message", False),
        route=route,
        inmail=data.get("inmail", False),
    )


def _misplaced(data: dict[str, Any], where: str) -> None:
    """A key of the campaign itself written below a [table] header belongs to that table in
    TOML (`inmail = true` appended at the end lands in [pacing]): say so, not "unknown key"."""
    for name in ("api", "pacing", "limits"):  # [accounts.NAME] holds accounts by their names
        for key in data.get(name, {}):
            if key in _TOP and dict not in _TOP[key][0]:
                raise ConfigError(
                    f"{where}: {key} is inside [{name}], but it is a key of the campaign itself: "
                    f"move it above the first [table] line (in TOML every key below [{name}] "
                    "belongs to it)"
                )


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: campaign file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a campaign file") from None
    except OSError as err:
        raise ConfigError(f"{path}: cannot read: {err.strerror}") from None
    try:
        return tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path.name}: not UTF-8 text; save the campaign file as UTF-8") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path.name}: TOML syntax error: {err}") from None


def _output(base: Path, data: dict[str, Any], sheet: Path, where: str) -> Path | None:
    if "output" not in data:
        return None
    output = (base / data["output"]).resolve()
    if output.is_dir():
        raise ConfigError(f"{where}: output: {data['output']} is a folder; name a file")
    csv_as_xlsx = sheet.suffix.lower() == ".csv" and output.suffix.lower() == ".xlsx"
    if output.suffix.lower() != sheet.suffix.lower() and not csv_as_xlsx:
        raise ConfigError(
            f"{where}: output: {data['output']} must have the same extension as the sheet "
            f"({sheet.suffix})" + (", or .xlsx for a .csv sheet" if sheet.suffix == ".csv" else "")
        )
    return output


def _api_settings(api: dict[str, Any], where: str) -> ApiSettings:
    settings = ApiSettings(
        sandbox=api.get("sandbox", False),
        base_url=api.get("base_url", DEFAULT_BASE_URL),
        timeout=float(api.get("timeout", 30.0)),
        sandbox_day_seconds=float(api.get("sandbox_day_seconds", 86400.0)),
    )
    if settings.timeout <= 0:
        raise ConfigError(f"{where}: [api] timeout must be more than 0 seconds")
    if settings.sandbox_day_seconds < 1:
        raise ConfigError(f"{where}: [api] sandbox_day_seconds must be at least 1")
    return settings


def _rotation(names: list[Any], account_id: str | None, where: str) -> tuple[str, ...]:
    if names and account_id:
        raise ConfigError(
            f"{where}: account_id and rotate_accounts both name the sender; keep one "
            "(rotate_accounts spreads rows across several accounts)"
        )
    rotate: list[str] = []
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(
                f"{where}: rotate_accounts must list account IDs as strings, "
                f'like ["acc_1", "acc_2"]; found {name!r}'
            )
        if name.strip() in rotate:
            raise ConfigError(f"{where}: rotate_accounts names {name.strip()!r} twice")
        rotate.append(name.strip())
    return tuple(rotate)


def _route(data: dict[str, Any], where: str) -> RouteMode:
    """`route`, and the keys that go with it: `inmail` with "auto" (and a subject to send),
    `message_type` with "columns"."""
    text = data.get("route", RouteMode.COLUMNS)
    if text.strip().lower() not in tuple(RouteMode):
        raise ConfigError(
            f'{where}: route must be "columns" (each row as its columns say) or "auto" (by the '
            f"account's relationship to the person, looked up before sending), not {text!r}"
        )
    route = RouteMode(text.strip().lower())
    if route is RouteMode.COLUMNS and data.get("inmail"):
        raise ConfigError(
            f'{where}: inmail = true goes with route = "auto" (it lets non-connections get an '
            'InMail); with route = "columns", set message_type = "inmail" instead'
        )
    if route is RouteMode.AUTO and "message_type" in data:
        raise ConfigError(
            f'{where}: message_type goes with route = "columns"; with route = "auto" each '
            "row's relationship decides it: remove message_type (inmail = true lets "
            "non-connections get an InMail)"
        )
    if data.get("inmail") and "subject_template" not in data:
        raise ConfigError(
            f"{where}: inmail = true needs subject_template: an InMail needs a subject"
        )
    return route


def _limits(limits: dict[str, Any], where: str) -> Limits:
    for key, value in limits.items():
        if value < 1:
            raise ConfigError(f"{where}: [limits] {key} must be at least 1")
    return Limits(**limits)


def _existing(base: Path, value: str, key: str, where: str) -> Path:
    resolved = (base / value).resolve()
    if not resolved.exists():
        raise ConfigError(f"{where}: {key}: {value} does not exist (looked for {resolved})")
    if resolved.is_dir():
        raise ConfigError(f"{where}: {key}: {value} is a folder, not a file")
    return resolved

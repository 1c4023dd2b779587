"""The campaign file (TOML): read, check every key, resolve paths relative to the file."""

from __future__ import annotations

import difflib
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from .errors import ConfigError


class MessageType(StrEnum):
    NORMAL = "normal"
    INMAIL = "inmail"


DEFAULT_BASE_URL = "https://api.connectsafely.ai/linkedin"


@dataclass(frozen=True)
class ApiSettings:
    sandbox: bool = False
    base_url: str = DEFAULT_BASE_URL
    timeout: float = 30.0
    # Only the sandbox reads this: a short "day" lets a user watch a quota reset.
    sandbox_day_seconds: float = 86400.0


@dataclass(frozen=True)
class Pacing:
    min_delay: float = 20.0
    max_delay: float = 60.0


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
    pacing: Pacing = Pacing()
    limits: Limits = Limits()

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
    "message_type": ((str,), "a string", False),
    "send_hidden_rows": ((bool,), "true or false", False),
    "api": ((dict,), "a table", False),
    "pacing": ((dict,), "a table", False),
    "limits": ((dict,), "a table", False),
}
_NUMBER = ((int, float), "a number", False)
_API: dict[str, tuple[tuple[type, ...], str, bool]] = {
    "sandbox": ((bool,), "true or false", False),
    "base_url": ((str,), "a string", False),
    "timeout": _NUMBER,
    "sandbox_day_seconds": _NUMBER,
}
_PACING = {"min_delay": _NUMBER, "max_delay": _NUMBER}
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
    _check_table(data, _TOP, where, "")
    api = data.get("api", {})
    pacing = data.get("pacing", {})
    limits = data.get("limits", {})
    _check_table(api, _API, where, "api")
    _check_table(pacing, _PACING, where, "pacing")
    _check_table(limits, _LIMITS, where, "limits")

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
    for key, value in (*api.items(), *pacing.items()):
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(f"{where}: {key} must be a finite number, not {value}")
    api_settings, pacing_settings = _api_settings(api, where), _pacing(pacing, where)
    limit_settings = _limits(limits, where)

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
        account_id=(data.get("account_id") or "").strip() or None,
        message_type=MessageType(message_type.strip().lower()) if message_type else None,
        send_hidden_rows=data.get("send_hidden_rows", False),
        api=api_settings,
        pacing=pacing_settings,
        limits=limit_settings,
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
    if output.suffix.lower() != sheet.suffix.lower():
        raise ConfigError(
            f"{where}: output: {data['output']} must have the same extension as the sheet "
            f"({sheet.suffix})"
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


def _pacing(pacing: dict[str, Any], where: str) -> Pacing:
    settings = Pacing(
        min_delay=float(pacing.get("min_delay", 20.0)),
        max_delay=float(pacing.get("max_delay", 60.0)),
    )
    if not 0 <= settings.min_delay <= settings.max_delay:
        raise ConfigError(
            f"{where}: [pacing] needs 0 <= min_delay <= max_delay "
            f"(got {settings.min_delay} and {settings.max_delay})"
        )
    return settings


def _limits(limits: dict[str, Any], where: str) -> Limits:
    for key, value in limits.items():
        if value < 1:
            raise ConfigError(f"{where}: [limits] {key} must be at least 1")
    return Limits(**limits)


def _check_table(
    table: dict[str, Any],
    schema: Mapping[str, tuple[tuple[type, ...], str, bool]],
    where: str,
    section: str,
) -> None:
    place = f" in [{section}]" if section else ""
    for key, value in table.items():
        if key not in schema:
            hint = difflib.get_close_matches(key, schema, n=1)
            suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
            known = ", ".join(schema)
            raise ConfigError(
                f"{where}: unknown key {key!r}{place}{suggestion}; known keys: {known}"
            )
        types, type_name, _ = schema[key]
        # bool is an int in Python; `timeout = true` must still be refused.
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise ConfigError(f"{where}: {key}{place} must be {type_name}, not {_toml_type(value)}")
    for key, (_, _, required) in schema.items():
        if required and key not in table:
            raise ConfigError(f"{where}: missing required key {key!r}{place}")


def _toml_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__


def _existing(base: Path, value: str, key: str, where: str) -> Path:
    resolved = (base / value).resolve()
    if not resolved.exists():
        raise ConfigError(f"{where}: {key}: {value} does not exist (looked for {resolved})")
    if resolved.is_dir():
        raise ConfigError(f"{where}: {key}: {value} is a folder, not a file")
    return resolved

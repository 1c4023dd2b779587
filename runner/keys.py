"""Checking a table of the campaign file: unknown keys (with a suggestion), wrong types,
missing required keys, each said with the file and the table."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from datetime import date, time
from typing import Any

from .errors import ConfigError

Schema = Mapping[str, tuple[tuple[type, ...], str, bool]]


def check_table(
    table: dict[str, Any],
    schema: Schema,
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
    if isinstance(value, date | time):  # a datetime is a date
        return "a date or time"
    return type(value).__name__

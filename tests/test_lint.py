"""Lint, format and type checks run with the suite, so one command checks everything."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "runner", "tests"],
        ["ruff", "format", "--check", "runner", "tests"],
        ["mypy", "runner"],
    ],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_tool_is_happy(command):
    tool = Path(sys.executable).with_name(command[0])
    result = subprocess.run(
        [str(tool), *command[1:]], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr

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
        ["ruff", "check", "runner", "tests", "bench"],
        ["ruff", "format", "--check", "runner", "tests", "bench"],
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


MODULES = sorted(p for p in (REPO / "runner").rglob("*.py") if p.name != "__main__.py")


def test_no_module_is_over_400_lines():
    long = {
        str(p.relative_to(REPO)): n
        for p in MODULES
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}, "split these modules by what they do"


def test_architecture_names_every_module():
    text = (REPO / "ARCHITECTURE.md").read_text(encoding="utf-8")
    missing = [
        str(p.relative_to(REPO / "runner"))
        for p in MODULES
        if p.name != "__init__.py" and f"`{p.name}`" not in text
    ]
    packages = [
        p.parent.name for p in MODULES if p.name == "__init__.py" and p.parent.name != "runner"
    ]
    missing += [f"{name}/" for name in packages if f"`{name}/`" not in text]
    assert missing == [], "say in ARCHITECTURE.md where these sit on the data's way"

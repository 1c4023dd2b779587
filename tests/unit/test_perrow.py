"""`per_row` value objects: immutable to mypy, and hashed and compared by their fields."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from runner.profiles import Kind, Profile
from runner.recipient import Recipient
from runner.status import Status, StatusCells


def test_compared_and_hashed_by_their_fields() -> None:
    assert Recipient("ann-lee") == Recipient("ann-lee")
    assert len({Recipient("ann-lee"), Recipient("ann-lee"), Recipient("bob")}) == 2
    assert hash(Profile(Kind.PUBLIC, "ann")) == hash(Profile(Kind.PUBLIC, "ann"))
    # Fields left out of the comparison are left out of the hash, as for frozen dataclasses.
    read = StatusCells.read("sent", "", "", "", "ann #000000")
    assert hash(read) == hash(StatusCells(Status.SENT, owner="ann", torn=read.torn, message=None))


def test_mypy_refuses_a_field_assigned(tmp_path: Path) -> None:
    snippet = tmp_path / "assigns.py"
    snippet.write_text(
        "from runner.recipient import Recipient\n"
        "from runner.status import StatusCells\n"
        "person = Recipient('ann-lee')\n"
        "person.public_id = 'bob'\n"
        "cells = StatusCells()\n"
        "cells.detail = 'x'\n",
        encoding="utf-8",
    )
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--follow-imports=silent", str(snippet)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert checked.returncode == 1, checked.stdout
    assert 'assigns.py:4: error: Property "public_id" defined in "Recipient" is read-only' in (
        checked.stdout
    )
    assert 'assigns.py:6: error: Property "detail" defined in "StatusCells" is read-only' in (
        checked.stdout
    )

"""The status cells as a value."""

from dataclasses import fields, replace

from runner.status import Status, StatusCells


def test_owned_by_keeps_every_other_field() -> None:
    """owned_by builds the cells field by field (for speed): a field added later and left out
    there would be lost at every write-back."""
    cells = StatusCells(Status.SENT, "d", "2026-01-01T00:00:00Z", "urn:x", "ann", True, "hi")
    assert all(getattr(cells, f.name) != f.default for f in fields(StatusCells))
    assert cells.owned_by("bob") == replace(cells, owner="bob")
    assert cells.owned_by("ann") is cells

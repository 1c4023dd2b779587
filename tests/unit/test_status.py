"""The status cells as a value."""

from dataclasses import fields, replace

from runner.status import Status, StatusCells


def test_owned_by_keeps_every_other_field() -> None:
    """owned_by builds the cells field by field (for speed): a field added later and left out
    there would be lost at every write-back."""
    cells = StatusCells(Status.SENT, "d", "2026-01-01T00:00:00Z", "urn:x", "ann", True, "hi")
    assert all(getattr(cells, f.name) != f.default for f in fields(StatusCells) if f.init)
    assert cells.owned_by("bob") == replace(cells, owner="bob")
    assert cells.owned_by("ann") is cells


def test_a_check_read_is_used_only_for_the_cells_it_was_read_with() -> None:
    """Cells read with a matching check keep it, so that writing them back does not work it out
    again; cells for another owner, or changed by `replace`, work theirs out."""
    urn = "urn:li:fsd_profile:A1"
    # message None: the message_sent cell is kept as it is, as for cells read
    sent = StatusCells(Status.SENT, "", "2026-01-01T00:00:00Z", urn, "ann", message=None)
    check = sent.check("ann")
    read = StatusCells.read(*sent.texts()[:4], f"ann #{check}")
    assert read == sent and read.digest == check and not read.torn
    assert read.texts() == sent.texts()
    assert read.owned_by("bob").texts() == sent.owned_by("bob").texts()
    failed = replace(read, status=Status.FAILED)
    assert failed.digest == "" and failed.check("ann") != check
    torn = StatusCells.read("failed", "", "", urn, f"ann #{check}")
    assert torn.torn and torn.digest == ""
    # A journal's cells that say what the sheet says become the cells read; others stay.
    assert replace(sent, owner="").or_as_read(read) is read
    later = StatusCells(Status.SENT, "", "2026-02-01T00:00:00Z", urn, message=None)
    assert later.or_as_read(read) is later
    written = replace(sent, owner="", message="Hi Ann")  # message_sent to write: not as read
    assert written.or_as_read(read) is written
    assert replace(sent, owner="").or_as_read(torn) is not torn

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


def test_cells_read_exactly_as_they_would_write_say_which_row_shows_them() -> None:
    """`shown_in` lets a write pass over a row whose cells are its own, unchanged: only where
    the texts read are the texts a write would give (one space before the check, nothing a
    spreadsheet would run as a formula), and only for the row given as `exact`."""
    urn = "urn:li:fsd_profile:A1"
    sent = StatusCells(Status.SENT, "", "2026-01-01T00:00:00Z", urn, "ann", message=None)
    owner = f"ann #{sent.check('ann')}"
    texts = sent.texts()[:4]
    assert StatusCells.read(*texts, owner, exact=7).shown_in == 7
    assert StatusCells.read(*texts, owner).shown_in == 0  # not said to be the cells as they are
    assert StatusCells.read(*texts, owner.replace(" #", "  #"), exact=7).shown_in == 0
    assert StatusCells.read(*texts, owner.replace(" #", "\t#"), exact=7).shown_in == 0
    formula_like = ("sent", "-1 day", "2026-01-01T00:00:00Z", urn)  # written as "'-1 day"
    dash = StatusCells(Status.SENT, "-1 day", formula_like[2], urn).check("ann")
    assert StatusCells.read(*formula_like, f"ann #{dash}", exact=7).shown_in == 0
    torn = StatusCells.read("failed", *texts[1:], owner, exact=7)
    assert torn.torn and torn.shown_in == 0
    read = StatusCells.read(*texts, owner, exact=7)
    assert replace(read, detail="x").shown_in == 0 and read.owned_by("bob").shown_in == 0

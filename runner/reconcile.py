"""The sheet's plans meet the journal: what each row shows, and what is left to send. Pure.

The journal is the truth about whom the campaign has messaged. A row whose recipient it knows
(sent, failed, unknown) is never planned again: the first row naming them shows the journal's
record and later ones are duplicates. Where the journal knows nothing of a recipient (it was
lost, or the campaign renamed) but the sheet's status says sent, failed or unknown, the sheet is
believed, so nobody is messaged twice for a lost file.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .journal import Entry
from .plans import RowPlan, SendPlan
from .status import DONE, Status, StatusCells

ADOPTED_DETAIL = "recorded in the sheet by an earlier run"


@dataclass(frozen=True)
class Reconciled:
    states: dict[int, StatusCells]  # what each row's status cells say now
    queue: list[SendPlan]  # what is to be sent, in sheet order
    adopted: list[Entry]  # outcomes known only from the sheet, to record in the journal


def reconcile(plans: list[RowPlan], entries: list[Entry], resend_unknown: bool) -> Reconciled:
    """Combine this sheet's plans with the journal's entries (see the module's docstring)."""
    adopted = adopted_from_sheet(plans, entries)
    settled = _settled_by_ident([*entries, *adopted])
    pending_detail = {e.key: e.detail for e in entries if e.status is Status.PENDING}
    shown: dict[str, int] = {}  # journal key -> the row showing it
    states: dict[int, StatusCells] = {}
    queue: list[SendPlan] = []
    for row_plan in plans:
        number = row_plan.row.number
        entry = _entry_for(row_plan, settled)
        plan = row_plan.plan
        resend = resend_unknown and plan is not None
        if entry is not None and not (resend and entry.status is Status.UNKNOWN):
            if entry.key in shown:
                detail = f"same recipient as row {shown[entry.key]}"
                states[number] = StatusCells(Status.DUPLICATE, detail)
            else:
                shown[entry.key] = number
                states[number] = entry_cells(entry)
        elif plan is None:
            states[number] = StatusCells(row_plan.status, row_plan.detail)
        else:
            if entry is not None:
                shown[entry.key] = number
            detail = pending_detail.get(plan.recipient.key, "")
            states[number] = StatusCells(Status.PENDING, detail)
            queue.append(plan)
    return Reconciled(states, queue, adopted)


def adopted_from_sheet(plans: list[RowPlan], entries: list[Entry]) -> list[Entry]:
    """Outcomes the sheet records for recipients the journal has never heard of."""
    known = {ident for entry in entries for ident in entry.idents}
    adopted = []
    for row_plan in plans:
        row, previous = row_plan.row, row_plan.row.previous
        if row.recipient is None or previous.status is None or not previous.attempted:
            continue
        if known.intersection(row.recipient.idents):
            continue
        adopted.append(
            Entry(
                row.recipient.key,
                previous.status,
                previous.detail or ADOPTED_DETAIL,
                replace(row.recipient, urn=previous.urn or row.recipient.urn),
                row=row.number,
                sent_at=previous.sent_at or None,
            )
        )
    return adopted


def entry_cells(entry: Entry) -> StatusCells:
    """The status cells that show a journal entry."""
    if entry.status is Status.SENT:
        return StatusCells(
            entry.status, entry.detail, entry.sent_at or "", entry.recipient.urn or ""
        )
    return StatusCells(entry.status, entry.detail)


def _settled_by_ident(entries: list[Entry]) -> dict[str, Entry]:
    """Every name of every recipient whose outcome stands (done, or unknown) -> its entry."""
    settled: dict[str, Entry] = {}
    for entry in entries:
        if entry.status in DONE or entry.status is Status.UNKNOWN:
            for ident in entry.idents:
                settled.setdefault(ident, entry)
    return settled


def _entry_for(row_plan: RowPlan, settled: dict[str, Entry]) -> Entry | None:
    recipient = row_plan.row.recipient
    if recipient is None:
        return None
    return next((settled[i] for i in recipient.idents if i in settled), None)


class Reached:
    """Everyone messaged during this run, by every name they are known by.

    LinkedIn's answer can reveal that a public ID and a URN further down the sheet are the same
    person; the second row is then a duplicate, never a second message.
    """

    def __init__(self) -> None:
        self._rows: dict[str, int] = {}

    def earlier_row(self, plan: SendPlan) -> int | None:
        """The row that already reached this plan's recipient, if any."""
        return next((self._rows[i] for i in plan.recipient.idents if i in self._rows), None)

    def add(self, plan: SendPlan, urn: str) -> None:
        names = (*plan.recipient.idents, f"urn:{urn}") if urn else plan.recipient.idents
        for ident in names:
            self._rows[ident] = plan.row

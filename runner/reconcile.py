"""The sheet's plans meet the journal: what each row shows, and what is left to send. Pure.

The journal is the truth about whom the campaign has messaged. A row whose recipient it knows
(sent, failed, unknown) is never planned again: the first row naming them shows the journal's
record and later ones are duplicates.

The sheet's status blocks are a second witness, read with care:
- a block names the recipient it belongs to (`status_for`); a sort that moved it beside someone
  else does not make it theirs: it is matched back to the row of the person it names;
- statuses the journal cannot vouch for (the journal is missing or new, or it never sent to a
  person the sheet says it did) stop the run unless the user trusts the sheet (`--trust-sheet`),
  and then they are adopted: nobody the sheet shows as sent, failed or unknown is messaged.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from .journal import Entry
from .plans import Endpoint, RowPlan, SendPlan, plan_row
from .recipient import first_known
from .status import DONE, Status, StatusCells
from .templates import RowProblem

if TYPE_CHECKING:
    from .campaign import Campaign
    from .templates import Templates

ADOPTED_DETAIL = "recorded in the sheet by an earlier run"


@dataclass(frozen=True)
class Reconciled:
    states: dict[int, StatusCells]  # what each row's status cells say now
    queue: list[SendPlan]  # what is to be sent, in sheet order
    adopted: list[Entry]  # outcomes known only from the sheet, to record in the journal
    moved: int = 0  # status blocks that stood beside someone other than the person they name
    held: tuple[int, ...] = ()  # rows that could be sent but are held back (hidden)


def reconcile(
    plans: list[RowPlan],
    entries: list[Entry],
    resend_unknown: bool,
    worked_out: SheetRecords | None = None,
    settled_before: Settled | None = None,
) -> Reconciled:
    """Combine this sheet's plans with the journal's entries (see the module's docstring).
    Call `unvouched` first: what this adopts from the sheet, it takes as the truth.
    `worked_out` are the plans' `sheet_records`, and `settled_before` what `complete` made of
    the entries, where the caller has them already."""
    records, moved = sheet_records(plans) if worked_out is None else worked_out
    adopted = adopted_from_sheet(plans, entries, records)
    settled = _settled_by_ident(entries) if settled_before is None else settled_before
    if adopted:  # after the journal's own: a person it knows keeps its entry
        settled = _settled_by_ident(adopted, dict(settled))
    pending_detail = {e.key: e.detail for e in entries if e.status is Status.PENDING}
    shown = _showing_rows(plans, records, settled)  # journal key -> the row showing it
    states: dict[int, StatusCells] = {}
    queue: list[SendPlan] = []
    held: list[int] = []
    for row_plan in plans:
        number = row_plan.row.number
        entry = _entry_for(row_plan, settled)
        plan = row_plan.plan
        if entry is not None and not _again(entry, row_plan, resend_unknown):
            if shown.setdefault(entry.key, number) != number:
                detail = f"same recipient as row {shown[entry.key]}"
                states[number] = StatusCells(Status.DUPLICATE, detail)
            else:
                states[number] = entry_cells(entry).or_as_read(row_plan.row.previous)
        elif plan is None:
            states[number] = StatusCells(row_plan.status, row_plan.detail)
        elif row_plan.held:
            states[number] = StatusCells(Status.PENDING, row_plan.held)
            held.append(number)
        else:
            if entry is not None:
                shown[entry.key] = number
            detail = pending_detail.get(plan.recipient.key, "")
            states[number] = StatusCells(Status.PENDING, detail)
            queue.append(plan)
    # A row the API failed for alone on an earlier run goes after the others: it cannot hold
    # them back (sorted is stable: the sheet's order stays within each group).
    strikes = {e.key: e.strikes for e in entries if e.strikes}
    if strikes:
        queue.sort(key=lambda plan: strikes.get(plan.recipient.key, 0))
    return Reconciled(states, queue, adopted, moved, tuple(held))


def complete(
    plans: list[RowPlan], entries: list[Entry], templates: Templates | None, campaign: Campaign
) -> Settled | None:
    """Render, in place, the rows `plan_rows` planned unrendered (their sheet shows them sent
    or failed) where the journal does not record the same for their person: only those can be
    queued, or shown pending. Before every `reconcile`; the others keep no message, which
    nothing shows (the journal's record is what their row shows). Returns the settled entries
    by name where it worked them out, for `reconcile` (at 100,000 rows, 0.2 s)."""
    if templates is None or all(rp.plan is None or rp.plan.rendered for rp in plans):
        return None
    settled = _settled_by_ident(entries)
    for index, row_plan in enumerate(plans):
        plan, row = row_plan.plan, row_plan.row
        if plan is None or plan.rendered:
            continue
        entry = _entry_for(row_plan, settled)
        # As the sheet says, so the row shows the journal's record (see _again): a failed row
        # goes again only once its status cell is cleared, and this one's is not.
        if entry is not None and entry.status is row.previous.status:
            continue
        try:
            plans[index] = replace(row_plan, plan=plan_row(row, templates, campaign))
        except RowProblem as problem:
            plans[index] = RowPlan(row, None, Status.INVALID, str(problem))
    return settled


def _showing_rows(
    plans: list[RowPlan], records: dict[int, StatusCells], settled: dict[str, Entry]
) -> dict[str, int]:
    """Where a person the journal knows is named on several rows, the row that shows their
    record is the one whose own status block already does (a row added above it later is the
    duplicate); else the first."""
    rows: dict[str, int] = {}
    for row_plan in plans:
        record, row = records.get(row_plan.row.number), row_plan.row
        if record is None or not record.attempted or row.previous is not record:
            continue  # no record of its own (one matched back from elsewhere does not count)
        entry = _entry_for(row_plan, settled)
        if entry is not None:
            rows.setdefault(entry.key, row.number)
    return rows


def _again(entry: Entry, row_plan: RowPlan, resend_unknown: bool) -> bool:
    """Whether a row the journal has an outcome for is to be sent again: an unknown one when the
    user asks (--resend-unknown); a failed one whose status cell the user cleared (having fixed
    what the API refused). A failed row never reached anyone, so trying it again is safe. A
    relationship lookup's failure (no such profile) is cleared only once the sheet showed it:
    --lookup and the preview record lookups without writing the sheet."""
    if row_plan.plan is None:
        return False
    if entry.status is Status.UNKNOWN:
        return resend_unknown
    cleared = row_plan.row.previous.status is None
    if entry.endpoint == Endpoint.RELATIONSHIP:
        cleared = cleared and entry.shown
    return entry.status is Status.FAILED and cleared


def owner_ident(owner: str) -> str:
    """The journal's name for the recipient a block's `status_for` cell names."""
    owner = owner.strip()
    return f"urn:{owner}" if owner.lower().startswith("urn:") else f"id:{owner.lower()}"


SheetRecords = tuple[dict[int, StatusCells], int]


def sheet_records(plans: list[RowPlan]) -> SheetRecords:
    """What the sheet records for each row's own recipient, and how many blocks stood beside
    someone else. A block that names nobody (written before blocks named their recipient) is
    taken to be its row's; one that names someone else is the named person's, wherever their
    row now is."""
    by_owner: dict[str, StatusCells] = {}
    for row_plan in plans:
        block = row_plan.row.previous
        if block.status is not None and block.owner and not block.torn:
            key = owner_ident(block.owner)
            # Two blocks naming one person: the one that records a request wins.
            if key not in by_owner or (block.attempted and not by_owner[key].attempted):
                by_owner[key] = block
    records: dict[int, StatusCells] = {}
    moved = 0
    for row_plan in plans:
        row, block = row_plan.row, row_plan.row.previous
        idents = row.recipient.idents if row.recipient else ()
        # A torn block (its status_for's check does not match it) lost its status_for to a sort
        # that moved the status cells with their row, or was typed over: the cells are the row's.
        if (
            block.status is not None
            and block.owner
            and not block.torn
            and (owner_ident(block.owner) not in idents)
        ):
            moved += 1
        elif block.status is not None:
            records[row.number] = block
            continue
        found = first_known(by_owner, idents)
        if found is not None:
            records[row.number] = found
    return records, moved


def unvouched(
    plans: list[RowPlan],
    entries: list[Entry],
    history: bool,
    worked_out: SheetRecords | None = None,
) -> list[int]:
    """Rows whose sheet status the journal cannot vouch for.

    A journal without history (missing, new) vouches for nothing: any status in the sheet
    comes from a run it did not see, and sends after that run's last write are unknown. A
    journal with history vouches for what it recorded: a sheet that says a person was sent,
    failed or unknown when the journal never sent to them is not to be believed silently.
    """
    if not history:
        return [rp.row.number for rp in plans if rp.row.previous.status is not None]
    known = {ident for entry in entries for ident in entry.idents}
    records, _ = sheet_records(plans) if worked_out is None else worked_out
    rows = []
    for row_plan in plans:
        row = row_plan.row
        record = records.get(row.number)
        if record is None or not record.attempted or row.recipient is None:
            continue
        if not known.intersection(row.recipient.idents):
            rows.append(row.number)
    return rows


def adopted_from_sheet(
    plans: list[RowPlan], entries: list[Entry], records: dict[int, StatusCells]
) -> list[Entry]:
    """Outcomes the sheet records for recipients the journal has never heard of."""
    known = {ident for entry in entries for ident in entry.idents}
    adopted = []
    for row_plan in plans:
        row = row_plan.row
        previous = records.get(row.number)
        if row.recipient is None or previous is None or not previous.attempted:
            continue
        if known.intersection(row.recipient.idents):
            continue
        adopted.append(
            Entry(
                row.recipient.key,
                previous.status or Status.UNKNOWN,
                previous.detail or ADOPTED_DETAIL,
                replace(row.recipient, urn=previous.urn or row.recipient.urn),
                row=row.number,
                sent_at=previous.sent_at or None,
                text=None,  # only the sheet's message_sent knows it: kept as it is
            )
        )
    return adopted


def entry_cells(entry: Entry) -> StatusCells:
    """The status cells that show a journal entry (with the text that went out, or may have)."""
    if entry.status is Status.SENT:
        sent_at, urn = entry.sent_at or "", entry.recipient.urn or ""
        return StatusCells(entry.status, entry.detail, sent_at, urn, message=entry.text)
    if entry.status is Status.UNKNOWN:
        return StatusCells(entry.status, entry.detail, message=entry.text)
    return StatusCells(entry.status, entry.detail)


Settled = dict[str, Entry]  # every name of a person whose outcome stands -> their entry


def _settled_by_ident(entries: list[Entry], settled: Settled | None = None) -> Settled:
    """Every name of every recipient whose outcome stands (done, or unknown) -> its entry,
    added to `settled` (the first entry for a name stays)."""
    settled = {} if settled is None else settled
    for entry in entries:
        if entry.status in DONE or entry.status is Status.UNKNOWN:
            for ident in entry.idents:
                settled.setdefault(ident, entry)
    return settled


def _entry_for(row_plan: RowPlan, settled: dict[str, Entry]) -> Entry | None:
    recipient = row_plan.row.recipient
    return first_known(settled, recipient.idents) if recipient is not None else None


class Reached:
    """Everyone messaged during this run, by every name they are known by.

    LinkedIn's answer can reveal that a public ID and a URN further down the sheet are the same
    person, and so can a relationship lookup's before the send (route = "auto"); the second row
    is then a duplicate, never a second message.
    """

    def __init__(self) -> None:
        self._rows: dict[str, int] = {}
        # Sends on the wire, by every name their person is known by: with rotate_accounts,
        # another account may be about to message the same person under another name.
        self._wire: dict[str, int] = {}

    def earlier_row(self, plan: SendPlan) -> int | None:
        """The row that already reached this plan's recipient, if any."""
        return next((self._rows[i] for i in _names(plan) if i in self._rows), None)

    def on_the_wire(self, plan: SendPlan) -> bool:
        """Whether a message to this plan's recipient is on its way now (its answer decides)."""
        return any(name in self._wire for name in _names(plan))

    def sending(self, plan: SendPlan) -> None:
        for name in _names(plan):
            self._wire[name] = plan.row

    def landed(self, plan: SendPlan, cells: StatusCells) -> None:
        """A send's answer: a message that reached the person, or may have, reached them."""
        for name in _names(plan):
            self._wire.pop(name, None)
        if cells.status in (Status.SENT, Status.UNKNOWN):
            self.add(plan, cells.urn or plan.found_urn or "")

    def add(self, plan: SendPlan, urn: str) -> None:
        names = (*plan.recipient.idents, f"urn:{urn}") if urn else plan.recipient.idents
        for ident in names:
            self._rows[ident] = plan.row


def _names(plan: SendPlan) -> tuple[str, ...]:
    """Every name a plan's person is known by, the URN a lookup gave among them."""
    found = (f"urn:{plan.found_urn}",) if plan.found_urn else ()
    return (*plan.recipient.idents, *found)

"""Who is not to be messaged, whatever the sheet says: people on the do-not-contact list, and,
with `skip_contacted`, people another campaign in the state folder already messaged. Pure.

It runs after `reconcile`: rows it would send (or holds back, hidden) for such a person become
`skipped`, with why, and leave the queue. Nothing of it is journaled: it is worked out afresh
each time the sheet is read, so someone taken off the list is pending again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from .contacts import DoNotContact
from .history import Contacted
from .plans import RowPlan
from .recipient import Recipient
from .reconcile import Reconciled
from .status import Status, StatusCells


@dataclass(frozen=True)
class Screens:
    """The lists a campaign's rows are screened against."""

    do_not_contact: DoNotContact | None = None
    contacted: Contacted = field(default_factory=Contacted)  # read whether it skips or not
    skip_contacted: bool = False

    @property
    def says_nothing(self) -> bool:
        """Whether `why` is None for everyone: no list, and no one to skip."""
        return self.do_not_contact is None and not (self.skip_contacted and self.contacted.by_ident)

    def why(self, recipient: Recipient) -> str | None:
        """Why this person is not to be messaged; None when nothing says so."""
        if self.do_not_contact is not None and self.do_not_contact.lists(recipient):
            return f"on the do-not-contact list ({self.do_not_contact.name})"
        contact = self.contacted.find(recipient) if self.skip_contacted else None
        return contact.reason() if contact is not None else None


def screen(start: Reconciled, plans: list[RowPlan], screens: Screens) -> Reconciled:
    """`start` with the rows to send or held back for someone not to be messaged skipped."""
    if screens.says_nothing:  # most campaigns: nothing to look up, row by row
        return start
    states = dict(start.states)
    queue = []
    for plan in start.queue:
        why = screens.why(plan.recipient)
        if why is None:
            queue.append(plan)
        else:
            states[plan.row] = StatusCells(Status.SKIPPED, why)
    recipients = {rp.row.number: rp.row.recipient for rp in plans}
    held = []
    for number in start.held:
        recipient = recipients.get(number)
        why = screens.why(recipient) if recipient is not None else None
        if why is None:
            held.append(number)
        else:
            states[number] = StatusCells(Status.SKIPPED, why)
    return replace(start, states=states, queue=queue, held=tuple(held))


def messaged_elsewhere(
    plans: list[RowPlan], states: Mapping[int, StatusCells], contacted: Contacted
) -> Counter[str]:
    """Rows still to send whose person another campaign already messaged, by that campaign
    (what `skip_contacted` would skip)."""
    found: Counter[str] = Counter()
    if not contacted.by_ident:  # no other campaign messaged anyone
        return found
    for row_plan in plans:
        cells, recipient = states.get(row_plan.row.number), row_plan.row.recipient
        if cells is None or cells.status is not Status.PENDING or recipient is None:
            continue
        contact = contacted.find(recipient)
        if contact is not None:
            found[contact.campaign] += 1
    return found

"""Routes for route = "auto": each row still to send goes the way what is known of the person
says, from the lookups the journal keeps, so that nobody is looked up twice. Pure.

It runs after `screen` (nobody screened out is looked up) and before the approval gate (a
reviewer approves the way a row goes too). A row whose relationship to its account is known is
routed by `plans.route`: a send plan, or skipped / invalid with why; any other row stays a
lookup, made before its first send. A row naming no account under `rotate_accounts` takes the
account that looked it up (a connection to one account is none to another).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from .campaign import Campaign
from .lookuprows import Lookup
from .plans import Endpoint, Route, SendPlan, Unsent, route
from .recipient import Recipient
from .reconcile import Reconciled
from .relationship import Relationship
from .status import Status, StatusCells


@dataclass(frozen=True)
class Known:
    """The lookups made, by (account, every name of the person)."""

    by_ident: dict[tuple[str, str], Relationship] = field(default_factory=dict)
    count: int = 0  # lookups made
    connected: int = 0  # of them, to connections

    @classmethod
    def of(cls, lookups: Iterable[Lookup]) -> Known:
        by_ident: dict[tuple[str, str], Relationship] = {}
        count = connected = 0
        for lookup in lookups:
            count += 1
            connected += lookup.found.connected
            for ident in lookup.idents:
                by_ident[(lookup.account, ident)] = lookup.found
        return cls(by_ident, count, connected)

    def find(self, account: str, recipient: Recipient) -> Relationship | None:
        """What a lookup from `account` said of the person, if one was made."""
        return next(
            (
                self.by_ident[(account, i)]
                for i in recipient.idents
                if (account, i) in self.by_ident
            ),
            None,
        )

    def best(
        self, accounts: Sequence[str], recipient: Recipient
    ) -> tuple[str, Relationship] | None:
        """Of the accounts that looked the person up, the first connected to them, else the
        first that looked."""
        found = [(a, r) for a in accounts if (r := self.find(a, recipient)) is not None]
        return next((pair for pair in found if pair[1].connected), found[0] if found else None)


def route_known(start: Reconciled, known: Known, campaign: Campaign) -> Reconciled:
    """`start` with each lookup plan whose relationship is known routed (or not sent, saying
    why); the others stay lookups."""
    if not known.count:
        return start
    states, queue = dict(start.states), []
    for plan in start.queue:
        rotate = campaign.rotate_accounts if not plan.account else ()
        pair = (
            known.best(rotate or (plan.account,), plan.recipient)
            if plan.endpoint is Endpoint.RELATIONSHIP
            else None
        )
        if pair is None:
            queue.append(plan)
            continue
        account, found = pair
        routed = route(replace(plan, account=account), found, campaign)
        states[plan.row] = routed_cells(routed, found, states.get(plan.row))
        if isinstance(routed, SendPlan):
            queue.append(routed)
    return replace(start, states=states, queue=queue)


def routed_cells(
    routed: SendPlan | Unsent, found: Relationship, cells: StatusCells | None = None
) -> StatusCells:
    """What a looked-up row shows: pending for its send (keeping what it said), or why it is
    not sent; with the URN the lookup gave (`recipient_urn`)."""
    urn = found.urn or ""
    if isinstance(routed, Unsent):
        return StatusCells(routed.status, routed.detail, urn=urn)
    return replace(cells or StatusCells(Status.PENDING), urn=urn)


def way_of(
    plan: SendPlan, known: Known, campaign: Campaign, accounts: Sequence[str] = ()
) -> Route | Unsent | None:
    """How a planned row (a lookup) goes by what is known of the person, from `accounts` (by
    default its own, or the rotation's); None when nobody looked them up yet."""
    accounts = accounts or ((plan.account,) if plan.account else campaign.rotate_accounts)
    pair = known.best(accounts or ("",), plan.recipient)
    if pair is None:
        return None
    routed = route(replace(plan, account=pair[0]), pair[1], campaign)
    return routed.route if isinstance(routed, SendPlan) else routed

"""Rows → send plans: render, validate and route each row. Pure: no I/O here."""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from typing import Any, NamedTuple

from .campaign import Campaign, MessageType, RouteMode
from .perrow import per_row
from .recipient import Recipient, first_known
from .relationship import Relationship
from .rows import Row
from .status import Status, message_text
from .templates import RowProblem, Templates


class Endpoint(StrEnum):
    """The endpoints, by the names used throughout (quota pools, journal, sandbox)."""

    MESSAGE = "message"  # POST /message: 100 a day per account
    SEND_GROUP = "send-group"  # POST /messaging/send-group: 150 a day per account
    # GET /relationship: with route = "auto", a lookup before a row's first send; a read
    RELATIONSHIP = "relationship"

    @property
    def path(self) -> str:
        """The path below the API's base URL (a lookup's ends in the account and person)."""
        return _PATHS[self]

    @property
    def label(self) -> str:
        """How the API reference names it: "POST /message"."""
        return f"{'GET' if self is Endpoint.RELATIONSHIP else 'POST'} {self.path}"

    @property
    def daily_limit(self) -> int:
        """Requests a day per account, as the API reference gives them (the headers, once an
        answer came, say what holds for an account). It states none for lookups: this many
        is assumed until an answer says."""
        return _DAILY[self]


_PATHS = {
    Endpoint.MESSAGE: "/message",
    Endpoint.SEND_GROUP: "/messaging/send-group",
    Endpoint.RELATIONSHIP: "/relationship",
}
_DAILY = {Endpoint.MESSAGE: 100, Endpoint.SEND_GROUP: 150, Endpoint.RELATIONSHIP: 200}
SENDS: tuple[Endpoint, ...] = (Endpoint.MESSAGE, Endpoint.SEND_GROUP)  # they send a message


class Route(StrEnum):
    """How a row of a route = "auto" campaign reaches the person."""

    LOOKUP = "to look up"  # not known yet: the relationship is looked up before the first send
    CONNECTION = "connection"  # a 1st-degree connection: a normal message
    GROUP = "group"  # not a connection, a groupId: send-group, with the URN the lookup gave
    INMAIL = "inmail"  # not a connection, no group, InMail allowed: /message as InMail

    def why(self, group_id: str | None = None) -> str:
        """Why a row goes this way, as the dry run and the preview say it."""
        return {
            Route.LOOKUP: "not looked up yet: the relationship is looked up before the first send",
            Route.CONNECTION: "a 1st-degree connection: a normal message",
            Route.GROUP: f"not a connection; in group {group_id}: a group message",
            Route.INMAIL: "not a connection and no groupId; InMail allowed: an InMail",
        }[self]


# Why a row of a route = "auto" campaign is skipped: nothing would reach the person.
NOT_REACHABLE = "not a connection; no group or InMail allowed"
# ... and, where the row's own messageType rules InMail out, what its detail adds.
NORMAL_ONLY = "its messageType cell says normal"
# How the reason of a row that failed at its lookup begins (answers.classify_lookup).
LOOKUP_FAILURES = ("profile not found", "the relationship lookup was refused")


class PoolKey(NamedTuple):
    """A daily quota: one account's use of one endpoint. "" is the API key's default account."""

    account: str
    endpoint: Endpoint


@per_row
class SendPlan:
    """One request to make: which endpoint, from which account, with what."""

    row: int
    recipient: Recipient
    endpoint: Endpoint
    account: str  # "" sends from the API key's default account (no accountId in the request)
    message: str
    subject: str | None = None
    message_type: MessageType | None = None
    group_id: str | None = None
    route: Route | None = None  # how route = "auto" reaches the person (None: by the columns)
    found_urn: str | None = None  # the URN a lookup gave (send-group needs one)
    # False for a row the sheet shows as sent or failed, planned without its message (see
    # `plan_rows`): its message and subject are empty until `reconcile.complete` renders it.
    rendered: bool = True

    @property
    def pool(self) -> PoolKey:
        """The quota this send spends."""
        return PoolKey(self.account, self.endpoint)

    @property
    def sent_text(self) -> str:
        """The message as the sheet's `message_sent` shows it, its subject above it."""
        return message_text(self.message, self.subject)

    def payload(self) -> dict[str, Any]:
        if not self.rendered:  # reconcile.complete renders every plan that can be queued
            raise AssertionError(f"row {self.row}: a plan without its message was to be sent")
        if self.endpoint is Endpoint.SEND_GROUP:
            body = {
                "recipientProfileUrn": self.recipient.urn or self.found_urn,
                "groupId": self.group_id,
                "message": self.message,
            }
        else:
            body = {}
            if self.recipient.urn:
                body["recipientProfileUrn"] = self.recipient.urn
            else:
                body["recipientProfileId"] = self.recipient.public_id
            body["message"] = self.message
            if self.subject:
                body["subject"] = self.subject
            if self.message_type:
                body["messageType"] = self.message_type
            if self.group_id:
                body["groupId"] = self.group_id
        if self.account:
            body["accountId"] = self.account
        return body


@per_row
class RowPlan:
    """A row and what to do with it: a send plan, or why it is not sent."""

    row: Row
    plan: SendPlan | None
    status: Status | None = None  # INVALID or DUPLICATE when plan is None
    detail: str = ""
    held: str = ""  # why a row that could be sent is held back (hidden in the sheet)


HIDDEN = {
    "filter": "hidden by the sheet's filter, so not sent; show it in the filter to send it "
    "(or set send_hidden_rows = true)",
    "hand": "the row is hidden in the sheet, so not sent; unhide it to send it "
    "(or set send_hidden_rows = true)",
}


def plan_rows(rows: list[Row], templates: Templates, campaign: Campaign) -> list[RowPlan]:
    """Plan every row; the second row for the same person is a duplicate.

    A row whose sheet shows it sent or failed is planned without rendering its message: the
    journal almost always records the same, and then the row is never sent again and its
    message never shown (most rows of a resume or a `status`; rendering is the largest part
    of planning). `reconcile.complete` renders those the journal does not, before a queue is
    made of them."""
    claimed: dict[str, int] = {}
    plans = []
    for row in rows:
        if row.problem:
            plans.append(RowPlan(row, None, Status.INVALID, row.problem))
            continue
        assert row.recipient is not None  # a row without one has a problem
        idents = row.recipient.idents
        first = first_known(claimed, idents)
        if first is not None:
            plans.append(RowPlan(row, None, Status.DUPLICATE, f"same recipient as row {first}"))
            continue
        try:
            if row.previous.status in SHOWN_DONE:
                plan = _planned(row, campaign, "", None, check=False)
            else:
                plan = plan_row(row, templates, campaign)
        except RowProblem as problem:
            plans.append(RowPlan(row, None, Status.INVALID, str(problem)))
            continue
        for ident in idents:
            claimed[ident] = row.number
        held = HIDDEN[row.hidden] if row.hidden and not campaign.send_hidden_rows else ""
        plans.append(RowPlan(row, plan, held=held))
    return plans


def plan_row(row: Row, templates: Templates, campaign: Campaign) -> SendPlan:
    """Render, route and check one row; RowProblem says why it cannot be sent. With route =
    "auto", the plan is a lookup first (`route` routes it once the answer came)."""
    rendered = templates.render(row)
    if not rendered.message:
        raise RowProblem(f"the message renders empty ({templates.message.path.name})")
    return _planned(row, campaign, rendered.message, rendered.subject)


# Rows whose sheet status `plan_rows` plans unrendered: statuses the journal records for good
# (a sent row is never sent again; a failed one only once its status cell is cleared).
SHOWN_DONE = (Status.SENT, Status.FAILED)


def _planned(
    row: Row, campaign: Campaign, message: str, subject: str | None, *, check: bool = True
) -> SendPlan:
    """The plan of a row with this message; without `check`, the message is not rendered yet
    (nor checked), and the plan says so."""
    assert row.recipient is not None
    account = row.account_id or campaign.account_id or ""
    if campaign.route is RouteMode.AUTO:
        if check:
            _check(message, subject, campaign, inmail=False)
        # The row's messageType, if any, says whether an InMail may reach this person.
        return SendPlan(
            row.number,
            row.recipient,
            Endpoint.RELATIONSHIP,
            account,
            message,
            subject,
            row.message_type,
            row.group_id,
            Route.LOOKUP,
            rendered=check,
        )
    message_type = row.message_type or campaign.message_type

    # Group context without credits needs a URN; with only a public ID it goes via /message.
    endpoint = Endpoint.SEND_GROUP if row.group_id and row.recipient.urn else Endpoint.MESSAGE
    inmail = endpoint is Endpoint.MESSAGE and message_type is MessageType.INMAIL
    if check:
        _check(message, subject, campaign, inmail=inmail)
    return SendPlan(
        row=row.number,
        recipient=row.recipient,
        endpoint=endpoint,
        account=account,
        message=message,
        subject=subject if endpoint is Endpoint.MESSAGE else None,
        message_type=message_type if endpoint is Endpoint.MESSAGE else None,
        group_id=row.group_id,
        rendered=check,
    )


def _check(message: str, subject: str | None, campaign: Campaign, *, inmail: bool) -> None:
    """RowProblem where LinkedIn would refuse the text: an InMail without a subject, or a
    message over its length limits."""
    limits = campaign.limits
    if inmail and not subject:
        raise RowProblem(
            "an InMail needs a subject"
            + ("" if campaign.subject_template else "; set subject_template in the campaign file")
        )
    body_limit = limits.inmail_body if inmail else limits.message
    if len(message) > body_limit:
        kind = "InMail" if inmail else "message"
        raise RowProblem(f"the {kind} is {len(message)} characters; LinkedIn allows {body_limit}")
    # LinkedIn limits an InMail's subject; the API states no limit for the optional subject of
    # a normal message, so it is sent as it is.
    subject_length = len(subject or "")
    if inmail and subject_length > limits.inmail_subject:
        raise RowProblem(
            f"the subject is {subject_length} characters; LinkedIn allows {limits.inmail_subject}"
        )


class Unsent(NamedTuple):
    """Why a looked-up row is not sent: SKIPPED (no way reaches the person) or INVALID."""

    status: Status
    detail: str


def route(plan: SendPlan, found: Relationship, campaign: Campaign) -> SendPlan | Unsent:
    """The way to the person, now that a lookup from `plan.account` said how the two stand:
    a connection gets a normal message; anyone else a group message where the row has a
    groupId (with the URN the lookup gave), else an InMail where allowed (`inmail = true`, or
    the row's messageType), else nothing: never a message sent blindly."""
    if found.connected:
        return replace(
            plan,
            endpoint=Endpoint.MESSAGE,
            message_type=MessageType.NORMAL,
            group_id=None,  # no group context needed between connections
            route=Route.CONNECTION,
            found_urn=found.urn,
        )
    if plan.group_id and (plan.recipient.urn or found.urn):
        return replace(
            plan,
            endpoint=Endpoint.SEND_GROUP,
            subject=None,
            message_type=None,
            route=Route.GROUP,
            found_urn=found.urn,
        )
    allowed = plan.message_type or (MessageType.INMAIL if campaign.inmail else None)
    if allowed is not MessageType.INMAIL:
        return Unsent(Status.SKIPPED, NOT_REACHABLE + _notes(found, plan))
    try:
        if plan.rendered:  # (one that is not is never sent: status and the report ask its way)
            _check(plan.message, plan.subject, campaign, inmail=True)
    except RowProblem as problem:
        return Unsent(Status.INVALID, str(problem))
    return replace(
        plan,
        endpoint=Endpoint.MESSAGE,
        message_type=MessageType.INMAIL,
        group_id=None,
        route=Route.INMAIL,
        found_urn=found.urn,
    )


def _notes(found: Relationship, plan: SendPlan) -> str:
    """What a skipped row's reason adds: an invitation pending, and the row's messageType
    ruling InMail out (whatever the campaign allows)."""
    described = found.describe()
    notes = [described.split(" (", 1)[1].rstrip(")")] if "(" in described else []
    if plan.message_type is MessageType.NORMAL:
        notes.append(NORMAL_ONLY)
    return f" ({'; '.join(notes)})" if notes else ""

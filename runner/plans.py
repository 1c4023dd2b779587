"""Rows → send plans: render, validate and route each row. Pure: no I/O here."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple

from .campaign import Campaign, MessageType
from .rows import Recipient, Row
from .status import Status, message_text
from .templates import RowProblem, Templates


class Endpoint(StrEnum):
    """The two endpoints, by the names used throughout (quota pools, journal, sandbox)."""

    MESSAGE = "message"  # POST /message: 100 a day per account
    SEND_GROUP = "send-group"  # POST /messaging/send-group: 150 a day per account

    @property
    def path(self) -> str:
        """The path below the API's base URL."""
        return "/message" if self is Endpoint.MESSAGE else "/messaging/send-group"

    @property
    def label(self) -> str:
        """How the API reference names it: "POST /message"."""
        return f"POST {self.path}"

    @property
    def daily_limit(self) -> int:
        """Messages a day per account, as the API reference gives them (the headers, once an
        answer came, say what holds for an account)."""
        return 100 if self is Endpoint.MESSAGE else 150


class PoolKey(NamedTuple):
    """A daily quota: one account's use of one endpoint. "" is the API key's default account."""

    account: str
    endpoint: Endpoint


@dataclass(frozen=True)
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

    @property
    def pool(self) -> PoolKey:
        """The quota this send spends."""
        return PoolKey(self.account, self.endpoint)

    @property
    def sent_text(self) -> str:
        """The message as the sheet's `message_sent` shows it, its subject above it."""
        return message_text(self.message, self.subject)

    def payload(self) -> dict[str, Any]:
        if self.endpoint is Endpoint.SEND_GROUP:
            body = {
                "recipientProfileUrn": self.recipient.urn,
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


@dataclass(frozen=True)
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
    """Plan every row; the second row for the same person is a duplicate."""
    claimed: dict[str, int] = {}
    plans = []
    for row in rows:
        if row.problem:
            plans.append(RowPlan(row, None, Status.INVALID, row.problem))
            continue
        assert row.recipient is not None  # a row without one has a problem
        first = next((claimed[i] for i in row.recipient.idents if i in claimed), None)
        if first is not None:
            plans.append(RowPlan(row, None, Status.DUPLICATE, f"same recipient as row {first}"))
            continue
        try:
            plan = plan_row(row, templates, campaign)
        except RowProblem as problem:
            plans.append(RowPlan(row, None, Status.INVALID, str(problem)))
            continue
        for ident in row.recipient.idents:
            claimed[ident] = row.number
        held = HIDDEN[row.hidden] if row.hidden and not campaign.send_hidden_rows else ""
        plans.append(RowPlan(row, plan, held=held))
    return plans


def plan_row(row: Row, templates: Templates, campaign: Campaign) -> SendPlan:
    """Render, route and check one row; RowProblem says why it cannot be sent."""
    assert row.recipient is not None
    rendered = templates.render(row)
    if not rendered.message:
        raise RowProblem(f"the message renders empty ({templates.message.path.name})")
    message_type = row.message_type or campaign.message_type
    account = row.account_id or campaign.account_id or ""
    limits = campaign.limits

    # Group context without credits needs a URN; with only a public ID it goes via /message.
    endpoint = Endpoint.SEND_GROUP if row.group_id and row.recipient.urn else Endpoint.MESSAGE

    inmail = endpoint is Endpoint.MESSAGE and message_type is MessageType.INMAIL
    if inmail and not rendered.subject:
        raise RowProblem(
            "an InMail needs a subject"
            + ("" if templates.subject else "; set subject_template in the campaign file")
        )
    body_limit = limits.inmail_body if inmail else limits.message
    if len(rendered.message) > body_limit:
        kind = "InMail" if inmail else "message"
        raise RowProblem(
            f"the {kind} is {len(rendered.message)} characters; LinkedIn allows {body_limit}"
        )
    # LinkedIn limits an InMail's subject; the API states no limit for the optional subject of
    # a normal message, so it is sent as it is.
    subject_length = len(rendered.subject or "")
    if inmail and subject_length > limits.inmail_subject:
        raise RowProblem(
            f"the subject is {subject_length} characters; LinkedIn allows {limits.inmail_subject}"
        )
    return SendPlan(
        row=row.number,
        recipient=row.recipient,
        endpoint=endpoint,
        account=account,
        message=rendered.message,
        subject=rendered.subject if endpoint is Endpoint.MESSAGE else None,
        message_type=message_type if endpoint is Endpoint.MESSAGE else None,
        group_id=row.group_id,
    )

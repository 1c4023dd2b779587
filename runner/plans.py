"""Rows → send plans: render, validate and route each row. Pure: no I/O here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .campaign import Campaign
from .rows import Recipient, Row
from .status import Status
from .templates import RowProblem, Templates

# The two endpoints, by the names used throughout (quota pools, journal, simulator).
MESSAGE = "message"  # POST /message: 100 a day per account
SEND_GROUP = "send-group"  # POST /messaging/send-group: 150 a day per account


@dataclass(frozen=True)
class SendPlan:
    """One request to make: which endpoint, from which account, with what."""

    row: int
    recipient: Recipient
    endpoint: str  # MESSAGE or SEND_GROUP
    account_id: str | None
    message: str
    subject: str | None = None
    message_type: str | None = None
    group_id: str | None = None

    @property
    def pool(self) -> tuple[str, str]:
        """The quota this send spends: (account, endpoint); "" is the API key's default account."""
        return (self.account_id or "", self.endpoint)

    def payload(self) -> dict[str, Any]:
        if self.endpoint == SEND_GROUP:
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
        if self.account_id:
            body["accountId"] = self.account_id
        return body


@dataclass(frozen=True)
class RowPlan:
    """A row and what to do with it: a send plan, or why it is not sent."""

    row: Row
    plan: SendPlan | None
    status: Status | None = None  # INVALID or DUPLICATE when plan is None
    detail: str = ""


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
        plans.append(RowPlan(row, plan))
    return plans


def plan_row(row: Row, templates: Templates, campaign: Campaign) -> SendPlan:
    """Render, route and check one row; RowProblem says why it cannot be sent."""
    assert row.recipient is not None
    rendered = templates.render(row)
    if not rendered.message:
        raise RowProblem(f"the message renders empty ({templates.message.path.name})")
    message_type = row.message_type or campaign.message_type
    account_id = row.account_id or campaign.account_id
    limits = campaign.limits

    # Group context without credits needs a URN; with only a public ID it goes via /message.
    endpoint = SEND_GROUP if row.group_id and row.recipient.urn else MESSAGE

    inmail = endpoint == MESSAGE and message_type == "inmail"
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
    if endpoint == MESSAGE and rendered.subject and len(rendered.subject) > limits.inmail_subject:
        raise RowProblem(
            f"the subject is {len(rendered.subject)} characters; "
            f"LinkedIn allows {limits.inmail_subject}"
        )
    return SendPlan(
        row=row.number,
        recipient=row.recipient,
        endpoint=endpoint,
        account_id=account_id,
        message=rendered.message,
        subject=rendered.subject if endpoint == MESSAGE else None,
        message_type=message_type if endpoint == MESSAGE else None,
        group_id=row.group_id,
    )

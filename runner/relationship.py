"""The account's relationship to a person, as `GET /relationship` answers it (route = "auto"):
what the answer says, and the path that asks it. Pure.

`GET /relationship/{profileId}` asks for the API key's default account, and
`GET /relationship/{accountId}/{profileId}` for a chosen one. A row known only by its URN is
asked by the member ID the URN carries (`urn:li:fsd_profile:ACoAA...` -> `ACoAA...`), which
LinkedIn opens as the profile as it does a public ID.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .recipient import Recipient


@dataclass(frozen=True)
class Relationship:
    """What a lookup from one account said of one person."""

    connected: bool  # 1st-degree connections
    urn: str | None = None  # the person's profile URN
    status: str = ""  # the API's one word for it, e.g. NOT_CONNECTED
    invitation_sent: bool = False  # the account invited the person; not accepted yet
    invitation_received: bool = False  # the person invited the account; not accepted yet

    def describe(self) -> str:
        """'a 1st-degree connection', 'not a connection (the account's invitation is pending)'."""
        if self.connected:
            return "a 1st-degree connection"
        if self.invitation_sent:
            return "not a connection (the account's invitation is pending)"
        if self.invitation_received:
            return "not a connection (their invitation to the account is pending)"
        return "not a connection"


def read_relationship(body: Any) -> Relationship | None:
    """The relationship a 200's JSON body gives; None when it gives none (no `connected`)."""
    if not isinstance(body, dict) or not isinstance(body.get("connected"), bool):
        return None
    urn = body.get("profileUrn")
    status = body.get("status")
    return Relationship(
        connected=body["connected"],
        urn=urn if isinstance(urn, str) and urn.startswith("urn:li:") else None,
        status=status if isinstance(status, str) else "",
        invitation_sent=body.get("invitationSent") is True,
        invitation_received=body.get("invitationReceived") is True,
    )


def lookup_path(account: str, recipient: Recipient) -> str:
    """The path, below the base URL, that asks how `account` ("" the key's default) stands to
    `recipient`."""
    profile = recipient.public_id or (recipient.urn or "").rsplit(":", 1)[-1]
    person = quote(profile, safe="")
    return (
        f"/relationship/{quote(account, safe='')}/{person}"
        if account
        else f"/relationship/{person}"
    )

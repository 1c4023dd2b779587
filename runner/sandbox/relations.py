"""The people the sandbox knows: the URN it answers for each, and its `GET /relationship`, how
an account stands to a person, with stable answers.

A successful /message to a profile ID answers a made-up but stable URN, `profile_urn(profile_id)`.

`GET /relationship/{profileId}` answers for the key's default account, and
`GET /relationship/{accountId}/{profileId}` for that account. The answer is the same every
time for the same account and person (the profile ID in any case), decided in this order:

- a profile ID containing `notfound`, or starting with `invalid-`: 404
  `{"error": "LinkedIn profile not found: <id>", "success": false}` (as a send to it answers);
- containing `stranger`: not connected, for every account;
- containing `friend`: connected, for every account;
- anything else: connected or not by a hash of the account and the ID, about half each (so one
  account may be connected to a person another is not).

A person who is not connected has, by the same hash, about one time in four an invitation
pending from the account (`invitationSent`). `profileUrn` is the URN a message to the ID would
answer (`profile_urn`), or for a member ID (`ACoAA...`) the URN it is the ID of.

Lookups have a quota of their own per account, 200 a day, counted like the sends' (the
X-RateLimit-* headers, with X-RateLimit-Action `RELATIONSHIP`); a lookup spends one unit when
it answers 200. When it is spent the answer is 429 with the reset in the text and, as the API
reference says such answers may, a `holdUntil`.
"""

from __future__ import annotations

import hashlib
import string
from urllib.parse import unquote

PREFIX = "/relationship/"
ACTION = "RELATIONSHIP"
_MEMBER = "ACoAA"
_URN_PREFIX = "urn:li:fsd_profile:ACoAA"
_ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase


def profile_urn(profile_id: str) -> str:
    """The made-up URN the sandbox answers for a public profile ID (stable, case-insensitive)."""
    number = int.from_bytes(hashlib.sha256(profile_id.lower().encode()).digest(), "big")
    chars = []
    for _ in range(30):
        number, digit = divmod(number, len(_ALPHABET))
        chars.append(_ALPHABET[digit])
    return _URN_PREFIX + "".join(chars)


def parse_lookup(path: str) -> tuple[str, str] | None:
    """(account, profile ID) of a lookup's path below the base ("" for the default account);
    None when the path is not a lookup's."""
    if not path.startswith(PREFIX):
        return None
    parts = [unquote(part) for part in path[len(PREFIX) :].split("/")]
    if len(parts) == 1 and parts[0]:
        return "", parts[0]
    if len(parts) == 2 and all(parts):
        return parts[0], parts[1]
    return None


def relationship(account: str, profile: str) -> tuple[int, dict]:
    """The status and body that answer a lookup of `profile` for `account` ("default" for the
    key's own)."""
    lower = profile.lower()
    if "notfound" in lower or lower.startswith("invalid-"):
        return 404, {"error": f"LinkedIn profile not found: {profile}", "success": False}
    digest = hashlib.sha256(f"{account}\x1f{lower}".encode()).digest()
    if "stranger" in lower:
        connected = False
    elif "friend" in lower:
        connected = True
    else:
        connected = digest[0] % 2 == 0
    invited = not connected and digest[1] % 4 == 0
    status = "CONNECTED" if connected else ("INVITATION_SENT" if invited else "NOT_CONNECTED")
    return 200, {
        "connected": connected,
        "invitationSent": invited,
        "invitationReceived": False,
        "status": status,
        "profileUrn": f"urn:li:fsd_profile:{profile}"
        if profile.startswith(_MEMBER)
        else profile_urn(profile),
        "accountId": account,
    }


def limited(used: int, limit: int, reset: str) -> dict:
    """The 429 of a spent lookup quota."""
    return {
        "error": f"Rate limit exceeded for {ACTION}: {used}/{limit} used. Resets at {reset}",
        "success": False,
        "holdUntil": reset,
    }

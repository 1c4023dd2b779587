"""Calls for the tests that talk to the sandbox directly: payloads, a client, an answer's quota."""

from __future__ import annotations

import httpx

from .campaign import API_KEY

AUTH = {"Authorization": f"Bearer {API_KEY}"}
MESSAGE_PATH = "/message"
GROUP_PATH = "/messaging/send-group"
URN = "urn:li:fsd_profile:ACoAAA24A-MBVEvT49xpVF2gnWrhvmUIPDJshSM"
RATE_HEADERS = (
    "X-RateLimit-Action",
    "X-RateLimit-Limit",
    "X-RateLimit-Used",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
)


def dm(**fields: object) -> dict:
    return {"recipientProfileId": "john-doe-123", "message": "Hi John", **fields}


def group(**fields: object) -> dict:
    return {"recipientProfileUrn": URN, "groupId": "12345678", "message": "Hi", **fields}


def loopback(base_url: str, timeout: float = 5) -> httpx.Client:
    """A client for a loopback server, with the key."""
    # Plain HTTP: verify=False only skips loading the CA bundle, which costs ~50 ms a client.
    return httpx.Client(base_url=base_url, headers=AUTH, timeout=timeout, verify=False)


def quota(response: httpx.Response) -> dict[str, str]:
    return {name: response.headers[name] for name in RATE_HEADERS}

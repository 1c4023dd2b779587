"""The sandbox's API, over real loopback HTTP and through the in-process transport."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runner.clock import FakeClock
from runner.plans import Endpoint
from runner.sandbox import DEFAULT_LIMITS, Sandbox, profile_urn, transport
from tests.support.calls import (
    AUTH,
    GROUP_PATH,
    MESSAGE_PATH,
    URN,
    dm,
    group,
    loopback,
    quota,
)
from tests.support.campaign import API_KEY as KEY
from tests.support.campaign import Api
from tests.support.faults import FaultySandbox, faulty_transport
from tests.support.loopback import LoopbackServer

START = datetime(2024, 1, 15, 9, 30, tzinfo=UTC)
NEXT_MIDNIGHT = "2024-01-16T00:00:00.000Z"
NO_RECIPIENT = "Either recipientProfileId or recipientProfileUrn is required"
GROUP_FIELDS = "recipientProfileUrn, groupId, and message are required"
REPO = Path(__file__).resolve().parents[2]


def in_process(sandbox: Sandbox, base_url: str = "http://sandbox.invalid") -> httpx.Client:
    return httpx.Client(transport=transport(sandbox), base_url=base_url, headers=AUTH)


@pytest.fixture
def clock() -> FakeClock:
    """The `api` fixture's clock too: the sandbox's day starts at midnight before START."""
    return FakeClock(START)


@pytest.fixture
def sim(api: Api) -> FaultySandbox:
    """The sandbox behind `client`, wrapped only to log what it receives (no fault injected)."""
    return api.sim


@pytest.fixture
def client(api: Api) -> Iterator[httpx.Client]:
    with loopback(api.base_url, timeout=2) as http:
        yield http


# Auth


@pytest.mark.parametrize(
    ("path", "payload", "error"),
    [
        (MESSAGE_PATH, dm(), "Unauthorized"),
        (GROUP_PATH, group(), "Unauthorized - Invalid credentials"),
    ],
)
@pytest.mark.parametrize("authorization", [None, "Bearer wrong-key", f"Basic {KEY}", KEY])
def test_bad_credentials_are_401_without_success_or_rate_headers(
    client: httpx.Client,
    sim: FaultySandbox,
    path: str,
    payload: dict,
    error: str,
    authorization: str | None,
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    if authorization is None:
        client.headers.pop("Authorization")
    response = client.post(path, json=payload, headers=headers)
    assert response.status_code == 401
    assert response.json() == {"error": error}
    assert not any(name.lower().startswith("x-ratelimit") for name in response.headers)
    assert [(r.status, r.delivered) for r in sim.received] == [(401, False)]
    assert sim.delivered() == []


# Success


def test_message_to_profile_id_is_sent(client: httpx.Client, sim: FaultySandbox) -> None:
    response = client.post(MESSAGE_PATH, json=dm())
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {
        "success": True,
        "message": "Message sent successfully",
        "recipientProfileUrn": profile_urn("john-doe-123"),
    }
    assert quota(response) == {
        "X-RateLimit-Action": "MESSAGE",
        "X-RateLimit-Limit": "100",
        "X-RateLimit-Used": "1",
        "X-RateLimit-Remaining": "99",
        "X-RateLimit-Reset": NEXT_MIDNIGHT,
    }
    [received] = sim.received
    assert received.endpoint == Endpoint.MESSAGE
    assert received.payload == dm()
    assert received.account == "default"
    assert (received.status, received.delivered, received.at) == (200, True, START)
    assert sim.delivered() == [received]


def test_message_echoes_urn_and_sends_inmail_with_subject(client: httpx.Client) -> None:
    payload = {
        "accountId": "acc_1",
        "recipientProfileUrn": URN,
        "message": "Hello",
        "messageType": "inmail",
        "subject": "A question",
        "groupId": "12345678",
    }
    response = client.post(MESSAGE_PATH, json=payload)
    assert response.status_code == 200
    assert response.json()["recipientProfileUrn"] == URN


def test_send_group_is_sent(client: httpx.Client, sim: FaultySandbox) -> None:
    response = client.post(GROUP_PATH, json=group(accountId="acc_1"))
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "message": "Group context message sent successfully",
        "recipientProfileUrn": URN,
        "groupId": "12345678",
    }
    assert quota(response)["X-RateLimit-Limit"] == "150"
    assert quota(response)["X-RateLimit-Remaining"] == "149"
    assert [(r.endpoint, r.account, r.delivered) for r in sim.delivered()] == [
        (Endpoint.SEND_GROUP, "acc_1", True)
    ]


def test_profile_urn_is_stable_case_insensitive_and_distinct() -> None:
    urn = profile_urn("john-doe-123")
    assert re.fullmatch(r"urn:li:fsd_profile:ACoAA[A-Za-z0-9]{30}", urn)
    assert profile_urn("John-Doe-123") == urn
    assert profile_urn("jane-doe") != urn


# Validation


@pytest.mark.parametrize(
    ("path", "payload", "error"),
    [
        (MESSAGE_PATH, {"message": "Hi"}, NO_RECIPIENT),
        (MESSAGE_PATH, dm(recipientProfileId=""), NO_RECIPIENT),
        (MESSAGE_PATH, dm(message=""), "message is required"),
        (MESSAGE_PATH, {"recipientProfileId": "x"}, "message is required"),
        (
            MESSAGE_PATH,
            dm(messageType="email"),
            'messageType must be "normal" or "inmail", not "email"',
        ),
        (MESSAGE_PATH, dm(messageType="inmail"), "subject is required for InMail"),
        (MESSAGE_PATH, dm(messageType="inmail", subject=" "), "subject is required for InMail"),
        (MESSAGE_PATH, dm(message=5), "message must be a string"),
        (MESSAGE_PATH, dm(subject=None), "subject must be a string"),
        (GROUP_PATH, group(groupId=12345678), "groupId must be a string"),
        (GROUP_PATH, group(groupId=""), GROUP_FIELDS),
        (GROUP_PATH, {"groupId": "1", "message": "Hi"}, GROUP_FIELDS),
        (GROUP_PATH, group(message=None), "message must be a string"),
    ],
)
def test_invalid_payloads_are_400_with_the_documented_error(
    client: httpx.Client, sim: FaultySandbox, path: str, payload: dict, error: str
) -> None:
    response = client.post(path, json=payload)
    assert response.status_code == 400
    assert response.json() == {"error": error, "success": False}
    assert quota(response)["X-RateLimit-Used"] == "0"
    assert sim.delivered() == []


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b"", b"\xe9"])
@pytest.mark.parametrize("path", [MESSAGE_PATH, GROUP_PATH])
def test_body_that_is_not_a_json_object_is_400(
    client: httpx.Client, sim: FaultySandbox, path: str, content: bytes
) -> None:
    response = client.post(path, content=content, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json() == {"error": "Invalid JSON body", "success": False}
    assert quota(response)["X-RateLimit-Remaining"] in ("100", "150")
    assert [(r.payload, r.account, r.status) for r in sim.received] == [(None, "default", 400)]


def test_unknown_path_is_404_and_other_methods_405(
    client: httpx.Client, sim: FaultySandbox
) -> None:
    missing = client.post("/messages", json=dm())
    assert (missing.status_code, missing.json()) == (404, {"error": "Not found"})
    wrong_method = client.get(MESSAGE_PATH)
    assert wrong_method.status_code == 405
    assert wrong_method.headers["Allow"] == "POST"
    assert [(r.endpoint, r.status) for r in sim.received] == [(None, 404), (Endpoint.MESSAGE, 405)]


# Quota


def test_message_quota_runs_out_with_the_documented_429(client: httpx.Client) -> None:
    for _ in range(100):
        assert client.post(MESSAGE_PATH, json=dm()).status_code == 200
    response = client.post(MESSAGE_PATH, json=dm())
    assert response.status_code == 429
    assert response.json() == {
        "error": f"Rate limit exceeded for MESSAGE: 100/100 used. Resets at {NEXT_MIDNIGHT}",
        "success": False,
    }
    assert quota(response) == {
        "X-RateLimit-Action": "MESSAGE",
        "X-RateLimit-Limit": "100",
        "X-RateLimit-Used": "100",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": NEXT_MIDNIGHT,
    }


def test_send_group_quota_runs_out_with_the_documented_429(
    client: httpx.Client, sim: FaultySandbox
) -> None:
    for _ in range(150):
        assert client.post(GROUP_PATH, json=group()).status_code == 200
    response = client.post(GROUP_PATH, json=group())
    assert response.status_code == 429
    assert response.json() == {
        "error": "Rate limit exceeded for MESSAGE: 150/150 used",
        "success": False,
    }
    assert quota(response)["X-RateLimit-Remaining"] == "0"
    assert len(sim.delivered()) == 150


def test_quota_is_per_account_and_endpoint(clock: FakeClock) -> None:
    sim = Sandbox(KEY, clock, limits={Endpoint.MESSAGE: 1, Endpoint.SEND_GROUP: 1})
    with in_process(sim) as http:
        assert http.post(MESSAGE_PATH, json=dm()).status_code == 200
        assert http.post(MESSAGE_PATH, json=dm()).status_code == 429
        assert http.post(MESSAGE_PATH, json=dm(accountId="acc_2")).status_code == 200
        assert http.post(GROUP_PATH, json=group()).status_code == 200
        assert http.post(GROUP_PATH, json=group()).status_code == 429
    sim.close()


def test_quota_comes_back_in_the_next_period(clock: FakeClock) -> None:
    sim = Sandbox(KEY, clock, limits={Endpoint.MESSAGE: 2})
    with in_process(sim) as http:
        for _ in range(2):
            http.post(MESSAGE_PATH, json=dm())
        assert http.post(MESSAGE_PATH, json=dm()).json()["error"] == (
            f"Rate limit exceeded for MESSAGE: 2/2 used. Resets at {NEXT_MIDNIGHT}"
        )
        clock.advance(hours=14, minutes=29, seconds=59)  # 23:59:59
        assert http.post(MESSAGE_PATH, json=dm()).status_code == 429
        clock.advance(1)
        response = http.post(MESSAGE_PATH, json=dm())
    assert response.status_code == 200
    assert quota(response)["X-RateLimit-Used"] == "1"
    assert quota(response)["X-RateLimit-Reset"] == "2024-01-17T00:00:00.000Z"
    sim.close()


def test_short_days_are_aligned_to_the_epoch(clock: FakeClock) -> None:
    sim = Sandbox(KEY, clock, day_seconds=60, limits={Endpoint.MESSAGE: 1})
    with in_process(sim) as http:
        clock.advance(45)
        first = http.post(MESSAGE_PATH, json=dm())
        assert quota(first)["X-RateLimit-Reset"] == "2024-01-15T09:31:00.000Z"
        assert http.post(MESSAGE_PATH, json=dm()).status_code == 429
        clock.advance(15)
        assert http.post(MESSAGE_PATH, json=dm()).status_code == 200
    sim.close()


def test_unix_reset_format(clock: FakeClock) -> None:
    sim = Sandbox(KEY, clock, reset_format="unix")
    with (
        LoopbackServer(sim) as server,
        loopback(server.base_url) as http,
    ):
        response = http.post(MESSAGE_PATH, json=dm())
    expected = int(datetime(2024, 1, 16, tzinfo=UTC).timestamp())
    assert quota(response)["X-RateLimit-Reset"] == str(expected) == "1705363200"
    sim.close()


@settings(max_examples=50, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    day_seconds=st.integers(min_value=1, max_value=7 * 86400),
)
def test_reset_is_the_next_period_boundary(moment: datetime, day_seconds: int) -> None:
    sim = Sandbox(KEY, FakeClock(moment), day_seconds=day_seconds, reset_format="unix")
    response = sim.handle("POST", "/linkedin/message", AUTH, json.dumps(dm()).encode())
    sim.close()
    reset = int(response.headers["X-RateLimit-Reset"])
    assert reset % day_seconds == 0
    assert 0 < reset - moment.timestamp() <= day_seconds


def test_concurrent_requests_never_overspend(clock: FakeClock) -> None:
    sim = Sandbox(KEY, clock, limits={Endpoint.MESSAGE: 10})
    statuses: list[int] = []
    with (
        LoopbackServer(sim) as server,
        loopback(server.base_url) as http,
    ):

        def send() -> None:
            statuses.append(http.post(MESSAGE_PATH, json=dm()).status_code)

        threads = [threading.Thread(target=send) for _ in range(30)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(statuses) == [200] * 10 + [429] * 20
    assert len(sim.delivered()) == 10
    sim.close()


def test_quota_and_delivered_log_persist_in_the_store(clock: FakeClock, tmp_path) -> None:
    store = tmp_path / "sandbox.sqlite"
    first = Sandbox(KEY, clock, limits={Endpoint.MESSAGE: 2}, store_path=store)
    with in_process(first, "http://sandbox.invalid/linkedin") as http:
        http.post(MESSAGE_PATH, json=dm(recipientProfileId="a"))
        http.post(MESSAGE_PATH, json=dm(recipientProfileId="b"))
    first.close()

    # Wrapped (no fault) for its log of received requests.
    second = FaultySandbox(Sandbox(KEY, clock, limits={Endpoint.MESSAGE: 2}, store_path=store))
    with httpx.Client(
        transport=faulty_transport(second),
        base_url="http://sandbox.invalid/linkedin",
        headers=AUTH,
    ) as http:
        response = http.post(MESSAGE_PATH, json=dm(recipientProfileId="c"))
    assert response.status_code == 429
    assert [r.payload["recipientProfileId"] for r in second.delivered()] == ["a", "b"]
    assert [r.at for r in second.delivered()] == [START, START]
    assert [r.status for r in second.received] == [429]
    second.close()


# Recipient patterns


@pytest.mark.parametrize(
    ("path", "payload", "missing"),
    [
        (MESSAGE_PATH, dm(recipientProfileId="invalid-profile-id"), "invalid-profile-id"),
        (MESSAGE_PATH, dm(recipientProfileId="Invalid-Jane"), "Invalid-Jane"),
        (MESSAGE_PATH, dm(recipientProfileId="jane-NotFound-1"), "jane-NotFound-1"),
        (MESSAGE_PATH, {"recipientProfileUrn": "urn:NOTFOUND1", "message": "Hi"}, "urn:NOTFOUND1"),
        (GROUP_PATH, group(recipientProfileUrn="urn:li:notfound"), "urn:li:notfound"),
    ],
)
def test_missing_profiles_are_404(
    client: httpx.Client, sim: FaultySandbox, path: str, payload: dict, missing: str
) -> None:
    response = client.post(path, json=payload)
    assert response.status_code == 404
    assert response.json() == {"error": f"LinkedIn profile not found: {missing}", "success": False}
    assert quota(response)["X-RateLimit-Used"] == "0"
    assert [(r.status, r.delivered) for r in sim.received] == [(404, False)]


def test_forbidden_group_recipient_is_the_documented_403(
    client: httpx.Client, sim: FaultySandbox
) -> None:
    urn = "urn:li:fsd_profile:ACoAAForbidden"
    response = client.post(GROUP_PATH, json=group(recipientProfileUrn=urn, groupId="987"))
    assert response.status_code == 403
    assert response.json() == {
        "success": False,
        "message": "Error sending group context message: Request failed with status code 403",
        "recipientProfileUrn": urn,
        "groupId": "987",
        "errorDetails": {
            "status": 403,
            "statusText": "Forbidden",
            "data": {
                "code": "UNAUTHORIZED_VIEWER",
                "message": "The viewer is not authorized to access this resource",
            },
        },
    }
    assert quota(response)["X-RateLimit-Used"] == "0"
    assert sim.delivered() == []


def test_forbidden_pattern_is_send_group_only(client: httpx.Client) -> None:
    payload = {"recipientProfileUrn": "urn:li:fsd_profile:forbidden", "message": "Hi"}
    assert client.post(MESSAGE_PATH, json=payload).status_code == 200


@pytest.mark.parametrize(("path", "payload"), [(MESSAGE_PATH, dm()), (GROUP_PATH, group())])
def test_broken_account_is_500(
    client: httpx.Client, sim: FaultySandbox, path: str, payload: dict
) -> None:
    response = client.post(path, json={**payload, "accountId": "acc_broken"})
    assert response.status_code == 500
    assert response.json() == {
        "error": "Failed to get LinkedIn authentication credentials",
        "success": False,
    }
    assert quota(response)["X-RateLimit-Used"] == "0"
    assert sim.delivered() == []


def test_a_full_quota_is_reported_before_a_recipient_pattern(clock: FakeClock) -> None:
    sim = Sandbox(KEY, clock, limits={Endpoint.MESSAGE: 1})
    with in_process(sim) as http:
        http.post(MESSAGE_PATH, json=dm())
        response = http.post(MESSAGE_PATH, json=dm(recipientProfileId="invalid-x"))
    assert response.status_code == 429
    sim.close()


def test_rate_headers_are_consistent_on_every_answer_after_auth(client: httpx.Client) -> None:
    answers = [
        client.post(MESSAGE_PATH, json=dm()),
        client.post(MESSAGE_PATH, json={}),
        client.post(MESSAGE_PATH, json=dm(recipientProfileId="notfound")),
        client.post(MESSAGE_PATH, json=dm(accountId="acc_broken")),
        client.post(GROUP_PATH, json=group(recipientProfileUrn="forbidden")),
    ]
    assert [r.status_code for r in answers] == [200, 400, 404, 500, 403]
    for response in answers:
        limit = int(response.headers["X-RateLimit-Limit"])
        used = int(response.headers["X-RateLimit-Used"])
        assert int(response.headers["X-RateLimit-Remaining"]) == limit - used
        assert response.headers["X-RateLimit-Action"] == "MESSAGE"
        assert response.headers["X-RateLimit-Reset"] == NEXT_MIDNIGHT
    assert [r.headers["X-RateLimit-Used"] for r in answers] == ["1", "1", "1", "0", "0"]


def test_both_paths_work_with_and_without_the_linkedin_prefix(sim: FaultySandbox) -> None:
    for base in ("http://sandbox.invalid", "http://sandbox.invalid/linkedin"):
        with in_process(sim.sandbox, base) as http:
            assert http.post(MESSAGE_PATH, json=dm()).status_code == 200
            assert http.post(GROUP_PATH, json=group()).status_code == 200
    assert [r.endpoint for r in sim.delivered()] == [Endpoint.MESSAGE, Endpoint.SEND_GROUP] * 2


@pytest.mark.parametrize(
    "options",
    [{"reset_format": "rfc"}, {"day_seconds": 0}, {"limits": {"connect": 5}}],
)
def test_bad_sandbox_options_are_refused(clock: FakeClock, options: dict) -> None:
    with pytest.raises(ValueError):
        Sandbox(KEY, clock, **options)


def test_default_limits_are_the_documented_ones() -> None:
    assert DEFAULT_LIMITS == {
        Endpoint.MESSAGE: 100,
        Endpoint.SEND_GROUP: 150,
        Endpoint.RELATIONSHIP: 200,  # no limit is documented: the sandbox's own
    }


def test_the_cli_does_not_load_the_sandbox_unless_a_sandbox_run_asks() -> None:
    code = (
        "import runner.cli, sys; "
        "print([name for name in sys.modules if name.startswith('runner.sandbox')])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"

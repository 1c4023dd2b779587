"""The ConnectSafely simulator, over real loopback HTTP and through the in-process transport."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runner.clock import FakeClock
from runner.sandbox import (
    DEFAULT_LIMITS,
    MESSAGE,
    SEND_GROUP,
    Fault,
    FaultKind,
    Sandbox,
    SandboxServer,
    profile_urn,
    transport,
)

KEY = "sk_test_123"
AUTH = {"Authorization": f"Bearer {KEY}"}
START = datetime(2024, 1, 15, 9, 30, tzinfo=UTC)
NEXT_MIDNIGHT = "2024-01-16T00:00:00.000Z"
MESSAGE_PATH = "/message"
GROUP_PATH = "/messaging/send-group"
URN = "urn:li:fsd_profile:ACoAAA24A-MBVEvT49xpVF2gnWrhvmUIPDJshSM"
NO_RECIPIENT = "Either recipientProfileId or recipientProfileUrn is required"
GROUP_FIELDS = "recipientProfileUrn, groupId, and message are required"
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


def loopback(server: SandboxServer, timeout: float = 5) -> httpx.Client:
    # Plain HTTP: verify=False only skips loading the CA bundle, which costs ~50 ms a client.
    return httpx.Client(base_url=server.base_url, headers=AUTH, timeout=timeout, verify=False)


def in_process(sim: Sandbox, base_url: str = "http://sandbox.invalid") -> httpx.Client:
    return httpx.Client(transport=transport(sim), base_url=base_url, headers=AUTH)


def quota(response: httpx.Response) -> dict[str, str]:
    return {name: response.headers[name] for name in RATE_HEADERS}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def sim(clock: FakeClock) -> Iterator[Sandbox]:
    simulator = Sandbox(KEY, clock)
    yield simulator
    simulator.close()


@pytest.fixture
def server(sim: Sandbox) -> Iterator[SandboxServer]:
    with SandboxServer(sim) as running:
        yield running


@pytest.fixture
def client(server: SandboxServer) -> Iterator[httpx.Client]:
    with loopback(server, timeout=2) as http:
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
    sim: Sandbox,
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


def test_message_to_profile_id_is_sent(client: httpx.Client, sim: Sandbox) -> None:
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
    assert received.endpoint == MESSAGE
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


def test_send_group_is_sent(client: httpx.Client, sim: Sandbox) -> None:
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
        (SEND_GROUP, "acc_1", True)
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
    client: httpx.Client, sim: Sandbox, path: str, payload: dict, error: str
) -> None:
    response = client.post(path, json=payload)
    assert response.status_code == 400
    assert response.json() == {"error": error, "success": False}
    assert quota(response)["X-RateLimit-Used"] == "0"
    assert sim.delivered() == []


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b"", b"\xe9"])
@pytest.mark.parametrize("path", [MESSAGE_PATH, GROUP_PATH])
def test_body_that_is_not_a_json_object_is_400(
    client: httpx.Client, sim: Sandbox, path: str, content: bytes
) -> None:
    response = client.post(path, content=content, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json() == {"error": "Invalid JSON body", "success": False}
    assert quota(response)["X-RateLimit-Remaining"] in ("100", "150")
    assert [(r.payload, r.account, r.status) for r in sim.received] == [(None, "default", 400)]


def test_unknown_path_is_404_and_other_methods_405(client: httpx.Client, sim: Sandbox) -> None:
    missing = client.post("/messages", json=dm())
    assert (missing.status_code, missing.json()) == (404, {"error": "Not found"})
    wrong_method = client.get(MESSAGE_PATH)
    assert wrong_method.status_code == 405
    assert wrong_method.headers["Allow"] == "POST"
    assert [(r.endpoint, r.status) for r in sim.received] == [(None, 404), (MESSAGE, 405)]


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
    client: httpx.Client, sim: Sandbox
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
    sim = Sandbox(KEY, clock, limits={MESSAGE: 1, SEND_GROUP: 1})
    with in_process(sim) as http:
        assert http.post(MESSAGE_PATH, json=dm()).status_code == 200
        assert http.post(MESSAGE_PATH, json=dm()).status_code == 429
        assert http.post(MESSAGE_PATH, json=dm(accountId="acc_2")).status_code == 200
        assert http.post(GROUP_PATH, json=group()).status_code == 200
        assert http.post(GROUP_PATH, json=group()).status_code == 429
    sim.close()


def test_quota_comes_back_in_the_next_period(clock: FakeClock) -> None:
    sim = Sandbox(KEY, clock, limits={MESSAGE: 2})
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
    sim = Sandbox(KEY, clock, day_seconds=60, limits={MESSAGE: 1})
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
        SandboxServer(sim) as server,
        loopback(server) as http,
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
    sim = Sandbox(KEY, clock, limits={MESSAGE: 10})
    statuses: list[int] = []
    with (
        SandboxServer(sim) as server,
        loopback(server) as http,
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
    first = Sandbox(KEY, clock, limits={MESSAGE: 2}, store_path=store)
    with in_process(first, "http://sandbox.invalid/linkedin") as http:
        http.post(MESSAGE_PATH, json=dm(recipientProfileId="a"))
        http.post(MESSAGE_PATH, json=dm(recipientProfileId="b"))
    first.close()

    second = Sandbox(KEY, clock, limits={MESSAGE: 2}, store_path=store)
    with in_process(second, "http://sandbox.invalid/linkedin") as http:
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
    client: httpx.Client, sim: Sandbox, path: str, payload: dict, missing: str
) -> None:
    response = client.post(path, json=payload)
    assert response.status_code == 404
    assert response.json() == {"error": f"LinkedIn profile not found: {missing}", "success": False}
    assert quota(response)["X-RateLimit-Used"] == "0"
    assert [(r.status, r.delivered) for r in sim.received] == [(404, False)]


def test_forbidden_group_recipient_is_the_documented_403(
    client: httpx.Client, sim: Sandbox
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
    client: httpx.Client, sim: Sandbox, path: str, payload: dict
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
    sim = Sandbox(KEY, clock, limits={MESSAGE: 1})
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


def test_both_paths_work_with_and_without_the_linkedin_prefix(sim: Sandbox) -> None:
    for base in ("http://sandbox.invalid", "http://sandbox.invalid/linkedin"):
        with in_process(sim, base) as http:
            assert http.post(MESSAGE_PATH, json=dm()).status_code == 200
            assert http.post(GROUP_PATH, json=group()).status_code == 200
    assert [r.endpoint for r in sim.delivered()] == [MESSAGE, SEND_GROUP] * 2


# Faults


def test_status_fault_answers_as_given_and_delivers_nothing(
    client: httpx.Client, sim: Sandbox
) -> None:
    sim.inject(
        Fault(
            FaultKind.STATUS,
            times=2,
            status=503,
            body={"error": "busy"},
            headers={"Retry-After": "7"},
        )
    )
    for _ in range(2):
        response = client.post(MESSAGE_PATH, json=dm())
        assert (response.status_code, response.json()) == (503, {"error": "busy"})
        assert response.headers["Retry-After"] == "7"
        assert "X-RateLimit-Used" not in response.headers
    assert client.post(MESSAGE_PATH, json=dm()).status_code == 200
    assert [(r.status, r.delivered) for r in sim.received] == [
        (503, False),
        (503, False),
        (200, True),
    ]


def test_status_fault_with_raw_body_and_endpoint_filter(client: httpx.Client, sim: Sandbox) -> None:
    sim.inject(
        Fault(FaultKind.STATUS, endpoint=SEND_GROUP, status=502, body=b"<h1>Bad Gateway</h1>")
    )
    assert client.post(MESSAGE_PATH, json=dm()).status_code == 200
    response = client.post(GROUP_PATH, json=group())
    assert (response.status_code, response.content) == (502, b"<h1>Bad Gateway</h1>")
    assert client.post(GROUP_PATH, json=group()).status_code == 200


def test_faults_are_used_first_in_first_out(client: httpx.Client, sim: Sandbox) -> None:
    sim.inject(Fault(FaultKind.STATUS, status=500))
    sim.inject(Fault(FaultKind.STATUS, status=429, body={"holdUntil": "2024-01-15T10:00:00Z"}))
    statuses = [client.post(MESSAGE_PATH, json=dm()).status_code for _ in range(3)]
    assert statuses == [500, 429, 200]


def test_drop_before_closes_without_answer_or_delivery(client: httpx.Client, sim: Sandbox) -> None:
    sim.inject(Fault(FaultKind.DROP_BEFORE))
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(MESSAGE_PATH, json=dm())
    assert [(r.status, r.delivered, r.payload) for r in sim.received] == [(0, False, dm())]
    assert quota(client.post(MESSAGE_PATH, json=dm()))["X-RateLimit-Used"] == "1"


def test_drop_after_delivers_then_closes(client: httpx.Client, sim: Sandbox) -> None:
    sim.inject(Fault(FaultKind.DROP_AFTER))
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(MESSAGE_PATH, json=dm())
    assert [(r.status, r.delivered) for r in sim.received] == [(0, True)]
    assert quota(client.post(MESSAGE_PATH, json=dm()))["X-RateLimit-Used"] == "2"
    assert [r.status for r in sim.delivered()] == [0, 200]


def test_hang_delivers_then_times_out_without_holding_up_shutdown(clock: FakeClock) -> None:
    sim = Sandbox(KEY, clock)
    sim.inject(Fault(FaultKind.HANG, seconds=2))
    with SandboxServer(sim) as server:
        with loopback(server, timeout=0.5) as http, pytest.raises(httpx.ReadTimeout):
            http.post(MESSAGE_PATH, json=dm())
        started = time.monotonic()
    assert time.monotonic() - started < 1
    assert [(r.status, r.delivered) for r in sim.received] == [(0, True)]
    sim.close()


def test_shutdown_is_prompt_with_an_idle_keep_alive_connection(sim: Sandbox) -> None:
    with httpx.Client(headers=AUTH, verify=False) as http:
        with SandboxServer(sim) as server:
            assert http.post(server.base_url + MESSAGE_PATH, json=dm()).status_code == 200
            started = time.monotonic()
        elapsed = time.monotonic() - started
    assert elapsed < 1


def test_not_json_delivers_and_answers_html(client: httpx.Client, sim: Sandbox) -> None:
    sim.inject(Fault(FaultKind.NOT_JSON))
    response = client.post(MESSAGE_PATH, json=dm())
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert [r.delivered for r in sim.delivered()] == [True]


def test_success_false_delivers_nothing(client: httpx.Client, sim: Sandbox) -> None:
    sim.inject(Fault(FaultKind.SUCCESS_FALSE))
    response = client.post(MESSAGE_PATH, json=dm())
    assert response.status_code == 200
    assert response.json() == {"success": False, "error": "Failed to send message"}
    assert quota(response)["X-RateLimit-Used"] == "0"
    assert sim.delivered() == []


def test_override_headers_disagree_with_the_body(client: httpx.Client, sim: Sandbox) -> None:
    sim.inject(
        Fault(
            FaultKind.OVERRIDE_HEADERS, headers={"x-ratelimit-remaining": "0", "Retry-After": "60"}
        )
    )
    response = client.post(MESSAGE_PATH, json=dm())
    assert response.json()["success"] is True
    assert response.headers.get_list("X-RateLimit-Remaining") == ["0"]
    assert response.headers["Retry-After"] == "60"
    assert response.headers["X-RateLimit-Used"] == "1"
    assert len(sim.delivered()) == 1


@pytest.mark.parametrize(
    ("kind", "error", "delivered"),
    [
        (FaultKind.DROP_BEFORE, httpx.RemoteProtocolError, False),
        (FaultKind.DROP_AFTER, httpx.RemoteProtocolError, True),
        (FaultKind.HANG, httpx.ReadTimeout, True),
    ],
)
def test_in_process_transport_raises_what_httpx_would(
    sim: Sandbox, kind: FaultKind, error: type[Exception], delivered: bool
) -> None:
    sim.inject(Fault(kind))
    with in_process(sim) as http:
        started = time.monotonic()
        with pytest.raises(error):
            http.post(MESSAGE_PATH, json=dm())
    assert time.monotonic() - started < 0.5
    assert [(r.status, r.delivered) for r in sim.received] == [(0, delivered)]


@pytest.mark.parametrize(
    "make",
    [
        lambda: Fault(FaultKind.STATUS, times=0),
        lambda: Fault(FaultKind.STATUS, endpoint="messages"),
        lambda: Fault(FaultKind.HANG, seconds=0),
        lambda: Fault("status"),
    ],
)
def test_bad_faults_are_refused(make) -> None:
    with pytest.raises(ValueError):
        make()


@pytest.mark.parametrize(
    "options",
    [{"reset_format": "rfc"}, {"day_seconds": 0}, {"limits": {"connect": 5}}],
)
def test_bad_simulator_options_are_refused(clock: FakeClock, options: dict) -> None:
    with pytest.raises(ValueError):
        Sandbox(KEY, clock, **options)


def test_default_limits_are_the_documented_ones() -> None:
    assert DEFAULT_LIMITS == {MESSAGE: 100, SEND_GROUP: 150}

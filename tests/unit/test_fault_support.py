"""The tests' fault injector and loopback server (tests/support), around a real sandbox."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest

from runner.clock import FakeClock
from runner.plans import Endpoint
from runner.sandbox import Sandbox
from tests.support.calls import AUTH, GROUP_PATH, MESSAGE_PATH, dm, group, loopback, quota
from tests.support.campaign import API_KEY, Api
from tests.support.faults import Fault, FaultKind, FaultySandbox, faulty_transport
from tests.support.loopback import LoopbackServer


@pytest.fixture
def sim(api: Api) -> FaultySandbox:
    return api.sim


@pytest.fixture
def client(api: Api) -> Iterator[httpx.Client]:
    with loopback(api.base_url, timeout=2) as http:
        yield http


def test_status_fault_answers_as_given_and_delivers_nothing(
    client: httpx.Client, sim: FaultySandbox
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


def test_status_fault_with_raw_body_and_endpoint_filter(
    client: httpx.Client, sim: FaultySandbox
) -> None:
    sim.inject(
        Fault(
            FaultKind.STATUS, endpoint=Endpoint.SEND_GROUP, status=502, body=b"<h1>Bad Gateway</h1>"
        )
    )
    assert client.post(MESSAGE_PATH, json=dm()).status_code == 200
    response = client.post(GROUP_PATH, json=group())
    assert (response.status_code, response.content) == (502, b"<h1>Bad Gateway</h1>")
    assert client.post(GROUP_PATH, json=group()).status_code == 200


def test_faults_are_used_first_in_first_out(client: httpx.Client, sim: FaultySandbox) -> None:
    sim.inject(Fault(FaultKind.STATUS, status=500))
    sim.inject(Fault(FaultKind.STATUS, status=429, body={"holdUntil": "2024-01-15T10:00:00Z"}))
    statuses = [client.post(MESSAGE_PATH, json=dm()).status_code for _ in range(3)]
    assert statuses == [500, 429, 200]


def test_drop_before_closes_without_answer_or_delivery(
    client: httpx.Client, sim: FaultySandbox
) -> None:
    sim.inject(Fault(FaultKind.DROP_BEFORE))
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(MESSAGE_PATH, json=dm())
    assert [(r.status, r.delivered, r.payload) for r in sim.received] == [(0, False, dm())]
    assert quota(client.post(MESSAGE_PATH, json=dm()))["X-RateLimit-Used"] == "1"


def test_drop_after_delivers_then_closes(client: httpx.Client, sim: FaultySandbox) -> None:
    sim.inject(Fault(FaultKind.DROP_AFTER))
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(MESSAGE_PATH, json=dm())
    assert [(r.status, r.delivered) for r in sim.received] == [(0, True)]
    assert quota(client.post(MESSAGE_PATH, json=dm()))["X-RateLimit-Used"] == "2"
    assert [r.status for r in sim.delivered()] == [0, 200]


def test_hang_delivers_then_times_out_without_holding_up_shutdown(clock: FakeClock) -> None:
    sim = FaultySandbox(Sandbox(API_KEY, clock))
    sim.inject(Fault(FaultKind.HANG, seconds=2))
    with LoopbackServer(sim) as server:
        with loopback(server.base_url, timeout=0.5) as http, pytest.raises(httpx.ReadTimeout):
            http.post(MESSAGE_PATH, json=dm())
        started = time.monotonic()
    assert time.monotonic() - started < 1
    assert [(r.status, r.delivered) for r in sim.received] == [(0, True)]
    sim.close()


def test_shutdown_is_prompt_with_an_idle_keep_alive_connection(sim: FaultySandbox) -> None:
    with httpx.Client(headers=AUTH, verify=False) as http:
        with LoopbackServer(sim) as server:
            assert http.post(server.base_url + MESSAGE_PATH, json=dm()).status_code == 200
            started = time.monotonic()
        elapsed = time.monotonic() - started
    assert elapsed < 1


def test_not_json_delivers_and_answers_html(client: httpx.Client, sim: FaultySandbox) -> None:
    sim.inject(Fault(FaultKind.NOT_JSON))
    response = client.post(MESSAGE_PATH, json=dm())
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert [r.delivered for r in sim.delivered()] == [True]


def test_success_false_delivers_nothing(client: httpx.Client, sim: FaultySandbox) -> None:
    sim.inject(Fault(FaultKind.SUCCESS_FALSE))
    response = client.post(MESSAGE_PATH, json=dm())
    assert response.status_code == 200
    assert response.json() == {"success": False, "error": "Failed to send message"}
    assert quota(response)["X-RateLimit-Used"] == "0"
    assert sim.delivered() == []


def test_override_headers_disagree_with_the_body(client: httpx.Client, sim: FaultySandbox) -> None:
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
    sim: FaultySandbox, kind: FaultKind, error: type[Exception], delivered: bool
) -> None:
    sim.inject(Fault(kind))
    with httpx.Client(
        transport=faulty_transport(sim), base_url="http://sandbox.invalid", headers=AUTH
    ) as http:
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

"""API faults over real loopback HTTP: each one's effect on the row, and nobody messaged twice.

The rule under test: retry only when the request certainly did not reach the API; when it may
have, the row is `unknown` and is not sent again.
"""

from __future__ import annotations

import socket

import pytest

from runner.sandbox import Sandbox
from tests.support.campaign import API_KEY, Api, make_campaign, people
from tests.support.faults import Fault, FaultKind, FaultySandbox
from tests.support.loopback import LoopbackServer

JSON_429 = {"error": "Rate limit exceeded for MESSAGE: 100/100 used", "success": False}


def statuses(files) -> list[str]:
    return [row["status"] for row in files.rows()]


def assert_nobody_twice(api: Api) -> None:
    delivered = api.delivered_to()
    assert len(delivered) == len(set(delivered))


@pytest.mark.parametrize(
    ("fault", "first", "delivered"),
    [
        # The server read the request and hung up without a word: it may have acted on it.
        (Fault(FaultKind.DROP_BEFORE), "unknown", 2),
        (Fault(FaultKind.DROP_AFTER), "unknown", 3),
        (Fault(FaultKind.HANG, seconds=1.5), "unknown", 3),
        (Fault(FaultKind.NOT_JSON), "unknown", 3),
        # A gateway error: the API behind it may have sent the message before it failed.
        (Fault(FaultKind.STATUS, status=502, body=b"Bad Gateway"), "unknown", 2),
        # The API's own 500 and 503 say it did nothing: retried, then sent.
        (
            Fault(
                FaultKind.STATUS,
                status=500,
                body={"error": "Failed to get LinkedIn authentication credentials"},
            ),
            "sent",
            3,
        ),
        (Fault(FaultKind.STATUS, status=503, body={"error": "busy"}), "sent", 3),
        # Any other 500 may come after the message went out: never retried.
        (
            Fault(
                FaultKind.STATUS, status=500, body={"error": "Internal server error"}, deliver=True
            ),
            "unknown",
            3,
        ),
        (
            Fault(FaultKind.SUCCESS_FALSE, body={"success": False, "error": "Session expired"}),
            "failed",
            2,
        ),
    ],
    ids=[
        "drop-before",
        "drop-after",
        "timeout",
        "not-json",
        "502",
        "500",
        "503",
        "500-after-send",
        "success-false",
    ],
)
def test_fault_on_the_first_send(tmp_path, api, fault, first, delivered):
    files = make_campaign(tmp_path, people(3), extra="[api]\ntimeout = 0.5")
    api.sim.inject(fault)
    assert api.run(files) == 0
    assert statuses(files) == [first, "sent", "sent"]
    assert len(api.sim.delivered()) == delivered
    assert_nobody_twice(api)
    received = len(api.sim.received)
    assert api.run(files) == 0  # a re-run sends nothing more
    assert len(api.sim.received) == received


def test_success_false_keeps_the_api_text(tmp_path, api):
    files = make_campaign(tmp_path, people(1))
    api.sim.inject(
        Fault(FaultKind.SUCCESS_FALSE, body={"success": False, "error": "Session expired"})
    )
    assert api.run(files) == 0
    assert files.rows()[0]["status_detail"] == "HTTP 200: Session expired"


def test_connection_refused_leaves_everything_pending(tmp_path, clock, capsys):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    files = make_campaign(tmp_path, people(3))
    api = Api(FaultySandbox(Sandbox(API_KEY, clock)), clock, f"http://127.0.0.1:{port}/linkedin")
    assert api.run(files) == 75
    assert statuses(files) == ["pending"] * 3
    assert files.rows()[0]["status_detail"].startswith("cannot reach the API")
    assert "Paused: the API is failing for account (default) (cannot reach the API" in (
        capsys.readouterr().out
    )


def test_429_without_headers_blocks_until_midnight_utc(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(3))
    api.sim.inject(Fault(FaultKind.STATUS, status=429, body=JSON_429))
    assert api.run(files) == 75
    assert statuses(files) == ["pending"] * 3
    assert files.rows()[0]["status_detail"] == "daily quota used up; resets at 2026-01-16T00:00:00Z"
    assert len(api.sim.received) == 1
    assert "it resets at 2026-01-16T00:00:00Z (in 15h 0m)" in capsys.readouterr().out


def test_429_with_hold_until(tmp_path, api):
    files = make_campaign(tmp_path, people(2))
    api.sim.inject(
        Fault(FaultKind.STATUS, status=429, body={**JSON_429, "holdUntil": "2026-01-15T09:30:00Z"})
    )
    assert api.run(files) == 75
    assert files.rows()[0]["status_detail"] == "daily quota used up; resets at 2026-01-15T09:30:00Z"
    api.clock.advance(minutes=29)
    assert api.run(files) == 75 and len(api.sim.received) == 1
    api.clock.advance(minutes=1)
    assert api.run(files) == 0
    assert statuses(files) == ["sent", "sent"]


def test_429_whose_headers_say_plenty_left_still_blocks(tmp_path, api):
    files = make_campaign(tmp_path, people(2))
    api.sim.inject(
        Fault(
            FaultKind.STATUS,
            status=429,
            body=JSON_429,
            headers={"X-RateLimit-Remaining": "50", "X-RateLimit-Reset": "2026-01-15T12:00:00Z"},
        )
    )
    assert api.run(files) == 75
    assert len(api.sim.received) == 1
    assert files.rows()[1]["status_detail"] == "daily quota used up; resets at 2026-01-15T12:00:00Z"


def test_200_whose_headers_say_none_left_sends_the_row_and_blocks_the_pool(tmp_path, api):
    files = make_campaign(tmp_path, people(3))
    api.sim.inject(
        Fault(
            FaultKind.OVERRIDE_HEADERS,
            headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2026-01-15T10:00:00.000Z"},
        )
    )
    assert api.run(files) == 75
    assert statuses(files) == ["sent", "pending", "pending"]
    assert len(api.sim.received) == 1


def test_reset_header_as_unix_timestamp(tmp_path, clock, capsys):
    sim = FaultySandbox(Sandbox(API_KEY, clock, limits={"message": 2}, reset_format="unix"))
    with LoopbackServer(sim) as server:
        api = Api(sim, clock, server.base_url)
        files = make_campaign(tmp_path, people(3))
        assert api.run(files) == 75
        assert statuses(files) == ["sent", "sent", "pending"]
        assert files.rows()[2]["status_detail"] == (
            "daily quota used up; resets at 2026-01-16T00:00:00Z"
        )
        assert len(sim.received) == 2
        clock.advance(hours=15)
        assert api.run(files) == 0
        assert_nobody_twice(api)


def test_a_wrong_base_url_path_stops_the_run_and_loses_nobody(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(3))
    page = b"<html><body>Cannot POST /v2/message</body></html>"
    api.sim.inject(Fault(FaultKind.STATUS, status=404, body=page, times=10))
    assert api.run(files) == 1
    err = capsys.readouterr().err
    assert "the API answered HTTP 404 (<html><body>Cannot POST /v2/message</body></html>), " in err
    assert "check the base URL" in err
    assert len(api.sim.received) == 2  # the second row confirmed it is not about the first
    assert statuses(files) == ["pending"] * 3
    api.sim.clear()  # the base URL fixed
    assert api.run(files) == 0
    assert len(api.sim.delivered()) == 3


def test_one_row_answered_by_a_page_that_is_not_the_apis_does_not_stop_the_rest(
    tmp_path, api, capsys
):
    """A gateway answers an HTML 404 for one recipient only: the next row goes through, so the
    trouble is that row's. It waits behind the others, and fails after three runs of it."""
    files = make_campaign(tmp_path, people(3))
    page = b"<html><body>Not Found</body></html>"
    for run in range(1, 4):
        api.sim.inject(Fault(FaultKind.STATUS, status=404, body=page))  # the first request only
        code = api.run(files)
        rows = {row["recipientProfileId"]: row for row in files.rows()}
        if run == 1:
            assert code == 75
            assert [rows[p]["status"] for p in sorted(rows)] == ["pending", "sent", "sent"]
            assert rows["person-0"]["status_detail"].endswith(
                "the API failed for this recipient while it worked for others (1 of 3): tried "
                "after the others next run"
            )
    assert code == 0
    assert rows["person-0"]["status"] == "failed"
    assert rows["person-0"]["status_detail"].startswith(
        "the API failed for this recipient on 3 runs while it worked for others"
    )
    assert sorted(api.delivered_to()) == ["person-1", "person-2"]


def test_the_same_refusal_for_everyone_is_about_the_account_not_them(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(5))
    refusal = {"error": "Invalid accountId", "success": False}
    api.sim.inject(Fault(FaultKind.STATUS, status=400, times=10, body=refusal))
    assert api.run(files) == 1
    assert "the API refused 4 different recipients in a row with the same answer " in (
        capsys.readouterr().err
    )
    assert statuses(files) == ["pending"] * 5
    api.sim.clear()
    assert api.run(files) == 0
    assert statuses(files) == ["sent"] * 5
    assert len(api.sim.delivered()) == 5


def test_the_same_refusal_that_the_next_row_does_not_meet_was_about_each_of_them(tmp_path, api):
    """Three recipients refused in the same words, then the fourth goes through: the refusals
    were about them, and stand."""
    files = make_campaign(tmp_path, people(5))
    refusal = {"error": "Recipient does not accept messages", "success": False}
    api.sim.inject(Fault(FaultKind.STATUS, status=400, times=3, body=refusal))
    assert api.run(files) == 0
    assert statuses(files) == ["failed"] * 3 + ["sent"] * 2


def test_the_same_refusal_that_is_about_each_recipient_does_not_stop_the_run(tmp_path, api):
    """The group 403 reads the same for everyone, yet it is about each of them."""
    rows = [["F", "Acme", "", f"urn:li:fsd_profile:ACoAAforbidden{i}", "42"] for i in range(3)]
    files = make_campaign(tmp_path, rows + people(2))
    assert api.run(files) == 0
    assert statuses(files) == ["failed"] * 3 + ["sent"] * 2


def test_ctrl_c_after_the_answer_arrived_leaves_the_row_unknown(tmp_path, api, monkeypatch):
    """The message went out; the interrupt came before its outcome was recorded."""
    from runner import failpoints

    def interrupt(name: str) -> None:
        if name == failpoints.ANSWER_RECEIVED:
            raise KeyboardInterrupt

    files = make_campaign(tmp_path, people(2))
    monkeypatch.setattr(failpoints, "reached", interrupt)
    assert api.run(files) == 130
    assert statuses(files) == ["unknown", "pending"]
    monkeypatch.undo()
    assert api.run(files) == 0
    assert api.delivered_to() == ["person-0", "person-1"]


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_means_a_wrong_base_url_and_stops_with_nothing_marked(
    tmp_path, api, capsys, status
):
    files = make_campaign(tmp_path, people(3))
    where = {"Location": "https://api.example.com/linkedin/message"}
    api.sim.inject(Fault(FaultKind.STATUS, status=status, body=b"", headers=where))
    assert api.run(files) == 1
    assert capsys.readouterr().err == (
        f"campaign-runner: the API answered HTTP {status}, a redirect to "
        "https://api.example.com/linkedin/message: the base URL is wrong (it must be the API's "
        "own address, such as https://api.connectsafely.ai/linkedin). Nothing was marked "
        "failed; run again once it is fixed\n"
    )
    assert statuses(files) == ["pending"] * 3
    assert len(api.sim.received) == 1  # not followed, and nothing more sent

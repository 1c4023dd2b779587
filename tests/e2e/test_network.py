"""A real network's and a real gateway's misbehaviour, over loopback: the run never hangs, never
crashes, and never sends twice."""

from __future__ import annotations

import time

from tests.support.campaign import make_campaign, people
from tests.support.faults import Fault, FaultKind


def statuses(files) -> list[str]:
    return [row["status"] for row in files.rows()]


def test_an_answer_that_trickles_in_is_cut_off_by_the_campaign_timeout(tmp_path, api):
    files = make_campaign(tmp_path, people(2), extra="[api]\ntimeout = 1")
    # Headers at once, then a byte every 0.2 s: every read is quick, the whole is not.
    api.sim.inject(Fault(FaultKind.TRICKLE, seconds=0.2))
    began = time.monotonic()
    assert api.run(files) == 0
    assert time.monotonic() - began < 8  # not the ~15 s the body would take
    assert statuses(files) == ["unknown", "sent"]
    assert files.rows()[0]["status_detail"].startswith(
        "the answer was still coming after 1 s (the campaign's timeout); it may have been delivered"
    )


def test_a_gateways_503_page_is_not_retried_it_may_come_after_the_api_acted(tmp_path, api):
    files = make_campaign(tmp_path, people(2))
    page = b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"
    api.sim.inject(Fault(FaultKind.STATUS, status=503, body=page, deliver=True))
    assert api.run(files) == 0
    assert statuses(files) == ["unknown", "sent"]
    assert len(api.sim.received) == 2  # the first row was not sent a second time
    assert len(api.sim.delivered()) == 2


def test_a_body_whose_content_encoding_is_broken_is_no_crash(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(2))
    broken = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
    api.sim.inject(Fault(FaultKind.OVERRIDE_HEADERS, headers=broken))
    assert api.run(files) == 0
    assert statuses(files) == ["unknown", "sent"]
    assert "Traceback" not in capsys.readouterr().err


def test_deeply_nested_json_is_no_crash(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(2))
    api.sim.inject(Fault(FaultKind.NOT_JSON, body=b"[" * 100_000 + b"]" * 100_000))
    assert api.run(files) == 0
    assert statuses(files) == ["unknown", "sent"]
    assert "Traceback" not in capsys.readouterr().err


def test_absurd_quota_headers_on_a_200_still_mean_sent(tmp_path, api):
    files = make_campaign(tmp_path, people(2))
    absurd = {"X-RateLimit-Remaining": "inf", "X-RateLimit-Reset": "9999-12-31T00:00:00Z"}
    api.sim.inject(Fault(FaultKind.OVERRIDE_HEADERS, headers=absurd))
    assert api.run(files) == 0
    assert statuses(files) == ["sent", "sent"]


def test_a_429_with_a_short_retry_after_is_waited_out_within_the_run(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(2))
    api.sim.inject(Fault(FaultKind.STATUS, status=429, headers={"Retry-After": "90"}, body=b""))
    assert api.run(files) == 0  # it asked for a minute and a half, not for tomorrow
    assert statuses(files) == ["sent", "sent"]
    assert 90 in api.clock.slept


def test_a_429_with_a_long_retry_after_pauses_until_then_not_midnight(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(2))
    api.sim.inject(Fault(FaultKind.STATUS, status=429, headers={"Retry-After": "600"}, body=b""))
    assert api.run(files) == 75
    out = capsys.readouterr().out
    assert (
        "Paused: the API asked to wait (HTTP 429: (empty body)) for POST /message for account "
        "(default); it may send again at 2026-01-15T09:10:00Z (in 10m 0s)." in out
    )
    api.clock.advance(601)
    assert api.run(files) == 0
    assert statuses(files) == ["sent", "sent"]

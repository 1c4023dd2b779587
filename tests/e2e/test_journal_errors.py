"""Errors that are not bugs: the journal's disk is full, or it is read-only. One clear line, exit
1, nothing sent after it, no traceback; the next run carries on safely."""

from __future__ import annotations

import os
import subprocess
import sys

from runner import failpoints
from tests.support.campaign import API_KEY, REPO, make_campaign, people


def run_cli(files, api, limit: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CONNECTSAFELY_API_KEY": API_KEY, "PYTHONPATH": str(REPO)}
    env[failpoints.JOURNAL_LIMIT_ENV] = limit
    args = ["run", str(files.toml), "--base-url", api.base_url, "--state-dir", str(files.state)]
    return subprocess.run(
        [sys.executable, "-m", "runner", *args], env=env, capture_output=True, text=True
    )


def test_a_read_only_journal_is_one_clear_line_and_nothing_is_sent(tmp_path, api):
    files = make_campaign(tmp_path, people(3))
    done = run_cli(files, api, "readonly")
    assert done.returncode == 1, done.stderr
    journal = files.state / "campaign.journal.sqlite"
    assert done.stderr == (
        f"campaign-runner: {journal}: the journal cannot record the sends (attempt to write a "
        "readonly database): it, or its folder, is read-only; make both writable, then run "
        "again. Nothing more was sent; everything recorded until now is kept\n"
    )
    assert api.sim.received == []


def test_a_full_disk_stops_the_run_with_what_to_do_and_nobody_is_messaged_twice(tmp_path, api):
    files = make_campaign(tmp_path, people(400))
    done = run_cli(files, api, "full")
    assert done.returncode == 1, done.stderr
    assert "the disk holding it is full; free some space in" in done.stderr
    assert "Traceback" not in done.stderr and "please report" not in done.stderr.lower()
    sent_before = len(api.sim.delivered())
    assert 0 < sent_before < 400  # it sent until the journal could record no more
    # Space freed: the next run carries on, and nobody gets a second message.
    assert api.run(files) in (0, 75)
    delivered = api.delivered_to()
    assert len(delivered) == len(set(delivered))
    statuses = {row["recipientProfileId"]: row["status"] for row in files.rows()}
    assert all(statuses[p] in ("sent", "unknown") for p in delivered)

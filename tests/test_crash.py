"""Killing the real CLI in a subprocess mid-send, then resuming: nobody is messaged twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from runner.simulator import Fault, FaultKind

from .conftest import API_KEY, make_campaign, people

REPO = Path(__file__).resolve().parent.parent


def start(files, api) -> subprocess.Popen:
    env = {**os.environ, "CONNECTSAFELY_API_KEY": API_KEY, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "runner",
            "run",
            str(files.toml),
            "--base-url",
            api.base_url,
            "--state-dir",
            str(files.state),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_requests(api, count: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 20
    while len(api.sim.received) < count:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the runner never reached the server"
        time.sleep(0.02)


def test_sigkill_while_the_request_is_on_the_wire_then_resume(tmp_path, api):
    files = make_campaign(tmp_path, people(5), extra="[api]\ntimeout = 60")
    # Two requests go through untouched (an empty header override changes nothing), then the
    # third is delivered but never answered: the process is killed while it waits.
    api.sim.inject(Fault(FaultKind.OVERRIDE_HEADERS, times=2, headers={}))
    api.sim.inject(Fault(FaultKind.HANG, seconds=10))
    proc = start(files, api)
    wait_for_requests(api, 3, proc)
    proc.kill()
    proc.communicate()

    assert api.run(files) == 0
    rows = files.rows()
    assert [r["status"] for r in rows] == ["sent", "sent", "unknown", "sent", "sent"]
    assert "stopped while this message was being sent" in rows[2]["status_detail"]
    delivered = api.delivered_to()
    assert sorted(delivered) == [f"person-{i}" for i in range(5)]  # each exactly once


def test_ctrl_c_while_sending_exits_130_and_records_the_row_as_unknown(tmp_path, api):
    files = make_campaign(tmp_path, people(3), extra="[api]\ntimeout = 60")
    api.sim.inject(Fault(FaultKind.HANG, seconds=10))
    proc = start(files, api)
    wait_for_requests(api, 1, proc)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert "Interrupted. Everything sent is recorded" in out
    assert [r["status"] for r in files.rows()] == ["unknown", "pending", "pending"]
    assert api.run(files) == 0
    assert [r["status"] for r in files.rows()] == ["unknown", "sent", "sent"]
    assert len(api.sim.delivered()) == 3

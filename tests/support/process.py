"""The real CLI in a child process, against the test's loopback sandbox."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from runner import failpoints
from tests.support.campaign import API_KEY, REPO, CampaignFiles


def start(
    files: CampaignFiles, api, crash_at: str | None = None, args: tuple[str, ...] = ()
) -> subprocess.Popen:
    env = {**os.environ, "CONNECTSAFELY_API_KEY": API_KEY, "PYTHONPATH": str(REPO)}
    env.pop(failpoints.ENV, None)
    if crash_at:
        env[failpoints.ENV] = crash_at
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
            *args,
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
        time.sleep(0.01)

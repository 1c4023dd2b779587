"""Shared fixtures: a fake clock, and the simulator on a loopback port sharing it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from runner.clock import FakeClock
from runner.sandbox import Sandbox, SandboxServer

from .support.campaign import API_KEY, Api


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def api(clock: FakeClock) -> Iterator[Api]:
    """The simulator over real loopback HTTP, sharing the test's fake clock."""
    sim = Sandbox(API_KEY, clock)
    with SandboxServer(sim) as server:
        yield Api(sim, clock, server.base_url)

"""Shared fixtures: a fake clock, and the sandbox on a loopback port sharing it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from runner.clock import FakeClock
from runner.sandbox import Sandbox

from .support.campaign import API_KEY, Api
from .support.faults import FaultySandbox
from .support.loopback import LoopbackServer


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def api(clock: FakeClock) -> Iterator[Api]:
    """The sandbox, with fault injection, over real loopback HTTP, sharing the test's fake clock."""
    sim = FaultySandbox(Sandbox(API_KEY, clock))
    with LoopbackServer(sim) as server:
        yield Api(sim, clock, server.base_url)

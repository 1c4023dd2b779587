"""The sender threads' hold on the interpreter."""

import sys

from runner.workers import HANDOFF, Senders


def test_senders_shorten_the_switch_interval_only_while_they_run() -> None:
    before = sys.getswitchinterval()
    senders = Senders(lambda plan: None)  # type: ignore[arg-type, return-value]
    try:
        assert sys.getswitchinterval() <= HANDOFF < before
    finally:
        senders.close()
    assert sys.getswitchinterval() == before

"""One sender thread per account, so that a slow answer for one account never holds back another.

The threads only make the HTTP request (`ApiClient.send`); everything else (the journal, the
scheduler, the sheet, stop requests) stays in the main thread, which hands a plan to its
account's thread and takes the answers back in the order they come. Each account still sends
one message at a time: the scheduler hands an account nothing while its send is in flight.

The threads are daemons: a run that must end at once (a second stop request) does not wait for
a request hanging on the wire; what it may have delivered is recorded as unknown.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

from .answers import SendResult
from .plans import SendPlan


@dataclass(frozen=True)
class Answer:
    plan: SendPlan
    result: SendResult | None  # None when the send raised `error`
    error: BaseException | None = None


class Senders:
    def __init__(self, send: Callable[[SendPlan], SendResult]) -> None:
        self._send = send
        self._inboxes: dict[str, queue.SimpleQueue[SendPlan | None]] = {}
        self._answers: queue.SimpleQueue[Answer] = queue.SimpleQueue()
        self.arrived = threading.Event()  # set while answers wait to be taken

    def start(self, plan: SendPlan) -> None:
        """Send `plan` from its account's thread."""
        inbox = self._inboxes.get(plan.account)
        if inbox is None:
            inbox = self._inboxes[plan.account] = queue.SimpleQueue()
            name = f"sender-{plan.account or 'default'}"
            threading.Thread(target=self._serve, args=(inbox,), name=name, daemon=True).start()
        inbox.put(plan)

    def _serve(self, inbox: queue.SimpleQueue[SendPlan | None]) -> None:
        while (plan := inbox.get()) is not None:
            try:
                answer = Answer(plan, self._send(plan))
            except BaseException as error:  # the main thread decides what it means
                answer = Answer(plan, None, error)
            self._answers.put(answer)
            self.arrived.set()

    def take(self, block: bool = False, timeout: float | None = None) -> Answer | None:
        """The next answer; None when none came (within `timeout`, if blocking)."""
        try:
            answer = self._answers.get(block, timeout)
        except queue.Empty:
            return None
        finally:
            if self._answers.empty():
                self.arrived.clear()
                if not self._answers.empty():  # one came between the two looks
                    self.arrived.set()
        return answer

    def close(self) -> None:
        """Let each thread end once its send (if any) is over."""
        for inbox in self._inboxes.values():
            inbox.put(None)
        self._inboxes.clear()

"""What can happen to a row, and the four cells that say so in the sheet."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    SENT = "sent"
    FAILED = "failed"
    INVALID = "invalid"
    DUPLICATE = "duplicate"
    PENDING = "pending"
    UNKNOWN = "unknown"
    # Only in the journal: a request is (or was, when the process died) on the wire.
    IN_FLIGHT = "in_flight"


# Outcomes that are final: the row is never sent again (UNKNOWN only with --resend-unknown).
DONE = frozenset({Status.SENT, Status.FAILED, Status.INVALID, Status.DUPLICATE})
# What a request to the API left behind: proof enough, wherever it is found, not to send again.
ATTEMPTED = frozenset({Status.SENT, Status.FAILED, Status.UNKNOWN})

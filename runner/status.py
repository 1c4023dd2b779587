"""What can happen to a row, and the four cells that say so in the sheet."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class StatusCells:
    """A row's status block: `status`, `status_detail`, `sent_at`, `recipient_urn`, and
    `status_for`, the recipient the block belongs to.

    `status` is None where the sheet's cell is empty (a row never run, or cleared by the user).
    `owner` lets a block that a sort moved beside someone else be recognised as not theirs.
    """

    status: Status | None = None
    detail: str = ""
    sent_at: str = ""
    urn: str = ""
    owner: str = ""

    @classmethod
    def read(cls, status: str, detail: str, sent_at: str, urn: str, owner: str) -> StatusCells:
        """From the cells' text as the sheet holds them (the status already checked as ours)."""
        return cls(Status(status) if status else None, detail, sent_at, urn, owner)

    @property
    def attempted(self) -> bool:
        """Whether these cells record a request to the API (see ATTEMPTED)."""
        return self.status in ATTEMPTED

    def texts(self) -> tuple[str, str, str, str, str]:
        """The cells' text, in column order."""
        return (str(self.status or ""), self.detail, self.sent_at, self.urn, self.owner)

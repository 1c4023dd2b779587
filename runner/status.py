"""What can happen to a row, and the cells that say so in the sheet."""

from __future__ import annotations

import hashlib
import re
from dataclasses import field
from enum import StrEnum
from typing import overload

from .perrow import per_row


class Status(StrEnum):
    SENT = "sent"
    FAILED = "failed"
    INVALID = "invalid"
    DUPLICATE = "duplicate"
    PENDING = "pending"
    UNKNOWN = "unknown"
    # Not to be messaged (the do-not-contact list, or another campaign already did): worked out
    # afresh on every run and never journaled, so someone taken off the list is pending again.
    SKIPPED = "skipped"
    # Only in the journal: a request is (or was, when the process died) on the wire.
    IN_FLIGHT = "in_flight"

    @classmethod
    def of(cls, value: str) -> Status:
        """`Status(value)` by one dictionary lookup, not the Enum machinery: it is read for
        every row and every journal entry. An unknown value raises ValueError as before."""
        return _BY_VALUE.get(value) or cls(value)


_BY_VALUE = {status.value: status for status in Status}

# Outcomes that are final: the row is never sent again (UNKNOWN only with --resend-unknown).
DONE = frozenset({Status.SENT, Status.FAILED, Status.INVALID, Status.DUPLICATE})
# What a request to the API left behind: proof enough, wherever it is found, not to send again.
ATTEMPTED = frozenset({Status.SENT, Status.FAILED, Status.UNKNOWN})


# `status_for` holds the recipient and a check of the cells beside it: "ann-lee #3f2a9c".
_STATUS_FOR = re.compile(r"(.*\S)\s+#([0-9a-f]{6})")


@per_row
class StatusCells:
    """A row's status block: `status`, `status_detail`, `sent_at`, `recipient_urn`, and
    `status_for`, the recipient the block belongs to and a check of its status and URN.

    `status` is None where the sheet's cell is empty (a row never run, or cleared by the user).
    `owner` lets a block that a sort moved beside someone else be recognised as not theirs, and
    the check one that a sort tore apart (the status moved, `status_for` did not): `torn`.

    `message` is what `message_sent` shows (with the campaign's `write_message`): the text that
    went out, or may have (sent, unknown; see `message_text`), else "". None where the journal
    does not hold the text (an outcome taken from the sheet): the cell is kept as it is.
    """

    status: Status | None = None
    detail: str = ""
    sent_at: str = ""
    urn: str = ""
    owner: str = ""
    torn: bool = False  # as read: status_for's check does not match the cells beside it
    message: str | None = ""
    # The check as the sheet has it, where it matched the cells beside it (as read): writing
    # these cells back, as a resume does for most rows, need not work it out again. Not an
    # argument, so `replace` never carries it over to cells it does not fit.
    digest: str = field(default="", init=False, compare=False, repr=False)
    # The row whose status cells read exactly as these cells write (`exact` given to `read`):
    # a write need not work out their text to know that row shows them already. 0 otherwise;
    # like `digest`, never carried over by `replace`.
    shown_in: int = field(default=0, init=False, compare=False, repr=False)

    @classmethod
    def read(
        cls,
        status: str,
        detail: str,
        sent_at: str,
        urn: str,
        owner: str,
        *,
        row_for: str = "",
        exact: int = 0,
    ) -> StatusCells:
        """From the cells' text as the sheet holds them (the status already checked as ours).
        `row_for` is whom the row names: the owner, where it is them, is that one string.
        `exact` is the row's number where these texts are its cells as they are (nothing
        stripped or normalised): the cells then say whether they read as they would write."""
        if not (status or detail or sent_at or urn or owner):
            return _NO_CELLS  # a row never run: most rows of a new campaign
        state = Status.of(status) if status else None
        match = _STATUS_FOR.fullmatch(owner.strip()) if owner else None
        # (message_sent is not read: None, as cells whose message cell is kept as it is)
        if match is None:  # no check: never run, older, or typed by hand
            return cls(state, detail, sent_at, urn, owner.strip(), message=None)
        person, check = match.groups()
        person = row_for if person == row_for else person
        torn = check != _check(person, state, urn)
        cells = cls(state, detail, sent_at, urn, person, torn, None)
        if not torn:
            object.__setattr__(cells, "digest", check)
            # Written back, the owner is "person #check" (one space) and no text that starts
            # like a formula is left as it is: cells read so would write the same.
            canonical = len(owner) == len(person) + 8 and owner[len(person)] == " "
            if exact and canonical and not _formula_like(detail, sent_at, urn, person):
                object.__setattr__(cells, "shown_in", exact)
        return cells

    def or_as_read(self, read: StatusCells) -> StatusCells:
        """`read` (a row's cells as the sheet has them, checked) where it says what these say,
        else these: most rows of a resume then hold one object, whose check is known."""
        same = (
            read.digest
            and read.status is self.status
            and read.urn == self.urn
            and read.detail == self.detail
            and read.sent_at == self.sent_at
            and read.message == self.message
        )
        return read if same else self

    def owned_by(self, owner: str) -> StatusCells:
        """These cells, for `owner` (dataclasses.replace costs ten times more, once a row)."""
        if owner == self.owner:
            return self
        return StatusCells(
            self.status, self.detail, self.sent_at, self.urn, owner, self.torn, self.message
        )

    def check(self, owner: str) -> str:
        """Six hex digits that tie the status and URN to the person they are for."""
        if self.digest and owner == self.owner:
            return self.digest
        return _check(owner, self.status, self.urn)

    @property
    def attempted(self) -> bool:
        """Whether these cells record a request to the API (see ATTEMPTED)."""
        return self.status in ATTEMPTED

    def texts(self) -> tuple[str, str, str, str, str]:
        """The status cells' text, in column order (`message` aside)."""
        owner = f"{self.owner} #{self.check(self.owner)}" if self.owner else ""
        # The status's own string (str() of an enum member is a new one each time, a row).
        status = self.status.value if self.status else ""
        return (status, self.detail, self.sent_at, self.urn, owner)


_NO_CELLS = StatusCells()
# What a written cell must not start with, or a spreadsheet runs it as a formula: the writers
# put a "'" before it (sheet/statuscols.py).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _formula_like(detail: str, sent_at: str, urn: str, owner: str) -> bool:
    # (an `or` of four, not any() over a generator: it runs for every row of a resume)
    starts = FORMULA_STARTS
    return (
        detail.startswith(starts)
        or sent_at.startswith(starts)
        or urn.startswith(starts)
        or owner.startswith(starts)
    )


def _check(owner: str, status: Status | None, urn: str) -> str:
    """Six hex digits that tie the status and URN to the person they are for."""
    text = "\x1f".join((owner.lower(), str(status or ""), urn))
    return hashlib.sha256(text.encode()).hexdigest()[:6]


@overload
def message_text(message: str, subject: str | None) -> str: ...
@overload
def message_text(message: None, subject: str | None) -> None: ...
def message_text(message: str | None, subject: str | None) -> str | None:
    """A message as `message_sent` shows it: the body, below "Subject: ..." and a blank line
    where a subject went out with it (an InMail's, or a normal message's). None without a body
    (the journal does not hold it)."""
    if message is None or not subject:
        return message
    return f"Subject: {subject}\n\n{message}"

"""Approval before sending. With `approval_column`, a row goes out only once a reviewer ticked it
for the very text the last preview showed them. Pure, but for reading and writing the preview's
record.

`campaign-runner preview` writes every row's rendered message to a file for the reviewer and
keeps, in the state folder, a record of what it showed: each recipient's text as a hash, and
which rows the sheet already ticked then. A tick (`yes`, `y`, `true`, `1`, `x`, `✓`, any case)
approves the text the preview showed when it is given in the preview's own `approved` column,
or in the sheet's approval column after that preview:
- a row never previewed waits: nobody has read its message;
- a row whose text changed since the preview (template or cell edited) waits until a new
  preview shows the new text;
- a sheet tick already there when a preview showed a text for the first time was not given for
  that text (ticked ahead, or for an older text): it needs a tick in that preview.
A new preview carries the ticks of the last one over to rows whose text did not change.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import ConfigError, SheetError
from .plans import Endpoint, RowPlan, SendPlan
from .reconcile import Reconciled
from .status import Status, StatusCells

# The preview's own columns a reviewer ticks, and the one that binds a tick to the text shown.
APPROVED = "approved"
APPROVAL_KEY = "approval_key"
YES = frozenset({"yes", "y", "true", "1", "x", "✓", "✔", "☑"})
AWAITING = "awaiting approval"
NOT_PREVIEWED = (
    f"{AWAITING}: no preview has shown this message yet; run campaign-runner preview, read it, "
    "then tick the row"
)
CHANGED = (
    f"{AWAITING}: the message changed since the preview (the template or a cell was edited); "
    "run campaign-runner preview again and read it"
)
NOT_ROUTED = (
    f"{AWAITING}: its route is not known yet (route = auto), so no preview could show it; run "
    "campaign-runner preview --lookup, read it, then tick the row"
)
RETICK = (
    f"{AWAITING}: the sheet's tick was there before the preview showed this text; tick it in "
    "the preview's approved column to approve the text it shows"
)


def is_yes(text: str | None) -> bool:
    return (text or "").strip().casefold() in YES


def message_hash(plan: SendPlan) -> str:
    """What a reviewer approves: who gets what, how (changes to any of it need a new look)."""
    parts = (
        plan.recipient.key,
        str(plan.endpoint),
        plan.account,
        str(plan.message_type or ""),
        plan.group_id or "",
        plan.subject or "",
        plan.message,
    )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Approvals:
    """What the reviewer approved: the last preview's record and the ticks in its file."""

    column: str | None = None  # the sheet's approval column; None: no approval needed
    previewed: Mapping[str, str] = field(default_factory=dict)  # recipient key -> text's hash
    voided: frozenset[str] = frozenset()  # ticked in the sheet before its text was previewed
    ticked: frozenset[str] = frozenset()  # "key hash" (or "recipient:NAME") ticked in the preview
    file: str = ""  # the preview the reviewer ticks

    def why_waiting(self, plan: SendPlan, sheet_tick: bool) -> str | None:
        """Why `plan` may not go yet; None when it is approved. A row whose way of sending is
        not looked up yet cannot be: the way is part of what the reviewer approves."""
        if plan.endpoint is Endpoint.RELATIONSHIP:
            return NOT_ROUTED
        key, digest = plan.recipient.key, message_hash(plan)
        in_preview = {f"{key} {digest}", f"recipient:{plan.recipient}"} & self.ticked
        if in_preview and self.previewed.get(key) == digest:
            return None
        if not sheet_tick:
            return AWAITING
        if key not in self.previewed:
            return NOT_PREVIEWED
        if self.previewed[key] != digest:
            return CHANGED
        return RETICK if key in self.voided else None


def gate(start: Reconciled, plans: list[RowPlan], approvals: Approvals) -> Reconciled:
    """`start` with the rows not approved held back, pending, saying why."""
    if approvals.column is None:
        return start
    rows = {rp.row.number: rp.row for rp in plans}
    states, queue = dict(start.states), []
    for plan in start.queue:
        tick = is_yes(rows[plan.row].values.get(approvals.column))
        why = approvals.why_waiting(plan, tick)
        if why is None:
            queue.append(plan)
        else:
            states[plan.row] = StatusCells(Status.PENDING, why)
    return replace(start, states=states, queue=queue)


@dataclass(frozen=True)
class PreviewRecord:
    """What a preview showed, kept in the state folder (the reviewer may move the file)."""

    file: str = ""  # where the preview was written
    rows: Mapping[str, str] = field(default_factory=dict)  # recipient key -> text's hash
    voided: frozenset[str] = frozenset()


def read_record(path: Path) -> PreviewRecord:
    """The last preview's record; an empty one where there was none."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return PreviewRecord(str(data["file"]), dict(data["rows"]), frozenset(data["voided"]))
    except FileNotFoundError:
        return PreviewRecord()
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ConfigError(
            f"{path}: the record of the last preview cannot be read ({err}); run "
            "campaign-runner preview again"
        ) from None


def write_record(path: Path, record: PreviewRecord) -> None:
    data = {"file": record.file, "rows": dict(record.rows), "voided": sorted(record.voided)}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.tmp")
        temp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(temp, path)  # in one step: a preview cut short leaves the last record
    except OSError as err:
        raise ConfigError(f"{path}: cannot keep the preview's record: {err.strerror}") from None


def next_record(
    before: PreviewRecord, shown: Iterable[tuple[SendPlan, bool]], file: Path
) -> PreviewRecord:
    """The record of a new preview showing `shown` (each plan, and whether the sheet ticks it):
    a sheet tick there when a text is shown for the first time was not given for that text."""
    rows: dict[str, str] = {}
    voided = set(before.voided)
    for plan, ticked in shown:
        key, digest = plan.recipient.key, message_hash(plan)
        rows[key] = digest
        if ticked and before.rows.get(key) != digest:
            voided.add(key)  # ticked ahead of this text
        elif not ticked:
            voided.discard(key)  # cleared: a tick after this preview is for its text
    return PreviewRecord(str(file), rows, frozenset(voided & set(rows)))


def read_approvals(
    column: str | None, headers: Iterable[str], sheet: str, record_path: Path
) -> Approvals:
    """The approval column as the sheet names it, the last preview's record, and the ticks in
    the preview's file (none when it was moved or deleted)."""
    if column is None:
        return Approvals()
    found = next((h for h in headers if h.strip().casefold() == column.casefold()), None)
    if found is None:
        raise ConfigError(
            f"approval_column: {column!r} is not a column of {sheet}; add it (empty), then "
            "tick the rows a reviewer approves"
        )
    record = read_record(record_path)
    ticked = ticks(Path(record.file)) if record.file else frozenset()
    return Approvals(found, record.rows, record.voided, ticked, record.file)


def ticks(path: Path) -> frozenset[str]:
    """The rows ticked in a preview's `approved` column: by their approval key, or, where the
    reviewer deleted that column, by the recipient (the record says what text they saw)."""
    from .sheet import read_table  # here: the sheet package is only needed with approvals

    if not path.exists():
        return frozenset()
    try:
        table = read_table(path)
    except (SheetError, OSError) as err:
        raise ConfigError(
            f"{path}: the preview's approvals cannot be read ({err}); close it in the "
            "spreadsheet program, or run campaign-runner preview again"
        ) from None
    headers = list(table.headers)
    if APPROVED not in headers:
        return frozenset()  # its column was removed: no approval in it stands
    tick = headers.index(APPROVED)
    if APPROVAL_KEY in headers:
        key = headers.index(APPROVAL_KEY)
        return frozenset(row.cells[key] for row in table.rows if is_yes(row.cells[tick]))
    if "recipient" not in headers:
        return frozenset()
    who = headers.index("recipient")
    return frozenset(f"recipient:{row.cells[who]}" for row in table.rows if is_yes(row.cells[tick]))

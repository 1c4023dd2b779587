"""`campaign-runner preview`: every row with the way it will be sent, the account, the rendered
subject and message, and whether it can go (`ok`) or why not, to read before anything is sent.
Written as .xlsx (the message wrapped, a reviewer's `approved` column to tick) or .csv; the
sheet is never touched. With `approval_column`, the state folder keeps a record of the text
shown, which is what a tick approves (see `approval.py`)."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..approval import (
    APPROVAL_KEY,
    APPROVED,
    AWAITING,
    NOT_ROUTED,
    Approvals,
    PreviewRecord,
    is_yes,
    message_hash,
    next_record,
    read_record,
    ticks,
    write_record,
)
from ..campaign import Campaign, MessageType
from ..errors import ConfigError, SheetError
from ..plans import Endpoint, SendPlan
from ..prepare import Prepared
from ..settings import Places
from ..sheet.atomic import open_elsewhere
from ..status import Status, StatusCells

HEADERS = (
    "row",
    "recipient",
    "status",
    "check",
    "approval",
    "endpoint",
    "route",
    "account",
    "message_type",
    "subject",
    "message",
    APPROVED,
    APPROVAL_KEY,
)
WIDTHS = (6, 28, 10, 30, 30, 26, 36, 16, 12, 30, 70, 10, 40)
# The columns every preview begins with, from before the route was one of them: a file that
# begins so is a preview, which a new one may replace.
_FIRST = HEADERS[:6]


def preview_rows(
    prepared: Prepared,
    states: dict[int, StatusCells],
    queue: Sequence[SendPlan],
    approvals: Approvals | None = None,
    carried: frozenset[str] = frozenset(),
) -> Iterator[tuple[object, ...]]:
    """Each row of the sheet as the preview shows it; with `approvals` (as this preview will
    record them), whether each row is approved, and the ticks `carried` over from the last."""
    plans = {plan.row: plan for plan in queue}
    rotate = prepared.campaign.rotate_accounts
    column = approvals.column if approvals is not None else None
    for row_plan in prepared.plans:
        number, row = row_plan.row.number, row_plan.row
        cells = states.get(number, StatusCells())
        plan = plans.get(number) or (row_plan.plan if cells.status is Status.PENDING else None)
        status = str(cells.status or "")
        if plan is None:
            why = f"{status}: {cells.detail}" if cells.detail else status
            yield (number, str(row.recipient or ""), status, why, *[""] * 9)
            continue
        account = plan.account or (" or ".join(rotate) if rotate else "(default)")
        lookup = plan.endpoint is Endpoint.RELATIONSHIP  # its way is known once looked up
        approval_key = f"{plan.recipient.key} {message_hash(plan)}"
        approval = ""
        if approvals is not None:
            tick = is_yes(row.values.get(column or ""))
            approval = approvals.why_waiting(plan, tick) or "approved"
        yield (
            number,
            str(row.recipient or ""),
            status,
            "ok",
            approval,
            "" if lookup else plan.endpoint.label,
            plan.route.why(plan.group_id) if plan.route else "",
            account,
            # send-group takes no message type: a group message is neither kind
            ""
            if lookup or plan.endpoint is Endpoint.SEND_GROUP
            else str(plan.message_type or MessageType.NORMAL),
            plan.subject or "",
            plan.message,
            "yes" if approval_key in carried else "",
            approval_key,
        )


def write_preview(path: Path, rows: Iterator[tuple[object, ...]]) -> int:
    """Write the rows to `path` (.xlsx or .csv); how many."""
    try:
        if path.suffix.lower() == ".csv":
            return _csv(path, rows)
        return _xlsx(path, rows)
    except OSError as err:
        raise ConfigError(
            f"{path}: cannot write the preview ({err.strerror or err}); if it is open in a "
            "spreadsheet program, close it and run preview again"
        ) from None


def _csv(path: Path, rows: Iterator[tuple[object, ...]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:  # BOM: Excel reads UTF-8
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for row in rows:
            writer.writerow([_as_text(value) for value in row])
            count += 1
    return count


def _as_text(value: object) -> str:
    """A CSV cell a spreadsheet shows as the text it is: one that would start a formula gets a
    leading apostrophe (what a spreadsheet shows for typed text), so the reviewer reads the
    message, not what a formula made of it."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _xlsx(path: Path, rows: Iterator[tuple[object, ...]]) -> int:
    from openpyxl import Workbook  # here: only a preview to .xlsx needs it
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Preview")
    sheet.freeze_panes = "A2"
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    header = []
    for name in HEADERS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        out = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            cell.alignment = wrap
            if isinstance(value, str):
                cell.data_type = "s"  # text as written: a message starting "=" is not a formula
            out.append(cell)
        sheet.append(out)
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{count + 1}"
    book.save(path)
    return count


def make_preview(
    prepared: Prepared,
    states: dict[int, StatusCells],
    queue: Sequence[SendPlan],
    output: Path,
    record: Path,
) -> str:
    """Write the preview to `output` and, with `approval_column`, record what it showed (the
    last preview's ticks carried over to rows whose text did not change); what to tell the
    user."""
    column = prepared.approvals.column
    approvals, carried, recorded = None, frozenset[str](), None
    if column is not None:
        before = read_record(record)
        shown = _shown(prepared, states, queue)
        carried = _carried(before, shown)
        recorded = next_record(before, shown, output)
        approvals = Approvals(column, recorded.rows, recorded.voided, carried, str(output))
    rows = list(preview_rows(prepared, states, queue, approvals, carried))
    count = write_preview(output, iter(rows))
    sending = sum(1 for row in rows if row[3] == "ok")
    lines = [f"Preview of {count:,} rows ({sending:,} ok to send) written to {output}."]
    unrouted = sum(1 for plan in queue if plan.endpoint is Endpoint.RELATIONSHIP)
    if unrouted:
        lines.append(
            f"{unrouted:,} row(s) are not looked up yet (route = auto): their route is known "
            "after a lookup; campaign-runner preview --lookup looks them up first"
            + (" (only a row whose route a preview showed can be approved)." if column else ".")
        )
    if recorded is not None:
        write_record(record, recorded)  # once the file it describes is written
        approved = sum(1 for row in rows if row[4] == "approved")
        # A row not looked up yet cannot be approved: the line above says what to do instead.
        waiting = sum(
            1 for row in rows if str(row[4]).startswith(AWAITING) and row[4] != NOT_ROUTED
        )
        kept = f" ({len(carried):,} ticked in the last preview, carried over)" if carried else ""
        lines += (
            []
            if unrouted and not (approved or waiting)
            else [
                f"{approved:,} approved{kept}; {waiting:,} await approval: tick them (yes, x, ✓) "
                f"in its '{APPROVED}' column, or in the sheet's '{column}' column from now on. "
                "A tick approves the text this preview shows."
            ]
        )
    return "\n".join(lines)


def _carried(before: PreviewRecord, shown: list[tuple[SendPlan, bool]]) -> frozenset[str]:
    """The last preview's ticks for texts that did not change since."""
    old = ticks(Path(before.file)) if before.file else frozenset()
    carried = set()
    for plan, _ in shown:
        key, digest = plan.recipient.key, message_hash(plan)
        by_recipient = f"recipient:{plan.recipient}" in old and before.rows.get(key) == digest
        if f"{key} {digest}" in old or by_recipient:
            carried.add(f"{key} {digest}")
    return frozenset(carried)


def _shown(
    prepared: Prepared, states: dict[int, StatusCells], queue: Sequence[SendPlan]
) -> list[tuple[SendPlan, bool]]:
    """Each plan this preview shows that may still be sent, and whether the sheet ticks it (a
    row not looked up yet shows no route, so nothing of it can be approved)."""
    column = prepared.approvals.column
    plans = {plan.row: plan for plan in queue}
    shown = []
    for row_plan in prepared.plans:
        number = row_plan.row.number
        cells = states.get(number, StatusCells())
        plan = plans.get(number) or (row_plan.plan if cells.status is Status.PENDING else None)
        if plan is not None and plan.endpoint is not Endpoint.RELATIONSHIP:
            shown.append((plan, is_yes(row_plan.row.values.get(column or ""))))
    return shown


def check_output(output: Path, campaign: Campaign, where: Places) -> None:
    """Never over the campaign's own files or a file of the user's, nor under a program that
    has the preview open (the reviewer's ticks would be lost)."""
    if output.suffix.lower() not in (".xlsx", ".csv"):
        raise ConfigError(f"--output: {output.name} must end in .xlsx or .csv")
    if not output.parent.is_dir():
        raise ConfigError(f"--output: the folder {output.parent} does not exist")
    for own in (campaign.sheet, where.target, where.sibling, campaign.path):
        if output.resolve() == own.resolve():
            raise ConfigError(
                f"--output: {output.name} is the campaign's {own.name}; the preview needs a "
                "file of its own"
            )
    program = open_elsewhere(output)
    if program is not None:
        raise ConfigError(
            f"{output}: the preview is open in {program}; save your ticks, close it, and run "
            "preview again (its ticks are carried over)"
        )
    if output.exists() and not _is_preview(output):
        raise ConfigError(
            f"--output: {output} exists and is not a preview; name another file (or delete it)"
        )


def _is_preview(path: Path) -> bool:
    from ..sheet import read_table

    try:
        return read_table(path).headers[: len(_FIRST)] == _FIRST
    except (SheetError, OSError):
        return False

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
    is_yes,
    message_hash,
    next_record,
    read_record,
    write_record,
)
from ..errors import ConfigError
from ..plans import SendPlan
from ..prepare import Prepared
from ..status import Status, StatusCells

HEADERS = (
    "row",
    "recipient",
    "status",
    "check",
    "approval",
    "endpoint",
    "account",
    "message_type",
    "subject",
    "message",
    APPROVED,
    APPROVAL_KEY,
)
WIDTHS = (6, 28, 10, 30, 30, 26, 16, 12, 30, 70, 10, 40)


def preview_rows(
    prepared: Prepared, states: dict[int, StatusCells], queue: Sequence[SendPlan]
) -> Iterator[tuple[str, ...]]:
    """Each row of the sheet as the preview shows it."""
    plans = {plan.row: plan for plan in queue}
    rotate = prepared.campaign.rotate_accounts
    for row_plan in prepared.plans:
        number, row = row_plan.row.number, row_plan.row
        cells = states.get(number, StatusCells())
        plan = plans.get(number) or (row_plan.plan if cells.status is Status.PENDING else None)
        status = str(cells.status or "")
        if plan is None:
            why = f"{status}: {cells.detail}" if cells.detail else status
            yield (str(number), str(row.recipient or ""), status, why, *[""] * 8)
            continue
        account = plan.account or (" or ".join(rotate) if rotate else "(default)")
        approval = ""
        if prepared.approvals.column is not None:
            approval = "approved" if number in plans else cells.detail
        yield (
            str(number),
            str(row.recipient or ""),
            status,
            "ok",
            approval,
            plan.endpoint.label,
            account,
            str(plan.message_type or ""),
            plan.subject or "",
            plan.message,
            "",
            f"{plan.recipient.key} {message_hash(plan)}",
        )


def write_preview(path: Path, rows: Iterator[tuple[str, ...]]) -> int:
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


def _csv(path: Path, rows: Iterator[tuple[str, ...]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:  # BOM: Excel reads UTF-8
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def _xlsx(path: Path, rows: Iterator[tuple[str, ...]]) -> int:
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
    """Write the preview to `output` and, with `approval_column`, record what it showed;
    what to tell the user."""
    rows = list(preview_rows(prepared, states, queue))
    count = write_preview(output, iter(rows))
    sending = sum(1 for row in rows if row[3] == "ok")
    lines = [f"Preview of {count:,} rows ({sending:,} ok to send) written to {output}."]
    column = prepared.approvals.column
    if column is not None:
        shown = _shown(prepared, states, queue)
        recorded = next_record(read_record(record), shown, output)
        write_record(record, recorded)
        ticked = sum(
            1 for plan, tick in shown if tick and plan.recipient.key not in recorded.voided
        )
        waiting = len(shown) - ticked
        lines.append(
            f"{ticked:,} ticked in the sheet are approved as shown; {waiting:,} await approval: "
            f"tick them (yes, x, ✓) in its '{APPROVED}' column or in the sheet's '{column}' "
            "column. A tick approves the text this preview shows."
        )
    return "\n".join(lines)


def _shown(
    prepared: Prepared, states: dict[int, StatusCells], queue: Sequence[SendPlan]
) -> list[tuple[SendPlan, bool]]:
    """Each plan this preview shows that may still be sent, and whether the sheet ticks it."""
    column = prepared.approvals.column
    plans = {plan.row: plan for plan in queue}
    shown = []
    for row_plan in prepared.plans:
        number = row_plan.row.number
        cells = states.get(number, StatusCells())
        plan = plans.get(number) or (row_plan.plan if cells.status is Status.PENDING else None)
        if plan is not None:
            shown.append((plan, is_yes(row_plan.row.values.get(column or ""))))
    return shown

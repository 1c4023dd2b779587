"""`campaign-runner report`: a workbook of where the campaign stands. A summary (rows by
status, account and endpoint, quotas, first and last send, when it will be done) with a chart
of messages sent per day per account, the rows that need attention with what to do about them,
and every message sent with its exact text.

The numbers are status's (standing.py runs the same stages); the tables are built with pandas
(frames.py) and written with openpyxl (cells.py), then put in place in one step."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from ..approval import read_record
from ..campaign import RouteMode
from ..clock import iso
from ..errors import ConfigError, SheetError
from ..sheet.atomic import atomic_write, open_elsewhere
from . import frames
from .cells import SECTION, TITLE, Widths, header, landscape, listing, put
from .standing import Standing, stand
from .words import n, projection_line, screen_lines

SUMMARY, ATTENTION, SENT, PER_DAY = "Summary", "Needs attention", "Sent", "Per day"
CHART_COLUMN = "D"  # beside the counts by status, which take two columns
CHART_ROWS = 17  # how far down the chart reaches: the wider tables start below it


def write_report(
    campaign_file: Path,
    env: Mapping[str, str],
    now: datetime,
    command: str,
    *,
    output: Path | None = None,
    state_dir: Path | None = None,
    sandbox: bool = False,
) -> str:
    """Write the report (by default `<sheet stem>.report.xlsx` beside the sheet); returns what
    to tell the user. ConfigError where it cannot be written."""
    if output is not None and output.suffix.lower() != ".xlsx":
        raise ConfigError(f"--output {output}: the report is an Excel workbook; name it .xlsx")
    standing = stand(campaign_file, env, now, state_dir=state_dir, sandbox=sandbox)
    path = output or default_path(standing)
    _check_target(path, standing)
    book, attention = build(standing, command)
    sheet = standing.prepared.campaign.sheet
    try:
        # Made with the sheet's permissions: the report holds what the sheet does, and more.
        atomic_write(path, sheet, book.save)
    except SheetError as error:
        cause = error.__cause__
        why = cause.strerror if isinstance(cause, OSError) and cause.strerror else str(error)
        # Excel on Windows holds the file it has open against writes.
        held = " (is it open in another program?)" if isinstance(cause, PermissionError) else ""
        raise ConfigError(f"{path}: cannot write the report: {why}{held}") from None
    rows = len(standing.seen.start.states)
    return f"Report written to {path}: {n(rows)} rows, {n(attention)} need attention."


def default_path(standing: Standing) -> Path:
    """Beside the sheet: leads.report.xlsx, or leads.sandbox.report.xlsx for sandbox trials."""
    sheet = standing.prepared.campaign.sheet
    kind = ".sandbox" if standing.places.sandbox else ""
    return sheet.with_name(f"{sheet.stem}{kind}.report.xlsx")


def _check_target(path: Path, standing: Standing) -> None:
    """Never over the campaign's own files, nor under a program that has the file open."""
    campaign, where = standing.prepared.campaign, standing.places
    preview = read_record(where.preview_record).file  # the reviewer's ticks are in it
    owned = (campaign.sheet, where.target, where.sibling, campaign.path)
    for own in (*owned, *([Path(preview)] if preview else [])):
        if path.resolve() == own.resolve():
            raise ConfigError(
                f"--output {path}: that is the campaign's {own.name}; the report needs a file "
                "of its own"
            )
    program = open_elsewhere(path)
    if program is not None:
        raise ConfigError(
            f"{path}: the report is open in {program}; close it and run this again (or give "
            "another --output)"
        )


def build(standing: Standing, command: str) -> tuple[Workbook, int]:
    """The workbook, and how many rows need attention."""
    table = frames.rows(standing)
    sent = frames.sent(standing.sends)
    daily = frames.per_day(sent, frames.day_of(standing))
    attention = frames.attention(table, frames.where_for(standing, command))
    book = Workbook()
    summary = book.active
    summary.title = SUMMARY
    listing(book.create_sheet(ATTENTION), attention, wrap={"reason": 50, "what to do": 60})
    listing(book.create_sheet(SENT), sent, wrap={"subject": 30, "message": 80})
    per_day = book.create_sheet(PER_DAY)
    chart = None
    if daily.empty:
        put(per_day, 1, 1, "Nothing sent yet.")
    else:
        listing(per_day, daily.reset_index())
        chart = _chart(per_day, daily)
    _summary(summary, standing, table, sent, len(attention), chart)
    return book, len(attention)


def _chart(data: Worksheet, daily: pd.DataFrame) -> BarChart:
    """Messages sent per day, a column per day stacked by account (the sum left out)."""
    accounts = [c for c in daily.columns if c != frames.ALL]
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100  # stacked columns sit on each other, not side by side
    chart.title = "Messages sent per day, by account"
    chart.y_axis.title = "messages"
    chart.x_axis.title = "day"
    chart.x_axis.number_format = "yyyy-mm-dd"
    # openpyxl 3.1 hides both axes unless told otherwise.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    values = Reference(
        data, min_col=2, max_col=1 + len(accounts), min_row=1, max_row=len(daily) + 1
    )
    chart.add_data(values, titles_from_data=True)
    chart.set_categories(Reference(data, min_col=1, min_row=2, max_row=len(daily) + 1))
    chart.width, chart.height = 18, 8
    return chart


class _Summary:
    """The summary sheet, written top down: lines of text, and tables with a bold header."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.row = 1
        self.widths = Widths()

    def line(self, text: str, font: Font | None = None) -> None:
        put(self.ws, self.row, 1, text)
        if font is not None:
            self.ws.cell(self.row, 1).font = font
        self.row += 1

    def gap(self) -> None:
        self.row += 1

    def table(
        self,
        title: str,
        names: Sequence[str] | None,
        records: Sequence[Sequence[object]],
        empty: str = "",
    ) -> None:
        """A table under a title (`empty` in its place when it has no rows); without `names`,
        pairs of a label and its value."""
        self.line(title, SECTION)
        if not records and empty:
            self.line(empty)
        elif names is not None:
            header(self.ws, self.row, names, self.widths)
            self.row += 1
        for record in records:
            for column, raw in enumerate(record, start=1):
                put(self.ws, self.row, column, raw)
                self.widths.see(column, raw)
            self.row += 1
        self.gap()

    def frame(self, title: str, frame: pd.DataFrame, empty: str) -> None:
        names = [str(frame.index.name), *[str(c) for c in frame.columns]]
        records = [(i, *r) for i, r in zip(frame.index, frame.values, strict=True)]
        self.table(title, names, records, empty)


def _summary(
    ws: Worksheet,
    standing: Standing,
    table: pd.DataFrame,
    sent: pd.DataFrame,
    attention: int,
    chart: BarChart | None,
) -> None:
    prepared, now = standing.prepared, standing.now
    out = _Summary(ws)
    out.line(f"{prepared.campaign.name}: where the campaign stands", TITLE)
    sandbox = " (sandbox trials)" if standing.places.sandbox else ""
    out.line(f"{n(len(table))} rows in {prepared.table.path.name}{sandbox}, as of {_as_of(now)}.")
    out.line(
        f"A run is under way ({standing.running})." if standing.running else "No run is under way."
    )
    out.line(projection_line(standing.projection))
    for note in _notes(standing):
        out.line(note)
    out.gap()
    top = out.row
    if chart is not None:
        ws.add_chart(chart, f"{CHART_COLUMN}{top}")
    counts = frames.by_status(table)
    total = ("total", int(counts.sum()))
    out.table("Rows by status", ["status", "rows"], [*counts.items(), total])
    out.table("Sending", None, _sending(standing, sent, attention))
    if chart is not None:  # the tables below are wider than two columns: under the chart
        out.row = max(out.row, top + CHART_ROWS)
    out.table("Accounts", *_accounts(standing, table))
    out.frame("Endpoints", frames.by_route(table, "endpoint"), "No row has an endpoint yet.")
    if prepared.campaign.route is RouteMode.AUTO:
        routes = frames.by_route(table, "route")
        out.frame("Routes (route = auto)", routes, "No row is looked up yet.")
        known = standing.seen.known
        out.line(f"Relationship lookups made: {n(known.count)} ({n(known.connected)} connections).")
        out.gap()
    out.table(*_quotas(standing), "Nothing known yet (no answer from the API so far).")
    out.widths.apply(ws)
    landscape(ws, pages=1)  # the summary is read at a glance: on one page


def _as_of(now: datetime) -> str:
    """'2026-01-15T09:00:00Z', with this computer's time too where that is not UTC."""
    local = now.astimezone()
    if local.utcoffset() == now.astimezone(UTC).utcoffset():
        return iso(now)
    return f"{local:%Y-%m-%d %H:%M %Z} ({iso(now)})"


def _notes(standing: Standing) -> list[str]:
    prepared, seen = standing.prepared, standing.seen
    notes = []
    if prepared.template_error:
        notes.append(f"The template cannot be used: {prepared.template_error}.")
    notes += screen_lines(prepared.plans, seen.start.states, prepared.screens)
    if seen.refusal:
        notes.append(f"Before the next run: {seen.refusal}")
    return notes


def _sending(standing: Standing, sent: pd.DataFrame, attention: int) -> list[tuple[str, object]]:
    times = sent["sent at (UTC)"]
    plan = standing.projection
    records: list[tuple[str, object]] = [
        ("first send (UTC)", times.min() if len(times) else "none yet"),
        ("last send (UTC)", times.max() if len(times) else "none yet"),
        ("messages sent", len(sent)),
        ("rows to send", len(standing.seen.start.queue)),
        ("of them today, at current limits", plan.today),
        ("of them after today", plan.later),
        ("days after today", plan.days),
        ("at most a day", plan.daily),
        ("done about", plan.finish or ""),
    ]
    if plan.never:
        records.append(("never, at these limits", plan.never))
    records.append(("rows that need attention", attention))
    return records


def _accounts(standing: Standing, table: pd.DataFrame) -> tuple[list[str], list[list[object]]]:
    """Rows by account and status, with each account's day: sent today, its own limit, when
    its send window opens."""
    pivot = frames.by_route(table, "account")
    statuses = [str(c) for c in pivot.columns]
    days = {frames.account_label(day.account): day for day in standing.accounts}
    labels = sorted(set(pivot.index) | set(days))
    records: list[list[object]] = []
    for label in labels:
        counts = [int(pivot.at[label, s]) if label in pivot.index else 0 for s in statuses]
        day = days.get(label)
        if day is None:
            records.append([label, *counts, None, None, None, None])
            continue
        window = standing.prepared.campaign.pacing_for(day.account).window
        left = None if day.cap is None else max(day.cap - day.sent, 0)
        opens = window.describe(day.opens) if day.opens else ""
        records.append([label, *counts, day.sent, day.cap, left, opens])
    names = ["account", *statuses, "sent today", "own limit today", "left today", "window opens"]
    return names, records


def _quotas(standing: Standing) -> tuple[str, list[str], list[list[object]]]:
    """What the API last said of each quota, as status says it; which API, where the journal
    knows several (the sandbox's and the real one)."""
    now = standing.now
    pools = standing.seen.pools
    apis = sorted({api for api, _ in pools})
    records: list[list[object]] = []
    for api, pool in pools:
        if pool.blocked(now):
            state = "asked to wait" if pool.asked_to_wait else "used up"
            left, until = 0, pool.blocked_until
        elif pool.reset is not None and pool.reset <= now:
            state, left, until = "renewed", None, None
        else:
            state, left, until = "", pool.remaining, pool.reset
        when = until.astimezone(UTC).replace(tzinfo=None) if until else None
        quota = f"{frames.account_label(pool.account)}, {pool.endpoint.label}"
        records.append([quota, left, pool.limit, when, state, *([api] if len(apis) > 1 else [])])
    names = ["account, endpoint", "left", "limit", "resets (UTC)", "state"]
    if len(apis) > 1:
        return "Quotas, as the APIs last reported them", [*names, "API"], records
    of = f" ({apis[0]})" if apis else ""
    return f"Quotas, as the API last reported them{of}", names, records

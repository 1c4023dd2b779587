"""The dry run: what a run would send, what it would not and why (grouped, for a sheet of any
size), when it would be done, and the command that sends for real. Every row, one by one, goes
to a file (`write_rows`), not to the screen."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from ..campaign import Campaign
from ..errors import ConfigError
from ..plans import LOOKUP_FAILURES, Endpoint, SendPlan
from ..prepare import Prepared
from ..projection import Projection
from ..routing import Known
from ..rows import Row
from ..status import Status, StatusCells
from .words import (
    FIRST_ROWS,
    awaiting_line,
    grouped,
    n,
    projection_line,
    route_lines,
    screen_lines,
    ways,
)

SAMPLES = 2  # rendered messages shown for each way of sending


def dry_run(
    prepared: Prepared,
    states: dict[int, StatusCells],
    queue: list[SendPlan],
    projection: Projection,
    command: str,
    *,
    sandbox: bool = False,
    listed: bool = False,
    known: Known | None = None,
    looked_up: bool = False,
) -> str:
    """`listed`: every row is being written to a file (--output) as well; `known`: the
    relationship lookups made (route = "auto"); `looked_up`: this dry run made them first
    (--lookup), and the journal keeps them."""
    name = prepared.table.path.name
    each = ways(queue)
    # --lookup writes its answers into the journal: only the sheet is left as it is then.
    written = (
        "the sheet not written (the lookups are kept in the journal)"
        if looked_up
        else "nothing written"
    )
    lines = [
        f"Dry run of {prepared.campaign.name}: {n(len(states))} rows in {name}; nothing sent, "
        f"{written}.",
        f"Would send {n(len(queue))}" + (f": {each}." if each else "."),
    ]
    lookup = f"{command} --dry-run --lookup"
    lines += route_lines(prepared.campaign, queue, states, known or Known(), lookup)
    lines += _by_account(prepared.campaign, queue)
    lines += awaiting_line(states, prepared.approvals.file)
    if queue:
        lines.append(projection_line(projection))
    already = Counter(
        s.status for s in states.values() if s.status in _DONE_BEFORE and not _lookup_failed(s)
    )
    if already:
        shown = ", ".join(f"{n(already[s])} {s}" for s in _DONE_BEFORE if already[s])
        lines.append(f"Already done in earlier runs: {shown}.")
    lines += _single_braces(prepared)
    lines += _samples(queue)
    lines += _links_used(prepared, queue)
    lines += _not_sent(prepared, states)
    lines += ["", *_next_step(prepared.campaign, command, sandbox, listed)]
    return "\n".join(lines)


_DONE_BEFORE = (Status.SENT, Status.FAILED, Status.UNKNOWN)
_NOT_SENT = (Status.INVALID, Status.DUPLICATE, Status.SKIPPED)


def _single_braces(prepared: Prepared) -> list[str]:
    """`{first_name}` in a template is sent as written, braces and all: say so before it is."""
    found = prepared.templates.single_braces if prepared.templates else ()
    if not found:
        return []
    return ["", "Check these: text in single braces is sent as written:"] + [
        f"  {finding}" for finding in found
    ]


def _samples(queue: list[SendPlan]) -> list[str]:
    """A few rendered messages for each way of sending (endpoint, and InMail or not)."""
    lines: list[str] = []
    shown: Counter[tuple[Endpoint, object]] = Counter()
    for plan in queue:
        way = (plan.endpoint, plan.message_type)
        if shown[way] >= SAMPLES:
            continue
        shown[way] += 1
        kind = " (InMail)" if plan.message_type == "inmail" else ""
        account = f" from {plan.account}" if plan.account else ""
        via = f" via {plan.endpoint.label}{kind}"
        if plan.endpoint is Endpoint.RELATIONSHIP:
            via = ""  # the route says how it goes: once looked up
        lines += ["", f"--- row {plan.row} → {plan.recipient}{via}{account}"]
        if plan.route is not None:
            lines[-1] += f" ({plan.route.why(plan.group_id)})"
        if plan.subject:
            lines.append(f"Subject: {plan.subject}")
        lines.append(plan.message)
    return lines


def _links_used(prepared: Prepared, queue: list[SendPlan]) -> list[str]:
    """Rows whose recipient came from a cell's link rather than the text it shows."""
    queued = {plan.row for plan in queue}
    notes = [rp for rp in prepared.plans if rp.row.link_note and rp.row.number in queued]
    if not notes:
        return []
    lines = ["", f"{n(len(notes))} row(s) to send take the recipient from a cell's link:"]
    lines += [f"  row {rp.row.number}: {rp.row.link_note}" for rp in notes[:FIRST_ROWS]]
    if len(notes) > FIRST_ROWS:
        lines.append(f"  and {n(len(notes) - FIRST_ROWS)} more")
    return lines


def _lookup_failed(cells: StatusCells) -> bool:
    """A row failed at its relationship lookup (route = "auto"): nothing was ever sent to it."""
    return cells.status is Status.FAILED and cells.detail.startswith(LOOKUP_FAILURES)


def _not_sent(prepared: Prepared, states: dict[int, StatusCells]) -> list[str]:
    lines = []
    unsent = {row: cells for row, cells in states.items() if _lookup_failed(cells)}
    unsent |= {row: cells for row, cells in states.items() if cells.status in _NOT_SENT}
    groups = grouped(unsent, (*_NOT_SENT, Status.FAILED))
    if groups:
        lines += ["", f"{n(len(unsent))} row(s) will not be sent:", *groups]
    elsewhere = screen_lines(prepared.plans, states, prepared.screens)
    lines += ["", *elsewhere] if elsewhere else []
    held = [rp for rp in prepared.plans if rp.held and rp.row.number in states]
    held = [rp for rp in held if states[rp.row.number].status is Status.PENDING]
    if held:
        by_filter = sum(rp.row.hidden == "filter" for rp in held)
        rows = ", ".join(str(rp.row.number) for rp in held[:10]) + (", …" if len(held) > 10 else "")
        lines += [
            "",
            f"{n(len(held))} hidden row(s) will not be sent ({n(by_filter)} hidden by the "
            f"sheet's filter, {n(len(held) - by_filter)} by hand: rows {rows}); show them, or "
            "set send_hidden_rows = true in the campaign file, to send them.",
        ]
    return lines


def _next_step(campaign: Campaign, command: str, sandbox: bool, listed: bool) -> list[str]:
    listing = [] if listed else [f"Every row, one by one: {command} --dry-run --output rows.csv"]
    if not sandbox:
        return [*listing, f"To send for real: {command}"]
    if campaign.api.sandbox:
        live = command.replace(" --sandbox", "")
        return [
            *listing,
            f"This is a sandbox trial: nothing real is sent. To go live, set sandbox = false in "
            f"{campaign.path.name} ([api]), export CONNECTSAFELY_API_KEY=your key, then: {live}",
        ]
    return [
        *listing,
        "This is a sandbox trial: nothing real is sent. To go live, export "
        f"CONNECTSAFELY_API_KEY=your key, then: {command.replace(' --sandbox', '')}",
    ]


COLUMNS = (
    "row",
    "outcome",
    "reason",
    "recipient",
    "endpoint",
    "route",
    "account",
    "message_type",
    "subject",
    "message",
)


def write_rows(
    path: Path, prepared: Prepared, states: dict[int, StatusCells], queue: list[SendPlan]
) -> None:
    """Every row as the dry run sees it, one line each, as CSV (UTF-8, with the byte order mark
    spreadsheet programs look for)."""
    plans = {plan.row: plan for plan in queue}
    try:
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            for row_plan in prepared.plans:
                number = row_plan.row.number
                cells = states.get(number, StatusCells())
                plan = plans.get(number)
                outcome = "would send" if plan else str(cells.status or "")
                writer.writerow(_listing_row(number, outcome, cells, row_plan.row, plan))
    except OSError as err:
        raise ConfigError(f"{path}: cannot write the list of rows: {err.strerror}") from None


def _listing_row(
    number: int, outcome: str, cells: StatusCells, row: Row, plan: SendPlan | None
) -> list[str]:
    recipient = str(row.recipient or "")
    if plan is None:
        return [str(number), outcome, cells.detail, recipient, *[""] * 6]
    lookup = plan.endpoint is Endpoint.RELATIONSHIP  # its endpoint is known once looked up
    return [
        str(number),
        outcome,
        row.link_note,
        recipient,
        "" if lookup else plan.endpoint.label,
        plan.route.why(plan.group_id) if plan.route else "",
        plan.account,
        "" if lookup else str(plan.message_type or ""),
        plan.subject or "",
        plan.message,
    ]


def _by_account(campaign: Campaign, queue: list[SendPlan]) -> list[str]:
    """Which accounts send (a typo in an accountId cell shows here as an account of its own),
    and [accounts.NAME] tables that name none of them (a typo there is otherwise silent)."""
    accounts = Counter(plan.account for plan in queue)
    rotated = accounts.pop("", 0) if campaign.rotate_accounts else 0
    lines = []
    if len(accounts) > 1 or (accounts and next(iter(accounts))) or rotated:
        each = [f"{account or '(default)'} {n(count)}" for account, count in accounts.most_common()]
        if rotated:
            each.append(f"{n(rotated)} spread over {', '.join(campaign.rotate_accounts)}")
        lines.append(f"By account: {', '.join(each)}.")
    used = set(accounts) | set(campaign.rotate_accounts) | {campaign.account_id or ""}
    for name in sorted(set(campaign.accounts) - used):
        lines.append(f"Note: [accounts.{name}] names an account no row of this campaign uses.")
    return lines

"""What the runner tells a person: the end-of-run summary, the dry run, the status command."""

from __future__ import annotations

import signal
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from .clock import iso
from .outcomes import RunReport, StopReason
from .plans import Endpoint, PoolKey, SendPlan
from .prepare import Prepared
from .quota import Pool
from .status import Status, StatusCells

ORDER = (
    Status.SENT,
    Status.PENDING,
    Status.FAILED,
    Status.UNKNOWN,
    Status.INVALID,
    Status.DUPLICATE,
)
SHOWN_MESSAGES = 3


def counts_line(states: Iterable[StatusCells]) -> str:
    counts = Counter(state.status for state in states)
    return ", ".join(f"{counts[s]} {s}" for s in ORDER if counts[s]) or "no rows"


def until(moment: datetime, now: datetime) -> str:
    """'2026-01-16T00:00:00Z (in 2h 5m)'."""
    seconds = int((moment - now).total_seconds())
    if seconds <= 0:
        return f"{iso(moment)} (now)"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = f"{hours}h {minutes}m" if hours else (f"{minutes}m {secs}s" if minutes else f"{secs}s")
    return f"{iso(moment)} (in {parts})"


def pool_name(key: PoolKey) -> str:
    return f"{key.endpoint.label} for account {key.account or '(default)'}"


def summary(report: RunReport, prepared: Prepared, resume: str, now: datetime) -> str:
    """What a run did, and what to do next."""
    lines = [
        f"{prepared.campaign.name}: {report.sent} sent this run ({report.attempted} attempted). "
        f"Sheet: {counts_line(report.states.values())}."
    ]
    lines += _recovered_and_adopted(report)
    if report.rereads:
        lines.append(
            f"The sheet was saved during the run; it was read again ({report.rereads} time(s)) "
            "and the run carried on from what it says now."
        )
    if report.held:
        lines.append(
            f"Statuses not written yet: {report.held}. Nothing is lost: the journal holds them, "
            "and the next run writes them once the file is closed."
        )
    if report.written is not None:
        lines.append(f"Statuses written to {report.written.path}.")
        if report.written.note:
            lines.append(report.written.note)
    lines += _how_it_stopped(report, resume, now)
    unknown = report.counts()[Status.UNKNOWN]
    if unknown:
        lines.append(
            f"{unknown} row(s) are unknown: they may have been delivered. Check them on LinkedIn; "
            "to send them again anyway, add --resend-unknown."
        )
    return "\n".join(lines)


def _recovered_and_adopted(report: RunReport) -> list[str]:
    lines = []
    if report.recovered:
        lines.append(
            f"{report.recovered} row(s) were being sent when an earlier run stopped; they are "
            "marked unknown (see status_detail)."
        )
    if report.moved:
        lines.append(
            f"{report.moved} status block(s) stood beside someone else than the person they "
            "name (the sheet was sorted without its status columns?); each row now shows its "
            "own person's status."
        )
    if report.adopted:
        lines.append(
            f"{report.adopted} row(s) had a status of sent, failed or unknown in the sheet that "
            "the journal did not know (a new state folder, or a renamed campaign?); they were "
            "taken as done. To send one anyway, clear its four status cells."
        )
    return lines


def _how_it_stopped(report: RunReport, resume: str, now: datetime) -> list[str]:
    lines = []
    if report.hidden:
        lines.append(
            f"{report.hidden} row(s) hidden in the sheet were not sent (show them, or set "
            "send_hidden_rows = true, to send them)."
        )
    return lines + _next_step(report, resume, now)


def _next_step(report: RunReport, resume: str, now: datetime) -> list[str]:
    pending = report.counts()[Status.PENDING] - report.hidden
    if report.stop is StopReason.SIGNAL:
        name = signal.Signals(report.signal).name
        return [f"Stopped by {name}. Everything sent is recorded; to carry on: {resume}"]
    if report.stop is StopReason.INTERRUPTED:
        return [f"Interrupted. Everything sent is recorded; to carry on: {resume}"]
    if report.stop is StopReason.LIMIT:
        return [f"Stopped at --limit; {pending} row(s) still pending. To carry on: {resume}"]
    if report.stop is StopReason.SHEET:
        return [
            f"Stopped: {report.stalled}. {pending} row(s) pending; fix the sheet, then run the "
            f"same command: {resume}"
        ]
    if report.stop is StopReason.STALLED:
        return [
            f"{'Paused' if pending else 'Stopped'}: {report.stalled}."
            + (f" {pending} row(s) pending. Run again later: {resume}" if pending else "")
        ]
    if not pending:
        return []
    lines = []
    for pool in report.blocked:
        assert pool.blocked_until is not None
        lines.append(
            f"Paused: daily quota used up for {pool_name(pool.key)}; "
            f"it resets at {until(pool.blocked_until, now)}."
        )
    for account, why in report.failing.items():
        lines.append(
            f"Paused: the API is failing for account {account or '(default)'} ({why}); "
            "those rows stay pending."
        )
    resets = [p.blocked_until for p in report.blocked if p.blocked_until]
    when = f"after {iso(min(resets))}" if resets else "later"
    lines.append(f"{pending} row(s) pending, nothing lost. Run the same command {when}: {resume}")
    return lines


def dry_run(
    prepared: Prepared, states: dict[int, StatusCells], queue: list[SendPlan], command: str
) -> str:
    plans = {rp.row.number: rp for rp in prepared.plans}
    per_endpoint = Counter(plan.endpoint for plan in queue)
    lines = [
        f"Dry run of {prepared.campaign.name}: {len(plans)} rows in {prepared.table.path.name}; "
        "nothing sent, nothing written.",
        f"Would send {len(queue)}: "
        + (
            ", ".join(f"{per_endpoint[e]} via {e.label}" for e in Endpoint if per_endpoint[e])
            or "nothing"
        ),
    ]
    already = Counter(
        s.status
        for s in states.values()
        if s.status in (Status.SENT, Status.FAILED, Status.UNKNOWN)
    )
    if already:
        lines.append(
            "Already done in earlier runs: "
            + ", ".join(f"{n} {status}" for status, n in sorted(already.items()))
        )
    for plan in queue[:SHOWN_MESSAGES]:
        lines.append("")
        lines.append(
            f"--- row {plan.row} → {plan.recipient} via {plan.endpoint.label}"
            + (f" from {plan.account}" if plan.account else "")
        )
        if plan.subject:
            lines.append(f"Subject: {plan.subject}")
        lines.append(plan.message)
    lines += _links_used(prepared, queue)
    lines += _not_sent(prepared, states)
    lines.append("")
    lines.append(f"To send for real: {command}")
    return "\n".join(lines)


def _links_used(prepared: Prepared, queue: list[SendPlan]) -> list[str]:
    """Rows whose recipient came from a cell's link rather than the text it shows."""
    queued = {plan.row for plan in queue}
    notes = [rp for rp in prepared.plans if rp.row.link_note and rp.row.number in queued]
    if not notes:
        return []
    lines = ["", f"{len(notes)} row(s) to send take the recipient from a cell's link:"]
    lines += [f"  row {rp.row.number}: {rp.row.link_note}" for rp in notes[:SHOWN_MESSAGES]]
    if len(notes) > SHOWN_MESSAGES:
        lines.append(f"  and {len(notes) - SHOWN_MESSAGES} more")
    return lines


def _not_sent(prepared: Prepared, states: dict[int, StatusCells]) -> list[str]:
    name = prepared.table.path.name
    problems = [
        (number, state)
        for number, state in sorted(states.items())
        if state.status in (Status.INVALID, Status.DUPLICATE)
    ]
    lines = []
    if problems:
        lines += ["", f"{len(problems)} row(s) will not be sent:"]
        lines += [f"  {name}: row {n}: {state.status}: {state.detail}" for n, state in problems]
    held = [rp for rp in prepared.plans if rp.held and rp.row.number in states]
    held = [rp for rp in held if states[rp.row.number].status is Status.PENDING]
    if held:
        by_filter = sum(rp.row.hidden == "filter" for rp in held)
        rows = ", ".join(str(rp.row.number) for rp in held[:10]) + (", …" if len(held) > 10 else "")
        lines += [
            "",
            f"{len(held)} hidden row(s) will not be sent ({by_filter} hidden by the sheet's "
            f"filter, {len(held) - by_filter} by hand: rows {rows}); show them, or set "
            "send_hidden_rows = true in the campaign file, to send them.",
        ]
    return lines


def status_text(
    prepared: Prepared, states: dict[int, StatusCells], pools: list[tuple[str, Pool]], now: datetime
) -> str:
    lines = [f"{prepared.campaign.name}: {len(states)} rows in {prepared.table.path.name}"]
    counts = Counter(state.status for state in states.values())
    for status in ORDER:
        lines.append(f"  {status:<10} {counts[status]}")
    if not pools:
        lines.append("Quotas: nothing known yet (no answer from the API so far).")
    else:
        lines.append("Quotas (as last reported by the API):")
        for api, pool in pools:
            name = f"{pool_name(pool.key)} [{api}]"
            remaining = "?" if pool.remaining is None else str(pool.remaining)
            limit = "?" if pool.limit is None else str(pool.limit)
            if pool.blocked(now):
                assert pool.blocked_until is not None
                lines.append(f"  {name}: used up, resets {until(pool.blocked_until, now)}")
            elif pool.reset and pool.reset <= now:
                lines.append(
                    f"  {name}: renewed at {iso(pool.reset)} (last known {remaining}/{limit})"
                )
            else:
                resets = f", resets {until(pool.reset, now)}" if pool.reset else ""
                lines.append(f"  {name}: {remaining}/{limit} left{resets}")
    return "\n".join(lines)

"""The summary after a run: what it did, and what to do next."""

from __future__ import annotations

import signal
from datetime import datetime

from ..outcomes import RunReport, StopReason
from ..prepare import Prepared
from ..quota import QUOTA_USED_UP
from ..status import Status
from .words import (
    awaiting_line,
    counts_line,
    local_and_utc,
    n,
    pool_name,
    projection_line,
    until,
)


def summary(report: RunReport, prepared: Prepared, resume: str, now: datetime) -> str:
    """What a run did, and what to do next."""
    looked = f"; {report.looked_up} looked up" if report.looked_up else ""
    lines = [
        f"{prepared.campaign.name}: {report.sent} sent this run ({report.attempted} attempted"
        f"{looked}). Sheet: {counts_line(report.states.values())}."
    ]
    lines += _recovered_and_adopted(report)
    if prepared.screens.skip_contacted:  # people those journals messaged may have been sent to
        lines += [f"Note: {note}." for note in prepared.screens.contacted.notes]
    if report.rereads:
        lines.append(
            f"The sheet was saved during the run; it was read again ({report.rereads} time(s)) "
            "and the run carried on from what it says now."
        )
    if report.held:
        lines.append(
            f"Statuses not written yet: {report.held}. Nothing is lost: the journal holds them, "
            "and the next run writes them."
        )
    if report.written is not None:
        lines.append(f"Statuses written to {report.written.path}.")
        if report.written.note:
            lines.append(report.written.note)
    lines += _how_it_stopped(report, resume, now, prepared.approvals.file)
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
            "taken as done. To send one anyway, clear its status cell."
        )
    return lines


def _how_it_stopped(report: RunReport, resume: str, now: datetime, preview_file: str) -> list[str]:
    lines = []
    lines += awaiting_line(report.states, preview_file)
    if report.hidden:
        lines.append(
            f"{report.hidden} row(s) hidden in the sheet were not sent (show them, or set "
            "send_hidden_rows = true, to send them)."
        )
    return lines + _next_step(report, resume, now)


def _next_step(report: RunReport, resume: str, now: datetime) -> list[str]:
    pending = report.counts()[Status.PENDING] - report.waiting_for_someone
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
    lines, resets = _pauses(report, now)
    # On this computer's clock too: the person who runs it next reads that one.
    when = f"after {local_and_utc(min(resets), now)}" if resets else "later"
    lines.append(f"{pending} row(s) pending, nothing lost. Run the same command {when}: {resume}")
    if report.projection is not None and report.projection.total:
        lines.append(projection_line(report.projection))
    if resets and "--wait" not in resume:
        lines.append("(With --wait it sleeps through such pauses and carries on by itself.)")
    return lines


def _pauses(report: RunReport, now: datetime) -> tuple[list[str], list[datetime]]:
    """What the rows left wait on, and when each wait ends."""
    lines = []
    for pool in report.blocked:
        assert pool.blocked_until is not None
        lines.append(
            f"Paused: {pool.reason or QUOTA_USED_UP} for {pool_name(pool.key)}; "
            + ("it may send again at " if pool.asked_to_wait else "it resets at ")
            + f"{until(pool.blocked_until, now)}."
        )
    for _, detail in report.waits:
        lines.append(f"Paused: {detail}.")
    for account, why in report.failing.items():
        lines.append(
            f"Paused: the API is failing for account {account or '(default)'} ({why}); "
            "those rows stay pending."
        )
    resets = [p.blocked_until for p in report.blocked if p.blocked_until]
    resets += [wait.until for wait, _ in report.waits]
    return lines, resets


def lookups_summary(report: RunReport, resume: str, now: datetime) -> str:
    """What a run of lookups alone (--lookup) did, and what to do next."""
    lines = [
        f"Looked up {n(report.looked_up)} person(s)' relationship to the account (route = auto); "
        "the answers are kept in the journal, so nobody is looked up twice."
    ]
    left = report.to_look_up
    if report.stop in (StopReason.SIGNAL, StopReason.INTERRUPTED):
        how = signal.Signals(report.signal).name if report.signal else "Ctrl-C"
        return "\n".join([*lines, f"Stopped by {how}; {n(left)} still to look up: {resume}"])
    if report.stop is StopReason.STALLED:
        lines.append(f"Stopped: {report.stalled}.")
    if not left:
        return "\n".join([*lines, "Every row to send has its route."])
    pauses, resets = _pauses(report, now)
    when = f" after {local_and_utc(min(resets), now)}" if resets else " later"
    lines += pauses
    lines.append(f"{n(left)} row(s) still to look up. Run the same command{when}: {resume}")
    return "\n".join(lines)

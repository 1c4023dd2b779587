"""The `status` command: where the campaign stands, why rows are not sent, the quotas, whether
a run is under way, when it will be done, and what to do next."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from ..prepare import Prepared
from ..projection import Projection
from ..quota import Pool
from ..status import Status, StatusCells
from .words import (
    ORDER,
    grouped,
    local_and_utc,
    n,
    pool_name,
    projection_line,
    screen_lines,
)


def status_text(
    prepared: Prepared,
    states: dict[int, StatusCells],
    pools: list[tuple[str, Pool]],
    now: datetime,
    *,
    projection: Projection | None = None,
    running: str | None = None,
    command: str = "",
) -> str:
    """`pools` are every quota known, by the API they belong to; `running` says which run holds
    the campaign, if one does."""
    lines = [f"{prepared.campaign.name}: {n(len(states))} rows in {prepared.table.path.name}"]
    if prepared.template_error:
        lines.append(
            f"The template cannot be used: {prepared.template_error}. Fix it before the next run "
            "(rows that are not sent yet count as pending)."
        )
    counts = Counter(state.status for state in states.values())
    width = max(len(n(counts[s])) for s in ORDER)
    lines += [f"  {status:<10} {n(counts[status]):>{width}}" for status in ORDER]
    why = grouped(states, (Status.FAILED, Status.UNKNOWN, Status.INVALID))
    if why:
        lines += ["Why rows are failed, unknown or invalid:", *why]
    skipped = grouped(states, (Status.SKIPPED,))
    if skipped:
        lines += ["Why rows are skipped:", *skipped]
    lines += screen_lines(prepared.plans, states, prepared.screens)
    lines += _quotas(pools, now)
    lines.append(f"A run is under way ({running})." if running else "No run is under way.")
    if projection is not None and counts[Status.PENDING]:
        lines.append(projection_line(projection))
    lines.append(_next(counts, pools, now, command, running))
    return "\n".join(lines)


def _quotas(pools: list[tuple[str, Pool]], now: datetime) -> list[str]:
    if not pools:
        return ["Quotas: nothing known yet (no answer from the API so far)."]
    lines = ["Quotas (as last reported by the API):"]
    for api, pool in pools:
        name = f"{pool_name(pool.key)} [{api}]"
        remaining = "?" if pool.remaining is None else str(pool.remaining)
        limit = "?" if pool.limit is None else str(pool.limit)
        if pool.blocked(now):
            assert pool.blocked_until is not None
            lines.append(f"  {name}: used up, resets {local_and_utc(pool.blocked_until, now)}")
        elif pool.reset and pool.reset <= now:
            lines.append(f"  {name}: renewed (last known {remaining}/{limit})")
        else:
            resets = f", resets {local_and_utc(pool.reset, now)}" if pool.reset else ""
            lines.append(f"  {name}: {remaining}/{limit} left{resets}")
    return lines


def _next(
    counts: Counter[Status | None],
    pools: list[tuple[str, Pool]],
    now: datetime,
    command: str,
    running: str | None,
) -> str:
    if running:
        return "Next: wait for that run to end; it writes the sheet as it goes."
    blocked = [p.blocked_until for _, p in pools if p.blocked(now) and p.blocked_until]
    if counts[Status.PENDING] and blocked and len(blocked) == len(pools):
        return f"Next: {command} after {local_and_utc(min(blocked), now)}"
    if counts[Status.PENDING]:
        return f"Next: {command}"
    if counts[Status.UNKNOWN]:
        return (
            "Next: nothing is pending. Check the unknown rows on LinkedIn; to send them again "
            f"anyway: {command} --resend-unknown"
        )
    return "Next: nothing left to send."

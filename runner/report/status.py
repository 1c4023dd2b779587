"""The `status` command: where the campaign stands, why rows are not sent, the quotas, whether
a run is under way, when it will be done, and what to do next."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from ..campaign import Campaign
from ..plans import SendPlan
from ..prepare import Prepared
from ..projection import AccountToday, Projection
from ..quota import Pool
from ..routing import Known
from ..status import Status, StatusCells
from .words import (
    ORDER,
    awaiting_line,
    grouped,
    local_and_utc,
    n,
    pool_name,
    projection_line,
    route_lines,
    screen_lines,
    ways,
)


def status_text(
    prepared: Prepared,
    states: dict[int, StatusCells],
    pools: list[tuple[str, Pool]],
    now: datetime,
    *,
    projection: Projection | None = None,
    accounts: Sequence[AccountToday] = (),
    queue: Sequence[SendPlan] = (),
    running: str | None = None,
    command: str = "",
    known: Known | None = None,
) -> str:
    """`pools` are every quota known, by the API they belong to; `running` says which run holds
    the campaign, if one does; `known`, the relationship lookups made (route = "auto")."""
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
    lines += awaiting_line(states, prepared.approvals.file)
    # Each account's day says what the API last said of its quotas; the others are listed apart
    # (another API's, say the sandbox's, or an account with nothing left to send).
    shown = {pool.key for day in accounts for pool in day.quotas}
    lines += _accounts(accounts, prepared.campaign, now)
    others = [(api, pool) for api, pool in pools if pool.key not in shown]
    if others or not accounts:
        lines += _quotas(others, now)
    lines += _pending(queue)
    lookup = f"{command} --dry-run --lookup" if command else ""
    known = known or Known()
    lines += route_lines(prepared.campaign, queue, states, known, lookup, prepared.plans)
    lines.append(f"A run is under way ({running})." if running else "No run is under way.")
    if projection is not None and counts[Status.PENDING]:
        lines.append(projection_line(projection))
    lines.append(_next(counts, projection, now, command, running))
    return "\n".join(lines)


def _accounts(accounts: Sequence[AccountToday], campaign: Campaign, now: datetime) -> list[str]:
    """Each account's day: sent today, what it has left (its own cap, the API's quota), when
    its quota resets and its window opens."""
    if not accounts:
        return []
    lines = ["Accounts today:"]
    for day in accounts:
        parts = [f"{n(day.sent)} sent today"]
        if day.cap is not None:
            parts.append(f"{n(max(day.cap - day.sent, 0))} left of its own limit of {n(day.cap)}")
        for pool in day.quotas:
            left = "?" if pool.remaining is None else n(pool.remaining)
            if pool.blocked(now) or (pool.reset is not None and pool.reset > now):
                until = pool.blocked_until if pool.blocked(now) else pool.reset
                assert until is not None
                left = "0" if pool.blocked(now) else left
                parts.append(
                    f"{pool.endpoint.label}: {left} left, resets {local_and_utc(until, now)}"
                )
            else:
                parts.append(f"{pool.endpoint.label}: renewed since the API last said")
        if day.opens is not None:
            window = campaign.pacing_for(day.account).window
            parts.append(f"its send window opens {window.describe(day.opens)}")
        lines.append(f"  {day.account or '(default)'}: " + "; ".join(parts))
    return lines


def _pending(queue: Sequence[SendPlan]) -> list[str]:
    each = ways(queue)
    return [f"To send: {each}."] if each else []


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
    projection: Projection | None,
    now: datetime,
    command: str,
    running: str | None,
) -> str:
    if running:
        return "Next: wait for that run to end; it writes the sheet as it goes."
    resumes = projection.resumes if projection is not None else None
    if counts[Status.PENDING] and resumes is not None:  # no row left can go before then
        assert projection is not None
        why = ", when the relationship lookups' quota resets" if projection.resumes_lookups else ""
        return f"Next: {command} after {local_and_utc(resumes, now)}{why}"
    if counts[Status.PENDING]:
        return f"Next: {command}"
    if counts[Status.UNKNOWN]:
        return (
            "Next: nothing is pending. Check the unknown rows on LinkedIn; to send them again "
            f"anyway: {command} --resend-unknown"
        )
    return "Next: nothing left to send."

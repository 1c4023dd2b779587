"""The words and numbers every report says the same way."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from ..approval import AWAITING, NOT_ROUTED
from ..campaign import Campaign, RouteMode
from ..clock import iso
from ..plans import NORMAL_ONLY, NOT_REACHABLE, Endpoint, PoolKey, Route, RowPlan, SendPlan
from ..projection import Projection
from ..routing import Known, way_of
from ..screen import Screens, messaged_elsewhere
from ..status import Status, StatusCells

ORDER = (
    Status.SENT,
    Status.PENDING,
    Status.FAILED,
    Status.UNKNOWN,
    Status.INVALID,
    Status.DUPLICATE,
    Status.SKIPPED,
)
FIRST_ROWS = 5  # rows named for a group of alike rows; the full list goes to a file
# What makes one row's reason differ from another's with the same cause: the values quoted
# from its cells, dates, and numbers (a row, a length).
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2})?Z?)?\b")
# Numbers vary between rows of one cause, but an HTTP status tells causes apart (403 from 404).
_NUMBER = re.compile(r"(?<!HTTP )(?<!status code )\b\d+\b")
# The API names the profile it does not know, unquoted: "LinkedIn profile not found: ann-lee".
_PROFILE = re.compile(r"(profile not found: )[^\s);,]+", re.IGNORECASE)


def n(count: int) -> str:
    """A count as people read it: 8,057."""
    return f"{count:,}"


def counts_line(states: Iterable[StatusCells]) -> str:
    counts = Counter(state.status for state in states)
    return ", ".join(f"{n(counts[s])} {s}" for s in ORDER if counts[s]) or "no rows"


def until(moment: datetime, now: datetime) -> str:
    """'2026-01-16T00:00:00Z (in 2h 5m)'."""
    seconds = int((moment - now).total_seconds())
    if seconds <= 0:
        return f"{iso(moment)} (now)"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = f"{hours}h {minutes}m" if hours else (f"{minutes}m {secs}s" if minutes else f"{secs}s")
    return f"{iso(moment)} (in {parts})"


def local_and_utc(moment: datetime, now: datetime) -> str:
    """The time on this computer's clock too, where that is not UTC: '2026-01-16 01:00 CET
    (2026-01-16T00:00:00Z, in 3h 5m)'."""
    local = moment.astimezone()
    if local.utcoffset() == moment.astimezone(UTC).utcoffset():
        return until(moment, now)
    return f"{local:%Y-%m-%d %H:%M %Z} ({until(moment, now).replace(' (in ', ', in ')}"


def pool_name(key: PoolKey) -> str:
    return f"{key.endpoint.label} for account {key.account or '(default)'}"


def reason_group(detail: str) -> str:
    """What rows with the same cause have in common: 'ID 'x' is bad' and 'ID 'y' is bad' are
    one group, 'ID '…' is bad'."""
    detail = _PROFILE.sub(r"\1…", _QUOTED.sub("'…'", detail))
    return _NUMBER.sub("N", _DATE.sub("…", detail)) or "(no detail)"


def grouped(states: dict[int, StatusCells], wanted: tuple[Status, ...]) -> list[str]:
    """Rows of the wanted statuses, by cause: count, status, cause, the first rows."""
    groups: dict[tuple[Status, str], list[int]] = {}
    for number, cells in sorted(states.items()):
        if cells.status in wanted:
            assert cells.status is not None
            groups.setdefault((cells.status, reason_group(cells.detail)), []).append(number)
    lines = []
    for (status, reason), rows in sorted(groups.items(), key=lambda g: -len(g[1])):
        if len(rows) == 1:  # one row: its own words say more than the group's
            reason = states[rows[0]].detail
        first = ", ".join(str(r) for r in rows[:FIRST_ROWS]) + (", …" if len(rows) > 5 else "")
        rows_word = "row" if len(rows) == 1 else "rows"
        lines.append(f"  {n(len(rows))} {status}: {reason} ({rows_word} {first})")
    return lines


def projection_line(projection: Projection) -> str:
    """'At current limits: 100 today, then 8,057 over the next 81 days (up to 250 a day); done about
    2027-02-20.'"""
    if projection.total == 0:
        return "At current limits: nothing left to send."
    if projection.never:
        return (
            f"At current limits {n(projection.never)} row(s) can never be sent: the limits of "
            "their accounts (daily_limit, send_window, quota) allow nothing."
        )
    if not projection.later:
        return f"At current limits: all {n(projection.today)} today."
    days = "day" if projection.days == 1 else "days"
    done = f"; done about {projection.finish:%Y-%m-%d}" if projection.finish else ""
    if projection.sandbox_day is not None and projection.sandbox_day != 86400:
        # A sandbox quota's day is short; daily limits and windows keep real days.
        days = f"quota {days} (a sandbox quota day lasts {projection.sandbox_day:g} s)"
        done = ""
    return (
        f"At current limits: {n(projection.today)} today, then {n(projection.later)} over the "
        f"next {n(projection.days)} {days} (up to {n(projection.daily)} a day){done}."
    )


def screen_lines(
    plans: list[RowPlan], states: dict[int, StatusCells], screens: Screens
) -> list[str]:
    """What the lists say beyond the skipped rows: people other campaigns already messaged whom
    this one would still message (without skip_contacted), and journals that could not be read."""
    lines = []
    found = messaged_elsewhere(plans, states, screens.contacted)
    if found and not screens.skip_contacted:
        total = sum(found.values())
        were = "recipient was" if total == 1 else "recipients were"
        by = ", ".join(f"'{name}': {n(count)}" for name, count in found.most_common())
        lines.append(
            f"{n(total)} {were} already messaged by other campaigns in this state folder "
            f"({by}); skip_contacted = true skips them."
        )
    return lines + [f"Note: {note}." for note in screens.contacted.notes]


def awaiting_line(states: Mapping[int, StatusCells], preview_file: str) -> list[str]:
    """How many rows wait for a reviewer's tick, and where to give it."""
    waiting = [
        cells
        for cells in states.values()
        if cells.status is Status.PENDING and cells.detail.startswith(AWAITING)
    ]
    if not waiting:
        return []
    where = (
        f"the preview ({preview_file})" if preview_file else "a preview (campaign-runner preview)"
    )
    unrouted = sum(1 for cells in waiting if cells.detail == NOT_ROUTED)
    first = (
        f" ({n(unrouted)} of them not looked up yet: run campaign-runner preview --lookup first)"
        if unrouted
        else ""
    )
    return [
        f"{n(len(waiting))} row(s) await approval{first}: read them in {where}, then tick them."
    ]


def ways(queue: Iterable[SendPlan]) -> str:
    """'3 via POST /message, 1 via POST /messaging/send-group, 4 to look up first'."""
    counts = Counter(plan.endpoint for plan in queue)
    return ", ".join(
        f"{n(counts[e])} "
        + ("to look up first" if e is Endpoint.RELATIONSHIP else f"via {e.label}")
        for e in Endpoint
        if counts[e]
    )


ROUTES = {
    Route.CONNECTION: "to connections (a normal message)",
    Route.GROUP: "by group (send-group)",
    Route.INMAIL: "as InMail",
    Route.LOOKUP: "to look up first",
}


def route_lines(
    campaign: Campaign,
    queue: Iterable[SendPlan],
    states: Mapping[int, StatusCells],
    known: Known,
    lookup: str = "",
    plans: Iterable[RowPlan] = (),
) -> list[str]:
    """With route = "auto": the rows to send by route, those no way reaches, and the lookups
    made and to make (`lookup`: the command that makes them now); with `plans`, the rows sent
    too, by the route they went."""
    if campaign.route is not RouteMode.AUTO:
        return []
    sent = Counter(
        way_of(rp.plan, known, campaign)
        for rp in plans
        if rp.plan is not None and states[rp.row.number].status in (Status.SENT, Status.UNKNOWN)
    )
    went = [f"{n(sent[route])} {ROUTES[route]}" for route in ROUTES if sent[route]]
    counts = Counter(plan.route for plan in queue)
    parts = [f"{n(counts[route])} {ROUTES[route]}" for route in ROUTES if counts[route]]
    unreached = [
        cells.detail
        for cells in states.values()
        if cells.status is Status.SKIPPED and cells.detail.startswith(NOT_REACHABLE)
    ]
    if unreached:
        parts.append(
            f"{n(len(unreached))} skipped ({NOT_REACHABLE}: {_reach(campaign, unreached)})"
        )
    made = f"{n(known.count)} profiles known so far ({n(known.connected)} of them connections)"
    left = counts[Route.LOOKUP]
    todo = f"; {n(left)} row(s) still to look up" if left else ""
    now = f" ({lookup} looks them up now, sending nothing)" if left and lookup else ""
    return [
        "Routes (route = auto): " + (", ".join(parts) or "none to send") + ".",
        *([f"Sent (or maybe sent) by route: {', '.join(went)}."] if went else []),
        f"Relationship lookups: {made}{todo}{now}.",
    ]


def _reach(campaign: Campaign, details: list[str]) -> str:
    """What would reach the people no way reaches, as their reasons say: a groupId always;
    InMail where the campaign rules it out, or the row's messageType cell does."""
    ways = ["a groupId"]
    if not campaign.inmail and any(NORMAL_ONLY not in detail for detail in details):
        ways.append(
            "inmail = true" + ("" if campaign.subject_template else " with a subject_template")
        )
    if any(NORMAL_ONLY in detail for detail in details):
        ways.append("a messageType cell other than normal")
    if len(ways) == 1:
        return f"{ways[0]} would reach them"
    return f"{', '.join(ways[:-1])}, or {ways[-1]}, would reach them"

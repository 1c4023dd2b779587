"""The report's tables, built with pandas from where the campaign stands (standing.py): every
row with its status and route, then the group-bys and pivots by status, account, endpoint and
day. Pure; only the workbook report imports it, so `run` and `status` never load pandas."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime

import pandas as pd

from ..approval import AWAITING
from ..campaign import RouteMode
from ..plans import Endpoint, Route, RowPlan
from ..routing import way_of
from ..rows import clean_header
from ..status import Status, StatusCells
from ..window import SendWindow
from .remedy import Where, remedy
from .standing import Send, Standing
from .words import ORDER

DEFAULT = "(default)"  # the API key's own account, as status names it
ROTATION = "(rotation)"  # rows that go to whichever rotate_accounts account is free first
ALL = "all accounts"
# What the journal cannot say of a send it took from the sheet's statuses (--trust-sheet).
UNRECORDED = "(not recorded)"
NO_TEXT = "(not recorded: this send is known from the sheet's statuses)"
# Rows that ask something of someone, most pressing first.
ATTENTION = (Status.UNKNOWN, Status.FAILED, Status.INVALID, Status.SKIPPED)


def account_label(account: object) -> str:
    """How an account is named: "" is the key's own; a gap in the journal, not recorded."""
    return account or DEFAULT if isinstance(account, str) else UNRECORDED


def endpoint_label(endpoint: object) -> str:
    return Endpoint(endpoint).label if isinstance(endpoint, str) else UNRECORDED


def profile_link(public_id: str | None, urn: str | None) -> str:
    """The profile's page: by public ID, else by the member ID the URN carries (LinkedIn opens
    linkedin.com/in/ACoAA... as the profile)."""
    if public_id:
        return f"https://www.linkedin.com/in/{public_id}"
    if urn and urn.startswith("urn:li:fsd_profile:"):
        return f"https://www.linkedin.com/in/{urn.rsplit(':', 1)[1]}"
    return ""


def _idents(send: Send) -> list[str]:
    """Every name the journal's record goes by, as Recipient.idents spells them."""
    names = [send.key]
    if send.urn:
        names.append(f"urn:{send.urn}")
    if send.public_id:
        names.append(f"id:{send.public_id.lower()}")
    return names


def rows(standing: Standing) -> pd.DataFrame:
    """One line per sheet row: its status and reason, whom it is for, and its route (the
    account and endpoint it went out from, or is to go out from)."""
    sends = {ident: send for send in standing.sends for ident in _idents(send)}
    rotate = bool(standing.prepared.campaign.rotate_accounts)
    states = standing.seen.start.states
    queued = {plan.row: plan for plan in standing.seen.start.queue}  # routed (route = "auto")
    lines = []
    for row_plan in standing.prepared.plans:
        row, plan = row_plan.row, queued.get(row_plan.row.number, row_plan.plan)
        cells = states[row.number]
        recipient = row.recipient
        idents = recipient.idents if recipient else ()
        send = next((sends[i] for i in idents if i in sends), None)
        account: str | None = None
        endpoint: str | None = None
        routed = False
        if cells.status in (Status.SENT, Status.FAILED, Status.UNKNOWN) and send is not None:
            account, endpoint, routed = send.account, _endpoint(send.endpoint, cells), True
        elif plan is not None and cells.status in (Status.PENDING, Status.SKIPPED):
            account, endpoint, routed = plan.account, _endpoint(plan.endpoint, cells), True
            if not account and rotate:
                account = (send.account if send is not None else None) or ROTATION
        lines.append(
            {
                "row": row.number,
                "status": str(cells.status or ""),
                "detail": cells.detail,
                "recipient": str(recipient) if recipient else "",
                "profile": profile_link(recipient.public_id, recipient.urn) if recipient else "",
                "account": account_label(account) if routed else None,
                "endpoint": endpoint if routed else None,
                "route": _route(standing, row_plan, send, Status(cells.status or "pending")),
            }
        )
    return pd.DataFrame(lines, columns=list(_ROW_COLUMNS))


# A row's endpoint is the send its route takes (route = "auto"): none for a row skipped, or
# failed at its lookup, whose lookup is no send; not known yet for one still to look up.
NO_ENDPOINT, TO_LOOK_UP = "none", "to look up first"


def _endpoint(endpoint: str | None, cells: StatusCells) -> str:
    """How the report names the endpoint a row went, or is to go, through."""
    if endpoint != Endpoint.RELATIONSHIP:
        return endpoint_label(endpoint)
    return TO_LOOK_UP if cells.status is Status.PENDING else NO_ENDPOINT


_ROW_COLUMNS = ("row", "status", "detail", "recipient", "profile", "account", "endpoint", "route")
ROUTES = {
    Route.CONNECTION: "connection: a normal message",
    Route.GROUP: "not a connection: by group",
    Route.INMAIL: "not a connection: InMail",
    Route.LOOKUP: "not looked up yet",
}
NOT_FOUND, NO_WAY = "profile not found", "not a connection: no way (skipped)"


def _route(standing: Standing, row_plan: RowPlan, send: Send | None, status: Status) -> str | None:
    """With route = "auto", the way a row went or is to go, by what its lookup said (None for a
    row with no way of its own: invalid, a duplicate, or not looked up and not to be sent)."""
    campaign, plan = standing.prepared.campaign, row_plan.plan
    if campaign.route is not RouteMode.AUTO or plan is None or status is Status.DUPLICATE:
        return None
    if send is not None and send.endpoint == Endpoint.RELATIONSHIP and status is Status.FAILED:
        return NOT_FOUND
    went = (send.account,) if send is not None and send.account is not None else ()
    way = way_of(plan, standing.seen.known, campaign, went)
    if way is None:
        return ROUTES[Route.LOOKUP] if status is Status.PENDING else None
    if isinstance(way, Route):
        return ROUTES[way]
    return NO_WAY if way.status is Status.SKIPPED else None


def by_status(table: pd.DataFrame) -> pd.Series:
    """Rows by status, every status in the order status lists them (none: 0)."""
    counts = table["status"].value_counts()
    return counts.reindex([str(s) for s in ORDER], fill_value=0).rename("rows")


def by_route(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """Rows with a route, by `column` (account or endpoint) and status, with totals. Rows with
    none (invalid, duplicate) are for no account and no endpoint, and left out."""
    routed = table.dropna(subset=[column])
    if routed.empty:
        return pd.DataFrame()
    pivot = pd.crosstab(routed[column], routed["status"])
    statuses = [str(s) for s in ORDER if str(s) in pivot.columns]
    pivot = pivot[statuses]
    pivot["total"] = pivot.sum(axis=1)
    pivot.index.name = column
    return pivot.sort_index()


def sent(sends: Iterable[Send]) -> pd.DataFrame:
    """Every message sent, oldest first: when (UTC), from which account and endpoint, to
    whom, and its exact subject and text."""
    table = pd.DataFrame([s.__dict__ for s in sends if s.status == Status.SENT], columns=_SEND)
    when = pd.to_datetime(table["sent_at"], utc=True, format="ISO8601")
    frame = pd.DataFrame(
        {
            # Excel knows no time zones: the times are UTC, and the header says so.
            "sent at (UTC)": when.dt.tz_localize(None),
            "account": [account_label(a) for a in table["account"]],
            "endpoint": [endpoint_label(e) for e in table["endpoint"]],
            "recipient": table["public_id"].fillna(table["urn"]),
            "profile": [
                profile_link(p, u) for p, u in zip(table.public_id, table.urn, strict=True)
            ],
            "row": table["row"].astype("Int64"),
            "subject": table["subject"].fillna(""),
            "message": table["message"].fillna(NO_TEXT),
        }
    )
    return frame.sort_values(["sent at (UTC)", "row"], kind="stable").reset_index(drop=True)


_SEND = list(Send.__dataclass_fields__)


def per_day(sent_table: pd.DataFrame, day_of: Callable[[str, datetime], date]) -> pd.DataFrame:
    """Messages sent per day (rows, every day from the first send's to the last's) by account
    (columns), with their sum. `day_of(account, moment)` is the account's own day, as its
    daily cap counts it."""
    known = sent_table.dropna(subset=["sent at (UTC)"])
    if known.empty:
        return pd.DataFrame()
    days = [
        day_of(account, moment.to_pydatetime())
        for account, moment in zip(
            known["account"], known["sent at (UTC)"].dt.tz_localize("UTC"), strict=True
        )
    ]
    pivot = pd.crosstab(pd.Index(days, name="day"), known["account"].to_numpy())
    every = pd.date_range(min(days), max(days), freq="D").date
    pivot = pivot.reindex(every, fill_value=0)
    pivot.index.name = "day"
    pivot.columns.name = None
    pivot[ALL] = pivot.sum(axis=1)
    return pivot


def attention(table: pd.DataFrame, where: Where) -> pd.DataFrame:
    """The rows that ask something of someone, most pressing first, each with what to do."""
    awaiting = (table["status"] == str(Status.PENDING)) & table["detail"].str.startswith(AWAITING)
    wanted = table[table["status"].isin([str(s) for s in ATTENTION]) | awaiting].copy()
    rank = {str(status): i for i, status in enumerate(ATTENTION)}
    wanted["rank"] = wanted["status"].map(rank).fillna(len(ATTENTION))
    wanted = wanted.sort_values(["rank", "row"], kind="stable")
    todo = [
        remedy(Status(status), detail, row, where)
        for status, detail, row in zip(wanted.status, wanted.detail, wanted.row, strict=True)
    ]
    return pd.DataFrame(
        {
            "row": wanted["row"],
            "status": wanted["status"],
            "recipient": wanted["recipient"],
            "profile": wanted["profile"],
            "account": wanted["account"].fillna(""),
            "reason": wanted["detail"],
            "what to do": todo,
        }
    ).reset_index(drop=True)


def where_for(standing: Standing, command: str) -> Where:
    prepared = standing.prepared
    return Where(
        sheet=prepared.table.path.name,
        statuses=standing.places.target.name,
        command=command,
        headers=tuple(clean_header(h) for h in prepared.table.headers),
    )


def day_of(standing: Standing) -> Callable[[str, datetime], date]:
    """An account's local day (its send window's time zone), by its label."""
    campaign = standing.prepared.campaign
    windows: dict[str, SendWindow] = {}

    def day(label: str, moment: datetime) -> date:
        account = "" if label in (DEFAULT, UNRECORDED) else label
        if label not in windows:
            windows[label] = campaign.pacing_for(account).window
        return windows[label].day(moment)

    return day

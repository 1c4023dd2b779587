"""Everything before the first request: read the sheet and templates, plan every row, and see
where the journal says the campaign stands."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from pathlib import Path

from .approval import Approvals, gate, read_approvals
from .campaign import Campaign
from .caps import Caps
from .clock import Clock
from .contacts import read_do_not_contact
from .errors import (
    InputError,
    JournalError,
    LeadsElsewhere,
    SheetChanged,
    SheetError,
    TemplateError,
)
from .history import contacted, later, sends_by_account, shared_pools
from .journal import Entry, Journal, JournalDamaged
from .pauses import first_go
from .plans import Endpoint, PoolKey, RowPlan, SendPlan, plan_rows
from .projection import AccountToday, Projection, accounts_today, project
from .quota import Pool
from .recipient import first_known
from .reconcile import Reconciled, SheetRecords, complete, reconcile, sheet_records, unvouched
from .routing import Known, route_known
from .rows import Row, SheetLayout, read_layout, read_row
from .screen import Screens, screen
from .settings import Places
from .sheet import Stamp, Table, read_table, worksheet_titles
from .status import Status, StatusCells
from .templates import Templates, load_templates


@dataclass(frozen=True)
class Prepared:
    """A campaign loaded and checked."""

    campaign: Campaign
    table: Table
    templates: Templates | None  # None only when asked to carry on without them (status)
    plans: list[RowPlan]  # sent or failed in the sheet: unrendered until reconciled()
    template_error: str = ""  # why the templates could not be used, when that was allowed
    status_sources: tuple[str, ...] = ()  # the files statuses from earlier runs were read from
    screens: Screens = Screens()  # who is not to be messaged, whatever the sheet says
    approvals: Approvals = Approvals()  # with approval_column: what the reviewer approved

    def owners(self) -> dict[int, str]:
        """Each row's recipient, as its status block names them."""
        return {rp.row.number: str(rp.row.recipient or "") for rp in self.plans}

    def rows_by_key(self) -> dict[str, int]:
        """Each recipient to be sent to, by their journal key -> their row."""
        return {rp.plan.recipient.key: rp.row.number for rp in self.plans if rp.plan}

    @cached_property
    def records(self) -> SheetRecords:
        """What the sheet records for each row's recipient: for the check, then the reconcile."""
        return sheet_records(self.plans)


def prepare(campaign: Campaign, places: Places, *, need_templates: bool = True) -> Prepared:
    """Read the sheet and templates and plan every row; raises InputError on bad input.

    Without `need_templates` (the status command, which must work when a template is broken),
    a template error leaves the rows unplanned: pending, saying why."""
    table, layout = read_sheet(campaign)
    rows = [read_row(layout, table, sheet_row) for sheet_row in table.rows]
    rows, sources = with_earlier_statuses(rows, campaign, places)
    screens = read_screens(campaign, places)
    approvals = read_approvals(
        campaign.approval_column, table.headers, campaign.sheet.name, places.preview_record
    )
    try:
        templates = load_templates(
            campaign.message_template, campaign.subject_template, layout, campaign.sheet.name
        )
    except TemplateError as error:
        if need_templates:
            raise
        why = f"not planned: the template cannot be used ({error})"
        unplanned = [RowPlan(row, None, Status.PENDING, why) for row in rows]
        return Prepared(campaign, table, None, unplanned, str(error), sources, screens, approvals)
    plans = plan_rows(rows, templates, campaign)
    return Prepared(campaign, table, templates, plans, "", sources, screens, approvals)


def read_screens(campaign: Campaign, places: Places) -> Screens:
    """The do-not-contact list (ConfigError where it cannot be read) and whom the other
    campaigns in the state folder messaged."""
    listed = campaign.do_not_contact
    return Screens(
        read_do_not_contact(listed) if listed is not None else None,
        contacted(places.state_dir, places.sandbox, places.journal),
        campaign.skip_contacted,
    )


def read_sheet(campaign: Campaign) -> tuple[Table, SheetLayout]:
    """The sheet and what its columns mean. Where a workbook's leads seem to be on another
    worksheet than the one read (or named), the error names it and the line that reads it."""
    try:
        table = read_table(campaign.sheet, campaign.sheet_name, campaign.header_row)
        table = replace(table, message_column=campaign.write_message)  # what the writers add
        layout = read_layout(table)
        return replace(table, anchor=layout.columns.first_recipient), layout
    except LeadsElsewhere as error:
        if campaign.sheet.suffix.lower() == ".csv":
            raise
        raise _leads_elsewhere(campaign, error) from None


def _leads_elsewhere(campaign: Campaign, error: LeadsElsewhere) -> SheetError:
    """`error`, with the worksheet where the leads are, found by reading the others."""
    titles = worksheet_titles(campaign.sheet)
    listed = ", ".join(f'"{title}"' for title in titles)
    for title in titles:
        if title == error.sheet:
            continue
        try:
            read_layout(read_table(campaign.sheet, title, campaign.header_row))
        except InputError:
            continue
        what = (
            f'sheet "{error.sheet}" has no recipient column'
            if error.sheet is not None
            else f'no sheet named "{campaign.sheet_name}"'
        )
        line = f"sheet_name = {json.dumps(title, ensure_ascii=False)}"
        todo = f"add {line} to" if campaign.sheet_name is None else f"set {line} in"
        return SheetError(
            f'{campaign.sheet.name}: {what}; the leads seem to be on sheet "{title}": {todo} '
            f"the campaign file (its sheets: {listed})"
        )
    if error.sheet is None or len(titles) < 2:
        return error
    return SheetError(f"{error}; no other sheet has one either (its sheets: {listed})")


# After a save is noticed, the file must keep still this long before it is read: a program that
# writes in place (not by a rename) is then done, and no half-written line is read as a row.
SETTLE_SECONDS = 1.0
SETTLE_TRIES = 8


def read_again(campaign: Campaign, places: Places, clock: Clock) -> Prepared:
    """The campaign as the sheet says now, after the user saved it. A sheet caught mid-save is
    waited for; SheetError if it cannot be used as it is now."""
    for attempt in range(SETTLE_TRIES):
        before = Stamp.of(campaign.sheet)
        clock.sleep(SETTLE_SECONDS)
        if Stamp.of(campaign.sheet) != before:
            continue  # still being written
        try:
            return prepare(campaign, places)
        except SheetChanged:
            continue
        except SheetError:
            if attempt == SETTLE_TRIES - 1:
                raise
            continue  # unreadable for a moment, as a file being saved can be
    raise SheetChanged(
        f"{campaign.sheet.name}: kept changing for {SETTLE_TRIES * SETTLE_SECONDS:.0f} seconds; "
        "it is read again before the next send"
    )


def with_earlier_statuses(
    rows: list[Row], campaign: Campaign, places: Places
) -> tuple[list[Row], tuple[str, ...]]:
    """Rows whose status lives in another file (`output`, or the file beside a workbook where an
    earlier version wrote them) take it from there, matched by recipient: should the journal be
    lost, nobody is messaged twice for it. Also returns the names of the files that hold
    statuses."""
    sources = [campaign.sheet.name] if any(row.previous.status for row in rows) else []
    earlier: dict[str, StatusCells] = {}
    for path in places.status_files:
        if path == campaign.sheet or not path.exists():
            continue
        try:
            table = read_table(path, campaign.sheet_name, campaign.header_row)
            layout = read_layout(table)
        except InputError:
            continue  # only a second witness; the journal and the sheet itself come first
        found_here = False
        for sheet_row in table.rows:
            row = read_row(layout, table, sheet_row)
            if row.recipient is not None and row.previous.attempted:
                found_here = True
                for ident in row.recipient.idents:
                    earlier.setdefault(ident, row.previous)
        if found_here:
            sources.append(_shown_path(path, campaign))
    if not earlier:
        return rows, tuple(sources)
    return [
        replace(row, previous=replace(found))  # a copy: its `shown_in` is of that file's row
        if not row.previous.attempted
        and row.recipient is not None
        and (found := first_known(earlier, row.recipient.idents))
        else row
        for row in rows
    ], tuple(sources)


def _shown_path(path: Path, campaign: Campaign) -> str:
    """A file as the campaign file names it: relative to its folder where it can be."""
    base = campaign.path.parent
    return str(path.relative_to(base) if path.is_relative_to(base) else path)


@dataclass(frozen=True)
class Look:
    """Where the campaign stands, read without taking it (dry run, status)."""

    start: Reconciled
    pools: list[tuple[str, Pool]]
    refusal: SheetError | None  # why a run would refuse the sheet's statuses, if it would
    known: Known = Known()  # the relationship lookups made (route = "auto")

    def pools_of(self, api: str) -> dict[PoolKey, Pool]:
        """The quotas known for one API (the real one, or the sandbox)."""
        return {pool.key: pool for name, pool in self.pools if name == api}


def look(
    prepared: Prepared,
    places: Places,
    *,
    resend_unknown: bool = False,
    trust_sheet: bool = False,
    gated: bool = True,
) -> Look:
    """What a run would start from; a damaged journal raises JournalError as a run would.
    Not `gated`: the rows a reviewer has yet to approve stay in the queue (the preview)."""
    entries: list[Entry] = []
    pools: list[tuple[str, Pool]] = []
    history, known = False, Known()
    if places.journal.exists():
        with open_journal(prepared, places) as journal:
            entries = entries_of(prepared, journal)
            pools = journal.all_pools()
            history = journal.has_history()
            known = Known.of(journal.lookups())
    refusal = None
    try:
        check_vouched(prepared, places, entries, history, trust=trust_sheet)
    except SheetError as error:
        refusal = error
    start = reconciled(prepared, entries, resend_unknown, known, gated=gated)
    return Look(start, pools, refusal, known)


def entries_of(prepared: Prepared, journal: Journal) -> list[Entry]:
    """The journal's entries, their texts read only where message_sent shows them, and sharing
    the strings its row has for the same person (a large campaign holds both at its peak)."""
    rows = {rp.row.recipient.key: rp.row for rp in prepared.plans if rp.row.recipient}
    return journal.entries(texts=prepared.campaign.write_message, sheet=rows)


def reconciled(
    prepared: Prepared,
    entries: list[Entry],
    resend_unknown: bool,
    known: Known | None = None,
    *,
    gated: bool = True,
    lookups_only: bool = False,
) -> Reconciled:
    """What each row shows and what is left to send: the rows planned unrendered rendered where
    the journal does not say what their sheet does (complete), the plans against the journal
    (reconcile), then the people not to be messaged skipped (screen), then each row routed by the
    lookups made (route = "auto"), then the rows a reviewer has not approved held back (unless
    not `gated`). Where a run starts, and carries on from after the sheet is saved. With
    `lookups_only` (--lookup), what is left is the lookups alone, approved or not: a preview is
    to show their routes."""
    settled = complete(prepared.plans, entries, prepared.templates, prepared.campaign)
    start = reconcile(prepared.plans, entries, resend_unknown, prepared.records, settled)
    screened = screen(start, prepared.plans, prepared.screens)
    routed = route_known(screened, known or Known(), prepared.campaign)
    if lookups_only:
        lookups = [plan for plan in routed.queue if plan.endpoint is Endpoint.RELATIONSHIP]
        return replace(routed, queue=lookups)
    return gate(routed, prepared.plans, prepared.approvals) if gated else routed


def open_journal(
    prepared: Prepared, places: Places, *, write: bool = False, trust: bool = False
) -> Journal:
    """The campaign's journal; a damaged one is a JournalError that says what the sheet shows
    and what to do (`trust`: the user already asked to trust the sheet)."""
    try:
        return Journal(places.journal, write=write, campaign=prepared.campaign.name)
    except JournalDamaged as damage:
        aside = places.journal.with_name(places.journal.name + ".damaged")
        then = (
            "--trust-sheet starts a new journal from the sheet's statuses once the damaged one "
            f"is out of the way: move it aside (mv {places.journal} {aside}), then run this "
            "command again. Messages sent after the sheet was last written are not in it and "
            f"would be sent again: check on LinkedIn what was sent{_after(prepared)}, and mark "
            "those rows sent in the sheet first"
            if trust
            else "Keep the journal (move it aside, e.g. add .damaged to its name) and restore "
            "it from a backup if you have one; or check on LinkedIn what was sent"
            f"{_after(prepared)}, move it aside, then run again with --trust-sheet to start a "
            "new journal from the sheet's statuses"
        )
        raise JournalError(
            f"{places.journal}: this campaign's journal cannot be trusted: {damage}. "
            f"The sheet shows {_shown(prepared)}. Nothing was sent. {then}"
        ) from None


def check_vouched(
    prepared: Prepared,
    places: Places,
    entries: list[Entry],
    history: bool,
    *,
    trust: bool = False,
) -> None:
    """Refuse sheet statuses the journal cannot vouch for (see reconcile.unvouched), unless
    the user trusts the sheet."""
    holders = _holders(prepared)
    rows = [] if trust else unvouched(prepared.plans, entries, history, prepared.records)
    if not rows:
        return
    if not history:
        raise SheetError(
            f"{holders}: {_rows(rows)} show {_shown(prepared)} from an earlier run, but this "
            f"campaign's journal ({places.journal}) is missing or new, so messages sent after "
            "the sheet was last written cannot be known. Nothing was sent. If the journal "
            "moved, point --state-dir at its folder (or give the campaign its old name); "
            f"otherwise check on LinkedIn what was sent{_after(prepared)}, then run again with "
            "--trust-sheet: people the sheet shows as sent, failed or unknown are then not "
            "messaged again"
        )
    raise SheetError(
        f"{holders}: {_rows(rows)} {'says' if len(rows) == 1 else 'say'} sent, failed or "
        "unknown, but this campaign's journal never sent to them (typed by hand, or copied "
        "from another sheet?). Nothing was sent. Clear their status cells to have them sent, "
        "or run again with --trust-sheet to take the sheet's word (they are then not messaged)"
    )


def _holders(prepared: Prepared) -> str:
    """The files the statuses were read from: the sheet, `output`, an earlier version's file."""
    return ", ".join(prepared.status_sources) or prepared.table.path.name


def _shown(prepared: Prepared) -> str:
    """The statuses the sheet shows: '12 sent, 40 pending'."""
    counts = Counter(rp.row.previous.status for rp in prepared.plans)
    shown = ", ".join(f"{counts[status]} {status}" for status in Status if counts[status])
    return shown or "no statuses"


def _after(prepared: Prepared) -> str:
    times = [rp.row.previous.sent_at for rp in prepared.plans if rp.row.previous.sent_at]
    return f" after {max(times)}" if times else ""


def _rows(rows: list[int]) -> str:
    more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
    return f"row {rows[0]}" if len(rows) == 1 else f"rows {', '.join(map(str, rows[:5]))}{more}"


def outlook(
    prepared: Prepared,
    places: Places,
    queue: list[SendPlan],
    pools: dict[PoolKey, Pool],
    now: datetime,
    api: str,
) -> tuple[Projection, list[AccountToday]]:
    """When the campaign will be done, and each account's day so far, counting what every
    campaign of the state folder sent (for the daily caps and the warm-up) and the latest the
    API said of each quota to any of them."""
    campaign, rotate = prepared.campaign, prepared.campaign.rotate_accounts
    caps = Caps(campaign.pacing_for, sends_by_account(places.state_dir, places.sandbox))
    shared = shared_pools(places.state_dir, places.sandbox, api)
    pools = {key: later(pools.get(key), pool) for key, pool in {**pools, **shared}.items()}
    projection = project(
        queue, pools, now, pacing_for=campaign.pacing_for, rotate=rotate, caps=caps
    )
    day = campaign.api.sandbox_day_seconds if places.sandbox else None
    when, lookups = first_go(queue, pools, campaign, caps, now)
    projection = replace(projection, sandbox_day=day, resumes=when, resumes_lookups=lookups)
    names = {plan.account for plan in queue if plan.account or not rotate} | set(rotate)
    days = accounts_today(names, pools, now, pacing_for=campaign.pacing_for, caps=caps)
    return projection, days

"""Everything before the first request: read the sheet and templates, plan every row, and see
where the journal says the campaign stands."""

from __future__ import annotations

from dataclasses import dataclass, replace

from .campaign import Campaign
from .errors import InputError
from .journal import Journal
from .plans import RowPlan, plan_rows
from .quota import Pool
from .reconcile import Reconciled, reconcile
from .rows import Row, read_layout, read_row
from .settings import Places
from .sheet import Table, read_table
from .status import StatusCells
from .templates import Templates, load_templates


@dataclass(frozen=True)
class Prepared:
    """A campaign loaded and checked."""

    campaign: Campaign
    table: Table
    templates: Templates
    plans: list[RowPlan]


def prepare(campaign: Campaign, places: Places) -> Prepared:
    """Read the sheet and templates and plan every row; raises InputError on bad input."""
    table = read_table(campaign.sheet, campaign.sheet_name)
    layout = read_layout(table)
    templates = load_templates(
        campaign.message_template, campaign.subject_template, layout, campaign.sheet.name
    )
    rows = [read_row(layout, table, sheet_row) for sheet_row in table.rows]
    rows = with_earlier_statuses(rows, campaign, places)
    return Prepared(campaign, table, templates, plan_rows(rows, templates, campaign))


def with_earlier_statuses(rows: list[Row], campaign: Campaign, places: Places) -> list[Row]:
    """Rows whose status lives in another file (`output`, or the sibling of a workbook that
    cannot be written in place) take it from there, matched by recipient: should the journal
    be lost, nobody is messaged twice for it."""
    earlier: dict[str, StatusCells] = {}
    for path in places.status_files:
        if path == campaign.sheet or not path.exists():
            continue
        try:
            table = read_table(path, campaign.sheet_name)
            layout = read_layout(table)
        except InputError:
            continue  # only a second witness; the journal and the sheet itself come first
        for sheet_row in table.rows:
            row = read_row(layout, table, sheet_row)
            if row.recipient is not None and row.previous.attempted:
                for ident in row.recipient.idents:
                    earlier.setdefault(ident, row.previous)
    if not earlier:
        return rows
    return [
        replace(row, previous=found)
        if not row.previous.attempted
        and row.recipient is not None
        and (found := next((earlier[i] for i in row.recipient.idents if i in earlier), None))
        else row
        for row in rows
    ]


def look(
    prepared: Prepared, places: Places, resend_unknown: bool = False
) -> tuple[Reconciled, list[tuple[str, Pool]]]:
    """What a run would start from, read without taking the campaign (dry run, status)."""
    entries = []
    pools: list[tuple[str, Pool]] = []
    if places.journal.exists():
        with Journal(places.journal) as journal:
            entries = journal.entries()
            pools = journal.all_pools()
    return reconcile(prepared.plans, entries, resend_unknown), pools

"""Where a campaign stands, gathered for the workbook report by the very stages `status` runs
(prepare, look, outlook), so the report's numbers are status's; and every send the journal
records, with the exact text that went out. Reads only: no lock is taken, and a run may be
under way."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..campaign import load_campaign
from ..errors import JournalError
from ..lock import held_by
from ..prepare import Look, Prepared, look, open_journal, outlook, prepare
from ..projection import AccountToday, Projection
from ..settings import Places, places, resolve_target


@dataclass(frozen=True)
class Send:
    """One recipient's record in the journal, as the report shows it."""

    key: str
    status: str
    detail: str
    public_id: str | None
    urn: str | None
    row: int | None
    endpoint: str | None
    account: str | None
    message: str | None
    subject: str | None
    sent_at: str | None


SEND_FIELDS = tuple(Send.__dataclass_fields__)


@dataclass(frozen=True)
class Standing:
    prepared: Prepared
    places: Places
    seen: Look  # every row's status, the queue, the quotas: as `status` sees them
    projection: Projection
    accounts: list[AccountToday]
    sends: list[Send]
    running: str | None  # which run holds the campaign, if one does
    api_name: str  # whose quotas these are: the API's base URL, or "sandbox"
    now: datetime


def stand(
    campaign_file: Path,
    env: Mapping[str, str],
    now: datetime,
    *,
    state_dir: Path | None = None,
    sandbox: bool = False,
) -> Standing:
    """The campaign as `status` reads it (a broken template still gives a report)."""
    campaign = load_campaign(campaign_file)
    target = resolve_target(campaign, env, sandbox_flag=sandbox, need_key=False)
    where = places(campaign, sandbox=target.sandbox, state_dir=state_dir)
    prepared = prepare(campaign, where, need_templates=False)
    seen = look(prepared, where)
    api_name = "sandbox" if target.sandbox else target.base_url
    projection, days = outlook(
        prepared, where, seen.start.queue, seen.pools_of(api_name), now, api_name
    )
    return Standing(
        prepared,
        where,
        seen,
        projection,
        days,
        read_sends(prepared, where),
        held_by(where.lock),
        api_name,
        now,
    )


def read_sends(prepared: Prepared, where: Places) -> list[Send]:
    """Every record of the journal, oldest send first (none where there is no journal yet)."""
    if not where.journal.exists():
        return []
    with open_journal(prepared, where) as journal:
        assert journal.db is not None
        try:
            rows = journal.db.execute(
                f"SELECT {', '.join(SEND_FIELDS)} FROM sends ORDER BY sent_at, row, key"
            ).fetchall()
        except sqlite3.Error as err:
            raise JournalError(f"{where.journal}: cannot read the journal: {err}") from None
    return [Send(*row) for row in rows]

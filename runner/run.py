"""A campaign run: plan every row, send what is due, keep the journal, write the sheet back.

The journal is the truth about what was sent; the sheet is written from it at checkpoints and
at the end. Rows are known by their recipient, not their position, so a re-sorted or extended
sheet resumes correctly.
"""

from __future__ import annotations

import random
import re
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from tqdm import tqdm

from . import failpoints
from .api import ApiClient, Outcome, SendResult
from .campaign import Campaign
from .clock import Clock, iso
from .errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_PAUSED, ApiFatal, ConfigError, RunnerError
from .journal import Entry, Journal
from .plans import RowPlan, SendPlan, plan_rows
from .quota import Pool, exhausted, observe, parse_time
from .rows import read_layout, read_row
from .sheet import Table, WriteReport, read_table, write_statuses
from .status import DONE, Status
from .templates import Templates, load_templates

# During a long run the sheet is rewritten from the journal this often. Nothing rides on it
# (the journal has every outcome); it keeps the sheet a fair picture for whoever looks, without
# rewriting a large workbook after every send.
CHECKPOINT_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class RowState:
    """What the sheet's four status cells say about one row."""

    status: Status
    detail: str = ""
    sent_at: str = ""
    urn: str = ""

    def cells(self) -> tuple[str, str, str, str]:
        return (str(self.status), self.detail, self.sent_at, self.urn)


@dataclass(frozen=True)
class Prepared:
    """A campaign loaded and checked: everything before the first request."""

    campaign: Campaign
    table: Table
    templates: Templates
    plans: list[RowPlan]


@dataclass(frozen=True)
class RunOptions:
    state_dir: Path
    api_name: str  # which API the quotas belong to: its base URL, or "sandbox"
    limit: int | None = None
    resend_unknown: bool = False


@dataclass
class RunReport:
    states: dict[int, RowState] = field(default_factory=dict)
    attempted: int = 0
    sent: int = 0
    blocked: list[Pool] = field(default_factory=list)
    failing: dict[str, str] = field(default_factory=dict)  # account -> why the API is failing
    recovered: int = 0
    limit_reached: bool = False
    interrupted: bool = False
    written: WriteReport | None = None
    exit_code: int = EXIT_OK

    def counts(self) -> Counter[Status]:
        return Counter(state.status for state in self.states.values())


def prepare(campaign: Campaign) -> Prepared:
    """Read the sheet and templates and plan every row; raises InputError on bad input."""
    table = read_table(campaign.sheet, campaign.sheet_name)
    layout = read_layout(table)
    templates = load_templates(
        campaign.message_template, campaign.subject_template, layout, campaign.sheet.name
    )
    rows = [read_row(layout, table, sheet_row) for sheet_row in table.rows]
    return Prepared(campaign, table, templates, plan_rows(rows, templates, campaign))


def journal_path(state_dir: Path, campaign: Campaign) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", campaign.name).strip("-.") or "campaign"
    return state_dir / f"{safe}.journal.sqlite"


def merge(
    plans: list[RowPlan], entries: list[Entry], resend_unknown: bool
) -> tuple[dict[int, RowState], list[SendPlan]]:
    """Combine this sheet's plans with the journal: what each row shows, and what is to send.

    A recipient the journal knows (sent, failed, unknown) is never planned again; the first
    row naming them shows the journal's record and later ones are duplicates.
    """
    by_ident: dict[str, Entry] = {}
    for entry in entries:
        if entry.status in DONE or entry.status is Status.UNKNOWN:
            for ident in entry.idents:
                by_ident.setdefault(ident, entry)
    pending_detail = {e.key: e.detail for e in entries if e.status is Status.PENDING}
    shown: dict[str, int] = {}  # journal key -> the row showing it
    states: dict[int, RowState] = {}
    queue: list[SendPlan] = []
    for row_plan in plans:
        row = row_plan.row
        entry = None
        if row.recipient is not None:
            entry = next((by_ident[i] for i in row.recipient.idents if i in by_ident), None)
        resend = (
            entry is not None
            and entry.status is Status.UNKNOWN
            and resend_unknown
            and row_plan.plan is not None
        )
        if entry is not None and not resend:
            if entry.key in shown:
                states[row.number] = RowState(
                    Status.DUPLICATE, f"same recipient as row {shown[entry.key]}"
                )
            else:
                shown[entry.key] = row.number
                states[row.number] = entry_state(entry)
        elif row_plan.plan is None:
            assert row_plan.status is not None
            states[row.number] = RowState(row_plan.status, row_plan.detail)
        else:
            if entry is not None:
                shown[entry.key] = row.number
            plan = row_plan.plan
            states[row.number] = RowState(
                Status.PENDING, pending_detail.get(plan.recipient.key, "")
            )
            queue.append(plan)
    return states, queue


def entry_state(entry: Entry) -> RowState:
    if entry.status is Status.SENT:
        return RowState(entry.status, entry.detail, entry.sent_at or "", entry.urn or "")
    return RowState(entry.status, entry.detail)


class Run:
    """One run of a campaign against the API. Use `execute()` once."""

    def __init__(
        self,
        prepared: Prepared,
        options: RunOptions,
        api: ApiClient,
        clock: Clock,
        *,
        rng: random.Random | None = None,
        progress: Callable[[int], tqdm] | None = None,
    ) -> None:
        self.prepared = prepared
        self.campaign = prepared.campaign
        self.options = options
        self.api = api
        self.clock = clock
        self.rng = rng or random.Random()
        self.progress = progress or (lambda total: tqdm(total=total, disable=True))
        self.report = RunReport()
        self.pools: dict[tuple[str, str], Pool] = {}
        self.next_send: dict[str, datetime] = {}  # account -> earliest time pacing allows
        self.in_flight: SendPlan | None = None
        self._last_checkpoint = clock.now()

    def execute(self) -> RunReport:
        journal_file = journal_path(self.options.state_dir, self.campaign)
        try:
            self.campaign.target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ConfigError(
                f"{self.campaign.path.name}: output: cannot create {self.campaign.target.parent}: "
                f"{err.strerror}"
            ) from None
        with Journal(journal_file) as journal:
            self.journal = journal
            self.report.recovered = journal.recover(self.clock.now())
            entries = journal.entries()
            self.pools = journal.pools(self.options.api_name)
            self._pace_from(entries)
            self.report.states, queue = merge(
                self.prepared.plans, entries, self.options.resend_unknown
            )
            stopped_by: BaseException | None = None
            try:
                self._send_all(queue)
            except KeyboardInterrupt:
                self.report.interrupted = True
                self._abandon_in_flight("interrupted (Ctrl-C) while sending")
            except BaseException as err:  # written back first, then reported by the caller
                stopped_by = err
                self._abandon_in_flight(f"the run failed while sending ({type(err).__name__})")
            self._note_blocked(queue)
            self._checkpoint(final=True)
            if stopped_by is not None:
                raise stopped_by
        self.report.exit_code = self._exit_code()
        return self.report

    # -- the send loop ---------------------------------------------------------------------

    def _send_all(self, queue: list[SendPlan]) -> None:
        lanes: dict[tuple[str, str], deque[SendPlan]] = {}
        for plan in queue:
            lanes.setdefault(plan.pool, deque()).append(plan)
        with self.progress(len(queue)) as bar:
            while True:
                if self.options.limit is not None and self.report.attempted >= self.options.limit:
                    self.report.limit_reached = any(lanes.values())
                    return
                plan = self._next(lanes)
                if plan is None:
                    return
                wait = (
                    self.next_send.get(plan.account_id or "", self.clock.now()) - self.clock.now()
                )
                self.clock.sleep(max(0.0, wait.total_seconds()))
                lanes[plan.pool].popleft()
                self._send(plan)
                bar.update(1)

    def _next(self, lanes: dict[tuple[str, str], deque[SendPlan]]) -> SendPlan | None:
        """The next plan to send: from an open pool, the account pacing frees first."""
        now = self.clock.now()
        best: tuple[datetime, int] | None = None
        choice = None
        for pool_key, lane in lanes.items():
            if not lane or pool_key[0] in self.report.failing:
                continue
            pool = self.pools.get(pool_key)
            if pool is not None and pool.blocked(now):
                continue
            head = lane[0]
            rank = (self.next_send.get(pool_key[0], now), head.row)
            if best is None or rank < best:
                best, choice = rank, head
        return choice

    def _send(self, plan: SendPlan) -> None:
        now = self.clock.now()
        self.journal.begin(plan, now)
        self.in_flight = plan
        failpoints.reached(failpoints.IN_FLIGHT_COMMITTED)
        result = self.api.send(plan)
        failpoints.reached(failpoints.ANSWER_RECEIVED)
        self.in_flight = None
        now = self.clock.now()
        self.report.attempted += 1
        self._learn(plan, result, now)
        key = plan.recipient.key
        if result.outcome is Outcome.SENT:
            urn = result.recipient_urn or plan.recipient.urn or ""
            self.journal.finish(key, Status.SENT, "", now, urn=urn or None)
            self._set(plan, RowState(Status.SENT, "", iso(now), urn))
            self.report.sent += 1
        elif result.outcome is Outcome.FAILED:
            self.journal.finish(key, Status.FAILED, result.detail, now)
            self._set(plan, RowState(Status.FAILED, result.detail))
        elif result.outcome is Outcome.UNKNOWN:
            detail = result.detail + " (rerun with --resend-unknown to send it again)"
            self.journal.finish(key, Status.UNKNOWN, detail, now)
            self._set(plan, RowState(Status.UNKNOWN, detail))
        elif result.outcome is Outcome.FATAL:
            self.journal.finish(key, Status.PENDING, "", now)
            raise ApiFatal(
                f"the API refused the API key ({result.detail}); check CONNECTSAFELY_API_KEY. "
                "Nothing was marked failed; the run can be repeated once the key is fixed"
            )
        else:  # RATE_LIMITED or RETRY_LATER: certainly not sent, the row waits
            if result.outcome is Outcome.RETRY_LATER:
                self.report.failing[plan.account_id or ""] = result.detail
            self.journal.finish(key, Status.PENDING, result.detail, now)
            self._set(plan, RowState(Status.PENDING, result.detail))
        self._pace(plan.account_id or "", now)
        if now - self._last_checkpoint >= CHECKPOINT_INTERVAL:
            self._checkpoint()

    def _learn(self, plan: SendPlan, result: SendResult, now: datetime) -> None:
        account, endpoint = plan.pool
        pool = self.pools.get(plan.pool) or Pool(account, endpoint)
        pool = observe(pool, result.rate, now)
        if result.outcome is Outcome.RATE_LIMITED:
            pool = exhausted(pool, result.reset, result.detail, now)
        if pool != self.pools.get(plan.pool):
            self.pools[plan.pool] = pool
            self.journal.save_pool(self.options.api_name, pool)

    def _pace(self, account: str, now: datetime) -> None:
        pacing = self.campaign.pacing
        delay = self.rng.uniform(pacing.min_delay, pacing.max_delay)
        self.next_send[account] = now + timedelta(seconds=delay)

    def _pace_from(self, entries: list[Entry]) -> None:
        """A quick re-run still keeps the pause after the previous run's last send."""
        gap = timedelta(seconds=self.campaign.pacing.min_delay)
        for entry in entries:
            sent = parse_time(entry.sent_at or "") if entry.status is Status.SENT else None
            if sent is not None:
                account = entry.account or ""
                self.next_send[account] = max(self.next_send.get(account, sent + gap), sent + gap)

    def _set(self, plan: SendPlan, state: RowState) -> None:
        self.report.states[plan.row] = state

    # -- stopping ---------------------------------------------------------------------------

    def _abandon_in_flight(self, why: str) -> None:
        """A request cut off mid-way may have been delivered: the row becomes unknown."""
        plan, self.in_flight = self.in_flight, None
        if plan is not None:
            detail = (
                f"{why}; it may or may not have been delivered "
                "(rerun with --resend-unknown to send it again)"
            )
            self.journal.finish(plan.recipient.key, Status.UNKNOWN, detail, self.clock.now())
            self._set(plan, RowState(Status.UNKNOWN, detail))

    def _note_blocked(self, queue: list[SendPlan]) -> None:
        """Pending rows waiting on a spent quota say so, with the reset time."""
        now = self.clock.now()
        waiting = {
            plan.pool for plan in queue if self.report.states[plan.row].status is Status.PENDING
        }
        self.report.blocked = [
            self.pools[key]
            for key in sorted(waiting)
            if key in self.pools and self.pools[key].blocked(now)
        ]
        blocked = {(p.account, p.endpoint): p for p in self.report.blocked}
        for plan in queue:
            state = self.report.states[plan.row]
            pool = blocked.get(plan.pool)
            if state.status is Status.PENDING and pool is not None:
                assert pool.blocked_until is not None
                self.report.states[plan.row] = replace(
                    state, detail=f"daily quota used up; resets at {iso(pool.blocked_until)}"
                )

    def _checkpoint(self, final: bool = False) -> None:
        """Write the sheet from the journal's view. A failed checkpoint loses nothing (the
        journal has it all), so only the final write's failure is reported."""
        cells = {row: state.cells() for row, state in self.report.states.items()}
        try:
            written = write_statuses(self.prepared.table, cells, self.campaign.target)
        except (OSError, RunnerError) as err:
            if final:
                raise WriteBackError(
                    f"{self.campaign.target.name}: could not write the statuses ({err}); "
                    "nothing is lost: the journal holds every outcome and the next run "
                    "writes them"
                ) from None
            return
        self.report.written = written
        self._last_checkpoint = self.clock.now()

    def _exit_code(self) -> int:
        if self.report.interrupted:
            return EXIT_INTERRUPTED
        if self.report.limit_reached:
            return EXIT_OK
        pending = self.report.counts()[Status.PENDING]
        return EXIT_PAUSED if pending else EXIT_OK


class WriteBackError(RunnerError):
    """The sheet could not be written at the end of a run (the journal still has everything)."""

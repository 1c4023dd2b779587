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
from .errors import (
    ApiFatal,
    ConfigError,
    ExitCode,
    InputError,
    RunnerError,
    SheetError,
)
from .journal import Entry, Journal
from .plans import PoolKey, RowPlan, SendPlan, plan_rows
from .quota import Pool, exhausted, observe, parse_time
from .rows import Row, read_layout, read_row
from .sheet import Table, WriteReport, read_table, statuses_sibling, write_statuses
from .status import DONE, Status, StatusCells
from .templates import Templates, load_templates

# During a long run the sheet is rewritten from the journal this often. Nothing rides on it
# (the journal has every outcome); it keeps the sheet a fair picture for whoever looks, without
# rewriting a large workbook after every send.
CHECKPOINT_INTERVAL = timedelta(minutes=1)


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
    sandbox: bool = False
    limit: int | None = None
    resend_unknown: bool = False


# A run that gets no answer this many times in a row stops: the API is in trouble, and every
# further send would only add a row that may or may not have been delivered.
MAX_UNKNOWN_IN_A_ROW = 3
# The same refusal for this many different recipients in a row is about the account or the
# request (a bad accountId, say), not about them: they go back to pending and the run stops.
MAX_SAME_FAILURE = 3


@dataclass
class RunReport:
    states: dict[int, StatusCells] = field(default_factory=dict)
    attempted: int = 0
    sent: int = 0
    blocked: list[Pool] = field(default_factory=list)
    failing: dict[str, str] = field(default_factory=dict)  # account -> why the API is failing
    stalled: str = ""  # why the run stopped early although rows could still be sent
    recovered: int = 0
    adopted: int = 0  # outcomes the sheet showed and the journal did not know
    limit_reached: bool = False
    interrupted: bool = False
    written: WriteReport | None = None
    write_error: str = ""
    exit_code: ExitCode = ExitCode.OK

    def counts(self) -> Counter[Status | None]:
        return Counter(state.status for state in self.states.values())


def prepare(campaign: Campaign, sandbox: bool = False) -> Prepared:
    """Read the sheet and templates and plan every row; raises InputError on bad input."""
    table = read_table(campaign.sheet, campaign.sheet_name)
    layout = read_layout(table)
    templates = load_templates(
        campaign.message_template, campaign.subject_template, layout, campaign.sheet.name
    )
    rows = [read_row(layout, table, sheet_row) for sheet_row in table.rows]
    rows = with_earlier_statuses(rows, campaign, sandbox)
    return Prepared(campaign, table, templates, plan_rows(rows, templates, campaign))


def with_earlier_statuses(rows: list[Row], campaign: Campaign, sandbox: bool) -> list[Row]:
    """Rows whose status lives in another file (`output`, or the sibling of a workbook that
    cannot be written in place) take it from there, matched by recipient: should the journal
    be lost, nobody is messaged twice for it."""
    earlier: dict[str, StatusCells] = {}
    for path in (status_target(campaign, sandbox), statuses_sibling(campaign.sheet)):
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


def journal_path(state_dir: Path, campaign: Campaign, sandbox: bool) -> Path:
    """One journal per campaign and API: a sandbox trial never counts as a real send."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", campaign.name).strip("-.") or "campaign"
    return state_dir / f"{safe}{'.sandbox' if sandbox else ''}.journal.sqlite"


def status_target(campaign: Campaign, sandbox: bool) -> Path:
    """Where statuses go. A sandbox run writes beside the sheet, never into it: its "sent"
    must not be mistaken for a real one, by a person or by a later real run."""
    target = campaign.target
    return target.with_name(f"{target.stem}.sandbox{target.suffix}") if sandbox else target


@dataclass(frozen=True)
class Merged:
    states: dict[int, StatusCells]  # what each row's status cells say now
    queue: list[SendPlan]  # what is to be sent, in sheet order
    adopted: list[Entry]  # outcomes known only from the sheet, to record in the journal


def merge(plans: list[RowPlan], entries: list[Entry], resend_unknown: bool) -> Merged:
    """Combine this sheet's plans with the journal: what each row shows, and what is to send.

    A recipient the journal knows (sent, failed, unknown) is never planned again; the first
    row naming them shows the journal's record and later ones are duplicates. Where the
    journal knows nothing (it was lost, or the campaign renamed) but the sheet's status says
    sent, failed or unknown, the sheet is believed: nobody is messaged twice for a lost file.
    """
    known = {ident for entry in entries for ident in entry.idents}
    adopted = [
        Entry(
            rp.row.recipient.key,
            rp.row.previous.status or Status.UNKNOWN,
            rp.row.previous.detail or "recorded in the sheet by an earlier run",
            replace(rp.row.recipient, urn=rp.row.previous.urn or rp.row.recipient.urn),
            row=rp.row.number,
            sent_at=rp.row.previous.sent_at or None,
        )
        for rp in plans
        if rp.row.recipient is not None
        and rp.row.previous.attempted
        and not known.intersection(rp.row.recipient.idents)
    ]
    by_ident: dict[str, Entry] = {}
    for done in [*entries, *adopted]:
        if done.status in DONE or done.status is Status.UNKNOWN:
            for ident in done.idents:
                by_ident.setdefault(ident, done)
    pending_detail = {e.key: e.detail for e in entries if e.status is Status.PENDING}
    shown: dict[str, int] = {}  # journal key -> the row showing it
    states: dict[int, StatusCells] = {}
    queue: list[SendPlan] = []
    for row_plan in plans:
        row = row_plan.row
        entry: Entry | None = None
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
                states[row.number] = StatusCells(
                    Status.DUPLICATE, f"same recipient as row {shown[entry.key]}"
                )
            else:
                shown[entry.key] = row.number
                states[row.number] = entry_state(entry)
        elif row_plan.plan is None:
            assert row_plan.status is not None
            states[row.number] = StatusCells(row_plan.status, row_plan.detail)
        else:
            if entry is not None:
                shown[entry.key] = row.number
            plan = row_plan.plan
            states[row.number] = StatusCells(
                Status.PENDING, pending_detail.get(plan.recipient.key, "")
            )
            queue.append(plan)
    return Merged(states, queue, adopted)


def look(
    prepared: Prepared, state_dir: Path, sandbox: bool, resend_unknown: bool = False
) -> tuple[Merged, list[tuple[str, Pool]]]:
    """What a run would start from, read without taking the campaign (dry run, status)."""
    path = journal_path(state_dir, prepared.campaign, sandbox)
    entries: list[Entry] = []
    pools: list[tuple[str, Pool]] = []
    if path.exists():
        with Journal(path, lock=False) as journal:
            entries = journal.entries()
            pools = journal.all_pools()
    return merge(prepared.plans, entries, resend_unknown), pools


def entry_state(entry: Entry) -> StatusCells:
    if entry.status is Status.SENT:
        urn = entry.recipient.urn or ""
        return StatusCells(entry.status, entry.detail, entry.sent_at or "", urn)
    return StatusCells(entry.status, entry.detail)


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
        self.pools: dict[PoolKey, Pool] = {}
        self.next_send: dict[str, datetime] = {}  # account -> earliest time pacing allows
        self.in_flight: SendPlan | None = None
        self.target = status_target(self.campaign, options.sandbox)
        # Every name of everyone messaged this run -> their row. LinkedIn's answer can reveal
        # that a public ID and a URN further down the sheet are the same person.
        self.reached: dict[str, int] = {}
        self._unknown_in_a_row = 0
        self._same_failure: list[SendPlan] = []
        self._last_failure = ""
        self._last_checkpoint = clock.now()

    def execute(self) -> RunReport:
        journal_file = journal_path(self.options.state_dir, self.campaign, self.options.sandbox)
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ConfigError(
                f"{self.campaign.path.name}: output: cannot create {self.target.parent}: "
                f"{err.strerror}"
            ) from None
        with Journal(journal_file) as journal:
            self.journal = journal
            now = self.clock.now()
            self.report.recovered = journal.recover(now)
            entries = journal.entries()
            self.pools = journal.pools(self.options.api_name)
            self._pace_from(entries)
            merged = merge(self.prepared.plans, entries, self.options.resend_unknown)
            for entry in merged.adopted:
                journal.adopt(entry, now)
            self.report.adopted = len(merged.adopted)
            self.report.states = merged.states
            self._first_write()
            stopped_by: BaseException | None = None
            try:
                self._send_all(merged.queue)
            except KeyboardInterrupt:
                self.report.interrupted = True
                self._abandon_in_flight("interrupted (Ctrl-C) while sending")
            except BaseException as err:  # written back first, then reported by the caller
                stopped_by = err
                self._abandon_in_flight(f"the run failed while sending ({type(err).__name__})")
            self._note_blocked(merged.queue)
            self._checkpoint(final=True)
            if stopped_by is not None:
                raise stopped_by
        self.report.exit_code = self._exit_code()
        return self.report

    # -- the send loop ---------------------------------------------------------------------

    def _send_all(self, queue: list[SendPlan]) -> None:
        lanes: dict[PoolKey, deque[SendPlan]] = {}
        for queued in queue:
            lanes.setdefault(queued.pool, deque()).append(queued)
        with self.progress(len(queue)) as bar:
            while True:
                if self.options.limit is not None and self.report.attempted >= self.options.limit:
                    self.report.limit_reached = any(lanes.values())
                    return
                if self.report.stalled:
                    return
                plan = self._next(lanes)
                if plan is None:
                    return  # nothing left that may be sent now
                wait = self.next_send.get(plan.account, self.clock.now()) - self.clock.now()
                self.clock.sleep(max(0.0, wait.total_seconds()))
                lanes[plan.pool].popleft()
                self._send(plan)
                bar.update(1)

    def _next(self, lanes: dict[PoolKey, deque[SendPlan]]) -> SendPlan | None:
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
        earlier = next((self.reached[i] for i in plan.recipient.idents if i in self.reached), None)
        if earlier is not None:
            detail = f"same recipient as row {earlier} (LinkedIn answered with the same URN)"
            self._set(plan, StatusCells(Status.DUPLICATE, detail))
            return
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
        self._unknown_in_a_row = (
            self._unknown_in_a_row + 1 if result.outcome is Outcome.UNKNOWN else 0
        )
        if result.outcome is not Outcome.FAILED:
            self._same_failure, self._last_failure = [], ""
        if result.outcome is Outcome.SENT:
            urn = result.recipient_urn or plan.recipient.urn or ""
            self.journal.finish(key, Status.SENT, "", now, urn=urn or None)
            self._set(plan, StatusCells(Status.SENT, "", iso(now), urn))
            self.report.sent += 1
            for ident in (*plan.recipient.idents, f"urn:{urn}"):
                self.reached[ident] = plan.row
        elif result.outcome is Outcome.FAILED:
            self.journal.finish(key, Status.FAILED, result.detail, now)
            self._set(plan, StatusCells(Status.FAILED, result.detail))
            if not _about_the_recipient(result):
                self._same_failure_check(plan, result.detail, now)
        elif result.outcome is Outcome.UNKNOWN:
            detail = result.detail + " (rerun with --resend-unknown to send it again)"
            self.journal.finish(key, Status.UNKNOWN, detail, now)
            self._set(plan, StatusCells(Status.UNKNOWN, detail))
            if self._unknown_in_a_row >= MAX_UNKNOWN_IN_A_ROW:
                self.report.stalled = (
                    f"{self._unknown_in_a_row} sends in a row got no usable answer "
                    f"({result.detail}); stopped so as not to add more rows that may or may "
                    "not have been delivered"
                )
        elif result.outcome is Outcome.FATAL:
            self.journal.finish(key, Status.PENDING, "", now)
            raise ApiFatal(
                f"{result.detail}. Nothing was marked failed; run again once it is fixed"
            )
        else:  # RATE_LIMITED or RETRY_LATER: certainly not sent, the row waits
            if result.outcome is Outcome.RETRY_LATER:
                self.report.failing[plan.account] = result.detail
            self.journal.finish(key, Status.PENDING, result.detail, now)
            self._set(plan, StatusCells(Status.PENDING, result.detail))
        self._pace(plan.account, now)
        if now - self._last_checkpoint >= CHECKPOINT_INTERVAL:
            self._checkpoint()

    def _same_failure_check(self, plan: SendPlan, detail: str, now: datetime) -> None:
        if detail != self._last_failure:
            self._same_failure, self._last_failure = [], detail
        self._same_failure.append(plan)
        if len(self._same_failure) < MAX_SAME_FAILURE:
            return
        for failed in self._same_failure:
            self.journal.finish(failed.recipient.key, Status.PENDING, "", now)
            self._set(failed, StatusCells(Status.PENDING, detail))
        raise ApiFatal(
            f"the API refused {len(self._same_failure)} different recipients in a row with the "
            f"same answer ({detail}); that is about the account or the request, not about them, "
            "so they stay pending. Fix the cause and run again"
        )

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

    def _set(self, plan: SendPlan, state: StatusCells) -> None:
        self.report.states[plan.row] = state

    # -- stopping ---------------------------------------------------------------------------

    def _abandon_in_flight(self, why: str) -> None:
        """A request cut off on the wire may have been delivered: the row becomes unknown.
        Cut off before it left (say, in a pause between retries), it simply waits."""
        plan, self.in_flight = self.in_flight, None
        if plan is None:
            return
        now = self.clock.now()
        if not self.api.may_have_delivered:
            self.journal.finish(plan.recipient.key, Status.PENDING, "", now)
            return
        detail = (
            f"{why}; it may or may not have been delivered "
            "(rerun with --resend-unknown to send it again)"
        )
        self.journal.finish(plan.recipient.key, Status.UNKNOWN, detail, now)
        self._set(plan, StatusCells(Status.UNKNOWN, detail))

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

    def _first_write(self) -> None:
        """Write the statuses once before sending: a sheet that cannot take them (locked,
        merged cells where the status columns go) stops the run while nothing is sent."""
        cells = {row: state for row, state in self.report.states.items()}
        try:
            self.report.written = write_statuses(self.prepared.table, cells, self.target)
        except OSError as err:
            raise SheetError(
                f"{self.target.name}: cannot be written ({err.strerror or err}); nothing was sent"
            ) from None
        except RunnerError as err:
            raise SheetError(f"{err}; nothing was sent") from None
        self._last_checkpoint = self.clock.now()

    def _checkpoint(self, final: bool = False) -> None:
        """Write the sheet from the journal's view. A failed write loses nothing (the journal
        has it all, and the next run writes it), so it is reported, never raised."""
        cells = {row: state for row, state in self.report.states.items()}
        try:
            written = write_statuses(self.prepared.table, cells, self.target)
        except (OSError, RunnerError) as err:
            if final:
                self.report.write_error = (
                    f"could not write the statuses ({err}); nothing is lost: the journal holds "
                    "every outcome and the next run writes them"
                )
            return
        self.report.written = written
        self._last_checkpoint = self.clock.now()

    def _exit_code(self) -> ExitCode:
        if self.report.interrupted:
            return ExitCode.INTERRUPTED
        pending = self.report.counts()[Status.PENDING]
        if self.report.limit_reached and not self.report.stalled:
            code = ExitCode.OK
        else:
            code = ExitCode.PAUSED if pending else ExitCode.OK
        # The sheet not written is worth a non-zero code even when all was sent.
        return ExitCode.FATAL if self.report.write_error and code == ExitCode.OK else code


def _about_the_recipient(result: SendResult) -> bool:
    """Refusals that are about this person, even when the words are the same for everyone:
    not found, or not visible to the sender through the group (UNAUTHORIZED_VIEWER)."""
    return result.status == 404 or "UNAUTHORIZED_VIEWER" in result.detail

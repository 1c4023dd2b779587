"""Several accounts: each sends from its own thread, so a slow one never holds back another;
rows naming no account rotate across `rotate_accounts` and keep the account that took them."""

from __future__ import annotations

import json
import signal
import sqlite3
import threading
from dataclasses import replace

import httpx

from runner import failpoints
from runner.sandbox import Sandbox, transport
from tests.support.campaign import API_KEY, make_campaign, people, run_in_process
from tests.support.faults import Fault, FaultKind
from tests.support.process import start, wait_for_requests

ACCOUNT_HEADERS = [
    "First Name",
    "Company",
    "recipientProfileId",
    "recipientProfileUrn",
    "groupId",
    "accountId",
]


def with_accounts(accounts: list[str]) -> list[list[str]]:
    return [[f"P{i}", "Acme", f"p-{i}", "", "", account] for i, account in enumerate(accounts)]


class HoldAccount(httpx.BaseTransport):
    """The sandbox, except that the answer to `account`'s first request is held back (the
    message already delivered) until the other account has had `release_after` answers, or
    for `patience` seconds at most: a slow API for one account."""

    def __init__(self, sim: Sandbox, account: str, release_after: int, patience: float = 5):
        self.inner = transport(sim)
        self.account = account
        self.release_after = release_after
        self.patience = patience
        self.others = 0
        self.held = False
        self.released_by_others = False
        self.release = threading.Event()
        self.lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.read() or b"{}")
        response = self.inner.handle_request(request)
        with self.lock:
            hold = body.get("accountId") == self.account and not self.held
            self.held = self.held or hold
            if not hold:
                self.others += body.get("accountId") != self.account
                if self.others >= self.release_after:
                    self.released_by_others = True
                    self.release.set()
        if hold:
            self.release.wait(self.patience)
        return response


def test_a_slow_account_does_not_hold_back_a_fast_one(tmp_path, clock):
    files = make_campaign(
        tmp_path, with_accounts(["slow", "fast", "fast", "fast", "fast"]), headers=ACCOUNT_HEADERS
    )
    sim = Sandbox(API_KEY, clock)
    held = HoldAccount(sim, "slow", release_after=4)
    report = run_in_process(files, clock, held)
    assert report.sent == 5
    # All four of the fast account's messages went while the slow one's answer was out.
    assert held.released_by_others
    assert [row["status"] for row in files.rows()] == ["sent"] * 5


def test_one_account_out_of_quota_does_not_stop_the_others(tmp_path, clock):
    files = make_campaign(
        tmp_path, with_accounts(["a", "b", "a", "b", "a", "b"]), headers=ACCOUNT_HEADERS
    )
    sim = Sandbox(API_KEY, clock)
    for _ in range(99):  # account a has one message left today
        sim.handle(
            "POST",
            "/linkedin/message",
            {"authorization": f"Bearer {API_KEY}", "content-type": "application/json"},
            json.dumps({"accountId": "a", "recipientProfileId": "x", "message": "hi"}).encode(),
        )
    report = run_in_process(files, clock, transport(sim))
    statuses = [(row["accountId"], row["status"]) for row in files.rows()]
    assert statuses.count(("b", "sent")) == 3
    assert statuses.count(("a", "sent")) == 1
    assert statuses.count(("a", "pending")) == 2
    assert report.exit_code == 75


def test_rotation_spreads_rows_by_what_each_account_has_left(tmp_path, clock):
    files = make_campaign(
        tmp_path,
        people(8),
        extra='rotate_accounts = ["acc_1", "acc_2"]',
        tables="[accounts.acc_1]\ndaily_limit = 2",
    )
    sim = Sandbox(API_KEY, clock)
    report = run_in_process(files, clock, transport(sim))
    assert report.sent == 8 and report.exit_code == 0  # acc_2 took what acc_1 could not
    senders = [request.account for request in sim.delivered()]
    assert senders.count("acc_1") == 2 and senders.count("acc_2") == 6


def test_rotation_with_equal_accounts_shares_the_rows(tmp_path, clock):
    files = make_campaign(
        tmp_path, people(6), extra='rotate_accounts = ["acc_1", "acc_2"]', pacing=(30, 30)
    )
    sim = Sandbox(API_KEY, clock)
    assert run_in_process(files, clock, transport(sim)).sent == 6
    senders = [request.account for request in sim.delivered()]
    assert senders.count("acc_1") == senders.count("acc_2") == 3


def journal_accounts(files) -> dict[str, str]:
    # Read-only: a writable connection's close would fold the crashed run's log into the file.
    path = files.state / "campaign.journal.sqlite"
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return dict(db.execute("SELECT public_id, account FROM sends"))
    finally:
        db.close()


def test_a_rotated_row_keeps_its_account_when_the_campaign_resumes(tmp_path, api):
    """Killed with the message on its way: the row is unknown; sent again on request, it goes
    from the account that began the conversation, even one the rotation no longer lists."""
    files = make_campaign(tmp_path, people(3), extra='rotate_accounts = ["acc_1"]')
    proc = start(files, api, crash_at=f"{failpoints.ANSWER_RECEIVED}@2")
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert journal_accounts(files) == {"person-0": "acc_1", "person-1": "acc_1"}
    files.toml.write_text(
        files.toml.read_text().replace('["acc_1"]', '["acc_2", "acc_3"]'), encoding="utf-8"
    )
    assert api.run(files, "--resend-unknown") == 0
    by_person: dict[str, list[str]] = {}
    for request in api.sim.delivered():
        by_person.setdefault(request.payload["recipientProfileId"], []).append(request.account)
    assert by_person["person-1"] == ["acc_1", "acc_1"]  # sent again, as asked, by its sender
    assert by_person["person-0"] == ["acc_1"]
    assert by_person["person-2"][0] in ("acc_2", "acc_3")


def test_a_crash_with_two_accounts_in_flight_loses_nothing_and_sends_nothing_twice(tmp_path, api):
    files = make_campaign(
        tmp_path,
        with_accounts(["a", "b", "a", "b", "a", "b"]),
        headers=ACCOUNT_HEADERS,
        extra="[api]\ntimeout = 60",
    )
    # Each account's first message is delivered, and its answer never comes: both are on the
    # wire when the process dies.
    api.sim.inject(Fault(FaultKind.HANG, times=2, seconds=10))
    proc = start(files, api)
    wait_for_requests(api, 2, proc)
    proc.kill()
    proc.communicate()
    assert api.run(files) == 0
    rows = {row["recipientProfileId"]: row for row in files.rows()}
    delivered = [r.payload["recipientProfileId"] for r in api.sim.delivered()]
    assert len(delivered) == len(set(delivered)), "someone was messaged twice"
    assert rows["p-0"]["status"] == rows["p-1"]["status"] == "unknown"
    assert [rows[f"p-{i}"]["status"] for i in range(2, 6)] == ["sent"] * 4
    for request in api.sim.received:
        assert rows[request.payload["recipientProfileId"]]["status"] in ("sent", "unknown")


def test_a_rotated_row_never_sent_goes_to_the_accounts_listed_now(tmp_path, api):
    """acc_broken fails without sending (HTTP 500, certainly not delivered): once the user takes
    it out of the rotation, its row goes from the accounts that are left."""
    files = make_campaign(tmp_path, people(1), extra='rotate_accounts = ["acc_broken"]')
    assert api.run(files) == 75
    assert {r.account for r in api.sim.received} == {"acc_broken"}
    files.toml.write_text(
        files.toml.read_text().replace('["acc_broken"]', '["acc_ok"]'), encoding="utf-8"
    )
    assert api.run(files) == 0
    assert [r.account for r in api.sim.delivered()] == ["acc_ok"]


def test_two_campaigns_never_send_from_one_account_at_once_nor_past_its_daily_limit(
    tmp_path, clock
):
    """Campaign Y starts while campaign X sends from acc_a: Y's acc_a rows wait (its acc_b rows
    go), and once X is done Y counts X's sends toward acc_a's daily limit."""
    from runner.lock import AccountLocks

    x_dir, y_dir = tmp_path / "x", tmp_path / "y"
    x_dir.mkdir()
    y_dir.mkdir()
    state = tmp_path / "state"
    limit = "daily_limit = 3"
    x = make_campaign(
        x_dir,
        with_accounts(["acc_a"] * 3),
        headers=ACCOUNT_HEADERS,
        pacing_keys=limit,
        extra='name = "x"',
    )
    y = make_campaign(
        y_dir,
        with_accounts(["acc_a", "acc_b", "acc_a"]),
        headers=ACCOUNT_HEADERS,
        pacing_keys=limit,
        extra='name = "y"',
    )
    x, y = replace(x, state=state), replace(y, state=state)
    sim = Sandbox(API_KEY, clock)
    other_run = AccountLocks(state, False, "campaign x", lambda _account: None)
    assert other_run.take("acc_a") is None  # X's run holds acc_a

    class XRunsMeanwhile:
        step = 30.0

        def start(self, total): ...
        def advance(self, plan, cells): ...
        def close(self): ...
        def waiting(self, until, now): ...

        def paused(self, wait, detail):
            if wait.reason == "elsewhere" and other_run.held:
                assert "another run is sending from account acc_a (pid " in detail
                assert "campaign x); its rows wait until that run ends" in detail
                other_run.release()
                assert run_in_process(x, clock, transport(sim)).sent == 3

    report = run_in_process(
        y, clock, transport(sim), options={"wait": True}, progress=XRunsMeanwhile()
    )
    assert report.exit_code == 0 and report.sent == 3
    by_day: dict[tuple[str, int], int] = {}
    for request in sim.delivered():
        key = (request.account, request.at.day)
        by_day[key] = by_day.get(key, 0) + 1
    assert by_day == {("acc_a", 15): 3, ("acc_b", 15): 1, ("acc_a", 16): 2}


def test_status_counts_what_other_campaigns_spent_of_a_shared_accounts_quota(tmp_path, api, capsys):
    from runner.cli import main

    state = tmp_path / "state"
    dirs = [tmp_path / "x", tmp_path / "y"]
    for folder in dirs:
        folder.mkdir()
    x = make_campaign(
        dirs[0], with_accounts(["acc_a"] * 60), headers=ACCOUNT_HEADERS, extra='name = "x"'
    )
    y = make_campaign(
        dirs[1], with_accounts(["acc_a"] * 70), headers=ACCOUNT_HEADERS, extra='name = "y"'
    )
    x, y = replace(x, state=state), replace(y, state=state)
    assert api.run(x) == 0
    capsys.readouterr()
    env = {"CONNECTSAFELY_BASE_URL": api.base_url}
    assert main(["status", str(y.toml), "--state-dir", str(state)], env=env, clock=api.clock) == 0
    out = capsys.readouterr().out
    assert "  acc_a: 60 sent today; POST /message: 40 left, resets 2026-01-16T00:00:00Z" in out
    assert "At current limits: 40 today, then 30 over the next 1 day" in out


def test_the_dry_run_shows_the_split_by_account_and_a_table_naming_no_account(
    tmp_path, api, capsys
):
    files = make_campaign(
        tmp_path,
        with_accounts(["acc_a", "ACC_A", "acc_a", ""]),
        headers=ACCOUNT_HEADERS,
        tables="[accounts.acc_x]\ndaily_limit = 5",
    )
    assert api.run(files, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "By account: acc_a 2, ACC_A 1, (default) 1." in out
    assert "Note: [accounts.acc_x] names an account no row of this campaign uses." in out

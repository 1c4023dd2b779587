"""Stopped by the system or the operator: SIGTERM (systemd, Docker, kill), SIGHUP (a closed
terminal), SIGINT (Ctrl-C), against the real CLI in a child process."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from tests.support.campaign import REPO, make_campaign, people, read_csv
from tests.support.excelbook import read_parts, write_package
from tests.support.faults import Fault, FaultKind
from tests.support.process import start, wait_for_requests


def statuses(files) -> list[str]:
    return [row["status"] for row in files.rows()]


@pytest.mark.parametrize(
    ("signum", "code"),
    [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGINT, 130)],
    ids=["SIGTERM", "SIGHUP", "SIGINT"],
)
def test_a_stop_lets_the_send_on_the_wire_finish_then_writes_back(tmp_path, api, signum, code):
    files = make_campaign(tmp_path, people(3), extra="[api]\ntimeout = 30")
    api.sim.inject(Fault(FaultKind.SLOW, seconds=1.5))  # the answer takes a while
    proc = start(files, api)
    wait_for_requests(api, 1, proc)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == code, err
    assert statuses(files) == ["sent", "pending", "pending"]  # not unknown: it was let finish
    assert len(api.sim.received) == 1  # no new send started
    assert f"Stopped by {signal.Signals(signum).name}. Everything sent is recorded" in out
    assert "1 sent this run" in out and "Traceback" not in err


def test_a_stop_during_the_pause_between_sends_ends_at_once(tmp_path, api):
    files = make_campaign(tmp_path, people(3), pacing=(60, 60))
    proc = start(files, api)
    wait_for_requests(api, 1, proc)
    time.sleep(1)  # answered at once; the runner now waits a minute before the next
    began = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 143, err
    assert time.monotonic() - began < 10  # not the rest of the minute
    assert statuses(files) == ["sent", "pending", "pending"]


def test_a_stop_between_retries_leaves_the_row_pending_not_unknown(tmp_path, api):
    files = make_campaign(tmp_path, people(2))
    busy = {"error": "maintenance", "success": False}
    api.sim.inject(Fault(FaultKind.STATUS, status=503, times=2, body=busy))  # retried after 2 s
    proc = start(files, api)
    wait_for_requests(api, 1, proc)
    time.sleep(0.5)  # in the pause before the retry: nothing on the wire
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 143, err
    assert statuses(files) == ["pending", "pending"]
    assert api.sim.delivered() == []


def test_a_second_stop_cuts_the_send_on_the_wire_short(tmp_path, api):
    files = make_campaign(tmp_path, people(2), extra="[api]\ntimeout = 60")
    api.sim.inject(Fault(FaultKind.HANG, seconds=20))
    proc = start(files, api)
    wait_for_requests(api, 1, proc)
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 143, err
    assert statuses(files) == ["unknown", "pending"]
    assert "0 sent this run (1 attempted)" in out  # the request cut short was made
    assert (
        "stopped by SIGTERM while sending; it may or may not have been delivered"
        in (files.rows()[0]["status_detail"])
    )


def test_a_stop_while_the_sheet_is_read_says_nothing_was_sent(tmp_path, api):
    from openpyxl import Workbook

    files = make_campaign(tmp_path, [], sheet_name="leads.xlsx")
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Leads")
    sheet.append(["First Name", "Company", "recipientProfileId", "Notes"])
    for i in range(20_000):
        sheet.append([f"P{i}", "Acme", f"person-{i}", "a note of some length " * 3])
    book.save(files.sheet)
    # Rows without their numbers are read by openpyxl, not calamine: slowly enough to be
    # stopped while at it.
    parts = read_parts(files.sheet)
    sheet_part = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = re.sub(rb'<row r="\d+"', b"<row", sheet_part)
    write_package(files.sheet, list(parts.items()))
    proc = start(files, api)
    time.sleep(1.5)  # it is reading the 20,000 rows
    assert proc.poll() is None
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert out == "Stopped by SIGTERM while reading the campaign; nothing was sent.\n"
    assert api.sim.received == []


def test_ctrl_c_while_the_preview_is_written_lets_it_finish(tmp_path):
    """Ctrl-C landed as the preview was being written (seen after a --lookup's pause): the
    preview was left half written, and openpyxl's half-run writers printed tracebacks. (A real
    process: a signal sent to the test's own one could land after the preview ended, and stop
    the whole suite.)"""
    rows = [[f"P{i}", "Acme", f"p{i}-friend", "", ""] for i in range(10_000)]
    files = make_campaign(tmp_path, rows, extra='route = "auto"')
    output = tmp_path / "preview.csv"
    args = ["preview", str(files.toml), "--sandbox", "--output", str(output)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "runner", *args, "--state-dir", str(files.state)],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not output.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)  # Ctrl-C as soon as the preview's file is there, being written
    assert proc.poll() is None, "the preview ended before Ctrl-C could be pressed"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Stopped by SIGINT; the preview is whole." in out
    assert len(read_csv(output)) == 10_000  # every row, none cut off
    assert err == ""

"""Security: the API key never lands in a file or on screen, templates cannot reach Python,
status text never becomes a formula, and plain HTTP is refused off loopback."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from runner.cli import main
from tests.support.campaign import API_KEY, make_campaign, people
from tests.support.faults import Fault, FaultKind


def everything_written(root) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


def test_api_key_appears_in_no_file_and_no_output(tmp_path, api, capsys, monkeypatch):
    files = make_campaign(tmp_path, people(3) + [["", "", "invalid-x", "", ""]])
    env = {"CONNECTSAFELY_API_KEY": API_KEY}
    state = ["--state-dir", str(files.state)]
    printed = []
    assert api.run(files, "--dry-run") == 0
    assert api.run(files, "--limit", "2") == 0
    api.sim.inject(Fault(FaultKind.STATUS, status=401, body={"error": "Unauthorized"}))
    assert api.run(files) == 1
    # A sandbox trial with the real key set (the sandbox then checks that key).
    assert main(["run", str(files.toml), "--sandbox", *state], env=env, clock=api.clock) == 0
    # The error paths: a refused connection, a refused base URL, a bug with its traceback.
    refused = ["--base-url", "http://127.0.0.1:9/linkedin"]
    assert main(["run", str(files.toml), *refused, *state], env=env, clock=api.clock) == 75
    plain = ["--base-url", "http://api.example.com/linkedin"]
    assert main(["run", str(files.toml), *plain, *state], env=env) == 2

    def broken(self, plan):
        raise RuntimeError("something broke")

    monkeypatch.setattr("runner.api.ApiClient.send", broken)
    assert api.run(files) == 1
    monkeypatch.undo()
    printed.append(capsys.readouterr())
    assert "unexpected error: RuntimeError: something broke" in printed[-1].err
    assert "Traceback" in printed[-1].err
    # A timeout, then the rest, then status.
    api.sim.inject(Fault(FaultKind.HANG, seconds=1))
    assert api.run(files) == 0
    assert main(["status", str(files.toml), *state], clock=api.clock) == 0
    printed.append(capsys.readouterr())

    assert all(API_KEY not in p.out + p.err for p in printed)
    assert API_KEY.encode() not in everything_written(tmp_path)
    assert b"sent" in everything_written(tmp_path)  # the files checked are the real ones
    assert len(api.sim.delivered()) == 3
    assert statuses_of(files) == ["sent", "sent", "unknown", "invalid"]


def statuses_of(files) -> list[str]:
    return [row["status"] for row in files.rows()]


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ first_name.__class__.__base__.__subclasses__() }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ lipsum.__globals__['os'].popen('id').read() }}",
        "{{ joiner.__init__.__globals__ }}",
        "{{ row.__class__.__init__.__globals__ }}",
        "{{ namespace.__init__.__globals__ }}",
        "{{ first_name.format.__globals__ }}",
        "{{ ('{0.__class__}').format(first_name) }}",
        "{{ self._TemplateReference__context }}",
    ],
)
def test_templates_cannot_reach_python_internals(tmp_path, api, template):
    files = make_campaign(tmp_path, people(1), message=template)
    code = api.run(files)
    delivered = [r.payload["message"] for r in api.sim.delivered()]
    if code == 2:  # refused as a campaign error
        assert delivered == []
        return
    row = files.rows()[0]
    assert (code, row["status"]) == (0, "invalid"), (row, delivered)
    assert "unsafe" in row["status_detail"]
    assert delivered == []


@pytest.mark.parametrize("sheet", ["leads.csv", "leads.xlsx"])
def test_status_text_is_never_a_formula(tmp_path, api, sheet):
    """Text from the API (a hostile recipientProfileUrn here) is neutralised for Excel."""
    files = make_campaign(tmp_path, people(1), sheet_name=sheet)
    evil = '=HYPERLINK("http://evil.example","click")'
    api.sim.inject(
        Fault(FaultKind.STATUS, status=200, body={"success": True, "recipientProfileUrn": evil})
    )
    assert api.run(files) == 0
    assert files.rows()[0]["recipient_urn"] == "'" + evil
    if sheet.endswith(".xlsx"):
        cell = load_workbook(files.sheet).active["I2"]
        assert (cell.value, cell.data_type) == ("'" + evil, "s")

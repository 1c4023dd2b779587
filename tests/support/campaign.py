"""Test helpers: a campaign on disk, the sandbox over loopback, a run in-process."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
from openpyxl import Workbook

from runner.api import ApiClient, ApiTarget, make_http_client
from runner.campaign import load_campaign
from runner.cli import main
from runner.clock import FakeClock
from runner.outcomes import RunReport
from runner.pacing import Pacing
from runner.prepare import prepare
from runner.run import Run
from runner.settings import RunOptions, places
from runner.sheet import read_table

from .faults import FaultySandbox

REPO = Path(__file__).resolve().parents[2]
API_KEY = "sk_test_0123456789abcdef"
HEADERS = ["First Name", "Company", "recipientProfileId", "recipientProfileUrn", "groupId"]


def write_csv(path: Path, rows: list[list[str]], delimiter: str = ",") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def write_xlsx(path: Path, rows: list[list[str]]) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass
class CampaignFiles:
    dir: Path
    toml: Path
    sheet: Path
    state: Path

    def rows(self) -> list[dict[str, str]]:
        """The sheet's rows as {header: text}, as the runner reads them."""
        table = read_table(self.sheet)
        return [dict(zip(table.headers, row.cells, strict=True)) for row in table.rows]


def make_campaign(
    tmp_path: Path,
    rows: list[list[str]],
    *,
    headers: list[str] | None = None,
    message: str = "Hi {{ first_name | default('there', true) }}, greetings from {{ company }}.",
    subject: str | None = None,
    extra: str = "",
    sheet_name: str = "leads.csv",
    pacing: tuple[float, float] = (0, 0),
    pacing_keys: str = "",
    tables: str = "",
) -> CampaignFiles:
    """A campaign folder: the sheet (.csv or .xlsx by its name), templates and a campaign file.
    `extra` goes before the `[pacing]` table, `pacing_keys` into it, `tables` after it."""
    if sheet_name.endswith(".xlsx"):
        sheet = write_xlsx(tmp_path / sheet_name, [headers or HEADERS, *rows])
    else:
        sheet = write_csv(tmp_path / sheet_name, [headers or HEADERS, *rows])
    (tmp_path / "message.txt.j2").write_text(message, encoding="utf-8")
    lines = [
        f'sheet = "{sheet_name}"',
        'message_template = "message.txt.j2"',
    ]
    if subject is not None:
        (tmp_path / "subject.txt.j2").write_text(subject, encoding="utf-8")
        lines.append('subject_template = "subject.txt.j2"')
    lines.append(extra)
    lines += ["[pacing]", f"min_delay = {pacing[0]}", f"max_delay = {pacing[1]}", pacing_keys]
    lines.append(tables)  # [accounts.NAME] tables, after [pacing]
    toml = tmp_path / "campaign.toml"
    toml.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return CampaignFiles(tmp_path, toml, sheet, tmp_path / "state")


def people(n: int, start: int = 0, company: str = "Acme") -> list[list[str]]:
    return [[f"Person{i}", company, f"person-{i}", "", ""] for i in range(start, start + n)]


@dataclass
class Api:
    sim: FaultySandbox  # `received`, `delivered()`, `inject(Fault(...))`
    clock: FakeClock
    base_url: str

    def run(self, files: CampaignFiles, *args: str) -> int:
        return main(
            [
                "run",
                str(files.toml),
                "--base-url",
                self.base_url,
                "--state-dir",
                str(files.state),
                *args,
            ],
            env={"CONNECTSAFELY_API_KEY": API_KEY},
            clock=self.clock,
        )

    def delivered_to(self) -> list[str]:
        out = []
        for request in self.sim.delivered():
            payload = request.payload or {}
            out.append(payload.get("recipientProfileUrn") or payload.get("recipientProfileId"))
        return out


def run_in_process(
    files: CampaignFiles,
    clock: FakeClock,
    transport: httpx.BaseTransport,
    *,
    pacing: Pacing | None = None,
    options: dict[str, object] | None = None,
    **run_options: object,
) -> RunReport:
    """One run through the core (no CLI), with the HTTP transport a test controls."""
    campaign = load_campaign(files.toml)
    if pacing is not None:
        campaign = replace(campaign, pacing=pacing)
    target = ApiTarget("http://sandbox.invalid/linkedin", API_KEY, 5)
    where = places(campaign, sandbox=False, state_dir=files.state)
    with make_http_client(target, transport) as http:
        return Run(
            prepare(campaign, where),
            RunOptions(where, "test", **(options or {})),  # type: ignore[arg-type]
            ApiClient(http, clock),
            clock,
            **run_options,  # type: ignore[arg-type]
        ).execute()

"""Where message_sent's text comes from: the journal's record of a send, or the plan as its
answer comes; and the campaign key that asks for the column."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from runner.answers import Outcome, SendResult
from runner.campaign import load_campaign
from runner.errors import ConfigError
from runner.journal import Entry, Journal
from runner.outcomes import outcome_cells
from runner.plans import Endpoint, SendPlan
from runner.recipient import Recipient
from runner.reconcile import entry_cells
from runner.status import Status, StatusCells, message_text

NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
ANN = Recipient("ann")


def plan(subject: str | None = None) -> SendPlan:
    return SendPlan(2, ANN, Endpoint.MESSAGE, "", "Hi Ann,\nquick one.", subject=subject)


def test_a_subject_goes_above_the_text_it_went_out_with() -> None:
    assert message_text("Hi", None) == message_text("Hi", "") == "Hi"
    assert message_text("Hi", "Quick question") == "Subject: Quick question\n\nHi"
    assert message_text(None, "Quick question") is None  # the journal has no text
    assert plan("S").sent_text == "Subject: S\n\nHi Ann,\nquick one."


@pytest.mark.parametrize(
    ("outcome", "shown"),
    [
        (Outcome.SENT, "Subject: S\n\nHi Ann,\nquick one."),
        (Outcome.UNKNOWN, "Subject: S\n\nHi Ann,\nquick one."),  # it may have gone out
        (Outcome.FAILED, ""),
        (Outcome.RETRY_LATER, ""),
    ],
)
def test_an_answer_shows_the_text_where_it_went_out(outcome: Outcome, shown: str) -> None:
    assert outcome_cells(plan("S"), SendResult(outcome, "why"), NOW).message == shown


def test_the_journal_keeps_the_text_of_every_send_and_none_of_what_it_adopted(tmp_path) -> None:
    with Journal(tmp_path / "j.sqlite", write=True) as journal:
        journal.begin(plan("S"), NOW)
        journal.finish("id:ann", StatusCells(Status.SENT), NOW)
        journal.begin(SendPlan(3, Recipient("bo"), Endpoint.MESSAGE, "", "Hi Bo"), NOW)
        journal.finish("id:bo", StatusCells(Status.UNKNOWN, "no answer"), NOW)
        journal.adopt(Entry("id:cy", Status.SENT, "", Recipient("cy")), NOW)
        entries = {entry.key: entry for entry in journal.entries()}
    cells = {key: entry_cells(entry).message for key, entry in entries.items()}
    assert cells == {"id:ann": "Subject: S\n\nHi Ann,\nquick one.", "id:bo": "Hi Bo", "id:cy": None}


@pytest.mark.parametrize("status", [Status.FAILED, Status.PENDING, Status.INVALID])
def test_rows_that_never_went_out_show_no_text(status: Status) -> None:
    entry = Entry("id:ann", status, "why", ANN, text="Hi Ann")
    assert entry_cells(entry).message == ""


def test_the_campaign_key(tmp_path) -> None:
    (tmp_path / "leads.csv").write_text("recipientProfileId\nann\n", encoding="utf-8")
    (tmp_path / "m.j2").write_text("Hi", encoding="utf-8")
    path = tmp_path / "c.toml"
    base = 'sheet = "leads.csv"\nmessage_template = "m.j2"\n'
    path.write_text(base, encoding="utf-8")
    assert load_campaign(path).write_message is False
    path.write_text(base + "write_message = true\n", encoding="utf-8")
    assert load_campaign(path).write_message is True
    path.write_text(base + 'write_message = "yes"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="write_message"):
        load_campaign(path)

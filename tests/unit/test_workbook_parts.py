"""The workbook report's pure parts: what to do about a row (remedy), the tables (frames), and
the cells as Excel takes them (cells)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from runner.report import frames
from runner.report.cells import put, value
from runner.report.remedy import Where, cell_named, remedy
from runner.report.standing import Send
from runner.status import Status
from runner.window import SendWindow

WHERE = Where(
    sheet="leads.xlsx",
    statuses="leads.xlsx",
    command="campaign-runner run q4.toml",
    headers=("First Name", "Company", "LinkedIn", "LinkedIn URL", "groupId"),
)


@pytest.mark.parametrize(
    ("status", "detail", "advice"),
    [
        (
            Status.UNKNOWN,
            "HTTP 502 from something in front of the API, not the API itself: Bad Gateway; "
            "it may have been delivered (rerun with --resend-unknown to send it again)",
            "Check on LinkedIn whether it arrived. If it did not, send it again: campaign-runner "
            "run q4.toml --resend-unknown (this sends every unknown row again).",
        ),
        (
            Status.FAILED,
            "HTTP 404: LinkedIn profile not found: jane-doe",
            "LinkedIn does not know this profile: check the recipient's cell, fix it, then clear "
            "the row's status cell in leads.xlsx: the next run sends it.",
        ),
        (
            Status.FAILED,
            "HTTP 403: Error sending group context message (UNAUTHORIZED_VIEWER: ...)",
            "LinkedIn refused it (not connected, no InMail credits, or the person does not take "
            "messages): check on LinkedIn; to try once more, then clear the row's status cell in "
            "leads.xlsx: the next run sends it.",
        ),
        (
            Status.FAILED,
            "HTTP 200: Session expired",
            "Fix what the reason names, then clear the row's status cell in leads.xlsx: the next "
            "run sends it.",
        ),
        (
            Status.INVALID,
            "groupId 'abc' is not a numeric group ID",
            "Fix cell E7 (groupId) of leads.xlsx; the next run sends it (campaign-runner run "
            "q4.toml).",
        ),
        (
            Status.INVALID,
            "LinkedIn URL 'linkedin.com/sales/lead/x' is a Sales Navigator lead link, ...",
            "Fix cell D7 (LinkedIn URL) of leads.xlsx; the next run sends it (campaign-runner "
            "run q4.toml).",
        ),
        (
            Status.INVALID,
            "LinkedIn's link 'https://example.com' is not a LinkedIn profile URL",
            "Fix cell C7 (LinkedIn) of leads.xlsx; the next run sends it (campaign-runner run "
            "q4.toml).",
        ),
        (
            Status.INVALID,
            "Company is empty (used by message.txt.j2 without a default)",
            "Fill in cell B7 (Company) of leads.xlsx or give the template a default; the next "
            "run sends it (campaign-runner run q4.toml).",
        ),
        (
            Status.INVALID,
            "no recipient: the profile ID, profile URL and URN cells are all empty",
            "Fill in the profile URL, ID or URN in row 7 of leads.xlsx; the next run sends it "
            "(campaign-runner run q4.toml).",
        ),
        (
            Status.INVALID,
            "the message is 8,123 characters; LinkedIn allows 8000",
            "Shorten the template, or the cells this row gives it; the next run sends it "
            "(campaign-runner run q4.toml).",
        ),
        (
            Status.INVALID,
            "an InMail needs a subject; set subject_template in the campaign file",
            "Give InMails a subject (subject_template), or send this row as normal; the next run "
            "sends it (campaign-runner run q4.toml).",
        ),
        (
            Status.INVALID,
            "message.txt.j2: ZeroDivisionError: division by zero",
            "Fix the template, or the cells of this row it stumbles on; the next run sends it "
            "(campaign-runner run q4.toml).",
        ),
        (
            Status.SKIPPED,
            "on the do-not-contact list (dnc.csv)",
            "Nothing, unless the listing is a mistake: take them off the list to send.",
        ),
        (
            Status.SKIPPED,
            "already messaged by campaign 'Q3' on 2026-11-30 (from acc_2)",
            "Nothing: another campaign messaged them. Set skip_contacted = false to message "
            "them anyway.",
        ),
        (
            Status.DUPLICATE,
            "same recipient as row 2",
            "Nothing: the earlier row speaks for this person.",
        ),
        (Status.SENT, "", ""),
    ],
    ids=lambda value: value if isinstance(value, Status) else None,
)
def test_what_to_do_about_a_row(status, detail, advice):
    assert remedy(status, detail, 7, WHERE) == advice


def test_the_cell_a_reason_names_is_the_longest_header_it_starts_with():
    assert cell_named("LinkedIn URL 'x' is ...", 12, WHERE.headers) == ("D12", "LinkedIn URL")
    assert cell_named("LinkedIn 'x' is ...", 12, WHERE.headers) == ("C12", "LinkedIn")
    assert cell_named("Companyname is ...", 12, WHERE.headers) is None
    assert cell_named("Company is empty", 3, ("", " ", "Company")) == ("C3", "Company")


def send(key: str, account: str | None, sent_at: str | None, message: str | None = "Hi") -> Send:
    return Send(key, "sent", "", key, None, 2, "message", account, message, None, sent_at)


def test_sends_per_day_count_in_each_accounts_own_day_and_every_day_between():
    berlin = SendWindow(zone=ZoneInfo("Europe/Berlin"))
    sent = frames.sent(
        [
            send("a", "acc_1", "2026-01-15T23:30:00Z"),  # 00:30 on the 16th in Berlin
            send("b", "", "2026-01-15T23:30:00Z"),  # the 15th in UTC
            send("c", "", "2026-01-18T10:00:00Z"),
            send("d", "acc_1", "2026-01-14T10:00:00Z", message=None),
            Send("e", "unknown", "", "e", None, 3, "message", "", "Hi", None, None),
        ]
    )
    assert list(sent["recipient"]) == ["d", "a", "b", "c"]
    assert sent["message"][0] == frames.NO_TEXT

    def day_of(label: str, moment: datetime) -> date:
        return (berlin if label == "acc_1" else SendWindow()).day(moment)

    table = frames.per_day(sent, day_of)
    assert list(table.columns) == ["(default)", "acc_1", "all accounts"]
    assert table.to_dict("index") == {
        date(2026, 1, 14): {"(default)": 0, "acc_1": 1, "all accounts": 1},
        date(2026, 1, 15): {"(default)": 1, "acc_1": 0, "all accounts": 1},
        date(2026, 1, 16): {"(default)": 0, "acc_1": 1, "all accounts": 1},
        date(2026, 1, 17): {"(default)": 0, "acc_1": 0, "all accounts": 0},
        date(2026, 1, 18): {"(default)": 1, "acc_1": 0, "all accounts": 1},
    }
    assert frames.per_day(frames.sent([]), day_of).empty


def test_counts_by_route_leave_out_rows_with_none_and_keep_the_status_order():
    table = pd.DataFrame(
        {
            "status": ["pending", "sent", "invalid", "sent", "failed"],
            "account": ["acc_2", "acc_1", None, "acc_2", "acc_1"],
        }
    )
    pivot = frames.by_route(table, "account")
    assert list(pivot.columns) == ["sent", "pending", "failed", "total"]
    assert pivot.to_dict("index") == {
        "acc_1": {"sent": 1, "pending": 0, "failed": 1, "total": 2},
        "acc_2": {"sent": 1, "pending": 1, "failed": 0, "total": 2},
    }
    assert list(frames.by_status(table)) == [2, 1, 1, 0, 1, 0, 0]


def test_profile_links():
    assert frames.profile_link("jane", None) == "https://www.linkedin.com/in/jane"
    urn = "urn:li:fsd_profile:ACoAAb"
    assert frames.profile_link(None, urn) == "https://www.linkedin.com/in/ACoAAb"
    assert frames.profile_link(None, "urn:li:member:1") == ""


def test_cells_take_what_pandas_gives_and_text_stays_text():
    assert value(np.int64(3)) == 3 and type(value(np.int64(3))) is int
    assert value(float("nan")) is None and value(pd.NaT) is None and value(None) is None
    assert value(pd.Timestamp("2026-01-15 09:00")) == datetime(2026, 1, 15, 9, 0)
    assert value("bell\x07 and tab\t") == "bell\ufffd and tab\t"
    assert len(value("x" * 40_000)) == 32_767
    sheet = Workbook().active
    put(sheet, 1, 1, '=HYPERLINK("http://x.invalid")')
    put(sheet, 1, 2, datetime(2026, 1, 15, 9, 0, tzinfo=UTC).replace(tzinfo=None))
    put(sheet, 1, 3, date(2026, 1, 15))
    assert sheet["A1"].data_type == "s" and sheet["A1"].value.startswith("=")
    assert sheet["B1"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet["C1"].number_format == "yyyy-mm-dd"

"""Templates, validation and routing: a row in, a send plan (or the reason there is none) out."""

import unicodedata
from pathlib import Path

import pytest

from runner.campaign import Campaign, Limits
from runner.errors import SheetError, TemplateError
from runner.plans import plan_rows
from runner.rows import read_layout, read_row
from runner.sheet import SheetRow, Table
from runner.status import Status
from runner.templates import load_templates

HEADERS = ["First Name", "Company", "profileId", "urn", "groupId", "accountId", "messageType"]


def setup(
    tmp_path: Path,
    rows,
    message="Hi {{ first_name | default('there', true) }}",
    subject=None,
    headers=HEADERS,
    hidden=None,
    **campaign_fields,
):
    table = Table(
        path=Path("leads.csv"),
        kind="csv",
        sheet_name=None,
        headers=tuple(headers),
        rows=tuple(SheetRow(i + 2, tuple(r)) for i, r in enumerate(rows)),
        hidden=hidden or {},
    )
    layout = read_layout(table)
    (tmp_path / "m.j2").write_text(message, encoding="utf-8")
    subject_path = None
    if subject is not None:
        subject_path = tmp_path / "s.j2"
        subject_path.write_text(subject, encoding="utf-8")
    templates = load_templates(tmp_path / "m.j2", subject_path, layout, "leads.csv")
    campaign = Campaign(
        path=tmp_path / "c.toml",
        name="c",
        sheet=tmp_path / "leads.csv",
        message_template=tmp_path / "m.j2",
        subject_template=subject_path,
        **campaign_fields,
    )
    rows_ = [read_row(layout, table, r) for r in table.rows]
    return plan_rows(rows_, templates, campaign)


URN = "urn:li:fsd_profile:ACoAAA24A"


def test_routing_and_payloads(tmp_path):
    plans = setup(
        tmp_path,
        [
            ["Ann", "Acme", "ann", "", "", "", ""],
            ["Bo", "Acme", "", URN, "123", "acc_9", ""],
            ["Cy", "Acme", "cy", "", "456", "", ""],
            ["Di", "Acme", "", URN + "x", "", "", "inmail"],
        ],
        subject="For {{ company }}",
    )
    assert [p.plan.endpoint for p in plans] == ["message", "send-group", "message", "message"]
    assert plans[0].plan.payload() == {
        "recipientProfileId": "ann",
        "message": "Hi Ann",
        "subject": "For Acme",
    }
    assert plans[1].plan.payload() == {
        "recipientProfileUrn": URN,
        "groupId": "123",
        "message": "Hi Bo",
        "accountId": "acc_9",
    }
    assert plans[2].plan.payload()["groupId"] == "456"  # group context on /message
    assert plans[3].plan.payload() == {
        "recipientProfileUrn": URN + "x",
        "message": "Hi Di",
        "subject": "For Acme",
        "messageType": "inmail",
    }


def test_campaign_defaults_and_row_override(tmp_path):
    plans = setup(
        tmp_path,
        [["A", "", "a", "", "", "", ""], ["B", "", "b", "", "", "acc_row", ""]],
        account_id="acc_default",
        message_type="normal",
    )
    assert plans[0].plan.payload()["accountId"] == "acc_default"
    assert plans[0].plan.payload()["messageType"] == "normal"
    assert plans[1].plan.payload()["accountId"] == "acc_row"
    plans = setup(
        tmp_path, [["A", "", "a", "", "", "", "inmail"]], subject="S", message_type="normal"
    )
    assert plans[0].plan.payload()["messageType"] == "inmail"  # the row wins


def test_empty_cell_used_without_default_is_invalid_naming_the_column(tmp_path):
    plans = setup(
        tmp_path,
        [["", "", "ann", "", "", "", ""], ["Bo", "", "bo", "", "", "", ""]],
        message="Hello {{ first_name }}",
    )
    assert plans[0].status is Status.INVALID
    assert plans[0].detail == "First Name is empty (used by m.j2 without a default)"
    assert plans[1].plan.message == "Hello Bo"


def test_row_access_by_header_and_if_on_empty(tmp_path):
    plans = setup(
        tmp_path,
        [["Ann", "", "ann", "", "", "", ""]],
        message="{{ row['First Name'] }}{% if company %} at {{ company }}{% endif %}!",
    )
    assert plans[0].plan.message == "Ann!"


def test_unknown_column_is_a_campaign_error_with_suggestion(tmp_path):
    with pytest.raises(TemplateError) as info:
        setup(tmp_path, [["Ann", "", "ann", "", "", "", ""]], message="Hi {{ frist_name }}")
    assert str(info.value) == (
        "m.j2: line 1: uses 'frist_name', which is not a column of leads.csv "
        "(did you mean 'first_name'?)"
    )
    with pytest.raises(TemplateError, match=r"row\['Compny'\].*did you mean 'Company'"):
        setup(tmp_path, [["Ann", "", "ann", "", "", "", ""]], message="{{ row['Compny'] }}")


def test_syntax_error_names_the_line(tmp_path):
    with pytest.raises(TemplateError, match=r"^m.j2: line 2: "):
        setup(tmp_path, [["Ann", "", "ann", "", "", "", ""]], message="Hi\n{{ first_name }\n")


def test_sandbox_blocks_python_internals(tmp_path):
    plans = setup(
        tmp_path,
        [["Ann", "", "ann", "", "", "", ""]],
        message="{{ first_name.__class__.__mro__[1].__subclasses__() }}",
    )
    assert plans[0].status is Status.INVALID
    assert "unsafe" in plans[0].detail or "access" in plans[0].detail


def test_invalid_rows(tmp_path):
    plans = setup(
        tmp_path,
        [
            ["A", "", "", "", "", "", ""],  # no recipient
            ["B", "", "b", "", "", "", "inmail"],  # InMail without subject template
            ["C", "", "c", "", "", "", "fax"],  # unknown message type
            ["D", "", "", "not-a-urn", "", "", ""],  # malformed URN
        ],
    )
    assert [p.status for p in plans] == [Status.INVALID] * 4
    assert "no recipient" in plans[0].detail
    assert "InMail needs a subject" in plans[1].detail
    assert '"normal" or "inmail"' in plans[2].detail
    assert "not a LinkedIn URN" in plans[3].detail


def test_empty_message_and_length_limits(tmp_path):
    plans = setup(
        tmp_path,
        [["", "x" * 50, "a", "", "", "", ""]],
        message="{{ first_name | default('', true) }}",
    )
    assert plans[0].detail == "the message renders empty (m.j2)"
    plans = setup(
        tmp_path,
        [["B", "", "b", "", "", "", "inmail"], ["C", "", "c", "", "", "", "inmail"]],
        message="{{ 'x' * (30 if first_name == 'B' else 20) }}",
        subject="{{ 'y' * 12 }}",
        limits=Limits(message=40, inmail_body=20, inmail_subject=10),
    )
    assert plans[0].detail == "the InMail is 30 characters; LinkedIn allows 20"
    assert plans[1].detail == "the subject is 12 characters; LinkedIn allows 10"


def test_the_subject_limit_is_for_inmail_only(tmp_path):
    """A normal message's subject is optional and has no stated limit: sent as it is. The
    group endpoint takes no subject: left out."""
    plans = setup(
        tmp_path,
        [["A", "", "a", "", "", "", ""], ["B", "", "", URN, "123", "", ""]],
        subject="{{ 'y' * 12 }}",
        limits=Limits(inmail_subject=10),
    )
    assert plans[0].plan.payload() == {
        "recipientProfileId": "a",
        "message": "Hi A",
        "subject": "y" * 12,
    }
    assert "subject" not in plans[1].plan.payload()


def test_duplicates_by_any_identity(tmp_path):
    plans = setup(
        tmp_path,
        [
            ["A", "", "ann", "", "", "", ""],
            ["A2", "", "ANN", "", "", "", ""],  # public IDs are case-insensitive
            ["B", "", "bo", URN, "", "", ""],
            ["B2", "", "", URN, "1", "", ""],
        ],
    )
    assert [p.status for p in plans] == [None, Status.DUPLICATE, None, Status.DUPLICATE]
    assert plans[1].detail == "same recipient as row 2"
    assert plans[3].detail == "same recipient as row 4"


def test_invalid_first_row_does_not_hide_a_valid_later_one(tmp_path):
    plans = setup(
        tmp_path,
        [["", "", "ann", "", "", "", ""], ["Ann", "", "ann", "", "", "", ""]],
        message="Hi {{ first_name }}",
    )
    assert plans[0].status is Status.INVALID
    assert plans[1].plan is not None


def test_hidden_rows_are_held_back_unless_the_campaign_sends_them(tmp_path):
    rows = [["A", "", "a", "", "", "", ""], ["B", "", "b", "", "", "", ""]]
    hidden = {2: "filter", 3: "hand"}
    held = [rp.held for rp in setup(tmp_path, rows, hidden=hidden)]
    assert held[0].startswith("hidden by the sheet's filter, so not sent")
    assert held[1].startswith("the row is hidden in the sheet, so not sent")
    sent_anyway = setup(tmp_path, rows, hidden=hidden, send_hidden_rows=True)
    assert [rp.held for rp in sent_anyway] == ["", ""]
    assert all(rp.plan is not None for rp in sent_anyway)


def test_the_same_person_decomposed_is_a_duplicate(tmp_path):
    """A Mac pastes "ü" as u + a combining diaeresis; it is the same person."""
    plans = setup(
        tmp_path,
        [["Jürgen", "", "jürgen-m"], ["Jürgen", "", unicodedata.normalize("NFD", "Jürgen-M")]],
        headers=["First Name", "Company", "profileId"],
    )
    assert plans[0].plan.payload()["recipientProfileId"] == "jürgen-m"
    assert (plans[1].status, plans[1].detail) == (Status.DUPLICATE, "same recipient as row 2")


def test_a_member_id_url_in_a_group_row_goes_by_its_urn(tmp_path):
    member = "ACoAAA24A-MBVEvT49xpVF2gnWrhvmUIPDJshSM"
    plans = setup(
        tmp_path,
        [["Ann", f"https://www.linkedin.com/in/{member}", "123"]],
        headers=["First Name", "defaultProfileUrl", "groupId"],
    )
    assert plans[0].plan.payload() == {
        "recipientProfileUrn": f"urn:li:fsd_profile:{member}",
        "groupId": "123",
        "message": "Hi Ann",
    }


def test_a_header_with_spaces_around_it_is_found_by_its_name(tmp_path):
    plans = setup(
        tmp_path,
        [["Ann", "ann"]],
        message="Hi {{ row['First Name'] }} / {{ first_name }}",
        headers=[" First Name ", "profileId"],
    )
    assert plans[0].plan.message == "Hi Ann / Ann"


@pytest.mark.parametrize(
    ("message", "error"),
    [
        (
            "Hi {{ row['Email'] }}",
            "leads.csv: columns B and C are both named 'Email', and m.j2 uses it; rename one of "
            "them",
        ),
        (
            "Hi {{ email }}",
            "leads.csv: columns B ('Email') and C ('Email') both give the name email, and m.j2 "
            "uses it; rename one of them",
        ),
    ],
)
def test_a_template_using_a_duplicate_header_is_refused(tmp_path, message, error):
    with pytest.raises(SheetError) as caught:
        setup(
            tmp_path, [["ann", "a", "b"]], message=message, headers=["profileId", "Email", "Email"]
        )
    assert str(caught.value) == error


def test_a_duplicate_header_no_template_uses_is_fine(tmp_path):
    plans = setup(
        tmp_path, [["ann", "a", "b"]], message="Hi", headers=["profileId", "Email", "Email"]
    )
    assert plans[0].plan.message == "Hi"


def test_rows_the_sheet_shows_sent_or_failed_are_planned_without_their_message(tmp_path):
    headers = ["First Name", "profileId", "status", "status_detail"]
    rows = [
        ["", "ann", "sent", ""],
        ["", "bob", "failed", "403: refused"],
        ["", "cy", "unknown", ""],
        ["", "di", "pending", ""],
        ["", "ann", "", ""],
    ]
    # A message that cannot be rendered for any row (no first names): only rendered rows say so.
    plans = setup(tmp_path, rows, message="Hi {{ first_name }}", headers=headers)
    unrendered = [p.plan for p in plans[:2]]
    assert [(p.rendered, p.message, p.subject) for p in unrendered if p] == [(False, "", None)] * 2
    assert [p.plan.recipient.public_id for p in plans[:2] if p.plan] == ["ann", "bob"]
    assert [(p.plan, p.status) for p in plans[2:4]] == [(None, Status.INVALID)] * 2
    # The unrendered row still claims its person: a later row of theirs is a duplicate.
    assert (plans[4].status, plans[4].detail) == (Status.DUPLICATE, "same recipient as row 2")


def test_a_plan_without_its_message_is_never_a_request(tmp_path):
    headers = ["First Name", "profileId", "status"]
    plans = setup(tmp_path, [["Ann", "ann", "sent"]], headers=headers)
    plan = plans[0].plan
    assert plan is not None and not plan.rendered
    with pytest.raises(AssertionError, match="row 2: a plan without its message"):
        plan.payload()

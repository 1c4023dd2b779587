"""Recipient columns and rows: aliases, URL parsing, URN and group checks."""

import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest

from runner.columns import identifier
from runner.errors import SheetError
from runner.recipient import Recipient
from runner.rows import read_layout, read_row
from runner.sheet import SheetRow, Table


def table(headers, *rows) -> Table:
    return Table(
        path=Path("leads.csv"),
        kind="csv",
        sheet_name=None,
        headers=tuple(headers),
        rows=tuple(SheetRow(i + 2, tuple(r)) for i, r in enumerate(rows)),
    )


def one(headers, cells):
    t = table(headers, cells)
    return read_row(read_layout(t), t, t.rows[0])


def test_header_aliases_ignore_case_spaces_and_dashes():
    layout = read_layout(
        table(["Public_ID", "Profile-URN", "Group ID", "ACCOUNT id", "message type"])
    )
    assert layout.columns.profile_id == 0
    assert layout.columns.urn == 1
    assert layout.columns.group_id == 2
    assert layout.columns.account_id == 3
    assert layout.columns.message_type == 4


def test_no_recipient_column_is_a_sheet_error():
    with pytest.raises(SheetError, match=r"^leads.csv: no recipient column"):
        read_layout(table(["First Name", "Company"]))


def test_two_columns_for_one_role_is_an_error():
    with pytest.raises(SheetError, match="both give the profile id"):
        read_layout(table(["profileId", "publicId"]))


@pytest.mark.parametrize(
    "url",
    [
        "https://www.linkedin.com/in/john-doe-123/",
        "https://linkedin.com/in/john-doe-123?utm_source=share&x=1",
        "www.linkedin.com/in/john-doe-123",
        "  http://de.linkedin.com/in/john-doe-123/details/#top ",
    ],
)
def test_public_id_from_profile_url(url):
    row = one(["profileUrl"], [url])
    assert row.problem is None
    assert row.recipient == Recipient("john-doe-123", None)


@pytest.mark.parametrize("header", ["profileUrl", "LinkedIn URL", "url"])
def test_profile_url_aliases(header):
    assert one([header], ["linkedin.com/in/ann-1"]).recipient == Recipient("ann-1", None)


def test_percent_encoded_url_id():
    assert (
        one(["url"], ["https://www.linkedin.com/in/j%C3%BCrgen-m"]).recipient.public_id
        == "jürgen-m"
    )


@pytest.mark.parametrize(
    ("headers", "cells", "problem"),
    [
        (["profileUrl"], ["https://example.com/in/x"], "is not a LinkedIn profile URL"),
        (
            ["profileUrl"],
            ["https://www.linkedin.com/company/acme"],
            "is not a LinkedIn profile URL",
        ),
        (["urn"], ["urn:li:fsd_profile:"], "is not a LinkedIn URN"),
        (["urn"], ["ACoAAA24A"], "is not a LinkedIn URN"),
        (["profileId", "groupId"], ["ann", "12ab"], "is not a numeric group ID"),
        (["profileId", "messageType"], ["ann", "email"], 'is not "normal" or "inmail"'),
        (["profileId", "urn"], ["", " "], "no recipient"),
        (["profileId"], ["two words"], "is not a LinkedIn public profile ID"),
    ],
)
def test_row_problems(headers, cells, problem):
    assert problem in one(headers, cells).problem


def test_values_are_stripped_and_empty_cells_left_out():
    row = one(["First Name", "Company", "profileId", "groupId"], [" Ann ", "", " ann-1 ", " 42 "])
    assert row.values == {"First Name": "Ann", "profileId": "ann-1", "groupId": "42"}
    assert row.group_id == "42"
    assert row.recipient.public_id == "ann-1"


def test_status_columns_are_not_template_values():
    t = table(["profileId", "status", "Status Detail"], ["ann", "sent", "x"])
    layout = read_layout(t)
    assert layout.data_headers == ("profileId",)


def test_a_users_own_column_named_like_a_status_column_is_refused():
    """read_layout runs the sheet's look-alike guard (tested in tests/unit/sheet)."""
    with pytest.raises(
        SheetError, match=r"^leads.csv: row 2: the column 'Status' holds 'Hot lead'"
    ):
        read_layout(table(["profileId", "Status"], ["ann", "Hot lead"]))


def test_identity_keys():
    assert Recipient("John-Doe", None).idents == ("id:john-doe",)
    both = Recipient("ann", "urn:li:fsd_profile:ABC")
    assert both.idents == ("urn:urn:li:fsd_profile:ABC", "id:ann")
    assert both.key == "urn:urn:li:fsd_profile:ABC"


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("First Name", "first_name"),
        ("company", "company"),
        ("E-mail", "e_mail"),
        ("2nd", None),
        ("class", None),
        ("", None),
    ],
)
def test_identifier(header, name):
    assert identifier(header) == name


def linked(headers, cells, links=None, unresolved=None) -> object:
    t = replace(table(headers, cells), links=links or {}, unresolved_links=unresolved or {})
    return read_row(read_layout(t), t, t.rows[0])


def test_a_url_cell_showing_other_text_is_read_by_its_link():
    row = linked(
        ["Name", "LinkedIn URL"],
        ["Ann", "LinkedIn"],
        links={(2, 1): "https://www.linkedin.com/in/ann-lee-42/"},
    )
    assert row.problem is None and row.recipient == Recipient("ann-lee-42")
    assert row.link_note == "LinkedIn URL showed 'LinkedIn'; its link was used"


def test_a_link_says_otherwise_than_the_url_shown_the_link_wins():
    row = linked(
        ["profileUrl"],
        ["https://linkedin.com/in/ann"],
        links={(2, 0): "https://linkedin.com/in/bob"},
    )
    assert row.recipient == Recipient("bob")


def test_a_link_to_something_else_makes_the_row_invalid_never_the_text_shown():
    row = linked(
        ["profileUrl"], ["https://linkedin.com/in/ann"], links={(2, 0): "mailto:ann@example.com"}
    )
    assert row.recipient is None
    assert row.problem == (
        "profileUrl's link 'mailto:ann@example.com' is not a LinkedIn profile URL "
        "(linkedin.com/in/...)"
    )


def test_a_name_in_the_id_column_linked_to_the_profile():
    row = linked(["profileId"], ["Ann Lee"], links={(2, 0): "https://linkedin.com/in/ann-lee"})
    assert row.recipient == Recipient("ann-lee")


def test_a_link_that_matches_the_text_adds_no_note():
    url = "https://linkedin.com/in/ann"
    row = linked(["profileUrl"], [url], links={(2, 0): url})
    assert (row.recipient, row.link_note) == (Recipient("ann"), "")


def test_a_computed_hyperlink_is_trusted_only_when_it_shows_its_own_url():
    shows_itself = linked(
        ["profileUrl"],
        ["https://linkedin.com/in/ann"],
        unresolved={(2, 0): '=HYPERLINK("https://linkedin.com/in/"&B2)'},
    )
    assert shows_itself.recipient == Recipient("ann")
    hides_it = linked(
        ["profileUrl"],
        ["Profile"],
        unresolved={(2, 0): '=HYPERLINK("https://linkedin.com/in/"&B2, "Profile")'},
    )
    assert hides_it.recipient is None
    assert hides_it.problem == (
        "profileUrl shows 'Profile' but its formula (=HYPERLINK(\"https://linkedin.com/in/\"&B2, "
        '"Profile")) computes the link, which cannot be read; put the profile URL itself in the '
        "cell"
    )


def test_rows_hidden_in_the_workbook_say_how():
    t = replace(table(["profileId"], ["ann"], ["bob"], ["cy"]), hidden={2: "filter", 4: "hand"})
    layout = read_layout(t)
    assert [read_row(layout, t, r).hidden for r in t.rows] == ["filter", None, "hand"]


MEMBER = "ACoAAA24A-MBVEvT49xpVF2gnWrhvmUIPDJshSM"


def test_a_member_id_url_is_sent_as_its_urn_and_known_by_both_names():
    row = one(["Name", "profileUrl"], ["Ann", f"https://www.linkedin.com/in/{MEMBER}/"])
    assert row.problem is None
    assert row.recipient == Recipient(MEMBER, f"urn:li:fsd_profile:{MEMBER}")
    # Keyed by the URN (member IDs are case-sensitive); the lower-cased ID is how earlier
    # versions filed the row, so their journal and status_for still find it.
    assert row.recipient.key == f"urn:urn:li:fsd_profile:{MEMBER}"
    assert row.recipient.idents[1] == f"id:{MEMBER.lower()}"


def test_a_member_id_in_the_profile_id_column_is_its_urn_too():
    assert one(["recipientProfileId"], [MEMBER]).recipient.urn == f"urn:li:fsd_profile:{MEMBER}"


def test_a_member_id_url_and_a_urn_naming_another_person_is_invalid():
    row = one(["profileUrl", "urn"], [f"linkedin.com/in/{MEMBER}", "urn:li:fsd_profile:ACoAAB1"])
    assert row.problem == (
        f"urn 'urn:li:fsd_profile:ACoAAB1' and the profile URL's member ID "
        f"(urn:li:fsd_profile:{MEMBER}) name two different people; clear the wrong one"
    )
    same = one(["profileUrl", "urn"], [f"linkedin.com/in/{MEMBER}", f"urn:li:fsd_profile:{MEMBER}"])
    assert same.problem is None


def test_status_for_is_read_in_nfc():
    decomposed = unicodedata.normalize("NFD", "jürgen")
    t = table(["url", "status", "status_for"], ["linkedin.com/in/jürgen", "sent", decomposed])
    assert read_row(read_layout(t), t, t.rows[0]).previous.owner == "jürgen"


def test_a_title_block_above_the_header_suggests_header_row():
    t = replace(
        table(["Exported", "2026-01-01"]),
        rows=(SheetRow(3, ("", "")), SheetRow(4, ("Name", "Profile URL"))),
        header_row=2,
    )
    with pytest.raises(SheetError) as caught:
        read_layout(t)
    assert str(caught.value) == (
        "leads.csv: row 4 looks like the header (it has 'Profile URL'), not row 2; set "
        "header_row = 4 in the campaign file"
    )


def test_duplicate_headers_nobody_uses_are_allowed():
    t = table(["Notes", "profileId", "Notes", "Email", "email"], ["a", "ann", "b", "x", "y"])
    layout = read_layout(t)
    row = read_row(layout, t, t.rows[0])
    assert row.values == {"Notes": "a", "profileId": "ann", "Email": "x", "email": "y"}
    layout.refuse_shared("Email", "m.j2", header=True)  # each is one column by its own name
    layout.refuse_shared("profileid", "m.j2")


@pytest.mark.parametrize(
    ("name", "header", "message"),
    [
        (
            "Notes",
            True,
            "leads.csv: columns A and C are both named 'Notes', and m.j2 uses it; rename one "
            "of them",
        ),
        (
            "email",
            False,
            "leads.csv: columns D ('Email') and E ('email') both give the name email, and m.j2 "
            "uses it; write row['Email'] or row['email'] instead, or rename one of them",
        ),
    ],
)
def test_a_duplicate_a_template_uses_is_refused(name, header, message):
    t = table(["Notes", "profileId", "Notes", "Email", "email"], ["a", "ann", "b", "x", "y"])
    with pytest.raises(SheetError) as caught:
        read_layout(t).refuse_shared(name, "m.j2", header=header)
    assert str(caught.value) == message


def test_two_status_columns_are_refused():
    with pytest.raises(SheetError) as caught:
        read_layout(table(["profileId", "status", "Status"], ["ann", "", ""]))
    assert str(caught.value) == (
        "leads.csv: columns B and C are both named 'status'; the runner writes its statuses "
        "into one of them: rename or delete the other"
    )


def test_headers_reach_templates_clean():
    """Spaces around a header, and a Mac's decomposed letters, do not change its name."""
    t = table(
        [" First Name ", unicodedata.normalize("NFD", "Straße "), "profileId"], ["Ann", "x", "a"]
    )
    layout = read_layout(t)
    assert layout.data_headers == ("First Name", "Straße", "profileId")
    assert layout.names == {
        "Straße": "Straße",  # a header that is a name as written
        "profileId": "profileId",
        "first_name": "First Name",
        "straße": "Straße",
        "profileid": "profileId",
    }
    assert read_row(layout, t, t.rows[0]).values["First Name"] == "Ann"


def test_an_upper_case_profile_url_is_read():
    row = one(["profileUrl"], ["HTTPS://WWW.LINKEDIN.COM/IN/Dave-Brown"])
    assert row.problem is None and row.recipient == Recipient("Dave-Brown")


def test_a_hyperlink_formula_never_computed_is_read_by_its_link_or_explained():
    # Written by a program that does not compute formulas: no text shown, only the formula.
    literal = linked(["profileUrl"], [""], links={(2, 0): "https://linkedin.com/in/ben-1"})
    assert literal.recipient == Recipient("ben-1")
    assert literal.link_note == (
        "profileUrl showed nothing (a formula whose result was never saved); its link was used"
    )
    computed = linked(
        ["profileUrl"], [""], unresolved={(2, 0): '=HYPERLINK("https://x/in/"&A5,"Dan")'}
    )
    assert computed.recipient is None
    assert computed.problem.startswith("profileUrl holds a formula (=HYPERLINK(")
    assert "whose result was never saved" in computed.problem


def test_status_cells_are_the_rows_own_as_read_only_where_nothing_was_trimmed_or_missing():
    """`shown_in` says a write may take the row's cells as they are: not where reading trimmed
    a space or normalised a name (the write would put them right), nor where a status column
    is missing (the write adds it)."""
    from runner.status import Status, StatusCells

    cells = StatusCells(Status.SENT, "", "2026-01-15T09:00:00Z", "urn:li:fsd_profile:A1", "ann")
    status, detail, sent_at, urn, owner = cells.texts()
    headers = ["profileId", "status", "status_detail", "sent_at", "recipient_urn", "status_for"]
    assert one(headers, ["ann", status, detail, sent_at, urn, owner]).previous.shown_in == 2
    assert one(headers, ["ann", status + " ", detail, sent_at, urn, owner]).previous.shown_in == 0
    decomposed = unicodedata.normalize("NFD", "jürgen")
    name = StatusCells(Status.SENT, "", sent_at, urn).check("jürgen")
    row = one(headers, [decomposed, status, detail, sent_at, urn, f"{decomposed} #{name}"])
    assert not row.previous.torn and row.previous.shown_in == 0
    without_urn = [h for h in headers if h != "recipient_urn"]
    no_urn = f"ann #{StatusCells(Status.SENT, '', sent_at, '').check('ann')}"
    row = one(without_urn, ["ann", status, detail, sent_at, no_urn])
    assert not row.previous.torn and row.previous.shown_in == 0

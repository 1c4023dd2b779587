"""The do-not-contact list: every form a profile comes in, read as a sheet's cell is."""

from pathlib import Path

import pytest

from runner.campaign import load_campaign
from runner.contacts import read_do_not_contact
from runner.errors import ConfigError
from runner.rows import read_layout, read_row
from runner.sheet import SheetRow, Table

MEMBER = "ACoAAB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV1wX"  # a member ID, as linkedin.com/in/... has it
NAV = "ACwAAAB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV1w"  # Sales Navigator's form of a member ID
URN = "urn:li:fsd_profile:ACoAAPlainUrnB"


def listed(tmp_path: Path, text: str, name: str = "dnc.txt", encoding: str = "utf-8") -> set[str]:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return set(read_do_not_contact(path).idents)


def refused(tmp_path: Path, text: str, name: str = "dnc.txt") -> str:
    with pytest.raises(ConfigError) as info:
        listed(tmp_path, text, name)
    return str(info.value)


def sheet_idents(header: str, cell: str) -> set[str]:
    """What a sheet's row makes of the same cell: the names it is matched by."""
    table = Table(Path("leads.csv"), "csv", None, (header,), (SheetRow(2, (cell,)),))
    row = read_row(read_layout(table), table, table.rows[0])
    assert row.recipient is not None, row.problem
    return set(row.recipient.idents)


@pytest.mark.parametrize(
    ("entry", "header"),
    [
        ("ann-lee", "recipientProfileId"),
        ("Ann-Lee", "recipientProfileId"),  # public IDs are case-insensitive
        ("https://www.linkedin.com/in/ann-lee/", "profileUrl"),
        ("LINKEDIN.COM/IN/Ann-Lee?utm_source=share", "LinkedIn URL"),
        ("https://de.linkedin.com/in/ann-lee/details/#top", "LinkedIn URL"),
        (f"https://www.linkedin.com/in/{MEMBER}", "LinkedIn URL"),  # sent as its URN
        (f"https://www.linkedin.com/in/{NAV}", "Sales Navigator URL"),
        ("https://www.linkedin.com/in/j%C3%BCrgen-m", "profileUrl"),
        (URN, "recipientProfileUrn"),
    ],
)
def test_each_entry_gives_the_names_a_sheet_cell_gives(tmp_path, entry, header):
    assert listed(tmp_path, entry + "\n") == sheet_idents(header, entry)


def test_a_sales_navigator_lead_link_is_read_as_the_member_it_names(tmp_path):
    link = f"https://www.linkedin.com/sales/lead/{NAV},NAME_SEARCH,aB1c?_ntb=x"
    # The sheet's linkedin.com/in/ACwAA... link for the same member matches it.
    profile_link = sheet_idents("Sales Navigator URL", f"https://www.linkedin.com/in/{NAV}")
    assert listed(tmp_path, link + "\n") == profile_link
    people = f"https://www.linkedin.com/sales/people/{NAV},NAME_SEARCH,aB1c"
    assert listed(tmp_path, people + "\n") == profile_link


def test_a_lead_link_without_a_member_id_is_refused_with_the_line(tmp_path):
    text = "ann-lee\nhttps://www.linkedin.com/sales/lead/12345\n"
    assert refused(tmp_path, text) == (
        "dnc.txt: line 2: 'https://www.linkedin.com/sales/lead/12345' is a Sales Navigator lead "
        "link, which only Sales Navigator opens and the API cannot send to; export the leads' "
        "public profile URLs (linkedin.com/in/...) too, into a column such as 'LinkedIn URL'; "
        "correct it, or start the line with # to keep it as a note"
    )


def test_blank_lines_and_comments_are_left_out(tmp_path):
    text = "# people who asked us to stop\n\n   \nann-lee   # asked on 2026-01-02\n  # bo-2\n"
    assert listed(tmp_path, text) == {"id:ann-lee"}


def test_a_list_with_a_byte_order_mark_and_windows_line_ends(tmp_path):
    text = "\ufeffann-lee\r\nhttps://www.linkedin.com/in/bo-2\r\n\r\n" + URN + "\r\n"
    assert listed(tmp_path, text) == {"id:ann-lee", "id:bo-2", f"urn:{URN}"}


def test_a_list_saved_by_windows_in_its_own_code_page(tmp_path):
    assert listed(tmp_path, "jürgen-m\n", encoding="cp1252") == {"id:jürgen-m"}


def test_an_unreadable_line_is_refused_with_its_number_and_what_to_do(tmp_path):
    assert refused(tmp_path, "ann-lee\n\nAnn Lee\n") == (
        "dnc.txt: line 3: 'Ann Lee' is not a LinkedIn public profile ID; correct it, or start "
        "the line with # to keep it as a note"
    )
    assert "line 1: 'https://example.com/ann' is not a LinkedIn profile URL" in refused(
        tmp_path, "https://example.com/ann\n"
    )
    assert "line 1: 'urn:li:fsd_profile:' is not a LinkedIn URN" in refused(
        tmp_path, "urn:li:fsd_profile:\n"
    )


def test_an_empty_list_lists_nobody(tmp_path):
    assert listed(tmp_path, "") == set()
    assert listed(tmp_path, "# nobody yet\n") == set()
    assert listed(tmp_path, "profileUrl\n", name="dnc.csv") == set()


def test_a_csv_with_recipient_columns_matches_by_every_one_of_them(tmp_path):
    text = (
        "Name,LinkedIn URL,recipientProfileUrn,Notes\n"
        "Ann,https://www.linkedin.com/in/ann-lee,,asked to stop\n"
        f'"Lee, Bo",,{URN},"said ""no"""\n'
        f"Cy,https://www.linkedin.com/in/{MEMBER},urn:li:fsd_profile:ACoAAOther,\n"
        "Di,,,no profile known\n"  # nothing to match by: left out
    )
    assert listed(tmp_path, text, name="dnc.csv") == {
        "id:ann-lee",
        f"urn:{URN}",
        f"urn:urn:li:fsd_profile:{MEMBER}",
        f"id:{MEMBER.lower()}",
        "urn:urn:li:fsd_profile:ACoAAOther",
    }


def test_a_csv_exported_by_excel(tmp_path):
    """UTF-8 with a byte order mark, semicolons, Windows line ends, a title line above the
    header, and Excel's delimiter hint."""
    text = (
        "\ufeffsep=;\r\nDo not contact (updated 2026-01-02);;\r\n"
        "Full name;Person Linkedin Url;Company\r\n"
        "Jürgen;https://www.linkedin.com/in/jürgen-m;Acme\r\n"
        ";;\r\n"
        "Ann;http://linkedin.com/in/Ann-Lee/;Bolt\r\n"
    )
    assert listed(tmp_path, text, name="dnc.csv") == {"id:jürgen-m", "id:ann-lee"}


def test_a_csv_of_one_column_without_a_header_is_a_list(tmp_path):
    text = "https://www.linkedin.com/in/ann-lee\r\nhttps://www.linkedin.com/in/bo-2\r\n"
    assert listed(tmp_path, text, name="dnc.csv") == {"id:ann-lee", "id:bo-2"}


def test_a_bad_csv_row_is_refused_with_its_number(tmp_path):
    text = "Name,profileUrl\nAnn,https://www.linkedin.com/in/ann-lee\nBo,https://example.com/bo\n"
    assert refused(tmp_path, text, name="dnc.csv") == (
        "dnc.csv: row 3: profileUrl 'https://example.com/bo' is not a LinkedIn profile URL "
        "(linkedin.com/in/...); correct it or delete the row"
    )


def test_a_csv_without_a_recipient_column_is_refused(tmp_path):
    text = "Name,Email\nAnn,ann@example.com\n"
    assert refused(tmp_path, text, name="dnc.csv") == (
        "dnc.csv: no recipient column (found: 'Name', 'Email'); name the column of profile IDs, "
        "profile URLs or URNs recipientProfileId, profileUrl or recipientProfileUrn, or list one "
        "profile a line"
    )


def test_a_broken_csv_is_refused_as_a_sheet_would_be(tmp_path):
    message = refused(tmp_path, 'profileUrl\n"ann-lee\nbo-2\n', name="dnc.csv")
    assert message.startswith('dnc.csv: row 2: a quote (") opens a cell that is never closed')


# -- the campaign keys ----------------------------------------------------------------------


def campaign_file(tmp_path: Path, extra: str) -> Path:
    (tmp_path / "leads.csv").write_text("recipientProfileId\nann\n", encoding="utf-8")
    (tmp_path / "m.j2").write_text("Hi", encoding="utf-8")
    path = tmp_path / "c.toml"
    path.write_text(f'sheet = "leads.csv"\nmessage_template = "m.j2"\n{extra}\n', encoding="utf-8")
    return path


def test_campaign_keys_default_to_no_list_and_no_skipping(tmp_path):
    campaign = load_campaign(campaign_file(tmp_path, ""))
    assert campaign.do_not_contact is None and campaign.skip_contacted is False


def test_campaign_keys_name_the_list_relative_to_the_file(tmp_path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "dnc.csv").write_text("profileUrl\n", encoding="utf-8")
    extra = 'do_not_contact = "shared/dnc.csv"\nskip_contacted = true'
    campaign = load_campaign(campaign_file(tmp_path, extra))
    assert campaign.do_not_contact == (tmp_path / "shared" / "dnc.csv").resolve()
    assert campaign.skip_contacted is True


def test_a_missing_list_or_a_wrong_type_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_campaign(campaign_file(tmp_path, 'do_not_contact = "dnc.csv"'))
    assert str(info.value).startswith("c.toml: do_not_contact: dnc.csv does not exist (looked for")
    with pytest.raises(ConfigError, match="c.toml: skip_contacted must be true or false, not a"):
        load_campaign(campaign_file(tmp_path, 'skip_contacted = "yes"'))

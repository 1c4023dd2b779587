"""Which column names the recipient, in exports shaped like the lead tools' own (their documented
column names, their typical cells), and which columns compete."""

from pathlib import Path

import pytest

from runner.errors import SheetError
from runner.recipient import Recipient
from runner.rows import read_layout, read_row
from runner.sheet import SheetRow, Table

MEMBER = "ACoAAA24A-MBVEvT49xpVF2gnWrhvmUIPDJshSM"
SALES_MEMBER = "ACwAAAFPO7MBTwyWz9430PVElXqi8WK8C496tkw"
SALES_LEAD = f"https://www.linkedin.com/sales/lead/{SALES_MEMBER},NAME_SEARCH,u3Xy"


def table(headers, *rows) -> Table:
    return Table(
        path=Path("leads.csv"),
        kind="csv",
        sheet_name=None,
        headers=tuple(headers),
        rows=tuple(SheetRow(i + 2, tuple(r)) for i, r in enumerate(rows)),
    )


def recipients(t: Table) -> list[tuple[Recipient | None, str | None]]:
    layout = read_layout(t)
    return [(row.recipient, row.problem) for row in (read_row(layout, t, r) for r in t.rows)]


# Each export: its header row and one typical data row, as the tool writes them.
EXPORTS = {
    "apollo": (
        ["First Name", "Last Name", "Title", "Company", "Email", "Person Linkedin Url", "Website"]
        + ["Company Linkedin Url"],
        ["Ann", "Lee", "CTO", "Acme", "ann@acme.com", "http://www.linkedin.com/in/ann-lee-42"]
        + ["http://www.acme.com", "http://www.linkedin.com/company/acme"],
    ),
    "zoominfo": (
        ["ZoomInfo Contact ID", "First Name", "Last Name", "Website"]
        + ["LinkedIn Contact Profile URL", "ZoomInfo Contact Profile URL"],
        ["1234567", "Ann", "Lee", "acme.com", "linkedin.com/in/ann-lee-42"]
        + ["https://www.zoominfo.com/p/Ann-Lee/1234567"],
    ),
    "evaboot": (
        ["First Name", "Last Name", "Linkedin URL Public", "Linkedin URL Unique ID"]
        + ["Sales Navigator URL", "Company Website"],
        [
            "Ann",
            "Lee",
            "https://www.linkedin.com/in/ann-lee-42",
            f"https://www.linkedin.com/in/{MEMBER}",
        ]
        + [SALES_LEAD, "https://acme.com"],
    ),
    "phantombuster-search": (
        ["profileUrl", "fullName", "firstName", "lastName", "job", "location", "url"],
        ["https://www.linkedin.com/in/ann-lee-42/", "Ann Lee", "Ann", "Lee", "CTO", "Berlin"]
        + ["https://www.linkedin.com/search/results/people/?keywords=cto"],
    ),
    "clay": (
        ["Full Name", "Job Title", "Company Domain", "LinkedIn Profile"],
        ["Ann Lee", "CTO", "acme.com", "https://www.linkedin.com/in/ann-lee-42"],
    ),
    "hubspot": (
        ["Record ID", "First Name", "Last Name", "Email", "LinkedIn URL", "Website URL"],
        [
            "501",
            "Ann",
            "Lee",
            "ann@acme.com",
            "https://www.linkedin.com/in/ann-lee-42/",
            "acme.com",
        ],
    ),
    "salesforce": (
        ["Lead ID", "First Name", "Last Name", "Company / Account", "LinkedIn Profile URL"],
        ["00Q5e00000AbCdE", "Ann", "Lee", "Acme", "https://www.linkedin.com/in/ann-lee-42"],
    ),
    "pipedrive": (
        ["Person - Name", "Person - Organization", "Person - Email - Work", "Person - LinkedIn"],
        ["Ann Lee", "Acme", "ann@acme.com", "linkedin.com/in/ann-lee-42"],
    ),
    "captaindata": (
        ["full_name", "job_title", "linkedin_profile_url", "sales_navigator_profile_url"],
        ["Ann Lee", "CTO", "https://www.linkedin.com/in/ann-lee-42", SALES_LEAD],
    ),
    "dripify": (
        ["First name", "Last name", "Profile link", "Company"],
        ["Ann", "Lee", "https://www.linkedin.com/in/ann-lee-42/", "Acme"],
    ),
    "named-by-hand": (
        ["Name", "LinkedIn"],
        ["Ann", "https://www.linkedin.com/in/ann-lee-42"],
    ),
}


@pytest.mark.parametrize("tool", EXPORTS)
def test_lead_tool_exports_name_the_recipient(tool):
    headers, row = EXPORTS[tool]
    assert recipients(table(headers, row)) == [(Recipient("ann-lee-42"), None)]


@pytest.mark.parametrize(
    "header",
    [
        "LinkedIn Profile URL",
        "LinkedIn URL",
        "linkedInProfileUrl",
        "Person Linkedin Url",
        "Profile Link",
        "LinkedIn",
        "linkedin_url",
        "hs_linkedin_url",
        "LinkedIn_Profile_URL__c",
        "Linkedin URL Public",
    ],
)
def test_profile_url_names(header):
    t = table([header], ["https://linkedin.com/in/ann"])
    assert read_layout(t).columns.profile_urls == (0,)


def test_phantombuster_sales_navigator_export_uses_the_member_id_url():
    """profileUrl holds Sales Navigator links there; defaultProfileUrl the URN's member ID."""
    t = table(
        ["profileUrl", "linkedInProfileUrl", "defaultProfileUrl", "vmid", "fullName"],
        [SALES_LEAD, f"https://www.linkedin.com/in/{SALES_MEMBER}"]
        + [f"https://www.linkedin.com/in/{MEMBER}", SALES_MEMBER, "Ann Lee"],
    )
    assert read_layout(t).columns.profile_urls == (2, 1, 0)
    assert recipients(t) == [(Recipient(MEMBER, f"urn:li:fsd_profile:{MEMBER}"), None)]


@pytest.mark.parametrize("generic", ["URL", "url", "Website"])
def test_a_linkedin_column_beats_a_generic_url_column(generic):
    t = table(
        ["Name", generic, "LinkedIn URL"],
        ["Ann", "https://acme.com", "https://www.linkedin.com/in/ann"],
        ["Bob", "https://bob.example", "https://www.linkedin.com/in/bob"],
    )
    assert recipients(t) == [(Recipient("ann"), None), (Recipient("bob"), None)]


def test_a_generic_url_column_of_profiles_beats_an_empty_linkedin_column():
    t = table(["URL", "LinkedIn"], ["https://www.linkedin.com/in/ann", ""])
    assert recipients(t) == [(Recipient("ann"), None)]


@pytest.mark.parametrize(
    ("headers", "named"),
    [
        (["URL", "LinkedIn URL"], "'URL' and 'LinkedIn URL'"),
        (["LinkedIn", "Profile URL"], "'LinkedIn' and 'Profile URL'"),
        (["LinkedIn URL", "linkedin_url"], "'LinkedIn URL' and 'linkedin_url'"),
    ],
)
def test_two_columns_of_profile_urls_compete(headers, named):
    t = table(headers, ["https://www.linkedin.com/in/ann", "https://www.linkedin.com/in/bob"])
    with pytest.raises(SheetError) as caught:
        read_layout(t)
    assert str(caught.value) == (
        f"leads.csv: columns {named} both hold LinkedIn profile URLs, so which one names the "
        "recipient is unclear; keep one of them (rename or delete the other)"
    )


def test_a_sales_navigator_link_takes_the_public_url_of_another_column():
    t = table(
        ["profileUrl", "LinkedIn URL"],
        ["https://www.linkedin.com/in/ann", ""],
        [SALES_LEAD, "https://www.linkedin.com/in/bob"],
        [SALES_LEAD, ""],
    )
    (ann, _), (bob, _), (nobody, problem) = recipients(t)
    assert (ann, bob, nobody) == (Recipient("ann"), Recipient("bob"), None)
    assert problem == (
        f"profileUrl {SALES_LEAD!r} is a Sales Navigator lead link, which only Sales Navigator "
        "opens and the API cannot send to; export the leads' public profile URLs "
        "(linkedin.com/in/...) too, into a column such as 'LinkedIn URL'"
    )


def test_a_sheet_of_sales_navigator_links_only_makes_every_row_invalid_saying_why():
    t = table(["Name", "Sales Navigator URL"], ["Ann", SALES_LEAD])
    [(recipient, problem)] = recipients(t)
    assert recipient is None and "is a Sales Navigator lead link" in problem


def test_a_new_column_name_takes_urls_only():
    """A CRM's "LinkedIn" column may say "Yes"; today's URL names still take a bare ID."""
    t = table(["Name", "LinkedIn"], ["Ann", "Yes"])
    assert recipients(t) == [
        (None, "LinkedIn 'Yes' is not a LinkedIn profile URL (linkedin.com/in/...)")
    ]
    assert recipients(table(["profileUrl"], ["ann-1"])) == [(Recipient("ann-1"), None)]

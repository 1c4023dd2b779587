"""What one recipient cell names: public IDs, member-ID URLs, Sales Navigator links, in NFC."""

import itertools
import unicodedata

import pytest

from runner import profiles
from runner.profiles import Kind, Profile, read_profile

MEMBER = "ACoAAA24A-MBVEvT49xpVF2gnWrhvmUIPDJshSM"  # the API reference's example URN ID
SALES_MEMBER = "ACwAAAFPO7MBTwyWz9430PVElXqi8WK8C496tkw"  # as Sales Navigator exports write it


@pytest.mark.parametrize(
    ("value", "profile"),
    [
        ("https://www.linkedin.com/in/ann-lee-42/", Profile(Kind.PUBLIC, "ann-lee-42")),
        ("ann-lee-42", Profile(Kind.PUBLIC, "ann-lee-42")),
        # Phantombuster's defaultProfileUrl, Evaboot's "Linkedin URL Unique ID": the URN's ID.
        (
            f"https://www.linkedin.com/in/{MEMBER}",
            Profile(Kind.MEMBER, MEMBER, f"urn:li:fsd_profile:{MEMBER}"),
        ),
        (MEMBER, Profile(Kind.MEMBER, MEMBER, f"urn:li:fsd_profile:{MEMBER}")),
        # Sales Navigator's member-ID form opens the profile but makes no URN.
        (f"https://www.linkedin.com/in/{SALES_MEMBER}/", Profile(Kind.MEMBER_OTHER, SALES_MEMBER)),
    ],
)
def test_profile_forms(value, profile):
    assert read_profile(value, "LinkedIn URL") == profile


def test_a_public_id_shaped_like_a_member_id_only_in_part_stays_public():
    """Only LinkedIn's own 39-character IDs are member IDs; a vanity name is not."""
    assert read_profile("linkedin.com/in/acoaa-fan", "url") == Profile(Kind.PUBLIC, "acoaa-fan")


@pytest.mark.parametrize(
    "value",
    [
        f"https://www.linkedin.com/sales/lead/{SALES_MEMBER},NAME_SEARCH,u3Xy",
        f"https://www.linkedin.com/sales/people/{SALES_MEMBER},NAME_SEARCH,u3Xy?trk=x",
        f"linkedin.com/sales/lead/{SALES_MEMBER},OUT_OF_NETWORK,abcd",
    ],
)
def test_sales_navigator_lead_links_say_what_to_export(value):
    profile = read_profile(value, "Sales Navigator URL")
    assert (profile.kind, profile.public_id, profile.urn) == (Kind.SALES_NAV, None, None)
    assert profile.problem == (
        f"Sales Navigator URL {value!r} is a Sales Navigator lead link, which only Sales "
        "Navigator opens and the API cannot send to; export the leads' public profile URLs "
        "(linkedin.com/in/...) too, into a column such as 'LinkedIn URL'"
    )


@pytest.mark.parametrize(
    "value",
    [
        "https://www.linkedin.com/sales/company/1234",
        "https://www.linkedin.com/company/acme",
        "https://acme.com/in/ann",
        "http://acme.com",
    ],
)
def test_other_links_name_no_profile(value):
    profile = read_profile(value, "url")
    assert profile.kind is Kind.OTHER
    assert profile.problem == f"url {value!r} is not a LinkedIn profile URL (linkedin.com/in/...)"


def test_only_url_refuses_a_bare_word():
    """A column named "LinkedIn" may say "Yes": that is nobody's public ID."""
    assert read_profile("Yes", "LinkedIn", only_url=True).kind is Kind.OTHER
    assert read_profile("Yes", "profileId").public_id == "Yes"


@pytest.mark.parametrize(
    "value",
    [
        "https://www.linkedin.com/in/jürgen-müller",  # as typed on Windows (NFC)
        unicodedata.normalize("NFD", "https://www.linkedin.com/in/jürgen-müller"),  # a Mac paste
        "https://www.linkedin.com/in/j%C3%BCrgen-m%C3%BCller",  # as a browser copies it
        "https://www.linkedin.com/in/ju%CC%88rgen-mu%CC%88ller",  # the same, decomposed
        unicodedata.normalize("NFD", "jürgen-müller"),
    ],
)
def test_unicode_is_normalised_to_nfc(value):
    assert read_profile(value, "url") == Profile(Kind.PUBLIC, "jürgen-müller")


_URL_PARTS = (
    ["", "https://", "user@"],
    ["", "www.", "evil-"],
    ["linkedin.com", "LinkedIn.COM", "linkedin.com.evil.com"],
    ["", ":443"],
    ["/in/", "/IN/", "/pub/in/", "//in/"],
    ["dave", MEMBER, "j%C3%BCrgen", "%20", "u\u0308"],
    ["", "/", "?trk=1", "/detail/", ":", "%"],
)


def test_the_quick_reading_of_a_profile_url_agrees_with_urlsplits() -> None:
    """Common profile URLs are read by one regular expression; every URL must name the same
    profile (or the same problem) as reading it through urlsplit does: each combination of
    the parts above."""
    for parts in itertools.product(*_URL_PARTS):
        value = "".join(parts)
        for only_url in (True, False):
            if "/" in value or only_url:
                quick = read_profile(value, "url", only_url=only_url)
                assert quick == profiles._from_url(profiles.nfc(value), "url"), value

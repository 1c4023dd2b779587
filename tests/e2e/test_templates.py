"""Templates through the CLI: the messages people receive, and the usual template mistakes
refused before anything is sent."""

from __future__ import annotations

import pytest

from tests.support.campaign import make_campaign, people

HEADERS = ["First Name", "companyName", "recipientProfileId", "messageType"]

LETTER = """\
Hi {{ first_name }},
{# where we met #}
{% if companyName != '' %}
Great to meet the {{ companyName }} team.
{% else %}
Great to meet you.
{% endif %}

Best,
Sam
"""


def test_messages_have_no_blank_lines_from_blocks_and_empty_cells_compare_as_empty(tmp_path, api):
    files = make_campaign(
        tmp_path,
        [["Ann", "Acme", "ann-1", ""], ["Bo", "", "bo-2", ""]],
        headers=HEADERS,
        message=LETTER,
    )
    assert api.run(files) == 0
    assert [r.payload["message"] for r in api.sim.received] == [
        "Hi Ann,\nGreat to meet the Acme team.\n\nBest,\nSam",
        "Hi Bo,\nGreat to meet you.\n\nBest,\nSam",
    ]


def test_a_normal_message_sends_a_long_subject_and_an_inmail_is_held_to_the_limit(tmp_path, api):
    files = make_campaign(
        tmp_path,
        [["Ann", "Acme", "ann-1", "normal"], ["Bo", "Bolt", "bo-2", "inmail"]],
        headers=HEADERS,
        message="Hi {{ first_name }}",
        subject="{{ 'S' * 201 }}",
    )
    assert api.run(files) == 0
    assert [r.payload for r in api.sim.received] == [
        {
            "recipientProfileId": "ann-1",
            "message": "Hi Ann",
            "subject": "S" * 201,
            "messageType": "normal",
        }
    ]
    assert [(r["status"], r["status_detail"]) for r in files.rows()] == [
        ("sent", ""),
        ("invalid", "the subject is 201 characters; LinkedIn allows 200"),
    ]


@pytest.mark.parametrize(
    ("template", "signature", "error"),
    [
        (
            "Hi {{ First Name }},",
            None,
            "message.txt.j2: line 1: the column 'First Name' has a space, so Jinja cannot read "
            "it as a name; write {{ first_name }} or {{ row['First Name'] }}",
        ),
        (
            "Hi {{ first_name }}{% if company %} at {{ company | titel }}{% endif %}",
            None,
            "message.txt.j2: line 1: there is no filter named 'titel' (did you mean 'title'?)",
        ),
        (
            "Hi {{ first_name }},\n{% include 'signature.j2' %}",
            "Best,\n{% if sender %}{{ sender }}{% endif %}",
            "signature.j2: line 2: uses 'sender', which is not a column of leads.csv",
        ),
    ],
    ids=["spaced-name", "filter-in-if", "included-file"],
)
def test_template_mistakes_are_one_line_exit_2_and_nothing_sent(
    tmp_path, api, capsys, template, signature, error
):
    files = make_campaign(tmp_path, people(3), message=template)
    if signature is not None:
        (tmp_path / "signature.j2").write_text(signature, encoding="utf-8")
    before = {p: p.read_bytes() for p in files.dir.iterdir() if p.is_file()}
    assert api.run(files) == 2
    assert capsys.readouterr().err == f"campaign-runner: {error}\n"
    assert api.sim.received == []
    assert {p: p.read_bytes() for p in files.dir.iterdir() if p.is_file()} == before

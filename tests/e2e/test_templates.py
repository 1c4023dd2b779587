"""Templates through the CLI: the messages people receive."""

from __future__ import annotations

from tests.support.campaign import make_campaign

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

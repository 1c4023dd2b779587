"""reconcile: what each row shows and what is left to send, from the sheet and the journal."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from runner.journal import Entry
from runner.plans import Endpoint, RowPlan, SendPlan
from runner.recipient import Recipient
from runner.reconcile import (
    ADOPTED_DETAIL,
    Reached,
    complete,
    reconcile,
    sheet_records,
    unvouched,
)
from runner.rows import Row
from runner.status import Status, StatusCells

URN = "urn:li:fsd_profile:ACoAAB"
NOTHING = StatusCells()


def row_plan(
    number: int,
    public_id: str | None = None,
    urn: str | None = None,
    previous: StatusCells = NOTHING,
    problem: str | None = None,
) -> RowPlan:
    recipient = Recipient(public_id, urn) if public_id or urn else None
    row = Row(number, (), None, recipient, None, None, None, problem, previous)
    if problem or recipient is None:
        return RowPlan(row, None, Status.INVALID, problem or "no recipient")
    plan = SendPlan(number, recipient, Endpoint.MESSAGE, "", f"Hi {number}")
    return RowPlan(row, plan)


def entry(public_id: str, status: Status, detail: str = "", **kw: object) -> Entry:
    recipient = Recipient(public_id, kw.pop("urn", None))  # type: ignore[arg-type]
    return Entry(recipient.key, status, detail, recipient, **kw)  # type: ignore[arg-type]


def queued_rows(result) -> list[int]:
    return [plan.row for plan in result.queue]


def test_rows_the_api_failed_for_alone_go_after_the_others_fewest_strikes_first():
    """A row the API failed for on earlier runs (and not for others) cannot hold the rest
    back: it waits behind them, in the sheet's order within each count."""
    plans = [row_plan(n, name) for n, name in ((2, "ann"), (3, "bob"), (4, "cy"), (5, "di"))]
    entries = [
        entry("ann", Status.PENDING, "failed alone", strikes=2),
        entry("bob", Status.PENDING, "failed alone", strikes=1),
    ]
    assert queued_rows(reconcile(plans, entries, resend_unknown=False)) == [4, 5, 3, 2]
    assert queued_rows(reconcile(plans, [], resend_unknown=False)) == [2, 3, 4, 5]


def test_a_fresh_campaign_queues_every_sendable_row_and_shows_why_others_are_not():
    plans = [row_plan(2, "ann"), row_plan(3, problem="no recipient"), row_plan(4, "bob")]
    result = reconcile(plans, [], resend_unknown=False)
    assert queued_rows(result) == [2, 4]
    assert result.states == {
        2: StatusCells(Status.PENDING),
        3: StatusCells(Status.INVALID, "no recipient"),
        4: StatusCells(Status.PENDING),
    }
    assert result.adopted == []


def test_the_journal_says_sent_the_row_shows_it_and_is_not_sent_again():
    sent = entry("ann", Status.SENT, sent_at="2026-01-15T09:00:00Z", urn=URN)
    result = reconcile([row_plan(2, "ann"), row_plan(3, "bob")], [sent], resend_unknown=False)
    assert queued_rows(result) == [3]
    assert result.states[2] == StatusCells(Status.SENT, "", "2026-01-15T09:00:00Z", URN)


def test_the_journal_knows_a_person_by_the_urn_linkedin_answered():
    # Sent by public ID; LinkedIn answered the URN; the sheet now names them by URN only.
    sent = entry("ann", Status.SENT, sent_at="2026-01-15T09:00:00Z", urn=URN)
    result = reconcile([row_plan(7, urn=URN)], [sent], resend_unknown=False)
    assert result.queue == []
    assert result.states[7].status is Status.SENT


def test_the_sheet_says_sent_and_the_journal_is_empty_the_sheet_is_adopted():
    previous = StatusCells(Status.SENT, "", "2026-01-14T10:00:00Z", URN)
    plans = [row_plan(2, "ann", previous=previous), row_plan(3, "bob")]
    result = reconcile(plans, [], resend_unknown=False)
    assert queued_rows(result) == [3]
    [adopted] = result.adopted
    assert (adopted.key, adopted.status, adopted.detail) == ("id:ann", Status.SENT, ADOPTED_DETAIL)
    assert (adopted.recipient.urn, adopted.sent_at, adopted.row) == (URN, "2026-01-14T10:00:00Z", 2)
    # The journal has no text of it: message_sent keeps what the sheet shows.
    shown = StatusCells(Status.SENT, ADOPTED_DETAIL, "2026-01-14T10:00:00Z", URN, message=None)
    assert result.states[2] == shown


def test_a_sheet_status_the_journal_contradicts_is_not_adopted():
    # The journal holds this recipient (the send certainly did not go out): it is the truth.
    waiting = entry("ann", Status.PENDING, "HTTP 503: busy")
    plans = [row_plan(2, "ann", previous=StatusCells(Status.SENT))]
    result = reconcile(plans, [waiting], resend_unknown=False)
    assert result.adopted == []
    assert queued_rows(result) == [2]
    assert result.states[2] == StatusCells(Status.PENDING, "HTTP 503: busy")


def test_a_pending_or_empty_sheet_status_is_never_adopted():
    plans = [row_plan(2, "ann", previous=StatusCells(Status.PENDING, "quota"))]
    assert reconcile(plans, [], resend_unknown=False).adopted == []


def test_unknown_is_not_sent_again_without_resend_unknown():
    unknown = entry("ann", Status.UNKNOWN, "no answer after sending")
    result = reconcile([row_plan(2, "ann")], [unknown], resend_unknown=False)
    assert result.queue == []
    assert result.states[2] == StatusCells(Status.UNKNOWN, "no answer after sending")


def test_unknown_is_queued_again_with_resend_unknown():
    unknown = entry("ann", Status.UNKNOWN, "no answer after sending")
    result = reconcile([row_plan(2, "ann")], [unknown], resend_unknown=True)
    assert queued_rows(result) == [2]
    assert result.states[2] == StatusCells(Status.PENDING)


def test_resend_unknown_does_not_resend_sent_or_failed():
    entries = [entry("ann", Status.SENT), entry("bob", Status.FAILED, "HTTP 404: not found")]
    plans = [
        row_plan(2, "ann", previous=StatusCells(Status.SENT)),
        row_plan(3, "bob", previous=StatusCells(Status.FAILED, "HTTP 404: not found")),
    ]
    result = reconcile(plans, entries, resend_unknown=True)
    assert result.queue == []
    assert result.states[3] == StatusCells(Status.FAILED, "HTTP 404: not found")


def test_a_failed_row_whose_status_the_user_cleared_is_sent_again():
    failed = entry("bob", Status.FAILED, "HTTP 400: InMail credits exhausted")
    cleared = row_plan(3, "bob", previous=StatusCells(None, "HTTP 400: InMail credits exhausted"))
    result = reconcile([cleared], [failed], resend_unknown=False)
    assert queued_rows(result) == [3]
    assert result.states[3] == StatusCells(Status.PENDING)


def test_an_unknown_row_whose_status_was_cleared_still_needs_resend_unknown():
    unknown = entry("bob", Status.UNKNOWN, "cut off")
    cleared = row_plan(3, "bob")
    assert reconcile([cleared], [unknown], resend_unknown=False).queue == []


def test_the_same_person_on_a_second_row_is_a_duplicate_of_the_row_showing_the_journal():
    sent = entry("ann", Status.SENT, sent_at="2026-01-15T09:00:00Z")
    plans = [row_plan(5, "ann"), row_plan(9, "ANN")]  # public IDs ignore case
    result = reconcile(plans, [sent], resend_unknown=False)
    assert result.queue == []
    assert result.states[5].status is Status.SENT
    assert result.states[9] == StatusCells(Status.DUPLICATE, "same recipient as row 5")


def test_a_second_row_for_a_resent_unknown_is_a_duplicate_too():
    unknown = entry("ann", Status.UNKNOWN, "cut off")
    second = row_plan(3, "ann")
    # plan_rows has already made the second row a duplicate of the first
    second = RowPlan(second.row, None, Status.DUPLICATE, "same recipient as row 2")
    plans = [row_plan(2, "ann"), second]
    result = reconcile(plans, [unknown], resend_unknown=True)
    assert queued_rows(result) == [2]
    assert result.states[3] == StatusCells(Status.DUPLICATE, "same recipient as row 2")


def test_reached_tells_a_urn_answered_for_one_row_reaches_another():
    reached = Reached()
    first = row_plan(2, "ann").plan
    by_urn = row_plan(8, urn=URN).plan
    assert first is not None and by_urn is not None
    assert reached.earlier_row(by_urn) is None
    reached.add(first, URN)
    assert reached.earlier_row(by_urn) == 2
    assert reached.earlier_row(first) == 2


def owned(status: Status, owner: str, **kw: str) -> StatusCells:
    return StatusCells(status, kw.get("detail", ""), kw.get("sent_at", ""), "", owner)


def test_a_block_naming_someone_else_is_matched_back_to_their_row():
    # A sort moved ann's "sent" beside bob, and bob's "pending" beside ann.
    plans = [
        row_plan(2, "ann", previous=owned(Status.PENDING, "bob")),
        row_plan(3, "bob", previous=owned(Status.SENT, "ann", sent_at="2026-01-14T10:00:00Z")),
    ]
    records, moved = sheet_records(plans)
    assert moved == 2
    assert records == {
        2: owned(Status.SENT, "ann", sent_at="2026-01-14T10:00:00Z"),
        3: owned(Status.PENDING, "bob"),
    }
    result = reconcile(plans, [], resend_unknown=False)  # a lost journal, the sheet trusted
    assert [e.key for e in result.adopted] == ["id:ann"]
    assert queued_rows(result) == [3]
    assert result.moved == 2


def test_a_block_naming_nobody_is_taken_as_its_rows_own():
    plans = [row_plan(2, "ann", previous=StatusCells(Status.SENT))]
    assert sheet_records(plans) == ({2: StatusCells(Status.SENT)}, 0)


def test_a_block_for_someone_not_in_the_sheet_is_believed_for_nobody():
    plans = [row_plan(2, "ann", previous=owned(Status.SENT, "zed"))]
    assert sheet_records(plans) == ({}, 1)
    result = reconcile(plans, [], resend_unknown=False)
    assert result.adopted == [] and queued_rows(result) == [2]


def test_owners_match_urns_exactly_and_public_ids_without_case():
    plans = [
        row_plan(2, "Ann-1", previous=owned(Status.SENT, "ann-1")),
        row_plan(3, urn=URN, previous=owned(Status.FAILED, URN)),
    ]
    assert sheet_records(plans)[1] == 0


def test_of_two_blocks_naming_one_person_the_one_recording_a_request_wins():
    plans = [
        row_plan(2, "bob", previous=owned(Status.PENDING, "ann")),
        row_plan(3, "cy", previous=owned(Status.UNKNOWN, "ann")),
        row_plan(4, "ann"),
    ]
    assert sheet_records(plans)[0][4].status is Status.UNKNOWN


def test_a_journal_without_history_vouches_for_no_status_at_all():
    plans = [row_plan(2, "ann", previous=owned(Status.PENDING, "ann")), row_plan(3, "bob")]
    assert unvouched(plans, [], history=False) == [2]
    assert unvouched([row_plan(3, "bob")], [], history=False) == []


def test_a_journal_with_history_vouches_for_what_it_sent_and_for_pending():
    sent = entry("ann", Status.SENT)
    plans = [
        row_plan(2, "ann", previous=owned(Status.SENT, "ann")),
        row_plan(3, "bob", previous=owned(Status.PENDING, "bob")),
        row_plan(4, "cy", previous=owned(Status.SENT, "cy")),  # never sent by this journal
        row_plan(5, "dee", previous=owned(Status.SENT, "ann")),  # ann's block, moved
    ]
    assert unvouched(plans, [sent], history=True) == [4]


def test_held_rows_wait_with_their_reason_and_are_not_queued():
    held = replace(row_plan(3, "bob"), held="hidden by the sheet's filter, so not sent")
    result = reconcile([row_plan(2, "ann"), held], [], resend_unknown=False)
    assert queued_rows(result) == [2] and result.held == (3,)
    assert result.states[3] == StatusCells(
        Status.PENDING, "hidden by the sheet's filter, so not sent"
    )
    # A held row whose person the journal already messaged shows the journal's record.
    result = reconcile([held], [entry("bob", Status.SENT)], resend_unknown=False)
    assert result.states[3].status is Status.SENT and result.held == ()


def test_a_row_added_above_a_sent_one_is_the_duplicate_not_the_row_that_was_sent():
    sent = entry("ann", Status.SENT, sent_at="2026-01-15T09:00:00Z")
    inserted = row_plan(2, "ann")
    original = row_plan(
        3, "ann", previous=owned(Status.SENT, "ann", sent_at="2026-01-15T09:00:00Z")
    )
    original = RowPlan(original.row, None, Status.DUPLICATE, "same recipient as row 2")
    result = reconcile([inserted, original], [sent], resend_unknown=False)
    assert result.states[3].status is Status.SENT
    assert result.states[2] == StatusCells(Status.DUPLICATE, "same recipient as row 3")
    assert result.queue == []


def unrendered(number: int, public_id: str, shown: Status) -> RowPlan:
    """A row the sheet shows `shown`, planned without its message (plans.plan_rows)."""
    rp = row_plan(number, public_id, previous=StatusCells(shown, owner=public_id))
    assert rp.plan is not None
    return replace(rp, plan=replace(rp.plan, message="", rendered=False))


def test_complete_renders_the_unrendered_rows_the_journal_does_not_record_as_their_sheet_does(
    tmp_path,
):
    from runner.campaign import Campaign
    from runner.rows import read_layout
    from runner.sheet import Table
    from runner.templates import load_templates

    (tmp_path / "m.j2").write_text("Hello {{ row.profileId | default('you', true) }}")
    table = Table(Path("leads.csv"), "csv", None, ("profileId",), ())
    templates = load_templates(tmp_path / "m.j2", None, read_layout(table), "leads.csv")
    campaign = Campaign(tmp_path / "c.toml", "c", tmp_path / "leads.csv", tmp_path / "m.j2")
    plans = [
        unrendered(2, "ann", Status.SENT),  # the journal says sent: stays as it is
        unrendered(3, "bob", Status.FAILED),  # failed in both: stays
        unrendered(4, "cy", Status.SENT),  # the journal says pending: rendered
        unrendered(5, "di", Status.SENT),  # the journal says failed: rendered
        unrendered(6, "ed", Status.SENT),  # the journal never heard of them: rendered
        row_plan(7, "fay"),  # rendered already: left alone
    ]
    before = list(plans)
    entries = [
        entry("ann", Status.SENT),
        entry("bob", Status.FAILED),
        entry("cy", Status.PENDING),
        entry("di", Status.FAILED),
    ]
    complete(plans, entries, templates, campaign)
    assert plans[:2] == before[:2] and plans[5] is before[5]
    assert [(p.plan.rendered, p.plan.message) for p in plans[2:5] if p.plan] == [
        (True, "Hello you")  # the rows have no cells: the default
    ] * 3
    assert [p.plan.row for p in plans[2:5] if p.plan] == [4, 5, 6]
    # Now queued as any row: with the message rendered.
    result = reconcile(plans, entries, resend_unknown=False)
    assert [(plan.row, plan.message) for plan in result.queue] == [(4, "Hello you"), (7, "Hi 7")]
    assert result.states[2].status is Status.SENT and result.states[3].status is Status.FAILED


def test_complete_makes_a_row_whose_message_cannot_be_rendered_invalid(tmp_path):
    from runner.campaign import Campaign
    from runner.rows import read_layout
    from runner.sheet import Table
    from runner.templates import load_templates

    (tmp_path / "m.j2").write_text("{{ row.profileId }}")
    table = Table(Path("leads.csv"), "csv", None, ("profileId",), ())
    templates = load_templates(tmp_path / "m.j2", None, read_layout(table), "leads.csv")
    campaign = Campaign(tmp_path / "c.toml", "c", tmp_path / "leads.csv", tmp_path / "m.j2")
    plans = [unrendered(2, "ann", Status.SENT), unrendered(3, "bob", Status.SENT)]
    complete(plans, [entry("ann", Status.SENT)], templates, campaign)
    assert plans[0].plan is not None and not plans[0].plan.rendered
    assert (plans[1].plan, plans[1].status) == (None, Status.INVALID)
    assert "profileId" in plans[1].detail

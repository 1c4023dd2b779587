"""screen: rows for people not to be messaged are skipped, after reconcile."""

from __future__ import annotations

from dataclasses import replace

from runner.contacts import DoNotContact
from runner.history import Contact, Contacted
from runner.journal import Entry
from runner.plans import RowPlan
from runner.recipient import Recipient
from runner.reconcile import reconcile
from runner.screen import Screens, messaged_elsewhere, screen
from runner.status import Status, StatusCells
from tests.unit.test_reconcile import row_plan

URN = "urn:li:fsd_profile:ACoAAB"
DNC = DoNotContact("dnc.csv", frozenset({"id:bo", f"urn:{URN}"}))
Q3 = Contact("Q3 founders", Status.SENT, "2026-11-30", "acc_2")
CONTACTED = Contacted({"id:cy": Q3, "id:di": replace(Q3, status=Status.UNKNOWN, account="")})
PLANS = [row_plan(2, "ann"), row_plan(3, "Bo"), row_plan(4, "cy"), row_plan(5, "di")]


def screened(plans: list[RowPlan], screens: Screens, entries: list[Entry] | None = None):
    return screen(reconcile(plans, entries or [], resend_unknown=False), plans, screens)


def test_people_on_the_list_are_skipped_and_leave_the_queue():
    result = screened(PLANS, Screens(DNC, CONTACTED))
    assert [plan.row for plan in result.queue] == [2, 4, 5]
    assert result.states[3] == StatusCells(Status.SKIPPED, "on the do-not-contact list (dnc.csv)")
    assert result.states[4] == StatusCells(Status.PENDING)  # skip_contacted is off


def test_a_person_listed_by_any_of_their_names_is_skipped():
    result = screened([row_plan(2, "ed", URN)], Screens(DNC))
    assert result.queue == [] and result.states[2].status is Status.SKIPPED


def test_with_skip_contacted_people_other_campaigns_messaged_are_skipped_saying_where():
    result = screened(PLANS, Screens(DNC, CONTACTED, skip_contacted=True))
    assert [plan.row for plan in result.queue] == [2]
    assert result.states[4] == StatusCells(
        Status.SKIPPED, "already messaged by campaign 'Q3 founders' on 2026-11-30 (from acc_2)"
    )
    assert result.states[5].detail.startswith(
        "may already have been messaged by campaign 'Q3 founders' on 2026-11-30: its send was cut"
    )


def test_skip_contacted_skips_without_a_do_not_contact_list_and_nothing_screens_without_either():
    alone = screened(PLANS, Screens(None, CONTACTED, skip_contacted=True))
    assert [plan.row for plan in alone.queue] == [2, 3]
    assert alone.states[4].status is alone.states[5].status is Status.SKIPPED
    nothing = screened(PLANS, Screens(None, CONTACTED))  # skip_contacted off
    assert [plan.row for plan in nothing.queue] == [2, 3, 4, 5]
    assert {cells.status for cells in nothing.states.values()} == {Status.PENDING}
    assert messaged_elsewhere(PLANS, nothing.states, Contacted()) == {}
    assert messaged_elsewhere(PLANS, nothing.states, CONTACTED) == {"Q3 founders": 2}


def test_rows_already_settled_keep_their_record():
    sent = Entry("id:bo", Status.SENT, "", Recipient("bo"), sent_at="2026-01-15T09:00:00Z")
    result = screened(PLANS, Screens(DNC), [sent])
    assert result.states[3].status is Status.SENT  # what was sent stays so, listed or not
    invalid = screened([row_plan(2, problem="no recipient")], Screens(DNC))
    assert invalid.states[2].status is Status.INVALID


def test_a_hidden_row_for_someone_on_the_list_is_skipped_not_held():
    plans = [replace(rp, held="hidden by hand") for rp in PLANS[:2]]
    result = screened(plans, Screens(DNC))
    assert result.held == (2,) and result.queue == []
    assert result.states[3].status is Status.SKIPPED


def test_no_lists_change_nothing():
    start = reconcile(PLANS, [], resend_unknown=False)
    assert screen(start, PLANS, Screens()) == start


def test_rows_still_to_send_for_people_other_campaigns_messaged_by_campaign():
    start = screened(PLANS, Screens(DNC))
    assert messaged_elsewhere(PLANS, start.states, CONTACTED) == {"Q3 founders": 2}
    skipping = screened(PLANS, Screens(DNC, CONTACTED, skip_contacted=True))
    assert messaged_elsewhere(PLANS, skipping.states, CONTACTED) == {}

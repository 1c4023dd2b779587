"""route = "auto", piece by piece: what a lookup's answer means, the way it routes a row, the
lookups kept in the journal, the scheduler's rule for lookups, and the sandbox's people."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from runner.answers import Outcome, classify_lookup
from runner.campaign import Campaign, Limits, MessageType, RouteMode
from runner.journal import Journal
from runner.lookuprows import Lookup, lookup_row
from runner.pacing import Pacing
from runner.plans import NOT_REACHABLE, Endpoint, PoolKey, Route, SendPlan, Unsent, route
from runner.quota import Pool
from runner.recipient import Recipient
from runner.relationship import Relationship, lookup_path
from runner.routing import Known
from runner.sandbox import Sandbox, profile_urn, transport
from runner.schedule import Scheduler, Wait, WaitReason
from runner.status import Status
from runner.window import parse_window
from tests.support.campaign import API_KEY

NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
URN = "urn:li:fsd_profile:ACoAAFound"
CONNECTED = Relationship(True, URN, "CONNECTED")
STRANGER = Relationship(False, URN, "NOT_CONNECTED")


def campaign(**fields) -> Campaign:
    return Campaign(
        path=Path("c.toml"),
        name="c",
        sheet=Path("leads.csv"),
        message_template=Path("m.j2"),
        subject_template=Path("s.j2"),
        route=RouteMode.AUTO,
        **fields,
    )


def lookup(
    group: str | None = None, subject: str | None = "Hi", kind: MessageType | None = None
) -> SendPlan:
    return SendPlan(
        2,
        Recipient("ann"),
        Endpoint.RELATIONSHIP,
        "acc_1",
        "Hello",
        subject,
        kind,
        group,
        Route.LOOKUP,
    )


def test_a_connection_gets_a_normal_message_without_group_context():
    routed = route(lookup(group="42"), CONNECTED, campaign())
    assert isinstance(routed, SendPlan)
    assert (routed.endpoint, routed.route, routed.account) == ("message", Route.CONNECTION, "acc_1")
    assert routed.payload() == {
        "recipientProfileId": "ann",
        "message": "Hello",
        "subject": "Hi",
        "messageType": "normal",
        "accountId": "acc_1",
    }


def test_a_non_connection_in_a_group_gets_a_group_message_by_the_urn_looked_up():
    routed = route(lookup(group="42"), STRANGER, campaign(inmail=True))
    assert isinstance(routed, SendPlan) and routed.route is Route.GROUP
    assert routed.payload() == {
        "recipientProfileUrn": URN,
        "groupId": "42",
        "message": "Hello",
        "accountId": "acc_1",
    }
    assert routed.recipient.key == "id:ann"  # filed as the sheet names them, not by the URN


def test_inmail_where_the_campaign_or_the_row_allows_it_and_nothing_blind_otherwise():
    routed = route(lookup(), STRANGER, campaign(inmail=True))
    assert isinstance(routed, SendPlan) and routed.route is Route.INMAIL
    assert routed.payload()["messageType"] == "inmail" and routed.payload()["subject"] == "Hi"
    assert route(lookup(kind=MessageType.INMAIL), STRANGER, campaign()).route is Route.INMAIL  # type: ignore[union-attr]
    assert route(lookup(), STRANGER, campaign()) == Unsent(Status.SKIPPED, NOT_REACHABLE)
    refused = route(lookup(kind=MessageType.NORMAL), STRANGER, campaign(inmail=True))
    # The row's cell rules InMail out whatever the campaign allows, and its reason says so.
    assert refused == Unsent(Status.SKIPPED, NOT_REACHABLE + " (its messageType cell says normal)")
    pending = Relationship(False, URN, "INVITATION_SENT", invitation_sent=True)
    assert route(lookup(), pending, campaign()) == Unsent(
        Status.SKIPPED, NOT_REACHABLE + " (the account's invitation is pending)"
    )
    assert route(lookup(kind=MessageType.NORMAL), pending, campaign()) == Unsent(
        Status.SKIPPED,
        NOT_REACHABLE + " (the account's invitation is pending; its messageType cell says normal)",
    )


def test_an_inmail_is_checked_as_linkedin_checks_it_once_routed_so():
    assert route(lookup(subject=""), STRANGER, campaign(inmail=True)) == Unsent(
        Status.INVALID, "an InMail needs a subject"
    )
    short = campaign(inmail=True, limits=Limits(inmail_body=3))
    assert route(lookup(), STRANGER, short) == Unsent(
        Status.INVALID, "the InMail is 5 characters; LinkedIn allows 3"
    )
    assert isinstance(route(lookup(), CONNECTED, short), SendPlan)  # a normal message may


@pytest.mark.parametrize(
    ("status", "body", "outcome", "detail"),
    [
        (200, {"connected": True, "profileUrn": URN}, Outcome.FOUND, ""),
        (200, {"success": True}, Outcome.RETRY_LATER, "without a relationship"),
        (
            404,
            {"error": "LinkedIn profile not found: x", "success": False},
            Outcome.FAILED,
            "profile not found (the relationship lookup answered HTTP 404: LinkedIn profile not "
            "found: x); nothing was sent",
        ),
        (
            502,
            b"<html>Bad gateway</html>",
            Outcome.RETRY_LATER,
            "the relationship lookup: HTTP 502",
        ),
        (500, {"error": "boom", "success": False}, Outcome.RETRY_LATER, "HTTP 500"),
        (401, {"error": "Unauthorized"}, Outcome.FATAL, "the API refused the API key"),
        (
            403,
            {"error": "nope", "success": False},
            Outcome.FAILED,
            "the relationship lookup was refused",
        ),
        (
            429,
            {"error": "limited", "holdUntil": "2026-01-15T12:00:00Z"},
            Outcome.RATE_LIMITED,
            "HTTP 429",
        ),
    ],
)
def test_what_a_lookups_answer_means(status, body, outcome, detail):
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    result = classify_lookup(status, {}, content)
    assert result.outcome is outcome
    assert detail in result.detail
    assert "may have been delivered" not in result.detail  # a read delivers nothing
    if outcome is Outcome.FOUND:
        assert result.relationship == Relationship(True, URN)
    if outcome is Outcome.RATE_LIMITED:
        assert result.reset == datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def test_the_lookup_path_names_the_account_and_the_person():
    assert lookup_path("", Recipient("ann-lee")) == "/relationship/ann-lee"
    assert lookup_path("acc 1", Recipient("jörg/x")) == "/relationship/acc%201/j%C3%B6rg%2Fx"
    # Known by URN alone: asked by the member ID the URN carries.
    assert (
        lookup_path("", Recipient(None, "urn:li:fsd_profile:ACoAAB12")) == "/relationship/ACoAAB12"
    )


def test_lookups_are_kept_by_account_and_every_name_of_the_person(tmp_path):
    with Journal(tmp_path / "j.sqlite", write=True) as journal:
        journal.record(lookup_row(Lookup("acc_1", Recipient("Ann"), CONNECTED), NOW))
        journal.record(lookup_row(Lookup("acc_2", Recipient("ann"), STRANGER), NOW))
        known = Known.of(journal.lookups())
    assert (known.count, known.connected) == (2, 1)
    assert known.find("acc_1", Recipient("ANN")) == CONNECTED
    assert known.find("acc_1", Recipient(None, URN)) == CONNECTED  # the URN it answered
    assert known.find("acc_3", Recipient("ann")) is None
    # Of the rotation's accounts, the one connected to the person goes first.
    assert known.best(("acc_2", "acc_1"), Recipient("ann")) == ("acc_1", CONNECTED)


def test_a_journal_from_before_lookups_reads_as_having_none(tmp_path):
    path = tmp_path / "j.sqlite"
    with Journal(path, write=True):
        pass
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE lookups")
    with Journal(path) as reader:  # read-only: the table is not made
        assert reader.lookups() == []
    with Journal(path, write=True) as writer:  # opened to write: it is
        writer.record(lookup_row(Lookup("", Recipient("ann"), CONNECTED), NOW))
        assert len(writer.lookups()) == 1


def lane(row: int, group: str | None = None) -> SendPlan:
    return SendPlan(row, Recipient(f"p-{row}"), Endpoint.RELATIONSHIP, "", "Hi", group_id=group)


def test_a_lookup_is_made_only_when_a_send_could_follow_it():
    spent = {
        PoolKey("", endpoint): Pool(
            "", endpoint, 100, 100, 0, blocked_until=NOW + timedelta(hours=2)
        )
        for endpoint in (Endpoint.MESSAGE, Endpoint.SEND_GROUP)
    }
    s = Scheduler([lane(2)], {}, Pacing(0, 0), random.Random(1))
    assert s.next(NOW) == lane(2)
    message_spent = {PoolKey("", Endpoint.MESSAGE): spent[PoolKey("", Endpoint.MESSAGE)]}
    s = Scheduler([lane(2), lane(3, "42")], message_spent, Pacing(0, 0), random.Random(1))
    assert s.next(NOW) == lane(3, "42")  # a group message could still follow row 3's lookup
    s.release(lane(3, "42"))
    # Row 2's could only be followed by a message: it waits for the message quota.
    assert s.next(NOW) == Wait(NOW + timedelta(hours=2), WaitReason.QUOTA)
    assert s.waiting(lane(2), NOW) == [Wait(NOW + timedelta(hours=2), WaitReason.QUOTA)]
    s = Scheduler([lane(2)], spent, Pacing(0, 0), random.Random(1))
    assert s.next(NOW) == Wait(NOW + timedelta(hours=2), WaitReason.QUOTA)
    # --lookup sends nothing: only the lookups' own quota holds them, and no window.
    closed = Pacing(0, 0, window=parse_window("02:00-03:00", ZoneInfo("UTC"), False))
    s = Scheduler([lane(2)], spent, closed, random.Random(1), reads_only=True)
    assert s.next(NOW) == lane(2)


def test_the_sandbox_knows_each_person_the_same_way_every_time(clock):
    sim = Sandbox(API_KEY, clock, limits={Endpoint.RELATIONSHIP: 2})
    headers = {"Authorization": f"Bearer {API_KEY}"}
    with httpx.Client(transport=transport(sim), base_url="http://sandbox", headers=headers) as http:
        friend = http.get("/linkedin/relationship/ann-friend")
        assert friend.status_code == 200
        assert friend.json() == {
            "connected": True,
            "invitationSent": False,
            "invitationReceived": False,
            "status": "CONNECTED",
            "profileUrn": profile_urn("ann-friend"),
            "accountId": "default",
        }
        assert friend.headers["X-RateLimit-Action"] == "RELATIONSHIP"
        assert (friend.headers["X-RateLimit-Limit"], friend.headers["X-RateLimit-Remaining"]) == (
            "2",
            "1",
        )
        stranger = http.get("/linkedin/relationship/acc_1/BO-STRANGER").json()  # its own quota
        assert (stranger["connected"], stranger["accountId"]) == (False, "acc_1")
        missing = http.get("/linkedin/relationship/di-notfound")
        assert (missing.status_code, missing.json()["error"]) == (
            404,
            "LinkedIn profile not found: di-notfound",
        )
        assert missing.headers["X-RateLimit-Remaining"] == "1"  # a 404 spends nothing
        member = http.get("/relationship/ACoAAB12345678901234567890").json()
        assert member["profileUrn"] == "urn:li:fsd_profile:ACoAAB12345678901234567890"
        spent = http.get("/linkedin/relationship/cy")
        assert spent.status_code == 429
        assert spent.json()["holdUntil"] == spent.headers["X-RateLimit-Reset"]
        assert http.post("/linkedin/relationship/ann-friend").status_code == 405
        assert (
            http.get(
                "/linkedin/relationship/ann", headers={"Authorization": "Bearer x"}
            ).status_code
            == 401
        )
    assert sim.delivered() == []  # lookups deliver nothing
    # Stable, and per account: by a hash of the account and the ID, about half connected.
    one = Sandbox(API_KEY, clock)
    with httpx.Client(transport=transport(one), base_url="http://sandbox", headers=headers) as http:
        answers = [http.get(f"/relationship/acc_1/p-{i}").json()["connected"] for i in range(40)]
        again = [http.get(f"/relationship/acc_1/p-{i}").json()["connected"] for i in range(40)]
        other = [http.get(f"/relationship/acc_2/p-{i}").json()["connected"] for i in range(40)]
    assert answers == again and answers != other and 10 < sum(answers) < 30

"""route = "auto": the CLI looks each row's relationship up (GET /relationship) before its first
send, over loopback HTTP against the sandbox, and routes it: a connection gets a normal
message, a non-connection with a groupId a group message with the URN the lookup gave, one
without an InMail where the campaign allows it; anyone else is skipped, never sent blindly.

The sandbox's people: IDs with `friend` are connections, with `stranger` are not, with
`notfound` do not exist (sandbox/relations.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook

from runner.cli import main
from runner.clock import FakeClock
from runner.plans import Endpoint
from runner.sandbox import Sandbox, profile_urn
from tests.support.campaign import API_KEY, Api, make_campaign
from tests.support.faults import Fault, FaultKind, FaultySandbox
from tests.support.loopback import LoopbackServer

AUTO = 'route = "auto"'
SUBJECT = "A question, {{ first_name }}"
ACCOUNT_HEADERS = ["First Name", "Company", "recipientProfileId", "groupId", "accountId"]


def lookups(api: Api) -> list[str]:
    """The profiles looked up, in order (each answered lookup, whatever it said)."""
    return [
        r.payload["profileId"]
        for r in api.sim.received
        if r.endpoint is Endpoint.RELATIONSHIP and r.status not in (0, 429)
    ]


def messages(api: Api) -> list[tuple[str, dict]]:
    """The sends delivered: (endpoint, payload)."""
    return [(r.endpoint, r.payload or {}) for r in api.sim.delivered()]


def statuses(files) -> dict[str, tuple[str, str]]:
    return {r["recipientProfileId"]: (r["status"], r["status_detail"]) for r in files.rows()}


@pytest.fixture
def small(clock: FakeClock, request) -> Iterator[Api]:
    """The sandbox over loopback with the quotas a test asks for (`@pytest.mark.parametrize`
    with indirect=True), days of 600 s."""
    sim = FaultySandbox(Sandbox(API_KEY, clock, day_seconds=600, limits=request.param))
    with LoopbackServer(sim) as server:
        yield Api(sim, clock, server.base_url)


def test_each_row_goes_the_way_that_reaches_the_person(tmp_path, api, capsys):
    files = make_campaign(
        tmp_path,
        [
            ["Ann", "Acme", "ann-friend", "", "111"],  # a connection: a normal message
            ["Bo", "Bolt", "bo-stranger", "", "12345678"],  # not: the group, by URN
            ["Cy", "Cove", "cy-stranger", "", ""],  # not, no group, no InMail: skipped
            ["Di", "Dune", "di-notfound", "", ""],  # no such profile: failed, not sent
        ],
        extra=AUTO,
    )
    assert api.run(files) == 0
    assert lookups(api) == ["ann-friend", "bo-stranger", "cy-stranger", "di-notfound"]
    assert messages(api) == [
        (
            "message",
            {
                "recipientProfileId": "ann-friend",
                "message": "Hi Ann, greetings from Acme.",
                "messageType": "normal",
            },
        ),
        (
            "send-group",
            {
                "recipientProfileUrn": profile_urn("bo-stranger"),
                "groupId": "12345678",
                "message": "Hi Bo, greetings from Bolt.",
            },
        ),
    ]
    # Each person's lookup came before their send, and nothing else was sent.
    order = [(r.endpoint, (r.payload or {}).get("profileId")) for r in api.sim.received]
    assert order[:2] == [("relationship", "ann-friend"), ("message", None)]
    rows = {r["recipientProfileId"]: r for r in files.rows()}
    assert rows["ann-friend"]["status"] == "sent"
    assert rows["bo-stranger"]["status"] == "sent"
    assert rows["bo-stranger"]["recipient_urn"] == profile_urn("bo-stranger")
    assert rows["cy-stranger"]["status"] == "skipped"
    assert rows["cy-stranger"]["status_detail"].startswith(
        "not a connection; no group or InMail allowed"
    )
    assert rows["cy-stranger"]["recipient_urn"] == profile_urn("cy-stranger")  # from the lookup
    assert rows["di-notfound"]["status"] == "failed"
    assert rows["di-notfound"]["status_detail"].startswith("profile not found")
    out = capsys.readouterr().out
    assert "2 sent this run (2 attempted; 4 looked up)" in out


def test_inmail_only_where_the_campaign_or_the_row_allows_it(tmp_path, api):
    headers = ["First Name", "Company", "recipientProfileId", "groupId", "messageType"]
    rows = [
        ["Ann", "Acme", "ann-stranger", "", ""],  # the campaign allows InMail
        ["Bo", "Bolt", "bo-stranger", "", "normal"],  # the row does not
        ["Cy", "Cove", "cy-friend", "", "inmail"],  # a connection: normal, no credits spent
    ]
    files = make_campaign(
        tmp_path, rows, headers=headers, subject=SUBJECT, extra=f"{AUTO}\ninmail = true"
    )
    assert api.run(files) == 0
    sent = {p["recipientProfileId"]: p for _, p in messages(api)}
    assert sent["ann-stranger"]["messageType"] == "inmail"
    assert sent["ann-stranger"]["subject"] == "A question, Ann"
    assert sent["cy-friend"]["messageType"] == "normal"
    assert "bo-stranger" not in sent
    assert statuses(files)["bo-stranger"][0] == "skipped"

    # Without inmail = true, only the row that asks for InMail gets one.
    other = tmp_path / "other"
    other.mkdir()
    rows = [["Di", "Dune", "di-stranger", "", ""], ["Ed", "Edge", "ed-stranger", "", "inmail"]]
    files = make_campaign(other, rows, headers=headers, subject=SUBJECT, extra=AUTO)
    assert api.run(files) == 0
    assert statuses(files)["di-stranger"][0] == "skipped"
    assert statuses(files)["ed-stranger"][0] == "sent"
    assert messages(api)[-1][1]["messageType"] == "inmail"


def test_an_inmail_too_long_for_linkedin_is_invalid_once_routed_so(tmp_path, api):
    rows = [["Ann", "Acme", "ann-stranger", "", ""], ["Bo", "Bolt", "bo-friend", "", ""]]
    files = make_campaign(
        tmp_path,
        rows,
        message="Hi {{ first_name }}, " + "x" * 1950,
        subject=SUBJECT,
        extra=f"{AUTO}\ninmail = true",
    )
    assert api.run(files) == 0
    assert statuses(files)["ann-stranger"] == (
        "invalid",
        "the InMail is 1958 characters; LinkedIn allows 1900",
    )
    assert statuses(files)["bo-friend"][0] == "sent"  # a normal message may be that long


def test_the_account_named_asks_and_sends_and_a_rotated_row_keeps_the_account_that_asked(
    tmp_path, api
):
    rows = [
        ["Ann", "Acme", "ann-friend", "", "acc_9"],
        ["Bo", "Bolt", "bo-friend", "", ""],
        ["Cy", "Cove", "cy-friend", "", ""],
    ]
    files = make_campaign(
        tmp_path,
        rows,
        headers=ACCOUNT_HEADERS,
        extra=f'{AUTO}\nrotate_accounts = ["acc_1", "acc_2"]',
    )
    assert api.run(files) == 0
    asked = {
        r.payload["profileId"]: r.payload.get("accountId")
        for r in api.sim.received
        if r.endpoint is Endpoint.RELATIONSHIP
    }
    sent_from = {(r.payload or {})["recipientProfileId"]: r.account for r in api.sim.delivered()}
    assert asked["ann-friend"] == "acc_9" == sent_from["ann-friend"]
    for person in ("bo-friend", "cy-friend"):
        assert asked[person] in ("acc_1", "acc_2")
        assert sent_from[person] == asked[person]  # connected to that account, not another


def test_a_rerun_never_looks_anyone_up_again(tmp_path, api, capsys):
    rows = [["Ann", "Acme", "ann-friend", "", ""], ["Cy", "Cove", "cy-stranger", "", ""]]
    files = make_campaign(tmp_path, rows, extra=AUTO)
    assert api.run(files) == 0
    assert lookups(api) == ["ann-friend", "cy-stranger"]
    # The sheet gains a row; the run after looks up that one alone.
    with files.sheet.open("a", encoding="utf-8") as sheet:
        sheet.write("Bo,Bolt,bo-friend,,,,,,,\n")
    assert api.run(files) == 0
    assert lookups(api) == ["ann-friend", "cy-stranger", "bo-friend"]
    assert api.run(files) == 0
    assert lookups(api) == ["ann-friend", "cy-stranger", "bo-friend"]
    assert statuses(files)["cy-stranger"][0] == "skipped"  # from the kept lookup
    capsys.readouterr()
    assert main(["status", str(files.toml), "--state-dir", str(files.state)]) == 0
    out = capsys.readouterr().out
    assert "Relationship lookups: 3 profiles known so far (2 of them connections)." in out
    assert (
        "Routes (route = auto): 1 skipped (not a connection; no group or InMail allowed: a "
        "groupId, or inmail = true with a subject_template, would reach them)." in out
    )


@pytest.mark.parametrize("small", [{Endpoint.MESSAGE: 1}], indirect=True)
def test_a_quota_pause_and_the_next_day_look_nobody_up_twice(tmp_path, small, clock):
    rows = [
        ["Ann", "Acme", "ann-friend", "", ""],
        # In a group, so a send could follow his lookup: it finds a connection (/message).
        ["Bo", "Bolt", "bo-friend", "", "42"],
        ["Cy", "Cove", "cy-stranger", "", "42"],
    ]
    files = make_campaign(tmp_path, rows, extra=AUTO)
    assert small.run(files) == 75  # /message spent after Ann; the group row still went
    assert [s for s, _ in statuses(files).values()] == ["sent", "pending", "sent"]
    # Bo, looked up, waits on the message quota his route spends, and says so.
    assert statuses(files)["bo-friend"][1] == "daily quota used up; resets at 2026-01-15T09:10:00Z"
    assert lookups(small) == ["ann-friend", "bo-friend", "cy-stranger"]
    clock.advance(600)
    assert small.run(files) == 0
    assert lookups(small) == ["ann-friend", "bo-friend", "cy-stranger"]
    assert Counter(
        p["recipientProfileId"] for _, p in messages(small) if "recipientProfileId" in p
    ) == {
        "ann-friend": 1,
        "bo-friend": 1,
    }


@pytest.mark.parametrize("small", [{Endpoint.RELATIONSHIP: 2}], indirect=True)
def test_the_lookup_quota_running_out_mid_run_pauses_it_until_its_reset(
    tmp_path, small, clock, capsys
):
    rows = [[f"P{i}", "Acme", f"p{i}-friend", "", ""] for i in range(4)]
    files = make_campaign(tmp_path, rows, extra=AUTO)
    assert small.run(files) == 75
    out = capsys.readouterr().out
    assert [s for s, _ in statuses(files).values()] == ["sent", "sent", "pending", "pending"]
    detail = statuses(files)["p2-friend"][1]
    assert detail.startswith("the relationship lookups' daily quota used up (route = auto)")
    assert "Paused: daily quota used up for GET /relationship for account (default)" in out
    assert "Run the same command after" in out
    # Sends waited too: nothing left the quota's pause but the 429 itself.
    assert len(messages(small)) == 2
    assert main(["status", str(files.toml), "--state-dir", str(files.state)], clock=clock) == 0
    out = capsys.readouterr().out
    assert f"GET /relationship for account (default) [{small.base_url}]: used up, resets" in out
    assert (
        "Relationship lookups: 2 profiles known so far (2 of them connections); 2 row(s) still "
        "to look up" in out
    )
    # Before the reset, a run asks nothing of the API; after it, it carries on.
    asked = len(small.sim.received)
    assert small.run(files) == 75
    assert len(small.sim.received) == asked
    clock.advance(600)
    assert small.run(files) == 0
    assert lookups(small) == [f"p{i}-friend" for i in range(4)]
    assert len(messages(small)) == 4


@pytest.mark.parametrize("small", [{Endpoint.RELATIONSHIP: 1}], indirect=True)
def test_wait_sleeps_through_the_lookup_quota(tmp_path, small, clock, capsys):
    rows = [[f"P{i}", "Acme", f"p{i}-friend", "", ""] for i in range(3)]
    files = make_campaign(tmp_path, rows, extra=AUTO)
    assert small.run(files, "--wait") == 0
    # Each pause says it is the lookups' quota it waits for, not the messages'.
    pauses = [line for line in capsys.readouterr().out.splitlines() if "event=paused" in line]
    assert len(pauses) == 2
    assert all(
        "detail=\"the relationship lookups' daily quota used up (route = auto)" in line
        for line in pauses
    ), pauses
    assert [s for s, _ in statuses(files).values()] == ["sent"] * 3
    assert lookups(small) == [f"p{i}-friend" for i in range(3)]


def test_a_429_holds_lookups_until_its_hold_until(tmp_path, api, clock, capsys):
    files = make_campaign(tmp_path, [["Ann", "Acme", "ann-friend", "", ""]], extra=AUTO)
    hold = "2026-01-15T12:00:00.000Z"  # three hours on; the quota's header says one
    api.sim.inject(
        Fault(
            FaultKind.STATUS,
            endpoint=Endpoint.RELATIONSHIP,
            status=429,
            body={"error": "Rate limit exceeded", "success": False, "holdUntil": hold},
            headers={"X-RateLimit-Reset": "2026-01-15T10:00:00.000Z", "X-RateLimit-Remaining": "0"},
        )
    )
    assert api.run(files) == 75
    assert "it resets at 2026-01-15T12:00:00Z" in capsys.readouterr().out
    clock.advance(hours=2)
    assert api.run(files) == 75 and messages(api) == []
    clock.advance(hours=1)
    assert api.run(files) == 0 and len(messages(api)) == 1


def test_a_lookup_is_asked_again_on_any_trouble_a_send_would_not_be(tmp_path, api):
    files = make_campaign(tmp_path, [["Ann", "Acme", "ann-friend", "", ""]], extra=AUTO)
    api.sim.inject(
        Fault(FaultKind.STATUS, endpoint=Endpoint.RELATIONSHIP, status=502, body=b"<html>")
    )
    api.sim.inject(Fault(FaultKind.DROP_AFTER, endpoint=Endpoint.RELATIONSHIP))
    api.sim.inject(Fault(FaultKind.NOT_JSON, endpoint=Endpoint.RELATIONSHIP))
    assert api.run(files) == 0
    asked = [r for r in api.sim.received if r.endpoint is Endpoint.RELATIONSHIP]
    assert len(asked) == 4  # a gateway's page, a dropped connection, a garbled body, the answer
    assert statuses(files)["ann-friend"][0] == "sent"
    assert len(messages(api)) == 1


def test_a_lookup_failing_every_time_leaves_the_row_pending(tmp_path, api, capsys):
    rows = [["Ann", "Acme", "ann-friend", "", ""], ["Bo", "Bolt", "bo-friend", "", ""]]
    files = make_campaign(tmp_path, rows, extra=AUTO)
    api.sim.inject(Fault(FaultKind.DROP_BEFORE, endpoint=Endpoint.RELATIONSHIP, times=4))
    assert api.run(files) == 75
    status, detail = statuses(files)["ann-friend"]
    assert status == "pending" and detail.startswith("the relationship lookup got no answer")
    # Bo's went through: the trouble was Ann's lookup's alone, asked again on the next run.
    assert detail.endswith(
        "the lookup failed for this person while it worked for others: looked up again next run"
    )
    assert statuses(files)["bo-friend"][0] == "sent"
    assert api.run(files) == 0 and len(messages(api)) == 2


def test_a_401_on_a_lookup_stops_the_run_and_marks_nothing(tmp_path, api, capsys):
    rows = [["Ann", "Acme", "ann-friend", "", ""], ["Bo", "Bolt", "bo-friend", "", ""]]
    files = make_campaign(tmp_path, rows, extra=AUTO)
    api.sim.inject(
        Fault(
            FaultKind.STATUS,
            endpoint=Endpoint.RELATIONSHIP,
            status=401,
            body={"error": "Unauthorized"},
        )
    )
    assert api.run(files) == 1
    assert "the API refused the API key (HTTP 401" in capsys.readouterr().err
    assert [s for s, _ in statuses(files).values()] == ["pending", "pending"]
    assert len(api.sim.received) == 1 and messages(api) == []


def test_a_profile_not_found_is_failed_and_never_sent_or_asked_again(tmp_path, api):
    rows = [["Di", "Dune", "di-notfound", "", "42"], ["Ann", "Acme", "ann-friend", "", ""]]
    files = make_campaign(tmp_path, rows, extra=AUTO)
    assert api.run(files) == 0
    assert statuses(files)["di-notfound"] == (
        "failed",
        "profile not found (the relationship lookup answered HTTP 404: LinkedIn profile not "
        "found: di-notfound); nothing was sent",
    )
    assert all(p.get("recipientProfileId") != "di-notfound" for _, p in messages(api))
    assert all(
        (r.payload or {}).get("recipientProfileId") != "di-notfound"
        for r in api.sim.received
        if r.endpoint is not Endpoint.RELATIONSHIP
    )
    assert api.run(files) == 0
    assert lookups(api).count("di-notfound") == 1
    # Cleared by the user (the sheet showed it): asked once more, as a refused send is sent.
    text = files.sheet.read_text(encoding="utf-8").replace(",failed,", ",,", 1)
    files.sheet.write_text(text, encoding="utf-8")
    assert api.run(files) == 0
    assert lookups(api).count("di-notfound") == 2


def test_a_lookup_that_shows_two_rows_are_one_person_sends_one_message(tmp_path, api):
    urn = profile_urn("ann-friend")
    rows = [["Ann", "Acme", "", urn, "42"], ["Ann", "Acme", "ann-friend", "", ""]]
    files = make_campaign(tmp_path, rows, extra=AUTO)
    assert api.run(files) == 0
    assert len(messages(api)) == 1
    assert [r["status"] for r in files.rows()] == ["sent", "duplicate"]
    assert files.rows()[1]["status_detail"].startswith("same recipient as row 2")


@pytest.mark.parametrize("small", [{Endpoint.RELATIONSHIP: 2}], indirect=True)
def test_dry_run_lookup_stops_at_the_lookup_quota_and_says_when_to_go_on(
    tmp_path, small, clock, capsys
):
    rows = [[f"P{i}", "Acme", f"p{i}-friend", "", ""] for i in range(3)]
    files = make_campaign(tmp_path, rows, extra=AUTO)
    assert small.run(files, "--dry-run", "--lookup") == 75
    out = capsys.readouterr().out
    assert "Looked up 2 person(s)' relationship" in out
    assert "Paused: daily quota used up for GET /relationship for account (default)" in out
    assert "1 row(s) still to look up. Run the same command after 2026-01-15T09:10:00Z" in out
    assert "--dry-run --lookup" in out and "Would send 3: 2 via POST /message, 1 to look up" in out
    assert messages(small) == []
    assert small.run(files, "--dry-run", "--lookup", "--wait") == 0  # sleeps to the reset
    assert lookups(small) == ["p0-friend", "p1-friend", "p2-friend"]
    assert messages(small) == []


@pytest.mark.parametrize("small", [{Endpoint.RELATIONSHIP: 2}], indirect=True)
def test_status_says_when_lookups_resume_when_only_they_hold_the_rows(
    tmp_path, small, clock, capsys
):
    rows = [[f"P{i}", "Acme", f"p{i}-friend", "", ""] for i in range(4)]
    files = make_campaign(tmp_path, rows, extra=AUTO)
    assert small.run(files) == 75  # two looked up and sent; the lookups' quota is spent
    capsys.readouterr()
    env = {"CONNECTSAFELY_BASE_URL": small.base_url}  # the API whose quotas these are
    args = ["status", str(files.toml), "--state-dir", str(files.state)]
    assert main(args, env=env, clock=clock) == 0
    out = capsys.readouterr().out.splitlines()
    # The message quota has 98 left, but the two rows left must be looked up first.
    assert out[-1] == (
        f"Next: campaign-runner run {files.toml} --state-dir {files.state} after "
        "2026-01-15T09:10:00Z (in 10m 0s), when the relationship lookups' quota resets"
    )
    # Nothing goes today at the lookups' quota (2 a day, as its headers said).
    assert "At current limits: 0 today, then 2 over the next 1 day (up to 2 a day)" in out[-2]


def test_a_row_its_messagetype_keeps_from_inmail_says_so_and_what_would_reach_it(
    tmp_path, api, capsys
):
    headers = ["First Name", "Company", "recipientProfileId", "groupId", "messageType"]
    rows = [
        ["Di", "Dune", "di-stranger", "", "normal"],  # InMail allowed, but not for her
        ["Bo", "Bolt", "bo-stranger", "", ""],  # an InMail
    ]
    files = make_campaign(
        tmp_path, rows, headers=headers, subject=SUBJECT, extra=f"{AUTO}\ninmail = true"
    )
    assert api.run(files) == 0
    assert statuses(files)["di-stranger"] == (
        "skipped",
        "not a connection; no group or InMail allowed (its messageType cell says normal)",
    )
    capsys.readouterr()
    # The campaign allows InMail already: the row's cell is what keeps it out.
    assert main(["status", str(files.toml), "--state-dir", str(files.state)]) == 0
    assert (
        "Routes (route = auto): 1 skipped (not a connection; no group or InMail allowed: a "
        "groupId, or a messageType cell other than normal, would reach them)."
    ) in capsys.readouterr().out
    output = tmp_path / "report.xlsx"
    args = ["report", str(files.toml), "--state-dir", str(files.state), "--output", str(output)]
    assert main(args) == 0
    attention = load_workbook(output)["Needs attention"]
    todo = {row[2]: row[6] for row in attention.iter_rows(min_row=2, values_only=True)}
    assert todo["di-stranger"].startswith(
        "Nothing reaches them from this account: give the row a groupId of a group you share, "
        "or change its messageType cell from normal"
    )


@pytest.mark.parametrize("small", [{Endpoint.MESSAGE: 1}], indirect=True)
def test_no_lookup_is_made_for_a_row_no_send_could_follow(tmp_path, small, clock, capsys):
    rows = [
        ["Ann", "Acme", "ann-friend", "", ""],
        ["Bo", "Bolt", "bo-friend", "", ""],  # after Ann only the group quota is left
        ["Cy", "Cove", "cy-stranger", "", "42"],  # a group row may still go that way
        ["Di", "Dune", "di-friend", "", ""],
    ]
    files = make_campaign(tmp_path, rows, extra=AUTO)
    assert small.run(files) == 75
    # Bo and Di could only go through /message, spent after Ann: they are not looked up yet.
    assert lookups(small) == ["ann-friend", "cy-stranger"]
    assert [s for s, _ in statuses(files).values()] == ["sent", "pending", "sent", "pending"]
    assert statuses(files)["bo-friend"][1] == "daily quota used up; resets at 2026-01-15T09:10:00Z"
    assert "Paused: daily quota used up for POST /message for account (default)" in (
        capsys.readouterr().out
    )
    clock.advance(600)
    assert small.run(files) == 75  # Bo, looked up and sent; Di waits for the next day again
    assert lookups(small) == ["ann-friend", "cy-stranger", "bo-friend"]
    clock.advance(600)
    assert small.run(files) == 0
    assert lookups(small) == ["ann-friend", "cy-stranger", "bo-friend", "di-friend"]


@pytest.mark.parametrize(("kind", "first"), [(FaultKind.SLOW, "sent"), (FaultKind.HANG, "unknown")])
def test_two_rows_one_person_two_accounts_at_once_send_one_message(tmp_path, api, kind, first):
    """Under rotation the two rows go to two accounts at once: the lookup that answers second
    shows it is the person whose message is on its way from the other account; that row waits
    for the answer (sent, or maybe: unknown), then is a duplicate. (Which lookup answers first
    is the threads' business: under load it was either.)"""
    urn = profile_urn("cy-stranger")
    rows = [["Cy", "Cove", "cy-stranger", "", "42"], ["Cy", "Cove", "", urn, "42"]]
    files = make_campaign(tmp_path, rows, extra=f'{AUTO}\nrotate_accounts = ["acc_1", "acc_2"]')
    api.sim.inject(Fault(kind, endpoint=Endpoint.SEND_GROUP, seconds=1.0))
    api.run(files)
    assert len(api.sim.delivered()) == 1  # one message reached Cy
    states = [r["status"] for r in files.rows()]
    assert sorted(states) == sorted([first, "duplicate"])
    went = states.index(first) + 2  # the row whose message went out
    duplicate = files.rows()[states.index("duplicate")]
    assert duplicate["status_detail"].startswith(f"same recipient as row {went}")


def test_status_and_the_report_tell_the_route_of_rows_sent_as_inmail(tmp_path, api, capsys):
    """Rows the sheet shows as sent are planned without their message (plans.plan_rows); the
    way each went is worked out all the same, an InMail's too (it needs no subject to tell)."""
    files = make_campaign(
        tmp_path,
        [["Ann", "Acme", "ann-stranger", ""], ["Cy", "Cove", "cy-friend", ""]],
        headers=["First Name", "Company", "recipientProfileId", "groupId"],
        subject=SUBJECT,
        extra=AUTO + "\ninmail = true",
    )
    assert api.run(files) == 0
    assert {name: cells[0] for name, cells in statuses(files).items()} == {
        "ann-stranger": "sent",
        "cy-friend": "sent",
    }
    capsys.readouterr()
    env, state = {"CONNECTSAFELY_BASE_URL": api.base_url}, str(files.state)
    assert main(["status", str(files.toml), "--state-dir", state], env=env, clock=api.clock) == 0
    out = capsys.readouterr().out
    assert "Sent (or maybe sent) by route: 1 to connections (a normal message), 1 as InMail." in out
    report = tmp_path / "report.xlsx"
    argv = ["report", str(files.toml), "--state-dir", state, "--output", str(report)]
    assert main(argv, env=env, clock=api.clock) == 0
    summary = load_workbook(report)["Summary"].iter_rows(values_only=True)
    lines = [[cell for cell in line if cell is not None] for line in summary]
    assert ["not a connection: InMail", 1, 1] in lines
    assert ["connection: a normal message", 1, 1] in lines

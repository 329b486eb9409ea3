"""The coordinator's grouping pages: the hub, a proposal's groups side by side, moving, locking, accepting."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kollega.core.models import Participant, Programme, Role, Status
from kollega.grouping.models import Group, PairKind, PairRule, Proposal, ProposalState
from kollega.grouping.proposal_forms import AcceptGroupForm, first_meeting, group_prefix, years_after
from kollega.grouping.proposals import proposal_create
from kollega.interviews.models import InterviewRecord
from tests.factories import (
    make_accepted_applicants,
    make_group,
    make_organisation,
    make_participant,
    make_programme,
    make_staff,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    """Ten people who can come in the morning, groups of 3–5: the optimiser makes two groups of five."""
    organisation = make_organisation()
    coordinator = make_staff(organisation)
    programme = make_programme(organisation, group_size_min=3, group_size_max=5)
    people = make_accepted_applicants(programme, 10)
    return {"organisation": organisation, "coordinator": coordinator, "programme": programme, "people": people}


@pytest.fixture
def signed_in(client: Client, world: dict[str, Any]) -> Client:
    client.force_login(world["coordinator"])
    return client


def hub_url(programme: Programme) -> str:
    return reverse("proposals:hub", args=[programme.pk])


def detail_url(proposal: Proposal) -> str:
    return reverse("proposals:detail", args=[proposal.programme_id, proposal.number])


def propose(client: Client, programme: Programme, capture: Any, **fields: Any) -> Any:
    """Post the "Propose groups" form; the optimiser's job runs when the request's transaction commits."""
    data = {"time_limit": "2", **fields}
    with capture(execute=True):
        return client.post(reverse("proposals:propose", args=[programme.pk]), data)


@pytest.fixture
def done(signed_in: Client, world: dict[str, Any], django_capture_on_commit_callbacks: Any) -> Proposal:
    response = propose(signed_in, world["programme"], django_capture_on_commit_callbacks)
    assert response.status_code == 302
    proposal = Proposal.objects.get(programme=world["programme"])
    assert response["Location"] == detail_url(proposal)
    assert proposal.state == ProposalState.DONE
    return proposal


def move(client: Client, proposal: Proposal, person: int, key: str) -> Any:
    url = reverse("proposals:move", args=[proposal.programme_id, proposal.number])
    return client.post(url, {"participant": person, "group": key}, follow=True)


def member_of(proposal: Proposal, key: str) -> int:
    proposal.refresh_from_db()
    return next(int(k) for k, v in sorted(proposal.assignment.items()) if v == key)


def members_of(proposal: Proposal, key: str) -> set[int]:
    proposal.refresh_from_db()
    return {int(k) for k, v in proposal.assignment.items() if v == key}


def accept_url(proposal: Proposal) -> str:
    return reverse("proposals:accept", args=[proposal.programme_id, proposal.number])


def accept_data(proposal: Proposal, names: dict[str, str], *, weekday: int = 1) -> dict[str, Any]:
    """The accept form filled in for the groups ``names`` gives (key → name), as the page names its fields."""
    data: dict[str, Any] = {"groups": list(names)}
    day = first_meeting(weekday, today=date.today())
    for key, name in names.items():
        prefix = group_prefix(key)
        data.update(
            {f"{prefix}-name": name, f"{prefix}-weekday": str(weekday), f"{prefix}-start_date": day.isoformat()}
        )
    return data


def as_shown(page: Any) -> dict[str, Any]:
    """The accept form posted as the page showed it, prefilled values and all."""
    data: dict[str, Any] = {"groups": page.context["shown"]}
    for _spec, form, _size in page.context["forms"]:
        for name in form.fields:
            value = form[name].value()
            data[form.add_prefix(name)] = value.isoformat() if isinstance(value, date) else str(value)
    return data


def person_item(html: str, pk: int) -> str:
    """One person's entry on the proposal page."""
    found = re.search(rf'<li class="member[^"]*" id="person-{pk}".*?</li>', html, re.S)
    assert found, f"person {pk} is not on the page"
    return found.group(0)


# --- the hub -----------------------------------------------------------------------------------


def test_the_hub_shows_who_waits_per_time_and_names_those_without_one(signed_in: Client, world: dict[str, Any]) -> None:
    programme = world["programme"]
    nobody_agreed = make_participant(programme, Status.ACCEPTED, full_name="Ilona Ilman")
    response = signed_in.get(hub_url(programme))
    assert response.status_code == 200
    html = response.content.decode()
    assert "11 accepted applicants are waiting for a group." in html
    assert "Groups have 3–5 members." in html
    assert "No agreed time:" in html and nobody_agreed.display_name in html
    # The form names every goal in plain words, with its default weight.
    for label in (
        "Time limit in seconds",
        "Mix of industries",
        "Mix of new and long-time entrepreneurs",
        "Shared theme wishes",
        "Even group sizes",
        "Wished pairs together",
        "Few changes from the previous proposal",
    ):
        assert label in html
    assert 'name="time_limit" value="20"' in html
    assert "Only late joiners" not in html  # no groups yet
    assert "No proposals yet." in html
    detail = signed_in.get(reverse("core:programme_detail", args=[programme.pk])).content.decode()
    assert hub_url(programme) in detail


def test_the_industry_goal_follows_the_programmes_setting(signed_in: Client, world: dict[str, Any]) -> None:
    programme = world["programme"]
    programme.grouping_industries = "same"
    programme.save(update_fields=["grouping_industries"])
    html = signed_in.get(hub_url(programme)).content.decode()
    assert "Same industry together" in html and "Mix of industries" not in html


def test_only_the_programmes_coordinators_see_the_pages(client: Client, world: dict[str, Any]) -> None:
    programme = world["programme"]
    proposal = proposal_create(programme=programme, actor=world["coordinator"], run=False)
    urls = [hub_url(programme), detail_url(proposal), reverse("proposals:accept", args=[programme.pk, 1])]
    assert client.get(urls[0]).status_code == 302  # to sign in
    client.force_login(make_staff(make_organisation()))
    for url in urls:
        assert client.get(url).status_code == 404
    client.force_login(make_staff(world["organisation"], role=Role.FACILITATOR))
    for url in urls:
        assert client.get(url).status_code == 404
    # A proposal is found only under its own programme.
    client.force_login(world["coordinator"])
    other = make_programme(world["organisation"])
    assert client.get(reverse("proposals:detail", args=[other.pk, proposal.number])).status_code == 404
    response = client.post(
        reverse("proposals:move", args=[other.pk, proposal.number]), {"participant": 1, "group": "x"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_limit", "0", "The time limit must be a whole number of seconds from 1 to 600."),
        ("time_limit", "soon", "The time limit must be a whole number of seconds from 1 to 600."),
        ("time_limit", "601", "The time limit must be a whole number of seconds from 1 to 600."),
        ("weight_industry", "11", "A weight is a whole number from 0 to 10."),
    ],
)
def test_a_bad_setting_is_shown_next_to_its_field_and_nothing_is_written(
    signed_in: Client,
    world: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
    field: str,
    value: str,
    message: str,
) -> None:
    response = propose(signed_in, world["programme"], django_capture_on_commit_callbacks, **{field: value})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html and message in html
    assert "There is a problem" in html
    assert not Proposal.objects.exists()


def test_the_hub_takes_the_same_queries_however_many_people_wait(
    signed_in: Client, world: dict[str, Any], done: Proposal
) -> None:
    programme = world["programme"]
    with CaptureQueriesContext(connection) as before:
        signed_in.get(hub_url(programme))
    make_accepted_applicants(programme, 6, slot_keys=("morning", "afternoon"), seed=2)
    PairRule.objects.create(
        programme=programme, first=world["people"][0], second=world["people"][1], kind=PairKind.APART
    )
    with CaptureQueriesContext(connection) as after:
        response = signed_in.get(hub_url(programme))
    assert "16 accepted applicants are waiting for a group." in response.content.decode()
    assert len(after.captured_queries) == len(before.captured_queries)


# --- a proposal --------------------------------------------------------------------------------


def test_a_running_proposal_shows_its_progress_and_polls(signed_in: Client, world: dict[str, Any]) -> None:
    proposal = proposal_create(programme=world["programme"], actor=world["coordinator"], time_limit=7, run=False)
    html = signed_in.get(detail_url(proposal)).content.decode()
    assert "Working out the groups… (up to 7 seconds)" in html
    progress = reverse("proposals:progress", args=[proposal.programme_id, proposal.number])
    assert f'hx-get="{progress}"' in html and 'hx-trigger="every 1s"' in html
    assert '<meta http-equiv="refresh"' in html  # without JavaScript
    assert "of at most 7 seconds" in signed_in.get(progress).content.decode()
    Proposal.objects.filter(pk=proposal.pk).update(state=ProposalState.DONE)
    finished = signed_in.get(progress, headers={"HX-Request": "true"})
    assert finished["HX-Refresh"] == "true"


def test_a_failed_proposal_says_so_and_can_be_tried_again(
    signed_in: Client, world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    proposal = proposal_create(programme=world["programme"], actor=world["coordinator"], time_limit=2, run=False)
    Proposal.objects.filter(pk=proposal.pk).update(state=ProposalState.FAILED, error="MemoryError: out of memory")
    html = signed_in.get(detail_url(proposal)).content.decode()
    assert "The optimiser stopped with an error" in html and "MemoryError: out of memory" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(reverse("proposals:retry", args=[proposal.programme_id, proposal.number]))
    again = Proposal.objects.get(programme=world["programme"], number=2)
    assert response["Location"] == detail_url(again)
    assert again.state == ProposalState.DONE and again.time_limit == 2


def test_a_done_proposal_shows_its_result_goals_and_groups(
    signed_in: Client, world: dict[str, Any], done: Proposal
) -> None:
    response = signed_in.get(detail_url(done))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Proven best" in html or "Good, at most" in html
    assert "Solved as one whole." in html
    for goal in ("Mix of industries", "Shared theme wishes", "Even group sizes"):
        assert goal in html
    assert "Simple method" in html and "Optimiser" in html
    for group in done.groups:
        assert group["name"] in html
    assert html.count("5 members (allowed 3–5)") == 2
    for person in world["people"]:
        assert person.display_name in html
    assert "Why here:" in html and "Agreed to Morning" in html
    assert "These groups break the rules" not in html
    assert "Run again keeping locks" in html and "Accept these groups" in html


def test_moving_a_person_with_the_select_form_warns_that_a_group_is_too_big(signed_in: Client, done: Proposal) -> None:
    first, second = (g["key"] for g in done.groups)
    person = member_of(done, second)
    response = move(signed_in, done, person, first)
    assert response.status_code == 200
    html = response.content.decode()
    name = Participant.objects.get(pk=person).display_name
    assert f"{name} moved to {done.groups[0]['name']}." in html
    assert "These groups break the rules" in html
    assert f"{done.groups[0]['name']} has 6 members; at most 5 are allowed." in html
    assert "Needs attention:" in html  # on the group itself, in words
    assert "Moved here by hand." in html
    # Moving them back clears the warning.
    html = move(signed_in, done, person, second).content.decode()
    assert "These groups break the rules" not in html
    # "Move" without a group chosen says what to do.
    html = move(signed_in, done, person, "").content.decode()
    assert "Choose the group to move the person to, then press “Move”." in html


def test_move_to_offers_only_the_other_groups_at_times_the_person_agreed_to(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    organisation = make_organisation()
    coordinator = make_staff(organisation)
    programme = make_programme(organisation, group_size_min=3, group_size_max=5)
    mornings = make_accepted_applicants(programme, 10, slot_keys=("morning",), seed=6)  # two morning groups
    afternoons = make_accepted_applicants(programme, 4, slot_keys=("afternoon",), seed=7)  # one afternoon group
    nobody_agreed = make_participant(programme, Status.ACCEPTED, full_name="Ilona Ilman")
    client.force_login(coordinator)
    propose(client, programme, django_capture_on_commit_callbacks)
    proposal = Proposal.objects.get(programme=programme)
    keys = {g["key"]: g["slot"] for g in proposal.groups}
    assert sorted(keys.values()) == ["afternoon", "morning", "morning"]
    html = client.get(detail_url(proposal)).content.decode()
    # A morning person can go to the other morning group only: not to their own, nor to the afternoon's.
    person = mornings[0]
    own = proposal.assignment[str(person.pk)]
    item = person_item(html, person.pk)
    offered = re.findall(r'<option value="([^"]+)">', item)
    assert offered == [k for k, slot in keys.items() if slot == "morning" and k != own]
    assert "a time they did not agree to" not in item
    # The afternoon has one group: its people get a sentence instead of an empty list, and cannot be dragged.
    item = person_item(html, afternoons[0].pk)
    assert "<select" not in item and "data-move-form" not in item
    assert "No other group meets at a time they agreed to." in item
    # Someone left out without an agreed time has no group to go to either.
    item = person_item(html, nobody_agreed.pk)
    assert "<select" not in item and "No group meets at a time they agreed to." in item
    # The page grows with the people, not with people × groups: 14 people with one or no other group each.
    assert html.count("<option ") == 10 * (1 + 1)  # the empty choice and the other morning group


def test_the_proposal_page_takes_the_same_queries_for_12_and_24_people(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    counts = []
    for n in (12, 24):
        organisation = make_organisation()
        coordinator = make_staff(organisation)
        programme = make_programme(organisation, group_size_min=3, group_size_max=6)
        people = make_accepted_applicants(programme, n // 2 - 1, slot_keys=("morning",), seed=n)
        people += make_accepted_applicants(programme, n // 2, slot_keys=("morning", "afternoon"), seed=n + 1)
        people.append(make_participant(programme, Status.ACCEPTED))  # no agreed time: left out, named
        morning = programme.time_slots.get(key="morning")
        for person in people[::3]:  # some agreed their times at the interview
            record = InterviewRecord.objects.create(participant=person, interviewer=coordinator)
            record.agreed_time_slots.set([morning])
        PairRule.objects.create(programme=programme, first=people[0], second=people[1], kind=PairKind.APART)
        PairRule.objects.create(programme=programme, first=people[2], second=people[3], kind=PairKind.TOGETHER)
        client.force_login(coordinator)
        propose(client, programme, django_capture_on_commit_callbacks, time_limit="1")
        first = Proposal.objects.get(programme=programme)
        client.post(
            reverse("proposals:lock", args=[programme.pk, first.number]),
            {"participant": people[4].pk, "locked": "true"},
        )
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("proposals:rerun", args=[programme.pk, first.number]))
        proposal = Proposal.objects.get(programme=programme, number=2)
        assert proposal.state == ProposalState.DONE and len(proposal.assignment) == n - 1
        with CaptureQueriesContext(connection) as queries:
            response = client.get(detail_url(proposal))
        html = response.content.decode()
        assert response.status_code == 200 and "run again from proposal 1" in html
        assert all(person.display_name in html for person in people)
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def test_a_person_can_be_locked_and_unlocked(signed_in: Client, done: Proposal) -> None:
    key = done.groups[0]["key"]
    person = member_of(done, key)
    url = reverse("proposals:lock", args=[done.programme_id, done.number])
    html = signed_in.post(url, {"participant": person, "locked": "true"}, follow=True).content.decode()
    done.refresh_from_db()
    assert done.locks == {str(person): key}
    assert "is locked in" in html and 'aria-pressed="true"' in html
    assert "Locked here: running again keeps them in this group." in html
    signed_in.post(url, {"participant": person, "locked": "false"})
    done.refresh_from_db()
    assert done.locks == {}


def test_running_again_keeps_the_locks(
    signed_in: Client, done: Proposal, django_capture_on_commit_callbacks: Any
) -> None:
    key = done.groups[1]["key"]
    person = member_of(done, key)
    signed_in.post(
        reverse("proposals:lock", args=[done.programme_id, done.number]), {"participant": person, "locked": "true"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(reverse("proposals:rerun", args=[done.programme_id, done.number]))
    again = Proposal.objects.get(programme_id=done.programme_id, number=2)
    assert response["Location"] == detail_url(again)
    assert again.assignment[str(person)] == key
    assert "run again from proposal 1" in signed_in.get(detail_url(again)).content.decode()


def test_accepting_creates_the_groups_with_the_details_given(
    signed_in: Client, world: dict[str, Any], done: Proposal
) -> None:
    url = accept_url(done)
    page = signed_in.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert f'value="{done.groups[0]["name"]}"' in html
    # Each group's fields are named by its key in the proposal, made safe for ids; the keys shown go along.
    for spec in done.groups:
        assert f'id="id_{group_prefix(spec["key"])}-name"' in html
        assert f'<input type="hidden" name="groups" value="{spec["key"]}">' in html
    assert "#" not in "".join(re.findall(r'id="([^"]*)"', html))
    start = first_meeting(1, today=date.today())
    assert start >= date.today() + timedelta(days=14) and start.weekday() == 1
    first, second = (g["key"] for g in done.groups)
    data = accept_data(done, {second: "Aamuryhmä 2", first: "Aamuryhmä 1"})
    data[f"{group_prefix(second)}-weekday"] = "2"
    data[f"{group_prefix(second)}-start_date"] = first_meeting(2, today=date.today()).isoformat()
    response = signed_in.post(url, data, follow=True)
    assert response.redirect_chain[-1][0] == hub_url(world["programme"])
    assert "The groups were created: 10 people are now in 2 groups." in response.content.decode()
    groups = Group.objects.filter(programme=world["programme"]).order_by("name")
    assert [g.name for g in groups] == ["Aamuryhmä 1", "Aamuryhmä 2"]
    assert [g.weekday for g in groups] == [1, 2]
    # Each name went to the group it was typed for.
    for group, key in zip(groups, (first, second), strict=True):
        assert set(group.memberships.values_list("participant_id", flat=True)) == members_of(done, key)
    assert all(p.status == Status.IN_GROUP for p in Participant.objects.filter(pk__in=[p.pk for p in world["people"]]))
    done.refresh_from_db()
    assert done.state == ProposalState.ACCEPTED
    assert "These groups were accepted on" in signed_in.get(detail_url(done)).content.decode()


def test_accepting_is_refused_when_the_groups_changed_since_the_page_was_shown(
    signed_in: Client, world: dict[str, Any], done: Proposal
) -> None:
    # The proposal gets a third, empty group: the accept page shows only the two with members.
    first, second = (g["key"] for g in done.groups)
    third = "morning#3"
    done.groups = [*done.groups, {"key": third, "slot": "morning", "name": "Morning 3", "group_id": None}]
    done.save(update_fields=["groups"])
    page = signed_in.get(accept_url(done))
    assert len(page.context["forms"]) == 2
    typed = as_shown(page)
    typed[f"{group_prefix(first)}-name"] = "Ensimmäinen"
    # Meanwhile someone moves three people into the third group (5, 5, 0 becomes 4, 3, 3: every rule holds).
    for person in [sorted(members_of(done, first))[0], *sorted(members_of(done, second))[:2]]:
        move(signed_in, done, person, third)
    response = signed_in.post(accept_url(done), typed)
    assert response.status_code == 400
    html = response.content.decode()
    assert "The groups changed while you were filling in the form; check them again." in html
    assert not Group.objects.exists()
    done.refresh_from_db()
    assert done.state == ProposalState.DONE
    # The page shows the groups as they are now, keeping what was typed for a group that is still there.
    assert len(response.context["forms"]) == 3 and response.context["shown"] == [first, second, third]
    assert 'value="Ensimmäinen"' in html and 'value="Morning 3"' in html
    assert "field-error" not in html and "aria-invalid" not in html  # nothing was checked
    response = signed_in.post(accept_url(done), as_shown(response), follow=True)
    assert "The groups were created: 10 people are now in 3 groups." in response.content.decode()
    for key in (first, second, third):
        group = Group.objects.get(programme=world["programme"], memberships__participant=min(members_of(done, key)))
        assert set(group.memberships.values_list("participant_id", flat=True)) == members_of(done, key)
    assert Group.objects.get(name="Ensimmäinen").memberships.count() == 4


def test_accepting_without_the_groups_shown_is_refused(signed_in: Client, done: Proposal) -> None:
    data = accept_data(done, {g["key"]: g["name"] for g in done.groups})
    del data["groups"]
    response = signed_in.post(accept_url(done), data)
    assert response.status_code == 400
    assert "The groups changed while you were filling in the form; check them again." in response.content.decode()
    assert not Group.objects.exists()


def test_accepting_is_refused_while_a_rule_is_broken(signed_in: Client, world: dict[str, Any], done: Proposal) -> None:
    first, second = (g["key"] for g in done.groups)
    move(signed_in, done, member_of(done, second), first)
    url = accept_url(done)
    assert "has 6 members; at most 5 are allowed." in signed_in.get(url).content.decode()
    response = signed_in.post(url, accept_data(done, {first: "Ryhmä 1", second: "Ryhmä 2"}))
    assert response.status_code == 400
    assert "has 6 members; at most 5 are allowed." in response.content.decode()
    assert not Group.objects.filter(programme=world["programme"]).exists()
    done.refresh_from_db()
    assert done.state == ProposalState.DONE


def test_the_accept_form_checks_the_date_and_the_names(
    signed_in: Client, world: dict[str, Any], done: Proposal
) -> None:
    first, second = (g["key"] for g in done.groups)
    monday = first_meeting(0, today=date.today())
    data = accept_data(done, {first: "Sama", second: "Sama"}, weekday=0)
    data[f"{group_prefix(first)}-weekday"] = "1"  # Tuesday, but the date is a Monday
    data[f"{group_prefix(first)}-start_date"] = monday.isoformat()
    response = signed_in.post(accept_url(done), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "The first meeting&#x27;s date does not fall on the group&#x27;s weekday (Tuesday)." in html
    assert "Two new groups cannot have the same name." in html
    assert not Group.objects.exists()


def test_the_first_meeting_is_today_at_the_earliest_and_two_years_ahead_at_the_latest(
    signed_in: Client, done: Proposal
) -> None:
    today = date(2026, 3, 3)  # a Tuesday

    def form(day: date) -> AcceptGroupForm:
        data = {"name": "Ryhmä", "weekday": str(day.weekday()), "start_date": day.isoformat()}
        return AcceptGroupForm(data, today=today)

    assert form(today).is_valid()
    assert form(years_after(today, 2)).is_valid()
    past = form(today - timedelta(days=1))
    assert past.errors["start_date"] == ["The first meeting cannot be in the past: choose 3.3.2026 or a later date."]
    too_far = form(years_after(today, 2) + timedelta(days=1))
    assert too_far.errors["start_date"] == [
        "The first meeting can be at most two years ahead: choose 3.3.2028 or an earlier date."
    ]
    assert not form(date(9999, 12, 31)).is_valid()
    assert years_after(date(2028, 2, 29), 2) == date(2030, 2, 28)
    # The browser's date picker knows the limits too.
    assert 'min="2026-03-03"' in str(form(today)["start_date"]) and 'max="2028-03-03"' in str(form(today)["start_date"])
    # On the page: a date in the past is refused in words and nothing is written.
    first, second = (g["key"] for g in done.groups)
    data = accept_data(done, {first: "Ryhmä 1", second: "Ryhmä 2"})
    past_day = date.today() - timedelta(days=7)
    data[f"{group_prefix(first)}-weekday"] = str(past_day.weekday())
    data[f"{group_prefix(first)}-start_date"] = past_day.isoformat()
    response = signed_in.post(accept_url(done), data)
    assert response.status_code == 400
    assert "The first meeting cannot be in the past" in response.content.decode()
    assert not Group.objects.exists()


# --- pair rules --------------------------------------------------------------------------------


def test_a_pair_rule_can_be_added_and_removed(signed_in: Client, world: dict[str, Any]) -> None:
    a, b = world["people"][:2]
    url = reverse("proposals:pair_add", args=[world["programme"].pk])
    response = signed_in.post(
        url, {"first": a.pk, "second": b.pk, "kind": PairKind.APART, "note": "Kilpailijat"}, follow=True
    )
    html = response.content.decode()
    assert "Pair rule added:" in html and "Kilpailijat" in html
    rule = PairRule.objects.get(programme=world["programme"])
    assert {rule.first_id, rule.second_id} == {a.pk, b.pk} and rule.kind == PairKind.APART
    remove = reverse("proposals:pair_remove", args=[world["programme"].pk, rule.pk])
    html = signed_in.post(remove, follow=True).content.decode()
    assert "Pair rule removed:" in html
    assert not PairRule.objects.exists()


def test_a_pair_of_one_person_is_refused_in_words(signed_in: Client, world: dict[str, Any]) -> None:
    a = world["people"][0]
    url = reverse("proposals:pair_add", args=[world["programme"].pk])
    response = signed_in.post(url, {"first": a.pk, "second": a.pk, "kind": PairKind.TOGETHER})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_second_error"' in html and "Choose two different people." in html
    assert not PairRule.objects.exists()


def test_another_programmes_pair_rule_cannot_be_removed(client: Client, world: dict[str, Any]) -> None:
    a, b = world["people"][:2]
    rule = PairRule.objects.create(programme=world["programme"], first=a, second=b, kind=PairKind.APART)
    other = make_organisation()
    client.force_login(make_staff(other))
    elsewhere = make_programme(other)
    assert client.post(reverse("proposals:pair_remove", args=[elsewhere.pk, rule.pk])).status_code == 404
    assert client.post(reverse("proposals:pair_remove", args=[world["programme"].pk, rule.pk])).status_code == 404
    assert PairRule.objects.filter(pk=rule.pk).exists()


def test_a_proposal_that_cannot_place_everyone_names_the_rule_and_the_people(
    signed_in: Client, world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    # Four people make one group of 3–4 in the morning, but two of them must not share a group.
    programme = make_programme(world["organisation"], group_size_min=3, group_size_max=4)
    a, b, *_others = sorted(make_accepted_applicants(programme, 4, seed=3), key=lambda p: p.pk)
    PairRule.objects.create(programme=programme, first=a, second=b, kind=PairKind.APART)
    propose(signed_in, programme, django_capture_on_commit_callbacks)
    proposal = Proposal.objects.get(programme=programme)
    assert proposal.status == "partial"
    html = signed_in.get(detail_url(proposal)).content.decode()
    assert "Nearest possible: 1 person left out, because the rules below cannot all hold." in html
    assert (
        f"{a.display_name}, {b.display_name} must be kept apart from each other, but there are not enough "
        "groups at the times they can come to keep them all apart." in html
    )
    assert "Left out" in html and "Not in any group:" in html
    assert "Weighted score" not in html  # not comparable with its bound while someone is left out


def test_late_joiners_go_into_existing_groups_with_room(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    organisation = make_organisation()
    coordinator = make_staff(organisation)
    programme = make_programme(organisation, group_size_min=3, group_size_max=5)
    group = make_group(programme, members=4)
    late = make_accepted_applicants(programme, 1, seed=4)[0]
    client.force_login(coordinator)
    html = client.get(hub_url(programme)).content.decode()
    assert "Only late joiners, into groups with room" in html
    assert group.name in html and "1 accepted applicant is waiting for a group." in html
    propose(client, programme, django_capture_on_commit_callbacks, late_joiners="on")
    proposal = Proposal.objects.get(programme=programme)
    assert proposal.late_joiners and proposal.assignment == {str(late.pk): f"g{group.pk}"}
    html = client.get(detail_url(proposal)).content.decode()
    assert "an existing group" in html and "already a member" in html
    assert "5 members (allowed 3–5)" in html
    accept_url = reverse("proposals:accept", args=[programme.pk, proposal.number])
    html = client.get(accept_url).content.decode()
    assert f"1 person joins {group.name}." in html
    response = client.post(accept_url, {"groups": [f"g{group.pk}"]}, follow=True)
    assert "1 person joined an existing group." in response.content.decode()
    late.refresh_from_db()
    assert late.status == Status.IN_GROUP and late.membership.group == group

"""Proposals end to end through the services: from accepted applicants to groups, all or nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from kollega.core.models import Participant, Status
from kollega.grouping.models import Group, PairKind, PairRule, Proposal, ProposalState, ThemePlanItem
from kollega.grouping.proposals import GroupDetails, proposal_accept, proposal_check, proposal_create, proposal_move
from tests.factories import make_accepted_applicants, make_organisation, make_programme, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    return make_programme(make_organisation())


@pytest.fixture
def coordinator(programme):
    return make_staff(programme.organisation)


@pytest.fixture
def run(django_capture_on_commit_callbacks, coordinator):
    """Ask for a proposal and let its job run, as the worker would once the request's transaction commits."""

    def go(programme, **settings):
        with django_capture_on_commit_callbacks(execute=True):
            proposal = proposal_create(programme=programme, actor=coordinator, **settings)
        proposal.refresh_from_db()
        return proposal

    return go


def details_for(proposal: Proposal):
    from datetime import date, timedelta

    start = date.today() + timedelta(days=30)
    return {
        g["key"]: GroupDetails(name=f"Group {i}", weekday=start.weekday(), start_date=start)
        for i, g in enumerate(proposal.groups, start=1)
    }


def test_a_proposal_places_everyone_within_the_rules_and_is_proven(programme, coordinator, run):
    people = make_accepted_applicants(programme, 20)
    proposal = run(programme, time_limit=5)
    assert proposal.state == ProposalState.DONE
    assert proposal.status in ("optimal", "feasible")
    assert set(proposal.assignment) == {str(p.pk) for p in people}
    assert len(proposal.groups) == 2
    assert proposal_check(proposal=proposal) == []
    assert proposal.bound <= proposal.objective


def test_a_move_that_breaks_a_size_bound_is_warned_about_and_blocks_accepting(programme, coordinator, run):
    make_accepted_applicants(programme, 13)
    proposal = run(programme, time_limit=3)
    sizes = {g["key"]: sum(1 for v in proposal.assignment.values() if v == g["key"]) for g in proposal.groups}
    small, large = sorted(sizes, key=lambda key: sizes[key])
    mover = next(int(k) for k, v in proposal.assignment.items() if v == small)
    proposal = proposal_move(proposal=proposal, participant_id=mover, group_key=large, actor=coordinator)
    assert [w.code for w in proposal_check(proposal=proposal)] == ["too_small"]  # 13 people: 6 and 7 became 5 and 8
    with pytest.raises(ValidationError):
        proposal_accept(proposal=proposal, details=details_for(proposal), actor=coordinator)
    assert not Group.objects.filter(programme=programme).exists()


def test_accepting_creates_groups_members_and_theme_plans(programme, coordinator, run):
    people = make_accepted_applicants(programme, 14)
    proposal = run(programme, time_limit=3)
    groups = proposal_accept(proposal=proposal, details=details_for(proposal), actor=coordinator)
    assert len(groups) == 2
    for person in people:
        person.refresh_from_db()
        assert person.status == Status.IN_GROUP
    for group in groups.values():
        plan = list(ThemePlanItem.objects.filter(group=group).order_by("number"))
        assert [i.number for i in plan] == list(range(2, programme.meeting_count + 1))
        keys = [i.theme.key for i in plan]
        if "networks" in keys:
            assert keys[-1] == "networks"
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.ACCEPTED


def test_accepting_is_all_or_nothing_when_someone_withdrew_meanwhile(programme, coordinator, run):
    from kollega.core.services import participant_change_status

    people = make_accepted_applicants(programme, 12)
    proposal = run(programme, time_limit=3)
    participant_change_status(participant=people[5], to_status=Status.CANCELLED, actor=coordinator, reason="moved")
    with pytest.raises(ValidationError):
        proposal_accept(proposal=proposal, details=details_for(proposal), actor=coordinator)
    assert not Group.objects.filter(programme=programme).exists()
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.DONE


def test_must_not_pairs_are_kept_apart(programme, coordinator, run):
    people = make_accepted_applicants(programme, 24)
    a, b = sorted(people[:2], key=lambda p: p.pk)
    PairRule.objects.create(programme=programme, first=a, second=b, kind=PairKind.APART)
    proposal = run(programme, time_limit=3)
    assert proposal.assignment[str(a.pk)] != proposal.assignment[str(b.pk)]


@pytest.mark.parametrize("limit", [0, -5, "soon", 601])
def test_a_bad_time_limit_is_refused_in_words(programme, coordinator, limit):
    make_accepted_applicants(programme, 6)
    with pytest.raises(ValidationError) as caught:
        proposal_create(programme=programme, actor=coordinator, time_limit=limit)
    assert "time_limit" in caught.value.message_dict
    assert not Proposal.objects.exists()


def test_accepting_writes_nothing_when_a_later_step_fails(programme, coordinator, run, monkeypatch):
    """A failure after the first group and members are written rolls everything back."""
    from kollega.grouping import services as grouping_services

    people = make_accepted_applicants(programme, 14)
    proposal = run(programme, time_limit=3)
    real = grouping_services.group_add_member
    calls = {"n": 0}

    def failing_add(**kwargs):
        calls["n"] += 1
        if calls["n"] == 10:
            raise ValidationError("The group is full.")
        return real(**kwargs)

    monkeypatch.setattr(grouping_services, "group_add_member", failing_add)
    with pytest.raises(ValidationError):
        proposal_accept(proposal=proposal, details=details_for(proposal), actor=coordinator)
    assert calls["n"] == 10  # groups and nine members had been written
    assert not Group.objects.filter(programme=programme).exists()
    assert all(p.status == Status.ACCEPTED for p in Participant.objects.filter(pk__in=[x.pk for x in people]))
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.DONE


def test_a_late_joiner_moved_into_the_group_of_someone_they_must_avoid_is_warned_about(programme, coordinator, run):
    people = make_accepted_applicants(programme, 12)
    proposal = run(programme, time_limit=3)
    groups = proposal_accept(proposal=proposal, details=details_for(proposal), actor=coordinator)
    (group,) = groups.values()
    (newcomer,) = make_accepted_applicants(programme, 1, seed=7)
    first, second = sorted([people[0], newcomer], key=lambda p: p.pk)
    PairRule.objects.create(programme=programme, first=first, second=second, kind=PairKind.APART)
    late = run(programme, time_limit=3, late_joiners=True)
    key = f"g{group.pk}"
    late = proposal_move(proposal=late, participant_id=newcomer.pk, group_key=key, actor=coordinator)
    assert "apart" in {w.code for w in proposal_check(proposal=late)}

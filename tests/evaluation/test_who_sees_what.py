"""Who sees what: coordinators individual answers, facilitators group figures from five answers, nobody else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from kollega.core.models import ConsentItem, Role
from kollega.core.services import consent_record
from kollega.evaluation import selectors, services
from kollega.evaluation.models import RoundKind
from tests.evaluation.conftest import answers
from tests.factories import make_group, make_organisation, make_programme, make_staff

pytestmark = pytest.mark.django_db


def open_round(programme, people):
    return services.round_open(
        programme=programme,
        form=services.wellbeing_form_ensure(programme=programme),
        kind=RoundKind.BASELINE,
        participants=people,
        closes_at=timezone.now() + timedelta(days=14),
    )


def group_with_answers(programme, answered: int):
    lead = make_staff(programme.organisation, Role.FACILITATOR)
    group = make_group(programme, members=6, lead=lead)
    members = [m.participant for m in group.memberships.all()]
    for member in members:
        consent_record(participant=member, item=ConsentItem.WELLBEING_QUESTIONNAIRE, given=True, actor=None)
    round = open_round(programme, members)
    for member in members[:answered]:
        services.round_answer(
            invitation=round.invitations.get(participant=member), raw=answers(who5=(3, 3, 3, 3, 3)), language="en"
        )
    return group, round, lead


def test_the_coordinator_sees_individual_answers(programme, person) -> None:
    coordinator = make_staff(programme.organisation)
    someone = person()
    round = open_round(programme, [someone])
    services.round_answer(invitation=round.invitations.get(), raw=answers(), language="en")
    rows = selectors.round_responses_for_coordinator(user=coordinator, round=round)
    assert [(r.participant, r.values["who5_1"], r.scores.who5.percentage) for r in rows] == [(someone, 4, 72)]


def test_another_organisations_coordinator_and_anyone_else_get_404(programme, person) -> None:
    round = open_round(programme, [person()])
    stranger = make_staff(make_organisation())
    facilitator = make_staff(programme.organisation, Role.FACILITATOR)
    for user in (stranger, facilitator, AnonymousUser()):
        with pytest.raises(Http404):
            selectors.round_responses_for_coordinator(user=user, round=round)


def test_a_facilitator_sees_no_figures_when_fewer_than_five_answered(programme) -> None:
    group, round, lead = group_with_answers(programme, answered=4)
    figures = selectors.group_figures_for_facilitator(user=lead, group=group, round=round)
    assert (figures.answered, figures.shown, figures.who5_mean) == (4, False, None)


def test_a_facilitator_sees_the_means_from_five_answers(programme) -> None:
    group, round, lead = group_with_answers(programme, answered=5)
    services.round_close(round=round)  # means only for a closed round (test_review_fixes.py)
    figures = selectors.group_figures_for_facilitator(user=lead, group=group, round=round)
    assert (figures.answered, figures.shown, figures.who5_mean) == (5, True, 60)
    assert figures.peer_support_mean == pytest.approx(3.6)


def test_group_figures_are_hidden_from_everyone_else(programme) -> None:
    group, round, _lead = group_with_answers(programme, answered=5)
    other_facilitator = make_staff(programme.organisation, Role.FACILITATOR)
    stranger = make_staff(make_organisation())
    for user in (other_facilitator, stranger, AnonymousUser()):
        with pytest.raises(Http404):
            selectors.group_figures_for_facilitator(user=user, group=group, round=round)
    other_round = open_round(make_programme(programme.organisation), [])
    with pytest.raises(Http404):
        selectors.group_figures_for_facilitator(user=_lead, group=group, round=other_round)


def test_the_participant_page_shows_contact_requests_to_coordinators_only(programme, person) -> None:
    someone = person()
    round = open_round(programme, [someone])
    services.round_answer(invitation=round.invitations.get(), raw=answers(who5=(0, 2, 2, 2, 2)), language="en")
    services.contact_request_create(invitation=round.invitations.get())
    coordinator = make_staff(programme.organisation)
    assert len(selectors.contact_requests_for_participant(user=coordinator, participant=someone)) == 1
    stranger = make_staff(make_organisation())
    assert selectors.contact_requests_for_participant(user=stranger, participant=someone) == []
    assert selectors.contact_requests_for_participant(user=AnonymousUser(), participant=someone) == []


def test_coordinator_pages_answer_404_to_other_organisations_and_sign_in_to_visitors(client, programme, person) -> None:
    round = open_round(programme, [person()])
    urls = [
        f"/programmes/{programme.pk}/questionnaires/",
        f"/programmes/{programme.pk}/questionnaires/{round.pk}/",
        f"/programmes/{programme.pk}/questionnaires/{round.pk}/close/",
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # to sign in
    client.force_login(make_staff(make_organisation()))
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.post(f"/programmes/{programme.pk}/questionnaires/{round.pk}/close/").status_code == 404
    round.refresh_from_db()
    assert round.closed_at is None

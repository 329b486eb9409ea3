"""The coordinator's questionnaire page: counts, a follow-up round, remind now, close."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kollega.core.models import Status
from kollega.evaluation import services
from kollega.evaluation.models import QuestionnaireRound, RoundInvitation, RoundKind
from tests.evaluation.conftest import answers
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(client, programme):
    user = make_staff(programme.organisation)
    client.force_login(user)
    return user


def test_the_page_shows_rounds_with_counts(client, programme, person, coordinator) -> None:
    people = [person(), person(), person(consent=False)]
    round = services.round_open(
        programme=programme,
        form=services.wellbeing_form_ensure(programme=programme),
        kind=RoundKind.BASELINE,
        participants=people,
        closes_at=timezone.now() + timedelta(days=14),
    )
    services.round_answer(invitation=round.invitations.first(), raw=answers(), language="en")
    page = client.get(f"/programmes/{programme.pk}/questionnaires/").content.decode()
    assert "Baseline" in page
    assert '<td class="num">2</td><td class="num">1</td><td class="num">0</td>' in page
    detail = client.get(f"/programmes/{programme.pk}/questionnaires/{round.pk}/").content.decode()
    assert people[0].display_name in detail and "not answered" in detail


def test_a_follow_up_round_goes_to_the_chosen_statuses(client, programme, person, coordinator) -> None:
    accepted, booked = person(status=Status.ACCEPTED), person(status=Status.INTERVIEW_BOOKED)
    last_day = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = client.post(
        f"/programmes/{programme.pk}/questionnaires/", {"statuses": ["accepted"], "closes": last_day}, follow=True
    )
    assert "The follow-up round is open: 1 person was invited." in response.content.decode()
    round = QuestionnaireRound.objects.get(kind=RoundKind.FOLLOW_UP)
    assert list(round.invitations.values_list("participant", flat=True)) == [accepted.pk]
    assert booked.round_invitations.count() == 0


def test_a_follow_up_round_needs_a_future_date(client, programme, coordinator) -> None:
    response = client.post(
        f"/programmes/{programme.pk}/questionnaires/", {"statuses": ["accepted"], "closes": "2001-01-01"}
    )
    assert "Choose a date from " in response.content.decode()
    assert not QuestionnaireRound.objects.exists()


def test_remind_now_and_close_after_asking(client, programme, person, coordinator) -> None:
    round = services.round_open(
        programme=programme,
        form=services.wellbeing_form_ensure(programme=programme),
        kind=RoundKind.BASELINE,
        participants=[person()],
        closes_at=timezone.now() + timedelta(days=14),
    )
    base = f"/programmes/{programme.pk}/questionnaires/{round.pk}/"
    page = client.post(base + "remind/", follow=True).content.decode()
    assert "Nobody to remind now" in page
    # Three days on (the wait counts from the later of the invitation and the opening):
    QuestionnaireRound.objects.update(opens_at=timezone.now() - timedelta(days=3))
    RoundInvitation.objects.update(invited_at=timezone.now() - timedelta(days=3))
    assert "Reminded 1 person." in client.post(base + "remind/", follow=True).content.decode()
    assert "Close the round?" in client.get(base + "close/").content.decode()
    round.refresh_from_db()
    assert round.closed_at is None
    client.post(base + "close/")
    round.refresh_from_db()
    assert round.closed_at is not None


def test_the_round_pages_take_a_fixed_number_of_queries(client, programme, person, coordinator) -> None:
    round = services.round_open(
        programme=programme,
        form=services.wellbeing_form_ensure(programme=programme),
        kind=RoundKind.BASELINE,
        participants=[person() for _ in range(3)],
        closes_at=timezone.now() + timedelta(days=14),
    )
    for invitation in round.invitations.all():
        services.round_answer(invitation=invitation, raw=answers(), language="en")
    urls = [f"/programmes/{programme.pk}/questionnaires/", f"/programmes/{programme.pk}/questionnaires/{round.pk}/"]

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = [queries(url) for url in urls]
    for _ in range(5):
        services.round_invite(round=round, participant=person())
    assert [queries(url) for url in urls] == before

"""The round's page marks people whose latest invitation or reminder email could not be delivered."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kollega.evaluation import services
from kollega.evaluation.models import QuestionnaireRound, RoundInvitation, RoundKind
from kollega.notifications.models import Notification, NotificationStatus
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(client, programme):
    user = make_staff(programme.organisation)
    client.force_login(user)
    return user


def open_round(programme, people, kind=RoundKind.BASELINE):
    return services.round_open(
        programme=programme,
        form=services.wellbeing_form_ensure(programme=programme),
        kind=kind,
        participants=people,
        closes_at=timezone.now() + timedelta(days=14),
    )


def email_to(participant, kind=services.KIND_INVITATION, round=None) -> Notification:
    rows = Notification.objects.filter(kind=kind, recipient=participant.user.email)
    if round is not None:
        rows = rows.filter(subject=f"evaluation.roundinvitation:{round.invitations.get(participant=participant).pk}")
    return rows.latest("created_at", "id")


def mark(notification: Notification, status: str, next_attempt_at=None) -> None:
    Notification.objects.filter(pk=notification.pk).update(status=status, next_attempt_at=next_attempt_at)


def detail(client, programme, round) -> str:
    response = client.get(f"/programmes/{programme.pk}/questionnaires/{round.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_failed_invitation_shows_not_delivered_with_a_link_to_the_message(
    client, programme, person, coordinator
) -> None:
    failed, delivered = person(full_name="Aino Failed"), person(full_name="Bertil Delivered")
    round = open_round(programme, [failed, delivered])
    bad = email_to(failed)
    mark(bad, NotificationStatus.FAILED)
    mark(email_to(delivered), NotificationStatus.SENT)
    page = detail(client, programme, round)
    assert page.count("Not delivered") == 1
    assert f'href="{reverse("notifications:detail", args=[bad.pk])}"' in page
    assert "1 invitation could not be delivered." in page
    row = page[page.index("Aino Failed") :]
    assert row.index("Not delivered") < row.index("Bertil Delivered")


def test_a_failure_still_being_retried_is_not_marked(client, programme, person, coordinator) -> None:
    someone = person()
    round = open_round(programme, [someone])
    mark(email_to(someone), NotificationStatus.FAILED, next_attempt_at=timezone.now() + timedelta(minutes=10))
    page = detail(client, programme, round)
    assert "Not delivered" not in page and "could not be delivered" not in page


def test_a_later_reminder_that_got_through_clears_the_mark(client, programme, person, coordinator) -> None:
    someone = person()
    round = open_round(programme, [someone])
    mark(email_to(someone), NotificationStatus.FAILED)
    assert "Not delivered" in detail(client, programme, round)
    QuestionnaireRound.objects.update(opens_at=timezone.now() - timedelta(days=3))
    RoundInvitation.objects.update(invited_at=timezone.now() - timedelta(days=3))
    services.round_remind(round=round)
    mark(email_to(someone, kind=services.KIND_REMINDER), NotificationStatus.SENT)
    assert "Not delivered" not in detail(client, programme, round)


def test_counts_every_undelivered_invitation(client, programme, person, coordinator) -> None:
    people = [person(), person(), person()]
    round = open_round(programme, people)
    for participant in people[:2]:
        mark(email_to(participant), NotificationStatus.FAILED)
    page = detail(client, programme, round)
    assert "2 invitations could not be delivered." in page
    assert page.count("Not delivered") == 2


def test_a_failed_email_of_another_round_is_not_shown_here(client, programme, person, coordinator) -> None:
    someone = person()
    baseline = open_round(programme, [someone])
    mark(email_to(someone, round=baseline), NotificationStatus.SENT)
    final = open_round(programme, [someone], kind=RoundKind.FINAL)
    mark(email_to(someone, round=final), NotificationStatus.FAILED)
    assert "Not delivered" not in detail(client, programme, baseline)
    assert "Not delivered" in detail(client, programme, final)

"""Review findings on questionnaire rounds: reminders of a round opened for later, group figures only once
a round has closed, far-off closing dates, and a double click on "Ask the coordinator to contact me"."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone

from kollega.core.models import ConsentItem, Participant, Programme, Role, Status
from kollega.core.services import consent_record
from kollega.evaluation import selectors, services
from kollega.evaluation.models import ContactRequest, QuestionnaireRound, RoundKind
from kollega.notifications.models import Notification
from tests.evaluation.conftest import answers
from tests.factories import make_group, make_participant, make_programme, make_staff

pytestmark = pytest.mark.django_db


def open_round(
    programme: Programme,
    people: list[Participant],
    *,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> QuestionnaireRound:
    return services.round_open(
        programme=programme,
        form=services.wellbeing_form_ensure(programme=programme),
        kind=RoundKind.FOLLOW_UP,
        participants=people,
        opens_at=opens_at,
        closes_at=closes_at or timezone.now() + timedelta(days=14),
    )


def kinds_sent_to(person: Participant) -> list[str]:
    return sorted(Notification.objects.filter(recipient=person.user.email).values_list("kind", flat=True))


# --- 2. a round opened for later: the invitation first, the reminder days after it ----------------


def test_a_round_opening_later_does_not_remind_together_with_the_invitation(programme, person) -> None:
    someone = person(status=Status.ACCEPTED)
    now = timezone.now()
    opens = now + timedelta(days=7)
    round = open_round(programme, [someone], opens_at=opens, closes_at=now + timedelta(days=21))
    invitation = Notification.objects.get(kind=services.KIND_INVITATION, recipient=someone.user.email)
    assert invitation.due_at == opens

    assert services.rounds_run_due(now=opens + timedelta(minutes=1)) == (0, 0)
    assert services.rounds_run_due(now=opens + timedelta(days=2, hours=23)) == (0, 0)
    assert kinds_sent_to(someone) == [services.KIND_INVITATION]

    assert services.rounds_run_due(now=opens + timedelta(days=3, minutes=1)) == (0, 1)
    assert kinds_sent_to(someone) == [services.KIND_INVITATION, services.KIND_REMINDER]
    assert round.invitations.get().reminder_count == 1


def test_reminding_by_hand_counts_two_days_from_the_opening_of_a_round_opened_for_later(programme, person) -> None:
    someone = person(status=Status.ACCEPTED)
    now = timezone.now()
    opens = now + timedelta(days=7)
    round = open_round(programme, [someone], opens_at=opens, closes_at=now + timedelta(days=21))

    assert services.round_remind(round=round, now=opens + timedelta(minutes=1)) == 0
    assert services.round_remind(round=round, now=opens + timedelta(days=1)) == 0
    assert kinds_sent_to(someone) == [services.KIND_INVITATION]
    assert services.round_remind(round=round, now=opens + timedelta(days=2, minutes=1)) == 1
    assert kinds_sent_to(someone) == [services.KIND_INVITATION, services.KIND_REMINDER]


def test_someone_invited_after_the_round_opened_waits_from_their_own_invitation(programme, person) -> None:
    early, late = person(status=Status.ACCEPTED), person(status=Status.ACCEPTED)
    round = open_round(programme, [early, late])
    round.invitations.filter(participant=late).update(invited_at=timezone.now() + timedelta(days=2))
    assert services.round_remind(round=round, now=timezone.now() + timedelta(days=2, minutes=1)) == 1
    assert kinds_sent_to(early) == [services.KIND_INVITATION, services.KIND_REMINDER]
    assert kinds_sent_to(late) == [services.KIND_INVITATION]


# --- 3. group figures only once the round has closed --------------------------------------------


def group_of_six(programme: Programme):
    lead = make_staff(programme.organisation, Role.FACILITATOR)
    group = make_group(programme, members=6, lead=lead)
    members = [m.participant for m in group.memberships.order_by("id")]
    for member in members:
        consent_record(participant=member, item=ConsentItem.WELLBEING_QUESTIONNAIRE, given=True, actor=None)
    return group, members, lead


def test_group_means_of_an_open_round_are_not_shown_so_nobody_can_difference_out_a_score(programme) -> None:
    group, members, lead = group_of_six(programme)
    round = open_round(programme, members)
    for member in members[:5]:
        services.round_answer(
            invitation=round.invitations.get(participant=member), raw=answers(who5=(3, 3, 3, 3, 3)), language="en"
        )
    five = selectors.group_figures_for_facilitator(user=lead, group=group, round=round)
    services.round_answer(
        invitation=round.invitations.get(participant=members[5]), raw=answers(who5=(0, 1, 0, 1, 0)), language="en"
    )
    six = selectors.group_figures_for_facilitator(user=lead, group=group, round=round)

    assert (five.answered, five.shown, five.round_closed, five.who5_mean, five.peer_support_mean) == (
        5,
        False,
        False,
        None,
        None,
    )
    assert (six.answered, six.shown, six.who5_mean) == (6, False, None)

    services.round_close(round=round)
    closed = selectors.group_figures_for_facilitator(user=lead, group=group, round=round)
    assert (closed.answered, closed.shown, closed.round_closed) == (6, True, True)
    assert closed.who5_mean == pytest.approx((5 * 60 + 8) / 6)


def test_a_round_past_its_closing_time_shows_figures_before_the_job_has_closed_it(programme) -> None:
    group, members, lead = group_of_six(programme)
    round = open_round(programme, members)
    for member in members[:5]:
        services.round_answer(invitation=round.invitations.get(participant=member), raw=answers(), language="en")
    QuestionnaireRound.objects.filter(pk=round.pk).update(
        opens_at=timezone.now() - timedelta(days=10), closes_at=timezone.now() - timedelta(minutes=1)
    )
    round.refresh_from_db()
    figures = selectors.group_figures_for_facilitator(user=lead, group=group, round=round)
    assert (figures.shown, figures.who5_mean) == (True, 72)


def test_a_closed_round_with_four_answers_still_shows_only_the_count(programme) -> None:
    group, members, lead = group_of_six(programme)
    round = open_round(programme, members)
    for member in members[:4]:
        services.round_answer(invitation=round.invitations.get(participant=member), raw=answers(), language="en")
    services.round_close(round=round)
    figures = selectors.group_figures_for_facilitator(user=lead, group=group, round=round)
    assert (figures.answered, figures.shown, figures.round_closed, figures.who5_mean) == (4, False, True, None)


# --- 4. far-off closing dates: a clear message, never a server error ------------------------------


@pytest.fixture
def coordinator_client(programme: Programme) -> Client:
    client = Client()  # raises a server error into the test instead of answering 500
    client.force_login(make_staff(programme.organisation))
    return client


def org_today(programme: Programme) -> date:
    return timezone.localdate(timezone=programme.organisation.tz)


@pytest.mark.parametrize("closes", ["9999-12-31", "2101-01-01"])
def test_a_far_future_closing_date_is_refused_next_to_the_field(coordinator_client, programme, person, closes) -> None:
    person(status=Status.ACCEPTED)
    response = coordinator_client.post(
        f"/programmes/{programme.pk}/questionnaires/", {"statuses": ["accepted"], "closes": closes}
    )
    assert response.status_code == 200
    today = org_today(programme)
    last = services.last_closing_day(today)
    page = response.content.decode()
    assert f"Choose a date from {today.day}.{today.month}.{today.year} to {last.day}.{last.month}.{last.year}." in page
    assert closes in page  # what was typed comes back
    assert not QuestionnaireRound.objects.exists()


def test_the_last_allowed_day_is_two_years_on_and_the_next_is_refused(coordinator_client, programme, person) -> None:
    person(status=Status.ACCEPTED)
    last = services.last_closing_day(org_today(programme))
    path = f"/programmes/{programme.pk}/questionnaires/"
    refused = coordinator_client.post(
        path, {"statuses": ["accepted"], "closes": (last + timedelta(days=1)).isoformat()}
    )
    assert "Choose a date from" in refused.content.decode()
    assert not QuestionnaireRound.objects.exists()
    coordinator_client.post(path, {"statuses": ["accepted"], "closes": last.isoformat()})
    round = QuestionnaireRound.objects.get()
    closes = timezone.localtime(round.closes_at, programme.organisation.tz)
    assert closes.date() == last + timedelta(days=1) and (closes.hour, closes.minute) == (0, 0)
    assert round.invitations.count() == 1


def test_a_date_before_today_is_refused_too(coordinator_client, programme) -> None:
    yesterday = org_today(programme) - timedelta(days=1)
    response = coordinator_client.post(
        f"/programmes/{programme.pk}/questionnaires/", {"statuses": ["accepted"], "closes": yesterday.isoformat()}
    )
    assert "Choose a date from" in response.content.decode()
    assert not QuestionnaireRound.objects.exists()


def test_last_closing_day_of_a_leap_day_is_the_28th_of_february() -> None:
    assert services.last_closing_day(date(2028, 2, 29)) == date(2030, 2, 28)
    assert services.last_closing_day(date(2026, 11, 28)) == date(2028, 11, 28)


def test_the_service_refuses_a_closing_time_more_than_two_years_ahead(programme, person) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        open_round(programme, [person()], closes_at=datetime(9999, 12, 31, 12, tzinfo=programme.organisation.tz))
    assert caught.value.message_dict == {"closes_at": ["A round can close at most two years from now."]}
    assert not QuestionnaireRound.objects.exists()


def test_the_command_refuses_a_far_future_date_with_1(programme) -> None:
    with pytest.raises(CommandError) as caught:
        call_command("open_round", str(programme.pk), "--closes", "9999-12-31", stdout=StringIO())
    last = services.last_closing_day(org_today(programme))
    assert caught.value.returncode == 1
    assert str(caught.value) == f"Choose a closing date no later than {last.isoformat()}."
    assert not QuestionnaireRound.objects.exists()


# --- 5. "Ask the coordinator to contact me" pressed twice ------------------------------------------


def low_answer(programme: Programme) -> tuple[Participant, str]:
    make_staff(programme.organisation)
    someone = make_participant(programme, Status.ACCEPTED, language="en")
    consent_record(participant=someone, item=ConsentItem.WELLBEING_QUESTIONNAIRE, given=True, actor=None)
    round = open_round(programme, [someone])
    invitation = round.invitations.get()
    services.round_answer(invitation=invitation, raw=answers(who5=(1, 2, 2, 2, 2)), language="en")
    return someone, services.questionnaire_path(invitation)


def test_the_database_keeps_one_waiting_request_per_person(programme) -> None:
    someone, _path = low_answer(programme)
    ContactRequest.objects.create(participant=someone)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactRequest.objects.create(participant=someone)
    ContactRequest.objects.update(handled_at=timezone.now())
    ContactRequest.objects.create(participant=someone)  # a new request once the first is handled
    assert ContactRequest.objects.filter(participant=someone).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_double_click_makes_one_request_and_one_email() -> None:
    assert connection.vendor == "postgresql"
    programme = make_programme()
    someone, path = low_answer(programme)
    clicks = 8
    barrier = threading.Barrier(clicks)

    def press(_n: int) -> int:
        try:
            barrier.wait(timeout=30)
            return Client().post(path + "contact/").status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=clicks) as pool:
        statuses = list(pool.map(press, range(clicks)))

    assert statuses == [302] * clicks
    assert ContactRequest.objects.filter(participant=someone, handled_at__isnull=True).count() == 1
    assert Notification.objects.filter(kind=services.KIND_CONTACT_REQUEST).count() == 1
    page = Client().get(path + "answers/").content.decode()
    assert "You have asked the coordinator to contact you." in page

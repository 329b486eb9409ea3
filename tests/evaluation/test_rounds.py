"""Rounds: who is invited, answering and answering again, closing, reminders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kollega.evaluation import services
from kollega.evaluation.models import QuestionnaireRound, RoundInvitation, RoundKind
from kollega.notifications.models import Notification
from kollega.surveys.models import Response
from tests.evaluation.conftest import answers

pytestmark = pytest.mark.django_db


def open_round(programme, people, kind=RoundKind.BASELINE, days=14) -> QuestionnaireRound:
    return services.round_open(
        programme=programme,
        form=services.wellbeing_form_ensure(programme=programme),
        kind=kind,
        participants=people,
        closes_at=timezone.now() + timedelta(days=days),
    )


def test_the_wellbeing_form_holds_both_instruments_with_who5_in_its_own_words(programme) -> None:
    form = services.wellbeing_form_ensure(programme=programme)
    assert services.wellbeing_form_ensure(programme=programme) == form  # made once
    questions = {q.key: q for q in form.questions.all()}
    assert questions["who5_1"].text["en"] == "I have felt cheerful and in good spirits"
    assert questions["who5_5"].text["en"] == "My daily life has been filled with things that interest me"
    assert (questions["who5_1"].scale_min, questions["who5_1"].scale_max) == (0, 5)
    assert questions["who5_1"].scale_labels["max"]["en"] == "All of the time"
    assert (questions["wps_alone"].scale_min, questions["wps_alone"].scale_max) == (1, 5)
    who5, peer = form.instruments.order_by("position")
    assert who5.official_languages == ["en"]
    assert "Topp et al. 2015" in who5.source
    assert sorted(peer.official_languages) == ["en", "fi", "sv"]


def test_only_those_who_agreed_are_invited_and_emailed(programme, person) -> None:
    yes, no = person(consent=True), person(consent=False)
    round = open_round(programme, [yes, no])
    assert list(round.invitations.values_list("participant", flat=True)) == [yes.pk]
    mail = Notification.objects.get(kind=services.KIND_INVITATION)
    assert mail.recipient == yes.user.email
    assert mail.language == "en"
    assert mail.context["questionnaire_url"].endswith("/")
    # Inviting again changes nothing and sends nothing more.
    services.round_invite(round=round, participant=yes)
    assert services.round_invite(round=round, participant=no) is None
    assert RoundInvitation.objects.count() == 1
    assert Notification.objects.filter(kind=services.KIND_INVITATION).count() == 1


def test_each_round_asks_its_own_form_so_the_final_never_replaces_the_baseline(programme, person) -> None:
    someone = person()
    baseline = open_round(programme, [someone])
    final = open_round(programme, [someone], kind=RoundKind.FINAL)
    assert baseline.form_id != final.form_id
    services.round_answer(invitation=baseline.invitations.get(), raw=answers(), language="en")
    services.round_answer(invitation=final.invitations.get(), raw=answers(who5=(5, 5, 5, 5, 5)), language="en")
    assert Response.objects.filter(participant=someone, replaced_at__isnull=True).count() == 2
    assert final.form.instruments.count() == 2


def test_answering_again_replaces_the_answers_and_keeps_the_earlier(programme, person) -> None:
    someone = person()
    round = open_round(programme, [someone])
    invitation = round.invitations.get()
    first = services.round_answer(invitation=invitation, raw=answers(), language="en")
    second = services.round_answer(invitation=invitation, raw=answers(who5=(1, 1, 1, 1, 1)), language="en")
    first.refresh_from_db()
    invitation.refresh_from_db()
    assert first.replaced_at is not None and first.answers.count() == 10
    assert invitation.response == second and invitation.answered_at == second.submitted_at


def test_a_closed_round_refuses_answers_and_invitations(programme, person) -> None:
    someone, later = person(), person()
    round = open_round(programme, [someone])
    services.round_close(round=round)
    with pytest.raises(services.RoundNotOpenError):
        services.round_answer(invitation=round.invitations.get(), raw=answers(), language="en")
    assert services.round_invite(round=round, participant=later) is None
    assert not Response.objects.exists()


def test_a_round_past_its_closing_time_refuses_before_the_job_has_closed_it(programme, person) -> None:
    round = open_round(programme, [person()])
    QuestionnaireRound.objects.filter(pk=round.pk).update(
        opens_at=timezone.now() - timedelta(days=14), closes_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(services.RoundNotOpenError):
        services.round_answer(invitation=round.invitations.get(), raw=answers(), language="en")
    assert services.rounds_run_due() == (1, 0)
    round.refresh_from_db()
    assert round.closed_at is not None


def test_reminders_go_only_to_non_answerers_and_not_twice_within_two_days(programme, person) -> None:
    answered, silent = person(), person()
    round = open_round(programme, [answered, silent])
    services.round_answer(invitation=round.invitations.get(participant=answered), raw=answers(), language="en")
    # Invited just now: nobody is reminded yet.
    assert services.round_remind(round=round) == 0
    QuestionnaireRound.objects.update(opens_at=timezone.now() - timedelta(days=3))  # the wait counts from both
    RoundInvitation.objects.update(invited_at=timezone.now() - timedelta(days=3))
    assert services.round_remind(round=round) == 1
    reminders = Notification.objects.filter(kind=services.KIND_REMINDER)
    assert [n.recipient for n in reminders] == [silent.user.email]
    assert services.round_remind(round=round, now=timezone.now() + timedelta(days=1)) == 0
    assert services.round_remind(round=round, now=timezone.now() + timedelta(days=2, minutes=1)) == 1
    round.refresh_from_db()
    assert round.reminders_sent == 2


def test_the_job_reminds_at_most_twice(programme, person) -> None:
    round = open_round(programme, [person()], days=30)
    QuestionnaireRound.objects.update(opens_at=timezone.now() - timedelta(days=4))
    RoundInvitation.objects.update(invited_at=timezone.now() - timedelta(days=4))
    now = timezone.now()
    assert services.rounds_run_due(now=now) == (0, 1)
    assert services.rounds_run_due(now=now + timedelta(days=1)) == (0, 0)
    assert services.rounds_run_due(now=now + timedelta(days=3)) == (0, 1)
    assert services.rounds_run_due(now=now + timedelta(days=6)) == (0, 0)
    assert round.invitations.get().reminder_count == 2


def test_a_withdrawn_consent_stops_reminders_and_answers(programme, person) -> None:
    from kollega.core.models import ConsentItem
    from kollega.core.services import consent_record

    someone = person()
    round = open_round(programme, [someone])
    consent_record(participant=someone, item=ConsentItem.WELLBEING_QUESTIONNAIRE, given=False, actor=None)
    QuestionnaireRound.objects.update(opens_at=timezone.now() - timedelta(days=3))  # the wait counts from both
    RoundInvitation.objects.update(invited_at=timezone.now() - timedelta(days=3))
    assert services.round_remind(round=round) == 0
    with pytest.raises(ValidationError):
        services.round_answer(invitation=round.invitations.get(), raw=answers(), language="en")


def test_baseline_round_for_makes_one_open_baseline(programme, person) -> None:
    first = services.baseline_round_for(programme=programme)
    assert services.baseline_round_for(programme=programme) == first
    assert first.kind == RoundKind.BASELINE and first.is_open()
    assert services.round_invite(round=first, participant=person()) is not None
    services.round_close(round=first)
    assert services.baseline_round_for(programme=programme) != first


def test_a_round_must_close_in_the_future(programme) -> None:
    with pytest.raises(ValidationError):
        services.round_open(
            programme=programme,
            form=services.wellbeing_form_ensure(programme=programme),
            kind=RoundKind.FOLLOW_UP,
            participants=[],
            closes_at=timezone.now() - timedelta(days=1),
        )
    assert not QuestionnaireRound.objects.exists()

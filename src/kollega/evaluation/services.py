"""Every state change of questionnaire rounds and the well-being instruments. One service is one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kollega.accounts.models import User
from kollega.core import selectors as core_selectors
from kollega.core.models import ConsentItem, Participant, Programme, Role, StaffMembership, Status
from kollega.core.models.texts import localized
from kollega.core.services import audit_log
from kollega.evaluation import instruments
from kollega.evaluation.models import ContactRequest, Instrument, QuestionnaireRound, RoundInvitation, RoundKind
from kollega.evaluation.tokens import round_token
from kollega.evaluation.wellbeing import who5
from kollega.notifications.services import notification_queue, resend_version, resent_recently
from kollega.surveys import selectors as survey_selectors
from kollega.surveys import services as survey_services
from kollega.surveys.models import Form, Purpose, QuestionType, Response

KIND_INVITATION = "evaluation.invitation"
KIND_REMINDER = "evaluation.reminder"
KIND_CONTACT_REQUEST = "evaluation.contact_request"

#: Nobody is reminded about one round more often than this, by hand or by the job.
REMINDER_INTERVAL = timedelta(days=2)
#: The periodic job reminds each person who has not answered at most this many times ...
AUTO_REMINDERS = 2
#: ... and waits this long after the invitation or the previous reminder.
AUTO_REMINDER_AFTER = timedelta(days=3)
#: A baseline round made when the first interview is booked stays open this long (it can be closed earlier).
BASELINE_OPEN_DAYS = 56

#: People who have left the programme are not asked any more.
GONE_STATUSES = frozenset({Status.CANCELLED, Status.WITHDRAWN, Status.DECLINED})

FORM_TITLE = {
    "fi": "Työhyvinvoinnin itsearviointi",
    "sv": "Självbedömning av arbetsvälbefinnande",
    "en": "Work well-being self-assessment",
}


def questionnaire_path(invitation: RoundInvitation) -> str:
    return f"/q/{round_token(invitation)}/"


def _absolute(path: str) -> str:
    return str(settings.KOLLEGA_BASE_URL).rstrip("/") + path


# --- the instruments ---------------------------------------------------------


def _instrument_forms(programme: Programme) -> list[Form]:
    return list(
        Form.objects.filter(programme=programme, purpose=Purpose.QUESTIONNAIRE, instruments__key="who5").order_by(
            "-created_at", "-id"
        )
    )


@transaction.atomic
def wellbeing_form_ensure(*, programme: Programme, actor: User | None = None) -> Form:
    """The programme's well-being questionnaire (WHO-5 and the work and peer support scale), made on first use.

    The newest such form is the one to ask; a round that finds it taken by
    another round asks a copy of it (``round_open``).
    """
    Programme.objects.select_for_update().filter(pk=programme.pk).first()  # one form, also when two ask at once
    existing = _instrument_forms(programme)
    if existing:
        return existing[0]
    form = survey_services.form_create(
        organisation=programme.organisation,
        programme=programme,
        purpose=Purpose.QUESTIONNAIRE,
        title=dict(FORM_TITLE),
        actor=actor,
    )
    for position, key in enumerate(instruments.INSTRUMENT_KEYS):
        definition = instruments.instrument_definition(key)
        scale = definition["scale"]
        for question in definition["questions"]:
            survey_services.question_add(
                form=form,
                key=question["key"],
                type=QuestionType.RATING_SCALE,
                actor=actor,
                required=True,
                text=dict(question["text"]),
                scale_min=scale["min"],
                scale_max=scale["max"],
                scale_labels=instruments.scale_labels(definition),
            )
        Instrument.objects.create(
            form=form,
            key=key,
            position=position,
            question_keys=[q["key"] for q in definition["questions"]],
            instruction=dict(definition["instruction"]),
            official_languages=list(definition["official_languages"]),
            source=definition["source"],
        )
    audit_log(
        action="evaluation.wellbeing_form.created", subject=form, actor=actor, organisation=programme.organisation
    )
    return form


def _form_copy_with_instruments(form: Form, actor: User | None) -> Form:
    copy = survey_services.form_copy(form=form, actor=actor, title=dict(form.title))
    for instrument in Instrument.objects.filter(form=form):
        Instrument.objects.create(
            form=copy,
            key=instrument.key,
            position=instrument.position,
            question_keys=list(instrument.question_keys),
            instruction=dict(instrument.instruction),
            official_languages=list(instrument.official_languages),
            source=instrument.source,
        )
    return copy


@transaction.atomic
def instrument_text_replace(
    *, instrument: Instrument, language: str, texts: dict[str, Any], actor: User | None = None
) -> Instrument:
    """Put an organisation's official wording of one language in, and mark that language official.

    ``texts`` is ``{"instruction": str, "questions": {key: str}, "answers": {value: str}}``;
    ``answers`` names every labelled point (WHO-5: all six; a scale with labelled
    ends: its lowest and highest). Answers already given never change: a form
    that has answers is copied first, the copy gets the new wording, and an open
    round asking the old form asks the copy from now on. Returns the instrument
    on the form that now carries the wording.
    """
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Unknown language.")})
    instrument = Instrument.objects.select_related("form").get(pk=instrument.pk)
    form = Form.objects.select_for_update().get(pk=instrument.form_id)
    questions = {q.key: q for q in survey_selectors.form_questions(form=form) if q.key in instrument.question_keys}
    errors = _texts_problems(instrument, questions, texts)
    if errors:
        raise ValidationError(errors)
    if survey_selectors.form_has_responses(form=form):
        copy = _form_copy_with_instruments(form, actor)
        QuestionnaireRound.objects.filter(form=form, closed_at__isnull=True, closes_at__gt=timezone.now()).update(
            form=copy
        )
        form = copy
        instrument = Instrument.objects.get(form=copy, key=instrument.key)
        questions = {q.key: q for q in survey_selectors.form_questions(form=copy) if q.key in instrument.question_keys}
    answers = {str(k): str(v).strip() for k, v in (texts.get("answers") or {}).items()}
    for key, question in questions.items():
        labels = dict(question.scale_labels or {})
        points = labels.get("points")
        if isinstance(points, list):
            labels["points"] = [
                {**point, "label": {**point.get("label", {}), language: answers[str(point["value"])]}}
                for point in points
            ]
        for end, value in (("min", question.scale_min), ("max", question.scale_max)):
            if str(value) in answers:
                labels[end] = {**labels.get(end, {}), language: answers[str(value)]}
        survey_services.question_update(
            question=question,
            actor=actor,
            text={**question.text, language: str(texts["questions"][key]).strip()},
            scale_labels=labels,
        )
    instrument.instruction = {**instrument.instruction, language: str(texts.get("instruction", "")).strip()}
    if language not in instrument.official_languages:
        instrument.official_languages = [*instrument.official_languages, language]
    instrument.save(update_fields=["instruction", "official_languages"])
    audit_log(
        action="evaluation.instrument.text_replaced",
        subject=instrument,
        actor=actor,
        organisation=form.organisation,
        data={"language": language, "form": form.pk},
    )
    return instrument


def _texts_problems(instrument: Instrument, questions: dict[str, Any], texts: Any) -> dict[str, str]:
    if not isinstance(texts, dict):
        return {"texts": _("Give the instruction, every question and every answer label.")}
    errors: dict[str, str] = {}
    instruction = texts.get("instruction")
    if not isinstance(instruction, str) or not instruction.strip():
        errors["instruction"] = _("Give the instruction.")
    wording = texts.get("questions")
    missing = [key for key in questions if not isinstance(wording, dict) or not str(wording.get(key) or "").strip()]
    if missing:
        errors["questions"] = _("Give the wording of every question; missing: %(keys)s.") % {"keys": ", ".join(missing)}
    answers = texts.get("answers")
    wanted: set[str] = set()
    for question in questions.values():
        points = (question.scale_labels or {}).get("points")
        if isinstance(points, list):
            wanted |= {str(p["value"]) for p in points}
        else:
            wanted |= {str(question.scale_min), str(question.scale_max)}
    lacking = sorted(
        value for value in wanted if not isinstance(answers, dict) or not str(answers.get(value) or "").strip()
    )
    if lacking:
        errors["answers"] = _("Give the label of every answer; missing: %(values)s.") % {"values": ", ".join(lacking)}
    return errors


@transaction.atomic
def wellbeing_wording_replace(
    *, programme: Programme, key: str, language: str, texts: dict[str, Any], actor: User | None = None
) -> Instrument:
    """Put the official wording of one language into the programme's questionnaire (the coordinator's page).

    ``instrument_text_replace`` for the form the next round copies and for the
    form of every round that is not closed, so the rounds people answer now and
    the ones opened later all ask the new wording. Answers already given keep
    the wording they were given to. Returns the instrument on the newest form.
    """
    if key not in instruments.INSTRUMENT_KEYS:
        raise ValidationError({"key": _("Unknown instrument.")})
    newest = wellbeing_form_ensure(programme=programme, actor=actor)
    in_use = (
        QuestionnaireRound.objects.filter(programme=programme, closed_at__isnull=True, closes_at__gt=timezone.now())
        .exclude(form=newest)
        .order_by("form__created_at", "form_id")
        .values_list("form_id", flat=True)
    )
    result: Instrument | None = None
    for form_id in [*in_use, newest.pk]:
        instrument = Instrument.objects.filter(form_id=form_id, key=key).first()
        if instrument is not None:
            result = instrument_text_replace(instrument=instrument, language=language, texts=texts, actor=actor)
    if result is None:
        raise ValidationError({"key": _("This questionnaire does not ask that instrument.")})
    return result


# --- rounds ------------------------------------------------------------------


#: A round closes at most about two years ahead (the coordinator's form: the same day two years on);
#: a later time is a slip of the keyboard, and 9999-12-31 has no next day to compute.
MAX_YEARS_AHEAD = 2
ROUND_MAX_AHEAD = timedelta(days=366 * MAX_YEARS_AHEAD + 1)


def last_closing_day(today: date) -> date:
    """The last day a round opened ``today`` may close on: the same day two years on (28 February for the 29th)."""
    try:
        return today.replace(year=today.year + MAX_YEARS_AHEAD)
    except ValueError:
        return today.replace(year=today.year + MAX_YEARS_AHEAD, day=28)


def _check_times(opens_at: datetime, closes_at: datetime) -> None:
    if timezone.is_naive(opens_at) or timezone.is_naive(closes_at):
        raise ValidationError(_("Give the times with their time zone."))
    if closes_at <= opens_at:
        raise ValidationError({"closes_at": _("The round must close after it opens.")})
    now = timezone.now()
    if closes_at <= now:
        raise ValidationError({"closes_at": _("The closing time has already passed.")})
    if closes_at - now > ROUND_MAX_AHEAD:
        raise ValidationError({"closes_at": _("A round can close at most two years from now.")})


@transaction.atomic
def round_open(
    *,
    programme: Programme,
    form: Form,
    kind: str,
    participants: Iterable[Participant],
    closes_at: datetime,
    opens_at: datetime | None = None,
    actor: User | None = None,
) -> QuestionnaireRound:
    """Open a round of ``form`` and invite ``participants`` (those without the questionnaire consent are skipped).

    Each round asks a form of its own: a form another round asks, or one that
    has answers, is copied for this round first.
    """
    if kind not in RoundKind.values:
        raise ValidationError({"kind": _("Unknown kind of round.")})
    if form.programme_id != programme.pk or form.purpose != Purpose.QUESTIONNAIRE:
        raise ValidationError({"form": _("Choose a questionnaire of this programme.")})
    opens_at = opens_at or timezone.now()
    _check_times(opens_at, closes_at)
    Form.objects.select_for_update().filter(pk=form.pk).first()
    if QuestionnaireRound.objects.filter(form=form).exists() or survey_selectors.form_has_responses(form=form):
        form = _form_copy_with_instruments(form, actor)
    round = QuestionnaireRound.objects.create(
        programme=programme, form=form, kind=kind, opens_at=opens_at, closes_at=closes_at
    )
    audit_log(
        action="evaluation.round.opened",
        subject=round,
        actor=actor,
        organisation=programme.organisation,
        data={"kind": kind, "form": form.pk, "closes_at": closes_at.isoformat()},
    )
    for participant in participants:
        round_invite(round=round, participant=participant)
    return round


def _may_be_asked(participant: Participant) -> bool:
    return participant.status not in GONE_STATUSES and core_selectors.consent_given(
        participant=participant, item=ConsentItem.WELLBEING_QUESTIONNAIRE
    )


@transaction.atomic
def round_invite(*, round: QuestionnaireRound, participant: Participant) -> RoundInvitation | None:
    """Invite one participant (idempotent). None, and nothing sent, for someone who may not be asked.

    Only people who agreed to the well-being questionnaire are asked; the others
    are simply left out, which never affects their place. A closed round, a
    person of another programme or one who has left is left out too.
    """
    round = QuestionnaireRound.objects.select_related("programme__organisation").get(pk=round.pk)  # may have closed
    if participant.programme_id != round.programme_id or round.is_closed() or not _may_be_asked(participant):
        return None
    invitation, created = RoundInvitation.objects.get_or_create(round=round, participant=participant)
    if created:
        audit_log(
            action="evaluation.round.invited",
            subject=invitation,
            organisation=round.programme.organisation,
            data={"round": round.pk, "participant": participant.pk},
        )
        _queue(KIND_INVITATION, invitation, version=1, due_at=max(round.opens_at, timezone.now()))
    return invitation


def _queue(kind: str, invitation: RoundInvitation, *, version: int | str, due_at: datetime | None = None) -> None:
    participant = invitation.participant
    round = invitation.round
    programme = round.programme
    language = participant.language
    closes = timezone.localtime(round.closes_at, programme.organisation.tz)
    notification_queue(
        kind=kind,
        recipient=participant.user.email,
        recipient_user=participant.user,
        language=language,
        organisation=programme.organisation,
        subject=invitation,
        version=version,
        due_at=due_at,
        context={
            "invitation_id": invitation.pk,
            "name": participant.full_name or participant.user.full_name,
            "programme_title": localized(programme.title, language),
            "round_kind": round.kind,
            "closes_date": f"{closes.day}.{closes.month}.{closes.year}",
            "closes_time": f"{closes:%H:%M}",
            "questionnaire_url": _absolute(questionnaire_path(invitation)),
        },
    )


def invitation_links_resend(*, email: str, now: datetime | None = None) -> int:
    """Send the questionnaire link again to the address, for each open round that has invited it.

    For the page a broken link leads to: the caller always answers the same,
    whether or not the address is known. A round counts when it is open now
    and the person may still be asked (the consent stands, they have not
    left); someone who already answered gets the link too, as it shows and
    changes their answers while the round is open. At most one new message
    per invitation within ``RESEND_INTERVAL`` (counted back from ``now``, not
    by the clock hour). Returns how many were queued.
    """
    now = now or timezone.now()
    email = (email or "").strip().lower()
    if not email:
        return 0
    count = 0
    with transaction.atomic():
        # The invitation rows are locked so that two requests at once send one message, not two.
        invitations = (
            RoundInvitation.objects.select_for_update(of=("self",))
            .filter(
                participant__user__email__iexact=email,
                round__closed_at__isnull=True,
                round__opens_at__lte=now,
                round__closes_at__gt=now,
            )
            .select_related("participant__user", "round__programme__organisation")
            .order_by("round__opens_at", "id")
        )
        for invitation in invitations:
            if not _may_be_asked(invitation.participant):
                continue
            if resent_recently(
                recipient=invitation.participant.user.email, kind=KIND_INVITATION, subject=invitation, now=now
            ):
                continue
            _queue(KIND_INVITATION, invitation, version=resend_version(now))
            count += 1
    return count


@transaction.atomic
def round_remind(*, round: QuestionnaireRound, actor: User | None = None, now: datetime | None = None) -> int:
    """Remind those who have not answered, nobody twice within two days; returns how many were reminded.

    The two days count from the invitation email, which goes out when the round opens.
    """
    now = now or timezone.now()
    round = QuestionnaireRound.objects.select_for_update().select_related("programme__organisation").get(pk=round.pk)
    if not round.is_open(now):
        raise ValidationError(_("Only an open round can be reminded about."))
    reminded = _remind(round, _due_for_reminder(round, now, REMINDER_INTERVAL), now, automatic=False)
    audit_log(
        action="evaluation.round.reminded",
        subject=round,
        actor=actor,
        organisation=round.programme.organisation,
        data={"reminded": reminded},
    )
    return reminded


def _due_for_reminder(round: QuestionnaireRound, now: datetime, wait: timedelta) -> list[RoundInvitation]:
    """Who has not answered and was last contacted at least ``wait`` ago.

    The invitation goes out when the round opens, so the wait counts from
    ``max(invited_at, opens_at)``: a round opened for later never sends its
    invitation and a reminder together.
    """
    if round.opens_at > now - wait:
        return []
    invitations = (
        RoundInvitation.objects.select_for_update(of=("self",))
        .select_related("participant__user", "round__programme__organisation")
        .filter(round=round, answered_at__isnull=True, invited_at__lte=now - wait)
        .exclude(reminded_at__gt=now - wait)
    )
    return [invitation for invitation in invitations if _may_be_asked(invitation.participant)]


def _remind(round: QuestionnaireRound, invitations: list[RoundInvitation], now: datetime, *, automatic: bool) -> int:
    for invitation in invitations:
        invitation.reminded_at = now
        fields = ["reminded_at"]
        if automatic:
            invitation.reminder_count += 1
            fields.append("reminder_count")
        invitation.save(update_fields=fields)
        _queue(KIND_REMINDER, invitation, version=now.isoformat())
    if invitations:
        round.reminders_sent += 1
        round.last_reminded_at = now
        round.save(update_fields=["reminders_sent", "last_reminded_at"])
    return len(invitations)


@transaction.atomic
def round_close(
    *, round: QuestionnaireRound, actor: User | None = None, at: datetime | None = None
) -> QuestionnaireRound:
    """Close the round now (idempotent); its links then say that it has closed."""
    round = QuestionnaireRound.objects.select_for_update().select_related("programme__organisation").get(pk=round.pk)
    if round.closed_at is not None:
        return round
    round.closed_at = at or timezone.now()
    round.save(update_fields=["closed_at"])
    audit_log(action="evaluation.round.closed", subject=round, actor=actor, organisation=round.programme.organisation)
    return round


@transaction.atomic
def baseline_round_for(*, programme: Programme) -> QuestionnaireRound:
    """The programme's open baseline round, opened now (for eight weeks) when there is none."""
    Programme.objects.select_for_update().filter(pk=programme.pk).first()
    now = timezone.now()
    existing = (
        QuestionnaireRound.objects.filter(
            programme=programme, kind=RoundKind.BASELINE, closed_at__isnull=True, closes_at__gt=now
        )
        .order_by("-opens_at", "-id")
        .first()
    )
    if existing is not None:
        return existing
    return round_open(
        programme=programme,
        form=wellbeing_form_ensure(programme=programme),
        kind=RoundKind.BASELINE,
        participants=[],
        opens_at=now,
        closes_at=now + timedelta(days=BASELINE_OPEN_DAYS),
    )


def rounds_run_due(*, now: datetime | None = None) -> tuple[int, int]:
    """Close rounds whose time is up and remind non-answerers on the automatic schedule: (closed, reminded)."""
    now = now or timezone.now()
    closed = reminded = 0
    for round in QuestionnaireRound.objects.filter(closed_at__isnull=True, closes_at__lte=now):
        round_close(round=round, at=round.closes_at)
        closed += 1
    for round in QuestionnaireRound.objects.filter(closed_at__isnull=True, closes_at__gt=now, opens_at__lte=now):
        with transaction.atomic():
            locked = (
                QuestionnaireRound.objects.select_for_update()
                .select_related("programme__organisation")
                .get(pk=round.pk)
            )
            due = [
                invitation
                for invitation in _due_for_reminder(locked, now, AUTO_REMINDER_AFTER)
                if invitation.reminder_count < AUTO_REMINDERS
            ]
            if due:
                reminded += _remind(locked, due, now, automatic=True)
                audit_log(
                    action="evaluation.round.reminded",
                    subject=locked,
                    organisation=locked.programme.organisation,
                    data={"reminded": len(due), "automatic": True},
                )
    return closed, reminded


# --- answering ---------------------------------------------------------------


class RoundNotOpenError(ValidationError):
    """The round has closed or has not opened yet; nothing is stored."""


@transaction.atomic
def round_answer(*, invitation: RoundInvitation, raw: Any, language: str) -> Response:
    """Store the participant's answers to the round; answering again replaces them and keeps the earlier."""
    invitation = (
        RoundInvitation.objects.select_for_update(of=("self",))
        .select_related("round__form", "round__programme__organisation", "participant__user")
        .get(pk=invitation.pk)
    )
    if not invitation.round.is_open():
        raise RoundNotOpenError(_("This questionnaire is not open."), code="not_open")
    if not core_selectors.consent_given(participant=invitation.participant, item=ConsentItem.WELLBEING_QUESTIONNAIRE):
        raise ValidationError(_("You have not agreed to answer this questionnaire."), code="no_consent")
    response = survey_services.response_submit(
        form=invitation.round.form, participant=invitation.participant, raw=raw, language=language
    )
    invitation.answered_at = response.submitted_at
    invitation.response = response
    invitation.save(update_fields=["answered_at", "response"])
    audit_log(
        action="evaluation.round.answered",
        subject=invitation,
        organisation=invitation.round.programme.organisation,
        data={"round": invitation.round_id, "response": response.pk},
    )
    return response


@transaction.atomic
def contact_request_create(*, invitation: RoundInvitation) -> ContactRequest:
    """The participant asks the coordinator to get in touch (offered only after a low WHO-5 result).

    One waiting request per participant, also when two arrive at once (a
    double click): asking again returns it and sends nothing. The
    organisation's support address (else its coordinators) is told by email.
    """
    invitation = RoundInvitation.objects.select_related(
        "participant__user", "participant__programme__organisation", "round", "response"
    ).get(pk=invitation.pk)
    response = invitation.response
    result = who5(survey_selectors.response_values(response=response)) if response is not None else None
    if result is None or not result.is_low:
        raise ValidationError(_("This request can be made after answering the questionnaire."), code="not_low")
    participant = invitation.participant
    # A double click sends two requests at once: the second waits here for the first to commit, then finds it.
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    waiting = ContactRequest.objects.filter(participant=participant, handled_at__isnull=True).first()
    if waiting is not None:
        return waiting
    try:
        with transaction.atomic():
            request = ContactRequest.objects.create(participant=participant, round=invitation.round)
    except IntegrityError:  # the database's one-waiting-request rule, should the lock ever be bypassed
        return ContactRequest.objects.get(participant=participant, handled_at__isnull=True)
    organisation = participant.programme.organisation
    audit_log(action="evaluation.contact_request.created", subject=request, organisation=organisation)
    recipients = (
        [organisation.support_email]
        if organisation.support_email
        else list(
            StaffMembership.objects.filter(organisation=organisation, role=Role.COORDINATOR).values_list(
                "user__email", flat=True
            )
        )
    )
    language = (participant.programme.languages or ["fi"])[0]
    for recipient in recipients:
        notification_queue(
            kind=KIND_CONTACT_REQUEST,
            recipient=recipient,
            language=language,
            organisation=organisation,
            subject=request,
            version=1,
            context={
                "request_id": request.pk,
                "participant_name": participant.display_name,
                "programme_title": localized(participant.programme.title, language),
                "participant_url": _absolute(f"/participants/{participant.pk}/"),
            },
        )
    return request


@transaction.atomic
def contact_request_handle(*, request: ContactRequest, actor: User) -> ContactRequest:
    """The coordinator has been in touch."""
    request = (
        ContactRequest.objects.select_for_update()
        .select_related("participant__programme__organisation")
        .get(pk=request.pk)
    )
    if request.handled_at is None:
        request.handled_at = timezone.now()
        request.handled_by = actor
        request.save(update_fields=["handled_at", "handled_by"])
        audit_log(
            action="evaluation.contact_request.handled",
            subject=request,
            actor=actor,
            organisation=request.participant.programme.organisation,
        )
    return request

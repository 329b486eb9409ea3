"""Reads of rounds and answers, each checked for the person asking.

Who sees what: the participant sees only their own answers (through their
personal link), and only they are told of a low WHO-5 result; the programme's
coordinators see individual answers and scores, but learn of a low result only
when the person asks to be contacted; facilitators see their group's figures,
and only for a closed round that at least five have answered; nobody else sees
any.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from kollega.core.models import Participant, Programme
from kollega.core.models.texts import localized
from kollega.core.selectors import AnyUser, organisation_ids_for_coordinator, user_is_staff
from kollega.core.services import subject_key
from kollega.evaluation import instruments
from kollega.evaluation.models import ContactRequest, Instrument, QuestionnaireRound, RoundInvitation, RoundKind
from kollega.evaluation.wellbeing import (
    WHO5_INDIVIDUAL_MDC,
    Who5Score,
    peer_support_mean,
    who5,
)
from kollega.notifications import selectors as notification_selectors
from kollega.notifications.models import Notification
from kollega.surveys import selectors as survey_selectors
from kollega.surveys.models import Answer, Form, Purpose, Response

#: Group figures are shown only when at least this many have answered.
GROUP_MINIMUM = 5


def round_list_for_programme(*, programme: Programme) -> QuerySet[QuestionnaireRound]:
    """The programme's rounds, newest first, with invited, answered and reminded counts (one query)."""
    return (
        QuestionnaireRound.objects.filter(programme=programme)
        .annotate(
            invited_count=Count("invitations", distinct=True),
            answered_count=Count("invitations", filter=Q(invitations__answered_at__isnull=False), distinct=True),
            reminded_count=Count("invitations", filter=Q(invitations__reminded_at__isnull=False), distinct=True),
        )
        .order_by("-opens_at", "-id")
    )


def round_get_for_coordinator(*, user: AnyUser, pk: int, programme: Programme | None = None) -> QuestionnaireRound:
    """The round, if ``user`` coordinates its organisation (and it is of ``programme`` when given); else 404."""
    rounds = QuestionnaireRound.objects.select_related("programme__organisation", "form").filter(
        pk=pk, programme__organisation_id__in=organisation_ids_for_coordinator(user=user)
    )
    if programme is not None:
        rounds = rounds.filter(programme=programme)
    round = rounds.first()
    if round is None:
        raise Http404
    return round


def instruments_for_form(*, form_id: int) -> list[Instrument]:
    return list(Instrument.objects.filter(form_id=form_id).order_by("position", "id"))


@dataclass(frozen=True)
class Scores:
    who5: Who5Score | None
    who5_is_low: bool
    peer_support: float | None


def scores(values: dict[str, Any]) -> Scores:
    result = who5(values)
    return Scores(
        who5=result.score if result else None,
        who5_is_low=bool(result and result.is_low),
        peer_support=peer_support_mean(values),
    )


@dataclass(frozen=True)
class StaffScores:
    """A person's scores as staff see them: without the low-result flag, which is the person's own to share."""

    who5: Who5Score | None
    peer_support: float | None


@dataclass(frozen=True)
class AnswerRow:
    invitation: RoundInvitation
    participant: Participant
    values: dict[str, Any]
    scores: StaffScores


def round_responses_for_coordinator(*, user: AnyUser, round: QuestionnaireRound) -> list[AnswerRow]:
    """Every invited person's latest answers in the round, for its programme's coordinators only (else 404)."""
    if round.programme.organisation_id not in organisation_ids_for_coordinator(user=user):
        raise Http404
    invitations = (
        RoundInvitation.objects.filter(round=round)
        .select_related("participant__user", "response")
        .prefetch_related(
            Prefetch(
                "response__answers",
                queryset=Answer.objects.select_related("question"),
            )
        )
        .order_by("participant__full_name", "participant__user__email", "id")
    )
    rows = []
    for invitation in invitations:
        values = survey_selectors.response_values(response=invitation.response) if invitation.response else {}
        result = scores(values)
        rows.append(
            AnswerRow(
                invitation=invitation,
                participant=invitation.participant,
                values=values,
                scores=StaffScores(who5=result.who5, peer_support=result.peer_support),
            )
        )
    return rows


def undelivered_invitations_for_round(
    *, user: AnyUser, round: QuestionnaireRound, rows: list[AnswerRow]
) -> dict[int, Notification]:
    """Per participant id: the round's latest invitation or reminder email to them, when it could not be delivered.

    "Could not be delivered" is the outbox's: failed, and nothing more will be
    tried. Only a message about this round counts: when the person's latest
    such email is about another round, this round shows nothing. For the
    programme's coordinators only (else 404).
    """
    from kollega.evaluation.services import KIND_INVITATION, KIND_REMINDER  # services build on these reads

    if round.programme.organisation_id not in organisation_ids_for_coordinator(user=user):
        raise Http404
    by_address: dict[str, list[RoundInvitation]] = {}
    for row in rows:
        address = (row.participant.user.email or "").strip().lower()
        if address:
            by_address.setdefault(address, []).append(row.invitation)
    failed = notification_selectors.undelivered_latest(
        organisation_id=round.programme.organisation_id,
        recipients=by_address,
        kinds=(KIND_INVITATION, KIND_REMINDER),
    )
    if not failed:
        return {}
    subjects = dict(Notification.objects.filter(pk__in=[n.pk for n in failed.values()]).values_list("pk", "subject"))
    undelivered = {}
    for address, notification in failed.items():
        for invitation in by_address.get(address, []):
            if subjects.get(notification.pk) == subject_key(invitation):
                undelivered[invitation.participant_id] = notification
    return undelivered


@dataclass(frozen=True)
class GroupFigures:
    answered: int
    shown: bool  # False while the round is open or when fewer than GROUP_MINIMUM answered: no means at all
    round_closed: bool
    who5_mean: float | None = None
    peer_support_mean: float | None = None


def group_figures_for_facilitator(*, user: AnyUser, group: Any, round: QuestionnaireRound) -> GroupFigures:
    """Means of the group's answers in the round, for the group's facilitators and the coordinators (else 404).

    Means are shown only for a closed round, and only when at least five have
    answered; otherwise only the count. A mean of a handful of people could be
    traced back to one of them, and means read while the round is open would
    give away the score of whoever answered in between (the difference of two
    readings).
    """
    if not user.is_authenticated or round.programme_id != group.programme_id:
        raise Http404
    facilitates = user_is_staff(user=user) and user.pk in {group.lead_facilitator_id, group.co_facilitator_id}
    coordinates = group.programme.organisation_id in organisation_ids_for_coordinator(user=user)
    if not (facilitates or coordinates):
        raise Http404
    responses = Response.objects.filter(
        pk__in=RoundInvitation.objects.filter(
            round=round, answered_at__isnull=False, participant__membership__group=group
        ).values("response_id")
    ).prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("question")))
    all_scores = [scores(survey_selectors.response_values(response=r)) for r in responses]
    answered = len(all_scores)
    # Read afresh: whether means may be shown must not hang on the caller's copy of the round.
    current = QuestionnaireRound.objects.only("closed_at", "closes_at").get(pk=round.pk)
    closed = current.is_closed()
    if not closed or answered < GROUP_MINIMUM:
        return GroupFigures(answered=answered, shown=False, round_closed=closed)
    who5_values = [s.who5.percentage for s in all_scores if s.who5 is not None]
    peer_values = [s.peer_support for s in all_scores if s.peer_support is not None]
    return GroupFigures(
        answered=answered,
        shown=True,
        round_closed=True,
        who5_mean=sum(who5_values) / len(who5_values) if len(who5_values) >= GROUP_MINIMUM else None,
        peer_support_mean=sum(peer_values) / len(peer_values) if len(peer_values) >= GROUP_MINIMUM else None,
    )


# --- the participant's own view (through the personal link) ------------------


@dataclass(frozen=True)
class OwnAnswer:
    label: str
    answer: str


@dataclass(frozen=True)
class OwnSection:
    title: str
    rows: list[OwnAnswer]


def own_answers(*, invitation: RoundInvitation, language: str) -> list[OwnSection]:
    """The participant's latest answers in the round, by instrument, in their words."""
    response = invitation.response
    if response is None:
        return []
    by_key = {a.question.key: a for a in response.answers.select_related("question")}
    sections = []
    for instrument in instruments_for_form(form_id=response.form_id):
        rows = []
        for key in instrument.question_keys:
            answer = by_key.get(key)
            if answer is None:
                continue
            q = answer.question
            rows.append(
                OwnAnswer(
                    label=q.label(language),
                    answer=instruments.answer_label(
                        value=answer.value,
                        scale_min=q.scale_min if q.scale_min is not None else 1,
                        scale_max=q.scale_max if q.scale_max is not None else 5,
                        labels=q.scale_labels,
                        language=language,
                    ),
                )
            )
        title = localized(instruments.instrument_definition(instrument.key)["title"], language)
        sections.append(OwnSection(title=title, rows=rows))
    return sections


def invitation_scores(*, invitation: RoundInvitation) -> Scores | None:
    if invitation.response is None:
        return None
    return scores(survey_selectors.response_values(response=invitation.response))


@dataclass(frozen=True)
class BeforeAfter:
    before_at: datetime
    after_at: datetime
    who5_before: int | None
    who5_after: int | None
    peer_before: float | None
    peer_after: float | None
    #: One person's change smaller than this (percentage points) can be chance.
    chance_limit: int = WHO5_INDIVIDUAL_MDC

    @property
    def who5_change(self) -> int | None:
        if self.who5_before is None or self.who5_after is None:
            return None
        return self.who5_after - self.who5_before


def before_after_for_participant(*, participant: Participant) -> BeforeAfter | None:
    """The person's own baseline and final results, once both are answered; else None."""
    answered = (
        RoundInvitation.objects.filter(participant=participant, answered_at__isnull=False, response__isnull=False)
        .select_related("round", "response")
        .order_by("-round__opens_at", "-id")
    )
    baseline = next((i for i in answered if i.round.kind == RoundKind.BASELINE), None)
    final = next((i for i in answered if i.round.kind == RoundKind.FINAL), None)
    if baseline is None or final is None or baseline.answered_at is None or final.answered_at is None:
        return None
    before = invitation_scores(invitation=baseline)
    after = invitation_scores(invitation=final)
    assert before is not None and after is not None
    return BeforeAfter(
        before_at=baseline.answered_at,
        after_at=final.answered_at,
        who5_before=before.who5.percentage if before.who5 else None,
        who5_after=after.who5.percentage if after.who5 else None,
        peer_before=before.peer_support,
        peer_after=after.peer_support,
    )


# --- requests to be contacted -------------------------------------------------


def contact_requests_for_participant(*, user: AnyUser, participant: Participant) -> list[ContactRequest]:
    """The participant's requests to be contacted, for their organisation's coordinators only (else nothing).

    Meant for the participant page, which has already checked the coordinator.
    """
    if participant.programme.organisation_id not in organisation_ids_for_coordinator(user=user):
        return []
    return list(ContactRequest.objects.filter(participant=participant).select_related("handled_by"))


def contact_requests_waiting_for_programme(*, programme: Programme) -> QuerySet[ContactRequest]:
    return ContactRequest.objects.filter(participant__programme=programme, handled_at__isnull=True).select_related(
        "participant__user"
    )


# --- the instruments' wording (the coordinator's page) ------------------------

#: The wording shown beside each field for comparison; WHO-5's English is the instrument's own.
REFERENCE_LANGUAGE = "en"


def wellbeing_form_current(*, programme: Programme) -> Form | None:
    """The programme's newest well-being questionnaire: the one the next round copies (None before the first)."""
    return (
        Form.objects.filter(programme=programme, purpose=Purpose.QUESTIONNAIRE, instruments__key="who5")
        .order_by("-created_at", "-id")
        .first()
    )


@dataclass(frozen=True)
class LanguageStatus:
    code: str
    name: str
    official: bool
    reference: bool


@dataclass(frozen=True)
class InstrumentOverview:
    key: str
    title: str
    languages: list[LanguageStatus]


def _language_names() -> dict[str, str]:
    return {code: str(name) for code, name in settings.LANGUAGES}


def instrument_overview_for_programme(*, programme: Programme) -> list[InstrumentOverview]:
    """Each instrument with, per language of the programme, whether its wording is official or provisional.

    Read from the newest questionnaire; before there is one, from the wording Kollega ships.
    """
    names = _language_names()
    wanted = set(programme.languages or []) or set(names)
    languages = [code for code in names if code in wanted]
    form = wellbeing_form_current(programme=programme)
    official = {i.key: list(i.official_languages or []) for i in instruments_for_form(form_id=form.pk)} if form else {}
    overview = []
    for key in instruments.INSTRUMENT_KEYS:
        definition = instruments.instrument_definition(key)
        languages_official = official.get(key, list(definition["official_languages"]))
        overview.append(
            InstrumentOverview(
                key=key,
                title=localized(definition["title"]),
                languages=[
                    LanguageStatus(
                        code=code,
                        name=names[code],
                        official=code in languages_official,
                        reference=code == REFERENCE_LANGUAGE,
                    )
                    for code in languages
                ],
            )
        )
    return overview


@dataclass(frozen=True)
class WordingItem:
    """One text of an instrument: its instruction, a question or the label of an answer point."""

    name: str  # the edit form's field name
    part: str  # "instruction", "question" or "answer"
    key: str  # the question's key, or the answer point's value ("" for the instruction)
    ref: str  # what the page calls it: the question's number, or the answer point's value
    current: str  # the wording in the language being edited ("" when there is none)
    reference: str  # the English wording


@dataclass(frozen=True)
class InstrumentWording:
    key: str
    title: str
    language: str
    language_name: str
    official: bool
    items: list[WordingItem]


def _answer_points(scale_min: int, scale_max: int, labels: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    """The labelled answer points in the order shown: every point (WHO-5), else the two ends."""
    points = labels.get("points")
    if isinstance(points, list) and points:
        return [(str(p["value"]), dict(p.get("label") or {})) for p in points if isinstance(p, dict) and "value" in p]
    return [(str(scale_min), dict(labels.get("min") or {})), (str(scale_max), dict(labels.get("max") or {}))]


def instrument_wording_for_coordinator(
    *, user: AnyUser, programme: Programme, key: str, language: str
) -> InstrumentWording:
    """One instrument's wording in ``language`` beside the English, for the programme's coordinators (else 404).

    Read from the newest questionnaire (before there is one, from the shipped
    wording). English, the reference, is not edited here; an unknown
    instrument or language is a 404 too.
    """
    if programme.organisation_id not in organisation_ids_for_coordinator(user=user):
        raise Http404
    names = _language_names()
    if key not in instruments.INSTRUMENT_KEYS or language not in names or language == REFERENCE_LANGUAGE:
        raise Http404
    definition = instruments.instrument_definition(key)
    form = wellbeing_form_current(programme=programme)
    instrument = Instrument.objects.filter(form=form, key=key).first() if form else None
    if form is not None and instrument is not None:
        by_key = {q.key: q for q in survey_selectors.form_questions(form=form)}
        questions = [(k, dict(by_key[k].text or {})) for k in instrument.question_keys if k in by_key]
        first = by_key.get(instrument.question_keys[0]) if instrument.question_keys else None
        points = (
            _answer_points(
                first.scale_min if first.scale_min is not None else 1,
                first.scale_max if first.scale_max is not None else 5,
                dict(first.scale_labels or {}),
            )
            if first is not None
            else []
        )
        instruction = dict(instrument.instruction or {})
        official = instrument.is_official(language)
    else:
        questions = [(q["key"], dict(q["text"])) for q in definition["questions"]]
        scale = definition["scale"]
        points = _answer_points(scale["min"], scale["max"], instruments.scale_labels(definition))
        instruction = dict(definition.get("instruction") or {})
        official = language in definition["official_languages"]
    items = [
        WordingItem(
            name="instruction",
            part="instruction",
            key="",
            ref="",
            current=instruction.get(language, ""),
            reference=instruction.get(REFERENCE_LANGUAGE, ""),
        )
    ]
    items += [
        WordingItem(
            name=f"question_{qkey}",
            part="question",
            key=qkey,
            ref=str(number),
            current=text.get(language, ""),
            reference=text.get(REFERENCE_LANGUAGE, ""),
        )
        for number, (qkey, text) in enumerate(questions, 1)
    ]
    items += [
        WordingItem(
            name=f"answer_{value}",
            part="answer",
            key=value,
            ref=value,
            current=label.get(language, ""),
            reference=label.get(REFERENCE_LANGUAGE, ""),
        )
        for value, label in points
    ]
    return InstrumentWording(
        key=key,
        title=localized(definition["title"]),
        language=language,
        language_name=names[language],
        official=official,
        items=items,
    )

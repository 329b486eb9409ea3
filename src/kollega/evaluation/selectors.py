"""Reads of rounds and answers, each checked for the person asking.

Who sees what: the participant sees only their own answers (through their
personal link), and only they are told of a low WHO-5 result; the programme's
coordinators see individual answers and scores, but learn of a low result only
when the person asks to be contacted; facilitators see their group's figures,
and only for a closed round that at least five have answered; nobody else sees
any.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kollega.core.models import Participant, Programme
from kollega.core.models.texts import localized
from kollega.core.selectors import AnyUser, organisation_ids_for_coordinator, user_is_staff
from kollega.core.services import subject_key
from kollega.evaluation import instruments
from kollega.evaluation.models import (
    ContactRequest,
    GroupFigureSnapshot,
    Instrument,
    QuestionnaireRound,
    RoundInvitation,
    RoundKind,
)
from kollega.evaluation.wellbeing import (
    WHO5_INDIVIDUAL_MDC,
    Who5Score,
    peer_support_mean,
    who5,
)
from kollega.notifications import selectors as notification_selectors
from kollega.notifications.models import Notification
from kollega.surveys import selectors as survey_selectors
from kollega.surveys.models import Answer, Form, Purpose

if TYPE_CHECKING:
    from kollega.grouping.models import Group

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
    #: When the shown means were worked out (they are stored then and never worked out again).
    as_of: datetime | None = None


#: One group in one round: (group id, round id).
GroupRound = tuple[int, int]


def _figures_from_snapshot(snapshot: GroupFigureSnapshot) -> GroupFigures:
    return GroupFigures(
        answered=snapshot.answered,
        shown=True,
        round_closed=True,
        who5_mean=snapshot.who5_mean,
        peer_support_mean=snapshot.peer_support_mean,
        as_of=snapshot.computed_at,
    )


def _snapshots(pairs: Collection[GroupRound]) -> dict[GroupRound, GroupFigureSnapshot]:
    """The stored figures of these groups in these rounds (one query)."""
    wanted = set(pairs)
    if not wanted:
        return {}
    rows = GroupFigureSnapshot.objects.filter(
        group_id__in={g for g, _ in wanted}, round_id__in={r for _, r in wanted}
    ).order_by()
    return {(s.group_id, s.round_id): s for s in rows if (s.group_id, s.round_id) in wanted}


def _answered_counts(pairs: Collection[GroupRound]) -> dict[GroupRound, int]:
    """How many of each group's present members have answered each round (one aggregate query)."""
    if not pairs:
        return {}
    rows = (
        RoundInvitation.objects.filter(
            round_id__in={r for _, r in pairs},
            participant__membership__group_id__in={g for g, _ in pairs},
            answered_at__isnull=False,
            response__isnull=False,
        )
        .values("participant__membership__group_id", "round_id")
        .annotate(answered=Count("id"))
        .order_by()
    )
    counts = {(row["participant__membership__group_id"], row["round_id"]): row["answered"] for row in rows}
    return {pair: counts.get(pair, 0) for pair in pairs}


def _group_scores(pairs: Collection[GroupRound]) -> dict[GroupRound, list[Scores]]:
    """The scores of each group's present members who answered each round (two queries, however many pairs)."""
    by_round: dict[int, set[int]] = {}
    for group_id, round_id in pairs:
        by_round.setdefault(round_id, set()).add(group_id)
    wanted = Q()
    for round_id, group_ids in by_round.items():
        wanted |= Q(round_id=round_id, participant__membership__group_id__in=group_ids)
    invitations = (
        RoundInvitation.objects.filter(wanted, answered_at__isnull=False, response__isnull=False)
        .annotate(group_id=F("participant__membership__group_id"))
        .select_related("response")
        .prefetch_related(Prefetch("response__answers", queryset=Answer.objects.select_related("question")))
        .order_by()
    )
    found: dict[GroupRound, list[Scores]] = {pair: [] for pair in pairs}
    for invitation in invitations:
        pair = (invitation.group_id, invitation.round_id)  # type: ignore[attr-defined]
        if pair in found and invitation.response is not None:
            found[pair].append(scores(survey_selectors.response_values(response=invitation.response)))
    return found


def _mean(values: list[float]) -> float | None:
    """The mean, when at least GROUP_MINIMUM values went into it; else None."""
    return sum(values) / len(values) if len(values) >= GROUP_MINIMUM else None


def _snapshots_store(computed: dict[GroupRound, list[Scores]]) -> dict[GroupRound, GroupFigureSnapshot]:
    """Store the figures of each pair that has at least five answers, unless already stored; return what is stored.

    The figures are written once. The unique constraint on (group, round)
    decides between two requests storing the same pair at once: the insert
    skips a pair that is already there (``ignore_conflicts``, so no
    IntegrityError and no broken transaction), and what is then read back is
    the first stored copy, whichever request wrote it. Nobody is ever shown two
    different means for the same group and round.

    A write in a selector on purpose: the copy is made the first time the means
    are shown, by the read that shows them.
    """
    now = timezone.now()
    new = []
    for (group_id, round_id), group_scores in computed.items():
        if len(group_scores) < GROUP_MINIMUM:
            continue  # fewer answers than the count said (an answer was removed meanwhile): only the count
        new.append(
            GroupFigureSnapshot(
                group_id=group_id,
                round_id=round_id,
                answered=len(group_scores),
                who5_mean=_mean([float(s.who5.percentage) for s in group_scores if s.who5 is not None]),
                peer_support_mean=_mean([s.peer_support for s in group_scores if s.peer_support is not None]),
                computed_at=now,
            )
        )
    if not new:
        return {}
    GroupFigureSnapshot.objects.bulk_create(new, ignore_conflicts=True)
    return _snapshots({(s.group_id, s.round_id) for s in new})


def _figures(pairs: Collection[GroupRound], closed_rounds: set[int]) -> dict[GroupRound, GroupFigures]:
    """The figures of each (group, round): the stored copy when there is one, else the live count.

    A closed round that at least five of the group have answered gets its copy
    stored here, the first time. No permission check: the callers check.
    ``closed_rounds`` must be read afresh, not from a copy of the round that
    may be older than its closing.
    """
    figures = {pair: _figures_from_snapshot(s) for pair, s in _snapshots(pairs).items()}
    live = [pair for pair in pairs if pair not in figures]
    counts = _answered_counts(live)
    due = [pair for pair in live if pair[1] in closed_rounds and counts[pair] >= GROUP_MINIMUM]
    if due:
        figures |= {pair: _figures_from_snapshot(s) for pair, s in _snapshots_store(_group_scores(due)).items()}
    for pair in live:
        if pair not in figures:
            figures[pair] = GroupFigures(answered=counts[pair], shown=False, round_closed=pair[1] in closed_rounds)
    return figures


def _may_see_group_figures(*, user: AnyUser, groups: Iterable[Group]) -> bool:
    """Whether ``user`` leads or co-facilitates, or coordinates the organisation of, every one of ``groups``."""
    if not user.is_authenticated:
        return False
    staff: bool | None = None
    coordinated: set[int] | None = None
    for group in groups:
        if user.pk in {group.lead_facilitator_id, group.co_facilitator_id}:
            if staff is None:
                staff = user_is_staff(user=user)
            if staff:
                continue
        if coordinated is None:
            coordinated = organisation_ids_for_coordinator(user=user)
        if group.programme.organisation_id not in coordinated:
            return False
    return True


def group_figures_for_facilitator(*, user: AnyUser, group: Group, round: QuestionnaireRound) -> GroupFigures:
    """Means of the group's answers in the round, for the group's facilitators and the coordinators (else 404).

    Means are shown only for a closed round, and only when at least five have
    answered; otherwise only the count. A mean of a handful of people could be
    traced back to one of them, and means read while the round is open would
    give away the score of whoever answered in between (the difference of two
    readings). The first means shown are stored (``GroupFigureSnapshot``) and
    shown from then on, so that a member joining or leaving the group later
    does not move them.
    """
    if round.programme_id != group.programme_id or not _may_see_group_figures(user=user, groups=[group]):
        raise Http404
    # Read afresh: whether means may be shown must not hang on the caller's copy of the round.
    current = QuestionnaireRound.objects.only("closed_at", "closes_at").get(pk=round.pk)
    pair = (group.pk, round.pk)
    return _figures([pair], {round.pk} if current.is_closed() else set())[pair]


def group_figures_by_round_for_facilitator(
    *, user: AnyUser, groups: Sequence[Group]
) -> dict[int, list[tuple[QuestionnaireRound, GroupFigures]]]:
    """Per group id: each round of the group's programme (newest first) with the group's figures in it.

    The same rules as ``group_figures_for_facilitator``, for many groups at
    once and in a fixed number of queries, however many groups and rounds:
    the permission is checked once for the user, the counts come from one
    aggregate query, and answers are read only for the pairs whose figures are
    stored now. 404 unless ``user`` may see every one of ``groups``.
    """
    if not _may_see_group_figures(user=user, groups=groups):
        raise Http404
    if not groups:
        return {}
    rounds = list(
        QuestionnaireRound.objects.filter(programme_id__in={g.programme_id for g in groups}).order_by(
            "-opens_at", "-id"
        )
    )
    now = timezone.now()
    closed = {r.pk for r in rounds if r.is_closed(now)}
    pairs = [(g.pk, r.pk) for g in groups for r in rounds if r.programme_id == g.programme_id]
    figures = _figures(pairs, closed)
    return {g.pk: [(r, figures[(g.pk, r.pk)]) for r in rounds if r.programme_id == g.programme_id] for g in groups}


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

"""Reads for the interview record and the decision pages.

``participant_get_for_interviewer`` checks who asks; the other reads expect a
caller that has checked access to the participant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from kollega.accounts.models import User
from kollega.core import selectors as core_selectors
from kollega.core.models import Consent, Participant, Status, TimeSlot
from kollega.interviews.models import InterviewBooking, InterviewRecord
from kollega.interviews.record_services import (
    DECLINE_FROM,
    FIRST_RECORD_FROM,
    INTERVIEW_CONSENTS,
    NOT_TAKING_PART,
)

#: While the person is in one of these, their interviewer (not a coordinator) may open and write the record:
#: before the coordinator's decision ("registered" again after a missed interview, "interview booked",
#: "interviewed"). After acceptance or decline, or once the person left, only coordinators may.
INTERVIEWER_MAY_WRITE = FIRST_RECORD_FROM

#: Registration answers that start the record's texts when it is first filled in.
PREFILL_FROM_REGISTRATION = {"expectations": "expectations", "extra_theme_wishes": "other_topics"}


def interview_record_get(*, participant: Participant) -> InterviewRecord | None:
    return (
        InterviewRecord.objects.filter(participant=participant)
        .select_related("interviewer", "booking__slot")
        .prefetch_related("agreed_time_slots")
        .first()
    )


def participant_get_for_interviewer(*, user: core_selectors.AnyUser, pk: int) -> Participant:
    """The participant, for the coordinators of its organisation and for its interviewer; otherwise 404.

    The interviewer is the staff member whose slot holds the person's current booking or, with
    none held, their most recent booking that was not cancelled (a missed one). They must still
    be staff of the participant's organisation, and the person's status must be one of
    ``INTERVIEWER_MAY_WRITE`` (not yet accepted or declined, still taking part).
    """
    participant = core_selectors.participant_queryset().filter(pk=pk).first()
    if participant is None or not user.is_authenticated:
        raise Http404
    organisation_id = participant.programme.organisation_id
    if organisation_id in core_selectors.organisation_ids_for_coordinator(user=user):
        return participant
    if participant.status not in INTERVIEWER_MAY_WRITE:
        raise Http404
    if organisation_id not in core_selectors.organisation_ids_for_staff(user=user):
        raise Http404
    booking = interview_booking_current(participant=participant) or (
        InterviewBooking.objects.filter(participant=participant, cancelled_at__isnull=True)
        .select_related("slot")
        .order_by("-booked_at", "-id")
        .first()
    )
    if booking is None or booking.slot.interviewer_id != user.pk:
        raise Http404
    return participant


def user_can_decide(*, user: core_selectors.AnyUser, participant: Participant) -> bool:
    """Whether ``user`` accepts and declines: the coordinators of the participant's organisation."""
    return participant.programme.organisation_id in core_selectors.organisation_ids_for_coordinator(user=user)


def interview_booking_current(*, participant: Participant) -> InterviewBooking | None:
    """The booking the person holds now (not cancelled, not missed), with its slot and interviewer."""
    return (
        InterviewBooking.objects.filter(participant=participant, cancelled_at__isnull=True, no_show_at__isnull=True)
        .select_related("slot__interviewer")
        .order_by("-booked_at", "-id")
        .first()
    )


def interviewer_choices(*, participant: Participant) -> QuerySet[User]:
    """Who can be named as the interviewer: the staff of the programme's organisation."""
    return (
        User.objects.filter(staff_memberships__organisation_id=participant.programme.organisation_id)
        .distinct()
        .order_by("full_name", "email")
    )


def registration_answers_for_record(*, participant: Participant) -> dict[str, str]:
    """The person's current registration answers that the record starts from (expectations, other topics)."""
    from kollega.surveys.models import Answer, Purpose

    keys = list(PREFILL_FROM_REGISTRATION.values())
    rows = Answer.objects.filter(
        response__participant=participant,
        response__form__purpose=Purpose.REGISTRATION,
        response__replaced_at__isnull=True,
        question__key__in=keys,
    ).values_list("question__key", "value")
    found = {key: value for key, value in rows if isinstance(value, str) and value.strip()}
    return {target: found[source] for target, source in PREFILL_FROM_REGISTRATION.items() if source in found}


@dataclass
class InterviewOverview:
    """The "Intake interview" section of the applicant page."""

    booking: InterviewBooking | None
    record: InterviewRecord | None
    agreed_time_slots: list[TimeSlot] = field(default_factory=list)
    can_record: bool = False
    can_accept: bool = False
    can_decline: bool = False


def interview_overview(*, participant: Participant) -> InterviewOverview:
    record = interview_record_get(participant=participant)
    status = participant.status
    return InterviewOverview(
        booking=interview_booking_current(participant=participant),
        record=record,
        agreed_time_slots=list(record.agreed_time_slots.all()) if record else [],
        can_record=status not in NOT_TAKING_PART and (record is not None or status in FIRST_RECORD_FROM),
        can_accept=status == Status.INTERVIEWED,
        can_decline=status in DECLINE_FROM,
    )


def interview_consents_current(*, participant: Participant) -> dict[str, Consent | None]:
    """The person's current decision on each consent settled at the interview (None: not asked yet)."""
    current = core_selectors.consents_current(participant=participant)
    return {item: current.get(item) for item in INTERVIEW_CONSENTS}


def record_initial(*, participant: Participant, record: InterviewRecord | None, user: User) -> dict[str, Any]:
    """What the record form shows before anything is typed."""
    consents = interview_consents_current(participant=participant)
    consent_initial = {
        f"consent_{item}": ("yes" if consent.given else "no") if consent is not None else ""
        for item, consent in consents.items()
    }
    if record is not None:
        return {
            "interviewer": record.interviewer_id,
            "platform_audio": record.platform_audio,
            "platform_video": record.platform_video,
            "platform_screen": record.platform_screen,
            "committed": record.committed,
            "agreed_time_slots": [slot.key for slot in record.agreed_time_slots.all()],
            "expectations": record.expectations,
            "extra_theme_wishes": record.extra_theme_wishes,
            "goal_business": record.goal_business,
            "goal_wellbeing": record.goal_wellbeing,
            "staff_notes": record.staff_notes,
            **consent_initial,
        }
    booking = interview_booking_current(participant=participant)
    staff_ids = set(interviewer_choices(participant=participant).values_list("pk", flat=True))
    interviewer = booking.slot.interviewer_id if booking is not None else user.pk
    return {
        "interviewer": interviewer if interviewer in staff_ids else None,
        "agreed_time_slots": [slot.key for slot in participant.time_slots.all()],
        **registration_answers_for_record(participant=participant),
        **consent_initial,
    }

"""Reads of interview slots and bookings, each checking who is asking.

Staff pages are for the programme's coordinators: another organisation's
slot or booking is a 404. An interviewer (any staff member) sees their own
slots on "My interviews". The applicant's page is reached through the
personal link and reads only that person's booking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from kollega.accounts.models import User
from kollega.core.models import Organisation, Participant, Programme, StaffMembership, Status
from kollega.core.selectors import AnyUser, organisation_ids_for_coordinator, organisation_ids_for_staff
from kollega.interviews.models import InterviewBooking, InterviewRecord, InterviewSlot
from kollega.interviews.record_services import FIRST_RECORD_FROM
from kollega.interviews.services import APPLICANT_CUTOFF, free_slots_query, local

#: The staff page also shows this many past days, to record who did not come.
PAST_DAYS_SHOWN = 7


def slot_get_for_coordinator(*, user: AnyUser, pk: int, programme: Programme) -> InterviewSlot:
    slot = (
        InterviewSlot.objects.select_related("programme__organisation", "interviewer")
        .filter(pk=pk, programme=programme, programme__organisation_id__in=organisation_ids_for_coordinator(user=user))
        .first()
    )
    if slot is None:
        raise Http404
    return slot


def booking_get_for_coordinator(*, user: AnyUser, pk: int, programme: Programme) -> InterviewBooking:
    booking = (
        InterviewBooking.objects.select_related("slot__programme__organisation", "participant__user")
        .filter(
            pk=pk,
            slot__programme=programme,
            slot__programme__organisation_id__in=organisation_ids_for_coordinator(user=user),
        )
        .first()
    )
    if booking is None:
        raise Http404
    return booking


def interviewers_for(*, organisation: Organisation) -> QuerySet[User]:
    """The organisation's staff, who may interview."""
    ids = StaffMembership.objects.filter(organisation=organisation).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("full_name", "email")


def booking_active(*, participant: Participant) -> InterviewBooking | None:
    return (
        InterviewBooking.objects.select_related("slot__programme__organisation", "slot__interviewer")
        .filter(participant=participant, cancelled_at__isnull=True, no_show_at__isnull=True)
        .first()
    )


def applicants_without_booking(*, programme: Programme) -> QuerySet[Participant]:
    """Registered applicants who have no active booking: those the invitation goes to."""
    active = InterviewBooking.objects.filter(
        participant=OuterRef("pk"), cancelled_at__isnull=True, no_show_at__isnull=True
    )
    return Participant.objects.filter(programme=programme, status=Status.REGISTERED).filter(~Exists(active))


@dataclass
class Day:
    day: date
    slots: list[Any] = field(default_factory=list)


def by_day(slots: list[InterviewSlot], organisation: Organisation) -> list[Day]:
    """Slots grouped by their day in the organisation's time zone, in order."""
    days: list[Day] = []
    for slot in slots:
        day = local(slot.starts_at, organisation).date()
        if not days or days[-1].day != day:
            days.append(Day(day=day))
        days[-1].slots.append(slot)
    return days


@dataclass
class SlotCounts:
    free: int
    booked: int
    done: int


def slot_counts(*, programme: Programme, now: datetime | None = None) -> SlotCounts:
    """Free and booked upcoming slots, and interviews whose time has passed with the applicant there."""
    now = now or timezone.now()
    held = InterviewBooking.objects.filter(slot=OuterRef("pk"), cancelled_at__isnull=True)
    attended = InterviewBooking.objects.filter(slot=OuterRef("pk"), cancelled_at__isnull=True, no_show_at__isnull=True)
    live = InterviewSlot.objects.filter(programme=programme, cancelled_at__isnull=True)
    return SlotCounts(
        free=live.filter(starts_at__gt=now).filter(~Exists(held)).count(),
        booked=live.filter(starts_at__gt=now).filter(Exists(held)).count(),
        done=live.filter(starts_at__lte=now).filter(Exists(attended)).count(),
    )


def slots_for_staff(*, programme: Programme, now: datetime | None = None) -> QuerySet[InterviewSlot]:
    """Slots not cancelled, from a week ago on, with the booking that holds each (``current``)."""
    now = now or timezone.now()
    tz = programme.organisation.tz
    since = timezone.localtime(now, tz).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(
        days=PAST_DAYS_SHOWN
    )
    holding = InterviewBooking.objects.filter(cancelled_at__isnull=True).select_related("participant__user")
    return (
        InterviewSlot.objects.filter(programme=programme, cancelled_at__isnull=True, starts_at__gte=since)
        .select_related("interviewer")
        .prefetch_related(Prefetch("bookings", queryset=holding, to_attr="current"))
        .order_by("starts_at", "id")
    )


def free_slots(*, programme: Programme, now: datetime | None = None) -> list[InterviewSlot]:
    """What an applicant may book now: the next eight weeks, at least two hours ahead."""
    return list(free_slots_query(programme=programme, now=now))


def applicant_can_change(*, booking: InterviewBooking, now: datetime | None = None) -> bool:
    """True until the cut-off before the interview."""
    return booking.slot.starts_at - (now or timezone.now()) >= APPLICANT_CUTOFF


# --- the interviewer's own slots ----------------------------------------------------------------


@dataclass
class OrganisationDays:
    """One organisation's slots by day, in its time zone."""

    organisation: Organisation
    days: list[Day]


@dataclass
class InterviewerSlots:
    """What "My interviews" shows: times still to come, and held interviews still waiting for their record."""

    upcoming: list[OrganisationDays]
    past_without_record: list[OrganisationDays]

    @property
    def empty(self) -> bool:
        return not self.upcoming and not self.past_without_record

    @property
    def several_organisations(self) -> bool:
        """Whether the slots are of more than one organisation (the page then names each)."""
        return len({entry.organisation.pk for entry in self.upcoming + self.past_without_record}) > 1


def _by_organisation(slots: list[InterviewSlot]) -> list[OrganisationDays]:
    """Slots grouped by organisation (by name), then by day in that organisation's time zone."""
    grouped: dict[int, list[InterviewSlot]] = {}
    for slot in slots:
        grouped.setdefault(slot.programme.organisation_id, []).append(slot)
    result = []
    for rows in grouped.values():
        organisation = rows[0].programme.organisation
        result.append(OrganisationDays(organisation=organisation, days=by_day(rows, organisation)))
    return sorted(result, key=lambda entry: (entry.organisation.name.casefold(), entry.organisation.pk))


def slots_for_interviewer(*, user: AnyUser, now: datetime | None = None) -> InterviewerSlots:
    """The signed-in staff member's own slots that are not cancelled.

    ``upcoming``: slots not yet over (one going on now included, for its video link).
    ``past_without_record``: slots that are over, held by a booking the person came to
    (not cancelled, not missed) whose participant has no interview record yet and can still
    get one (their status allows a first record: not withdrawn, cancelled, declined or decided).
    Each slot carries ``booking`` (the booking that holds it, or None) and that booking
    ``has_record``. Only organisations where ``user`` is staff now count; someone who is
    nobody's staff gets 404.
    """
    organisation_ids = organisation_ids_for_staff(user=user)
    if not organisation_ids:
        raise Http404
    now = now or timezone.now()
    holding = (
        InterviewBooking.objects.filter(cancelled_at__isnull=True)
        .select_related("participant__user")
        .annotate(has_record=Exists(InterviewRecord.objects.filter(participant=OuterRef("participant"))))
    )
    mine = (
        InterviewSlot.objects.filter(
            interviewer_id=user.pk, cancelled_at__isnull=True, programme__organisation_id__in=organisation_ids
        )
        .select_related("programme__organisation")
        .prefetch_related(Prefetch("bookings", queryset=holding, to_attr="current"))
        .order_by("starts_at", "id")
    )
    waiting_for_record = InterviewBooking.objects.filter(
        slot=OuterRef("pk"),
        cancelled_at__isnull=True,
        no_show_at__isnull=True,
        participant__status__in=FIRST_RECORD_FROM,
    ).filter(~Exists(InterviewRecord.objects.filter(participant=OuterRef("participant"))))
    upcoming: list[InterviewSlot] = list(mine.filter(ends_at__gt=now))
    past: list[InterviewSlot] = list(mine.filter(ends_at__lte=now).filter(Exists(waiting_for_record)))
    for slot in upcoming + past:
        slot.booking = slot.current[0] if slot.current else None  # type: ignore[attr-defined]
    return InterviewerSlots(upcoming=_by_organisation(upcoming), past_without_record=_by_organisation(past))

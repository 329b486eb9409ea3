"""Reads of interview slots and bookings, each checking who is asking.

Staff pages are for the programme's coordinators: another organisation's
slot or booking is a 404. The applicant's page is reached through the
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
from kollega.core.selectors import AnyUser, organisation_ids_for_coordinator
from kollega.interviews.models import InterviewBooking, InterviewSlot
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

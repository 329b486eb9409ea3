"""Shared set-up of the slot and booking tests: an organisation, a programme, staff, slots, applicants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from icalendar import Calendar

from kollega.accounts.models import User
from kollega.core.models import Organisation, Participant, Programme, Role, Status
from kollega.core.services import organisation_update
from kollega.interviews import services
from kollega.interviews.models import InterviewSlot
from kollega.notifications.models import Notification
from tests.factories import make_organisation, make_participant, make_programme, make_staff


@dataclass
class Setup:
    organisation: Organisation
    programme: Programme
    coordinator: User
    interviewer: User


def make_setup(**organisation_fields: Any) -> Setup:
    organisation = make_organisation("Yrittäjäpolku ry")
    organisation_update(organisation=organisation, actor=None, support_email="tuki@yrittajapolku.example.org")
    for name, value in organisation_fields.items():
        setattr(organisation, name, value)
    if organisation_fields:
        organisation.save(update_fields=list(organisation_fields))
    coordinator = make_staff(organisation, Role.COORDINATOR, email="koordinaattori@example.org")
    interviewer = make_staff(organisation, Role.FACILITATOR, email="haastattelija@example.org")
    programme = make_programme(organisation)
    return Setup(organisation=organisation, programme=programme, coordinator=coordinator, interviewer=interviewer)


def make_slot(
    setup: Setup,
    *,
    days: int = 3,
    hour: int = 9,
    minute: int = 0,
    minutes: int = 30,
    interviewer: User | None = None,
    video_link: str = "",
) -> InterviewSlot:
    """A slot ``days`` from today at ``hour:minute`` in the organisation's time zone."""
    day = timezone.localtime(timezone.now(), setup.organisation.tz).date() + timedelta(days=days)
    starts_at = datetime(day.year, day.month, day.day, hour, minute, tzinfo=setup.organisation.tz)
    return services.slot_create(
        programme=setup.programme,
        interviewer=interviewer or setup.interviewer,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        video_link=video_link,
        actor=setup.coordinator,
    )


def applicant(setup: Setup, status: str = Status.REGISTERED, **fields: Any) -> Participant:
    """An applicant who reads English (the tests read the pages and emails in English)."""
    fields.setdefault("language", "en")
    return make_participant(setup.programme, status, **fields)


def messages_of(kind: str, recipient: str | None = None) -> list[Notification]:
    rows = Notification.objects.filter(kind=kind).order_by("id")
    if recipient is not None:
        rows = rows.filter(recipient=recipient)
    return list(rows)


def invitation_of(notification: Notification) -> Calendar:
    """The .ics stored with a message, parsed back."""
    attachments = notification.context["attachments"]
    assert len(attachments) == 1
    assert attachments[0]["mimetype"] == "text/calendar"
    return Calendar.from_ical(attachments[0]["content"])


def event_of(calendar: Calendar) -> Any:
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]

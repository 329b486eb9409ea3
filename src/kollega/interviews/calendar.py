"""Calendar invitations (.ics) for interview bookings.

One booking is one calendar event: its UID never changes, and SEQUENCE grows
with every change (a new time, a cancellation), so a calendar program updates
the entry it already has instead of adding a second one. Times are written in
UTC, which every calendar program converts to its own time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from kollega.interviews.models import InterviewBooking, InterviewSlot

REQUEST = "REQUEST"  # a new or changed invitation (iTIP)
CANCEL = "CANCEL"  # the event is off
PUBLISH = "PUBLISH"  # a download to add to one's own calendar, no invitation semantics

PRODID = "-//Kollega//Intake interviews//EN"


@dataclass(frozen=True)
class Person:
    email: str
    name: str = ""


def _address(person: Person) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    if person.name:
        address.params["cn"] = person.name
    return address


def booking_ics(
    *,
    booking: InterviewBooking,
    slot: InterviewSlot,
    method: str,
    summary: str,
    description: str,
    organizer: Person,
    attendees: list[Person],
    now: datetime | None = None,
) -> str:
    """The booking at ``slot`` as an iCalendar text with one event, times in UTC.

    ``slot`` is the booking's slot, or the one it just left (to take the entry
    out of the first interviewer's calendar).
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", booking.calendar_uid)
    event.add("sequence", booking.calendar_sequence)
    event.add("dtstamp", (now or timezone.now()).astimezone(UTC))
    event.add("dtstart", slot.starts_at.astimezone(UTC))
    event.add("dtend", slot.ends_at.astimezone(UTC))
    event.add("summary", summary)
    if description:
        event.add("description", description)
    if booking.video_link:
        event.add("location", booking.video_link)
        event.add("url", booking.video_link)
    event.add("organizer", _address(organizer))
    for person in attendees:
        attendee = _address(person)
        attendee.params["role"] = "REQ-PARTICIPANT"
        event.add("attendee", attendee)
    if method == CANCEL:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")

"""Calendar files for meetings (RFC 5545, with iTIP methods from RFC 5546).

Every meeting is one event whose UID never changes. An invitation or an update
is a REQUEST with the meeting's current SEQUENCE; a cancellation is a CANCEL
with a higher one; the "add all" file is a PUBLISH of every meeting still on.
So a calendar program that took the first invitation changes that entry.
Times are in UTC; calendar programs show them in their own zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from kollega.meetings.models import Meeting, MeetingStatus

REQUEST = "REQUEST"
CANCEL = "CANCEL"
PUBLISH = "PUBLISH"
PRODID = "-//Kollega//Peer group meetings//EN"


@dataclass(frozen=True)
class Person:
    email: str
    name: str = ""

    def address(self) -> vCalAddress:
        address = vCalAddress(f"mailto:{self.email}")
        if self.name:
            address.params["cn"] = self.name
        return address


@dataclass(frozen=True)
class EventText:
    """What a meeting's entry says, in the recipient's language."""

    summary: str
    description: str
    link: str


def event(
    meeting: Meeting, text: EventText, *, organizer: Person, attendee: Person | None, cancelled: bool, now: datetime
) -> Event:
    entry = Event()
    entry.add("uid", meeting.calendar_uid)
    entry.add("sequence", meeting.calendar_sequence)
    entry.add("dtstamp", now.astimezone(UTC))
    entry.add("dtstart", meeting.starts_at.astimezone(UTC))
    entry.add("dtend", meeting.ends_at.astimezone(UTC))
    entry.add("summary", text.summary)
    if text.description:
        entry.add("description", text.description)
    if text.link:
        entry.add("location", text.link)
        entry.add("url", text.link)
    entry.add("organizer", organizer.address())
    if attendee is not None:
        address = attendee.address()
        address.params["role"] = "REQ-PARTICIPANT"
        address.params["partstat"] = "NEEDS-ACTION"
        entry.add("attendee", address)
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return entry


def ics(
    method: str,
    items: Iterable[tuple[Meeting, EventText]],
    *,
    organizer: Person,
    attendee: Person | None,
    now: datetime | None = None,
) -> str:
    """One calendar with one event per meeting given, as text."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    moment = now or timezone.now()
    for meeting, text in items:
        cancelled = method == CANCEL or meeting.status == MeetingStatus.CANCELLED
        calendar.add_component(
            event(meeting, text, organizer=organizer, attendee=attendee, cancelled=cancelled, now=moment)
        )
    return calendar.to_ical().decode("utf-8")

"""The participant's meetings page (join button, calendar files, materials of past meetings), the "I can't come
this time" link and the "test your set-up" link from the emails."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from kollega.accounts.models import User
from kollega.core.models import AuditEntry, Participant, Role, Status
from kollega.core.services import participant_change_status
from kollega.grouping.models import Group
from kollega.meetings import services
from kollega.meetings.models import Attendance, AttendanceState, Meeting
from kollega.meetings.tokens import absence_token, setup_test_token
from tests.browser.conftest import assert_accessible, axe, browser_type_launch_args  # noqa: F401
from tests.factories import make_group, make_organisation, make_programme, make_staff

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
JOIN_LATER = "The join button opens 15 minutes before the start."


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


@dataclass
class World:
    group: Group
    lead: User
    member: Participant
    others: list[Participant]


@pytest.fixture
def world() -> World:
    organisation = make_organisation("Seutuyrittäjät ry (fictitious)")
    programme = make_programme(organisation)
    lead = make_staff(organisation, Role.FACILITATOR, full_name="Liisa Vetäjä")
    group = make_group(programme, members=3, lead=lead, first_meeting_at=timezone.now() - timedelta(days=1))
    # The signed links speak the member's language (see the last absence test); these read English.
    Participant.objects.filter(membership__group=group).update(language="en")
    member, *others = Participant.objects.filter(membership__group=group).order_by("pk")
    return World(group=group, lead=lead, member=member, others=others)


def meeting_at(world: World, number: int, starts_in: timedelta, link: str = "") -> Meeting:
    meeting = services.meeting_create(group=world.group, number=number, starts_at=timezone.now() + starts_in)
    if link:
        services.video_link_set(group=world.group, link=link, actor=None, meeting=meeting)
    return meeting


MINE = reverse("meetings:mine")


# --- the join button ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("starts_in", "live"),
    [
        (timedelta(minutes=20), False),
        (timedelta(minutes=14), True),
        (timedelta(minutes=-119), True),
    ],
    ids=["20 min before: not yet", "14 min before: live", "119 min after the start: live"],
)
def test_the_join_button_is_live_from_15_minutes_before_until_the_end(
    world: World, starts_in: timedelta, live: bool
) -> None:
    meeting_at(world, 1, starts_in, link="https://video.example.org/room-abc")

    body = text(client_for(world.member.user).get(MINE))

    assert ('href="https://video.example.org/room-abc"' in body) is live
    assert ("Join the meeting" in body) is live
    assert (JOIN_LATER in body) is not live


def test_after_the_end_there_is_no_join_button_and_no_absence_link(world: World) -> None:
    meeting_at(world, 1, -timedelta(minutes=121), link="https://video.example.org/room-abc")

    body = text(client_for(world.member.user).get(MINE))

    assert "Join the meeting" not in body
    assert JOIN_LATER not in body
    assert "I can't come this time" not in body
    assert "Past meetings and their materials" in body


# --- what the page shows ------------------------------------------------------------------------------


def test_the_page_shows_time_theme_agenda_device_expert_talk_and_moves(world: World) -> None:
    organisation = world.group.programme.organisation
    helsinki = organisation.tz
    at = (timezone.now() + timedelta(days=30)).astimezone(helsinki).replace(hour=9, minute=0, second=0, microsecond=0)
    meeting = services.meeting_create(group=world.group, number=1, starts_at=at)
    services.meeting_details_set(
        meeting=meeting, actor=None, expert_title="Pricing your work", expert_speaker="Erkki Asiantuntija"
    )
    services.meeting_move(meeting=meeting, starts_at=at + timedelta(days=1), actor=None, note="The hall is booked.")

    body = text(client_for(world.member.user).get(MINE))

    moved = at + timedelta(days=1)
    assert f"Meeting 1: {moved:%A} {moved.day}.{moved.month}.{moved.year} 09:00–11:00" in body
    assert "Moved by the coordinator. The hall is booked." in body
    assert "Expert talk: Pricing your work – Erkki Asiantuntija" in body
    assert "Any device; a phone is enough" in body
    assert '<span class="agenda-time">09:00</span> Welcome and the day\'s plan' in body
    assert f'href="{reverse("meetings:meeting_calendar", args=[meeting.pk])}"' in body
    assert f'href="{reverse("meetings:absence", args=[absence_token(meeting.pk, world.member.pk)])}"' in body
    assert f'href="{reverse("meetings:mine_calendar")}"' in body


def test_materials_of_held_meetings_are_listed_and_not_of_others(world: World) -> None:
    past = meeting_at(world, 1, -timedelta(hours=3))
    coming = meeting_at(world, 2, timedelta(days=3))
    handout = services.material_add(
        meeting=past, actor=world.lead, kind="link", title="Pricing article", url="https://example.org/pricing"
    )
    services.material_add(meeting=past, actor=world.lead, kind="note", title="Homework", text="List three prices.")
    services.material_add(meeting=past, actor=world.lead, kind="recording", url="https://video.example.org/rec/1")
    services.meeting_notes_set(meeting=past, notes="We agreed to meet at 9.", actor=world.lead)
    services.material_add(meeting=coming, actor=world.lead, kind="note", title="Not yet", text="Secret plan")
    client = client_for(world.member.user)

    before = text(client.get(MINE))
    assert "Pricing article" not in before  # not held yet

    services.meeting_mark_held(meeting=past, actor=world.lead)
    body = text(client.get(MINE))

    assert f'href="{handout.url}" rel="noopener noreferrer">Pricing article</a>' in body
    assert "Homework" in body and "List three prices." in body
    assert 'href="https://video.example.org/rec/1"' in body
    assert body.count("https://video.example.org/rec/1") == 1  # the recording once, not twice
    assert "We agreed to meet at 9." in body
    assert "Secret plan" not in body


def test_a_file_is_offered_as_a_download_link(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    past = meeting_at(world, 1, -timedelta(hours=3))
    material = services.material_add(
        meeting=past, actor=world.lead, kind="file", upload=SimpleUploadedFile("Hinnasto.pdf", PDF)
    )
    services.meeting_mark_held(meeting=past, actor=world.lead)

    body = text(client_for(world.member.user).get(MINE))

    assert f'href="{reverse("meetings:material", args=[material.pk])}">Hinnasto.pdf</a>' in body


@pytest.mark.parametrize("status", [Status.CANCELLED])
def test_people_who_left_see_no_meetings(world: World, status: str) -> None:
    meeting_at(world, 1, timedelta(days=3))
    participant_change_status(participant=world.member, to_status=status, actor=None, reason="Moved abroad")

    body = text(client_for(world.member.user).get(MINE))

    assert "Meeting 1" not in body
    assert "You have no meetings." in body


def test_a_withdrawn_member_sees_no_meetings(world: World) -> None:
    held = meeting_at(world, 1, -timedelta(hours=3))
    services.meeting_mark_held(meeting=held, actor=world.lead)
    meeting_at(world, 2, timedelta(days=3))
    participant_change_status(participant=world.member, to_status=Status.WITHDRAWN, actor=None, reason="Too busy")

    body = text(client_for(world.member.user).get(MINE))

    assert "Meeting 2" not in body
    assert "You have no meetings." in body


def test_the_participant_home_links_to_the_meetings_page(world: World) -> None:
    meeting_at(world, 1, timedelta(days=3))

    body = client_for(world.member.user).get(reverse("core:participant_home")).content.decode()

    assert f'href="{MINE}"' in body


def test_the_page_runs_the_same_queries_however_many_meetings_and_materials(world: World) -> None:
    client = client_for(world.member.user)
    first = meeting_at(world, 1, -timedelta(days=2))
    services.meeting_mark_held(meeting=first, actor=None)
    services.material_add(meeting=first, actor=None, kind="note", text="One")
    with CaptureQueriesContext(connection) as small:
        assert client.get(MINE).status_code == 200

    for number in range(2, 6):
        meeting = meeting_at(world, number, timedelta(days=number) - timedelta(days=3))
        if meeting.starts_at < timezone.now():
            services.meeting_mark_held(meeting=meeting, actor=None)
            services.material_add(meeting=meeting, actor=None, kind="note", text=f"Note {number}")
    services.absence_tell(meeting=meeting, participant=world.member)
    with CaptureQueriesContext(connection) as big:
        assert client.get(MINE).status_code == 200

    assert len(big.captured_queries) == len(small.captured_queries)


# --- calendar files -------------------------------------------------------------------------------------


def test_one_meeting_downloads_as_a_calendar_file_with_the_meetings_uid(world: World) -> None:
    meeting = meeting_at(world, 1, timedelta(days=3))

    response = client_for(world.member.user).get(reverse("meetings:meeting_calendar", args=[meeting.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"] == 'attachment; filename="meeting-1.ics"'
    parsed = Calendar.from_ical(response.content)
    (event,) = parsed.walk("VEVENT")
    assert str(event["UID"]) == meeting.calendar_uid
    assert event.decoded("DTSTART") == meeting.starts_at.replace(microsecond=0)


def test_add_all_has_every_planned_meeting_and_no_cancelled_one(world: World) -> None:
    first = meeting_at(world, 1, timedelta(days=3))
    second = meeting_at(world, 2, timedelta(days=24))
    cancelled = meeting_at(world, 3, timedelta(days=45))
    services.meeting_cancel(meeting=cancelled, actor=None)
    other_group = make_group(world.group.programme, members=1)
    elsewhere = services.meeting_create(group=other_group, number=1, starts_at=timezone.now() + timedelta(days=5))

    response = client_for(world.member.user).get(reverse("meetings:mine_calendar"))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="all-meetings.ics"'
    uids = {str(event["UID"]) for event in Calendar.from_ical(response.content).walk("VEVENT")}
    assert uids == {first.calendar_uid, second.calendar_uid}
    assert elsewhere.calendar_uid not in uids


def test_someone_elses_meeting_is_not_found(world: World) -> None:
    other_group = make_group(world.group.programme, members=1)
    elsewhere = services.meeting_create(group=other_group, number=1, starts_at=timezone.now() + timedelta(days=5))

    response = client_for(world.member.user).get(reverse("meetings:meeting_calendar", args=[elsewhere.pk]))

    assert response.status_code == 404


# --- "I can't come this time" ------------------------------------------------------------------------------


def absence_url(meeting: Meeting, participant: Participant) -> str:
    return reverse("meetings:absence", args=[absence_token(meeting.pk, participant.pk)])


def test_opening_the_absence_link_changes_nothing_and_the_button_records_told_in_advance(world: World) -> None:
    meeting = meeting_at(world, 1, timedelta(days=3))
    url = absence_url(meeting, world.member)
    audit_before = AuditEntry.objects.count()
    client = Client()  # no sign-in: the link is the key

    shown = client.get(url)
    assert shown.status_code == 200
    assert "I can't come this time" in text(shown)
    assert shown["X-Robots-Tag"] == "noindex"
    assert not Attendance.objects.exists()
    assert AuditEntry.objects.count() == audit_before

    told = client.post(url, {"action": "tell", "note": "At a trade fair"}, follow=True)
    row = Attendance.objects.get()
    assert (row.meeting, row.participant, row.state, row.note) == (
        meeting,
        world.member,
        AttendanceState.EXCUSED,
        "At a trade fair",
    )
    assert "You have told the facilitators that you cannot come this time." in text(told)
    assert "I can come after all" in text(told)

    client.post(url, {"action": "withdraw"})
    assert not Attendance.objects.exists()


def test_a_bad_absence_or_setup_link_shows_the_link_not_working_page(world: World) -> None:
    meeting = meeting_at(world, 1, timedelta(days=3))
    good = absence_token(meeting.pk, world.member.pk)
    for url in (
        reverse("meetings:absence", args=[good[:-2] + "xx"]),
        reverse("meetings:absence", args=["nonsense"]),
        reverse("meetings:setup_test", args=[good]),  # a link made for another purpose
    ):
        response = Client().get(url)
        assert response.status_code == 404, url
        assert "This link does not work" in text(response)
        # The way on: sign in with a code, then the meetings page.
        assert f'action="{reverse("account_request_login_code")}"' in text(response)
        assert f'name="next" value="{MINE}"' in text(response)
    assert Client().post(reverse("meetings:absence", args=["nonsense"]), {"action": "tell"}).status_code == 404
    assert not Attendance.objects.exists()


def test_after_the_start_the_service_says_no_and_nothing_is_stored(world: World) -> None:
    meeting = meeting_at(world, 1, -timedelta(minutes=5))
    url = absence_url(meeting, world.member)

    shown = Client().get(url)
    assert "The meeting has already started." in text(shown)
    response = Client().post(url, {"action": "tell"})

    assert response.status_code == 400
    assert "The meeting has already started. Contact your facilitator instead." in text(response)
    assert not Attendance.objects.exists()


def test_a_cancelled_meeting_or_a_person_who_left_stores_nothing(world: World) -> None:
    cancelled = meeting_at(world, 1, timedelta(days=3))
    services.meeting_cancel(meeting=cancelled, actor=None)
    coming = meeting_at(world, 2, timedelta(days=24))
    leaver = world.others[0]
    participant_change_status(participant=leaver, to_status=Status.CANCELLED, actor=None, reason="Moved abroad")

    cancelled_page = Client().post(absence_url(cancelled, world.member), {"action": "tell"})
    assert "This meeting is no longer planned." in text(cancelled_page)
    left_page = Client().post(absence_url(coming, leaver), {"action": "tell"})
    # Leaving before the start removes the membership, so the service answers in its general words.
    assert left_page.status_code == 400
    assert "You are no longer a member of this group." in text(left_page)
    assert "You are no longer a member of this group" in text(Client().get(absence_url(coming, leaver)))
    assert not Attendance.objects.exists()


def test_the_absence_page_speaks_the_members_language(world: World) -> None:
    meeting = meeting_at(world, 1, timedelta(days=3))
    Participant.objects.filter(pk=world.member.pk).update(language="fi")

    body = text(Client().get(absence_url(meeting, world.member)))

    assert 'lang="fi"' in body


# --- test your set-up ----------------------------------------------------------------------------------------


def test_the_setup_page_gives_instructions_and_the_groups_link(world: World) -> None:
    organisation = world.group.programme.organisation
    organisation.video_links = "jitsi"
    organisation.jitsi_url = "https://meet.jit.si"
    organisation.save(update_fields=["video_links", "jitsi_url"])
    services.video_link_set(group=world.group, link="https://meet.jit.si/SeutuRoomabcdef0123456789", actor=None)
    meeting_at(world, 1, timedelta(days=3))

    response = Client().get(reverse("meetings:setup_test", args=[setup_test_token(world.group, world.member.user_id)]))

    assert response.status_code == 200
    body = text(response)
    assert 'href="https://meet.jit.si/SeutuRoomabcdef0123456789" rel="noopener noreferrer">Try the link now</a>' in body
    assert "camera and a microphone" in body
    assert "Headphones help" in body
    assert "In a web browser you need no app and no account." in body
    assert "the facilitator opens the room first" in body


def test_the_setup_page_uses_the_next_meetings_link_when_the_group_has_none(world: World) -> None:
    organisation = world.group.programme.organisation
    organisation.video_links = "pasted"
    organisation.save(update_fields=["video_links"])
    meeting_at(world, 1, timedelta(days=3), link="https://zoom.example.org/j/123")

    body = text(
        Client().get(reverse("meetings:setup_test", args=[setup_test_token(world.group, world.member.user_id)]))
    )

    assert 'href="https://zoom.example.org/j/123"' in body
    assert "no app and no account" not in body


def test_the_setup_link_stops_working_for_someone_who_left_the_group(world: World) -> None:
    meeting_at(world, 1, timedelta(days=3), link="https://zoom.example.org/j/123")
    url = reverse("meetings:setup_test", args=[setup_test_token(world.group, world.member.user_id)])
    assert 'href="https://zoom.example.org/j/123"' in text(Client().get(url))
    participant_change_status(
        participant=world.member, to_status=Status.CANCELLED, actor=None, reason="Closed the business"
    )
    body = text(Client().get(url))
    assert "zoom.example.org" not in body
    assert "This link does not work" in body


# --- in Chromium, with axe-core, on a phone-sized screen -----------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_chromium_a_member_joins_downloads_the_calendar_and_says_they_cannot_come(  # type: ignore[no-untyped-def]
    page,
    live_server,
    assert_accessible,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    from kollega.accounts.services import sign_in_link_make

    organisation = make_organisation("Seutuyrittäjät ry (fictitious)")
    programme = make_programme(organisation)
    lead = make_staff(organisation, Role.FACILITATOR, full_name="Liisa Vetäjä")
    group = make_group(programme, members=2, lead=lead, first_meeting_at=timezone.now() - timedelta(days=21))
    Participant.objects.filter(membership__group=group).update(language="en")
    member = Participant.objects.filter(membership__group=group).order_by("pk").first()
    assert member is not None
    now = timezone.now()
    past = services.meeting_create(group=group, number=1, starts_at=now - timedelta(days=21))
    services.material_add(meeting=past, actor=lead, kind="link", title="Pricing article", url="https://example.org/p")
    services.meeting_mark_held(meeting=past, actor=lead)
    today = services.meeting_create(group=group, number=2, starts_at=now + timedelta(minutes=10))
    services.video_link_set(group=group, link="https://video.example.org/room-abc", actor=None)
    later = services.meeting_create(group=group, number=3, starts_at=now + timedelta(days=21))

    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(live_server.url + sign_in_link_make(user=member.user))
    page.goto(live_server.url + reverse("core:participant_home"))
    page.get_by_role("link", name="My meetings: join, agendas, calendar and materials").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My meetings")
    expect(page.get_by_role("link", name="Join the meeting")).to_have_attribute(
        "href", "https://video.example.org/room-abc"
    )
    expect(page.get_by_text(JOIN_LATER)).to_have_count(1)  # meeting 3 only
    expect(page.get_by_role("link", name="Pricing article")).to_be_visible()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320  # nothing sideways on a phone

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Add to calendar – Meeting 3").click()
    path = download_info.value.path()
    with open(path, "rb") as handle:
        (event,) = Calendar.from_ical(handle.read()).walk("VEVENT")
    assert str(event["UID"]) == later.calendar_uid

    page.get_by_role("link", name="I can't come this time – Meeting 3").click()
    assert_accessible(page)
    page.get_by_label("A note for the facilitators").fill("At a trade fair")
    page.get_by_role("button", name="I can't come this time").click()
    expect(page.get_by_text("You have told the facilitators that you cannot come this time.").first).to_be_visible()
    assert_accessible(page)
    row = Attendance.objects.get(meeting=later, participant=member)
    assert (row.state, row.note) == (AttendanceState.EXCUSED, "At a trade fair")
    assert not Attendance.objects.filter(meeting=today).exists()

    page.goto(live_server.url + reverse("meetings:setup_test", args=[setup_test_token(group, member.user_id)]))
    expect(page.get_by_role("link", name="Try the link now")).to_be_visible()
    assert_accessible(page)
    page.goto(live_server.url + reverse("meetings:absence", args=["not-a-link"]))
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    assert_accessible(page)

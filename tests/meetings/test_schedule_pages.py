"""The coordinator's schedule pages: the programme's schedule with the outbox's counts, setting a group's schedule
from its preview, changing one meeting, session templates, and who may see any of it."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from kollega.accounts.models import User
from kollega.core.models import LinkScope, Organisation, Role, VideoLinks
from kollega.core.services import closed_period_add, subject_key
from kollega.grouping.facilitators import group_facilitators_set
from kollega.grouping.models import Group
from kollega.interviews.services import organisation_video_links_set
from kollega.meetings import services
from kollega.meetings.messages import KIND_CANCELLED, KIND_INVITATION, KIND_UPDATE
from kollega.meetings.models import Meeting, MeetingStatus, MoveReason, SegmentKind, SessionTemplate
from kollega.meetings.schedule import holiday_name
from kollega.notifications.models import Notification, NotificationStatus
from kollega.notifications.sender import notifications_send_due
from tests.browser.conftest import assert_accessible, axe, browser_type_launch_args  # noqa: F401
from tests.factories import make_group, make_organisation, make_programme, make_staff
from tests.support.processes import free_port

pytestmark = pytest.mark.django_db

NO_BREAK = "The meeting is longer than 60 minutes and has no break."


# --- dates that do (or do not) meet a holiday ------------------------------------------------------


def _free(day: date, count: int = 5) -> bool:
    return not any(holiday_name(day + timedelta(days=21 * i), "fi") for i in range(count))


def quiet_start() -> date:
    """A Tuesday at least ten days ahead whose five meetings all miss the holidays."""
    day = timezone.localdate() + timedelta(days=10)
    while day.weekday() != 1 or not _free(day):
        day += timedelta(days=1)
    return day


def independence_day_start() -> date:
    """A coming 6 December on a Monday to Thursday (so the next working day is the 7th); the rest are free."""
    year = timezone.localdate().year
    while True:
        day = date(year, 12, 6)
        if day > timezone.localdate() + timedelta(days=7) and day.weekday() <= 3 and _free(day + timedelta(21), 4):
            return day
        year += 1


def d(day: date) -> str:
    """A date as the app shows it."""
    return f"{day.day}.{day.month}.{day.year}"


# --- people and pages ----------------------------------------------------------------------------


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def text(response: Any) -> str:
    """The page's words, tags removed and spaces collapsed."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(body))


def row_text(response: Any, meeting: Meeting) -> str:
    """The words of one meeting's row in the schedule's table."""
    found = re.search(rf'<tr id="meeting-{meeting.pk}">(.*?)</tr>', response.content.decode(), re.S)
    assert found, f"no row for meeting {meeting.number}"
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))))


def field_error(response: Any, field_id: str) -> str:
    """The error shown next to a field (the paragraph Django's aria-describedby points at)."""
    found = re.search(rf'<p class="field-error" id="{field_id}_error">(.*?)</p>', response.content.decode(), re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip() if found else ""


def make_world(start: date | None = None, members: int = 2) -> SimpleNamespace:
    organisation = make_organisation()
    programme = make_programme(organisation)
    lead = make_staff(organisation, Role.FACILITATOR, full_name="Liisa Vetäjä")
    co = make_staff(organisation, Role.FACILITATOR, full_name="Kalle Tukija")
    group = make_group(programme, members=members, lead=lead, co=co, start=start or quiet_start())
    return SimpleNamespace(
        organisation=organisation,
        programme=programme,
        group=group,
        lead=lead,
        co=co,
        coordinator=make_staff(organisation, Role.COORDINATOR),
    )


@pytest.fixture
def world() -> SimpleNamespace:
    return make_world()


def scheduled(world: SimpleNamespace) -> list[Meeting]:
    meetings = services.schedule_generate(group=world.group, actor=world.coordinator)
    world.group.refresh_from_db()
    return meetings


def schedule_url(world: SimpleNamespace) -> str:
    return reverse("schedule:programme", args=[world.programme.pk])


def group_url(world: SimpleNamespace) -> str:
    return reverse("schedule:group", args=[world.programme.pk, world.group.pk])


def meeting_url(meeting: Meeting) -> str:
    return reverse("schedule:meeting", args=[meeting.group.programme_id, meeting.pk])


def local(meeting: Meeting) -> datetime:
    return timezone.localtime(meeting.starts_at, meeting.group.programme.organisation.tz)


def move(client: Client, meeting: Meeting, day: date, at: time | None = None, note: str = "") -> Any:
    at = at or local(meeting).time()
    return client.post(
        meeting_url(meeting),
        {"action": "move", "move-date": day.isoformat(), "move-time": at.strftime("%H:%M"), "move-note": note},
    )


# --- who may see the pages ----------------------------------------------------------------------------


def test_only_the_organisations_coordinators_see_the_schedule_pages(world):
    meetings = scheduled(world)
    other_coordinator = make_staff(make_organisation(), Role.COORDINATOR)
    urls = [
        schedule_url(world),
        group_url(world),
        reverse("schedule:add", args=[world.programme.pk, world.group.pk]),
        meeting_url(meetings[0]),
        reverse("schedule:templates", args=[world.organisation.slug]),
        reverse("schedule:template_new", args=[world.organisation.slug]),
    ]
    for outsider in (other_coordinator, world.lead):
        client = client_for(outsider)
        for url in urls:
            assert client.get(url).status_code == 404, (outsider, url)
    assert client_for(world.coordinator).get(urls[0]).status_code == 200


def test_a_facilitator_cannot_set_a_schedule_or_move_a_meeting(world):
    client = client_for(world.lead)
    assert client.post(group_url(world), {"rule": "next_working_day"}).status_code == 404
    assert not Meeting.objects.filter(group=world.group).exists()
    meeting = scheduled(world)[0]
    before = meeting.starts_at
    assert move(client, meeting, local(meeting).date() + timedelta(days=1)).status_code == 404
    meeting.refresh_from_db()
    assert meeting.starts_at == before


def test_a_meeting_of_another_programme_is_not_found_through_this_one(world):
    other = make_world()
    meeting = scheduled(other)[0]
    coordinator = make_staff(other.organisation, Role.COORDINATOR)
    make_staff(world.organisation, Role.COORDINATOR, email=coordinator.email)  # coordinates both organisations
    client = client_for(coordinator)
    wrong = reverse("schedule:meeting", args=[world.programme.pk, meeting.pk])
    assert client.get(wrong).status_code == 404
    assert client.get(meeting_url(meeting)).status_code == 200


# --- the preview and generating -----------------------------------------------------------------------


def test_the_preview_shows_the_independence_day_move_and_stores_nothing():
    start = independence_day_start()
    world = make_world(start=start)
    page = client_for(world.coordinator).get(group_url(world))
    assert page.status_code == 200
    words = text(page)
    assert "1 meeting falls on a public holiday or in a closed period and moves" in words
    assert f"Moved from 6.12. ({holiday_name(start, 'en')})." in words
    assert d(start + timedelta(days=1)) in words  # the next working day
    # The first meeting's fixed theme is in the preview.
    assert "Getting to know each other" in words
    assert not Meeting.objects.filter(group=world.group).exists()
    assert not Notification.objects.exists()


def test_choosing_the_other_rule_shows_the_preview_again_without_javascript():
    start = independence_day_start()
    world = make_world(start=start)
    page = client_for(world.coordinator).get(group_url(world), {"rule": "next_week"})
    assert page.status_code == 200
    assert d(start + timedelta(days=7)) in text(page)
    chosen = re.search(r'<input type="radio" name="rule" value="(\w+)"[^>]*checked', page.content.decode())
    assert chosen and chosen.group(1) == "next_week"
    # Generating uses the rule shown.
    assert '<input type="hidden" name="rule" value="next_week">' in page.content.decode()


def test_a_closed_period_moves_a_meeting_in_the_preview(world):
    second = world.group.start_date + timedelta(days=21)
    closed_period_add(
        organisation=world.organisation, name="Winter break", start_date=second, end_date=second, actor=None
    )
    words = text(client_for(world.coordinator).get(group_url(world)))
    assert f"Moved from {second.day}.{second.month}. (closed: Winter break)." in words


def test_a_schedule_that_cannot_be_made_says_why_and_offers_no_button(world):
    start = world.group.start_date
    closed_period_add(
        organisation=world.organisation,
        name="Renovation",
        start_date=start,
        end_date=start + timedelta(days=90),
        actor=None,
    )
    page = client_for(world.coordinator).get(group_url(world))
    words = text(page)
    assert "The schedule cannot be made" in words
    assert "no free day follows within ten weeks" in words
    assert "Set the schedule and send the invitations" not in words.split("The schedule cannot be made")[1]


def test_generating_makes_the_meetings_and_queues_the_invitations():
    start = independence_day_start()
    world = make_world(start=start, members=3)
    client = client_for(world.coordinator)
    response = client.post(group_url(world), {"rule": "next_working_day"})
    assert response.status_code == 302
    assert response["Location"].startswith(schedule_url(world))
    meetings = list(Meeting.objects.filter(group=world.group).order_by("number"))
    assert len(meetings) == world.programme.meeting_count
    assert meetings[0].move_reason == MoveReason.HOLIDAY
    assert local(meetings[0]).date() == start + timedelta(days=1)
    invitations = Notification.objects.filter(kind=KIND_INVITATION, subject=subject_key(world.group))
    assert invitations.count() == 5  # three members and both facilitators
    page = client.get(response["Location"])
    words = text(page)
    assert "The schedule of" in words and "5 meetings" in words
    assert "5 invitations were queued in the outbox." in words
    assert "Invitations: 0 delivered 0 failed 5 waiting" in words
    assert f"Moved from 6.12. ({holiday_name(start, 'en')})." in row_text(page, meetings[0])


def test_generating_twice_is_refused_with_the_reason(world):
    scheduled(world)
    response = client_for(world.coordinator).post(group_url(world), {"rule": "next_week"})
    assert response.status_code == 400
    assert "The group already has its schedule" in text(response)
    assert Meeting.objects.filter(group=world.group).count() == world.programme.meeting_count


def test_groups_without_a_schedule_get_a_link_to_set_it(world):
    second = make_group(world.programme, start=quiet_start())
    scheduled(world)
    page = client_for(world.coordinator).get(schedule_url(world))
    content = page.content.decode()
    assert content.count("Set the schedule") == 1
    assert reverse("schedule:group", args=[world.programme.pk, second.pk]) in content


def test_the_programme_page_links_to_the_schedule(world):
    page = client_for(world.coordinator).get(reverse("core:programme_detail", args=[world.programme.pk]))
    assert schedule_url(world) in page.content.decode()


# --- the invitations button --------------------------------------------------------------------------


def test_a_facilitator_chosen_later_gets_the_invitation_from_the_button_and_nobody_gets_it_twice(world):
    scheduled(world)
    newcomer = make_staff(world.organisation, Role.FACILITATOR, full_name="Ville Uusi")
    group_facilitators_set(group=world.group, lead=world.lead, co=newcomer, actor=None)
    client = client_for(world.coordinator)
    url = reverse("schedule:invite", args=[world.programme.pk, world.group.pk])
    words = text(client.post(url, follow=True))
    assert "1 invitation was queued in the outbox." in words
    assert Notification.objects.filter(kind=KIND_INVITATION, recipient=newcomer.email).count() == 1
    words = text(client.post(url, follow=True))
    assert "Everyone in the group already has the invitation." in words
    assert Notification.objects.filter(kind=KIND_INVITATION).count() == 5


# --- changing one meeting -----------------------------------------------------------------------------


def test_moving_onto_a_holiday_into_the_past_or_onto_another_meeting_shows_the_error_and_stores_nothing():
    start = independence_day_start()
    world = make_world(start=start)
    meetings = scheduled(world)
    second = meetings[1]
    before = (second.starts_at, second.calendar_sequence, Notification.objects.count())
    client = client_for(world.coordinator)
    cases = [
        (start, "is a public holiday (Independence Day). Choose another day."),
        (timezone.localdate() - timedelta(days=1), "A meeting cannot be moved into the past."),
        (local(meetings[2]).date(), "Meeting 3 of the group is already on"),
    ]
    for day, message in cases:
        response = move(client, second, day)
        assert response.status_code == 400, day
        assert message in field_error(response, "id_move-date"), day
        assert "There is a problem" in text(response)
        second.refresh_from_db()
        assert (second.starts_at, second.calendar_sequence, Notification.objects.count()) == before


def test_moving_a_meeting_sends_an_update_and_the_schedule_says_why(world):
    meetings = scheduled(world)
    second = meetings[1]
    new_day = local(second).date() + timedelta(days=2)
    client = client_for(world.coordinator)
    response = move(client, second, new_day, time(13, 30), note="The facilitator is ill.")
    assert response.status_code == 302
    second.refresh_from_db()
    assert local(second).date() == new_day and local(second).time() == time(13, 30)
    assert second.move_reason == MoveReason.BY_HAND
    assert Notification.objects.filter(kind=KIND_UPDATE, subject=subject_key(second)).count() == 4
    page = client.get(schedule_url(world))
    assert "Moved by the coordinator. The facilitator is ill." in row_text(page, second)
    assert "13:30" in row_text(page, second)


def test_cancelling_asks_for_confirmation_then_cancels(world):
    meeting = scheduled(world)[3]
    client = client_for(world.coordinator)
    response = client.post(meeting_url(meeting), {"action": "cancel", "cancel-reason": "Too few can come"})
    assert response.status_code == 400
    assert "Tick the box to confirm" in field_error(response, "id_cancel-confirm")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED
    response = client.post(
        meeting_url(meeting), {"action": "cancel", "cancel-reason": "Too few can come", "cancel-confirm": "on"}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert Notification.objects.filter(kind=KIND_CANCELLED, subject=subject_key(meeting)).count() == 4
    assert "Cancelled" in row_text(client.get(schedule_url(world)), meeting)


def test_a_meeting_can_have_its_own_facilitators(world):
    meeting = scheduled(world)[2]
    stand_in = make_staff(world.organisation, Role.FACILITATOR, full_name="Sanna Sijainen")
    client = client_for(world.coordinator)
    response = client.post(
        meeting_url(meeting), {"action": "facilitators", "facilitators-lead": str(stand_in.pk), "facilitators-co": ""}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.lead_facilitator == stand_in and meeting.co_facilitator is None
    # The stand-in gets this meeting's calendar entry.
    assert Notification.objects.filter(
        kind=KIND_UPDATE, recipient=stand_in.email, subject=subject_key(meeting)
    ).exists()
    assert "Facilitators of this meeting: Sanna Sijainen, Kalle Tukija" in row_text(
        client.get(schedule_url(world)), meeting
    )


def test_someone_outside_the_organisation_cannot_be_made_a_facilitator(world):
    meeting = scheduled(world)[2]
    outsider = make_staff(make_organisation(), Role.FACILITATOR)
    response = client_for(world.coordinator).post(
        meeting_url(meeting), {"action": "facilitators", "facilitators-lead": str(outsider.pk)}
    )
    assert response.status_code == 400
    assert "Choose one of the people in the list." in field_error(response, "id_facilitators-lead")
    meeting.refresh_from_db()
    assert meeting.lead_facilitator is None


def agenda_post(rows: list[tuple[str, str, str]], count: int | None = None, action: str = "agenda") -> dict[str, str]:
    data = {"action": action, "agenda-rows": str(count or len(rows))}
    for i, (kind, minutes, note) in enumerate(rows):
        data.update({f"agenda-kind_{i}": kind, f"agenda-minutes_{i}": minutes, f"agenda-note_{i}": note})
    return data


def test_an_agenda_without_a_break_is_saved_with_a_warning(world):
    meeting = scheduled(world)[1]
    client = client_for(world.coordinator)
    assert NO_BREAK not in text(client.get(meeting_url(meeting)))  # the template has a break
    rows = [
        (SegmentKind.WELCOME, "10", ""),
        (SegmentKind.TALK, "40", "Pricing a service"),
        (SegmentKind.GROUP, "60", ""),
        (SegmentKind.CLOSING, "10", ""),
        ("", "", ""),
    ]
    response = client.post(meeting_url(meeting), agenda_post(rows))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert [s["kind"] for s in meeting.agenda] == ["welcome", "talk", "group", "closing"]
    words = text(client.get(meeting_url(meeting)))
    assert NO_BREAK in words
    assert "Expert talk: Pricing a service" in words


def test_an_agenda_row_without_minutes_is_refused_next_to_it(world):
    meeting = scheduled(world)[1]
    before = meeting.agenda
    response = client_for(world.coordinator).post(
        meeting_url(meeting), agenda_post([(SegmentKind.WELCOME, "10", ""), (SegmentKind.GROUP, "", "")])
    )
    assert response.status_code == 400
    assert "Give the minutes of this part." in field_error(response, "id_agenda-minutes_1")
    meeting.refresh_from_db()
    assert meeting.agenda == before


def test_more_rows_keep_what_was_typed_and_save_nothing(world):
    meeting = scheduled(world)[1]
    before = meeting.agenda
    response = client_for(world.coordinator).post(
        meeting_url(meeting), agenda_post([(SegmentKind.WRITING, "25", "My goals")], action="more_rows")
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="agenda-kind_3"' in content and 'name="agenda-kind_4"' not in content
    assert 'value="My goals"' in content
    meeting.refresh_from_db()
    assert meeting.agenda == before


def test_choosing_a_session_template_replaces_the_agenda(world):
    meeting = scheduled(world)[1]
    first = SessionTemplate.objects.get(organisation=world.organisation, for_first_meeting=True)
    response = client_for(world.coordinator).post(
        meeting_url(meeting), {"action": "template", "template-template": str(first.pk)}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.template == first
    assert SegmentKind.GROUND_RULES in [s["kind"] for s in meeting.agenda]


def test_theme_and_expert_talk_are_saved_and_a_bad_recording_link_is_refused(world):
    meeting = scheduled(world)[1]
    pricing = world.programme.themes.get(key="pricing-sales")
    client = client_for(world.coordinator)
    data = {
        "action": "details",
        "details-theme": str(pricing.pk),
        "details-expert_speaker": "Maija Myyjä",
        "details-expert_title": "Pricing your time",
        "details-recording_url": "http://example.org/talk",
    }
    response = client.post(meeting_url(meeting), data)
    assert response.status_code == 400
    assert "starting with https://" in field_error(response, "id_details-recording_url")
    meeting.refresh_from_db()
    assert meeting.expert_speaker == ""
    response = client.post(meeting_url(meeting), {**data, "details-recording_url": ""})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.theme, meeting.expert_speaker, meeting.expert_title) == (
        pricing,
        "Maija Myyjä",
        "Pricing your time",
    )


def test_adding_a_meeting_and_refusing_one_on_another_meetings_day(world):
    meetings = scheduled(world)
    client = client_for(world.coordinator)
    url = reverse("schedule:add", args=[world.programme.pk, world.group.pk])
    taken = local(meetings[4]).date()
    response = client.post(url, {"date": taken.isoformat(), "time": "09:00", "theme": "", "length_minutes": "120"})
    assert response.status_code == 400
    assert "Meeting 5 of the group is already on" in field_error(response, "id_date")
    assert Meeting.objects.filter(group=world.group).count() == 5
    extra_day = taken + timedelta(days=14)
    response = client.post(url, {"date": extra_day.isoformat(), "time": "09:00", "theme": "", "length_minutes": "90"})
    assert response.status_code == 302
    added = Meeting.objects.get(group=world.group, number=6)
    assert local(added).date() == extra_day and added.length_minutes == 90
    assert Notification.objects.filter(kind=KIND_UPDATE, subject=subject_key(added)).count() == 4


# --- pasted links ----------------------------------------------------------------------------------------


def paste_links(organisation: Organisation, scope: str) -> None:
    organisation_video_links_set(organisation=organisation, video_links=VideoLinks.PASTED, jitsi_url="", actor=None)
    # No page sets the scope yet (see the report); the setting itself is what is being tested here.
    Organisation.objects.filter(pk=organisation.pk).update(link_scope=scope)


def test_a_malformed_pasted_meeting_link_is_refused_next_to_the_field(world):
    paste_links(world.organisation, LinkScope.MEETING)
    meeting = scheduled(world)[0]
    client = client_for(world.coordinator)
    response = client.post(meeting_url(meeting), {"action": "link", "link-video_link": "zoom.us/j/123"})
    assert response.status_code == 400
    assert "starting with https://" in field_error(response, "id_link-video_link")
    meeting.refresh_from_db()
    assert meeting.video_link == ""
    response = client.post(meeting_url(meeting), {"action": "link", "link-video_link": "https://zoom.us/j/123456789"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.video_link == "https://zoom.us/j/123456789"


def test_a_groups_pasted_link_is_set_on_the_group_page(world):
    paste_links(world.organisation, LinkScope.GROUP)
    scheduled(world)
    client = client_for(world.coordinator)
    url = reverse("schedule:group_link", args=[world.programme.pk, world.group.pk])
    response = client.post(url, {"link-video_link": "ftp://teams.example/meet"})
    assert response.status_code == 400
    assert "starting with https://" in field_error(response, "id_link-video_link")
    response = client.post(url, {"link-video_link": "https://teams.example/meet/42"})
    assert response.status_code == 302
    world.group.refresh_from_db()
    assert world.group.video_link == "https://teams.example/meet/42"


def test_jitsi_organisations_get_no_link_field(world):
    meeting = scheduled(world)[0]
    client = client_for(world.coordinator)
    assert 'name="link-video_link"' not in client.get(meeting_url(meeting)).content.decode()
    assert (
        client.post(meeting_url(meeting), {"action": "link", "link-video_link": "https://x.example"}).status_code == 404
    )


# --- the outbox's counts per meeting ---------------------------------------------------------------------


class RefusingInbox:
    """A loopback mail server that refuses one address for good (550) and takes everything else."""

    def __init__(self, refused: str) -> None:
        self.refused = refused.lower()
        self.delivered: list[str] = []
        self._lock = threading.Lock()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:  # noqa: N802
        if address.lower() == self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self._lock:
            self.delivered.extend(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def mail_server(world) -> Iterator[RefusingInbox]:
    member = Group.objects.get(pk=world.group.pk).memberships.order_by("pk").first().participant
    inbox = RefusingInbox(member.user.email)
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
        ):
            yield inbox
    finally:
        controller.stop()


def test_the_schedule_counts_each_meetings_messages_delivered_failed_and_waiting(world, mail_server):
    meetings = scheduled(world)
    client = client_for(world.coordinator)
    second = meetings[1]
    assert move(client, second, local(second).date() + timedelta(days=1)).status_code == 302
    while notifications_send_due(limit=100).claimed:
        pass
    # Two members and two facilitators; one member's address refuses mail.
    assert len(mail_server.delivered) == 6  # three invitations and three updates
    page = client.get(schedule_url(world))
    words = text(page)
    assert "Invitations: 3 delivered 1 failed 0 waiting" in words
    # The moved meeting: the update went out; the reminders and the nudges (old and new) wait for their time.
    assert "3 delivered 1 failed 12 waiting" in row_text(page, second)
    # An unchanged meeting: four reminders and two nudges, all still to come.
    assert "0 delivered 0 failed 6 waiting" in row_text(page, meetings[0])
    assert (
        "status=failed" in page.content.decode()
        and f"{reverse('notifications:outbox')}?about=" in page.content.decode()
    )
    counted = Notification.objects.filter(subject=subject_key(second))
    assert counted.filter(status=NotificationStatus.SENT).count() == 3


def test_the_schedule_page_reads_a_fixed_number_of_queries_however_many_groups(world, django_assert_max_num_queries):
    client = client_for(world.coordinator)
    scheduled(world)
    with CaptureCount() as one:
        assert client.get(schedule_url(world)).status_code == 200
    assert one.count <= 12
    for _ in range(3):
        group = make_group(world.programme, members=2, lead=world.lead, co=world.co, start=quiet_start())
        services.schedule_generate(group=group, actor=None)
        make_group(world.programme, start=quiet_start())  # and some without a schedule
    with django_assert_max_num_queries(one.count):
        page = client.get(schedule_url(world))
    assert page.status_code == 200
    assert text(page).count("Invitations:") == 4


class CaptureCount:
    """How many queries a block makes."""

    def __enter__(self) -> CaptureCount:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self._context = CaptureQueriesContext(connection)
        self._context.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._context.__exit__(*exc)
        self.count = len(self._context.captured_queries)


# --- session templates ---------------------------------------------------------------------------------


def test_session_templates_start_with_the_standard_two_and_a_new_one_warns_without_a_break(world):
    client = client_for(world.coordinator)
    words = text(client.get(reverse("schedule:templates", args=[world.organisation.slug])))
    assert "First meeting" in words and "Theme meeting" in words
    data = {
        "action": "save",
        "template-name": "Long talk",
        "segments-rows": "3",
        "segments-kind_0": SegmentKind.TALK,
        "segments-minutes_0": "60",
        "segments-note_0": "",
        "segments-kind_1": SegmentKind.GROUP,
        "segments-minutes_1": "30",
        "segments-note_1": "",
    }
    response = client.post(reverse("schedule:template_new", args=[world.organisation.slug]), data)
    assert response.status_code == 302
    saved = SessionTemplate.objects.get(organisation=world.organisation, name="Long talk")
    assert [s["minutes"] for s in saved.segments] == [60, 30]
    words = text(client.get(reverse("schedule:templates", args=[world.organisation.slug])))
    assert "The meeting is longer than 60 minutes and has no break." in words
    # The same name again is refused next to the name.
    response = client.post(reverse("schedule:template_new", args=[world.organisation.slug]), data)
    assert response.status_code == 400
    assert "already has a template with this name" in field_error(response, "id_template-name")
    assert SessionTemplate.objects.filter(organisation=world.organisation, name="Long talk").count() == 1


def test_editing_a_session_template_of_another_organisation_is_not_found(world):
    other = make_organisation()
    template = services.session_templates_ensure(organisation=other)[0]
    url = reverse("schedule:template_edit", args=[world.organisation.slug, template.pk])
    assert client_for(world.coordinator).get(url).status_code == 404


# --- organisation settings --------------------------------------------------------------------------------


def test_the_settings_page_warns_that_facilitators_join_meet_jit_si_first(world):
    url = reverse("core:organisation_settings", args=[world.organisation.slug])
    words = text(client_for(world.coordinator).get(url))
    assert world.organisation.uses_public_jitsi
    assert "At group meetings the facilitators join first" in words
    assert "One link per group, for all its meetings" in words
    organisation_video_links_set(
        organisation=world.organisation, video_links=VideoLinks.JITSI, jitsi_url="https://jitsi.example.fi", actor=None
    )
    words = text(client_for(world.coordinator).get(url))
    assert "At group meetings the facilitators join first" not in words


# --- in Chromium, with axe-core ------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_chromium_the_coordinator_sets_a_schedule_and_edits_an_agenda(
    page,
    live_server,
    assert_accessible,  # noqa: F811
):
    from playwright.sync_api import expect

    from kollega.accounts.services import sign_in_link_make

    start = independence_day_start()
    world = make_world(start=start)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + sign_in_link_make(user=world.coordinator))
    page.goto(live_server.url + reverse("core:programme_detail", args=[world.programme.pk]))
    page.get_by_role("link", name="Meeting schedule").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meeting schedule")
    assert_accessible(page)

    page.get_by_role("link", name=f"Set the schedule – {world.group.name}").click()
    expect(page.get_by_text(f"Moved from 6.12. ({holiday_name(start, 'en')}).")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("The same weekday a week later").check()
    page.get_by_role("button", name="Show the schedule with this rule").click()
    expect(page.get_by_role("cell", name=re.compile(re.escape(d(start + timedelta(days=7)))))).to_be_visible()
    page.get_by_role("button", name="Set the schedule and send the invitations").click()
    expect(page.get_by_text("4 invitations were queued in the outbox.", exact=False)).to_be_visible()
    assert_accessible(page)

    second = Meeting.objects.get(group=world.group, number=2)
    page.locator(f"#meeting-{second.pk}").get_by_role("link", name=re.compile("Change")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Meeting 2 of {world.group.name}")
    assert_accessible(page)
    # Turn the break into a discussion: the agenda is saved, with a warning.
    break_row = next(i for i, s in enumerate(second.agenda) if s["kind"] == SegmentKind.BREAK)
    page.get_by_label(f"Part {break_row + 1}", exact=True).select_option(SegmentKind.GROUP)
    page.get_by_role("button", name="Save the agenda").click()
    expect(page.get_by_text(NO_BREAK)).to_be_visible()
    assert_accessible(page)
    # A move onto Independence Day is refused next to the date.
    page.get_by_label("New date").fill(start.isoformat())
    page.get_by_role("button", name="Move the meeting").first.click()
    expect(page.locator("#id_move-date_error")).to_contain_text("is a public holiday")
    assert_accessible(page)

    page.goto(live_server.url + reverse("schedule:templates", args=[world.organisation.slug]))
    page.get_by_role("link", name="New template").click()
    assert_accessible(page)


def test_a_meetings_counts_lead_to_the_outbox_showing_only_that_meetings_messages(world):
    meetings = scheduled(world)
    client = client_for(world.coordinator)
    page = client.get(schedule_url(world)).content.decode()
    about = subject_key(meetings[1])
    link = re.search(r'href="([^"]*about=' + re.escape(about.replace(":", "%3A")) + r'[^"]*status=pending)"', page)
    assert link is not None, "the waiting count of meeting 2 links to the outbox"
    raw = client.get(html.unescape(link.group(1))).content.decode()
    outbox = text_of_html(raw)
    assert f"Only the messages about {world.group.name} #2 are shown." in outbox
    shown = Notification.objects.filter(subject=about, status=NotificationStatus.PENDING)
    assert shown.count() == 6  # reminders to two members and two facilitators, and the two facilitators' nudges
    for row in shown:
        assert row.recipient in outbox
    # Exactly these rows are listed: not the invitations (about the group) nor other meetings' reminders.
    listed = {int(pk) for pk in re.findall(r'href="/outbox/(\d+)/"', raw)}
    assert listed == {row.pk for row in shown}


def text_of_html(raw: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", raw)))

"""The meetings of one group from start to finish, in Chromium, as issue 6 checks them: the coordinator sets the
schedule and sees the invitations in the outbox; a member sees the meetings and downloads a calendar file; after the
first meeting the facilitator marks attendance, uploads a handout and sends the materials, which reach the absent
member too. axe-core on every page the journey visits."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from icalendar import Calendar
from playwright.sync_api import Locator, Page, expect

from kollega.accounts.models import User
from kollega.accounts.services import sign_in_link_make
from kollega.core.models import Participant, Role
from kollega.grouping.themes import theme_plan_build
from kollega.meetings.messages import theme_name
from kollega.meetings.models import Attendance, AttendanceState, Meeting, MeetingStatus
from kollega.meetings.schedule import holiday_name
from kollega.notifications.sender import notifications_send_due
from tests.browser.conftest import assert_accessible, axe, browser_type_launch_args  # noqa: F401
from tests.factories import make_group, make_organisation, make_programme, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
MISSED = "You could not come this time, so here is what you missed."


def quiet_start(count: int, interval_days: int) -> date:
    """A Tuesday at least ten days ahead whose meetings all miss the public holidays, so nothing moves."""
    day = timezone.localdate() + timedelta(days=10)
    while day.weekday() != 1 or any(holiday_name(day + timedelta(days=interval_days * i), "fi") for i in range(count)):
        day += timedelta(days=1)
    return day


def d(day: date) -> str:
    """A date as the app shows it."""
    return f"{day.day}.{day.month}.{day.year}"


def send_due() -> None:
    """What the dispatcher job does when it runs: send everything that has come due."""
    while notifications_send_due(limit=500).claimed:
        pass


@pytest.fixture
def worker_stopped() -> Iterator[None]:
    """Jobs wait in the queue, as they do on a server until its worker takes them.

    Tests otherwise run Huey jobs at once, so a message due now would be sent the moment it is queued and the
    outbox would never show it waiting. Here the queue keeps them, and the dispatcher sends what is due.
    """
    was = HUEY.immediate
    HUEY.immediate = False
    HUEY.flush()
    try:
        yield
    finally:
        HUEY.flush()
        HUEY.immediate = was


def outbox_rows(page: Page, kind: str) -> Locator:
    """The outbox filtered to one kind of message, through its own filter form."""
    page.get_by_label("Kind of message").select_option(label=kind)
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]kind=meetings\."))  # the filtered page has loaded
    return page.get_by_role("table").locator("tbody tr")


def test_schedule_invitations_calendar_attendance_and_materials_in_one_journey(
    page: Page,
    live_server: Any,
    assert_accessible: Callable[[Page], None],  # noqa: F811
    tmp_path: Path,
    worker_stopped: None,
) -> None:
    # The group as accepting a proposal leaves it: members, a lead facilitator, a first date, and a theme plan.
    assert mail.get_connection().__class__.__module__ == "django.core.mail.backends.locmem"
    organisation = make_organisation("Seutuyrittäjät ry (fictitious)")
    programme = make_programme(organisation)
    coordinator = make_staff(organisation, Role.COORDINATOR, full_name="Kaisa Koordinaattori")
    lead = make_staff(organisation, Role.FACILITATOR, full_name="Liisa Vetäjä")
    start = quiet_start(programme.meeting_count, programme.meeting_interval_days)
    group = make_group(programme, members=3, lead=lead, start=start)
    theme_plan_build(group=group)
    # The emails read English, so their words can be checked here.
    Participant.objects.filter(membership__group=group).update(language="en")
    members = list(Participant.objects.filter(membership__group=group).select_related("user").order_by("pk"))
    present, absent, unmarked = members
    page.set_viewport_size({"width": 1280, "height": 900})

    def sign_in(user: User) -> None:
        page.goto(live_server.url + sign_in_link_make(user=user))
        expect(page.get_by_text(f"You are signed in as {user.display_name}.")).to_be_visible()
        assert_accessible(page)

    def menu(name: str) -> None:
        page.get_by_role("navigation", name="Main menu").get_by_role("link", name=name, exact=True).click()

    # --- 1. The coordinator sets the schedule and sees the invitations in the outbox ---------------------------
    sign_in(coordinator)
    menu("Programmes")
    expect(page.get_by_role("heading", level=1)).to_have_text("Programmes")
    assert_accessible(page)
    page.get_by_role("link", name=programme.name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(programme.name)
    assert_accessible(page)
    page.get_by_role("link", name="Meeting schedule").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meeting schedule")
    expect(page.get_by_text(f"No schedule yet. The first meeting is planned for {d(start)}.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=f"Set the schedule – {group.name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Set the schedule of {group.name}")
    preview = page.get_by_role("table", name="The meetings generating will make").locator("tbody tr")
    expect(preview).to_have_count(programme.meeting_count)
    for i in range(programme.meeting_count):
        expect(preview.nth(i)).to_contain_text(d(start + timedelta(days=programme.meeting_interval_days * i)))
        expect(preview.nth(i).get_by_role("cell").last).to_have_text("–")  # the "Moved" column: nothing moves
    assert not Meeting.objects.filter(group=group).exists()  # a preview stores nothing
    assert_accessible(page)

    page.get_by_role("button", name="Set the schedule and send the invitations").click()
    expect(page.get_by_text("4 invitations were queued in the outbox.", exact=False)).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meeting schedule")
    assert_accessible(page)
    assert HUEY.pending_count() == 4  # one sending job per invitation, queued for the worker
    meetings = list(Meeting.objects.filter(group=group).select_related("theme").order_by("number"))
    assert [m.number for m in meetings] == list(range(1, programme.meeting_count + 1))
    assert all(m.theme_id for m in meetings), "every meeting has its theme from the group's theme plan"
    first = meetings[0]

    invited = {p.user.email: p.user.full_name for p in members} | {lead.email: lead.full_name}
    menu("Outbox")
    expect(page.get_by_role("heading", level=1)).to_have_text("Outbox")
    assert_accessible(page)
    rows = outbox_rows(page, "Meeting invitation")
    expect(rows).to_have_count(len(invited))
    for email in invited:
        row = rows.filter(has_text=email)
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Meeting invitation")
        expect(row).to_contain_text("Waiting")
    assert_accessible(page)

    # The dispatcher runs (the job the scheduler starts every minute): the invitations go, and the outbox says so.
    send_due()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(invited)
    page.reload()
    expect(rows).to_have_count(len(invited))
    for email in invited:
        expect(rows.filter(has_text=email)).to_contain_text("Sent")
    expect(rows.filter(has_text="Waiting")).to_have_count(0)
    assert_accessible(page)

    # --- 2. A member sees the meetings with their themes and takes meeting 1 into their calendar --------------
    sign_in(present.user)
    menu("My programme")
    expect(page.get_by_role("link", name="My meetings: join, agendas, calendar and materials")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="My meetings: join, agendas, calendar and materials").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My meetings")
    cards = page.get_by_role("article")
    expect(cards).to_have_count(len(meetings))
    for meeting in meetings:
        card = page.get_by_role("article", name=f"Meeting {meeting.number}:")
        day = timezone.localtime(meeting.starts_at, organisation.tz).date()
        expect(card).to_contain_text(d(day))
        expect(card).to_contain_text(f"Theme: {theme_name(meeting)}")
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Add to calendar – Meeting 1", exact=True).click()
    with open(download_info.value.path(), "rb") as handle:
        (event,) = Calendar.from_ical(handle.read()).walk("VEVENT")
    assert str(event["UID"]) == first.calendar_uid
    assert event.decoded("DTSTART") == first.starts_at

    # --- 3. After meeting 1: attendance, marking it held, a handout, and sending the materials ---------------
    # Time has to pass for meeting 1 to be over, and the browser and the live server share the real clock. The
    # product rightly refuses both a schedule whose first meeting is past and a move into the past, so the test
    # puts meeting 1's start three hours back in the database (it ended an hour ago). A plain update, not a
    # service: that is what waiting does, and nothing is queued by it (the reminders keep their due times).
    Meeting.objects.filter(pk=first.pk).update(starts_at=timezone.now() - timedelta(hours=3))
    handout = tmp_path / "Handout.pdf"
    handout.write_bytes(PDF)

    sign_in(lead)
    menu("My groups")
    expect(page.get_by_role("heading", level=1)).to_have_text("My groups")
    assert_accessible(page)
    page.get_by_role("link", name=f"Meetings, attendance and materials of {group.name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Meetings of {group.name}")
    assert_accessible(page)
    page.get_by_role("link", name="Meeting 1", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{group.name}, meeting 1")
    assert_accessible(page)

    page.get_by_role("group", name=present.display_name).get_by_label("Present").check()
    page.get_by_role("group", name=absent.display_name).get_by_label("Absent").check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("The attendance was saved.")).to_be_visible()
    expect(page.get_by_role("group", name=present.display_name).get_by_label("Present")).to_be_checked()
    expect(page.get_by_role("group", name=absent.display_name).get_by_label("Absent")).to_be_checked()
    assert_accessible(page)
    page.get_by_role("button", name="Mark the meeting held").click()
    expect(page.get_by_text("Marked held on")).to_be_visible()
    assert_accessible(page)

    upload = page.locator("form").filter(has=page.get_by_role("button", name="Upload the file"))
    upload.get_by_label("File", exact=True).set_input_files(str(handout))
    upload.get_by_label("Title").fill("Pricing worksheet")
    upload.get_by_role("button", name="Upload the file").click()
    expect(page.get_by_text("“Pricing worksheet” was added to the materials.")).to_be_visible()
    expect(page.get_by_role("table", name="Materials")).to_contain_text("Handout.pdf")
    assert_accessible(page)
    page.get_by_role("button", name="Send the materials to the group").click()
    expect(page.get_by_text("The materials are on their way to 3 members.")).to_be_visible()
    expect(page.get_by_role("button", name="Send again with the current materials")).to_be_visible()
    assert_accessible(page)

    first.refresh_from_db()
    assert first.status == MeetingStatus.HELD
    assert dict(Attendance.objects.filter(meeting=first).values_list("participant_id", "state")) == {
        present.pk: AttendanceState.PRESENT,
        absent.pk: AttendanceState.ABSENT,
    }

    # --- 4. The dispatcher runs again: the materials reach every member, the absent one with a line for them --
    before = len(mail.outbox)
    send_due()
    sent = mail.outbox[before:]
    assert sorted(m.to[0] for m in sent) == sorted(p.user.email for p in members)  # nothing else was due
    subject = f"{group.name}: materials of meeting 1"
    assert all(m.subject == subject and "Pricing worksheet" in m.body for m in sent)
    copy = {m.to[0]: m for m in sent}
    assert MISSED in copy[absent.user.email].body
    assert MISSED not in copy[present.user.email].body
    assert MISSED not in copy[unmarked.user.email].body  # not marked is not "missed"

    sign_in(coordinator)
    menu("Outbox")
    rows = outbox_rows(page, "Meeting materials")
    expect(rows).to_have_count(len(members))
    for member in members:
        row = rows.filter(has_text=member.user.email)
        expect(row).to_contain_text(subject)
        expect(row).to_contain_text("Sent")
    assert_accessible(page)

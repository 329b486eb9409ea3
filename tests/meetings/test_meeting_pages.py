"""The facilitator's pages: a group's meetings, one meeting's attendance, marking it held, notes, materials and
sending them; the material downloads and who may open what."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kollega.accounts.models import User
from kollega.core.models import Participant, Role, Status
from kollega.core.services import participant_change_status
from kollega.grouping.models import Group
from kollega.meetings import services
from kollega.meetings.messages import KIND_MATERIALS
from kollega.meetings.models import Attendance, AttendanceState, Material, MaterialKind, Meeting, MeetingStatus
from kollega.notifications.models import Notification
from tests.browser.conftest import assert_accessible, axe, browser_type_launch_args  # noqa: F401
from tests.factories import make_group, make_organisation, make_programme, make_staff

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@dataclass
class World:
    group: Group
    lead: User
    co: User
    coordinator: User
    members: list[Participant]
    started: Meeting  # began 30 minutes ago
    coming: Meeting  # in three days


@pytest.fixture
def world() -> World:
    organisation = make_organisation("Seutuyrittäjät ry (fictitious)")
    programme = make_programme(organisation)
    lead = make_staff(organisation, Role.FACILITATOR, full_name="Liisa Vetäjä")
    co = make_staff(organisation, Role.FACILITATOR, full_name="Kalle Tukija")
    coordinator = make_staff(organisation, Role.COORDINATOR, full_name="Kaisa Koordinaattori")
    now = timezone.now()
    group = make_group(programme, members=3, lead=lead, co=co, first_meeting_at=now - timedelta(minutes=30))
    started = services.meeting_create(group=group, number=1, starts_at=now - timedelta(minutes=30))
    coming = services.meeting_create(group=group, number=2, starts_at=now + timedelta(days=3))
    members = list(Participant.objects.filter(membership__group=group).order_by("pk"))
    return World(group, lead, co, coordinator, members, started, coming)


def page(meeting: Meeting) -> str:
    return reverse("meetings:meeting", args=[meeting.pk])


def text(response) -> str:  # type: ignore[no-untyped-def]
    """The page as a reader sees its words: entities decoded, whitespace collapsed, tags between cells dropped."""
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


# --- the group page --------------------------------------------------------------------------


def test_the_group_page_lists_meetings_in_the_organisations_time_and_the_members(world: World) -> None:
    helsinki = world.group.programme.organisation.tz
    at = (timezone.now() + timedelta(days=40)).astimezone(helsinki).replace(hour=17, minute=0, second=0, microsecond=0)
    services.meeting_create(group=world.group, number=3, starts_at=at)

    response = client_for(world.lead).get(reverse("meetings:group", args=[world.group.pk]))

    assert response.status_code == 200
    body = text(response)
    assert f"{at.day}.{at.month}.{at.year} 17:00–19:00" in body  # Helsinki time, whatever UTC says
    for number, meeting in ((1, world.started), (2, world.coming)):
        assert f'href="{page(meeting)}">Meeting {number}</a>' in body
    for member in world.members:
        assert member.display_name in body
    assert "3 members" in body


def test_my_groups_links_to_each_groups_meeting_page(world: World) -> None:
    response = client_for(world.lead).get(reverse("grouping:my_groups"))

    assert reverse("meetings:group", args=[world.group.pk]) in response.content.decode()


# --- who may open what -------------------------------------------------------------------------


def test_only_the_groups_facilitators_and_coordinators_open_its_pages(world: World) -> None:
    organisation = world.group.programme.organisation
    other_facilitator = make_staff(organisation, Role.FACILITATOR)
    other_coordinator = make_staff(make_organisation(), Role.COORDINATOR)
    urls = [
        reverse("meetings:group", args=[world.group.pk]),
        page(world.started),
    ]
    for user in (world.lead, world.co, world.coordinator):
        for url in urls:
            assert client_for(user).get(url).status_code == 200, (user, url)
    for user in (other_facilitator, other_coordinator, world.members[0].user):
        for url in urls:
            assert client_for(user).get(url).status_code == 404, (user, url)
    # Changes are refused just the same, and nothing is stored.
    refused = client_for(other_facilitator).post(
        reverse("meetings:meeting_attendance", args=[world.started.pk]),
        {f"attendance-p{world.members[0].pk}": AttendanceState.PRESENT},
    )
    assert refused.status_code == 404
    assert (
        client_for(other_facilitator).post(reverse("meetings:meeting_held", args=[world.started.pk])).status_code == 404
    )
    assert not Attendance.objects.exists()
    world.started.refresh_from_db()
    assert world.started.status == MeetingStatus.PLANNED
    assert Client().get(page(world.started)).status_code == 302  # to sign-in


def test_a_stand_in_facilitator_opens_their_meeting_only(world: World) -> None:
    organisation = world.group.programme.organisation
    stand_in = make_staff(organisation, Role.FACILITATOR, full_name="Sanna Sijainen")
    services.meeting_facilitators_set(meeting=world.coming, lead=stand_in, co=None, actor=world.coordinator)
    client = client_for(stand_in)

    assert client.get(page(world.coming)).status_code == 200
    assert client.get(page(world.started)).status_code == 404
    group_page = client.get(reverse("meetings:group", args=[world.group.pk]))
    assert group_page.status_code == 200
    assert f'href="{page(world.coming)}"' in group_page.content.decode()
    assert f'href="{page(world.started)}"' not in group_page.content.decode()


# --- the meeting page ---------------------------------------------------------------------------


def test_the_meeting_page_shows_the_agenda_with_start_times_the_link_and_the_public_jitsi_note(world: World) -> None:
    organisation = world.group.programme.organisation
    organisation.video_links = "jitsi"
    organisation.jitsi_url = "https://meet.jit.si"
    organisation.save(update_fields=["video_links", "jitsi_url"])
    services.video_link_set(group=world.group, link="https://meet.jit.si/SeutuRoom0123456789abcdef", actor=None)
    services.meeting_details_set(
        meeting=world.coming, actor=None, expert_speaker="Erkki Asiantuntija", expert_title="Pricing your work"
    )

    body = text(client_for(world.lead).get(page(world.coming)))

    start = world.coming.starts_at.astimezone(organisation.tz)
    assert f'<td>{start:%H:%M}</td><th scope="row">Welcome and the day\'s plan</th>' in body
    assert 'href="https://meet.jit.si/SeutuRoom0123456789abcdef"' in body
    assert "Join the meeting" in body
    assert "the first person in the room must sign in" in body
    assert "Pricing your work – Erkki Asiantuntija" in body
    assert "Any device; a phone is enough" in body


def test_the_agenda_warning_shows_when_a_long_meeting_has_no_break(world: World) -> None:
    services.meeting_details_set(meeting=world.coming, actor=None, agenda=[{"kind": "group", "minutes": 120}])

    body = text(client_for(world.lead).get(page(world.coming)))

    assert "The meeting is longer than 60 minutes and has no break." in body


# --- attendance -----------------------------------------------------------------------------------


def test_attendance_is_saved_and_shown_again(world: World) -> None:
    first, second, third = world.members
    client = client_for(world.lead)

    response = client.post(
        reverse("meetings:meeting_attendance", args=[world.started.pk]),
        {
            f"attendance-p{first.pk}": AttendanceState.PRESENT,
            f"attendance-p{second.pk}": AttendanceState.ABSENT,
            f"attendance-p{third.pk}": AttendanceState.EXCUSED,
        },
    )

    assert response.status_code == 302
    stored = dict(Attendance.objects.filter(meeting=world.started).values_list("participant_id", "state"))
    assert stored == {first.pk: "present", second.pk: "absent", third.pk: "excused"}
    body = client.get(page(world.started)).content.decode()
    assert re.search(rf'name="attendance-p{first.pk}" value="present"[^>]*checked', body)
    assert re.search(rf'name="attendance-p{second.pk}" value="absent"[^>]*checked', body)
    # Each member's choices are a group with the member's name as its legend.
    assert f"<legend>{first.display_name}" in body


def test_before_the_start_only_told_in_advance_can_be_saved(world: World) -> None:
    first, second, _third = world.members
    client = client_for(world.lead)
    url = reverse("meetings:meeting_attendance", args=[world.coming.pk])

    refused = client.post(url, {f"attendance-p{first.pk}": AttendanceState.PRESENT})

    assert refused.status_code == 400
    assert 'only "told in advance" can be recorded' in text(refused)
    assert "There is a problem" in text(refused)
    assert not Attendance.objects.exists()

    accepted = client.post(url, {f"attendance-p{second.pk}": AttendanceState.EXCUSED})
    assert accepted.status_code == 302
    assert Attendance.objects.get(meeting=world.coming).state == AttendanceState.EXCUSED


def test_a_members_own_notice_shows_with_their_note(world: World) -> None:
    member = world.members[0]
    services.absence_tell(meeting=world.coming, participant=member, note="At a trade fair in Tampere")

    body = text(client_for(world.co).get(page(world.coming)))

    assert "Told in advance through their own link" in body
    assert "At a trade fair in Tampere" in body
    assert re.search(rf'name="attendance-p{member.pk}" value="excused"[^>]*checked', body)


# --- marking held and notes -------------------------------------------------------------------------


def test_marking_held_works_once_the_meeting_has_started_and_says_who_did_it(world: World) -> None:
    client = client_for(world.lead)
    button = 'type="submit">Mark the meeting held</button>'
    assert button not in text(client.get(page(world.coming)))

    early = client.post(reverse("meetings:meeting_held", args=[world.coming.pk]), follow=True)
    assert "A meeting cannot be marked held before it has started." in text(early)
    world.coming.refresh_from_db()
    assert world.coming.status == MeetingStatus.PLANNED

    assert button in text(client.get(page(world.started)))
    client.post(reverse("meetings:meeting_held", args=[world.started.pk]))

    world.started.refresh_from_db()
    assert world.started.status == MeetingStatus.HELD
    held_at = timezone.localtime(world.started.held_at, world.group.programme.organisation.tz)
    body = text(client_for(world.coordinator).get(page(world.started)))
    assert f"Marked held on {held_at.day}.{held_at.month}.{held_at.year} at {held_at:%H:%M} by Liisa Vetäjä." in body
    assert button not in body


def test_notes_for_the_group_are_saved(world: World) -> None:
    client = client_for(world.lead)

    client.post(reverse("meetings:meeting_notes", args=[world.started.pk]), {"notes-notes": "Next time: pricing."})

    world.started.refresh_from_db()
    assert world.started.notes == "Next time: pricing."
    assert "Next time: pricing." in text(client.get(page(world.started)))


# --- materials ----------------------------------------------------------------------------------------


def upload(client: Client, meeting: Meeting, name: str, content: bytes, title: str = ""):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("meetings:material_add", args=[meeting.pk]),
        {"kind": "file", "file-file": SimpleUploadedFile(name, content), "file-title": title},
    )


def test_the_upload_form_sends_files_and_says_what_is_accepted(world: World) -> None:
    body = client_for(world.lead).get(page(world.started)).content.decode()

    form = re.search(r'<form[^>]*enctype="multipart/form-data"[^>]*>', body)
    assert form is not None and reverse("meetings:material_add", args=[world.started.pk]) in form.group(0)
    assert 'accept=".doc,.docx,.gif' in body


def test_a_file_is_uploaded_listed_and_downloaded_as_an_attachment(world: World) -> None:
    client = client_for(world.lead)

    response = upload(client, world.started, "Hinnoittelu.pdf", PDF, title="Pricing worksheet")

    assert response.status_code == 302
    material = Material.objects.get()
    assert (material.kind, material.title, material.filename, material.size) == (
        MaterialKind.FILE,
        "Pricing worksheet",
        "Hinnoittelu.pdf",
        len(PDF),
    )
    body = text(client.get(page(world.started)))
    assert f'href="{reverse("meetings:material", args=[material.pk])}">Pricing worksheet</a>' in body
    assert "Liisa Vetäjä" in body

    download = client_for(world.members[0].user).get(reverse("meetings:material", args=[material.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert 'filename="Hinnoittelu.pdf"' in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "sandbox"


def test_a_file_that_is_too_big_is_refused_and_nothing_is_stored(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.KOLLEGA_MATERIAL_MAX_MB = 1
    big = PDF + b"0" * (1024 * 1024)

    response = upload(client_for(world.lead), world.started, "slides.pdf", big, title="Slides of the talk")

    assert response.status_code == 400
    body = text(response)
    assert "files of at most 1 MB can be shared" in body
    assert 'class="field-error" id="id_file-file_error"' in body  # next to the field
    assert 'value="Slides of the talk"' in body  # what was typed stays
    assert not Material.objects.exists()


def test_a_web_page_named_pdf_is_refused(world: World) -> None:
    page_bytes = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"

    response = upload(client_for(world.lead), world.started, "notes.pdf", page_bytes)

    assert response.status_code == 400
    assert "is not a PDF file, although its name ends in .pdf" in text(response)
    assert not Material.objects.exists()


def test_a_good_file_refused_for_another_reason_is_asked_for_again(world: World) -> None:
    response = upload(client_for(world.lead), world.started, "handout.pdf", PDF, title="x" * 201)

    assert response.status_code == 400
    body = text(response)
    assert "Title: At most 200 characters." in body
    assert "Choose the file again: it was not saved" in body
    assert not Material.objects.exists()


def test_links_notes_and_the_recording_are_added_and_a_bad_link_is_explained(world: World) -> None:
    client = client_for(world.lead)
    url = reverse("meetings:material_add", args=[world.started.pk])

    bad = client.post(url, {"kind": "link", "link-url": "http://example.org/article", "link-title": "An article"})
    assert bad.status_code == 400
    assert "starting with https://" in text(bad)
    assert 'value="An article"' in text(bad)
    assert not Material.objects.exists()

    client.post(url, {"kind": "link", "link-url": "https://example.org/article", "link-title": "An article"})
    client.post(url, {"kind": "recording", "recording-url": "https://video.example.org/rec/1"})
    client.post(url, {"kind": "note", "note-text": "Remember to bring an invoice."})

    kinds = list(Material.objects.order_by("id").values_list("kind", "title"))
    assert kinds == [("link", "An article"), ("recording", "Recording"), ("note", "Notes")]


def test_a_material_is_deleted_after_asking_once(world: World, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.lead)
    upload(client, world.started, "handout.pdf", PDF)
    material = Material.objects.get()
    stored, storage = material.file.name, material.file.storage
    url = reverse("meetings:material_delete", args=[world.started.pk, material.pk])

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Delete “handout.pdf”?" in text(confirm)
    assert Material.objects.exists() and storage.exists(stored)

    with django_capture_on_commit_callbacks(execute=True):
        deleted = client.post(url)

    assert deleted.status_code == 302
    assert not Material.objects.exists()
    assert not storage.exists(stored)


def test_downloads_are_for_the_groups_members_facilitators_and_coordinators_only(world: World) -> None:
    upload(client_for(world.lead), world.started, "handout.pdf", PDF)
    material = Material.objects.get()
    url = reverse("meetings:material", args=[material.pk])
    other_group = make_group(world.group.programme, members=1)
    outsider = Participant.objects.get(membership__group=other_group)
    leaver = world.members[2]
    participant_change_status(participant=leaver, to_status=Status.CANCELLED, actor=None, reason="test")

    def status(user: User) -> int:
        response = client_for(user).get(url)
        if response.streaming:
            b"".join(response.streaming_content)  # read to the end: the file closes with the response
        return response.status_code

    assert status(world.members[0].user) == 200
    assert status(world.co) == 200
    assert status(world.coordinator) == 200
    assert status(outsider.user) == 404
    assert status(leaver.user) == 404
    assert status(make_staff(world.group.programme.organisation, Role.FACILITATOR)) == 404
    assert Client().get(url).status_code == 302  # to sign-in first
    link = services.material_add(meeting=world.started, actor=None, kind="link", url="https://example.org/x")
    assert client_for(world.members[0].user).get(reverse("meetings:material", args=[link.pk])).status_code == 404


# --- sending the materials ----------------------------------------------------------------------------


def test_materials_are_sent_only_when_held_to_every_member_and_can_be_sent_again(world: World) -> None:
    client = client_for(world.lead)
    upload(client, world.started, "handout.pdf", PDF)
    first, second, third = world.members
    services.attendance_record(
        meeting=world.started,
        states={first.pk: "present", second.pk: "absent", third.pk: "excused"},
        actor=world.lead,
    )
    send = reverse("meetings:materials_send", args=[world.started.pk])

    early = client.post(send, follow=True)
    assert "Mark the meeting held before sending its materials." in text(early)
    assert not Notification.objects.filter(kind=KIND_MATERIALS).exists()
    assert ">Send the materials to the group</button>" not in text(early)

    services.meeting_mark_held(meeting=world.started, actor=world.lead)
    body = text(client.get(page(world.started)))
    assert "goes to every member of the group, present or absent (3 members now)" in body

    sent = client.post(send, follow=True)
    assert "The materials are on their way to 3 members." in text(sent)
    recipients = set(Notification.objects.filter(kind=KIND_MATERIALS).values_list("recipient", flat=True))
    assert recipients == {p.user.email for p in world.members}  # the absent ones too
    assert "Sent once, on" in text(sent)
    assert "Send again with the current materials" in text(sent)

    again = client.post(send, follow=True)
    assert "Sent 2 times, last on" in text(again)
    assert Notification.objects.filter(kind=KIND_MATERIALS).count() == 6


# --- queries --------------------------------------------------------------------------------------------


def test_the_meeting_page_runs_the_same_queries_however_many_members_and_materials(world: World) -> None:
    from django.db import connection

    client = client_for(world.lead)
    upload(client, world.started, "one.pdf", PDF)
    with CaptureQueriesContext(connection) as small:
        assert client.get(page(world.started)).status_code == 200

    from kollega.grouping.services import group_add_member
    from tests.factories import make_participant

    for _ in range(5):
        group_add_member(
            group=world.group,
            participant=make_participant(world.group.programme, Status.ACCEPTED),
            actor=None,
            at=timezone.now() - timedelta(days=1),
        )
    for name in ("two.pdf", "three.pdf", "four.pdf"):
        upload(client, world.started, name, PDF)
    services.attendance_record(meeting=world.started, states={world.members[0].pk: "present"}, actor=None)
    with CaptureQueriesContext(connection) as big:
        assert client.get(page(world.started)).status_code == 200

    assert len(big.captured_queries) == len(small.captured_queries)


# --- in Chromium, with axe-core ----------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_chromium_a_facilitator_marks_attendance_uploads_and_sends(  # type: ignore[no-untyped-def]
    page,
    live_server,
    assert_accessible,  # noqa: F811
    tmp_path,
) -> None:
    from playwright.sync_api import expect

    from kollega.accounts.services import sign_in_link_make

    organisation = make_organisation("Seutuyrittäjät ry (fictitious)")
    programme = make_programme(organisation)
    lead = make_staff(organisation, Role.FACILITATOR, full_name="Liisa Vetäjä")
    now = timezone.now()
    group = make_group(programme, members=2, lead=lead, first_meeting_at=now - timedelta(minutes=30))
    meeting = services.meeting_create(group=group, number=1, starts_at=now - timedelta(minutes=30))
    first, second = Participant.objects.filter(membership__group=group).order_by("pk")
    handout = tmp_path / "Handout.pdf"
    handout.write_bytes(PDF)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + sign_in_link_make(user=lead))
    page.goto(live_server.url + reverse("grouping:my_groups"))
    page.get_by_role("link", name=f"Meetings, attendance and materials of {group.name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Meetings of {group.name}")
    assert_accessible(page)
    page.get_by_role("link", name="Meeting 1", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{group.name}, meeting 1")
    assert_accessible(page)

    page.get_by_role("group", name=first.display_name).get_by_label("Present").check()
    page.get_by_role("group", name=second.display_name).get_by_label("Absent").check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("The attendance was saved.")).to_be_visible()
    page.get_by_role("button", name="Mark the meeting held").click()
    expect(page.get_by_text("Marked held on")).to_be_visible()

    page.get_by_label("File", exact=True).set_input_files(str(handout))
    page.get_by_role("button", name="Upload the file").click()
    expect(page.get_by_text("“Handout.pdf” was added to the materials.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Send the materials to the group").click()
    expect(page.get_by_text("The materials are on their way to 2 members.")).to_be_visible()
    expect(page.get_by_role("button", name="Send again with the current materials")).to_be_visible()
    assert_accessible(page)

    stored = dict(Attendance.objects.filter(meeting=meeting).values_list("participant_id", "state"))
    assert stored == {first.pk: "present", second.pk: "absent"}
    assert set(Notification.objects.filter(kind=KIND_MATERIALS).values_list("recipient", flat=True)) == {
        first.user.email,
        second.user.email,
    }

"""Meetings through the API: schedules, single meetings, attendance, materials and the outbox."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kollega.accounts.models import User
from kollega.core.models import AuditEntry, Organisation, Programme, Role
from kollega.core.services import organisation_lend_facilitators
from kollega.grouping.models import Group
from kollega.meetings import messages
from kollega.meetings.models import Attendance, Material, Meeting, MeetingStatus
from kollega.notifications.models import Notification, NotificationStatus
from kollega.notifications.services import notification_queue
from tests.factories import make_group, make_participant

from .conftest import API, ApiClient, client_for, staff

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def put(api: ApiClient, path: str, body: Any) -> Any:
    return api.client.put(API + path, json.dumps(body), content_type="application/json", headers=api._headers("en"))


def delete(api: ApiClient, path: str) -> Any:
    return api.client.delete(API + path, headers=api._headers("en"))


def upload(api: ApiClient, path: str, data: dict[str, Any]) -> Any:
    return api.client.post(API + path, data, headers=api._headers("en"))


def holiday_start() -> date:
    """A first meeting three weeks before Independence Day (6 December) next year: meeting 2 must move."""
    return date(timezone.localdate().year + 1, 12, 6) - timedelta(days=21)


def aware(day: date, hour: int, organisation: Organisation) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=organisation.tz)


@pytest.fixture
def group(programme: Programme, facilitator: User) -> Group:
    return make_group(programme, members=3, lead=facilitator, start=holiday_start())


@pytest.fixture
def held_group(programme: Programme, facilitator: User) -> Group:
    """A group whose first meeting began two hours ago; the others are to come."""
    return make_group(
        programme, members=3, lead=facilitator, meetings=3, first_meeting_at=timezone.now() - timedelta(hours=2)
    )


def generate(api: ApiClient, group: Group, **body: Any) -> dict[str, Any]:
    response = api.post(f"/groups/{group.pk}/schedule", body)
    assert response.status_code == 201, response.content
    return response.json()


# --- schedules ---------------------------------------------------------------------------


def test_generating_makes_the_meetings_moves_them_off_holidays_and_queues_invitations(
    api: ApiClient, programme: Programme, group: Group
) -> None:
    data = generate(api, group)

    meetings = data["meetings"]
    assert [m["number"] for m in meetings] == [1, 2, 3, 4, 5]
    assert meetings[0]["starts_at"].endswith("+02:00")  # Helsinki in winter
    first = datetime.fromisoformat(meetings[0]["starts_at"])
    assert datetime.fromisoformat(meetings[0]["ends_at"]) - first == timedelta(minutes=120)
    assert first.date() == group.start_date
    moved = meetings[1]["moved"]
    assert moved["reason"] == "holiday"
    assert moved["planned_date"] == date(group.start_date.year, 12, 6).isoformat()
    assert "Independence Day" in moved["text"]
    assert datetime.fromisoformat(meetings[1]["starts_at"]).date() > date(group.start_date.year, 12, 6)
    assert [m["moved"] for m in meetings if m["number"] != 2] == [None] * 4
    assert all(m["status"] == "planned" and m["calendar"]["sequence"] == 0 for m in meetings)
    assert len({m["calendar"]["uid"] for m in meetings}) == 5
    assert meetings[0]["lead_facilitator"]["email"] == "eero.ohjaaja@example.org"
    assert meetings[0]["video_link"].startswith("https://meet.jit.si/")
    # Three members and the lead facilitator, each once; reminders wait per meeting.
    assert data["invitations"] == {"delivered": 0, "failed": 0, "pending": 4, "skipped": 0}
    assert meetings[0]["outbox"]["pending"] == 4 + 1  # four reminders and the facilitator's nudge
    assert data["schedule_set_at"] is not None
    assert AuditEntry.objects.filter(action="meetings.schedule.generated", actor__email=api_email(api)).exists()

    schedule = api.get(f"/programmes/{programme.pk}/schedule").json()
    assert schedule["time_zone"] == "Europe/Helsinki"
    assert schedule["groups"][0]["meetings"] == meetings


def api_email(api: ApiClient) -> str:
    return "aino.koordinaattori@example.org"


def test_the_preview_stores_nothing_and_follows_the_rule(api: ApiClient, group: Group) -> None:
    independence_day = date(group.start_date.year, 12, 6)

    working_day = api.post(f"/groups/{group.pk}/schedule/preview", {"rule": "next_working_day"}).json()
    next_week = api.post(f"/groups/{group.pk}/schedule/preview", {"rule": "next_week"}).json()

    assert working_day["scheduled"] is False
    assert [m["number"] for m in working_day["meetings"]] == [1, 2, 3, 4, 5]
    second = datetime.fromisoformat(working_day["meetings"][1]["starts_at"]).date()
    assert 0 < (second - independence_day).days < 7
    assert datetime.fromisoformat(next_week["meetings"][1]["starts_at"]).date() == independence_day + timedelta(days=7)
    assert next_week["meetings"][1]["moved"]["reason"] == "holiday"
    assert next_week["rule"] == "next_week"
    assert not Meeting.objects.exists()
    assert not Notification.objects.exists()


def test_a_schedule_is_made_once_and_a_bad_rule_is_refused(api: ApiClient, group: Group) -> None:
    generate(api, group)

    again = api.post(f"/groups/{group.pk}/schedule", {})
    rule = api.post(f"/groups/{group.pk}/schedule/preview", {"rule": "whenever"})

    assert again.status_code == 422
    assert again.json()["detail"] == (
        "The group already has its schedule. Move, add or cancel single meetings instead."
    )
    assert Meeting.objects.filter(group=group).count() == 5
    assert rule.status_code == 422
    assert "rule" in rule.json()["errors"]
    assert api.post(f"/groups/{group.pk}/schedule/preview", {}).json()["scheduled"] is True


def test_a_first_meeting_in_the_past_is_refused_and_nothing_is_stored(api: ApiClient, programme: Programme) -> None:
    late = make_group(programme, members=2, start=timezone.localdate() - timedelta(days=3))

    response = api.post(f"/groups/{late.pk}/schedule", {})

    assert response.status_code == 422
    assert "would already be in the past" in response.json()["detail"]
    assert not Meeting.objects.exists() and not Notification.objects.exists()


def test_inviting_again_invites_nobody_twice(api: ApiClient, programme: Programme, group: Group) -> None:
    from kollega.core.models import Status
    from kollega.grouping.services import group_add_member

    generate(api, group)
    group_add_member(group=group, participant=make_participant(programme, Status.ACCEPTED), actor=None)

    response = api.post(f"/groups/{group.pk}/schedule/invite", {})

    assert response.status_code == 200, response.content
    assert response.json() == {"group_id": group.pk, "invited": 0}
    schedule = api.get(f"/programmes/{programme.pk}/schedule").json()["groups"][0]
    assert schedule["invitations"]["pending"] == 5  # the late joiner was invited when they joined
    assert api.post(f"/groups/{make_group(programme).pk}/schedule/invite", {}).json()["errors"] == {
        "__all__": ["The group has no schedule yet."]
    }


def test_the_schedule_is_read_in_a_fixed_number_of_queries(
    api: ApiClient, programme: Programme, facilitator: User
) -> None:
    first = make_group(programme, members=2, lead=facilitator, start=holiday_start())
    generate(api, first)
    with CaptureQueriesContext(connection) as one:
        assert api.get(f"/programmes/{programme.pk}/schedule").status_code == 200
    for weeks in (1, 2):
        more = make_group(programme, members=2, lead=facilitator, start=holiday_start() + timedelta(weeks=weeks))
        generate(api, more)

    with CaptureQueriesContext(connection) as three:
        data = api.get(f"/programmes/{programme.pk}/schedule").json()

    assert len(data["groups"]) == 3 and sum(len(g["meetings"]) for g in data["groups"]) == 15
    assert len(three) == len(one)


# --- single meetings -----------------------------------------------------------------------


def test_moving_a_meeting_updates_its_calendar_entry_and_tells_everyone(
    api: ApiClient, programme: Programme, group: Group
) -> None:
    meetings = generate(api, group)["meetings"]
    third = meetings[2]
    day = datetime.fromisoformat(third["starts_at"]).date() + timedelta(days=2)
    new_start = aware(day, 12, programme.organisation)

    response = api.post(f"/meetings/{third['id']}/move", {"starts_at": new_start.isoformat(), "note": "Room booked"})

    assert response.status_code == 200, response.content
    moved = response.json()
    assert datetime.fromisoformat(moved["starts_at"]) == new_start
    assert moved["calendar"] == {"uid": third["calendar"]["uid"], "sequence": 1}
    assert moved["moved"]["reason"] == "by_hand"
    assert moved["moved"]["text"] == "Moved by the coordinator. Room booked"
    updates = Notification.objects.filter(kind=messages.KIND_UPDATE, subject=f"meetings.meeting:{third['id']}")
    assert updates.count() == 4


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ("naive", "Give the time with its offset from UTC"),
        ("past", "cannot be moved into the past"),
        ("holiday", "is a public holiday"),
        ("other", "Meeting 4 of the group is already on"),
    ],
)
def test_a_move_the_rules_refuse_changes_nothing(
    api: ApiClient, programme: Programme, group: Group, when: str, message: str
) -> None:
    meetings = generate(api, group)["meetings"]
    organisation = programme.organisation
    fourth = datetime.fromisoformat(meetings[3]["starts_at"])
    start = {
        "naive": "2031-03-03T09:00:00",
        "past": aware(timezone.localdate() - timedelta(days=1), 9, organisation).isoformat(),
        "holiday": aware(date(group.start_date.year + 1, 1, 6), 9, organisation).isoformat(),  # Epiphany
        "other": (fourth + timedelta(hours=3)).isoformat(),
    }[when]

    response = api.post(f"/meetings/{meetings[2]['id']}/move", {"starts_at": start})

    assert response.status_code == 422
    assert message in " ".join(response.json()["errors"]["starts_at"])
    assert Meeting.objects.get(pk=meetings[2]["id"]).calendar_sequence == 0
    assert not Notification.objects.filter(kind=messages.KIND_UPDATE).exists()


def test_cancelling_sends_a_cancellation_and_a_held_meeting_cannot_be(api: ApiClient, held_group: Group) -> None:
    first, second, _third = held_group.meetings.order_by("number")

    response = api.post(f"/meetings/{second.pk}/cancel", {"reason": "The facilitator is ill"})
    api.post(f"/meetings/{first.pk}/held")
    refused = api.post(f"/meetings/{first.pk}/cancel", {})

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["calendar"]["sequence"]) == ("cancelled", 1)
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"__all__": ["A meeting that has been held cannot be cancelled."]}
    entry = AuditEntry.objects.get(action="meetings.meeting.cancelled")
    assert entry.data["reason"] == "The facilitator is ill"


def test_adding_a_meeting_numbers_it_in_time_order(api: ApiClient, programme: Programme, group: Group) -> None:
    meetings = generate(api, group)["meetings"]
    between = datetime.fromisoformat(meetings[0]["starts_at"]) + timedelta(days=8)
    theme = programme.themes.order_by("order").last()
    assert theme is not None

    response = api.post(
        f"/groups/{group.pk}/meetings",
        {"starts_at": between.isoformat(), "theme": theme.pk, "length_minutes": 90},
    )

    assert response.status_code == 201, response.content
    added = response.json()
    assert (added["number"], added["length_minutes"], added["theme"]["id"]) == (2, 90, theme.pk)
    assert sum(s["minutes"] for s in added["agenda"]) == 90
    schedule = api.get(f"/programmes/{programme.pk}/schedule").json()["groups"][0]["meetings"]
    assert [m["number"] for m in schedule] == [1, 2, 3, 4, 5, 6]
    unknown = api.post(f"/groups/{group.pk}/meetings", {"starts_at": between.isoformat(), "theme": 999999})
    assert unknown.json()["errors"] == {"theme": ["This programme has no theme with this id."]}


def test_changing_a_meeting_changes_only_what_is_sent(api: ApiClient, programme: Programme, group: Group) -> None:
    meeting = generate(api, group)["meetings"][1]
    theme = programme.themes.order_by("order").last()
    assert theme is not None
    body = {
        "theme": theme.pk,
        "agenda": [
            {"kind": "welcome", "minutes": 10},
            {"kind": "writing", "minutes": 50, "note": "Price list"},
            {"kind": "group", "minutes": 60},
        ],
        "expert_speaker": "Maija Myynti",
        "expert_title": "Pricing your work",
        "video_link": "https://zoom.us/j/123456789",
    }

    response = api.patch(f"/meetings/{meeting['id']}", body)

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["theme"]["id"] == theme.pk
    assert [(s["kind"], s["minutes"], s["starts_after"]) for s in data["agenda"]] == [
        ("welcome", 10, 0),
        ("writing", 50, 10),
        ("group", 60, 60),
    ]
    assert data["agenda"][1]["title"] == "Writing task: Price list"
    assert data["agenda_warnings"] == ["The meeting is longer than 60 minutes and has no break."]
    assert data["device"] == "computer"
    assert (data["expert_speaker"], data["expert_title"]) == ("Maija Myynti", "Pricing your work")
    assert (data["video_link"], data["video_link_own"]) == ("https://zoom.us/j/123456789", True)
    assert data["calendar"]["sequence"] == 1  # the new link went to everyone's calendar

    only_title = api.patch(f"/meetings/{meeting['id']}", {"expert_title": ""}).json()
    assert (only_title["expert_speaker"], only_title["expert_title"]) == ("Maija Myynti", "")
    assert only_title["theme"]["id"] == theme.pk


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"agenda": [{"kind": "welcome", "minutes": 0}]}, "agenda.0.minutes", "greater than or equal to 1"),
        ({"agenda": []}, "agenda", ""),
        ({"agenda": [{"kind": "karaoke", "minutes": 5}]}, "agenda.0.kind", "Select a valid choice"),
        ({"video_link": "http://zoom.us/j/1"}, "video_link", "starting with https://"),
        ({"recording_url": "javascript:alert(1)"}, "recording_url", "starting with https://"),
        ({"theme": 999999}, "theme", "no theme with this id"),
        ({"template": 999999}, "template", "no session template with this id"),
        ({"template": None}, "template", "Give the id of a session template."),
        ({"expert_title": "x" * 201}, "expert_title", "at most 200 characters"),
        ({"colour": "red"}, "colour", "not known"),
    ],
)
def test_a_bad_change_is_refused_by_field_and_nothing_changes(
    api: ApiClient, group: Group, body: dict[str, Any], field: str, message: str
) -> None:
    meeting = generate(api, group)["meetings"][1]

    response = api.patch(f"/meetings/{meeting['id']}", {"expert_title": "Kept out", **body})

    assert response.status_code == 422, response.content
    assert message in " ".join(response.json()["errors"][field])
    stored = Meeting.objects.get(pk=meeting["id"])
    assert stored.expert_title == "" and stored.video_link == "" and stored.calendar_sequence == 0


def test_a_template_makes_the_agenda_again(api: ApiClient, programme: Programme, group: Group) -> None:
    meeting = generate(api, group)["meetings"][1]
    templates = api.get(f"/programmes/{programme.pk}/session-templates").json()
    first = next(t for t in templates if t["for_first_meeting"])

    data = api.patch(f"/meetings/{meeting['id']}", {"template": first["id"]}).json()

    assert data["template_id"] == first["id"]
    assert "ground_rules" in [s["kind"] for s in data["agenda"]]
    assert sum(s["minutes"] for s in data["agenda"]) == data["length_minutes"]


def test_a_meeting_can_have_facilitators_of_its_own(
    api: ApiClient, org: Organisation, group: Group, facilitator: User
) -> None:
    meeting = generate(api, group)["meetings"][2]
    stand_in = staff(org, Role.FACILITATOR, "sijainen@example.org", "Sari Sijainen")
    outsider = User.objects.create(email="ulkopuolinen@example.org", full_name="Ulla Ulkopuolinen")

    response = put(api, f"/meetings/{meeting['id']}/facilitators", {"lead": stand_in.pk, "co": facilitator.pk})
    refused = put(api, f"/meetings/{meeting['id']}/facilitators", {"lead": outsider.pk, "co": None})
    same = put(api, f"/meetings/{meeting['id']}/facilitators", {"lead": stand_in.pk, "co": stand_in.pk})

    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["lead_facilitator"]["id"], data["co_facilitator"]["id"]) == (stand_in.pk, facilitator.pk)
    assert data["facilitators_own"] is True
    assert Notification.objects.filter(recipient="sijainen@example.org", kind=messages.KIND_UPDATE).count() == 1
    assert refused.json()["errors"] == {"lead": [f"No facilitator with id {outsider.pk} can be chosen for this group."]}
    assert "co" in same.json()["errors"]
    # The stand-in may now keep this meeting's attendance, and only this meeting's.
    stand_in_api = client_for(stand_in)
    assert stand_in_api.get(f"/meetings/{meeting['id']}/attendance").status_code == 200
    assert stand_in_api.get(f"/meetings/{group.meetings.get(number=1).pk}/attendance").status_code == 403


def test_a_group_link_reaches_the_meetings_without_their_own(api: ApiClient, org: Organisation, group: Group) -> None:
    org.video_links = "pasted"
    org.save(update_fields=["video_links"])
    generate(api, group)

    response = put(api, f"/groups/{group.pk}/video-link", {"video_link": "https://teams.example.org/meet/abc"})

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["video_link"] == "https://teams.example.org/meet/abc"
    assert {m["video_link"] for m in data["meetings"]} == {"https://teams.example.org/meet/abc"}
    assert {m["calendar"]["sequence"] for m in data["meetings"]} == {1}
    bad = put(api, f"/groups/{group.pk}/video-link", {"video_link": "zoom.us/j/1"})
    assert bad.status_code == 422 and "video_link" in bad.json()["errors"]


# --- held, attendance and materials by the group's facilitator ----------------------------------


def test_the_facilitator_marks_held_records_attendance_and_sends_materials_to_everyone(
    facilitator_api: ApiClient, held_group: Group
) -> None:
    first, second, _third = held_group.meetings.order_by("number")
    present, absent, excused = messages.members(held_group)

    held = facilitator_api.post(f"/meetings/{first.pk}/held")
    states = [
        {"participant_id": present.pk, "state": "present"},
        {"participant_id": absent.pk, "state": "absent"},
        {"participant_id": excused.pk, "state": "excused"},
    ]
    recorded = put(facilitator_api, f"/meetings/{first.pk}/attendance", {"attendance": states})
    pdf = upload(
        facilitator_api,
        f"/meetings/{first.pk}/materials",
        {"file": SimpleUploadedFile("slides.pdf", PDF, content_type="application/pdf"), "title": "Slides"},
    )
    link = facilitator_api.post(
        f"/meetings/{first.pk}/materials", {"kind": "link", "url": "https://example.org/pricing", "title": "Reading"}
    )
    note = facilitator_api.post(f"/meetings/{first.pk}/materials", {"kind": "note", "text": "Next time: prices."})
    sent = facilitator_api.post(f"/meetings/{first.pk}/materials/send")

    assert held.status_code == 200 and held.json()["status"] == "held"
    assert recorded.status_code == 200, recorded.content
    by_person = {row["participant_id"]: row for row in recorded.json()["attendance"]}
    assert {k: v["state"] for k, v in by_person.items()} == {
        present.pk: "present",
        absent.pk: "absent",
        excused.pk: "excused",
    }
    assert by_person[excused.pk]["state_label"] == "Absent, told in advance"
    assert by_person[present.pk]["recorded_by"]["email"] == "eero.ohjaaja@example.org"
    assert pdf.status_code == 201, pdf.content
    assert (pdf.json()["kind"], pdf.json()["filename"], pdf.json()["content_type"]) == (
        "file",
        "slides.pdf",
        "application/pdf",
    )
    assert link.status_code == 201 and note.status_code == 201, (link.content, note.content)
    listed = facilitator_api.get(f"/meetings/{first.pk}/materials").json()
    assert [x["title"] for x in listed] == ["Slides", "Reading", "Notes"]
    download = facilitator_api.client.get(
        API + f"/materials/{pdf.json()['id']}/file", headers=facilitator_api._headers("en")
    )
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF
    assert sent.status_code == 200, sent.content
    assert sent.json() == {"meeting_id": first.pk, "recipients": 3, "round": 1}
    mailed = set(Notification.objects.filter(kind=messages.KIND_MATERIALS).values_list("recipient", flat=True))
    assert mailed == {p.user.email for p in (present, absent, excused)}  # the absent ones too
    early = put(facilitator_api, f"/meetings/{second.pk}/attendance", {"attendance": [states[0]]})  # not started yet
    assert early.status_code == 422
    assert (
        early.json()["detail"]
        == 'Before the meeting starts, only "told in advance" can be recorded; present and absent after it.'
    )


def test_materials_the_rules_refuse_are_not_stored(facilitator_api: ApiClient, held_group: Group) -> None:
    first = held_group.meetings.get(number=1)
    page = SimpleUploadedFile("notes.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    script = SimpleUploadedFile("run.html", b"<html></html>", content_type="text/html")

    disguised = upload(facilitator_api, f"/meetings/{first.pk}/materials", {"file": page})
    wrong_type = upload(facilitator_api, f"/meetings/{first.pk}/materials", {"file": script})
    unknown_field = upload(
        facilitator_api,
        f"/meetings/{first.pk}/materials",
        {"file": SimpleUploadedFile("a.pdf", PDF), "colour": "red"},
    )
    no_file = upload(facilitator_api, f"/meetings/{first.pk}/materials", {"title": "Nothing"})
    bad_link = facilitator_api.post(f"/meetings/{first.pk}/materials", {"kind": "link", "url": "ftp://x.org/a"})
    no_text = facilitator_api.post(f"/meetings/{first.pk}/materials", {"kind": "note"})
    bad_kind = facilitator_api.post(f"/meetings/{first.pk}/materials", {"kind": "file"})
    not_json = facilitator_api.client.post(
        API + f"/meetings/{first.pk}/materials",
        "{oops",
        content_type="application/json",
        headers=facilitator_api._headers("en"),
    )
    unsent = facilitator_api.post(f"/meetings/{first.pk}/materials/send")

    assert "is not a PDF file" in disguised.json()["errors"]["file"][0]
    assert "cannot be shared" in wrong_type.json()["errors"]["file"][0]
    assert unknown_field.json()["errors"] == {"colour": ["This field is not known here; check its name."]}
    assert no_file.json()["errors"] == {"file": ["Choose a file to upload."]}
    assert "url" in bad_link.json()["errors"]
    assert no_text.json()["errors"] == {"text": ["Write the note."]}
    assert "kind" in bad_kind.json()["errors"]
    assert not_json.status_code == 400 and not_json.json()["code"] == "bad_request"
    assert unsent.status_code == 422
    assert unsent.json()["detail"] == "Mark the meeting held before sending its materials."
    assert not Material.objects.exists()


def test_a_material_can_be_removed(facilitator_api: ApiClient, held_group: Group) -> None:
    first = held_group.meetings.get(number=1)
    made = facilitator_api.post(f"/meetings/{first.pk}/materials", {"kind": "recording", "url": "https://v.example/1"})

    response = delete(facilitator_api, f"/materials/{made.json()['id']}")

    assert response.status_code == 204
    assert not Material.objects.exists()
    assert delete(facilitator_api, f"/materials/{made.json()['id']}").status_code == 404


def test_an_attendance_list_names_each_person_once(facilitator_api: ApiClient, held_group: Group) -> None:
    first = held_group.meetings.get(number=1)
    person = messages.members(held_group)[0]
    stranger = make_participant(held_group.programme)

    listed = facilitator_api.get(f"/meetings/{first.pk}/attendance").json()
    twice = put(
        facilitator_api,
        f"/meetings/{first.pk}/attendance",
        {"attendance": [{"participant_id": person.pk, "state": "absent"}] * 2},
    )
    outsider = put(
        facilitator_api,
        f"/meetings/{first.pk}/attendance",
        {"attendance": [{"participant_id": stranger.pk, "state": "absent"}]},
    )
    bad_state = put(
        facilitator_api,
        f"/meetings/{first.pk}/attendance",
        {"attendance": [{"participant_id": person.pk, "state": "asleep"}]},
    )

    assert [row["state"] for row in listed["attendance"]] == [None, None, None]
    assert twice.json()["errors"] == {"attendance": ["Give each person once."]}
    assert outsider.json()["errors"] == {"__all__": [f"Participant {stranger.pk} is not a member of this group."]}
    assert "attendance.0.state" in bad_state.json()["errors"]
    assert not Attendance.objects.exists()


# --- who may --------------------------------------------------------------------------------


def test_coordinators_change_schedules_facilitators_only_their_meetings_and_others_find_nothing(
    api: ApiClient,
    facilitator_api: ApiClient,
    other_api: ApiClient,
    org: Organisation,
    programme: Programme,
    held_group: Group,
) -> None:
    first = held_group.meetings.get(number=1)
    material = Material.objects.create(meeting=first, kind="link", title="Link", url="https://example.org/")
    when = (timezone.now() + timedelta(days=60)).isoformat()
    coordinators_only = [
        ("get", f"/programmes/{programme.pk}/schedule", None),
        ("get", f"/programmes/{programme.pk}/session-templates", None),
        ("post", f"/groups/{held_group.pk}/schedule/preview", {}),
        ("post", f"/groups/{held_group.pk}/schedule", {}),
        ("post", f"/groups/{held_group.pk}/schedule/invite", {}),
        ("put", f"/groups/{held_group.pk}/video-link", {"video_link": ""}),
        ("patch", f"/meetings/{first.pk}", {"expert_title": "x"}),
        ("post", f"/meetings/{first.pk}/move", {"starts_at": when}),
        ("post", f"/meetings/{first.pk}/cancel", {}),
        ("post", f"/groups/{held_group.pk}/meetings", {"starts_at": when}),
        ("put", f"/meetings/{first.pk}/facilitators", {"lead": None, "co": None}),
    ]
    facilitation = [
        ("get", f"/meetings/{first.pk}", None),
        ("post", f"/meetings/{first.pk}/held", {}),
        ("get", f"/meetings/{first.pk}/attendance", None),
        ("put", f"/meetings/{first.pk}/attendance", {"attendance": [{"participant_id": 1, "state": "absent"}]}),
        ("get", f"/meetings/{first.pk}/materials", None),
        ("post", f"/meetings/{first.pk}/materials", {"kind": "note", "text": "x"}),
        ("post", f"/meetings/{first.pk}/materials/send", {}),
        ("delete", f"/materials/{material.pk}", None),
        ("get", f"/materials/{material.pk}/file", None),
    ]
    not_theirs = client_for(staff(org, Role.FACILITATOR, "toinen.ohjaaja@example.org", "Toinen Ohjaaja"))
    anonymous = ApiClient(api.client, None)

    def call(client: ApiClient, method: str, path: str, body: Any) -> Any:
        if method == "get":
            return client.get(path)
        if method == "post":
            return client.post(path, body)
        if method == "put":
            return put(client, path, body)
        if method == "patch":
            return client.patch(path, body)
        return delete(client, path)

    for method, path, body in coordinators_only:
        for client, status, code in (
            (other_api, 404, "not_found"),
            (facilitator_api, 403, "forbidden"),
            (anonymous, 401, "not_authenticated"),
        ):
            response = call(client, method, path, body)
            assert (response.status_code, response.json().get("code")) == (status, code), (
                method,
                path,
                response.content,
            )
    for method, path, body in facilitation:
        for client, status, code in (
            (other_api, 404, "not_found"),
            (not_theirs, 403, "forbidden"),
            (anonymous, 401, "not_authenticated"),
        ):
            response = call(client, method, path, body)
            assert (response.status_code, response.json().get("code")) == (status, code), (
                method,
                path,
                response.content,
            )
    held_group.refresh_from_db()
    first.refresh_from_db()
    assert first.status == MeetingStatus.PLANNED and first.expert_title == ""
    assert Material.objects.count() == 1 and held_group.schedule_set_at is None
    assert not Notification.objects.exists()


def test_a_facilitator_lent_by_a_partner_keeps_the_meetings_of_their_group(
    api: ApiClient, org: Organisation, programme: Programme
) -> None:
    from kollega.core import services as core_services

    partner = core_services.organisation_create(name="Kumppani ry")
    organisation_lend_facilitators(organisation=partner, partner_slug=org.slug, actor=None)
    lent = staff(partner, Role.FACILITATOR, "lainattu@example.org", "Lainattu Ohjaaja")
    group = make_group(
        programme, members=2, lead=lent, meetings=1, first_meeting_at=timezone.now() - timedelta(hours=1)
    )
    meeting = group.meetings.get()
    lent_api = client_for(lent)

    assert lent_api.post(f"/meetings/{meeting.pk}/held").status_code == 200
    assert lent_api.get(f"/meetings/{meeting.pk}/attendance").status_code == 200
    assert lent_api.get(f"/programmes/{programme.pk}/schedule").status_code == 404
    assert lent_api.get("/outbox").status_code == 403  # staff of the partner, coordinator of nothing


# --- the outbox -----------------------------------------------------------------------------------


def test_the_outbox_lists_and_filters_messages_and_hides_what_sensitive_ones_say(
    api: ApiClient,
    facilitator_api: ApiClient,
    other_api: ApiClient,
    org: Organisation,
    group: Group,
    other_programme: Programme,
) -> None:
    meetings = generate(api, group)["meetings"]
    code = notification_queue(
        kind="accounts.login_code",
        recipient="aino.koordinaattori@example.org",
        context={"code": "123456"},
        organisation=org,
    )
    code.rendered_subject = "Your sign-in code 123456"
    code.status = NotificationStatus.SENT
    code.save()
    make_group(other_programme, members=1)

    everything = api.get("/outbox", {"limit": 500}).json()
    invitations = api.get("/outbox", {"kind": messages.KIND_INVITATION}).json()
    about_second = api.get("/outbox", {"meeting": meetings[1]["id"]}).json()
    about_group = api.get("/outbox", {"group": group.pk, "limit": 2, "offset": 1}).json()
    sent = api.get("/outbox", {"status": "sent"}).json()
    bad = api.get("/outbox", {"status": "lost", "limit": 0})

    assert everything["count"] == Notification.objects.filter(organisation=org).count()
    assert invitations["count"] == 4
    assert all(row["group_id"] == group.pk and row["meeting_id"] is None for row in invitations["items"])
    assert about_second["count"] == 5  # four reminders and a nudge
    assert {row["meeting_id"] for row in about_second["items"]} == {meetings[1]["id"]}
    assert {row["kind"] for row in about_second["items"]} == {messages.KIND_REMINDER, messages.KIND_NUDGE}
    assert about_group["count"] == everything["count"] - 1 and len(about_group["items"]) == 2
    assert about_group["offset"] == 1
    assert [row["id"] for row in sent["items"]] == [code.pk]
    assert sent["items"][0]["sensitive"] is True and sent["items"][0]["subject_line"] == ""
    assert "123456" not in json.dumps(everything)
    assert bad.status_code == 422 and {"status", "limit"} <= set(bad.json()["errors"])
    assert other_api.get("/outbox").json()["count"] == 0
    with CaptureQueriesContext(connection) as one_row:
        api.get("/outbox", {"limit": 1})
    with CaptureQueriesContext(connection) as all_rows:
        api.get("/outbox", {"limit": 500})
    assert len(all_rows) == len(one_row)
    assert facilitator_api.get("/outbox").json()["code"] == "forbidden"
    assert ApiClient(api.client, None).get("/outbox").status_code == 401


def test_the_openapi_document_describes_meetings(api: ApiClient) -> None:
    paths = api.client.get(API + "/openapi.json").json()["paths"]

    assert set(paths[API + "/programmes/{programme_id}/schedule"]) == {"get"}
    assert set(paths[API + "/groups/{group_id}/schedule"]) == {"post"}
    assert set(paths[API + "/groups/{group_id}/schedule/preview"]) == {"post"}
    assert set(paths[API + "/groups/{group_id}/meetings"]) == {"post"}
    assert set(paths[API + "/meetings/{meeting_id}"]) == {"get", "patch"}
    assert set(paths[API + "/meetings/{meeting_id}/attendance"]) == {"get", "put"}
    materials = paths[API + "/meetings/{meeting_id}/materials"]
    assert set(materials) == {"get", "post"}
    assert set(materials["post"]["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert set(paths[API + "/materials/{material_id}"]) == {"delete"}
    assert set(paths[API + "/outbox"]) == {"get"}

"""Interview slots, bookings, invitations, the interview record, accept and decline through the API."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kollega.accounts.models import User
from kollega.core.models import AuditEntry, ConsentItem, Organisation, Participant, Programme, Status
from kollega.core.selectors import consents_current
from kollega.core.services import participant_change_status
from kollega.interviews import services
from kollega.interviews.models import InterviewBooking, InterviewRecord, InterviewSlot
from kollega.notifications.models import Notification
from tests.factories import make_participant

from .conftest import API, ApiClient, client_for

HELSINKI_OFFSETS = ("+02:00", "+03:00")


def put(api: ApiClient, path: str, body: Any, *, language: str = "en") -> Any:
    return api.client.put(API + path, json.dumps(body), content_type="application/json", headers=api._headers(language))


def raw_post(api: ApiClient, path: str, raw: bytes, method: str = "post") -> Any:
    send = getattr(api.client, method)
    return send(API + path, raw, content_type="application/json", headers=api._headers("en"))


def at(days: int, hour: int = 9, minute: int = 0, *, organisation: Organisation) -> datetime:
    """``days`` from today at ``hour:minute`` in the organisation's time zone."""
    day = timezone.localtime(timezone.now(), organisation.tz).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=organisation.tz)


def slot(programme: Programme, interviewer: User, days: int = 3, hour: int = 9, minutes: int = 30) -> InterviewSlot:
    starts_at = at(days, hour, organisation=programme.organisation)
    return services.slot_create(
        programme=programme,
        interviewer=interviewer,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        actor=None,
    )


def past_booking(participant: Participant, interviewer: User) -> InterviewBooking:
    """A booking whose interview began an hour ago (slots cannot be made in the past, so written directly)."""
    starts_at = timezone.now() - timedelta(hours=1)
    past = InterviewSlot.objects.create(
        programme=participant.programme,
        interviewer=interviewer,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=30),
    )
    booking = InterviewBooking.objects.create(
        slot=past, participant=participant, video_link="https://meet.example.org/r1", calendar_uid="past-1@example.org"
    )
    participant_change_status(participant=participant, to_status=Status.INTERVIEW_BOOKED, actor=None)
    return booking


def next_year_day(month: int, day: int) -> date:
    return date(timezone.now().year + 1, month, day)


# --- slots ---------------------------------------------------------------------------------


def test_list_slots_in_utc_with_the_time_zone(api: ApiClient, programme: Programme, coordinator: User) -> None:
    free = slot(programme, coordinator, days=3, hour=9)
    taken = slot(programme, coordinator, days=4, hour=13)
    person = make_participant(programme, Status.REGISTERED, full_name="Maija Mehiläinen")
    services.booking_create(slot=taken, participant=person)

    response = api.get(f"/programmes/{programme.pk}/interview-slots")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 2
    first, second = body["items"]
    assert first["id"] == free.pk
    assert first["state"] == "free"
    assert first["booking"] is None
    assert first["starts_at"].endswith("Z")
    assert datetime.fromisoformat(first["starts_at"]) == free.starts_at
    assert first["time_zone"] == "Europe/Helsinki"
    assert "09:00–09:30" in first["label"]
    assert first["interviewer"]["email"] == "aino.koordinaattori@example.org"
    assert second["state"] == "booked"
    assert second["booking"]["name"] == "Maija Mehiläinen"
    assert second["booking"]["participant_id"] == person.pk


def test_filter_slots_by_time_and_state(api: ApiClient, programme: Programme, coordinator: User) -> None:
    early = slot(programme, coordinator, days=2)
    late = slot(programme, coordinator, days=10)
    gone = slot(programme, coordinator, days=5)
    services.slot_cancel(slot=gone, actor=None)
    services.booking_create(slot=late, participant=make_participant(programme))
    path = f"/programmes/{programme.pk}/interview-slots"
    middle = at(6, organisation=programme.organisation).isoformat()

    def ids(params: dict[str, Any]) -> list[int]:
        return [item["id"] for item in api.get(path, params).json()["items"]]

    assert ids({}) == [early.pk, late.pk]
    assert ids({"from": middle}) == [late.pk]
    assert ids({"to": middle}) == [early.pk]
    assert ids({"state": "free"}) == [early.pk]
    assert ids({"state": "booked"}) == [late.pk]
    assert ids({"state": "cancelled"}) == [gone.pk]
    refused = api.get(path, {"from": "2026-03-02T09:00"})
    assert refused.status_code == 422
    assert "from" in refused.json()["errors"]
    assert api.get(path, {"state": "taken"}).status_code == 422


def test_slot_list_takes_the_same_queries_however_many(api: ApiClient, programme: Programme, coordinator: User) -> None:
    for day in range(1, 4):
        services.booking_create(slot=slot(programme, coordinator, days=day), participant=make_participant(programme))
    path = f"/programmes/{programme.pk}/interview-slots"
    api.get(path)  # the token's "last used" is written on the first call only
    with CaptureQueriesContext(connection) as few:
        api.get(path)
    for day in range(4, 16):
        made = slot(programme, coordinator, days=day)
        if day % 2:
            services.booking_create(slot=made, participant=make_participant(programme))
    with CaptureQueriesContext(connection) as many:
        assert api.get(path).json()["count"] == 15
    assert len(many.captured_queries) == len(few.captured_queries)


def test_add_a_slot_in_winter_and_in_summer_time(api: ApiClient, programme: Programme) -> None:
    path = f"/programmes/{programme.pk}/interview-slots"
    winter = api.post(path, {"starts_at": f"{next_year_day(1, 15)}T09:00:00+02:00"})
    summer = api.post(path, {"starts_at": f"{next_year_day(7, 15)}T09:00:00+03:00", "length_minutes": 45})

    assert winter.status_code == 201, winter.content
    assert winter.json()["starts_at"] == f"{next_year_day(1, 15)}T07:00:00Z"
    assert winter.json()["ends_at"] == f"{next_year_day(1, 15)}T07:30:00Z"
    assert summer.json()["starts_at"] == f"{next_year_day(7, 15)}T06:00:00Z"
    assert "09:00–09:45" in summer.json()["label"]
    assert summer.json()["interviewer"]["email"] == "aino.koordinaattori@example.org"
    assert (
        AuditEntry.objects.filter(
            action="interviews.slot.created", actor__email="aino.koordinaattori@example.org"
        ).count()
        == 2
    )


def test_add_a_slot_for_a_facilitator_with_a_pasted_link(
    api: ApiClient, programme: Programme, facilitator: User
) -> None:
    response = api.post(
        f"/programmes/{programme.pk}/interview-slots",
        {
            "starts_at": at(3, 10, organisation=programme.organisation).isoformat(),
            "ends_at": at(3, 10, 40, organisation=programme.organisation).isoformat(),
            "interviewer": facilitator.pk,
            "video_link": "https://zoom.example.org/j/123",
        },
    )

    assert response.status_code == 201, response.content
    assert response.json()["interviewer"]["id"] == facilitator.pk
    assert response.json()["video_link"] == "https://zoom.example.org/j/123"


def test_a_refused_slot_says_why_next_to_the_field(
    api: ApiClient, programme: Programme, coordinator: User, other_coordinator: User
) -> None:
    path = f"/programmes/{programme.pk}/interview-slots"
    organisation = programme.organisation
    taken = slot(programme, coordinator, days=3, hour=9)

    past = api.post(path, {"starts_at": (timezone.now() - timedelta(hours=2)).isoformat()})
    overlap = api.post(path, {"starts_at": (taken.starts_at + timedelta(minutes=15)).isoformat()})
    stranger = api.post(
        path, {"starts_at": at(5, organisation=organisation).isoformat(), "interviewer": other_coordinator.pk}
    )
    nobody = api.post(path, {"starts_at": at(5, organisation=organisation).isoformat(), "interviewer": 99999})
    both = api.post(
        path,
        {
            "starts_at": at(5, organisation=organisation).isoformat(),
            "ends_at": at(5, 10, organisation=organisation).isoformat(),
            "length_minutes": 30,
        },
    )
    naive = api.post(path, {"starts_at": "2030-01-15T09:00:00"})
    far = api.post(path, {"starts_at": "9999-12-31T23:59:00+00:00"})
    link = api.post(path, {"starts_at": at(5, organisation=organisation).isoformat(), "video_link": "zoom\x00"})

    assert past.status_code == 422
    assert past.json()["errors"] == {"starts_at": ["This time has already passed."]}
    assert overlap.json()["errors"]["starts_at"][0].startswith("The interviewer already has a slot at")
    message = ["The interviewer must be a staff member of the organisation."]
    assert stranger.json()["errors"] == {"interviewer": message}
    assert nobody.json()["errors"] == {"interviewer": message}
    assert both.json()["errors"] == {"length_minutes": ["Give either the end or the length, not both."]}
    assert naive.status_code == 422 and "starts_at" in naive.json()["errors"]
    assert far.json()["errors"] == {"starts_at": ["Give a date between the years 2000 and 2999."]}
    assert link.json()["errors"] == {"video_link": ["The text contains characters that cannot be stored."]}
    assert InterviewSlot.objects.count() == 1


def test_add_slots_by_a_weekly_pattern_across_the_change_to_summer_time(api: ApiClient, programme: Programme) -> None:
    year = timezone.now().year + 1
    # The clocks go forward on the last Sunday of March.
    change = max(date(year, 3, d) for d in range(25, 32) if date(year, 3, d).weekday() == 6)
    response = api.post(
        f"/programmes/{programme.pk}/interview-slots/recurring",
        {
            "first_date": str(change - timedelta(days=6)),
            "last_date": str(change + timedelta(days=1)),
            "weekdays": ["mon"],
            "day_start": "09:00",
            "day_end": "10:30",
            "length_minutes": 30,
            "buffer_minutes": 10,
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["count"] == 4
    starts = [item["starts_at"] for item in body["items"]]
    before, after = change - timedelta(days=6), change + timedelta(days=1)
    assert starts == [f"{before}T07:00:00Z", f"{before}T07:40:00Z", f"{after}T06:00:00Z", f"{after}T06:40:00Z"]
    assert all(item["state"] == "free" for item in body["items"])
    assert "09:00–09:30" in body["items"][2]["label"]


def test_a_refused_pattern_adds_nothing(api: ApiClient, programme: Programme) -> None:
    path = f"/programmes/{programme.pk}/interview-slots/recurring"
    first = next_year_day(2, 2)
    base = {"first_date": str(first), "last_date": str(first + timedelta(days=13)), "weekdays": ["tue"]}

    backwards = api.post(
        path, {**base, "last_date": str(first - timedelta(days=1)), "day_start": "09:00", "day_end": "12:00"}
    )
    offset = api.post(path, {**base, "day_start": "09:00+02:00", "day_end": "12:00"})
    weekday = api.post(path, {**base, "weekdays": ["someday"], "day_start": "09:00", "day_end": "12:00"})
    nothing = api.post(
        path,
        {
            **base,
            "weekdays": ["sat"],
            "first_date": str(first),
            "last_date": str(first),
            "day_start": "09:00",
            "day_end": "12:00",
        },
    )
    far = api.post(
        path, {**base, "first_date": "9999-12-30", "last_date": "9999-12-31", "day_start": "09:00", "day_end": "12:00"}
    )

    assert backwards.status_code == 422
    assert backwards.json()["errors"] == {"last_date": ["The last day must be on or after the first day."]}
    assert offset.json()["errors"]["day_start"] == [
        "Give the time of day without an offset, such as 09:00: it is read in the organisation's time zone."
    ]
    assert "weekdays.0" in weekday.json()["errors"]
    assert nothing.status_code == 422
    assert nothing.json()["errors"]["__all__"][0].startswith("The pattern gives no future times")
    assert far.status_code == 422
    assert InterviewSlot.objects.count() == 0


def test_cancel_a_booked_slot(api: ApiClient, programme: Programme, coordinator: User) -> None:
    booked = slot(programme, coordinator)
    person = make_participant(programme)
    services.booking_create(slot=booked, participant=person)

    response = api.post(f"/interview-slots/{booked.pk}/cancel", {"reason": "I am ill."})

    assert response.status_code == 200, response.content
    assert response.json()["state"] == "cancelled"
    assert response.json()["cancelled_at"].endswith("Z")
    person.refresh_from_db()
    assert person.status == Status.REGISTERED
    assert Notification.objects.filter(kind="interviews.cancelled", recipient=person.user.email).exists()
    again = api.post(f"/interview-slots/{booked.pk}/cancel", {})
    assert again.status_code == 409
    assert again.json()["code"] == "cancelled"


# --- bookings -------------------------------------------------------------------------------------


def test_book_a_slot_for_an_applicant(api: ApiClient, programme: Programme, coordinator: User) -> None:
    free = slot(programme, coordinator)
    person = make_participant(programme, full_name="Olli Oravanen")

    response = api.post(
        f"/programmes/{programme.pk}/interview-bookings", {"participant_id": person.pk, "slot_id": free.pk}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "active"
    assert body["slot"]["id"] == free.pk
    assert body["slot"]["starts_at"].endswith("Z")
    assert body["participant"]["name"] == "Olli Oravanen"
    assert body["participant"]["status"] == "interview_booked"
    assert body["video_link"].startswith("https://")
    assert body["time_zone"] == "Europe/Helsinki"
    person.refresh_from_db()
    assert person.status == Status.INTERVIEW_BOOKED
    assert Notification.objects.filter(kind="interviews.booked", recipient=person.user.email).exists()
    assert AuditEntry.objects.filter(action="interviews.booking.created", actor=coordinator).exists()


def test_booking_a_taken_slot_lists_the_free_ones(api: ApiClient, programme: Programme, coordinator: User) -> None:
    taken = slot(programme, coordinator, days=3)
    free = slot(programme, coordinator, days=4)
    services.booking_create(slot=taken, participant=make_participant(programme))
    late = make_participant(programme)

    response = api.post(
        f"/programmes/{programme.pk}/interview-bookings", {"participant_id": late.pk, "slot_id": taken.pk}
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "taken"
    assert body["detail"].startswith("Someone else booked that time a moment ago.")
    assert body["errors"] == {"__all__": [body["detail"]]}
    assert [s["id"] for s in body["free_slots"]] == [free.pk]
    assert body["free_slots"][0]["state"] == "free"
    late.refresh_from_db()
    assert late.status == Status.REGISTERED


def test_only_a_registered_applicant_without_a_booking_can_book(
    api: ApiClient, programme: Programme, coordinator: User
) -> None:
    free = slot(programme, coordinator)
    waiting = make_participant(programme, Status.WAITING_LIST)
    path = f"/programmes/{programme.pk}/interview-bookings"

    response = api.post(path, {"participant_id": waiting.pk, "slot_id": free.pk})

    assert response.status_code == 409
    assert response.json()["code"] == "cannot_book"
    assert response.json()["detail"] == (
        "The person is on the waiting list: they can book an interview when a place is theirs."
    )
    assert not InterviewBooking.objects.exists()


def test_booking_names_only_this_programmes_people_and_slots(
    api: ApiClient, programme: Programme, other_programme: Programme, coordinator: User
) -> None:
    free = slot(programme, coordinator)
    stranger = make_participant(other_programme)
    path = f"/programmes/{programme.pk}/interview-bookings"

    response = api.post(path, {"participant_id": stranger.pk, "slot_id": free.pk + 1000})

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "participant_id": ["This programme has no participant with this id."],
        "slot_id": ["This programme has no interview slot with this id."],
    }
    assert api.post(path, {"participant_id": 0, "slot_id": "x"}).status_code == 422
    assert api.post(path, {"participant_id": 10**30, "slot_id": 1}).status_code == 422


def test_move_a_booking(api: ApiClient, programme: Programme, coordinator: User, facilitator: User) -> None:
    first = slot(programme, coordinator, days=3)
    second = slot(programme, facilitator, days=4)
    taken = slot(programme, coordinator, days=5)
    booking = services.booking_create(slot=first, participant=make_participant(programme))
    services.booking_create(slot=taken, participant=make_participant(programme))

    moved = api.post(f"/interview-bookings/{booking.pk}/move", {"slot_id": second.pk})
    same = api.post(f"/interview-bookings/{booking.pk}/move", {"slot_id": second.pk})
    clash = api.post(f"/interview-bookings/{booking.pk}/move", {"slot_id": taken.pk})

    assert moved.status_code == 200, moved.content
    assert moved.json()["slot"]["id"] == second.pk
    assert moved.json()["slot"]["interviewer"]["id"] == facilitator.pk
    assert same.status_code == 409
    assert same.json() == {
        "detail": "The booking is already at this time.",
        "code": "same_slot",
        "errors": {"__all__": ["The booking is already at this time."]},
    }
    assert clash.status_code == 409
    assert clash.json()["code"] == "taken"
    assert [s["id"] for s in clash.json()["free_slots"]] == [first.pk]
    booking.refresh_from_db()
    assert booking.slot_id == second.pk


def test_cancel_a_booking(api: ApiClient, programme: Programme, coordinator: User) -> None:
    booking = services.booking_create(slot=slot(programme, coordinator), participant=make_participant(programme))

    response = api.post(f"/interview-bookings/{booking.pk}/cancel", {"reason": "The applicant phoned."})

    assert response.status_code == 200, response.content
    assert response.json()["state"] == "cancelled"
    assert response.json()["cancel_reason"] == "The applicant phoned."
    assert response.json()["participant"]["status"] == "registered"
    again = api.post(f"/interview-bookings/{booking.pk}/cancel", {})
    assert again.status_code == 409
    assert again.json()["code"] == "inactive"


def test_record_a_no_show(api: ApiClient, programme: Programme, coordinator: User) -> None:
    person = make_participant(programme)
    booking = past_booking(person, coordinator)
    upcoming = services.booking_create(slot=slot(programme, coordinator), participant=make_participant(programme))

    early = api.post(f"/interview-bookings/{upcoming.pk}/no-show", {})
    response = api.post(f"/interview-bookings/{booking.pk}/no-show", {"reason": "Did not answer the phone."})

    assert early.status_code == 409
    assert early.json()["code"] == "not_started"
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "no_show"
    assert response.json()["participant"]["status"] == "registered"
    assert Notification.objects.filter(kind="interviews.no_show", recipient=person.user.email).exists()
    assert api.post(f"/interview-bookings/{booking.pk}/no-show", {}).json()["code"] == "inactive"


def test_list_bookings_by_state(api: ApiClient, programme: Programme, coordinator: User) -> None:
    held = services.booking_create(slot=slot(programme, coordinator, days=3), participant=make_participant(programme))
    gone = services.booking_create(slot=slot(programme, coordinator, days=4), participant=make_participant(programme))
    services.booking_cancel(booking=gone, actor=None)
    path = f"/programmes/{programme.pk}/interview-bookings"

    everything = api.get(path).json()
    active = api.get(path, {"state": "active"}).json()
    cancelled = api.get(path, {"state": "cancelled"}).json()

    assert everything["count"] == 2
    assert [b["id"] for b in active["items"]] == [held.pk]
    assert [b["id"] for b in cancelled["items"]] == [gone.pk]
    assert cancelled["items"][0]["cancelled_at"].endswith("Z")
    assert api.get(f"/interview-bookings/{held.pk}").json()["label"]


def test_booking_list_takes_the_same_queries_however_many(
    api: ApiClient, programme: Programme, coordinator: User
) -> None:
    for day in range(1, 3):
        services.booking_create(slot=slot(programme, coordinator, days=day), participant=make_participant(programme))
    path = f"/programmes/{programme.pk}/interview-bookings"
    api.get(path)
    with CaptureQueriesContext(connection) as few:
        api.get(path)
    for day in range(3, 13):
        services.booking_create(slot=slot(programme, coordinator, days=day), participant=make_participant(programme))
    with CaptureQueriesContext(connection) as many:
        assert api.get(path).json()["count"] == 12
    assert len(many.captured_queries) == len(few.captured_queries)


def test_invite_applicants_to_book(api: ApiClient, programme: Programme, coordinator: User) -> None:
    one, two = make_participant(programme), make_participant(programme)
    booked = make_participant(programme)
    services.booking_create(slot=slot(programme, coordinator), participant=booked)
    waiting = make_participant(programme, Status.WAITING_LIST)
    path = f"/programmes/{programme.pk}/interview-invitations"

    first = api.post(path, {})
    again = api.post(path, {})
    named = api.post(path, {"participant_ids": [one.pk, booked.pk, waiting.pk]})

    assert first.status_code == 200, first.content
    assert first.json() == {
        "sent": 2,
        "already_invited_today": 0,
        "not_eligible": [],
        "detail": "An invitation to book an interview was sent to 2 applicants.",
    }
    assert {n.recipient for n in Notification.objects.filter(kind="interviews.invitation")} == {
        one.user.email,
        two.user.email,
    }
    assert again.json()["sent"] == 0
    assert again.json()["already_invited_today"] == 2
    assert again.json()["detail"] == "Nobody new to invite: everyone without an interview was already invited today."
    assert named.json()["not_eligible"] == sorted([booked.pk, waiting.pk])
    assert named.json()["already_invited_today"] == 1


def test_invitations_name_only_this_programmes_people(
    api: ApiClient, programme: Programme, other_programme: Programme
) -> None:
    stranger = make_participant(other_programme)

    response = api.post(f"/programmes/{programme.pk}/interview-invitations", {"participant_ids": [stranger.pk]})

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "participant_ids": [f"This programme has no participants with these ids: {stranger.pk}."]
    }
    assert not Notification.objects.filter(kind="interviews.invitation").exists()


# --- the interview record --------------------------------------------------------------------------


def record_body(programme: Programme, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "platform_audio": True,
        "platform_video": True,
        "platform_screen": False,
        "committed": True,
        "agreed_time_slots": [programme.time_slots.order_by("position").first().key],  # type: ignore[union-attr]
        "consents": {"share_name": True, "share_company": True, "share_email": False, "wellbeing_questionnaire": True},
        "expectations": "To meet others who work alone.",
        "goal_business": "Raise my prices by spring.",
        "goal_wellbeing": "Take one day off every week.",
        "staff_notes": "Nervous about video; test again.",
    }
    body.update(overrides)
    return body


def test_read_before_and_write_the_interview_record(
    api: ApiClient, programme: Programme, coordinator: User, facilitator: User
) -> None:
    person = make_participant(programme)
    services.booking_create(slot=slot(programme, facilitator), participant=person)
    path = f"/participants/{person.pk}/interview-record"

    before = api.get(path)
    written = put(api, path, record_body(programme))

    assert before.status_code == 200, before.content
    assert before.json()["record"] is None
    assert before.json()["booking"]["slot"]["interviewer"]["id"] == facilitator.pk
    assert before.json()["can_record"] is True
    assert before.json()["can_accept"] is False
    assert before.json()["meeting_count"] == programme.meeting_count
    assert written.status_code == 200, written.content
    body = written.json()
    assert body["status"] == "interviewed"
    assert body["record"]["interviewer"]["id"] == facilitator.pk  # the booked slot's interviewer
    assert body["record"]["agreed_time_slots"] == [programme.time_slots.order_by("position").first().key]  # type: ignore[union-attr]
    assert body["record"]["goal_business"] == "Raise my prices by spring."
    assert body["record"]["staff_notes"] == "Nervous about video; test again."
    assert body["consents"] == {
        "share_name": True,
        "share_company": True,
        "share_email": False,
        "wellbeing_questionnaire": True,
    }
    assert body["can_accept"] is True
    current = consents_current(participant=person)
    assert current[ConsentItem.SHARE_EMAIL].given is False
    assert current[ConsentItem.SHARE_EMAIL].source == "interview"


def test_an_update_changes_only_what_it_names(api: ApiClient, programme: Programme, coordinator: User) -> None:
    person = make_participant(programme)
    path = f"/participants/{person.pk}/interview-record"
    put(api, path, record_body(programme))

    response = put(api, path, {"goal_wellbeing": "Sleep more.", "consents": {"share_email": True}})

    assert response.status_code == 200, response.content
    record = response.json()["record"]
    assert record["goal_wellbeing"] == "Sleep more."
    assert record["goal_business"] == "Raise my prices by spring."
    assert record["interviewer"]["id"] == coordinator.pk
    assert response.json()["consents"]["share_email"] is True
    assert InterviewRecord.objects.count() == 1


def test_a_refused_record_names_the_field_and_writes_nothing(api: ApiClient, programme: Programme) -> None:
    person = make_participant(programme)
    path = f"/participants/{person.pk}/interview-record"

    no_slots = put(api, path, record_body(programme, agreed_time_slots=[]))
    unknown_slot = put(api, path, record_body(programme, agreed_time_slots=["midnight"]))
    consent = put(api, path, record_body(programme, consents={"share_name": "maybe"}))
    stray = put(api, path, record_body(programme, consents={"privacy_notice": True}))
    nul = put(api, path, record_body(programme, goal_business="Grow\x00"))
    long = put(api, path, record_body(programme, staff_notes="x" * 5001))
    unknown_field = put(api, path, record_body(programme, mood="good"))

    assert no_slots.status_code == 422
    assert no_slots.json()["errors"] == {"agreed_time_slots": ["Choose at least one time slot the person agreed to."]}
    assert unknown_slot.json()["errors"] == {
        "agreed_time_slots": ["Choose the agreed time slots from this programme's time slots."]
    }
    assert "consents.share_name" in consent.json()["errors"]
    assert stray.json()["errors"] == {"consents.privacy_notice": ["This field is not known here; check its name."]}
    assert nul.json()["errors"] == {"goal_business": ["The text contains characters that cannot be stored."]}
    assert long.json()["errors"]["staff_notes"] == ["Write at most 5000 characters (now 5001)."]
    assert unknown_field.json()["errors"] == {"mood": ["This field is not known here; check its name."]}
    assert not InterviewRecord.objects.exists()
    person.refresh_from_db()
    assert person.status == Status.REGISTERED


def test_no_record_for_someone_on_the_waiting_list(api: ApiClient, programme: Programme) -> None:
    waiting = make_participant(programme, Status.WAITING_LIST)

    response = put(api, f"/participants/{waiting.pk}/interview-record", record_body(programme))

    assert response.status_code == 409
    assert response.json()["code"] == "status"
    assert response.json()["detail"] == "The person is on the waiting list: interview them when a place is free."


def test_the_interviewer_must_be_staff(api: ApiClient, programme: Programme, other_coordinator: User) -> None:
    person = make_participant(programme)

    response = put(
        api, f"/participants/{person.pk}/interview-record", record_body(programme, interviewer=other_coordinator.pk)
    )

    assert response.status_code == 422
    assert response.json()["errors"]["interviewer"]


def test_accept_after_the_interview(api: ApiClient, programme: Programme) -> None:
    person = make_participant(programme)
    early = api.post(f"/participants/{person.pk}/accept", {})
    put(api, f"/participants/{person.pk}/interview-record", record_body(programme))

    response = api.post(f"/participants/{person.pk}/accept", {})

    assert early.status_code == 409
    assert early.json()["code"] == "not_interviewed"
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
    assert response.json()["history"][-1]["actor"]["email"] == "aino.koordinaattori@example.org"
    assert Notification.objects.filter(kind="interviews.accepted", recipient=person.user.email).exists()


def test_decline_needs_a_reason_and_sends_a_kind_email(api: ApiClient, programme: Programme, coordinator: User) -> None:
    person = make_participant(programme)
    booked = make_participant(programme)
    services.booking_create(slot=slot(programme, coordinator), participant=booked)
    path = f"/participants/{person.pk}/decline"

    missing = api.post(path, {"message": "Thank you!"})
    held = api.post(f"/participants/{booked.pk}/decline", {"reason": "Not a fit."})
    response = api.post(path, {"reason": "Runs a company of 40.", "message": "We hope to see you later."})

    assert missing.status_code == 422
    assert missing.json()["errors"] == {"reason": ["Write down why the person is declined. Only staff see it."]}
    assert held.status_code == 409
    assert held.json()["code"] == "not_allowed"
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "declined"
    assert response.json()["history"][-1]["reason"] == "Runs a company of 40."
    email = Notification.objects.get(kind="interviews.declined", recipient=person.user.email)
    assert email.context["message"] == "We hope to see you later."
    # The staff-only reason never reaches the email (its signed links may hold any digits, so look for the words).
    assert "company of 40" not in json.dumps(email.context)


# --- permissions and bad input ------------------------------------------------------------------------


@pytest.fixture
def objects(programme: Programme, coordinator: User) -> dict[str, int]:
    free = slot(programme, coordinator, days=3)
    person = make_participant(programme)
    booking = services.booking_create(slot=slot(programme, coordinator, days=4), participant=person)
    return {"programme": programme.pk, "slot": free.pk, "booking": booking.pk, "participant": person.pk}


ENDPOINTS: list[tuple[str, str, dict[str, Any]]] = [
    ("get", "/programmes/{programme}/interview-slots", {}),
    ("get", "/interview-slots/{slot}", {}),
    ("post", "/programmes/{programme}/interview-slots", {"starts_at": "2031-01-15T09:00:00+02:00"}),
    (
        "post",
        "/programmes/{programme}/interview-slots/recurring",
        {
            "first_date": "2031-01-13",
            "last_date": "2031-01-13",
            "weekdays": ["mon"],
            "day_start": "09:00",
            "day_end": "10:00",
        },
    ),
    ("post", "/interview-slots/{slot}/cancel", {}),
    ("get", "/programmes/{programme}/interview-bookings", {}),
    ("get", "/interview-bookings/{booking}", {}),
    ("post", "/programmes/{programme}/interview-bookings", {"participant_id": 1, "slot_id": 1}),
    ("post", "/interview-bookings/{booking}/move", {"slot_id": 1}),
    ("post", "/interview-bookings/{booking}/cancel", {}),
    ("post", "/interview-bookings/{booking}/no-show", {}),
    ("post", "/programmes/{programme}/interview-invitations", {}),
    ("get", "/participants/{participant}/interview-record", {}),
    ("put", "/participants/{participant}/interview-record", {"committed": True}),
    ("post", "/participants/{participant}/accept", {}),
    ("post", "/participants/{participant}/decline", {"reason": "x"}),
]


def _call(api: ApiClient, method: str, path: str, body: dict[str, Any]) -> Any:
    if method == "get":
        return api.get(path)
    if method == "put":
        return put(api, path, body)
    return api.post(path, body)


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_a_facilitator_is_forbidden_and_another_organisation_finds_nothing(
    facilitator_api: ApiClient,
    other_api: ApiClient,
    objects: dict[str, int],
    method: str,
    path: str,
    body: dict[str, Any],
) -> None:
    path = path.format(**objects)
    before = (InterviewSlot.objects.count(), InterviewBooking.objects.count(), Notification.objects.count())

    forbidden = _call(facilitator_api, method, path, body)
    hidden = _call(other_api, method, path, body)
    anonymous = _call(ApiClient(other_api.client, None), method, path, body)

    assert forbidden.status_code == 403
    assert forbidden.json()["code"] == "forbidden"
    assert hidden.status_code == 404
    assert hidden.json() == {"detail": "Not found.", "code": "not_found", "errors": {}}
    assert anonymous.status_code == 401
    after = (InterviewSlot.objects.count(), InterviewBooking.objects.count(), Notification.objects.count())
    assert after == before


@pytest.mark.parametrize(("method", "path", "body"), [e for e in ENDPOINTS if e[0] != "get"])
@pytest.mark.parametrize(
    "raw",
    [b"{broken", b"[]", b'"text"', b"null", b'{"reason": 5, "slot_id": [], "participant_ids": {}}', b"\xff\xfe\x00"],
)
def test_garbage_bodies_are_refused_clearly(
    api: ApiClient, objects: dict[str, int], method: str, path: str, body: dict[str, Any], raw: bytes
) -> None:
    response = raw_post(api, path.format(**objects), raw, method)

    assert response.status_code in {400, 422}, response.content
    assert response.json()["code"] in {"bad_request", "invalid"}
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/interview-slots/99999999999999999999999",
        "/interview-bookings/9223372036854775808",
        "/participants/99999999999999999999/interview-record",
    ],
)
def test_ids_too_large_are_not_found(api: ApiClient, path: str) -> None:
    assert api.get(path).status_code in {404, 422}


def test_the_openapi_document_describes_the_interview_resources(api: ApiClient) -> None:
    document = api.client.get(API + "/openapi.json").json()
    paths = document["paths"]

    assert set(paths[API + "/programmes/{programme_id}/interview-slots"]) == {"get", "post"}
    assert set(paths[API + "/programmes/{programme_id}/interview-bookings"]) == {"get", "post"}
    assert set(paths[API + "/participants/{participant_id}/interview-record"]) == {"get", "put"}
    assert {p["name"] for p in paths[API + "/programmes/{programme_id}/interview-slots"]["get"]["parameters"]} >= {
        "from",
        "to",
        "state",
        "limit",
        "offset",
    }
    booking = paths[API + "/programmes/{programme_id}/interview-bookings"]["post"]["responses"]
    refused = booking["409"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "free_slots" in document["components"]["schemas"][refused]["properties"]


CLICKS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_booking_one_slot_for_several_people_at_once_leaves_one_booking(
    coordinator: User, programme: Programme
) -> None:
    contested = slot(programme, coordinator, days=3)
    spare = slot(programme, coordinator, days=4)
    people = [make_participant(programme) for _ in range(CLICKS)]
    clients = [client_for(coordinator) for _ in range(CLICKS)]
    barrier = threading.Barrier(CLICKS)
    path = f"/programmes/{programme.pk}/interview-bookings"

    def book(n: int) -> tuple[int, Any]:
        try:
            barrier.wait(timeout=30)
            response = clients[n].post(path, {"participant_id": people[n].pk, "slot_id": contested.pk})
            return response.status_code, response.json()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=CLICKS) as pool:
        outcomes = list(pool.map(book, range(CLICKS)))

    assert [status for status, _ in outcomes].count(201) == 1
    refused = [body for status, body in outcomes if status == 409]
    assert len(refused) == CLICKS - 1
    assert all(body["code"] == "taken" and [s["id"] for s in body["free_slots"]] == [spare.pk] for body in refused)
    assert InterviewBooking.objects.filter(slot=contested, cancelled_at__isnull=True).count() == 1

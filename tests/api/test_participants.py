"""Participants through the API: the list with filters and paging, one person, status changes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kollega.accounts.models import User
from kollega.core import services
from kollega.core.models import AuditEntry, Organisation, Participant, ParticipantStatusChange, Programme, Status
from kollega.grouping.models import Group, GroupMembership

from .conftest import ApiClient


def register(
    programme: Programme, name: str, email: str, *, company: str = "", slots: tuple[str, ...] = ()
) -> Participant:
    return services.participant_create(
        programme=programme,
        email=email,
        full_name=name,
        company_name=company,
        time_slots=list(programme.time_slots.filter(key__in=slots)),
    )


def move(participant: Participant, *statuses: str) -> Participant:
    for status in statuses:
        services.participant_change_status(participant=participant, to_status=status, actor=None, reason="test")
    return participant


@pytest.fixture
def people(programme: Programme) -> dict[str, Participant]:
    return {
        "maija": register(programme, "Maija Mehiläinen", "maija@example.org", company="Hunaja Oy", slots=("morning",)),
        "olli": move(
            register(programme, "Olli Oravanen", "olli@example.org", company="Käpy Design", slots=("afternoon",)),
            Status.INTERVIEW_BOOKED,
        ),
        "sara": move(
            register(
                programme, "Sara Saukko", "sara@example.org", company="Virta Consulting", slots=("morning", "afternoon")
            ),
            Status.INTERVIEW_BOOKED,
            Status.INTERVIEWED,
        ),
    }


def test_list_with_total_count(api: ApiClient, programme: Programme, people: dict[str, Participant]) -> None:
    response = api.get(f"/programmes/{programme.pk}/participants")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert (body["limit"], body["offset"]) == (50, 0)
    assert [p["name"] for p in body["items"]] == ["Maija Mehiläinen", "Olli Oravanen", "Sara Saukko"]
    maija = body["items"][0]
    assert maija["email"] == "maija@example.org"
    assert maija["company"] == "Hunaja Oy"
    assert maija["status"] == "registered"
    assert maija["status_label"] == "Registered"
    assert maija["time_slots"] == ["morning"]
    assert maija["group"] is None
    assert maija["registered_at"].endswith(("+02:00", "+03:00"))


def test_filter_by_one_or_several_statuses(
    api: ApiClient, programme: Programme, people: dict[str, Participant]
) -> None:
    path = f"/programmes/{programme.pk}/participants"

    booked = api.get(path, {"status": "interview_booked"}).json()
    several = api.get(path, {"status": ["registered", "interviewed"]}).json()

    assert [p["name"] for p in booked["items"]] == ["Olli Oravanen"]
    assert booked["count"] == 1
    assert {p["name"] for p in several["items"]} == {"Maija Mehiläinen", "Sara Saukko"}


def test_unknown_status_filter_is_a_field_error(api: ApiClient, programme: Programme) -> None:
    response = api.get(f"/programmes/{programme.pk}/participants", {"status": "famous"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["status.0"]


def test_search_name_email_and_company(api: ApiClient, programme: Programme, people: dict[str, Participant]) -> None:
    path = f"/programmes/{programme.pk}/participants"

    def names(q: str) -> list[str]:
        return [p["name"] for p in api.get(path, {"q": q}).json()["items"]]

    assert names("saukko") == ["Sara Saukko"]
    assert names("olli@example") == ["Olli Oravanen"]
    assert names("hunaja") == ["Maija Mehiläinen"]
    assert names("nobody") == []


def test_filter_by_time_slot(api: ApiClient, programme: Programme, people: dict[str, Participant]) -> None:
    body = api.get(f"/programmes/{programme.pk}/participants", {"time_slot": "afternoon"}).json()
    assert [p["name"] for p in body["items"]] == ["Olli Oravanen", "Sara Saukko"]
    assert body["count"] == 2


def test_filters_combine(api: ApiClient, programme: Programme, people: dict[str, Participant]) -> None:
    body = api.get(
        f"/programmes/{programme.pk}/participants", {"time_slot": "morning", "status": "interviewed", "q": "sara"}
    ).json()
    assert [p["name"] for p in body["items"]] == ["Sara Saukko"]


def test_paging(api: ApiClient, programme: Programme, people: dict[str, Participant]) -> None:
    path = f"/programmes/{programme.pk}/participants"

    first = api.get(path, {"limit": 2}).json()
    second = api.get(path, {"limit": 2, "offset": 2}).json()
    beyond = api.get(path, {"limit": 2, "offset": 10}).json()

    assert [p["name"] for p in first["items"]] == ["Maija Mehiläinen", "Olli Oravanen"]
    assert [p["name"] for p in second["items"]] == ["Sara Saukko"]
    assert beyond["items"] == []
    assert first["count"] == second["count"] == beyond["count"] == 3
    assert api.get(path, {"limit": 0}).status_code == 422
    assert api.get(path, {"limit": 501}).status_code == 422


def test_order_by_name_descending(api: ApiClient, programme: Programme, people: dict[str, Participant]) -> None:
    body = api.get(f"/programmes/{programme.pk}/participants", {"order": "-name"}).json()
    assert [p["name"] for p in body["items"]] == ["Sara Saukko", "Olli Oravanen", "Maija Mehiläinen"]


def test_read_one_with_history(api: ApiClient, programme: Programme, people: dict[str, Participant]) -> None:
    sara = people["sara"]

    response = api.get(f"/participants/{sara.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Sara Saukko"
    assert body["status"] == "interviewed"
    assert [(h["from_status"], h["to_status"]) for h in body["history"]] == [
        ("", "registered"),
        ("registered", "interview_booked"),
        ("interview_booked", "interviewed"),
    ]
    assert body["history"][0]["event"] == "registered"
    assert set(body["allowed_statuses"]) == {"accepted", "declined", "cancelled"}


def test_change_status(api: ApiClient, coordinator: User, people: dict[str, Participant]) -> None:
    sara = people["sara"]

    response = api.post(f"/participants/{sara.pk}/status", {"to_status": "accepted", "reason": "Good fit"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "accepted"
    last = body["history"][-1]
    assert (last["from_status"], last["to_status"], last["reason"]) == ("interviewed", "accepted", "Good fit")
    assert last["actor"]["email"] == coordinator.email
    sara.refresh_from_db()
    assert sara.status == Status.ACCEPTED
    assert AuditEntry.objects.filter(action="core.participant.status_changed", actor=coordinator).exists()


def test_refused_move_answers_409_and_changes_nothing(api: ApiClient, people: dict[str, Participant]) -> None:
    maija = people["maija"]
    history_before = ParticipantStatusChange.objects.filter(participant=maija).count()

    response = api.post(f"/participants/{maija.pk}/status", {"to_status": "completed"})

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "not_allowed"
    assert body["detail"] == "A participant who is “Registered” cannot become “Completed”."
    maija.refresh_from_db()
    assert maija.status == Status.REGISTERED
    assert ParticipantStatusChange.objects.filter(participant=maija).count() == history_before
    assert not AuditEntry.objects.filter(
        action="core.participant.status_changed", subject=f"core.participant:{maija.pk}"
    ).exists()


def test_a_move_that_needs_a_reason_is_refused_without_one(api: ApiClient, people: dict[str, Participant]) -> None:
    maija = people["maija"]

    response = api.post(f"/participants/{maija.pk}/status", {"to_status": "cancelled", "reason": "  "})

    assert response.status_code == 409
    assert response.json()["code"] == "reason_required"
    maija.refresh_from_db()
    assert maija.status == Status.REGISTERED


def test_unknown_target_status_is_a_field_error(api: ApiClient, people: dict[str, Participant]) -> None:
    response = api.post(f"/participants/{people['maija'].pk}/status", {"to_status": "famous"})
    assert response.status_code == 422
    assert "to_status" in response.json()["errors"]


def test_interview_no_show(api: ApiClient, people: dict[str, Participant]) -> None:
    olli = people["olli"]

    response = api.post(f"/participants/{olli.pk}/interview-no-show", {})

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "registered"
    assert body["history"][-1]["event"] == "interview_no_show"
    assert body["history"][-1]["reason"] == "Did not come to the intake interview."
    olli.refresh_from_db()
    assert olli.status == Status.REGISTERED


def test_no_show_without_a_booking_is_refused(api: ApiClient, people: dict[str, Participant]) -> None:
    maija = people["maija"]
    response = api.post(f"/participants/{maija.pk}/interview-no-show", {"reason": "?"})
    assert response.status_code == 409
    assert response.json()["code"] == "not_booked"
    assert ParticipantStatusChange.objects.filter(participant=maija).count() == 1


def test_another_organisations_participants_do_not_exist_for_me(
    other_api: ApiClient, programme: Programme, people: dict[str, Participant]
) -> None:
    olli = people["olli"]
    not_found = other_api.get("/participants/999999").json()

    assert other_api.get(f"/programmes/{programme.pk}/participants").status_code == 404
    for response in (
        other_api.get(f"/participants/{olli.pk}"),
        other_api.post(f"/participants/{olli.pk}/status", {"to_status": "registered"}),
        other_api.post(f"/participants/{olli.pk}/interview-no-show", {}),
    ):
        assert response.status_code == 404
        assert response.json() == not_found
    olli.refresh_from_db()
    assert olli.status == Status.INTERVIEW_BOOKED


def test_facilitator_may_not_read_or_move_participants(
    facilitator_api: ApiClient, programme: Programme, people: dict[str, Participant]
) -> None:
    olli = people["olli"]

    assert facilitator_api.get(f"/programmes/{programme.pk}/participants").status_code == 403
    assert facilitator_api.get(f"/participants/{olli.pk}").status_code == 403
    assert facilitator_api.post(f"/participants/{olli.pk}/status", {"to_status": "registered"}).status_code == 403
    assert facilitator_api.post(f"/participants/{olli.pk}/interview-no-show", {}).status_code == 403
    olli.refresh_from_db()
    assert olli.status == Status.INTERVIEW_BOOKED


# --- the list's queries do not grow with its length ------------------------------------


def bulk_participants(programme: Programme, count: int) -> None:
    """``count`` participants written in a few statements, a third of them in a group."""
    stamp = timezone.now()
    users = User.objects.bulk_create(
        User(email=f"p{programme.pk}-{n}@example.org", full_name=f"Bulk Person {n:04}", password="!")
        for n in range(count)
    )
    statuses = [Status.REGISTERED, Status.INTERVIEW_BOOKED, Status.IN_GROUP]
    participants = Participant.objects.bulk_create(
        Participant(
            programme=programme,
            user=user,
            status=statuses[n % 3],
            company_name=f"Bulk {n} Oy",
            registered_at=stamp + timedelta(seconds=n),
        )
        for n, user in enumerate(users)
    )
    morning, afternoon = list(programme.time_slots.order_by("position"))
    through = Participant.time_slots.through
    through.objects.bulk_create(
        through(participant_id=p.pk, timeslot_id=(morning if n % 2 else afternoon).pk)
        for n, p in enumerate(participants)
    )
    group = Group.objects.create(
        programme=programme, name="Aamuryhmä", time_slot=morning, weekday=0, start_date=date(2026, 3, 2)
    )
    GroupMembership.objects.bulk_create(
        GroupMembership(group=group, participant=p) for p in participants if p.status == Status.IN_GROUP
    )


def list_queries(api: ApiClient, programme: Programme) -> tuple[int, dict[str, Any]]:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"/programmes/{programme.pk}/participants", {"limit": 500})
    assert response.status_code == 200
    return len(queries), response.json()


def test_listing_uses_the_same_number_of_queries_for_10_and_1000_participants(
    api: ApiClient, programme: Programme, org: Organisation
) -> None:
    bigger = services.programme_create_from_template(organisation=org, title={"en": "Big"})
    bulk_participants(programme, 10)
    bulk_participants(bigger, 1000)
    list_queries(api, programme)  # the token's last-used time is written on the first call only

    small_count, small = list_queries(api, programme)
    big_count, big = list_queries(api, bigger)

    assert small["count"] == 10
    assert big["count"] == 1000
    assert len(big["items"]) == 500
    assert any(p["group"] == {"id": p["group"]["id"], "name": "Aamuryhmä"} for p in big["items"] if p["group"])
    assert all(p["time_slots"] for p in big["items"])
    assert big_count == small_count
    assert small_count <= 8, small_count


def test_a_search_with_a_nul_character_is_read_without_it_and_never_fails(
    api: ApiClient, programme: Programme, people: dict[str, Participant]
) -> None:
    # PostgreSQL refuses NUL even in a search; the search reads the text without it.
    response = api.get(f"/programmes/{programme.pk}/participants", {"q": "Mai\x00ja"})
    assert response.status_code == 200
    assert [item["email"] for item in response.json()["items"]] == ["maija@example.org"]

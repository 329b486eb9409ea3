"""Registrations, the waiting list and the needs summary through the API."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kollega.core import services
from kollega.core.models import AuditEntry, Participant, Programme, Status
from kollega.notifications.models import Notification
from kollega.recruitment import services as recruitment_services
from kollega.recruitment.models import OfferOutcome, WaitingListOffer

from .conftest import ApiClient
from .registration_data import answers, channel


def submit(programme: Programme, channel_key: str = "", **overrides: Any) -> Participant:
    outcome = recruitment_services.registration_submit(
        programme=programme, raw=answers(programme, **overrides), language="en", channel_key=channel_key, notify=False
    )
    return outcome.participant


# --- the list ------------------------------------------------------------------------


def test_list_registrations_with_channel_and_source(api: ApiClient, programme: Programme) -> None:
    channel(programme, "uutiskirje", "Uutiskirje")
    maija = submit(programme, "uutiskirje", name="Maija Mehiläinen", email="maija@example.org")
    olli = submit(programme, name="Olli Oravanen", heard_from="other")

    response = api.get(f"/programmes/{programme.pk}/registrations")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first, second = body["items"]
    assert first["participant_id"] == maija.pk
    assert first["name"] == "Maija Mehiläinen"
    assert first["email"] == "maija@example.org"
    assert first["status"] == "registered"
    assert first["status_label"] == "Registered"
    assert first["channel"] == "uutiskirje"
    assert first["source"] == "form"
    assert second["participant_id"] == olli.pk
    assert second["channel"] is None
    assert second["heard_from"] == "other"
    assert first["registered_at"].endswith(("+02:00", "+03:00"))


def test_filter_by_status_and_channel(api: ApiClient, programme: Programme) -> None:
    channel(programme, "some", "Some")
    a = submit(programme, "some")
    b = submit(programme)
    services.participant_change_status(participant=b, to_status=Status.INTERVIEW_BOOKED, actor=None)
    path = f"/programmes/{programme.pk}/registrations"

    assert [r["participant_id"] for r in api.get(path, {"channel": "some"}).json()["items"]] == [a.pk]
    assert [r["participant_id"] for r in api.get(path, {"status": "interview_booked"}).json()["items"]] == [b.pk]
    assert api.get(path, {"status": "famous"}).status_code == 422
    assert api.get(path, {"channel": "some\x00"}).json()["errors"] == {
        "channel": ["Use only letters, digits, hyphens and underscores."]
    }


def test_paging_and_a_fixed_number_of_queries(api: ApiClient, programme: Programme) -> None:
    channel(programme, "some", "Some")
    for n in range(3):
        submit(programme, "some" if n % 2 else "")
    path = f"/programmes/{programme.pk}/registrations"
    api.get(path)  # the token's "last used" is written on the first call only

    with CaptureQueriesContext(connection) as few:
        page = api.get(path, {"limit": 2, "offset": 1}).json()
    for n in range(12):
        submit(programme, "some" if n % 2 else "")
    with CaptureQueriesContext(connection) as many:
        api.get(path, {"limit": 100})

    assert page["count"] == 3
    assert len(page["items"]) == 2
    assert len(many.captured_queries) == len(few.captured_queries)


# --- registering as staff --------------------------------------------------------------


def test_register_a_person(api: ApiClient, programme: Programme) -> None:
    response = api.post(
        f"/programmes/{programme.pk}/registrations",
        {**answers(programme, email="sara@example.org", name="Sara Saukko"), "language": "fi"},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["outcome"] == "registered"
    person = Participant.objects.get(pk=body["participant_id"])
    assert person.user.full_name == "Sara Saukko"
    assert person.language == "fi"
    assert person.registration.source == "api"
    assert Notification.objects.filter(recipient="sara@example.org", language="fi").exists()
    assert AuditEntry.objects.filter(actor__email="aino.koordinaattori@example.org").exists()


def test_register_to_a_full_programme(api: ApiClient, programme: Programme) -> None:
    services.programme_update(programme=programme, actor=None, capacity=1)
    submit(programme)

    response = api.post(f"/programmes/{programme.pk}/registrations", answers(programme))

    assert response.status_code == 201
    assert response.json()["outcome"] == "waiting_list"
    assert response.json()["waiting_position"] == 1


def test_register_an_address_already_there(api: ApiClient, programme: Programme) -> None:
    person = submit(programme, email="maija@example.org", company_name="Hunaja Oy")

    response = api.post(
        f"/programmes/{programme.pk}/registrations", answers(programme, email="MAIJA@example.org", company_name="X")
    )

    assert response.status_code == 202
    assert response.json()["outcome"] == "confirm_email"
    assert response.json()["participant_id"] == person.pk
    person.refresh_from_db()
    assert person.company_name == "Hunaja Oy"
    assert Participant.objects.count() == 1


def test_register_outside_the_window(api: ApiClient, programme: Programme) -> None:
    services.programme_update(
        programme=programme,
        actor=None,
        registration_closes_at=timezone.now() - timedelta(hours=1),
        registration_opens_at=timezone.now() - timedelta(days=10),
    )

    response = api.post(f"/programmes/{programme.pk}/registrations", answers(programme))

    assert response.status_code == 409
    assert response.json()["code"] == "closed"
    assert response.json()["detail"] == "Registration for this programme has closed."
    assert Participant.objects.count() == 0


def test_register_with_errors(api: ApiClient, programme: Programme) -> None:
    body = answers(programme, themes=["goals", "goals"], industry="ZZ")

    response = api.post(f"/programmes/{programme.pk}/registrations", {**body, "nickname": "x"})

    assert response.status_code == 422
    assert response.json()["errors"] == {"nickname": ["This field is not known here; check its name."]}
    response = api.post(f"/programmes/{programme.pk}/registrations", body)
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "industry": ["Choose one of the options given."],
        "themes": ["Each option can have only one place in the ranking."],
    }
    assert Participant.objects.count() == 0


@pytest.mark.parametrize("raw", [b"{broken", b"[]", b'"text"'])
def test_register_with_a_body_that_is_no_object(api: ApiClient, programme: Programme, raw: bytes) -> None:
    response = api.client.post(
        f"/api/v1/programmes/{programme.pk}/registrations",
        raw,
        content_type="application/json",
        headers=api._headers("en"),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


# --- cancelling ---------------------------------------------------------------------


def test_cancel_offers_the_place_to_the_first_waiting(api: ApiClient, programme: Programme) -> None:
    services.programme_update(programme=programme, actor=None, capacity=1)
    holder = submit(programme)
    waiting = submit(programme)

    response = api.post(f"/participants/{holder.pk}/cancel", {"reason": "Moved abroad"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "cancelled"
    assert body["history"][-1]["reason"] == "Moved abroad"
    assert body["history"][-1]["actor"]["email"] == "aino.koordinaattori@example.org"
    assert WaitingListOffer.objects.get(participant=waiting).outcome == OfferOutcome.PENDING


def test_cancel_twice_is_refused(api: ApiClient, programme: Programme) -> None:
    person = submit(programme)
    api.post(f"/participants/{person.pk}/cancel", {})

    response = api.post(f"/participants/{person.pk}/cancel", {})

    assert response.status_code == 409
    assert response.json()["code"] == "cancelled"
    assert response.json()["detail"] == "This registration has already been cancelled."


# --- the waiting list and the needs ------------------------------------------------------


def test_waiting_list_in_order_with_the_offer_and_its_deadline(api: ApiClient, programme: Programme) -> None:
    services.programme_update(programme=programme, actor=None, capacity=1)
    holder = submit(programme)
    first = submit(programme, name="First Waiting")
    second = submit(programme, name="Second Waiting")
    recruitment_services.registration_cancel(participant=holder, actor=None)

    response = api.get(f"/programmes/{programme.pk}/waiting-list")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [(e["position"], e["participant_id"]) for e in body["items"]] == [(1, first.pk), (2, second.pk)]
    offer = body["items"][0]["offer"]
    assert offer is not None
    offered = datetime.fromisoformat(offer["offered_at"])
    expires = datetime.fromisoformat(offer["expires_at"])
    assert expires - offered == timedelta(hours=programme.offer_hours)
    assert body["items"][1]["offer"] is None


def test_needs_summary_names_its_method(api: ApiClient, programme: Programme) -> None:
    submit(programme, themes=["networks", "goals"])
    submit(programme, themes=["networks"])

    response = api.get(f"/programmes/{programme.pk}/needs")

    assert response.status_code == 200
    body = response.json()
    assert body["method"]["name"] == "borda"
    assert "Borda" in body["method"]["description"]
    assert body["respondents"] == 2
    assert body["themes"][0]["key"] == "networks"
    assert body["themes"][0]["first_choices"] == 2
    assert {row["key"]: row["count"] for row in body["time_slots"]}["morning"] == 2
    json.dumps(body)


# --- who may ------------------------------------------------------------------------


def test_another_organisations_registrations_do_not_exist_for_me(api: ApiClient, other_programme: Programme) -> None:
    person = submit(other_programme)

    responses = [
        api.get(f"/programmes/{other_programme.pk}/registrations"),
        api.post(f"/programmes/{other_programme.pk}/registrations", answers(other_programme)),
        api.get(f"/programmes/{other_programme.pk}/waiting-list"),
        api.get(f"/programmes/{other_programme.pk}/needs"),
        api.post(f"/participants/{person.pk}/cancel", {}),
    ]

    assert [r.status_code for r in responses] == [404] * len(responses)
    person.refresh_from_db()
    assert person.status == Status.REGISTERED
    assert Participant.objects.filter(programme=other_programme).count() == 1


def test_a_facilitator_may_not(facilitator_api: ApiClient, programme: Programme) -> None:
    person = submit(programme)

    assert facilitator_api.get(f"/programmes/{programme.pk}/registrations").status_code == 403
    assert facilitator_api.get(f"/programmes/{programme.pk}/needs").status_code == 403
    assert facilitator_api.post(f"/participants/{person.pk}/cancel", {}).status_code == 403
    assert facilitator_api.post(f"/programmes/{programme.pk}/registrations", answers(programme)).status_code == 403
    assert Participant.objects.count() == 1


def test_the_hours_to_answer_an_offer_are_a_programme_setting(api: ApiClient, programme: Programme) -> None:
    assert api.get(f"/programmes/{programme.pk}").json()["settings"]["offer_hours"] == 72

    changed = api.patch(f"/programmes/{programme.pk}", {"settings": {"offer_hours": 24}})
    refused = api.patch(f"/programmes/{programme.pk}", {"settings": {"offer_hours": 0}})

    assert changed.json()["settings"]["offer_hours"] == 24
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"settings.offer_hours": ["Ensure this value is greater than or equal to 1."]}
    programme.refresh_from_db()
    assert programme.offer_hours == 24

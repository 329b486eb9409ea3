"""A participant's consents through the API: current decisions, history, new decisions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kollega.accounts.models import User
from kollega.core import services
from kollega.core.models import Consent, ConsentItem, Participant, Programme

from .conftest import ApiClient


@pytest.fixture
def maija(programme: Programme) -> Participant:
    participant = services.participant_create(
        programme=programme, email="maija@example.org", full_name="Maija Mehiläinen"
    )
    earlier = timezone.now() - timedelta(days=3)
    services.consent_record(
        participant=participant,
        item=ConsentItem.PRIVACY_NOTICE,
        given=True,
        actor=None,
        source="registration",
        at=earlier,
    )
    services.consent_record(
        participant=participant, item=ConsentItem.SHARE_EMAIL, given=True, actor=None, source="registration", at=earlier
    )
    services.consent_record(
        participant=participant,
        item=ConsentItem.SHARE_EMAIL,
        given=False,
        actor=None,
        source="participant",
        at=earlier + timedelta(days=1),
    )
    return participant


def test_current_and_history(api: ApiClient, maija: Participant) -> None:
    response = api.get(f"/participants/{maija.pk}/consents")

    assert response.status_code == 200
    body = response.json()
    assert [(c["item"], c["given"]) for c in body["current"]] == [("privacy_notice", True), ("share_email", False)]
    assert [(c["item"], c["given"], c["source"]) for c in body["history"]] == [
        ("share_email", False, "participant"),
        ("share_email", True, "registration"),
        ("privacy_notice", True, "registration"),
    ]
    privacy = body["current"][0]
    assert privacy["version"] == 1
    assert privacy["text"]["en"].startswith("I have read the privacy notice.")
    assert privacy["item_label"] == "Privacy notice"
    assert privacy["at"].endswith(("+02:00", "+03:00"))


def test_record_a_decision(api: ApiClient, coordinator: User, maija: Participant) -> None:
    response = api.post(f"/participants/{maija.pk}/consents", {"item": "wellbeing_questionnaire", "given": True})

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["item"], body["given"], body["source"], body["version"]) == ("wellbeing_questionnaire", True, "api", 1)
    assert body["actor"]["email"] == coordinator.email
    consent = Consent.objects.get(pk=body["id"])
    assert (consent.source, consent.actor) == ("api", coordinator)
    current = api.get(f"/participants/{maija.pk}/consents").json()["current"]
    assert ("wellbeing_questionnaire", True) in [(c["item"], c["given"]) for c in current]


def test_the_latest_decision_wins(api: ApiClient, maija: Participant) -> None:
    api.post(f"/participants/{maija.pk}/consents", {"item": "share_email", "given": True})

    current = {c["item"]: c["given"] for c in api.get(f"/participants/{maija.pk}/consents").json()["current"]}

    assert current["share_email"] is True
    assert Consent.objects.filter(participant=maija, item="share_email").count() == 3


def test_record_against_an_older_text_version(
    api: ApiClient, programme: Programme, coordinator: User, maija: Participant
) -> None:
    services.consent_text_publish(
        programme=programme, item="share_name", text={"en": "Show my name to my group."}, actor=coordinator
    )

    old = api.post(f"/participants/{maija.pk}/consents", {"item": "share_name", "given": True, "version": 1})
    new = api.post(f"/participants/{maija.pk}/consents", {"item": "share_name", "given": True})
    missing = api.post(f"/participants/{maija.pk}/consents", {"item": "share_name", "given": True, "version": 7})

    assert old.json()["version"] == 1
    assert new.json()["version"] == 2
    assert new.json()["text"]["en"] == "Show my name to my group."
    assert missing.status_code == 422
    assert list(missing.json()["errors"]) == ["version"]


def test_record_with_a_time(api: ApiClient, maija: Participant) -> None:
    response = api.post(
        f"/participants/{maija.pk}/consents",
        {"item": "share_company", "given": True, "at": "2026-01-10T12:30:00+02:00"},
    )
    assert response.status_code == 201
    assert response.json()["at"] == "2026-01-10T12:30:00+02:00"


def test_unknown_item_is_a_field_error(api: ApiClient, maija: Participant) -> None:
    response = api.post(f"/participants/{maija.pk}/consents", {"item": "marketing", "given": True})
    assert response.status_code == 422
    assert "item" in response.json()["errors"]
    assert Consent.objects.filter(participant=maija).count() == 3


def test_another_organisations_consents_do_not_exist_for_me(other_api: ApiClient, maija: Participant) -> None:
    not_found = other_api.get("/participants/999999/consents").json()

    read = other_api.get(f"/participants/{maija.pk}/consents")
    write = other_api.post(f"/participants/{maija.pk}/consents", {"item": "share_email", "given": True})

    assert read.status_code == write.status_code == 404
    assert read.json() == write.json() == not_found
    assert Consent.objects.filter(participant=maija).count() == 3


def test_facilitator_may_not_read_or_record_consents(facilitator_api: ApiClient, maija: Participant) -> None:
    assert facilitator_api.get(f"/participants/{maija.pk}/consents").status_code == 403
    response = facilitator_api.post(f"/participants/{maija.pk}/consents", {"item": "share_email", "given": True})
    assert response.status_code == 403
    assert Consent.objects.filter(participant=maija).count() == 3

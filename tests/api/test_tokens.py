"""Personal API tokens: made for staff only, shown once, stored as a hash, refused once revoked."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from kollega.accounts.models import ApiToken, User
from kollega.accounts.tokens import api_token_authenticate, api_token_create, api_token_revoke
from kollega.core import services
from kollega.core.models import AuditEntry, Organisation, StaffMembership

from .conftest import ApiClient


def test_create_returns_the_token_once_and_stores_only_its_hash(coordinator: User) -> None:
    token, raw = api_token_create(user=coordinator, name="Reporting script")

    assert raw.startswith("kol_")
    assert len(raw) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {stored.token_hash, stored.hint, stored.name}
    assert raw.startswith(stored.hint)
    assert AuditEntry.objects.filter(action="accounts.api_token.created", actor=coordinator).exists()


def test_two_tokens_differ(coordinator: User) -> None:
    assert api_token_create(user=coordinator, name="a")[1] != api_token_create(user=coordinator, name="b")[1]


def test_only_staff_may_hold_a_token(db: None) -> None:
    person = services.user_get_or_create(email="yrittaja@example.org", full_name="Yrittäjä")

    with pytest.raises(ValidationError) as caught:
        api_token_create(user=person, name="mine")

    assert caught.value.code == "not_staff"
    assert not ApiToken.objects.exists()


def test_a_token_needs_a_name(coordinator: User) -> None:
    with pytest.raises(ValidationError) as caught:
        api_token_create(user=coordinator, name="   ")
    assert "name" in caught.value.message_dict


def test_authenticate_knows_the_holder(coordinator: User) -> None:
    _token, raw = api_token_create(user=coordinator, name="t")
    assert api_token_authenticate(raw) == coordinator
    assert api_token_authenticate(raw + "x") is None
    assert api_token_authenticate("kol_" + "a" * 43) is None
    assert api_token_authenticate("") is None


def test_revoked_token_is_refused(coordinator: User) -> None:
    token, raw = api_token_create(user=coordinator, name="t")

    api_token_revoke(token=token, actor=coordinator)

    assert api_token_authenticate(raw) is None
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert AuditEntry.objects.filter(action="accounts.api_token.revoked").count() == 1
    # Revoking again changes nothing.
    api_token_revoke(token=token, actor=coordinator)
    assert AuditEntry.objects.filter(action="accounts.api_token.revoked").count() == 1


def test_inactive_person_is_refused(coordinator: User) -> None:
    _token, raw = api_token_create(user=coordinator, name="t")
    coordinator.is_active = False
    coordinator.save(update_fields=["is_active"])

    assert api_token_authenticate(raw) is None


def test_person_who_is_no_longer_staff_is_refused(coordinator: User, org: Organisation) -> None:
    _token, raw = api_token_create(user=coordinator, name="t")
    StaffMembership.objects.filter(user=coordinator).delete()

    assert api_token_authenticate(raw) is None


def test_last_used_is_written_at_most_once_a_minute(coordinator: User) -> None:
    token, raw = api_token_create(user=coordinator, name="t")
    assert token.last_used_at is None

    api_token_authenticate(raw)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    assert timezone.now() - first < timedelta(seconds=5)

    api_token_authenticate(raw)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first

    an_hour_ago = timezone.now() - timedelta(hours=1)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=an_hour_ago)
    api_token_authenticate(raw)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > an_hour_ago  # type: ignore[operator]


# --- over HTTP ----------------------------------------------------------------


def test_no_token_answers_401_with_a_json_error(coordinator: User) -> None:
    response = ApiClient(Client(), None).get("/programmes")

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_authenticated"
    assert "Authorization" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_wrong_scheme_answers_401(coordinator: User) -> None:
    _token, raw = api_token_create(user=coordinator, name="t")
    response = Client().get("/api/v1/programmes", headers={"Authorization": f"Token {raw}"})
    assert response.status_code == 401


def test_unknown_token_answers_401(coordinator: User) -> None:
    response = ApiClient(Client(), "kol_not-a-real-token").get("/programmes")

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_revoked_token_answers_401(coordinator: User) -> None:
    token, raw = api_token_create(user=coordinator, name="t")
    api = ApiClient(Client(), raw)
    assert api.get("/programmes").status_code == 200

    api_token_revoke(token=token, actor=coordinator)

    assert api.get("/programmes").status_code == 401


def test_good_token_works_and_marks_the_token_used(coordinator: User) -> None:
    token, raw = api_token_create(user=coordinator, name="t")

    response = ApiClient(Client(), raw).get("/programmes")

    assert response.status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


def test_a_signed_in_browser_session_is_not_enough(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)
    assert client.get("/api/v1/programmes").status_code == 401


def test_unauthenticated_write_is_refused_before_its_body_is_read(coordinator: User) -> None:
    response = ApiClient(Client(), None).post("/programmes", {"nonsense": True})
    assert response.status_code == 401

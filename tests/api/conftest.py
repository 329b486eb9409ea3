"""Two organisations, their staff and programmes, and a client that speaks to the API with a token."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from kollega.accounts.models import User
from kollega.accounts.tokens import api_token_create
from kollega.core import services
from kollega.core.models import Organisation, Programme, Role

API = "/api/v1"


@dataclass
class ApiClient:
    """The Django test client with a bearer token and JSON bodies."""

    client: Client
    token: str | None

    def _headers(self, language: str) -> dict[str, str]:
        headers = {"Accept-Language": language}
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def get(self, path: str, params: dict[str, Any] | None = None, *, language: str = "en") -> Any:
        return self.client.get(API + path, params or {}, headers=self._headers(language))

    def post(self, path: str, body: Any = None, *, language: str = "en") -> Any:
        return self.client.post(
            API + path, json.dumps(body or {}), content_type="application/json", headers=self._headers(language)
        )

    def patch(self, path: str, body: Any, *, language: str = "en") -> Any:
        return self.client.patch(
            API + path, json.dumps(body), content_type="application/json", headers=self._headers(language)
        )


def staff(organisation: Organisation, role: str, email: str, name: str) -> User:
    user = services.user_get_or_create(email=email, full_name=name, language="en")
    services.staff_membership_add(organisation=organisation, user=user, role=role)
    return user


def client_for(user: User) -> ApiClient:
    _token, raw = api_token_create(user=user, name="tests")
    return ApiClient(Client(), raw)


@pytest.fixture
def org(db: None) -> Organisation:
    return services.organisation_create(name="Kaarnan yrityspalvelut")


@pytest.fixture
def other_org(db: None) -> Organisation:
    return services.organisation_create(name="Toinen kunta")


@pytest.fixture
def coordinator(org: Organisation) -> User:
    return staff(org, Role.COORDINATOR, "aino.koordinaattori@example.org", "Aino Koordinaattori")


@pytest.fixture
def facilitator(org: Organisation) -> User:
    return staff(org, Role.FACILITATOR, "eero.ohjaaja@example.org", "Eero Ohjaaja")


@pytest.fixture
def other_coordinator(other_org: Organisation) -> User:
    return staff(other_org, Role.COORDINATOR, "sanna.muualla@example.org", "Sanna Muualla")


@pytest.fixture
def api(coordinator: User) -> ApiClient:
    return client_for(coordinator)


@pytest.fixture
def facilitator_api(facilitator: User) -> ApiClient:
    return client_for(facilitator)


@pytest.fixture
def other_api(other_coordinator: User) -> ApiClient:
    return client_for(other_coordinator)


@pytest.fixture
def programme(org: Organisation, coordinator: User) -> Programme:
    return services.programme_create_from_template(
        organisation=org, title={"fi": "Kevään vertaisryhmät", "en": "Spring peer groups"}, actor=coordinator
    )


@pytest.fixture
def other_programme(other_org: Organisation) -> Programme:
    return services.programme_create_from_template(organisation=other_org, title={"fi": "Toisen ohjelma"})

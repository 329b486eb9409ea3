"""The staff page for API tokens: create (shown once), list, revoke with a confirmation."""

from __future__ import annotations

import re

from django.test import Client

from kollega.accounts.models import ApiToken, User
from kollega.accounts.tokens import api_token_authenticate, api_token_create
from kollega.core import services

from .conftest import ApiClient

LIST = "/account/api-tokens/"
NEW = "/account/api-tokens/new/"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_empty_list_says_what_to_do(coordinator: User) -> None:
    response = signed_in(coordinator).get(LIST)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>API tokens</h1>" in html
    assert "You have no API tokens yet." in html
    assert f'href="{NEW}"' in html


def test_create_shows_the_token_once(coordinator: User) -> None:
    client = signed_in(coordinator)

    form = client.get(NEW)
    assert form.status_code == 200
    assert '<label for="id_name">' in form.content.decode()

    response = client.post(NEW, {"name": "Reporting script"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "Copy the token now." in html
    raw = re.search(r'value="(kol_[^"]+)"', html)
    assert raw is not None
    assert api_token_authenticate(raw.group(1)) == coordinator
    assert ApiClient(Client(), raw.group(1)).get("/programmes").status_code == 200

    listing = client.get(LIST).content.decode()
    assert "Reporting script" in listing
    assert raw.group(1) not in listing
    assert ApiToken.objects.get(user=coordinator).hint in listing


def test_a_nameless_token_is_refused_with_the_error_next_to_the_field(coordinator: User) -> None:
    response = signed_in(coordinator).post(NEW, {"name": ""})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert 'id="id_name_error"' in html
    assert "Give the token a name." in html
    assert not ApiToken.objects.exists()


def test_revoke_asks_first_then_stops_the_token(coordinator: User) -> None:
    token, raw = api_token_create(user=coordinator, name="Old script")
    client = signed_in(coordinator)
    revoke = f"/account/api-tokens/{token.pk}/revoke/"
    assert f'href="{revoke}"' in client.get(LIST).content.decode()

    confirm = client.get(revoke)
    assert confirm.status_code == 200
    assert "Revoke the token “Old script”?" in confirm.content.decode()
    assert api_token_authenticate(raw) == coordinator  # asking changed nothing

    done = client.post(revoke, follow=True)

    assert done.redirect_chain[-1][0] == LIST
    html = done.content.decode()
    assert "has been revoked" in html
    assert "Revoked" in html
    assert api_token_authenticate(raw) is None
    assert ApiClient(Client(), raw).get("/programmes").status_code == 401
    assert client.post(revoke).status_code == 404


def test_i_cannot_see_or_revoke_someone_elses_token(coordinator: User, other_coordinator: User) -> None:
    token, raw = api_token_create(user=other_coordinator, name="Theirs")
    client = signed_in(coordinator)

    assert "Theirs" not in client.get(LIST).content.decode()
    assert client.get(f"/account/api-tokens/{token.pk}/revoke/").status_code == 404
    assert client.post(f"/account/api-tokens/{token.pk}/revoke/").status_code == 404
    assert api_token_authenticate(raw) == other_coordinator


def test_not_for_participants(db: None) -> None:
    person = services.user_get_or_create(email="yrittaja@example.org", full_name="Yrittäjä")
    client = signed_in(person)

    assert client.get(LIST).status_code == 404
    assert client.post(NEW, {"name": "mine"}).status_code == 404
    assert not ApiToken.objects.exists()


def test_anonymous_is_sent_to_sign_in(db: None) -> None:
    response = Client().get(LIST)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]

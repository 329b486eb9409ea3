"""One-click sign-in links for the demo: they work outside production, never in it."""

from __future__ import annotations

import time
from unittest.mock import patch

import pytest
from django.core import signing
from django.urls import reverse

from kollega.accounts.services import SIGN_IN_LINK_SALT, sign_in_link_make
from kollega.core.models import Role
from tests.factories import make_organisation, make_participant, make_programme, make_staff

pytestmark = pytest.mark.django_db


def test_the_link_signs_the_person_in_and_leads_home(client):
    coordinator = make_staff(make_organisation(), Role.COORDINATOR)
    path = sign_in_link_make(user=coordinator)
    assert path.startswith("/demo/sign-in/")
    response = client.get(path, follow=True)
    assert response.wsgi_request.user == coordinator
    assert response.redirect_chain[0][0] == reverse("home")
    assert response.redirect_chain[-1][0] == reverse("core:programme_list")


def test_a_participant_link_leads_to_their_programme(client):
    participant = make_participant(make_programme())
    response = client.get(sign_in_link_make(user=participant.user), follow=True)
    assert response.wsgi_request.user == participant.user
    assert response.redirect_chain[-1][0] == reverse("core:participant_home")


def test_in_production_the_link_is_not_found_and_none_can_be_made(client, settings):
    participant = make_participant(make_programme())
    path = sign_in_link_make(user=participant.user)
    settings.KOLLEGA_ENV = "production"
    response = client.get(path)
    assert response.status_code == 404
    assert not response.wsgi_request.user.is_authenticated
    with pytest.raises(RuntimeError):
        sign_in_link_make(user=participant.user)


def test_a_tampered_or_foreign_signature_is_not_found(client):
    participant = make_participant(make_programme())
    path = sign_in_link_make(user=participant.user)
    assert client.get(path[:-3] + "xx/").status_code == 404
    other_salt = signing.dumps(participant.user.pk, salt="something-else")
    assert client.get(reverse("accounts:demo_sign_in", args=[other_salt])).status_code == 404
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated


def test_a_link_older_than_thirty_days_is_not_found(client):
    participant = make_participant(make_programme())
    with patch("django.core.signing.time.time", return_value=time.time() - 31 * 24 * 3600):
        old = signing.dumps(participant.user.pk, salt=SIGN_IN_LINK_SALT)
    with patch("django.core.signing.time.time", return_value=time.time() - 29 * 24 * 3600):
        recent = signing.dumps(participant.user.pk, salt=SIGN_IN_LINK_SALT)
    assert client.get(reverse("accounts:demo_sign_in", args=[old])).status_code == 404
    assert client.get(reverse("accounts:demo_sign_in", args=[recent])).status_code == 302


def test_an_inactive_person_cannot_use_their_link(client):
    participant = make_participant(make_programme())
    path = sign_in_link_make(user=participant.user)
    participant.user.is_active = False
    participant.user.save(update_fields=["is_active"])
    assert client.get(path).status_code == 404

"""Staff and authenticator apps (TOTP): required in production, offered otherwise."""

from __future__ import annotations

import re
import time
from unittest.mock import patch

import pytest
from allauth.mfa.models import Authenticator
from django.test import override_settings
from django.urls import reverse

from kollega.core.models import Role
from tests.accounts.conftest import totp_now
from tests.factories import make_organisation, make_participant, make_programme, make_staff

pytestmark = pytest.mark.django_db

PASSWORD = "kahvi-ja-pulla-2026"


def _staff_with_password(role: str = Role.COORDINATOR):
    user = make_staff(make_organisation(), role)
    user.set_password(PASSWORD)
    user.save()
    return user


def _secret_on(page: str) -> str:
    match = re.search(r'id="authenticator_secret" value="([A-Z2-7]+)"', page)
    assert match, "the page shows the key to type in by hand"
    return match.group(1)


@override_settings(KOLLEGA_STAFF_MFA_REQUIRED=True)
@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.FACILITATOR])
def test_staff_without_an_authenticator_are_sent_to_set_one_up(client, role):
    client.force_login(_staff_with_password(role))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    # Any staff page, not only the home page.
    assert client.get(reverse("core:programme_list")).url == reverse("mfa_activate_totp")


@override_settings(KOLLEGA_STAFF_MFA_REQUIRED=True)
def test_a_participant_is_never_asked_for_an_authenticator(client):
    participant = make_participant(make_programme())
    client.force_login(participant.user)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("core:participant_home")


@override_settings(KOLLEGA_STAFF_MFA_REQUIRED=True)
def test_signing_out_and_switching_language_stay_possible_before_enrolment(client):
    client.force_login(_staff_with_password())
    assert client.post(reverse("set_language"), {"language": "fi", "next": "/"}).status_code == 302
    client.post(reverse("account_logout"))
    assert client.get(reverse("home")).status_code == 200  # the public landing page


@override_settings(KOLLEGA_STAFF_MFA_REQUIRED=True)
def test_staff_without_an_authenticator_can_still_open_an_invitation_to_another_organisation(client):
    from kollega.accounts.services import staff_invite

    user = _staff_with_password(Role.FACILITATOR)
    other = make_organisation()
    invitation = staff_invite(organisation=other, email=user.email, role=Role.COORDINATOR, invited_by=None)
    client.force_login(user)
    response = client.get(invitation.link.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 200
    assert "Join the staff of" in response.content.decode()


@override_settings(KOLLEGA_STAFF_MFA_REQUIRED=False)
def test_outside_production_the_authenticator_is_offered_not_forced(client):
    client.force_login(_staff_with_password())
    assert client.get(reverse("home")).url == reverse("core:programme_list")


def test_enrolment_page_says_it_is_required_and_has_no_way_around(client, settings):
    settings.KOLLEGA_STAFF_MFA_REQUIRED = True
    user = _staff_with_password()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True)
    # Straight from signing in to the enrolment, without typing the password again.
    assert [url for url, _status in response.redirect_chain][-1] == reverse("mfa_activate_totp")
    page = response.content.decode()
    assert "Set up an authenticator app" in page
    assert "must be protected by an authenticator app" in page
    assert "Not now" not in page

    settings.KOLLEGA_STAFF_MFA_REQUIRED = False
    page = client.get(reverse("mfa_activate_totp")).content.decode()
    assert "Not now" in page


@override_settings(KOLLEGA_STAFF_MFA_REQUIRED=True)
def test_staff_enrol_get_recovery_codes_and_then_sign_in_with_password_and_code(client):
    user = _staff_with_password()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_activate_totp")
    secret = _secret_on(response.content.decode())

    response = client.post(reverse("mfa_activate_totp"), {"code": totp_now(secret)}, follow=True)
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert response.redirect_chain[-1][0] == reverse("mfa_view_recovery_codes")
    page = response.content.decode()
    assert "Recovery codes" in page
    codes = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES).wrap().get_unused_codes()
    assert codes and codes[0] in page

    # Enrolled: staff pages open.
    assert client.get(reverse("home")).url == reverse("core:programme_list")

    client.post(reverse("account_logout"))
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.url == reverse("mfa_authenticate")
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated
    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(secret)}, follow=True)
    assert response.wsgi_request.user == user
    assert response.redirect_chain[-1][0] == reverse("core:programme_list")


def test_after_five_minutes_changing_the_authenticator_asks_for_the_password_again(client):
    user = _staff_with_password()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    later = time.time() + 6 * 60
    with patch("allauth.account.internal.flows.reauthentication.time.time", return_value=later):
        response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))


@override_settings(KOLLEGA_STAFF_MFA_REQUIRED=True)
def test_a_recovery_code_works_once_instead_of_the_app(client):
    user = _staff_with_password()
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    code = RecoveryCodes.activate(user).get_unused_codes()[0]

    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": code}, follow=True)
    assert response.wsgi_request.user == user

    client.post(reverse("account_logout"))
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert not response.wsgi_request.user.is_authenticated


def test_the_sign_in_security_page_shows_the_password_and_the_app(client):
    user = _staff_with_password()
    client.force_login(user)
    page = client.get(reverse("mfa_index")).content.decode()
    assert "Change password" in page
    assert "Set up an authenticator app" in page
    assert "Recovery codes" not in page.split("<main", 1)[1]

    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    RecoveryCodes.activate(user)
    page = client.get(reverse("mfa_index")).content.decode()
    assert "Stop using the app" in page
    assert "unused codes left" in page


def test_changing_the_password_returns_to_sign_in_security(client):
    user = _staff_with_password()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    new_password = "toinen-salasana-2026"
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new_password, "password2": new_password},
    )
    assert response.url == reverse("mfa_index")
    user.refresh_from_db()
    assert user.check_password(new_password)

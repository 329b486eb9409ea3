"""Signing in: a code by email for participants, a password (and an authenticator app) for staff."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from kollega.accounts.notifications import LOGIN_CODE, PASSWORD_RESET, UNKNOWN_ACCOUNT
from kollega.core.models import Role
from kollega.notifications.models import Notification, NotificationStatus
from tests.accounts.conftest import latest_message
from tests.factories import make_organisation, make_participant, make_programme, make_staff

pytestmark = pytest.mark.django_db

PASSWORD = "kahvi-ja-pulla-2026"


def test_sign_in_page_shows_both_ways_in_plain_words(client):
    page = client.get(reverse("account_login")).content.decode()
    assert "Get a sign-in code by email" in page
    assert "Staff: sign in with password" in page
    # The code form comes first: it is the main way for participants.
    assert page.index("Get a sign-in code by email") < page.index("Staff: sign in with password")
    assert 'action="/accounts/login/code/"' in page


def test_participant_signs_in_with_a_code_read_from_the_outbox(client, sending):
    participant = make_participant(make_programme())
    email = participant.user.email

    with sending():
        response = client.post(reverse("account_request_login_code"), {"email": email})
    assert response.status_code == 302
    assert response.url == reverse("account_confirm_login_code")

    row = latest_message(LOGIN_CODE, email)
    assert row.status == NotificationStatus.SENT
    assert row.urgent and row.sensitive
    assert set(row.context) == {"code", "minutes"}  # only JSON values, never the request
    # One email left through the outbox, with the code in it.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [email]
    assert row.context["code"] in mail.outbox[0].body

    page = client.get(response.url).content.decode()
    assert "Enter your sign-in code" in page

    response = client.post(reverse("account_confirm_login_code"), {"code": row.context["code"]}, follow=True)
    assert response.wsgi_request.user == participant.user
    assert response.redirect_chain[-1][0] == reverse("core:participant_home")
    assert "My programme" in response.content.decode()


def test_a_wrong_code_is_refused_next_to_the_field_and_in_the_summary(client, sending):
    participant = make_participant(make_programme())
    with sending():
        client.post(reverse("account_request_login_code"), {"email": participant.user.email})

    response = client.post(reverse("account_confirm_login_code"), {"code": "AAAA-AAAA"})
    page = response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    assert 'class="error-summary"' in page
    assert 'class="field-error" id="id_code_error"' in page
    assert 'aria-describedby="id_code_error"' in page


def test_each_request_makes_a_new_code_and_a_new_message(client, sending):
    participant = make_participant(make_programme())
    for _ in range(2):
        with sending():
            client.post(reverse("account_request_login_code"), {"email": participant.user.email})
        client.post(reverse("account_logout"))  # leave the half-finished sign-in
    rows = Notification.objects.filter(kind=LOGIN_CODE, recipient=participant.user.email)
    assert rows.count() == 2
    assert len({row.version for row in rows}) == 2
    assert len(mail.outbox) == 2


def test_an_unknown_address_gets_no_code_but_a_plain_explanation(client, sending):
    with sending():
        response = client.post(reverse("account_request_login_code"), {"email": "nobody@example.org"}, follow=True)
    # The page does not reveal whether the address is known.
    assert "Enter your sign-in code" in response.content.decode()
    assert not Notification.objects.filter(kind=LOGIN_CODE).exists()
    row = latest_message(UNKNOWN_ACCOUNT, "nobody@example.org")
    assert row.context == {}
    assert "there is no Kollega account" in mail.outbox[0].body


def test_the_code_email_is_in_the_language_of_the_page(client, sending):
    participant = make_participant(make_programme())
    client.post(reverse("set_language"), {"language": "sv", "next": "/"})
    with sending():
        client.post(reverse("account_request_login_code"), {"email": participant.user.email})
    assert latest_message(LOGIN_CODE, participant.user.email).language == "sv"


def test_staff_sign_in_with_password_and_land_on_their_page(client):
    organisation = make_organisation()
    coordinator = make_staff(organisation, Role.COORDINATOR)
    coordinator.set_password(PASSWORD)
    coordinator.save()

    response = client.post(reverse("account_login"), {"login": coordinator.email, "password": PASSWORD}, follow=True)
    assert response.wsgi_request.user == coordinator
    assert response.redirect_chain[-1][0] == reverse("core:programme_list")


def test_a_wrong_password_is_refused_with_an_error_summary(client):
    coordinator = make_staff(make_organisation(), Role.COORDINATOR)
    coordinator.set_password(PASSWORD)
    coordinator.save()
    response = client.post(reverse("account_login"), {"login": coordinator.email, "password": "wrong-password-1"})
    assert not response.wsgi_request.user.is_authenticated
    page = response.content.decode()
    assert 'class="error-summary"' in page
    assert "Staff: sign in with password" in page


def test_a_participant_has_no_password_to_sign_in_with(client):
    participant = make_participant(make_programme())
    assert not participant.user.has_usable_password()
    response = client.post(reverse("account_login"), {"login": participant.user.email, "password": ""})
    assert not response.wsgi_request.user.is_authenticated


def test_password_reset_by_email_link(client, sending):
    coordinator = make_staff(make_organisation(), Role.COORDINATOR)
    coordinator.set_password(PASSWORD)
    coordinator.save()

    with sending():
        response = client.post(reverse("account_reset_password"), {"email": coordinator.email})
    assert response.status_code == 302
    row = latest_message(PASSWORD_RESET, coordinator.email)
    assert row.sensitive
    url = row.context["url"]
    assert url in mail.outbox[0].body

    path = re.sub(r"^https?://[^/]+", "", url)
    response = client.get(path, follow=True)
    form_path = response.redirect_chain[-1][0] if response.redirect_chain else path
    new_password = "uusi-salasana-2026"
    response = client.post(form_path, {"password1": new_password, "password2": new_password}, follow=True)
    assert "Your password is now changed." in response.content.decode()

    client.logout()
    response = client.post(reverse("account_login"), {"login": coordinator.email, "password": new_password})
    assert response.wsgi_request.user == coordinator


def test_nobody_can_sign_up_on_their_own(client):
    response = client.get(reverse("account_signup"))
    assert "No sign-up here" in response.content.decode()
    client.post(reverse("account_signup"), {"email": "new@example.org", "password1": PASSWORD})
    from kollega.accounts.models import User

    assert not User.objects.filter(email="new@example.org").exists()


def test_asking_for_codes_too_often_is_slowed_down_with_an_explanation(client, sending):
    participant = make_participant(make_programme())
    responses = []
    for _ in range(5):
        with sending():
            responses.append(client.post(reverse("account_request_login_code"), {"email": participant.user.email}))
        client.post(reverse("account_logout"))
    # Three codes a minute per address; then the form says why nothing came.
    assert [r.status_code for r in responses] == [302, 302, 302, 200, 200]
    page = responses[-1].content.decode()
    assert 'class="error-summary"' in page
    assert 'id="id_email_error"' in page
    assert Notification.objects.filter(kind=LOGIN_CODE).count() == 3

"""Staff invitations: the emailed link, accepting it as a new or an existing person, and links that no longer work."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kollega.accounts.models import StaffInvitation, User
from kollega.accounts.notifications import STAFF_INVITATION
from kollega.accounts.services import (
    INVITATION_VALID_DAYS,
    InvitationClosedError,
    staff_invitation_accept,
    staff_invitation_cancel,
    staff_invitation_resend,
    staff_invite,
)
from kollega.core.models import AuditEntry, Role, StaffMembership
from tests.accounts.conftest import latest_message
from tests.factories import make_organisation, make_participant, make_programme, make_staff

pytestmark = pytest.mark.django_db

PASSWORD = "kahvi-ja-pulla-2026"


def _invite(sending, email="new.facilitator@example.org", role=Role.FACILITATOR, organisation=None, inviter=None):
    organisation = organisation or make_organisation("Yrittäjäyhdistys Esimerkki")
    inviter = inviter or make_staff(organisation, Role.COORDINATOR)
    with sending():
        invitation = staff_invite(organisation=organisation, email=email, role=role, invited_by=inviter)
    row = latest_message(STAFF_INVITATION, email)
    path = row.context["url"].removeprefix("http://127.0.0.1:8000")
    return invitation, path


def test_an_invitation_emails_a_link_whose_token_is_stored_only_as_a_hash(sending):
    invitation, path = _invite(sending, email="New.Facilitator@Example.org")
    token = path.rstrip("/").rsplit("/", 1)[-1]
    assert invitation.email == "new.facilitator@example.org"
    assert token not in invitation.token_hash
    assert invitation.token_hash == StaffInvitation.hash(token)
    expected = timezone.now() + timedelta(days=INVITATION_VALID_DAYS)
    assert abs((invitation.expires_at - expected).total_seconds()) < 60

    row = latest_message(STAFF_INVITATION, invitation.email)
    assert row.sensitive and row.urgent
    assert row.organisation == invitation.organisation
    assert row.subject == f"accounts.staffinvitation:{invitation.pk}"
    assert len(mail.outbox) == 1
    assert "Yrittäjäyhdistys Esimerkki" in mail.outbox[0].subject
    assert path in mail.outbox[0].body
    assert "as a facilitator" in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="accounts.staff_invitation.created").exists()


def test_a_new_person_sets_name_and_password_joins_and_is_led_to_the_authenticator(client, sending):
    invitation, path = _invite(sending)
    page = client.get(path).content.decode()
    assert "Join the staff of Yrittäjäyhdistys Esimerkki" in page
    assert "Choose a password" in page

    response = client.post(
        path, {"full_name": "Fanni Fasilitaattori", "password1": PASSWORD, "password2": PASSWORD}, follow=True
    )
    user = User.objects.get(email="new.facilitator@example.org")
    assert response.wsgi_request.user == user
    assert user.full_name == "Fanni Fasilitaattori"
    assert user.check_password(PASSWORD)
    assert StaffMembership.objects.filter(
        user=user, organisation=invitation.organisation, role=Role.FACILITATOR
    ).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by == user and invitation.accepted_at is not None
    # Led straight to setting up the authenticator app, without typing the password again.
    assert response.redirect_chain[-1][0] == reverse("mfa_activate_totp")
    page = response.content.decode()
    assert "Welcome to Yrittäjäyhdistys Esimerkki! You are now a facilitator." in page
    assert "Set up an authenticator app" in page


def test_a_weak_or_mistyped_password_is_refused_next_to_the_field(client, sending):
    _invitation, path = _invite(sending)
    response = client.post(path, {"full_name": "Fanni", "password1": "12345", "password2": "12345"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error-summary"' in page
    assert 'id="id_password1_error"' in page
    assert "too short" in page
    response = client.post(path, {"full_name": "Fanni", "password1": PASSWORD, "password2": PASSWORD + "x"})
    assert 'id="id_password2_error"' in response.content.decode()
    assert not User.objects.filter(email="new.facilitator@example.org").exists()


def test_an_existing_account_signs_in_first_then_accepts(client, sending):
    organisation = make_organisation()
    existing = make_staff(make_organisation(), Role.COORDINATOR, email="known@example.org")
    existing.set_password(PASSWORD)
    existing.save()
    _invitation, path = _invite(sending, email="known@example.org", role=Role.COORDINATOR, organisation=organisation)

    page = client.get(path).content.decode()
    assert "Sign in to accept the invitation" in page
    assert client.post(path, {"full_name": "x", "password1": PASSWORD, "password2": PASSWORD}).status_code == 200
    assert not StaffMembership.objects.filter(user=existing, organisation=organisation).exists()

    response = client.post(
        reverse("account_login") + f"?next={path}", {"login": existing.email, "password": PASSWORD, "next": path}
    )
    assert response.url == path
    page = client.get(path).content.decode()
    assert "You are signed in as known@example.org" in page
    assert "Choose a password" not in page  # they have one already

    response = client.post(path, {"full_name": existing.full_name})
    assert response.url == reverse("mfa_activate_totp")
    assert StaffMembership.objects.filter(user=existing, organisation=organisation, role=Role.COORDINATOR).exists()
    existing.refresh_from_db()
    assert existing.check_password(PASSWORD)


def test_staff_who_already_use_an_authenticator_go_straight_home(client, sending):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    existing = make_staff(make_organisation(), Role.FACILITATOR, email="kaksi@example.org")
    TOTP.activate(existing, generate_totp_secret())
    _invitation, path = _invite(sending, email="kaksi@example.org")
    client.force_login(existing)
    response = client.post(path, {"full_name": existing.full_name, "password1": PASSWORD, "password2": PASSWORD})
    assert response.url == reverse("home")


def test_a_participant_invited_as_staff_chooses_a_password_when_accepting(client, sending):
    participant = make_participant(make_programme(), email="yrittaja@example.org")
    _invitation, path = _invite(sending, email="yrittaja@example.org")
    client.force_login(participant.user)
    page = client.get(path).content.decode()
    assert "Choose a password" in page
    client.post(path, {"full_name": "Ylle Yrittäjä", "password1": PASSWORD, "password2": PASSWORD})
    participant.user.refresh_from_db()
    assert participant.user.check_password(PASSWORD)
    assert StaffMembership.objects.filter(user=participant.user, role=Role.FACILITATOR).exists()


def test_a_participant_signs_in_by_code_and_comes_back_to_the_invitation(client, sending):
    participant = make_participant(make_programme(), email="koodilla@example.org")
    _invitation, path = _invite(sending, email="koodilla@example.org")
    page = client.get(path).content.decode()
    assert "Sign in to accept the invitation" in page
    login_page = client.get(reverse("account_login"), {"next": path}).content.decode()
    assert f'name="next" value="{path}"' in login_page

    with sending():
        client.post(reverse("account_request_login_code"), {"email": participant.user.email, "next": path})
    code = latest_message("accounts.login_code", participant.user.email).context["code"]
    response = client.post(reverse("account_confirm_login_code"), {"code": code, "next": path})
    assert response.url == path
    assert "Choose a password" in client.get(path).content.decode()


def test_someone_else_signed_in_is_told_to_sign_out(client, sending):
    _invitation, path = _invite(sending)
    stranger = make_staff(make_organisation(), Role.COORDINATOR)
    client.force_login(stranger)
    response = client.get(path)
    assert response.status_code == 403
    assert "This invitation is for someone else" in response.content.decode()
    response = client.post(path, {"full_name": "x"})
    assert response.status_code == 403
    assert not StaffMembership.objects.filter(user=stranger, role=Role.FACILITATOR).exists()


def test_an_expired_link_says_so_and_whom_to_ask(client, sending):
    invitation, path = _invite(sending)
    StaffInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(path)
    assert response.status_code == 410
    page = response.content.decode()
    assert "This invitation has expired" in page
    assert invitation.invited_by.email in page
    response = client.post(path, {"full_name": "Fanni", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 410
    assert not User.objects.filter(email=invitation.email).exists()


def test_a_used_link_cannot_be_used_again(client, sending):
    invitation, path = _invite(sending)
    client.post(path, {"full_name": "Fanni", "password1": PASSWORD, "password2": PASSWORD})
    client.logout()
    response = client.get(path)
    assert response.status_code == 410
    assert "This invitation has already been used" in response.content.decode()
    with pytest.raises(InvitationClosedError):
        staff_invitation_accept(invitation=invitation, user=User.objects.get(email=invitation.email))


def test_a_cancelled_link_stops_working(client, sending):
    invitation, path = _invite(sending)
    staff_invitation_cancel(invitation=invitation, actor=invitation.invited_by)
    response = client.get(path)
    assert response.status_code == 410
    assert "This invitation was cancelled" in response.content.decode()


def test_an_unknown_link_is_explained(client):
    response = client.get(reverse("accounts:invitation", kwargs={"token": "not-a-real-token"}))
    assert response.status_code == 404
    page = response.content.decode()
    assert "This invitation link does not work" in page
    assert "ask the coordinator who invited you" in page


def test_sending_again_makes_a_new_link_and_the_old_one_dies(client, sending):
    invitation, old_path = _invite(sending)
    with sending():
        staff_invitation_resend(invitation=invitation, actor=invitation.invited_by)
    new_path = latest_message(STAFF_INVITATION, invitation.email).context["url"].removeprefix("http://127.0.0.1:8000")
    assert new_path != old_path
    assert client.get(old_path).status_code == 404
    assert client.get(new_path).status_code == 200
    assert len(mail.outbox) == 2


def test_an_expired_invitation_can_be_sent_again(client, sending):
    invitation, _path = _invite(sending)
    StaffInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(days=1))
    with sending():
        staff_invitation_resend(invitation=invitation, actor=invitation.invited_by)
    invitation.refresh_from_db()
    assert invitation.is_open
    path = latest_message(STAFF_INVITATION, invitation.email).context["url"].removeprefix("http://127.0.0.1:8000")
    assert client.get(path).status_code == 200


def test_inviting_the_same_address_again_renews_the_waiting_invitation(sending):
    invitation, _path = _invite(sending)
    with sending():
        again = staff_invite(
            organisation=invitation.organisation,
            email=invitation.email,
            role=invitation.role,
            invited_by=invitation.invited_by,
        )
    assert again.pk == invitation.pk
    assert StaffInvitation.objects.filter(email=invitation.email).count() == 1
    assert len(mail.outbox) == 2


def test_inviting_someone_who_already_has_the_role_is_refused():
    organisation = make_organisation()
    coordinator = make_staff(organisation, Role.COORDINATOR)
    with pytest.raises(ValidationError) as caught:
        staff_invite(organisation=organisation, email=coordinator.email, role=Role.COORDINATOR, invited_by=coordinator)
    assert "already a coordinator" in str(caught.value)
    # Another role is fine.
    staff_invite(organisation=organisation, email=coordinator.email, role=Role.FACILITATOR, invited_by=coordinator)


def test_the_invitation_email_is_in_the_invitees_own_language(sending):
    make_participant(make_programme(), email="svensk@example.org", language="sv")
    User.objects.filter(email="svensk@example.org").update(language="sv")
    _invite(sending, email="svensk@example.org")
    assert latest_message(STAFF_INVITATION, "svensk@example.org").language == "sv"

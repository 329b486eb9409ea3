"""A coordinator's staff page, and that nobody else sees it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kollega.accounts.models import StaffInvitation
from kollega.accounts.services import staff_invite
from kollega.core.models import Role, StaffMembership
from tests.factories import make_organisation, make_participant, make_programme, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_organisations():
    org_a = make_organisation("Organisation A")
    org_b = make_organisation("Organisation B")
    coordinator_a = make_staff(org_a, Role.COORDINATOR)
    coordinator_b = make_staff(org_b, Role.COORDINATOR)
    return org_a, org_b, coordinator_a, coordinator_b


def test_the_coordinator_sees_people_roles_and_waiting_invitations(client, two_organisations):
    org_a, _org_b, coordinator_a, _coordinator_b = two_organisations
    facilitator = make_staff(org_a, Role.FACILITATOR)
    staff_invite(organisation=org_a, email="waiting@example.org", role=Role.FACILITATOR, invited_by=coordinator_a)
    client.force_login(coordinator_a)
    page = client.get(reverse("accounts:staff", args=[org_a.slug])).content.decode()
    assert "Staff of Organisation A" in page
    assert facilitator.email in page and coordinator_a.email in page
    assert "waiting@example.org" in page
    assert "the only coordinator, so this role cannot be removed" in page
    assert '<th scope="col">' in page


def test_the_coordinator_invites_by_email_with_a_role(client, two_organisations, sending):
    org_a, _org_b, coordinator_a, _coordinator_b = two_organisations
    client.force_login(coordinator_a)
    with sending():
        response = client.post(
            reverse("accounts:staff", args=[org_a.slug]),
            {"email": "uusi@example.org", "full_name": "Uusi Koordinaattori", "role": Role.COORDINATOR},
            follow=True,
        )
    assert "An invitation was sent to uusi@example.org" in response.content.decode()
    invitation = StaffInvitation.objects.get(email="uusi@example.org")
    assert (invitation.organisation, invitation.role, invitation.invited_by) == (org_a, Role.COORDINATOR, coordinator_a)
    assert len(mail.outbox) == 1


def test_a_bad_invitation_shows_errors_next_to_fields_and_at_the_top(client, two_organisations):
    org_a, _org_b, coordinator_a, _coordinator_b = two_organisations
    client.force_login(coordinator_a)
    response = client.post(reverse("accounts:staff", args=[org_a.slug]), {"email": "not-an-address", "role": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error-summary"' in page
    assert 'href="#id_email"' in page
    assert 'id="id_email_error"' in page
    assert 'id="id_role_error"' in page
    assert not StaffInvitation.objects.exists()


def test_resend_and_cancel_from_the_page(client, two_organisations, sending):
    org_a, _org_b, coordinator_a, _coordinator_b = two_organisations
    invitation = staff_invite(
        organisation=org_a, email="w@example.org", role=Role.FACILITATOR, invited_by=coordinator_a
    )
    old_hash = invitation.token_hash
    client.force_login(coordinator_a)
    with sending():
        response = client.post(
            reverse("accounts:staff_invitation_resend", args=[org_a.slug, invitation.pk]), follow=True
        )
    assert "A new invitation link was sent to w@example.org" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.token_hash != old_hash

    response = client.post(reverse("accounts:staff_invitation_cancel", args=[org_a.slug, invitation.pk]), follow=True)
    assert "The invitation to w@example.org was cancelled" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None
    assert "No invitations are waiting for an answer." in response.content.decode()


def test_removing_a_role_asks_once_then_removes_it(client, two_organisations):
    org_a, _org_b, coordinator_a, _coordinator_b = two_organisations
    facilitator = make_staff(org_a, Role.FACILITATOR)
    membership = StaffMembership.objects.get(user=facilitator, organisation=org_a)
    client.force_login(coordinator_a)
    url = reverse("accounts:staff_remove", args=[org_a.slug, membership.pk])
    assert "Yes, remove the role" in client.get(url).content.decode()
    assert StaffMembership.objects.filter(pk=membership.pk).exists()
    response = client.post(url, follow=True)
    assert "is no longer a facilitator in Organisation A" in response.content.decode()
    assert not StaffMembership.objects.filter(pk=membership.pk).exists()


def test_the_last_coordinator_cannot_be_removed(client, two_organisations):
    org_a, _org_b, coordinator_a, _coordinator_b = two_organisations
    membership = StaffMembership.objects.get(user=coordinator_a, organisation=org_a)
    client.force_login(coordinator_a)
    response = client.post(reverse("accounts:staff_remove", args=[org_a.slug, membership.pk]), follow=True)
    assert "An organisation needs at least one coordinator." in response.content.decode()
    assert StaffMembership.objects.filter(pk=membership.pk).exists()


def test_with_two_coordinators_one_may_step_down(client, two_organisations):
    org_a, _org_b, coordinator_a, _coordinator_b = two_organisations
    make_staff(org_a, Role.COORDINATOR)
    membership = StaffMembership.objects.get(user=coordinator_a, organisation=org_a)
    client.force_login(coordinator_a)
    response = client.post(reverse("accounts:staff_remove", args=[org_a.slug, membership.pk]))
    assert response.url == reverse("home")
    assert client.get(reverse("accounts:staff", args=[org_a.slug])).status_code == 404


def test_a_coordinator_of_one_organisation_sees_nothing_of_another(client, two_organisations):
    org_a, org_b, coordinator_a, coordinator_b = two_organisations
    invitation_b = staff_invite(
        organisation=org_b, email="b@example.org", role=Role.FACILITATOR, invited_by=coordinator_b
    )
    membership_b = StaffMembership.objects.get(user=coordinator_b, organisation=org_b)
    client.force_login(coordinator_a)

    assert client.get(reverse("accounts:staff", args=[org_b.slug])).status_code == 404
    assert (
        client.post(
            reverse("accounts:staff", args=[org_b.slug]), {"email": "x@example.org", "role": "coordinator"}
        ).status_code
        == 404
    )
    for name, pk in [
        ("accounts:staff_invitation_resend", invitation_b.pk),
        ("accounts:staff_invitation_cancel", invitation_b.pk),
        ("accounts:staff_remove", membership_b.pk),
    ]:
        # Neither through the other organisation's address…
        assert client.post(reverse(name, args=[org_b.slug, pk])).status_code == 404
        # …nor by putting the other organisation's object under one's own.
        assert client.post(reverse(name, args=[org_a.slug, pk])).status_code == 404
    invitation_b.refresh_from_db()
    assert invitation_b.cancelled_at is None
    assert StaffMembership.objects.filter(pk=membership_b.pk).exists()
    assert not StaffInvitation.objects.filter(email="x@example.org").exists()


def test_facilitators_participants_and_strangers_get_no_staff_page(client, two_organisations):
    org_a, _org_b, _coordinator_a, _coordinator_b = two_organisations
    url = reverse("accounts:staff", args=[org_a.slug])
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    for user in [make_staff(org_a, Role.FACILITATOR), make_participant(make_programme(org_a)).user]:
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_the_staff_page_makes_the_same_number_of_queries_for_many_people(client, two_organisations):
    org_a, _org_b, coordinator_a, _coordinator_b = two_organisations
    url = reverse("accounts:staff", args=[org_a.slug])
    client.force_login(coordinator_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    make_staff(org_a, Role.FACILITATOR)
    staff_invite(organisation=org_a, email="i1@example.org", role=Role.FACILITATOR, invited_by=coordinator_a)
    few = count()
    for n in range(15):
        make_staff(org_a, Role.FACILITATOR if n % 2 else Role.COORDINATOR)
        staff_invite(organisation=org_a, email=f"i{n + 2}@example.org", role=Role.COORDINATOR, invited_by=coordinator_a)
    assert count() == few

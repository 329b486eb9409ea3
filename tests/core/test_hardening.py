"""Closed doors: what must not be possible, and what removing a person takes away."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kollega.core import services
from kollega.core.models import ConsentItem, Participant, Role, Status
from kollega.grouping.models import Group
from tests.factories import make_group, make_organisation, make_participant, make_programme, make_staff


@pytest.mark.django_db
def test_the_sign_in_address_cannot_be_changed_through_allauth() -> None:
    participant = make_participant(make_programme())
    client = Client()
    client.force_login(participant.user)
    assert client.get("/accounts/email/").status_code == 404
    response = client.post("/accounts/email/", {"action_add": "", "email": "someone.else@example.org"})
    assert response.status_code == 404
    participant.user.refresh_from_db()
    assert participant.user.email != "someone.else@example.org"


@pytest.mark.django_db
def test_admin_sign_in_goes_through_the_rate_limited_sign_in() -> None:
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_a_consent_dated_in_the_future_is_refused() -> None:
    participant = make_participant(make_programme())
    with pytest.raises(ValidationError):
        services.consent_record(
            participant=participant,
            item=ConsentItem.SHARE_EMAIL,
            given=True,
            actor=None,
            at=timezone.now() + timedelta(days=365),
        )
    assert participant.consents.count() == 0


@pytest.mark.django_db
def test_a_facilitator_removed_from_the_staff_no_longer_sees_the_group() -> None:
    org = make_organisation()
    make_staff(org)  # a coordinator stays
    facilitator = make_staff(org, Role.FACILITATOR)
    group = make_group(make_programme(org), members=2, lead=facilitator)
    member = Participant.objects.filter(membership__group=group).first()
    client = Client()
    client.force_login(facilitator)
    assert group.name in client.get(reverse("grouping:my_groups")).text
    services.staff_membership_remove(membership=facilitator.staff_memberships.get(), actor=None)
    group.refresh_from_db()
    assert group.lead_facilitator is None
    assert group.name not in client.get(reverse("grouping:my_groups")).text
    from kollega.core.selectors import participant_visible_to

    assert member is not None and not participant_visible_to(user=facilitator, participant=member)


@pytest.mark.django_db
def test_a_facilitator_from_a_partner_organisation_keeps_the_group_while_staff_there() -> None:
    host, partner = make_organisation("Host"), make_organisation("Partner")
    make_staff(partner)
    facilitator = make_staff(partner, Role.FACILITATOR)
    group = make_group(make_programme(host), members=1, co=facilitator)
    client = Client()
    client.force_login(facilitator)
    assert group.name in client.get(reverse("grouping:my_groups")).text


@pytest.mark.django_db
def test_a_withdrawn_member_no_longer_sees_the_peers() -> None:
    programme = make_programme()
    past = timezone.now() - timedelta(days=30)
    group = make_group(programme, members=2, meetings=2, first_meeting_at=past)
    leaver, stayer = Participant.objects.filter(membership__group=group).order_by("pk")
    services.consent_record(participant=stayer, item=ConsentItem.SHARE_NAME, given=True, actor=None)
    from kollega.meetings.services import meeting_mark_held

    meeting_mark_held(meeting=group.meetings.get(number=1), actor=None)
    services.participant_change_status(participant=leaver, to_status=Status.WITHDRAWN, actor=None, reason="paused")
    client = Client()
    client.force_login(leaver.user)
    page = client.get(reverse("core:participant_home")).text
    assert stayer.user.full_name not in page
    client.force_login(stayer.user)
    assert stayer.user.full_name in client.get(reverse("core:participant_home")).text


@pytest.mark.django_db
def test_the_programme_address_name_is_made_safe() -> None:
    org = make_organisation()
    programme = services.programme_create_from_template(organisation=org, title={"fi": "X"}, slug="Kevät 2027/<b>")
    assert programme.slug == "kevat-2027b"
    with pytest.raises(ValidationError):
        services.programme_create_from_template(organisation=org, title={"fi": "Y"}, slug="///")
    assert not Group.objects.exists()


@pytest.mark.django_db
def test_the_last_coordinator_cannot_be_removed() -> None:
    org = make_organisation()
    coordinator = make_staff(org)
    with pytest.raises(ValidationError):
        services.staff_membership_remove(membership=coordinator.staff_memberships.get(), actor=None)
    second = make_staff(org)
    services.staff_membership_remove(membership=coordinator.staff_memberships.get(), actor=None)
    with pytest.raises(ValidationError):
        services.staff_membership_remove(membership=second.staff_memberships.get(), actor=None)

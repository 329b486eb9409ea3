"""A request to be contacted after a low well-being result shows on the person's page, for coordinators only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kollega.core.models import Role
from kollega.evaluation.models import ContactRequest
from tests.factories import make_participant, make_programme, make_staff

pytestmark = pytest.mark.django_db


def test_the_coordinator_sees_the_request_on_the_participant_page() -> None:
    programme = make_programme()
    participant = make_participant(programme)
    coordinator = make_staff(programme.organisation, Role.COORDINATOR)
    client = Client()
    client.force_login(coordinator)
    url = reverse("core:participant_detail", args=[participant.pk])
    assert "Asked to be contacted" not in client.get(url).text
    ContactRequest.objects.create(participant=participant)
    page = client.get(url).text
    assert "Asked to be contacted" in page
    assert "this person asked a coordinator to get in touch" in page

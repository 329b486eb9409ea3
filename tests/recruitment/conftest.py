"""Programmes to register for."""

from __future__ import annotations

import pytest

from kollega.core.models import Programme
from kollega.core.services import organisation_update
from tests.factories import make_organisation, make_programme


@pytest.fixture
def programme(db: None) -> Programme:
    organisation = make_organisation("Yrittäjäpolku ry")
    organisation_update(organisation=organisation, actor=None, support_email="tuki@yrittajapolku.example.org")
    return make_programme(organisation)


@pytest.fixture
def small_programme(programme: Programme) -> Programme:
    """Two places, offers open for 48 hours."""
    programme.capacity = 2
    programme.offer_hours = 48
    programme.save(update_fields=["capacity", "offer_hours"])
    return programme

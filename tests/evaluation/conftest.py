"""Programmes with consenting and declining participants for the questionnaire tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kollega.core.models import ConsentItem, Participant, Programme, Status
from kollega.core.services import consent_record
from kollega.evaluation.wellbeing import PEER_SUPPORT_ITEMS, WHO5_ITEMS
from tests.factories import make_participant, make_programme


@pytest.fixture
def programme(db: Any) -> Programme:
    return make_programme()


@pytest.fixture
def person(programme: Programme) -> Callable[..., Participant]:
    """A participant in English who agreed (or not) to the well-being questionnaire."""

    def make(consent: bool = True, status: str = Status.INTERVIEW_BOOKED, **fields: Any) -> Participant:
        fields.setdefault("language", "en")
        participant = make_participant(programme, status, **fields)
        consent_record(participant=participant, item=ConsentItem.WELLBEING_QUESTIONNAIRE, given=consent, actor=None)
        return participant

    return make


def answers(who5: tuple[int, ...] = (4, 4, 3, 3, 4), peer: tuple[int, ...] = (4, 3, 3, 4, 2)) -> dict[str, str]:
    """A filled-in page: WHO-5 values 0–5 and the work and peer support values 1–5."""
    return {
        **{key: str(value) for key, value in zip(WHO5_ITEMS, who5, strict=True)},
        **{key: str(value) for key, value in zip(PEER_SUPPORT_ITEMS, peer, strict=True)},
    }

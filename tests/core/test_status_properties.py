"""Any sequence of requested moves keeps the status and its history consistent."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kollega.core import services
from kollega.core.models import Status
from kollega.core.services import TransitionError
from tests.core.test_status_machine import ALLOWED
from tests.factories import make_participant, make_programme


@pytest.mark.django_db
@given(moves=st.lists(st.sampled_from(Status.values), max_size=8))
def test_random_walks_follow_the_rules_and_keep_a_continuous_history(moves: list[str]) -> None:
    participant = make_participant(make_programme())
    expected = Status.REGISTERED
    for target in moves:
        # Without a group, "in group" has not started: look it up as such.
        state = "in_group:not_started" if expected == Status.IN_GROUP else expected
        try:
            services.participant_change_status(participant=participant, to_status=target, actor=None, reason="r")
        except TransitionError:
            # "In a group" is reached only by placing the person in a group, never directly.
            assert target not in ALLOWED[state] or target == Status.IN_GROUP
        else:
            assert target in ALLOWED[state] and target != Status.IN_GROUP
            expected = target
        participant.refresh_from_db()
        assert participant.status == expected
    history = list(participant.status_changes.order_by("at", "id"))
    assert history[0].from_status == "" and history[0].to_status == Status.REGISTERED
    for before, after in itertools.pairwise(history):
        assert after.from_status == before.to_status
    assert history[-1].to_status == participant.status

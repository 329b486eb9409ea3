"""Many registrations at the same moment, against PostgreSQL: capacity holds and the queue keeps its order."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection

from kollega.accounts.models import User
from kollega.core.models import Participant, Status
from kollega.recruitment import selectors
from kollega.recruitment.services import RegistrationOutcome, registration_submit
from tests.factories import make_organisation, make_programme
from tests.recruitment.factories import answers

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CAPACITY = 50
REGISTRATIONS = 200
# PostgreSQL's default limit is 100 connections: 40 at once keep every one of them busy waiting for the lock.
THREADS = 40


def run_together(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` for every i in threads released at the same moment; re-raise the first error."""
    barrier = threading.Barrier(THREADS)

    def body(i: int) -> Any:
        try:
            if i < THREADS:
                barrier.wait(timeout=30)
            return work(i)
        finally:
            connection.close()  # each thread has its own connection

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(body, range(count)))


def test_two_hundred_registrations_at_once_fill_fifty_places_and_queue_the_rest_in_order() -> None:
    assert connection.vendor == "postgresql"
    programme = make_programme(make_organisation(), capacity=CAPACITY)
    payloads = [answers(programme, email=f"racer{i}@example.org") for i in range(REGISTRATIONS)]

    def register(i: int) -> RegistrationOutcome:
        return registration_submit(programme=programme, raw=payloads[i], language="fi", notify=False)

    outcomes = run_together(REGISTRATIONS, register)

    assert [o.outcome for o in outcomes].count("registered") == CAPACITY
    assert Participant.objects.filter(programme=programme, status=Status.REGISTERED).count() == CAPACITY
    waiting = selectors.waiting_list(programme=programme)
    assert len(waiting) == REGISTRATIONS - CAPACITY
    # Submission order is the order in which registrations got the programme's lock: the order they were stored.
    stored_order = list(
        Participant.objects.filter(programme=programme).order_by("registered_at", "id").values_list("pk", "status")
    )
    assert [pk for pk, _status in stored_order] == sorted(pk for pk, _status in stored_order)
    first_waiting = next(i for i, (_pk, status) in enumerate(stored_order) if status == Status.WAITING_LIST)
    assert first_waiting == CAPACITY, "someone was queued while places were still free"
    assert all(status == Status.WAITING_LIST for _pk, status in stored_order[CAPACITY:])
    assert [p.pk for p in waiting] == [pk for pk, _status in stored_order[CAPACITY:]]
    # Each was told the place they have now: 1..150, each once.
    told = {o.participant.pk: o.waiting_position for o in outcomes if o.outcome == "waiting_list"}
    assert sorted(told.values()) == list(range(1, REGISTRATIONS - CAPACITY + 1))
    assert [selectors.waiting_position(participant=p) for p in waiting] == list(range(1, len(waiting) + 1))
    assert [told[p.pk] for p in waiting] == list(range(1, len(waiting) + 1))
    # No duplicate people.
    assert User.objects.filter(email__startswith="racer").count() == REGISTRATIONS
    assert Participant.objects.filter(programme=programme).values("user").distinct().count() == REGISTRATIONS


def test_the_same_address_twice_at_once_makes_one_participant() -> None:
    programme = make_programme(make_organisation(), capacity=CAPACITY)
    payload = answers(programme, email="twice@example.org")

    outcomes = run_together(
        THREADS,
        lambda i: registration_submit(
            programme=programme,
            raw={**payload, "email": "TWICE@example.org" if i % 2 else payload["email"]},
            language="fi",
            notify=False,
        ),
    )

    assert sorted(o.outcome for o in outcomes) == ["confirm_email"] * (THREADS - 1) + ["registered"]
    assert Participant.objects.filter(programme=programme).count() == 1

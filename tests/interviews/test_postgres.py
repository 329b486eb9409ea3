"""Twenty applicants click the same slot at the same moment, against PostgreSQL: one gets it."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from kollega.core.models import Participant, Status
from kollega.interviews import services
from kollega.interviews.models import InterviewBooking
from tests.interviews.slot_helpers import applicant, make_setup, make_slot

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20


def test_twenty_applicants_booking_one_slot_at_once_leave_exactly_one_booking() -> None:
    assert connection.vendor == "postgresql"
    setup = make_setup()
    slot = make_slot(setup)
    make_slot(setup, days=4, hour=14)
    people = [applicant(setup) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)

    def book(person: Participant) -> str:
        try:
            barrier.wait(timeout=30)
            services.booking_create(slot=slot, participant=person)
            return "booked"
        except ValidationError as exc:
            return exc.code or "error"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        outcomes = list(pool.map(book, people))

    assert outcomes.count("booked") == 1
    assert outcomes.count("taken") == THREADS - 1
    assert InterviewBooking.objects.filter(slot=slot, cancelled_at__isnull=True).count() == 1
    assert Participant.objects.filter(programme=setup.programme, status=Status.INTERVIEW_BOOKED).count() == 1
    assert Participant.objects.filter(programme=setup.programme, status=Status.REGISTERED).count() == THREADS - 1


def test_one_applicant_double_clicking_two_slots_gets_one_booking() -> None:
    setup = make_setup()
    slots = [make_slot(setup, days=3 + i) for i in range(THREADS)]
    person = applicant(setup)
    barrier = threading.Barrier(THREADS)

    def book(i: int) -> str:
        try:
            barrier.wait(timeout=30)
            services.booking_create(slot=slots[i], participant=person)
            return "booked"
        except ValidationError as exc:
            return exc.code or "error"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        outcomes = list(pool.map(book, range(THREADS)))

    assert outcomes.count("booked") == 1
    assert outcomes.count("cannot_book") == THREADS - 1
    assert InterviewBooking.objects.filter(participant=person).count() == 1

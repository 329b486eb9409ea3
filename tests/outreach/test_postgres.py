"""Races on PostgreSQL: the same page or channel made at the same moment by two requests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from kollega.outreach import services
from kollega.outreach.models import Channel, ProgrammePage
from kollega.recruitment.selectors import registration_form
from kollega.surveys import services as survey_services
from kollega.surveys.models import Form, Purpose
from tests.factories import make_programme

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_in_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    """``work(i)`` in ``count`` threads started together, each with its own connection; results or exceptions."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def body(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except BaseException as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_the_page_made_twice_at_once_is_one_page() -> None:
    programme = make_programme()
    results = run_in_threads(6, lambda _i: services.programme_page_get_or_create(programme=programme).pk)
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1 and ProgrammePage.objects.filter(programme=programme).count() == 1


def test_the_same_channel_added_twice_at_once_is_added_once() -> None:
    programme = make_programme()
    results = run_in_threads(
        6,
        lambda _i: services.channel_create(programme=programme, name={"en": "LinkedIn"}, kind="other", actor=None),
    )
    made = [r for r in results if isinstance(r, Channel)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(made) == 1 and len(refused) == 5, results
    assert "already has the link tag" in refused[0].message_dict["key"][0]
    assert Channel.objects.filter(programme=programme).count() == 1


def test_two_copies_put_in_use_at_once_leave_one_form_in_use() -> None:
    programme = make_programme()
    original = registration_form(programme=programme)
    assert original is not None
    copies = [survey_services.form_copy(form=original) for _ in range(4)]
    results = run_in_threads(4, lambda i: survey_services.form_activate(form=copies[i]))
    assert all(isinstance(r, Form) for r in results), results
    active = Form.objects.filter(programme=programme, purpose=Purpose.REGISTRATION, active=True)
    assert active.count() == 1 and active.get() in copies

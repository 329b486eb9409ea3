"""The nightly session clean-up: expired sessions go, live ones stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from kollega.core import tasks
from tests.outreach_public.conftest import register_url, step_post
from tests.recruitment.factories import answers


def _start_registration(client: Client, programme) -> str:
    url = register_url(programme)
    started = client.get(url).context["state_id"]
    assert client.post(url, step_post(programme, answers(programme), 0, started)).status_code == 302
    return started


def test_the_nightly_job_deletes_expired_sessions_and_keeps_a_registrant_who_is_still_answering(programme):
    left, still_here = Client(), Client()
    _start_registration(left, programme)
    _start_registration(still_here, programme)
    assert Session.objects.count() == 2
    Session.objects.filter(session_key=left.session.session_key).update(
        expire_date=timezone.now() - timedelta(minutes=1)
    )

    tasks.sessions_clear_expired_job.call_local()

    assert list(Session.objects.values_list("session_key", flat=True)) == [still_here.session.session_key]
    # The one still answering carries on where they were, with their answers.
    page = still_here.get(register_url(programme) + "?step=2")
    assert "Step 2 of" in page.content.decode()
    back = still_here.get(register_url(programme) + "?step=1")
    assert 'value="+358 40 123 4567"' in back.content.decode()


def test_the_session_clean_up_runs_once_a_day_at_night():
    task = tasks.sessions_clear_expired_job.s()
    runs = [
        (hour, minute)
        for hour in range(24)
        for minute in range(60)
        if task.validate_datetime(datetime(2026, 3, 2, hour, minute, tzinfo=UTC).replace(tzinfo=None))
    ]
    assert [hour for hour, _minute in runs] == [1]  # 01:23 UTC: 03:23 or 04:23 in Finland

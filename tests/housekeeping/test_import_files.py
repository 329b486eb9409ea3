"""Uploaded import files hold personal data: one not imported within a week is deleted, and the pages say so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kollega.core import tasks
from kollega.core.models import AuditEntry, Participant
from kollega.recruitment.importing import services
from kollega.recruitment.importing.retention import import_files_forget
from kollega.recruitment.models import ImportJob, ImportState
from tests.factories import make_staff
from tests.recruitment_import.conftest import csv_bytes, person


@pytest.fixture
def coordinator(programme):
    return make_staff(programme.organisation)


@pytest.fixture
def client(coordinator) -> Client:
    client = Client()
    client.force_login(coordinator)
    return client


def _job(programme, coordinator, *, state: str, age: timedelta) -> ImportJob:
    """An upload of two good rows, taken as far as ``state``, uploaded ``age`` ago."""
    job = services.import_job_create(
        programme=programme,
        file_name="lyyti.csv",
        content=csv_bytes([person(1), person(2)]),
        actor=coordinator,
    )
    if state in (ImportState.CHECKING, ImportState.CHECKED):
        services.import_job_map(job=job, mapping=job.mapping, actor=coordinator, queue=False)
    if state == ImportState.CHECKED:
        services.import_job_check(job_id=job.pk)
    if state == ImportState.IMPORTING:
        ImportJob.objects.filter(pk=job.pk).update(state=ImportState.IMPORTING)  # a worker that died mid-import
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - age)
    job.refresh_from_db()
    assert job.state == state and job.content
    return job


def _forget_tonight() -> None:
    tasks.import_files_forget_job.call_local()


@pytest.mark.parametrize("state", [ImportState.UPLOADED, ImportState.CHECKED])
def test_a_file_not_imported_within_a_week_is_deleted_and_the_pages_offer_to_upload_it_again(
    programme, coordinator, client, state
):
    job = _job(programme, coordinator, state=state, age=timedelta(days=7, hours=1))

    _forget_tonight()

    job.refresh_from_db()
    assert bytes(job.content) == b""
    assert job.report["file_forgotten_at"]
    assert AuditEntry.objects.filter(
        action="recruitment.import.file_forgotten", subject__endswith=f":{job.pk}"
    ).exists()

    detail = client.get(reverse("imports:detail", args=[programme.pk, job.pk]))
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "The file was deleted" in text
    assert "“lyyti.csv” was not imported within 7 days of uploading, so Kollega deleted it on" in text
    assert f'href="{reverse("imports:list", args=[programme.pk])}">Upload the file again</a>' in text
    assert "Import 2 rows" not in text and "Check the file again" not in text
    # The columns page and the import button lead nowhere without the file.
    columns = client.get(reverse("imports:mapping", args=[programme.pk, job.pk]))
    assert columns.status_code == 302 and columns["Location"] == reverse("imports:detail", args=[programme.pk, job.pk])
    client.post(reverse("imports:start", args=[programme.pk, job.pk]), {"mode": "all_or_nothing"})
    assert not Participant.objects.filter(programme=programme).exists()
    listing = client.get(reverse("imports:list", args=[programme.pk]))
    assert "File deleted" in listing.content.decode()


def test_a_younger_file_and_a_finished_import_are_left_alone(programme, coordinator, client):
    young = _job(programme, coordinator, state=ImportState.CHECKED, age=timedelta(days=6, hours=23))
    finished = _job(programme, coordinator, state=ImportState.CHECKED, age=timedelta(days=3))
    services.import_job_start(job=finished, actor=coordinator, queue=False)
    services.import_job_run(job_id=finished.pk)
    ImportJob.objects.filter(pk=finished.pk).update(created_at=timezone.now() - timedelta(days=30))

    _forget_tonight()

    young.refresh_from_db()
    assert young.content and young.state == ImportState.CHECKED
    assert "Import 2 rows" in client.get(reverse("imports:detail", args=[programme.pk, young.pk])).content.decode()
    finished.refresh_from_db()
    assert finished.state == ImportState.DONE and "file_forgotten_at" not in finished.report
    done_page = client.get(reverse("imports:detail", args=[programme.pk, finished.pk])).content.decode()
    assert "2 registrations imported" in done_page and "The file was deleted" not in done_page


def test_an_import_that_stopped_midway_loses_its_file_two_days_after_the_week(programme, coordinator):
    recent = _job(programme, coordinator, state=ImportState.IMPORTING, age=timedelta(days=8))
    stalled = _job(programme, coordinator, state=ImportState.IMPORTING, age=timedelta(days=9, hours=1))

    assert import_files_forget() == 1

    recent.refresh_from_db()
    stalled.refresh_from_db()
    assert recent.content and recent.state == ImportState.IMPORTING  # may still be running
    assert bytes(stalled.content) == b"" and stalled.state == ImportState.FAILED


def test_a_check_still_running_when_the_file_goes_cannot_offer_an_import(programme, coordinator, client):
    job = _job(programme, coordinator, state=ImportState.CHECKING, age=timedelta(days=8))

    _forget_tonight()
    services.import_job_check(job_id=job.pk)  # the check's worker finishes afterwards

    job.refresh_from_db()
    assert job.state == ImportState.FAILED and "file_forgotten_at" in job.report
    text = client.get(reverse("imports:detail", args=[programme.pk, job.pk])).content.decode()
    assert "The file was deleted" in text and "Import 2 rows" not in text


def test_running_the_clean_up_again_changes_nothing(programme, coordinator):
    job = _job(programme, coordinator, state=ImportState.CHECKED, age=timedelta(days=10))
    assert import_files_forget() == 1
    job.refresh_from_db()
    forgotten_at = job.report["file_forgotten_at"]
    assert import_files_forget(now=timezone.now() + timedelta(days=1)) == 0
    job.refresh_from_db()
    assert job.report["file_forgotten_at"] == forgotten_at


def test_the_file_clean_up_runs_once_a_day_at_night():
    task = tasks.import_files_forget_job.s()
    runs = [
        (hour, minute)
        for hour in range(24)
        for minute in range(60)
        if task.validate_datetime(datetime(2026, 3, 2, hour, minute, tzinfo=UTC).replace(tzinfo=None))
    ]
    assert runs == [(1, 41)]

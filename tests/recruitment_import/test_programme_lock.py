"""An import does not keep the programme's public registrations waiting longer than it must.

All rows or none is one transaction that locks the programme once, at its
start, so registrations through the form wait for the whole import: it takes
at most ``ALL_OR_NOTHING_MAX_ROWS`` rows. "Only the valid rows" locks the
programme once per batch. A file that can never be imported is forgotten.
"""

from __future__ import annotations

import re
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kollega.accounts.models import User
from kollega.core.models import Participant, Programme
from kollega.recruitment.importing import services
from kollega.recruitment.models import ImportJob, ImportMode, ImportState
from kollega.recruitment.services import registration_submit
from tests.factories import make_programme
from tests.recruitment.factories import answers
from tests.recruitment_import.conftest import csv_bytes, person

PROGRAMME_LOCK = re.compile(r'FROM "core_programme".*FOR NO KEY UPDATE', re.DOTALL)


def checked(programme: Programme, rows: int, mode: str = ImportMode.ALL_OR_NOTHING) -> ImportJob:
    content = csv_bytes([person(n) for n in range(1, rows + 1)])
    job = services.import_job_create(programme=programme, file_name="lyyti.csv", content=content, mode=mode)
    services.import_job_map(job=job, mapping=job.mapping, queue=False)
    result = services.import_job_check(job_id=job.pk, language="en")
    assert result is not None and result.state == ImportState.CHECKED
    return result


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the size of an all-or-nothing import ---------------------------------------------------------


def test_all_or_nothing_refuses_more_rows_than_its_limit_and_says_what_to_do(
    programme: Programme, coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "ALL_OR_NOTHING_MAX_ROWS", 4)
    job = checked(programme, rows=5)

    ok, why = services.import_job_importable(job=job)
    assert not ok
    assert "All rows or none can import at most 4 rows at a time, and this file has 5" in why
    assert "Import only the valid rows instead (they are written 100 at a time)" in why
    with pytest.raises(ValidationError) as refused:
        services.import_job_start(job=job, queue=False)
    assert refused.value.messages == [why]
    assert not Participant.objects.filter(programme=programme).exists()

    page = signed_in(coordinator).get(reverse("imports:detail", args=[programme.pk, job.pk]))
    assert "All rows or none can import at most 4 rows" in page.text
    assert "Import only the 5 valid rows" in page.text

    # The way out it names works.
    services.import_job_start(job=job, mode=ImportMode.VALID_ONLY, queue=False)
    done = services.import_job_run(job_id=job.pk, language="en")
    assert done is not None and done.state == ImportState.DONE
    assert Participant.objects.filter(programme=programme).count() == 5


def test_all_or_nothing_up_to_the_limit_is_imported(programme: Programme, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "ALL_OR_NOTHING_MAX_ROWS", 5)
    job = checked(programme, rows=5)
    services.import_job_start(job=job, queue=False)
    done = services.import_job_run(job_id=job.pk, language="en")
    assert done is not None and done.state == ImportState.DONE
    assert Participant.objects.filter(programme=programme).count() == 5


def test_a_job_started_before_the_limit_stops_with_the_same_message_and_keeps_its_file(
    programme: Programme, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = checked(programme, rows=5)
    services.import_job_start(job=job, queue=False)
    monkeypatch.setattr(services, "ALL_OR_NOTHING_MAX_ROWS", 4)  # lowered while the job waited in the queue

    failed = services.import_job_run(job_id=job.pk, language="en")

    assert failed is not None and failed.state == ImportState.FAILED
    assert "at most 4 rows" in failed.report["error"]
    assert bytes(failed.content)  # it can be checked again and imported in batches
    assert not Participant.objects.filter(programme=programme).exists()


# --- forgetting a file that can never be imported ------------------------------------------------


def test_a_file_that_cannot_be_read_any_more_is_forgotten(programme: Programme, coordinator: User) -> None:
    job = services.import_job_create(
        programme=programme, file_name="lyyti.csv", content=csv_bytes([person(1)]), mode=ImportMode.ALL_OR_NOTHING
    )
    services.import_job_map(job=job, mapping=job.mapping, queue=False)
    ImportJob.objects.filter(pk=job.pk).update(content=b"\x00\x01\x02 not text \x00" * 50)  # damaged in storage

    failed = services.import_job_check(job_id=job.pk, language="en")

    assert failed is not None and failed.state == ImportState.FAILED
    assert bytes(ImportJob.objects.get(pk=job.pk).content) == b""
    page = signed_in(coordinator).get(reverse("imports:detail", args=[programme.pk, job.pk]))
    assert "The file could not be imported" in page.text
    assert "Check the file again" not in page.text


def test_a_row_refused_at_the_last_moment_keeps_the_file_to_check_again(programme: Programme) -> None:
    job = checked(programme, rows=3)
    services.import_job_start(job=job, queue=False)
    registration_submit(programme=programme, raw=answers(programme, email="person2@example.org"), language="en")

    failed = services.import_job_run(job_id=job.pk, language="en")

    assert failed is not None and failed.state == ImportState.FAILED
    assert "person2@example.org is already registered in this programme; not changed." in failed.report["error"]
    assert "Nothing was imported." in failed.report["error"]
    assert bytes(failed.content)
    assert Participant.objects.filter(programme=programme).count() == 1


def test_an_unexpected_error_keeps_the_file(programme: Programme, monkeypatch: pytest.MonkeyPatch) -> None:
    job = services.import_job_create(
        programme=programme, file_name="lyyti.csv", content=csv_bytes([person(1)]), mode=ImportMode.ALL_OR_NOTHING
    )
    services.import_job_map(job=job, mapping=job.mapping, queue=False)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "check_table", broken)
    with pytest.raises(RuntimeError):
        services.import_job_check(job_id=job.pk, language="en")
    stopped = ImportJob.objects.get(pk=job.pk)
    assert stopped.state == ImportState.FAILED and bytes(stopped.content)


# --- the programme's lock (PostgreSQL) ----------------------------------------------------------------


def _programme_locks(queries: list[dict[str, str]]) -> int:
    return sum(1 for q in queries if PROGRAMME_LOCK.search(q["sql"]))


@pytest.mark.postgres
def test_all_or_nothing_locks_the_programme_once(programme: Programme) -> None:
    job = checked(programme, rows=12)
    services.import_job_start(job=job, queue=False)
    with CaptureQueriesContext(connection) as queries:
        done = services.import_job_run(job_id=job.pk, language="en")
    assert done is not None and done.state == ImportState.DONE
    assert _programme_locks(queries.captured_queries) == 1


@pytest.mark.postgres
def test_only_the_valid_rows_locks_the_programme_once_a_batch(
    programme: Programme, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "BATCH", 5)
    job = checked(programme, rows=12, mode=ImportMode.VALID_ONLY)
    services.import_job_start(job=job, queue=False)
    with CaptureQueriesContext(connection) as queries:
        done = services.import_job_run(job_id=job.pk, language="en")
    assert done is not None and done.state == ImportState.DONE
    assert _programme_locks(queries.captured_queries) == 3
    assert Participant.objects.filter(programme=programme).count() == 12


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_registration_during_an_import_of_valid_rows_waits_for_one_batch_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(services, "BATCH", 10)
    programme = make_programme()
    job = checked(programme, rows=200, mode=ImportMode.VALID_ONLY)
    services.import_job_start(job=job, queue=False)
    timings: dict[str, float] = {}
    started = threading.Event()

    original = services._register

    def register_row(*args: object, **kwargs: object) -> str:
        started.set()
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(services, "_register", register_row)

    def run() -> None:
        begin = time.monotonic()
        try:
            services.import_job_run(job_id=job.pk, language="en")
        finally:
            timings["import"] = time.monotonic() - begin
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    assert started.wait(30)
    begin = time.monotonic()
    outcome = registration_submit(programme=programme, raw=answers(programme, email="web@example.org"), language="en")
    timings["registration"] = time.monotonic() - begin
    worker.join()

    assert outcome.outcome == "registered"
    assert Participant.objects.filter(programme=programme).count() == 201
    # One batch is a twentieth of the import; the registration waits for at most about one.
    assert timings["registration"] < timings["import"] / 4, timings

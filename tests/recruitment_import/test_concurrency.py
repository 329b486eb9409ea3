"""Two workers running the same import at once register everybody exactly once (PostgreSQL row locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from kollega.core.models import Participant
from kollega.recruitment.importing import services
from kollega.recruitment.models import ImportJob, ImportMode, ImportState
from tests.factories import make_programme
from tests.recruitment_import.conftest import csv_bytes, person

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("mode", [ImportMode.VALID_ONLY, ImportMode.ALL_OR_NOTHING])
def test_two_workers_import_each_row_once(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "BATCH", 3)
    programme = make_programme()
    job = services.import_job_create(
        programme=programme, file_name="a.csv", content=csv_bytes([person(n) for n in range(20)]), mode=mode
    )
    services.import_job_map(job=job, mapping=job.mapping, queue=False)
    services.import_job_check(job_id=job.pk)
    services.import_job_start(job=ImportJob.objects.get(pk=job.pk), queue=False)

    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        try:
            barrier.wait()
            services.import_job_run(job_id=job.pk)
        except BaseException as error:  # reported by the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    done = ImportJob.objects.get(pk=job.pk)
    assert done.state == ImportState.DONE
    assert done.report["imported"] == 20
    assert done.report["write_failures"] == []
    assert Participant.objects.filter(programme=programme).count() == 20

"""How long an uploaded import file is kept.

An import file holds people's names, addresses and answers. A finished import
removes its file at once (``services._finish``); a file whose import is never
finished is forgotten ``KEEP_FILE_FOR`` after it was uploaded, by a nightly job
(``core.tasks.import_files_forget_job``). The job's row stays, with its report,
so the coordinator sees what happened: the import pages say that the file was
deleted and offer to upload it again.

A forgotten job goes to the state "failed": nothing can be checked or imported
without the file, and the state change (made under the row's lock) stops a
check that is still running from storing a report that would offer an import.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kollega.core.services import audit_log
from kollega.recruitment.models import ImportJob, ImportState

#: An uploaded file whose import has not finished is kept this long after the upload.
KEEP_FILE_FOR = timedelta(days=7)
#: An import still running this much later than that has stopped (its worker died): its file goes too.
#: An import can start only before its file is forgotten, so by then it has been "importing" for this long.
STALLED_IMPORT_AFTER = timedelta(days=2)
#: Where the report records when the file was forgotten (an ISO 8601 time).
FORGOTTEN_KEY = "file_forgotten_at"


def _due(*, now: datetime) -> Any:
    """The jobs whose file is due to be forgotten at ``now``, without the files themselves."""
    cutoff = now - KEEP_FILE_FOR
    return (
        ImportJob.objects.filter(created_at__lt=cutoff)
        .exclude(state=ImportState.DONE)
        .exclude(state=ImportState.IMPORTING, created_at__gte=cutoff - STALLED_IMPORT_AFTER)
        .exclude(content=b"")
        .defer("content")
    )


def import_files_forget(*, now: datetime | None = None) -> int:
    """Delete the file of every import not finished ``KEEP_FILE_FOR`` after its upload; how many were deleted.

    Each job is its own transaction under its row's lock, so a large backlog
    never holds many rows, and a job finished meanwhile is left alone.
    """
    now = now or timezone.now()
    forgotten = 0
    for pk in list(_due(now=now).order_by("pk").values_list("pk", flat=True)):
        forgotten += import_file_forget(job_id=pk, now=now)
    return forgotten


@transaction.atomic
def import_file_forget(*, job_id: int, now: datetime | None = None) -> bool:
    """Delete one job's file if it is still due (see ``import_files_forget``); whether it was deleted."""
    now = now or timezone.now()
    job = (
        _due(now=now)
        .select_for_update(no_key=True, of=("self",))
        .select_related("programme__organisation")
        .filter(pk=job_id)
        .first()
    )
    if job is None:
        return False
    previous_state = job.state
    report = dict(job.report or {})
    report.pop("phase", None)
    report[FORGOTTEN_KEY] = now.isoformat()
    job.report = report
    job.content = b""
    job.state = ImportState.FAILED
    job.finished_at = job.finished_at or now
    job.save(update_fields=["report", "content", "state", "finished_at"])
    audit_log(
        action="recruitment.import.file_forgotten",
        subject=job,
        organisation=job.programme.organisation,
        data={"programme": job.programme_id, "file": job.file_name, "state": previous_state},
    )
    return True


def file_forgotten_at(job: ImportJob) -> datetime | None:
    """When the job's file was deleted for being kept too long, or None."""
    value = (job.report or {}).get(FORGOTTEN_KEY)
    return parse_datetime(value) if isinstance(value, str) else None

"""Background jobs of recruitment. Periodic ones are declared in :mod:`kollega.core.tasks`.

Jobs take primary keys and call a service; each is safe to run twice (the
services look at the import's state first).
"""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from kollega.recruitment.importing.services import import_job_check, import_job_run


@db_task()
def import_check_task(job_id: int, language: str) -> None:
    """The dry run of an uploaded file: queued when the coordinator has chosen the columns."""
    import_job_check(job_id=job_id, language=language)


@db_task()
def import_run_task(job_id: int, language: str) -> None:
    """The import of a checked file: queued when the coordinator presses "Import"."""
    import_job_run(job_id=job_id, language=language)

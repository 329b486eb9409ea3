"""Reads of imports. Each takes the acting user: another organisation's import is a 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from kollega.accounts.models import User
from kollega.core.models import Programme
from kollega.core.selectors import programme_get_for_coordinator
from kollega.recruitment.models import ImportJob


def import_job_list(*, programme: Programme) -> QuerySet[ImportJob]:
    """The programme's imports, newest first, without the files themselves. Callers have checked access."""
    return (
        ImportJob.objects.filter(programme=programme)
        .defer("content")
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


def import_job_get_for_coordinator(*, user: User, programme_pk: int, pk: int) -> ImportJob:
    """The import, if ``user`` coordinates its programme; otherwise 404."""
    programme = programme_get_for_coordinator(user=user, pk=programme_pk)
    job = ImportJob.objects.select_related("programme__organisation").filter(pk=pk, programme=programme).first()
    if job is None:
        raise Http404
    return job

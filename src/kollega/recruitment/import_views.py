"""The coordinator's import pages: upload → columns → check (a background job) → report → import → done.

Views parse input, fetch through permission-checked selectors and call one
service. The check and the import run as background jobs; their pages show
progress, updated every second with htmx, or with a "Refresh" link without it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from kollega.core.http import AuthedHttpRequest
from kollega.core.selectors import programme_get_for_coordinator
from kollega.recruitment.import_forms import MappingForm, MemoryUploadHandler, StartForm, UploadForm
from kollega.recruitment.importing import selectors
from kollega.recruitment.importing.checking import language_of
from kollega.recruitment.importing.reading import ImportFileError
from kollega.recruitment.importing.retention import KEEP_FILE_FOR, file_forgotten_at
from kollega.recruitment.importing.services import (
    import_job_create,
    import_job_importable,
    import_job_map,
    import_job_start,
    import_job_table,
    import_questions,
)
from kollega.recruitment.models import ImportJob, ImportMode, ImportState

JOBS_PER_PAGE = 20
ROWS_PER_PAGE = 50
RUNNING = (ImportState.CHECKING, ImportState.IMPORTING)


def _language() -> str:
    return language_of(translation.get_language())


def _form_errors(form: object, error: ValidationError) -> None:
    """A service's ValidationError onto the form: per field where it names one, else at the top."""
    add_error = form.add_error  # type: ignore[attr-defined]
    fields = form.fields  # type: ignore[attr-defined]
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            for item in errors:
                add_error(name if name in fields else None, item)
    else:
        for message in error.messages:
            add_error(None, message)


# --- upload and the list of imports ---------------------------------------------------


@login_required
@csrf_exempt
def import_list(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    # The file stays in memory until it is stored in the database; the handlers must be set before the body is read.
    request.upload_handlers = [MemoryUploadHandler(request)]
    return _import_list(request, pk)


@csrf_protect
def _import_list(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    programme = programme_get_for_coordinator(user=request.user, pk=pk)
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_job_create(
                programme=programme,
                file_name=upload.name or "",
                content=upload.read(),
                mode=form.cleaned_data["mode"],
                actor=request.user,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            return redirect("imports:mapping", programme.pk, job.pk)
    paginator = Paginator(selectors.import_job_list(programme=programme), JOBS_PER_PAGE)
    return render(
        request,
        "recruitment/import/list.html",
        {"programme": programme, "form": form, "page": paginator.get_page(request.GET.get("page"))},
        status=400 if form.errors else 200,
    )


# --- the columns ----------------------------------------------------------------------


@login_required
def import_mapping(request: AuthedHttpRequest, pk: int, job_pk: int) -> HttpResponse:
    job = selectors.import_job_get_for_coordinator(user=request.user, programme_pk=pk, pk=job_pk)
    if job.state in (ImportState.IMPORTING, ImportState.DONE) or file_forgotten_at(job) is not None:
        return redirect("imports:detail", pk, job.pk)
    language = _language()
    try:
        table = import_job_table(job=job)
        questions = import_questions(programme=job.programme)
    except ImportFileError as error:
        return render(
            request,
            "recruitment/import/failed.html",
            {"programme": job.programme, "job": job, "error": error.message},
            status=400,
        )
    form = MappingForm(
        request.POST if request.method == "POST" else None,
        table=table,
        questions=questions,
        language=language,
        mapping=job.mapping,
        mode=job.mode,
    )
    if request.method == "POST" and form.is_valid():
        try:
            import_job_map(
                job=job, mapping=form.mapping(), mode=form.cleaned_data["mode"], actor=request.user, language=language
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            return redirect("imports:detail", pk, job.pk)
    return render(
        request,
        "recruitment/import/mapping.html",
        {"programme": job.programme, "job": job, "form": form, "table": table, "rows": len(table.rows)},
        status=400 if form.errors else 200,
    )


# --- progress, report, done ----------------------------------------------------------------


def _progress_context(job: ImportJob) -> dict[str, object]:
    report = job.report or {}
    writing = job.state == ImportState.IMPORTING
    total = int(report.get("to_write") or 0) if writing else job.total_rows
    together = writing and job.mode == ImportMode.ALL_OR_NOTHING
    done = min(job.processed_rows, total) if total else 0
    return {
        "job": job,
        "programme": job.programme,
        "writing": writing,
        "together": together,
        "done": done,
        "total": total,
        "percent": round(100 * done / total) if total and not together else None,
    }


@login_required
def import_detail(request: AuthedHttpRequest, pk: int, job_pk: int) -> HttpResponse:
    job = selectors.import_job_get_for_coordinator(user=request.user, programme_pk=pk, pk=job_pk)
    if job.state == ImportState.UPLOADED:
        return redirect("imports:mapping", pk, job.pk)
    if job.state in RUNNING:
        return render(request, "recruitment/import/progress.html", _progress_context(job))
    report = job.report or {}
    if job.state == ImportState.FAILED:
        return render(
            request,
            "recruitment/import/failed.html",
            {
                "programme": job.programme,
                "job": job,
                "error": report.get("error", ""),
                "can_retry": bool(job.content),
                # The file was deleted for waiting too long (recruitment.importing.retention).
                "forgotten_at": file_forgotten_at(job),
                "keep_days": KEEP_FILE_FOR.days,
            },
        )
    if job.state == ImportState.DONE:
        return render(
            request,
            "recruitment/import/done.html",
            {
                "programme": job.programme,
                "job": job,
                "report": report,
                "imported": int(report.get("imported") or 0),
                "waiting_list": int(report.get("waiting_list") or 0),
                "failures": report.get("write_failures") or [],
                "page": Paginator(report.get("rejected") or [], ROWS_PER_PAGE).get_page(request.GET.get("page")),
            },
        )
    return _report(request, job)


def _report(request: AuthedHttpRequest, job: ImportJob, form: StartForm | None = None) -> HttpResponse:
    report = job.report or {}
    rejected = report.get("rejected") or []
    page = Paginator(rejected, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    valid = int(report.get("valid") or 0)
    can_import, why_not = import_job_importable(job=job)
    can_import_valid, _why = import_job_importable(job=job, mode=ImportMode.VALID_ONLY)
    return render(
        request,
        "recruitment/import/report.html",
        {
            "programme": job.programme,
            "job": job,
            "report": report,
            "valid": valid,
            "rejected_count": len(rejected),
            "page": page,
            "problems": report.get("problems") or [],
            "mapping": report.get("mapping") or [],
            "unmapped": report.get("unmapped") or [],
            "can_import": can_import,
            "why_not": why_not,
            "offer_valid_only": not can_import and can_import_valid and job.mode == ImportMode.ALL_OR_NOTHING,
            "form": form,
            "other_language": report.get("language") and report.get("language") != _language(),
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
def import_progress(request: AuthedHttpRequest, pk: int, job_pk: int) -> HttpResponse:
    """The small part of the progress page that htmx asks for every second."""
    job = selectors.import_job_get_for_coordinator(user=request.user, programme_pk=pk, pk=job_pk)
    if job.state not in RUNNING:
        if getattr(request, "htmx", False):
            response = HttpResponse("")
            response["HX-Refresh"] = "true"  # the job has finished: show its page
            return response
        return redirect("imports:detail", pk, job.pk)
    return render(request, "recruitment/import/_progress.html", _progress_context(job))


@login_required
@require_POST
def import_start(request: AuthedHttpRequest, pk: int, job_pk: int) -> HttpResponse:
    job = selectors.import_job_get_for_coordinator(user=request.user, programme_pk=pk, pk=job_pk)
    form = StartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how to import and try again."))
        return redirect("imports:detail", pk, job.pk)
    try:
        import_job_start(job=job, mode=form.cleaned_data["mode"], actor=request.user, language=_language())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(reverse("imports:detail", args=[pk, job.pk]))

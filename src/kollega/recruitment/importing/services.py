"""Every state change of an import: upload, mapping and check (the dry run), the import itself.

An ``ImportJob`` moves uploaded → checking → checked → importing → done (or
failed). The file lives in the job's row, so any worker on any machine can
read it. The check and the import run as background jobs (``recruitment.tasks``);
the command runs the same functions in its own process.

Writing (each row through ``registration_submit_locked``, the locked part of
``registration_submit``, with the form read once per import):
- all or nothing: every row is registered in one transaction that locks the
  programme once, at its start; one row that cannot be registered undoes them
  all. The programme's public registrations wait for that transaction, so it
  takes at most ``ALL_OR_NOTHING_MAX_ROWS`` rows. The job's progress cannot be
  seen from outside that transaction, so the page shows the check's progress
  and then "importing…" until it is done.
- only the valid rows: rows are written in batches of ``BATCH`` rows, each batch
  one transaction that locks the programme once and also advances
  ``processed_rows``, and each row inside its own savepoint, so one refused row
  does not stop the others. A worker that dies mid-import loses only its open
  batch; the job run again carries on from ``processed_rows``, so nobody is
  registered twice.

A job that fails for good (its file cannot be read) forgets the file, which
holds personal data. A job stopped for any other reason (a row refused at the
last moment, a programme without a registration form, an unexpected error)
keeps it, so that it can be checked again; the periodic clean-up of abandoned
uploads removes it later.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kollega.accounts.models import User
from kollega.core.models import Participant, Programme
from kollega.core.services import audit_log
from kollega.recruitment.importing.checking import (
    ChannelChoice,
    Context,
    Converter,
    Report,
    RowResult,
    check_table,
    guess_mapping,
    language_of,
    mapping_problems,
    target_label,
)
from kollega.recruitment.importing.reading import ImportFileError, Table, format_count, read_table
from kollega.recruitment.models import ImportJob, ImportMode, ImportState, Source
from kollega.recruitment.services import (
    PreparedForm,
    registration_form_prepare,
    registration_programme_lock,
    registration_submit_locked,
)
from kollega.surveys.models import Question

logger = logging.getLogger(__name__)

BATCH = 100
#: The most rows an all-or-nothing import takes: it holds the programme's lock until its last
#: row, and public registrations to the programme wait that long (up to about 10 s at this size,
#: see docs/import.md). Larger files go in "only the valid rows" mode, locked one batch at a time.
ALL_OR_NOTHING_MAX_ROWS = 500
FILE_NAME_MAX = 255
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f]")


# --- what the checker needs from the database ----------------------------------------


def import_questions(*, programme: Programme) -> list[Question]:
    """The questions of the programme's active registration form; ``ImportFileError`` when it has none."""
    from kollega.recruitment.selectors import registration_form
    from kollega.surveys.selectors import form_questions

    form = registration_form(programme=programme)
    if form is None:
        raise ImportFileError(
            _("The programme has no registration form yet, so there is nothing to match the columns to.")
        )
    return form_questions(form=form)


def import_context(*, programme: Programme, language: str, questions: list[Question] | None = None) -> Context:
    from kollega.outreach.models import Channel

    supported = {code for code, _name in settings.LANGUAGES}
    languages = [code for code in (programme.languages or []) if code in supported] or [settings.LANGUAGE_CODE[:2]]
    emails = Participant.objects.filter(programme=programme).values_list("user__email", flat=True)
    return Context(
        questions=questions if questions is not None else import_questions(programme=programme),
        time_zone=programme.organisation.tz,
        now=timezone.now(),
        language=language_of(language),
        existing_emails=frozenset(email.strip().lower() for email in emails),
        channels=[
            ChannelChoice(key=c.key, names=dict(c.name or {}))
            for c in Channel.objects.filter(programme=programme, active=True).order_by("position", "id")
        ],
        default_language=languages[0],
        languages=languages,
    )


def import_dry_run(*, programme: Programme, content: bytes, mapping: Mapping[str, str], language: str) -> Report:
    """Read and check without storing anything. Raises ``ImportFileError``."""
    with translation.override(language_of(language)):
        table = read_table(content)
        return check_table(table, mapping, import_context(programme=programme, language=language))


def _locked(pk: int) -> ImportJob | None:
    """The job's row, locked until the transaction ends.

    Only the job's row: writing rows also locks the programme, once per
    transaction (``registration_programme_lock``), always after the job.
    """
    return (
        ImportJob.objects.select_for_update(no_key=True, of=("self",))
        .select_related("programme__organisation")
        .filter(pk=pk)
        .first()
    )


def _lock(pk: int) -> ImportJob:
    job = _locked(pk)
    if job is None:
        raise ImportJob.DoesNotExist
    return job


def _clean_mapping(mapping: Any) -> dict[str, str]:
    if not isinstance(mapping, Mapping):
        return {}
    return {str(h): str(t) for h, t in mapping.items() if isinstance(h, str) and isinstance(t, str) and t.strip()}


def _file_name(name: str) -> str:
    name = _UNSAFE_NAME.sub("", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:FILE_NAME_MAX] or "import"


def _content(job: ImportJob) -> bytes:
    return bytes(job.content or b"")


class _UnreadableFileError(ImportFileError):
    """The job's own file cannot be read: checking it again would not help, so the job forgets it."""


def _read(job: ImportJob) -> Table:
    try:
        return import_job_table(job=job)
    except ImportFileError as error:
        raise _UnreadableFileError(error.message) from None


# --- upload, mapping, check -----------------------------------------------------------


@transaction.atomic
def import_job_create(
    *,
    programme: Programme,
    file_name: str,
    content: bytes,
    mode: str = ImportMode.ALL_OR_NOTHING,
    actor: User | None = None,
) -> ImportJob:
    """Store an uploaded file with the column mapping guessed from its headings.

    Raises ``ValidationError`` keyed ``file`` when it cannot be read, ``mode`` for an unknown mode.
    """
    if mode not in ImportMode.values:
        raise ValidationError({"mode": _("Choose how to import: all rows or none, or only the valid rows.")})
    try:
        table = read_table(content)
        questions = import_questions(programme=programme)
    except ImportFileError as error:
        raise ValidationError({"file": error.message}) from None
    job = ImportJob.objects.create(
        programme=programme,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        file_name=_file_name(file_name),
        content=bytes(content),
        mapping=guess_mapping(table.headers, questions),
        mode=mode,
        state=ImportState.UPLOADED,
        total_rows=len(table.rows),
    )
    audit_log(
        action="recruitment.import.uploaded",
        subject=job,
        actor=actor,
        organisation=programme.organisation,
        data={"programme": programme.pk, "file": job.file_name, "rows": len(table.rows), "bytes": len(content)},
    )
    return job


def import_job_table(*, job: ImportJob) -> Table:
    """The job's file, read again. Raises ``ImportFileError``."""
    return read_table(_content(job))


@transaction.atomic
def import_job_map(
    *,
    job: ImportJob,
    mapping: Mapping[str, str],
    mode: str | None = None,
    actor: User | None = None,
    language: str = "en",
    queue: bool = True,
) -> ImportJob:
    """Save the column mapping and start the dry run (as a background job unless ``queue`` is false).

    Raises ``ValidationError`` with every problem of the mapping, in ``language``.
    """
    language = language_of(language)
    job = _lock(job.pk)
    with translation.override(language):
        if job.state in (ImportState.IMPORTING, ImportState.DONE):
            raise ValidationError(_("This file has already been imported; upload it again to import it again."))
        if mode is not None and mode not in ImportMode.values:
            raise ValidationError({"mode": _("Choose how to import: all rows or none, or only the valid rows.")})
        mapping = _clean_mapping(mapping)
        try:
            table = import_job_table(job=job)
            questions = import_questions(programme=job.programme)
        except ImportFileError as error:
            raise ValidationError(error.message) from None
        problems = mapping_problems(table.headers, mapping, questions)
        if problems:
            raise ValidationError(problems)
    job.mapping = mapping
    if mode is not None:
        job.mode = mode
    job.state = ImportState.CHECKING
    job.total_rows = len(table.rows)
    job.processed_rows = 0
    job.report = {"phase": "checking", "language": language}
    job.finished_at = None
    job.save(update_fields=["mapping", "mode", "state", "total_rows", "processed_rows", "report", "finished_at"])
    audit_log(
        action="recruitment.import.mapped",
        subject=job,
        actor=actor,
        organisation=job.programme.organisation,
        data={"mapping": mapping, "mode": job.mode},
    )
    if queue:
        from kollega.recruitment.tasks import import_check_task

        pk = job.pk
        transaction.on_commit(lambda: import_check_task(pk, language))
    return job


def _fail(job_id: int, message: str, *, states: tuple[str, ...], forget_file: bool = False) -> ImportJob | None:
    """The job stops with ``message``; with ``forget_file`` (the file cannot be used again) its bytes are removed.

    A job that keeps its file can be checked again from its page; an abandoned
    one is cleared by the periodic clean-up of old uploads.
    """
    with transaction.atomic():
        job = _locked(job_id)
        if job is None or job.state not in states:
            return job
        report = dict(job.report or {})
        report["error"] = message
        report.pop("phase", None)
        job.report = report
        job.state = ImportState.FAILED
        job.finished_at = timezone.now()
        fields = ["report", "state", "finished_at"]
        if forget_file:
            job.content = b""  # the file holds personal data and cannot be used again
            fields.append("content")
        job.save(update_fields=fields)
        audit_log(
            action="recruitment.import.failed",
            subject=job,
            organisation=job.programme.organisation,
            data={"error": message, "file_forgotten": forget_file},
        )
        return job


def import_job_check(*, job_id: int, language: str | None = None) -> ImportJob | None:
    """The dry run of a job in state "checking": every row checked, the report stored. Safe to run twice.

    Runs outside a transaction so that the progress it records every 100 rows can be seen.
    """
    job = ImportJob.objects.select_related("programme__organisation").filter(pk=job_id).first()
    if job is None or job.state != ImportState.CHECKING:
        return job
    language = language_of(language or (job.report or {}).get("language"))
    mapping = dict(job.mapping)

    def progress(done: int) -> None:
        ImportJob.objects.filter(pk=job_id, state=ImportState.CHECKING).update(processed_rows=done)

    try:
        with translation.override(language):
            table = _read(job)
            report = check_table(
                table, mapping, import_context(programme=job.programme, language=language), progress=progress
            )
    except ImportFileError as error:
        forget = isinstance(error, _UnreadableFileError)
        return _fail(job_id, error.message, states=(ImportState.CHECKING,), forget_file=forget)
    except Exception:
        with translation.override(language):
            message = _("Something went wrong while checking the file. Try again; if it happens again, tell us.")
        _fail(job_id, message, states=(ImportState.CHECKING,))
        raise
    with transaction.atomic():
        job = _locked(job_id)
        if job is None or job.state != ImportState.CHECKING or job.mapping != mapping:
            return job  # the mapping changed meanwhile: the newer check stores its own report
        job.state = ImportState.CHECKED
        job.total_rows = report.total
        job.processed_rows = report.total
        job.report = report.as_json()
        job.save(update_fields=["state", "total_rows", "processed_rows", "report"])
        audit_log(
            action="recruitment.import.checked",
            subject=job,
            organisation=job.programme.organisation,
            data={"rows": report.total, "valid": len(report.valid), "rejected": len(report.rejected)},
        )
    return job


# --- the import ---------------------------------------------------------------------------


def import_job_importable(*, job: ImportJob, mode: str | None = None) -> tuple[bool, str]:
    """Whether the checked job can be imported in ``mode`` (default: its own), and if not, why (active language)."""
    report = job.report or {}
    mode = mode or job.mode
    if job.state != ImportState.CHECKED:
        return False, _("Check the file first.")
    if report.get("problems"):
        return False, _("Fix the problems with the columns first.")
    valid = int(report.get("valid") or 0)
    if not valid:
        return False, _("No row of the file can be imported.")
    if mode == ImportMode.ALL_OR_NOTHING and report.get("rejected"):
        return False, _(
            "Some rows were rejected, and you chose all rows or none. Fix the file and upload it again, "
            "or import only the valid rows."
        )
    if mode == ImportMode.ALL_OR_NOTHING and valid > ALL_OR_NOTHING_MAX_ROWS:
        return False, _too_many_for_all_or_nothing(valid)
    return True, ""


def _too_many_for_all_or_nothing(rows: int) -> str:
    return _(
        "All rows or none can import at most %(max)s rows at a time, and this file has %(rows)s: "
        "registrations through the programme's form wait until such an import ends. Import only the "
        "valid rows instead (they are written %(batch)s at a time), or split the file."
    ) % {"max": format_count(ALL_OR_NOTHING_MAX_ROWS), "rows": format_count(rows), "batch": BATCH}


@transaction.atomic
def import_job_start(
    *,
    job: ImportJob,
    mode: str | None = None,
    actor: User | None = None,
    language: str = "en",
    queue: bool = True,
) -> ImportJob:
    """Start the import of a checked job (as a background job unless ``queue`` is false)."""
    language = language_of(language)
    job = _lock(job.pk)
    with translation.override(language):
        if mode is not None and mode not in ImportMode.values:
            raise ValidationError({"mode": _("Choose how to import: all rows or none, or only the valid rows.")})
        if job.state in (ImportState.IMPORTING, ImportState.DONE):
            raise ValidationError(_("This file is already being imported or has been imported."))
        ok, why = import_job_importable(job=job, mode=mode)
        if not ok:
            raise ValidationError(why)
    if mode is not None:
        job.mode = mode
    job.state = ImportState.IMPORTING
    job.processed_rows = 0
    job.report = {**job.report, "phase": "writing", "to_write": int(job.report.get("valid") or 0)}
    if actor is not None and actor.is_authenticated:
        job.report["started_by"] = actor.pk
    job.report["language"] = language
    job.save(update_fields=["mode", "state", "processed_rows", "report"])
    audit_log(
        action="recruitment.import.started",
        subject=job,
        actor=actor,
        organisation=job.programme.organisation,
        data={"mode": job.mode, "rows": job.report["to_write"]},
    )
    if queue:
        from kollega.recruitment.tasks import import_run_task

        pk = job.pk
        transaction.on_commit(lambda: import_run_task(pk, language))
    return job


class _RowRefused(Exception):  # noqa: N818 — a signal inside the import
    def __init__(self, line: int, reasons: list[str]) -> None:
        super().__init__(line)
        self.line = line
        self.reasons = reasons


@dataclass
class _Tally:
    imported: int = 0
    waiting_list: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_report(cls, report: Mapping[str, Any]) -> _Tally:
        return cls(
            imported=int(report.get("imported") or 0),
            waiting_list=int(report.get("waiting_list") or 0),
            failures=list(report.get("write_failures") or []),
        )

    def as_json(self) -> dict[str, Any]:
        return {"imported": self.imported, "waiting_list": self.waiting_list, "write_failures": self.failures}


def _reasons(error: ValidationError, questions: list[Question], language: str) -> list[str]:
    if hasattr(error, "error_dict"):
        reasons = []
        for key, messages in error.message_dict.items():
            for message in messages:
                if key == "__all__":
                    reasons.append(message)
                else:
                    label = target_label(key, questions, language)
                    reasons.append(_("%(label)s: %(message)s") % {"label": label, "message": message})
        return reasons
    return list(error.messages)


def _register(programme: Programme, prepared: PreparedForm, row: RowResult, actor: User | None) -> str:
    """One row, with the programme already locked, by the rules of the registration form.

    Returns "registered" or "waiting_list". Raises ``_RowRefused``; what the row
    wrote before that is undone by the caller (the whole import, or the row's savepoint).
    """
    try:
        outcome = registration_submit_locked(
            programme=programme,
            prepared=prepared,
            raw=row.raw,
            language=row.language,
            channel_key=row.channel_key,
            source=Source.IMPORT,
            notify=False,
            at=row.registered_at or timezone.now(),
            actor=actor,
        )
    except ValidationError as error:
        # An address registered after the check is refused here: nothing already in the programme changes.
        raise _RowRefused(row.line, _reasons(error, prepared.questions, translation.get_language() or "en")) from None
    return outcome.outcome


def _rows_to_write(job: ImportJob, table: Table, converter: Converter) -> list[RowResult]:
    """The rows the check found valid, earliest registration first (a place goes to whoever registered first)."""
    rejected = {int(r.get("line", 0)) for r in (job.report or {}).get("rejected", []) if isinstance(r, dict)}
    rows = [converter(row) for row in table.rows if row.line not in rejected]
    latest = timezone.now()
    return sorted(rows, key=lambda r: (r.registered_at or latest, r.line))


def import_job_run(*, job_id: int, language: str | None = None) -> ImportJob | None:
    """Import a job in state "importing". Safe to run twice or on two workers at once."""
    job = ImportJob.objects.select_related("programme__organisation").filter(pk=job_id).first()
    if job is None or job.state != ImportState.IMPORTING:
        return job
    language = language_of(language or (job.report or {}).get("language"))
    actor_id = (job.report or {}).get("started_by") or job.created_by_id
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    try:
        with translation.override(language):
            table = _read(job)
            prepared = _prepared(job.programme)
            converter = Converter(
                table,
                job.mapping,
                import_context(programme=job.programme, language=language, questions=prepared.questions),
            )
            rows = _rows_to_write(job, table, converter)
            if job.mode == ImportMode.ALL_OR_NOTHING:
                return _write_all(job, rows, actor, prepared)
            return _write_valid(job, rows, actor, prepared)
    except ImportFileError as error:
        forget = isinstance(error, _UnreadableFileError)
        return _fail(job_id, error.message, states=(ImportState.IMPORTING,), forget_file=forget)
    except Exception:
        with translation.override(language):
            message = _("Something went wrong while importing. Nothing more was imported. Try again later.")
        _fail(job_id, message, states=(ImportState.IMPORTING,))
        raise


def _prepared(programme: Programme) -> PreparedForm:
    """The registration form read once for the whole import; ``ImportFileError`` when there is none."""
    import_questions(programme=programme)  # the importer's own message when the programme has no form
    try:
        return registration_form_prepare(programme=programme)
    except ValidationError as error:
        raise ImportFileError(" ".join(error.messages)) from None


def _write_all(job: ImportJob, rows: list[RowResult], actor: User | None, prepared: PreparedForm) -> ImportJob | None:
    if len(rows) > ALL_OR_NOTHING_MAX_ROWS:  # started before the limit, or the check was bypassed
        return _fail(job.pk, _too_many_for_all_or_nothing(len(rows)), states=(ImportState.IMPORTING,))
    try:
        with transaction.atomic():
            locked = _locked(job.pk)
            if locked is None or locked.state != ImportState.IMPORTING:
                return locked  # another worker finished it, or the programme was deleted
            # Once, for every row: the programme's public registrations wait from here to the commit.
            programme = registration_programme_lock(programme=locked.programme)
            tally = _Tally()
            for row in rows:
                if row.reasons:
                    raise _RowRefused(row.line, row.reasons)
                outcome = _register(programme, prepared, row, actor)
                tally.imported += 1
                tally.waiting_list += outcome == "waiting_list"
            locked.processed_rows = len(rows)
            return _finish(locked, tally, actor)
    except _RowRefused as refused:
        message = _("Line %(line)d could not be imported: %(reasons)s Nothing was imported.") % {
            "line": refused.line,
            "reasons": " ".join(refused.reasons),
        }
        return _fail(job.pk, message, states=(ImportState.IMPORTING,))


def _write_valid(job: ImportJob, rows: list[RowResult], actor: User | None, prepared: PreparedForm) -> ImportJob | None:
    for start in range(0, len(rows), BATCH):
        with transaction.atomic():
            locked = _locked(job.pk)
            if locked is None or locked.state != ImportState.IMPORTING:
                return locked
            if locked.processed_rows > start:
                continue  # written by an earlier run of this job
            # Once per batch: public registrations wait at most one batch.
            programme = registration_programme_lock(programme=locked.programme)
            tally = _Tally.from_report(locked.report)
            batch = rows[start : start + BATCH]
            for row in batch:
                try:
                    if row.reasons:
                        raise _RowRefused(row.line, row.reasons)
                    with transaction.atomic():  # a refused row undoes only itself
                        outcome = _register(programme, prepared, row, actor)
                except _RowRefused as refused:
                    tally.failures.append({"line": refused.line, "reasons": refused.reasons})
                else:
                    tally.imported += 1
                    tally.waiting_list += outcome == "waiting_list"
            locked.processed_rows = start + len(batch)
            locked.report = {**locked.report, **tally.as_json()}
            locked.save(update_fields=["processed_rows", "report"])
    with transaction.atomic():
        locked = _locked(job.pk)
        if locked is None or locked.state != ImportState.IMPORTING:
            return locked
        return _finish(locked, _Tally.from_report(locked.report), actor)


def _finish(job: ImportJob, tally: _Tally, actor: User | None) -> ImportJob:
    """Done: the counts in the report; the file itself is no longer needed and is removed (it holds personal data)."""
    report = {**job.report, **tally.as_json()}
    report.pop("phase", None)
    job.report = report
    job.state = ImportState.DONE
    job.finished_at = timezone.now()
    job.content = b""
    job.save(update_fields=["report", "state", "finished_at", "content", "processed_rows"])
    audit_log(
        action="recruitment.import.imported",
        subject=job,
        actor=actor,
        organisation=job.programme.organisation,
        data={
            "mode": job.mode,
            "imported": tally.imported,
            "waiting_list": tally.waiting_list,
            "not_imported": len(tally.failures),
        },
    )
    return job

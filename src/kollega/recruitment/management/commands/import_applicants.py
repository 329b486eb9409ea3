"""``kollega import-applicants PROGRAMME FILE``: registrations from another tool (CSV or XLSX).

Prints the columns used, every rejected row with its line number and reasons,
and what was imported. Exit status: 0 done (or a dry run with nothing
rejected), 1 rows rejected (nothing imported in all-or-nothing mode, or a dry
run that found rejections), 2 a usage error (unknown programme, unreadable
file, unusable columns). The import is recorded like one made in the UI, so it
is listed on the programme's import page.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kollega.core.management.arguments import programme_find, usage_error
from kollega.core.management.preflight import database_check
from kollega.recruitment.importing.checking import guess_mapping, language_of, target_label
from kollega.recruitment.importing.reading import MAX_BYTES, ImportFileError, format_count, read_table, shorten
from kollega.recruitment.models import ImportJob, ImportMode, ImportState

EXIT_REJECTED = 1


class Command(BaseCommand):
    help = "Import registrations from a CSV file or an Excel workbook into a programme."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("programme", help="The programme: its number or its address name.")
        parser.add_argument("file", help="A CSV file or an Excel workbook (.xlsx); - reads standard input.")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="HEADING=KEY",
            help="Match a column to a question key (or registered_at, channel, language); "
            "HEADING= leaves the column out. Columns named like a question are matched without this.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and report; import nothing.")
        parser.add_argument(
            "--valid-only", action="store_true", help="Import the valid rows even when some rows are rejected."
        )
        parser.add_argument("--organisation", metavar="SLUG", help="The organisation, when the address name is shared.")

    def handle(self, *args: Any, **options: Any) -> None:
        from kollega.recruitment.importing import services

        database_check()
        language = language_of(translation.get_language())
        programme = programme_find(options["programme"], options.get("organisation"))
        content = self._content(options["file"])
        name = "stdin" if options["file"] == "-" else Path(options["file"]).name
        try:
            table = read_table(content)
            questions = services.import_questions(programme=programme)
        except ImportFileError as error:
            raise usage_error(error.message) from None
        mapping = guess_mapping(table.headers, questions)
        for heading, target in self._overrides(options["map"]).items():
            mapping = {h: t for h, t in mapping.items() if t != target or not target}
            mapping[heading] = target
        mode = ImportMode.VALID_ONLY if options["valid_only"] else ImportMode.ALL_OR_NOTHING
        try:
            with transaction.atomic():  # columns that cannot be used leave no import behind
                job = services.import_job_create(programme=programme, file_name=name, content=content, mode=mode)
                job = services.import_job_map(job=job, mapping=mapping, language=language, queue=False)
        except ValidationError as error:
            self._columns(table.headers, mapping, questions, language)
            raise usage_error(" ".join(error.messages)) from None
        self.stdout.write(
            _("Read %(file)s: %(rows)s rows (%(kind)s).")
            % {"file": name, "rows": format_count(len(table.rows)), "kind": table.description}
        )
        self._columns(table.headers, job.mapping, questions, language)
        checked = services.import_job_check(job_id=job.pk, language=language)
        if checked is None or checked.state != ImportState.CHECKED:
            raise usage_error((checked.report or {}).get("error", "") if checked else _("The check did not finish."))
        rejected = self._report(checked)
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was imported."))
            if rejected:
                raise CommandError(
                    _("%(count)s rows would be rejected.") % {"count": format_count(rejected)},
                    returncode=EXIT_REJECTED,
                )
            return
        ok, why = services.import_job_importable(job=checked)
        if not ok:
            if mode == ImportMode.ALL_OR_NOTHING and rejected:
                why = _(
                    "Nothing was imported: %(count)s rows were rejected. Fix them and run again, "
                    "or add --valid-only to import only the valid rows."
                ) % {"count": format_count(rejected)}
            raise CommandError(why, returncode=EXIT_REJECTED)
        services.import_job_start(job=checked, language=language, queue=False)
        done = services.import_job_run(job_id=checked.pk, language=language)
        self._result(done)

    def _content(self, path: str) -> bytes:
        if path == "-":
            return sys.stdin.buffer.read(MAX_BYTES + 1)
        file = Path(path)
        try:
            with file.open("rb") as handle:
                return handle.read(MAX_BYTES + 1)  # more than the limit is refused by the reader, with the reason
        except FileNotFoundError:
            raise usage_error(_("There is no file %(file)s.") % {"file": path}) from None
        except IsADirectoryError:
            raise usage_error(_("%(file)s is a folder, not a file.") % {"file": path}) from None
        except OSError as error:
            raise usage_error(
                _("The file %(file)s cannot be read: %(reason)s") % {"file": path, "reason": error.strerror}
            ) from None

    def _overrides(self, pairs: list[str]) -> dict[str, str]:
        overrides: dict[str, str] = {}
        for pair in pairs:
            heading, equals, target = pair.rpartition("=")
            if not equals or not heading.strip():
                raise usage_error(_('Write --map as "Heading=key", not %(value)s.') % {"value": pair})
            overrides[heading.strip()] = target.strip()
        return overrides

    def _columns(self, headers: Any, mapping: dict[str, str], questions: Any, language: str) -> None:
        self.stdout.write(_("Columns:"))
        for heading in headers:
            if not heading:
                continue
            target = mapping.get(heading, "")
            shown = shorten(heading, 80)
            if target:
                label = target_label(target, questions, language)
                self.stdout.write(f"  {shown} → {label} ({shorten(target, 80)})")
            else:
                self.stdout.write("  " + _("%(heading)s → not imported") % {"heading": shown})

    def _report(self, job: ImportJob) -> int:
        report = job.report or {}
        rejected = report.get("rejected") or []
        self.stdout.write(
            _("%(total)s rows: %(valid)s can be imported, %(rejected)s rejected.")
            % {
                "total": format_count(int(report.get("total") or 0)),
                "valid": format_count(int(report.get("valid") or 0)),
                "rejected": format_count(len(rejected)),
            }
        )
        for row in rejected:
            self.stdout.write(
                "  " + _("line %(line)d: %(reasons)s") % {"line": row["line"], "reasons": " ".join(row["reasons"])}
            )
        return len(rejected)

    def _result(self, job: ImportJob | None) -> None:
        if job is None or job.state != ImportState.DONE:
            message = (job.report or {}).get("error", "") if job else ""
            raise CommandError(message or _("The import did not finish."), returncode=EXIT_REJECTED)
        report = job.report or {}
        for row in report.get("write_failures") or []:
            self.stdout.write(
                "  "
                + _("line %(line)d not imported: %(reasons)s")
                % {"line": row["line"], "reasons": " ".join(row["reasons"])}
            )
        self.stdout.write(
            _("Imported %(imported)s registrations; %(waiting)s of them are on the waiting list.")
            % {
                "imported": format_count(int(report.get("imported") or 0)),
                "waiting": format_count(int(report.get("waiting_list") or 0)),
            }
        )

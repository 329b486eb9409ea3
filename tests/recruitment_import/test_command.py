"""``kollega import-applicants PROGRAMME FILE``: output, exit statuses, dry runs."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kollega.core.models import Participant, Programme
from kollega.recruitment.models import ImportJob, ImportState
from tests.factories import make_organisation, make_programme
from tests.recruitment_import.conftest import KEYS, csv_bytes, person, xlsx_bytes
from tests.support.processes import kollega_env, run_kollega


def command(*args: str) -> str:
    out = StringIO()
    call_command("import_applicants", *args, stdout=out)
    return out.getvalue()


def fails(*args: str) -> tuple[int, str, str]:
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_applicants", *args, stdout=out)
    return caught.value.returncode, str(caught.value), out.getvalue()


@pytest.fixture
def good_file(tmp_path: Path) -> Path:
    path = tmp_path / "lyyti.csv"
    path.write_bytes(csv_bytes([person(1), person(2)], delimiter=";", encoding="cp1252"))
    return path


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    path = tmp_path / "lyyti.csv"
    path.write_bytes(csv_bytes([person(1), person(2, email="nope"), person(3, company_size="huge")]))
    return path


def test_imports_a_file_by_programme_id(programme: Programme, good_file: Path) -> None:
    output = command(str(programme.pk), str(good_file))
    assert "Read lyyti.csv: 2 rows (CSV in Windows-1252, cells separated by semicolons)." in output
    assert "Columns:" in output
    assert "  email → Email address (email)" in output
    assert "2 rows: 2 can be imported, 0 rejected." in output
    assert "Imported 2 registrations; 0 of them are on the waiting list." in output
    assert Participant.objects.filter(programme=programme).count() == 2
    assert ImportJob.objects.get().state == ImportState.DONE  # listed on the import page too


def test_a_dry_run_imports_nothing(programme: Programme, good_file: Path) -> None:
    output = command(str(programme.pk), str(good_file), "--dry-run")
    assert "Dry run: nothing was imported." in output
    assert not Participant.objects.exists()


def test_a_dry_run_with_rejections_lists_them_and_exits_1(programme: Programme, bad_file: Path) -> None:
    code, message, output = fails(str(programme.pk), str(bad_file), "--dry-run")
    assert code == 1
    assert message == "2 rows would be rejected."
    assert "3 rows: 1 can be imported, 2 rejected." in output
    assert "  line 3: Email address: Enter an email address such as name@example.fi." in output
    assert "  line 4: Size of your business: “huge” is not one of the options." in output, (code, message)
    assert not Participant.objects.exists()


def test_all_or_nothing_with_rejections_imports_nothing_and_exits_1(programme: Programme, bad_file: Path) -> None:
    code, message, _output = fails(str(programme.pk), str(bad_file))
    assert code == 1
    assert message.startswith("Nothing was imported: 2 rows were rejected.")
    assert "--valid-only" in message
    assert not Participant.objects.exists()


def test_valid_only_imports_the_valid_rows_and_exits_0(programme: Programme, bad_file: Path) -> None:
    output = command(str(programme.pk), str(bad_file), "--valid-only")
    assert "Imported 1 registrations; 0 of them are on the waiting list." in output
    assert list(Participant.objects.values_list("user__email", flat=True)) == ["person1@example.org"]


def test_map_matches_other_headings(programme: Programme, tmp_path: Path) -> None:
    headers = ["Nimi", "Sposti", *KEYS[2:], "Lisätiedot"]
    rows = [{**person(1), "Nimi": "Anna", "Sposti": "anna@example.org", "Lisätiedot": "x"}]
    path = tmp_path / "other.xlsx"
    path.write_bytes(xlsx_bytes([headers, *[[r.get(h, "") for h in headers] for r in rows]]))
    output = command(str(programme.pk), str(path), "--map", "Nimi=name", "--map", "Sposti=email")
    assert "  Nimi → Your name (name)" in output
    assert "  Sposti → Email address (email)" in output
    assert "  Lisätiedot → not imported" in output
    assert list(Participant.objects.values_list("user__email", flat=True)) == ["anna@example.org"]


def test_map_leaving_out_a_required_question_is_a_usage_error(programme: Programme, good_file: Path) -> None:
    code, message, output = fails(str(programme.pk), str(good_file), "--map", "region=")
    assert code == 2
    assert "The file has no column for the required question “Municipality or region" in message
    assert "  region → not imported" in output
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_programme_by_slug_and_organisation(good_file: Path) -> None:
    first = make_programme(make_organisation("Ensimmäinen"), slug="kevat")
    second = make_programme(make_organisation("Toinen"), slug="kevat")
    code, message, _output = fails("kevat", str(good_file))
    assert code == 2
    assert message.startswith("Several organisations have a programme kevat:")
    command("kevat", str(good_file), "--organisation", second.organisation.slug)
    assert Participant.objects.filter(programme=second).count() == 2
    assert not Participant.objects.filter(programme=first).exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["no-such-programme", "{file}"], "There is no programme no-such-programme."),
        (["{programme}", "/no/such/file.csv"], "There is no file /no/such/file.csv."),
        (["{programme}", "{file}", "--map", "no equals sign"], "Write --map as"),
        (["{programme}", "{file}", "--map", "Nope=email"], "The file has no column “Nope”."),
        (["{programme}", "{garbage}"], "The file is not a CSV file or an Excel workbook (.xlsx)."),
    ],
)
def test_usage_errors_exit_2(
    programme: Programme, good_file: Path, tmp_path: Path, args: list[str], words: str
) -> None:
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(bytes(range(256)) * 10)
    filled = [a.format(programme=programme.pk, file=good_file, garbage=garbage) for a in args]
    code, message, _output = fails(*filled)
    assert code == 2
    assert words in message
    assert not Participant.objects.exists()


def test_messages_follow_the_terminal_language(programme: Programme, bad_file: Path) -> None:
    from django.utils import translation

    with translation.override("fi"):
        _code, _message, output = fails(str(programme.pk), str(bad_file), "--dry-run")
    assert "Sähköpostiosoite: " in output  # the question's label in Finnish


def test_the_command_line_usage_error_exits_2(tmp_path: Path) -> None:
    result = run_kollega("import_applicants", env=kollega_env(tmp_path))
    assert result.returncode == 2
    assert "the following arguments are required: programme, file" in result.stderr


def test_control_characters_from_the_file_never_reach_the_terminal(programme: Programme, tmp_path: Path) -> None:
    path = tmp_path / "evil.csv"
    rows = [person(1, company_size="\x1b[2Jhuge"), *[person(n) for n in range(2, 6)]]
    path.write_bytes(csv_bytes(rows, headers=[*KEYS, "\x1b]0;x\x07Notes"]))
    code, message, output = fails(str(programme.pk), str(path), "--dry-run")
    assert "\x1b" not in output and "\x07" not in output, (code, message)
    assert "Size of your business: “\ufffd[2Jhuge” is not one of the options." in output, (code, message)

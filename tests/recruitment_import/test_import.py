"""The import: all rows or none, only the valid rows, the waiting list, progress and running twice."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from kollega.accounts.models import User
from kollega.core.models import AuditEntry, Participant, Programme, Status
from kollega.core.services import programme_update
from kollega.notifications.models import Notification
from kollega.outreach.models import Channel
from kollega.recruitment.importing import services
from kollega.recruitment.models import ImportJob, ImportMode, ImportState, PendingChange, Registration, Source
from kollega.surveys.models import Response
from tests.factories import make_participant
from tests.recruitment_import.conftest import KEYS, csv_bytes, person

IDENTITY = {key: key for key in KEYS}


def checked(programme: Programme, content: bytes, mode: str = ImportMode.ALL_OR_NOTHING, **mapping: str) -> ImportJob:
    job = services.import_job_create(programme=programme, file_name="lyyti.csv", content=content, mode=mode)
    job = services.import_job_map(job=job, mapping={**job.mapping, **mapping}, queue=False)
    result = services.import_job_check(job_id=job.pk, language="en")
    assert result is not None
    return result


def run(job: ImportJob, mode: str | None = None) -> ImportJob:
    services.import_job_start(job=job, mode=mode, queue=False)
    result = services.import_job_run(job_id=job.pk, language="en")
    assert result is not None
    return result


def emails(programme: Programme) -> set[str]:
    return set(Participant.objects.filter(programme=programme).values_list("user__email", flat=True))


def test_all_valid_rows_are_imported_as_registrations_without_email(programme: Programme) -> None:
    rows = [person(1, registered_at="2025-02-01 09:15"), person(2, registered_at="3.2.2025")]
    job = checked(programme, csv_bytes(rows, headers=[*KEYS, "registered_at"]))
    assert job.state == ImportState.CHECKED
    assert job.report["valid"] == 2
    done = run(job)
    assert done.state == ImportState.DONE
    assert done.report["imported"] == 2
    assert done.report["waiting_list"] == 0
    assert bytes(done.content) == b""  # the file held personal data; once imported it is not kept
    first = Participant.objects.get(programme=programme, user__email="person1@example.org")
    assert first.status == Status.REGISTERED
    assert first.user.full_name == "Yrittäjä Äänekoski 1"
    assert first.company_name == "Toiminimi Öljy 1"
    assert first.industry == "C"
    assert first.years_in_business == 3
    assert first.theme_ranking == ["goals", "networks"]
    assert first.registered_at == datetime(2025, 2, 1, 9, 15, tzinfo=ZoneInfo("Europe/Helsinki"))
    assert first.registration.source == Source.IMPORT
    assert Response.objects.filter(participant=first).exists()
    assert not Notification.objects.exists()  # imported people are not emailed
    assert AuditEntry.objects.filter(action="recruitment.import.imported").count() == 1


def test_all_or_nothing_with_a_rejected_row_imports_nothing(programme: Programme) -> None:
    job = checked(programme, csv_bytes([person(1), person(2, email="broken")]))
    assert job.report["valid"] == 1
    with pytest.raises(ValidationError, match="Some rows were rejected, and you chose all rows or none"):
        services.import_job_start(job=job, queue=False)
    assert Participant.objects.count() == 0
    assert ImportJob.objects.get(pk=job.pk).state == ImportState.CHECKED


def test_all_or_nothing_undoes_every_row_when_one_fails_at_the_last_moment(programme: Programme) -> None:
    job = checked(programme, csv_bytes([person(1), person(2), person(3)]))
    make_participant(programme, email="person3@example.org")  # registered after the check
    done = run(job)
    assert done.state == ImportState.FAILED
    assert done.report["error"] == (
        "Line 4 could not be imported: person3@example.org is already registered in this programme; not changed. "
        "Nothing was imported."
    )
    assert emails(programme) == {"person3@example.org"}
    assert not PendingChange.objects.exists()  # the existing registration is untouched


def test_valid_only_imports_the_valid_rows(programme: Programme) -> None:
    rows = [person(1), person(2, company_size="huge"), person(3)]
    job = checked(programme, csv_bytes(rows), mode=ImportMode.VALID_ONLY)
    done = run(job)
    assert done.state == ImportState.DONE
    assert done.report["imported"] == 2
    assert [r["line"] for r in done.report["rejected"]] == [3]
    assert emails(programme) == {"person1@example.org", "person3@example.org"}


def test_the_coordinator_may_switch_to_valid_only_after_the_check(programme: Programme) -> None:
    job = checked(programme, csv_bytes([person(1), person(2, email="")]))
    done = run(job, mode=ImportMode.VALID_ONLY)
    assert done.mode == ImportMode.VALID_ONLY
    assert emails(programme) == {"person1@example.org"}


def test_valid_only_skips_a_row_that_became_a_duplicate_and_keeps_the_existing_person(programme: Programme) -> None:
    job = checked(programme, csv_bytes([person(1), person(2)]), mode=ImportMode.VALID_ONLY)
    existing = make_participant(programme, email="person2@example.org", full_name="Original Name")
    done = run(job)
    assert done.report["imported"] == 1
    assert done.report["write_failures"] == [
        {"line": 3, "reasons": ["person2@example.org is already registered in this programme; not changed."]}
    ]
    existing.refresh_from_db()
    assert existing.user.full_name == "Original Name"
    assert not PendingChange.objects.exists()


def test_existing_registrations_are_never_changed(programme: Programme) -> None:
    existing = make_participant(programme, email="person1@example.org", full_name="Kept", company_name="Kept Oy")
    job = checked(programme, csv_bytes([person(1), person(2)]), mode=ImportMode.VALID_ONLY)
    assert job.report["rejected"] == [
        {"line": 2, "reasons": ["person1@example.org is already registered in this programme; not changed."]}
    ]
    run(job)
    existing.refresh_from_db()
    assert (existing.user.full_name, existing.company_name) == ("Kept", "Kept Oy")
    assert Participant.objects.filter(programme=programme).count() == 2


def test_capacity_puts_the_latest_registrants_on_the_waiting_list(programme: Programme) -> None:
    programme_update(programme=programme, actor=None, capacity=2)
    rows = [
        person(1, registered_at="2025-02-03"),
        person(2, registered_at="2025-02-01"),
        person(3, registered_at="2025-02-04"),
        person(4, registered_at="2025-02-02"),
    ]
    done = run(checked(programme, csv_bytes(rows, headers=[*KEYS, "registered_at"])))
    assert done.report["imported"] == 4
    assert done.report["waiting_list"] == 2
    statuses = dict(Participant.objects.filter(programme=programme).values_list("user__email", "status"))
    # Places go to whoever registered first, whatever the order of the file.
    assert statuses == {
        "person2@example.org": Status.REGISTERED,
        "person4@example.org": Status.REGISTERED,
        "person1@example.org": Status.WAITING_LIST,
        "person3@example.org": Status.WAITING_LIST,
    }


def test_channel_column_sets_the_registrations_channel(programme: Programme) -> None:
    Channel.objects.create(programme=programme, key="press", name={"en": "Press release", "fi": "Tiedote"})
    run(checked(programme, csv_bytes([person(1, channel="Tiedote")], headers=[*KEYS, "channel"])))
    assert Registration.objects.get().channel.key == "press"


def test_valid_only_writes_in_batches_and_a_second_run_carries_on(
    programme: Programme, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "BATCH", 2)
    job = checked(programme, csv_bytes([person(n) for n in range(1, 6)]), mode=ImportMode.VALID_ONLY)
    services.import_job_start(job=job, queue=False)
    # A worker that died after the first batch left the job "importing" with two rows written.
    original = services._register
    calls = 0

    def dies_after_two(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "_register", dies_after_two)
    with pytest.raises(KeyboardInterrupt):
        services.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.state, job.processed_rows) == (ImportState.IMPORTING, 2)
    assert len(emails(programme)) == 2
    monkeypatch.setattr(services, "_register", original)
    done = services.import_job_run(job_id=job.pk)
    assert done is not None and done.state == ImportState.DONE
    assert done.report["imported"] == 5
    assert done.report["write_failures"] == []
    # Running it yet again does nothing.
    assert services.import_job_run(job_id=job.pk).state == ImportState.DONE  # type: ignore[union-attr]
    assert len(emails(programme)) == 5


def test_the_check_records_progress(programme: Programme, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    original = ImportJob.objects.filter

    job = services.import_job_create(
        programme=programme, file_name="big.csv", content=csv_bytes([person(n) for n in range(250)])
    )
    services.import_job_map(job=job, mapping=job.mapping, queue=False)

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        queryset = original(*args, **kwargs)
        if kwargs.get("state") == ImportState.CHECKING:
            seen.append(ImportJob.objects.get(pk=job.pk).processed_rows)
        return queryset

    monkeypatch.setattr(ImportJob.objects, "filter", spy)
    services.import_job_check(job_id=job.pk)
    monkeypatch.undo()
    job.refresh_from_db()
    assert (job.state, job.processed_rows, job.total_rows) == (ImportState.CHECKED, 250, 250)
    assert seen == [0, 100]  # the value before each update: updated after 100 and 200 rows


def test_a_checked_job_cannot_be_imported_twice(programme: Programme) -> None:
    job = checked(programme, csv_bytes([person(1)]))
    run(job)
    with pytest.raises(ValidationError, match="already being imported or has been imported"):
        services.import_job_start(job=job, queue=False)
    with pytest.raises(ValidationError, match="already been imported"):
        services.import_job_map(job=job, mapping=IDENTITY, queue=False)


def test_changing_the_columns_after_a_check_checks_again(programme: Programme) -> None:
    job = checked(programme, csv_bytes([person(1)], headers=[*KEYS, "notes"]))
    job = services.import_job_map(job=job, mapping={**IDENTITY, "notes": "other_topics"}, queue=False)
    assert (job.state, job.report) == (ImportState.CHECKING, {"phase": "checking", "language": "en"})
    assert services.import_job_check(job_id=job.pk).state == ImportState.CHECKED  # type: ignore[union-attr]


def test_an_unreadable_upload_is_a_validation_error_on_the_file(programme: Programme) -> None:
    with pytest.raises(ValidationError) as caught:
        services.import_job_create(programme=programme, file_name="x.csv", content=b"\x00\x01\x02" * 100)
    assert caught.value.message_dict["file"][0].startswith("The file is not a CSV file")
    assert not ImportJob.objects.exists()


def test_the_uploader_is_the_actor_of_the_registrations(programme: Programme, coordinator: User) -> None:
    job = services.import_job_create(
        programme=programme, file_name="C:\\Users\\me\\lyyti.csv", content=csv_bytes([person(1)]), actor=coordinator
    )
    assert job.file_name == "lyyti.csv"
    services.import_job_map(job=job, mapping=job.mapping, queue=False, actor=coordinator)
    services.import_job_check(job_id=job.pk)
    job.refresh_from_db()
    services.import_job_start(job=job, actor=coordinator, queue=False)
    services.import_job_run(job_id=job.pk)
    entry = AuditEntry.objects.get(action="recruitment.registration.created")
    assert entry.actor == coordinator

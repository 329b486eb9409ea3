"""The import pages: upload, columns, check with progress, report, import, done; and who may see them."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kollega.accounts.models import User
from kollega.core.models import Participant, Programme, Role
from kollega.recruitment.importing import services
from kollega.recruitment.models import ImportJob, ImportMode, ImportState
from tests.factories import make_organisation, make_programme, make_staff
from tests.recruitment_import.conftest import KEYS, csv_bytes, person, xlsx_bytes


@pytest.fixture
def client(coordinator: User) -> Client:
    client = Client()
    client.force_login(coordinator)
    return client


def upload(client: Client, programme: Programme, content: bytes, name: str = "lyyti.csv", mode: str = "all_or_nothing"):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("imports:list", args=[programme.pk]),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv"), "mode": mode},
    )


def mapping_data(job: ImportJob, **changes: str) -> dict[str, str]:
    """What the columns page sends with every guessed column kept."""
    table = services.import_job_table(job=job)
    data = {f"column_{i}": job.mapping.get(h, "") for i, h in enumerate(table.headers) if h}
    data.update(changes)
    data.setdefault("mode", job.mode)
    return data


def test_the_whole_flow(client: Client, programme: Programme, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    page = client.get(reverse("imports:list", args=[programme.pk]))
    assert page.status_code == 200
    assert "No imports yet." in page.text
    assert reverse("imports:list", args=[programme.pk]) == f"/programmes/{programme.pk}/import/"

    rows = [person(1), person(2, email="nope"), person(3)]
    response = upload(client, programme, csv_bytes(rows, headers=[*KEYS, "Notes"]), mode="valid_only")
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:mapping", args=[programme.pk, job.pk])
    assert job.content and job.file_name == "lyyti.csv"

    columns = client.get(response["Location"])
    assert columns.status_code == 200
    assert "3 rows of registrations" in columns.text
    assert '<option value="email" selected>Email address</option>' in columns.text
    assert "person1@example.org" in columns.text  # a few values are shown beside each column
    assert re.search(r'<label for="id_column_10">Notes</label>', columns.text)
    assert '<option value="" selected>Do not import</option>' in columns.text

    with django_capture_on_commit_callbacks(execute=True):
        checked = client.post(response["Location"], mapping_data(job))
    assert checked.status_code == 302
    job.refresh_from_db()
    assert job.state == ImportState.CHECKED  # jobs run at once in tests

    report = client.get(checked["Location"])
    assert report.status_code == 200
    assert "Rows that would be rejected" in report.text
    assert (
        '<th scope="row" class="num">3</th><td>Email address: Enter an email address such as name@example.fi.</td>'
        in (report.text)
    )
    assert "“Notes”" in report.text  # not imported
    assert "Import 2 rows" in report.text

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("imports:start", args=[programme.pk, job.pk]), {"mode": "valid_only"})
    assert started.status_code == 302
    done = client.get(started["Location"])
    assert "2 registrations imported" in done.text
    assert reverse("core:participant_list", args=[programme.pk]) in done.text
    assert Participant.objects.filter(programme=programme).count() == 2

    listing = client.get(reverse("imports:list", args=[programme.pk]))
    assert "lyyti.csv" in listing.text
    assert "Imported" in listing.text


def test_a_workbook_upload_reads_its_columns(client: Client, programme: Programme) -> None:
    content = xlsx_bytes([KEYS, [person(1)[k] for k in KEYS]])
    response = upload(client, programme, content, name="export.xlsx")
    assert response.status_code == 302
    columns = client.get(response["Location"])
    assert "Excel workbook (.xlsx), first sheet" in columns.text


def test_all_or_nothing_with_rejections_offers_the_valid_rows(
    client: Client,
    programme: Programme,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    upload(client, programme, csv_bytes([person(1), person(2, company_size="huge")]))
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:mapping", args=[programme.pk, job.pk]), mapping_data(job))
    report = client.get(reverse("imports:detail", args=[programme.pk, job.pk]))
    assert "Some rows were rejected, and you chose all rows or none." in report.text
    assert "Import only the 1 valid row" in report.text
    assert 'value="all_or_nothing"' not in report.text
    # Pressing "import" in all-or-nothing mode anyway changes nothing.
    refused = client.post(
        reverse("imports:start", args=[programme.pk, job.pk]), {"mode": "all_or_nothing"}, follow=True
    )
    assert "Some rows were rejected" in refused.text
    assert not Participant.objects.exists()


def test_a_broken_file_is_a_message_on_the_upload_page(client: Client, programme: Programme) -> None:
    response = upload(client, programme, bytes(range(256)) * 20)
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "The file is not a CSV file or an Excel workbook (.xlsx)." in response.text
    assert not ImportJob.objects.exists()


def test_too_large_a_file_is_refused_without_keeping_it(client: Client, programme: Programme) -> None:
    response = upload(client, programme, b"name,email\n" + b"A,a@example.org\n" * 700_000)
    assert response.status_code == 400
    assert "at most 10 MB can be imported at once" in response.text
    assert not ImportJob.objects.exists()


def test_no_file_chosen(client: Client, programme: Programme) -> None:
    response = client.post(reverse("imports:list", args=[programme.pk]), {"mode": "all_or_nothing"})
    assert response.status_code == 400
    assert "Choose the file to import." in response.text


def test_two_columns_for_one_question_is_an_error_on_the_columns_page(client: Client, programme: Programme) -> None:
    upload(client, programme, csv_bytes([person(1)], headers=[*KEYS, "Mail"]))
    job = ImportJob.objects.get()
    response = client.post(
        reverse("imports:mapping", args=[programme.pk, job.pk]), mapping_data(job, column_10="email")
    )
    assert response.status_code == 400
    assert "The columns “email” and “Mail” all answer “Email address”. Choose one of them." in response.text
    assert ImportJob.objects.get().state == ImportState.UPLOADED


def test_progress_page_polls_and_works_without_javascript(client: Client, programme: Programme) -> None:
    job = services.import_job_create(programme=programme, file_name="a.csv", content=csv_bytes([person(1), person(2)]))
    services.import_job_map(job=job, mapping=job.mapping, queue=False)  # checking, not yet run
    page = client.get(reverse("imports:detail", args=[programme.pk, job.pk]))
    progress_url = reverse("imports:progress", args=[programme.pk, job.pk])
    assert "Checking the file…" in page.text
    assert f'hx-get="{progress_url}"' in page.text
    assert 'hx-trigger="every 1s"' in page.text
    assert f'href="{reverse("imports:detail", args=[programme.pk, job.pk])}">Refresh</a>' in page.text
    fragment = client.get(progress_url, headers={"HX-Request": "true"})
    assert "Checked 0 of 2 rows" in fragment.text
    assert "<html" not in fragment.text

    services.import_job_check(job_id=job.pk)
    finished = client.get(progress_url, headers={"HX-Request": "true"})
    assert finished["HX-Refresh"] == "true"
    plain = client.get(progress_url)
    assert plain.status_code == 302


def test_all_or_nothing_import_shows_importing_without_a_count(client: Client, programme: Programme) -> None:
    job = services.import_job_create(programme=programme, file_name="a.csv", content=csv_bytes([person(1)]))
    services.import_job_map(job=job, mapping=job.mapping, queue=False)
    services.import_job_check(job_id=job.pk)
    job.refresh_from_db()
    services.import_job_start(job=job, queue=False)
    page = client.get(reverse("imports:detail", args=[programme.pk, job.pk]))
    assert "Importing…" in page.text
    assert "They are written all together" in page.text


def test_a_failed_import_says_what_happened(client: Client, programme: Programme) -> None:
    job = services.import_job_create(programme=programme, file_name="a.csv", content=csv_bytes([person(1)]))
    services.import_job_map(job=job, mapping=job.mapping, queue=False)
    services.import_job_check(job_id=job.pk)
    job.refresh_from_db()
    services.import_job_start(job=job, queue=False)
    from tests.factories import make_participant

    make_participant(programme, email="person1@example.org")
    services.import_job_run(job_id=job.pk)
    page = client.get(reverse("imports:detail", args=[programme.pk, job.pk]))
    assert "The file could not be imported" in page.text
    assert "Nothing was imported." in page.text
    assert "Check the file again" in page.text


@pytest.mark.django_db
def test_only_the_programmes_coordinators_see_its_imports() -> None:
    mine, theirs = make_programme(make_organisation("Alfa")), make_programme(make_organisation("Beta"))
    job = services.import_job_create(programme=theirs, file_name="a.csv", content=csv_bytes([person(1)]))
    coordinator = make_staff(mine.organisation)
    facilitator = make_staff(theirs.organisation, role=Role.FACILITATOR)
    urls = [
        reverse("imports:list", args=[theirs.pk]),
        reverse("imports:mapping", args=[theirs.pk, job.pk]),
        reverse("imports:detail", args=[theirs.pk, job.pk]),
        reverse("imports:progress", args=[theirs.pk, job.pk]),
        # Their job under my programme's address is just as unknown.
        reverse("imports:detail", args=[mine.pk, job.pk]),
    ]
    for user in (coordinator, facilitator):
        client = Client()
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, url
        assert (
            client.post(reverse("imports:start", args=[theirs.pk, job.pk]), {"mode": "valid_only"}).status_code == 404
        )
    anonymous = Client().get(urls[0])
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_list_page_needs_few_queries(
    client: Client,
    programme: Programme,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    for n in range(5):
        services.import_job_create(programme=programme, file_name=f"{n}.csv", content=csv_bytes([person(n)]))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("imports:list", args=[programme.pk])).status_code == 200


def test_mode_choice_is_kept(client: Client, programme: Programme) -> None:
    upload(client, programme, csv_bytes([person(1)]), mode="valid_only")
    assert ImportJob.objects.get().mode == ImportMode.VALID_ONLY


def test_the_upload_is_protected_against_cross_site_requests(coordinator: User, programme: Programme) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    response = upload(client, programme, csv_bytes([person(1)]))
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_100_000_rows_are_refused_with_a_clear_message(client: Client, programme: Programme) -> None:
    content = b"name,email\n" + b"".join(b"P%d,p%d@example.org\n" % (i, i) for i in range(100_000))
    response = upload(client, programme, content)
    assert response.status_code == 400
    assert "The file has 100 000 rows; at most 10 000 can be imported at once. Split the file." in response.text
    assert not ImportJob.objects.exists()

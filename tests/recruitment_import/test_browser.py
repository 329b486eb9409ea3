"""The import pages in real Chromium: the whole flow with axe-core on every page, progress updating itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from kollega.accounts.services import sign_in_link_make
from kollega.core.models import Participant
from kollega.recruitment.importing import services
from tests.browser.conftest import assert_accessible, axe, browser_type_launch_args  # noqa: F401
from tests.factories import make_organisation, make_programme, make_staff
from tests.recruitment_import.conftest import KEYS, csv_bytes, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_320(page: Page) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{page.url} scrolls sideways at 320 px ({width} px wide)"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_import_flow_is_accessible(page: Page, live_server, assert_accessible, tmp_path: Path) -> None:  # noqa: F811
    organisation = make_organisation("Testikylän Yrityspalvelut")
    coordinator = make_staff(organisation)
    programme = make_programme(organisation)
    file = tmp_path / "lyyti.csv"
    file.write_bytes(csv_bytes([person(1), person(2, email="nope"), person(3)], headers=[*KEYS, "Notes"]))

    page.goto(live_server.url + sign_in_link_make(user=coordinator))
    page.goto(live_server.url + reverse("imports:list", args=[programme.pk]))
    expect(page.get_by_role("heading", name="Import registrations", level=1)).to_be_visible()
    assert_accessible(page)
    fits_320(page)

    page.get_by_role("button", name="Upload and choose the columns").click()
    expect(page.get_by_text("Choose the file to import.").first).to_be_visible()
    assert_accessible(page)  # with the errors shown

    page.get_by_label("File of registrations").set_input_files(str(file))
    page.get_by_label("Import the rows without problems; list the others").check()
    page.get_by_role("button", name="Upload and choose the columns").click()
    expect(page.get_by_role("heading", name="Choose what each column answers")).to_be_visible()
    expect(page.get_by_label("email", exact=True)).to_have_value("email")
    expect(page.get_by_label("Notes")).to_have_value("")
    assert_accessible(page)
    fits_320(page)

    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="Check of “lyyti.csv”")).to_be_visible()
    expect(page.get_by_role("table", name="Rows that would be rejected, with the reasons")).to_contain_text(
        "Email address: Enter an email address such as name@example.fi."
    )
    assert_accessible(page)
    fits_320(page)

    page.get_by_role("button", name="Import 2 rows").click()
    expect(page.get_by_role("heading", name="2 registrations imported")).to_be_visible()
    assert_accessible(page)
    assert Participant.objects.filter(programme=programme).count() == 2

    page.get_by_role("link", name="Import another file").click()
    expect(page.get_by_role("link", name="lyyti.csv")).to_be_visible()
    assert_accessible(page)


def test_progress_updates_itself_until_the_report(page: Page, live_server, assert_accessible) -> None:  # noqa: F811
    organisation = make_organisation()
    coordinator = make_staff(organisation)
    programme = make_programme(organisation)
    job = services.import_job_create(programme=programme, file_name="big.csv", content=csv_bytes([person(1)]))
    services.import_job_map(job=job, mapping=job.mapping, queue=False)  # waiting for a worker

    page.goto(live_server.url + sign_in_link_make(user=coordinator))
    page.goto(live_server.url + reverse("imports:detail", args=[programme.pk, job.pk]))
    expect(page.get_by_role("heading", name="Checking the file…")).to_be_visible()
    expect(page.get_by_text("Checked 0 of 1 row")).to_be_visible()
    assert_accessible(page)

    services.import_job_check(job_id=job.pk)  # the worker gets to it
    expect(page.get_by_role("heading", name="Check of “big.csv”")).to_be_visible(timeout=5000)
    expect(page.get_by_role("button", name="Import 1 row")).to_be_visible()

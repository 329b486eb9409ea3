"""Exports of the applicant list: exactly the filtered people, readable, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kollega.core.models import AuditEntry, Role, Status
from tests.factories import make_organisation, make_participant, make_programme, make_staff
from tests.recruitment_coordinator.support import client_for, make_channel, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    organisation = make_organisation("Alfa")
    coordinator = make_staff(organisation)
    programme = make_programme(organisation, slug="kevat-2026")
    make_channel(programme, "yrittajat", "Yrittäjäjärjestö")
    aino = register(
        programme,
        name="Aino Aamu",
        channel_key="yrittajat",
        phone="+358 40 123 4567",
        company_name="Aamukahvi Oy",
        industry="I",
        years_in_business=12,
        region="Tampere",
        company_size="2-9",
        gender="woman",
        time_slots=["morning", "afternoon"],
        themes=["networks", "goals"],
        other_topics='Hinnoittelu;\n"rahoitus"',
        heard_from="yrittajat",
        share_name=True,
        at=datetime(2026, 3, 1, 10, 5, tzinfo=UTC),
    )
    bertta = register(
        programme,
        name="Bertta Ilta",
        heard_from="other",
        time_slots=["afternoon"],
        themes=["goals", "work-and-time", "recovery", "networks"],  # networks only fourth
    )
    return {"org": organisation, "coordinator": coordinator, "programme": programme, "aino": aino, "bertta": bertta}


def csv_rows(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def xlsx_rows(response) -> list[dict[str, object]]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def test_csv_holds_every_column_in_readable_form(setup) -> None:
    url = reverse("recruitment:participant_export_csv", args=[setup["programme"].pk])
    response = client_for(setup["coordinator"]).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate(timezone=setup["org"].tz)
    assert response["Content-Disposition"] == f'attachment; filename="kevat-2026-applicants-{today:%Y-%m-%d}.csv"'
    rows = csv_rows(response)
    assert [r["Name"] for r in rows] == ["Aino Aamu", "Bertta Ilta"]
    aino = rows[0]
    assert aino["Email"] == setup["aino"].user.email
    assert aino["Phone"] == "'+358 40 123 4567"  # a leading "+" could start a formula
    assert aino["Company"] == "Aamukahvi Oy"
    assert aino["Industry code"] == "I"
    assert aino["Industry"] == "Accommodation and food service activities"
    assert aino["Years in business"] == "12"
    assert aino["Region or municipality"] == "Tampere"
    assert aino["Company size"] == "2–9 people"
    assert aino["Gender"] == "Woman"
    assert aino["Status"] == "Registered"
    # 10:05 UTC is 12:05 in Helsinki in March.
    assert aino["Registered (Europe/Helsinki)"] == "2026-03-01 12:05"
    assert aino["Time slots"] == "Morning, Afternoon"
    assert (
        aino["Theme wishes in order"]
        == "1. Networks supporting the entrepreneur; 2. Clarifying personal and business goals"
    )
    assert aino["Channel"] == "Yrittäjäjärjestö"
    assert aino["Heard of the programme from"] == "Yrittäjäjärjestö"
    assert aino["Consent: Privacy notice"] == "Yes"
    assert aino["Consent: Share my name with my group"] == "Yes"
    assert aino["Consent: Share my company with my group"] == "No"
    assert aino["Consent: Well-being questionnaire"] == "No"  # asked at registration, left unticked
    # One column per question of the registration form, with labels, not keys.
    assert aino["Your business's industry"] == "Accommodation and food service activities"
    assert aino["Size of your business"] == "2–9 people"
    assert aino["Which themes would you most like to talk about?"] == (
        "1. Networks supporting the entrepreneur; 2. Clarifying personal and business goals"
    )
    assert aino["How many years have you been in business?"] == "12"
    assert aino["Where did you hear about the programme?"] == "Yrittäjäjärjestö"
    assert aino["Which times suit you for the group's meetings?"] == "Morning 09:00–11:00, Afternoon 13:00–15:00"
    assert aino["My name may be shown to the members of my group."] == "Yes"
    # A question worded like a column of its own gets a heading of its own.
    assert aino["Gender (registration form)"] == "Woman"
    # Separators and quotes inside an answer survive the round trip.
    assert aino["What other topics would you like to talk about in the group?"] == 'Hinnoittelu;\n"rahoitus"'
    bertta = rows[1]
    assert bertta["Channel"] == "" and bertta["Heard of the programme from"] == "Somewhere else"
    assert bertta["Phone"] == "" and bertta["Gender"] == "Not told"
    assert bertta["Gender (registration form)"] == ""
    headers = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(headers) == len(set(headers))


def test_xlsx_holds_the_same_rows_with_real_numbers_and_dates(setup) -> None:
    url = reverse("recruitment:participant_export_xlsx", args=[setup["programme"].pk])
    response = client_for(setup["coordinator"]).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith('.xlsx"')
    assert "kevat-2026-applicants-" in response["Content-Disposition"]
    rows = xlsx_rows(response)
    assert [r["Name"] for r in rows] == ["Aino Aamu", "Bertta Ilta"]
    aino = rows[0]
    assert aino["Years in business"] == 12
    assert aino["Registered (Europe/Helsinki)"] == datetime(2026, 3, 1, 12, 5)  # spreadsheets have no time zones
    assert aino["Phone"] == "+358 40 123 4567"  # text cells need no apostrophe
    assert aino["Consent: Privacy notice"] == "Yes"
    assert aino["Size of your business"] == "2–9 people"


def test_exports_follow_the_filters(setup) -> None:
    client = client_for(setup["coordinator"])
    programme = setup["programme"]
    csv_url = reverse("recruitment:participant_export_csv", args=[programme.pk])
    xlsx_url = reverse("recruitment:participant_export_xlsx", args=[programme.pk])
    assert [r["Name"] for r in csv_rows(client.get(csv_url, {"channel": "yrittajat"}))] == ["Aino Aamu"]
    assert [r["Name"] for r in csv_rows(client.get(csv_url, {"channel": "-"}))] == ["Bertta Ilta"]
    assert [r["Name"] for r in xlsx_rows(client.get(xlsx_url, {"theme": "networks"}))] == ["Aino Aamu"]
    assert [r["Name"] for r in csv_rows(client.get(csv_url, {"q": "bertta", "page": "7"}))] == ["Bertta Ilta"]
    assert csv_rows(client.get(csv_url, {"status": Status.CANCELLED})) == []
    # The list page's buttons carry its filters, without the page number.
    page = client.get(reverse("core:participant_list", args=[programme.pk]), {"channel": "yrittajat", "page": "1"})
    assert f'href="{csv_url}?channel=yrittajat"' in page.text
    assert f'href="{xlsx_url}?channel=yrittajat"' in page.text
    # Who took what out is in the audit log.
    entry = AuditEntry.objects.filter(action="recruitment.applicants.exported").order_by("-id").first()
    assert entry is not None and entry.actor == setup["coordinator"]
    assert entry.data["rows"] == 0 and entry.data["format"] == "csv"


def test_formula_injection_is_defused(setup) -> None:
    programme = setup["programme"]
    register(
        programme,
        name='=HYPERLINK("http://evil.example","Click")',
        company_name="+SUM(A1:A9)",
        region="@cmd",
        other_topics="-2+3",
    )
    client = client_for(setup["coordinator"])
    rows = csv_rows(client.get(reverse("recruitment:participant_export_csv", args=[programme.pk]), {"q": "evil"}))
    assert len(rows) == 1
    row = rows[0]
    assert row["Name"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert row["Company"] == "'+SUM(A1:A9)"
    assert row["Region or municipality"] == "'@cmd"
    response = client.get(reverse("recruitment:participant_export_xlsx", args=[programme.pk]), {"q": "evil"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = {cell.value: cell for cell in sheet[2]}
    name = cells['=HYPERLINK("http://evil.example","Click")']
    assert name.data_type == "s"  # a string, not a formula
    assert cells["+SUM(A1:A9)"].data_type == "s"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_export_queries_do_not_grow_with_rows(setup) -> None:
    programme = setup["programme"]
    client = client_for(setup["coordinator"])
    url = reverse("recruitment:participant_export_csv", args=[programme.pk])
    client.get(url)  # warm the session and content types
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(15):
        register(programme, channel_key="yrittajat", share_email=True, time_slots=["morning", "afternoon"])
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(csv_rows(response)) == 17
    assert len(many) == len(few)
    xlsx = reverse("recruitment:participant_export_xlsx", args=[programme.pk])
    with CaptureQueriesContext(connection) as as_xlsx:
        assert client.get(xlsx).status_code == 200
    assert len(as_xlsx) == len(few)


def test_people_without_registration_answers_are_exported_too(setup) -> None:
    programme = setup["programme"]
    make_participant(programme, full_name="Cecilia Staff-Added", company_name="Lisätty Oy")
    rows = csv_rows(
        client_for(setup["coordinator"]).get(reverse("recruitment:participant_export_csv", args=[programme.pk]))
    )
    cecilia = next(r for r in rows if r["Name"] == "Cecilia Staff-Added")
    assert cecilia["Company"] == "Lisätty Oy"
    assert cecilia["Channel"] == "" and cecilia["Your name"] == ""


def test_exports_are_for_the_programmes_coordinators_only(setup) -> None:
    programme = setup["programme"]
    other = make_organisation("Beta")
    urls = [
        reverse("recruitment:participant_export_csv", args=[programme.pk]),
        reverse("recruitment:participant_export_xlsx", args=[programme.pk]),
    ]
    for user in (make_staff(other), make_staff(setup["org"], Role.FACILITATOR), setup["aino"].user):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
    for url in urls:
        signed_out = Client().get(url)
        assert signed_out.status_code == 302 and "/accounts/login/" in signed_out["Location"]
    # Under another organisation's programme the own coordinator finds nothing either.
    elsewhere = make_programme(other)
    assert (
        client_for(setup["coordinator"])
        .get(reverse("recruitment:participant_export_csv", args=[elsewhere.pk]))
        .status_code
        == 404
    )
    assert not AuditEntry.objects.filter(action="recruitment.applicants.exported").exists()


def test_a_filter_the_address_got_wrong_exports_nothing_filtered_and_no_error(setup) -> None:
    url = reverse("recruitment:participant_export_csv", args=[setup["programme"].pk])
    response = client_for(setup["coordinator"]).get(url, {"industry": "Ö", "channel": "<script>"})
    assert response.status_code == 200
    assert len(csv_rows(response)) == 2

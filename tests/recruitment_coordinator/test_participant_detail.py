"""The applicant page: how and when the person registered, every answer, the waiting list and offers."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from kollega.core.models import Status
from kollega.recruitment.selectors import registration_form
from kollega.recruitment.services import registration_cancel, waiting_list_fill
from kollega.surveys.services import response_submit
from tests.factories import make_organisation, make_participant, make_programme, make_staff
from tests.recruitment_coordinator.support import client_for, make_channel, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant():
    organisation = make_organisation()
    coordinator = make_staff(organisation)
    programme = make_programme(organisation)
    make_channel(programme, "lehti", "Paikallislehti")
    person = register(
        programme,
        name="Aino Aamu",
        channel_key="lehti",
        heard_from="other",
        industry="I",
        company_size="2-9",
        themes=["networks", "goals"],
        expectations="Vertaistukea <b>ja</b> ideoita",
        share_email=True,
    )
    return {"coordinator": coordinator, "programme": programme, "person": person}


def section(text: str) -> str:
    start = text.index('id="registration-h"')
    return text[start : text.index('id="status-h"')]


def test_registration_section_shows_how_and_every_answer_in_order(applicant) -> None:
    response = client_for(applicant["coordinator"]).get(
        reverse("core:participant_detail", args=[applicant["person"].pk])
    )
    assert response.status_code == 200
    text = section(response.text)
    assert "Registration form" in text  # came in through
    assert "Paikallislehti" in text  # the channel of the share link
    assert "Somewhere else" in text  # what they answered to "where did you hear of us"
    assert "Sent on" in text and "in English" in text
    # Labels, not keys, in the form's order.
    labels = ["Your name", "Your business&#x27;s industry", "Size of your business", "Which themes would you"]
    positions = [text.index(label) for label in labels]
    assert positions == sorted(positions)
    assert "Accommodation and food service activities" in text
    assert "2–9 people" in text
    assert re.search(r"<ol class=\"wishes\"><li>Networks supporting the entrepreneur</li><li>Clarifying personal", text)
    # What people type is shown as text.
    assert "Vertaistukea &lt;b&gt;ja&lt;/b&gt; ideoita" in text
    # An optional question left empty says so; consents read yes or no.
    assert re.search(r"Phone number</dt><dd><span class=\"muted\">Not answered", text)
    assert re.search(r"My email address may be shown to the members of my group\.</dt><dd>Yes", text)
    assert re.search(r"My name may be shown to the members of my group\.</dt><dd>No", text)
    # Consents and the history stay on the page as before.
    assert 'id="consents-h"' in response.text and 'id="history-h"' in response.text


def test_labels_follow_the_viewers_language(applicant) -> None:
    client = client_for(applicant["coordinator"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fi"
    response = client.get(reverse("core:participant_detail", args=[applicant["person"].pk]))
    text = section(response.text)
    assert "Yrityksesi toimiala" in text
    assert "Majoitus- ja ravitsemistoiminta" in text
    assert "2–9 henkeä" in text


def test_earlier_answers_are_listed_by_date(applicant) -> None:
    person = applicant["person"]
    form = registration_form(programme=applicant["programme"])
    assert form is not None
    first = person.responses.get()
    raw = {answer.question.key: answer.value for answer in first.answers.select_related("question")}
    response_submit(form=form, participant=person, raw={**raw, "region": "Oulu"}, language="en")
    page = client_for(applicant["coordinator"]).get(reverse("core:participant_detail", args=[person.pk]))
    text = section(page.text)
    assert "Earlier answers" in text
    assert text.count("<details") == 1
    current = text[: text.index("Earlier answers")]
    earlier = text[text.index("Earlier answers") :]
    assert "Oulu" in current and "Tampere" in earlier
    assert "replaced on" in earlier


def test_waiting_list_place_and_offer(applicant) -> None:
    programme = applicant["programme"]
    programme.capacity = 1
    programme.save(update_fields=["capacity"])
    second = register(programme, name="Bertta Odottaa")
    third = register(programme, name="Cecilia Odottaa")
    assert second.status == Status.WAITING_LIST
    client = client_for(applicant["coordinator"])
    text = section(client.get(reverse("core:participant_detail", args=[third.pk])).text)
    assert "Number 2 in line" in text
    registration_cancel(participant=applicant["person"], reason="Ei pääse")
    waiting_list_fill(programme=programme)
    text = section(client.get(reverse("core:participant_detail", args=[second.pk])).text)
    assert "Offer of a place" in text and "waits for an answer until" in text
    assert "Offers of a place from the waiting list" in text and "Waiting for an answer" in text


def test_a_person_added_by_staff_has_no_answers(applicant) -> None:
    person = make_participant(applicant["programme"])
    response = client_for(applicant["coordinator"]).get(reverse("core:participant_detail", args=[person.pk]))
    text = section(response.text)
    assert "No registration answers are stored for this person" in text
    assert "No channel" in text


def test_another_organisations_applicant_is_not_found(applicant) -> None:
    other = make_staff(make_organisation())
    assert client_for(other).get(reverse("core:participant_detail", args=[applicant["person"].pk])).status_code == 404

"""The record, accept and decline pages, the applicant page's interview section, and the list's interview column."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kollega.accounts.models import User
from kollega.core.models import Participant, Role, Status
from kollega.interviews.models import InterviewRecord
from kollega.interviews.record_kinds import register_kinds
from kollega.interviews.record_services import KIND_ACCEPTED, KIND_DECLINED, interview_record_save
from kollega.recruitment.services import registration_submit
from tests.factories import make_organisation, make_participant, make_programme, make_staff
from tests.interviews.record_helpers import book, record_data
from tests.recruitment.factories import answers, outbox

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _kinds() -> None:
    register_kinds()


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    organisation = make_organisation("Yrityspalvelut")
    coordinator = make_staff(organisation)
    interviewer = make_staff(organisation, Role.FACILITATOR)
    programme = make_programme(organisation)
    registered = registration_submit(
        programme=programme,
        raw=answers(
            programme,
            name="Aino Aamu",
            time_slots=["afternoon"],
            expectations="Peers who understand the solo life.",
            other_topics="Selling abroad",
            share_name=True,
            share_company=False,
            share_email=True,
        ),
        language="en",
        check_window=False,
        notify=False,
    ).participant
    return {
        "organisation": organisation,
        "coordinator": coordinator,
        "interviewer": interviewer,
        "programme": programme,
        "participant": registered,
    }


def valid_post(**overrides: str | list[str]) -> dict[str, str | list[str]]:
    data: dict[str, str | list[str]] = {
        "platform_audio": "on",
        "platform_video": "on",
        "committed": "on",
        "agreed_time_slots": ["afternoon"],
        "consent_share_name": "yes",
        "consent_share_company": "yes",
        "consent_share_email": "yes",
        "consent_wellbeing_questionnaire": "yes",
        "expectations": "Peers.",
        "extra_theme_wishes": "",
        "goal_business": "Ten new customers.",
        "goal_wellbeing": "Evenings off.",
        "staff_notes": "Prefers afternoons.",
    }
    data.update(overrides)
    return data


def test_the_record_form_starts_from_the_registration(world) -> None:
    participant = world["participant"]
    book(participant, world["interviewer"])
    response = client_for(world["coordinator"]).get(reverse("interview_records:record", args=[participant.pk]))
    assert response.status_code == 200
    text = response.text
    programme = world["programme"]
    assert (
        f"The programme has {programme.meeting_count} meetings of {programme.meeting_length_minutes} minutes each."
        in text
    )
    assert 'value="afternoon" id="id_agreed_time_slots_1" checked' in text
    assert 'value="morning" id="id_agreed_time_slots_0">' in text
    form = response.context["form"]
    assert form.initial["agreed_time_slots"] == ["afternoon"]
    assert form.initial["interviewer"] == world["interviewer"].pk  # the booked slot's interviewer
    assert "Peers who understand the solo life." in text and "Selling abroad" in text
    # The registration form asked every consent, the well-being questionnaire too.
    assert "Now: given" in text and "Now: not given" in text
    assert form.initial["consent_share_email"] == "yes" and form.initial["consent_share_company"] == "no"
    assert "Seen by staff only" in text


def test_saving_the_record_from_the_page(world) -> None:
    participant = world["participant"]
    book(participant, world["interviewer"])
    client = client_for(world["coordinator"])
    response = client.post(
        reverse("interview_records:record", args=[participant.pk]),
        valid_post(interviewer=str(world["interviewer"].pk)),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("core:participant_detail", args=[participant.pk])
    assert "The interview record was saved." in response.text
    participant.refresh_from_db()
    assert participant.status == Status.INTERVIEWED
    record = InterviewRecord.objects.get(participant=participant)
    assert record.platform_audio and record.platform_video and not record.platform_screen and record.committed
    # The applicant page shows the record and the next steps.
    for words in ("Ten new customers.", "Prefers afternoons.", "seen by staff only", "Edit the interview record"):
        assert words in response.text
    assert reverse("interview_records:accept", args=[participant.pk]) in response.text
    assert reverse("interview_records:decline", args=[participant.pk]) in response.text


def test_errors_are_shown_next_to_the_fields_and_in_a_summary(world) -> None:
    participant = world["participant"]
    response = client_for(world["coordinator"]).post(
        reverse("interview_records:record", args=[participant.pk]),
        valid_post(
            interviewer=str(world["coordinator"].pk),
            agreed_time_slots=[],
            consent_share_email="",
            goal_business="x" * 5001,
        ),
    )
    assert response.status_code == 400
    text = response.text
    assert "There is a problem" in text
    assert "Choose at least one time slot the person agreed to." in text
    assert "Ask the person and mark yes or no." in text
    assert 'id="id_agreed_time_slots_error"' in text and 'id="id_consent_share_email_error"' in text
    participant.refresh_from_db()
    assert participant.status == Status.REGISTERED and not InterviewRecord.objects.exists()


def test_a_slot_of_another_programme_in_the_post_is_refused(world) -> None:
    participant = world["participant"]
    response = client_for(world["coordinator"]).post(
        reverse("interview_records:record", args=[participant.pk]),
        valid_post(interviewer=str(world["coordinator"].pk), agreed_time_slots=["midnight"]),
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    assert not InterviewRecord.objects.exists()


def test_accept_page_asks_once_and_emails(world) -> None:
    participant = world["participant"]
    interview_record_save(
        participant=participant, interviewer=world["interviewer"], data=record_data(participant), actor=None
    )
    client = client_for(world["coordinator"])
    url = reverse("interview_records:accept", args=[participant.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Yes, accept" in page.text
    assert client.post(url).status_code == 302
    participant.refresh_from_db()
    assert participant.status == Status.ACCEPTED and len(outbox(KIND_ACCEPTED)) == 1
    again = client.post(url)
    assert again.status_code == 400 and "Only an applicant who has had the intake interview" in again.text
    assert len(outbox(KIND_ACCEPTED)) == 1


def test_decline_page_needs_a_reason(world) -> None:
    participant = make_participant(world["programme"], Status.INTERVIEWED)
    client = client_for(world["coordinator"])
    url = reverse("interview_records:decline", args=[participant.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Decline and send the email" in page.text and "Finnish" in page.text
    refused = client.post(url, {"reason": "", "message": "Hello"})
    assert refused.status_code == 400 and "Write down why the person is declined." in refused.text
    assert not outbox(KIND_DECLINED)
    done = client.post(url, {"reason": "Not an entrepreneur", "message": "All the best!"}, follow=True)
    assert "was declined and got a kind email" in done.text
    participant.refresh_from_db()
    assert participant.status == Status.DECLINED
    (row,) = outbox(KIND_DECLINED)
    assert row.context["message"] == "All the best!" and "Not an entrepreneur" not in str(row.context)


def test_pages_of_another_organisation_are_not_found(world) -> None:
    participant = world["participant"]
    stranger = make_staff(make_organisation("Muu"))
    facilitator = world["interviewer"]  # staff of the organisation, but not a coordinator
    urls = [
        reverse(name, args=[participant.pk])
        for name in ("interview_records:record", "interview_records:accept", "interview_records:decline")
    ]
    for user in (stranger, facilitator):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 404
            assert client.post(url, valid_post(reason="x")).status_code == 404
    anonymous = Client().get(urls[0])
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    participant.refresh_from_db()
    assert participant.status == Status.REGISTERED


def test_the_applicant_page_shows_the_booking_in_the_organisations_time(world) -> None:
    participant = world["participant"]
    helsinki = zoneinfo.ZoneInfo("Europe/Helsinki")
    starts = datetime(2031, 3, 30, 10, 0, tzinfo=helsinki)  # the first day of summer time
    booking = book(participant, world["interviewer"], starts_at=starts)
    response = client_for(world["coordinator"]).get(reverse("core:participant_detail", args=[participant.pk]))
    text = response.text
    assert "Intake interview" in text
    assert "30.3.2031 10:00–10:30" in text
    assert world["interviewer"].display_name in text and booking.video_link in text
    assert "Fill in the interview record" in text


def test_the_applicant_page_says_when_there_is_no_slot(world) -> None:
    response = client_for(world["coordinator"]).get(reverse("core:participant_detail", args=[world["participant"].pk]))
    assert "No slot yet" in response.text and "Fill in the interview record" in response.text
    assert reverse("interview_records:accept", args=[world["participant"].pk]) not in response.text


def test_the_list_shows_and_filters_the_interview_state(world) -> None:
    programme, interviewer = world["programme"], world["interviewer"]
    waiting = world["participant"]  # registered, no slot
    booked = make_participant(programme, full_name="Bertta Booked")
    book(booked, interviewer, starts_at=datetime(2031, 6, 2, 9, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Helsinki")))
    done = make_participant(programme, full_name="Cecilia Done")
    interview_record_save(participant=done, interviewer=interviewer, data=record_data(done), actor=None)
    client = client_for(world["coordinator"])
    url = reverse("core:participant_list", args=[programme.pk])
    everyone = client.get(url).text
    assert "No slot yet" in everyone and "Booked 2.6.2031 09:00" in everyone and "Interviewed" in everyone

    def names(state: str) -> set[str]:
        text = client.get(url, {"interview": state}).text
        return {p.display_name for p in (waiting, booked, done) if p.display_name in text}

    assert names("needs_slot") == {waiting.display_name}
    assert names("has_slot") == {"Bertta Booked"}
    assert names("done") == {"Cecilia Done"}
    odd = client.get(url, {"interview": "maybe"})
    assert odd.status_code == 200 and "Select a valid choice" in odd.text


def test_the_list_takes_as_many_queries_with_interviews_as_without(world) -> None:
    programme, interviewer = world["programme"], world["interviewer"]
    client = client_for(world["coordinator"])
    url = reverse("core:participant_list", args=[programme.pk])
    client.get(url)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    base = timezone.now() + timedelta(days=5)
    for n in range(6):
        person = make_participant(programme)
        book(person, interviewer, starts_at=base + timedelta(hours=n))
        if n % 2:
            interview_record_save(participant=person, interviewer=interviewer, data=record_data(person), actor=None)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"interview": ""})
    assert response.status_code == 200 and response.text.count("Booked ") >= 3
    assert len(many) == len(few)
    assert Participant.objects.filter(programme=programme).count() == 7

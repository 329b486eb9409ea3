"""Staff who interview without coordinating: "My interviews" and the interview record of their own applicants."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kollega.accounts.models import User
from kollega.core.models import Organisation, Participant, Programme, Role, StaffMembership, Status
from kollega.core.services import participant_change_status, staff_membership_remove
from kollega.interviews.models import InterviewRecord, InterviewSlot
from kollega.interviews.record_kinds import register_kinds
from kollega.interviews.record_services import KIND_ACCEPTED, interview_record_save
from kollega.interviews.services import booking_mark_no_show
from tests.factories import make_organisation, make_participant, make_programme, make_staff
from tests.interviews.record_helpers import book, record_data
from tests.recruitment.factories import outbox

pytestmark = pytest.mark.django_db

MY_INTERVIEWS = reverse("interviews:my_interviews")
HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")


@pytest.fixture(autouse=True)
def _kinds() -> None:
    register_kinds()


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def record_url(participant: Participant) -> str:
    return reverse("interview_records:record", args=[participant.pk])


@dataclass
class World:
    organisation: Organisation
    programme: Programme
    coordinator: User
    facilitator: User  # interviews, does not coordinate
    applicant: Participant


@pytest.fixture
def world() -> World:
    organisation = make_organisation("Yrityspolku")
    coordinator = make_staff(organisation, Role.COORDINATOR)
    facilitator = make_staff(organisation, Role.FACILITATOR)
    programme = make_programme(organisation)
    applicant = make_participant(programme, full_name="Aino Aamunen", language="en")
    return World(organisation, programme, coordinator, facilitator, applicant)


def form_post(world: World, **overrides: str | list[str]) -> dict[str, str | list[str]]:
    """The record form filled in as an interviewer would."""
    first_slot = world.programme.time_slots.order_by("position").first()
    assert first_slot is not None
    data: dict[str, str | list[str]] = {
        "interviewer": str(world.facilitator.pk),
        "platform_audio": "on",
        "platform_video": "on",
        "committed": "on",
        "agreed_time_slots": [first_slot.key],
        "consent_share_name": "yes",
        "consent_share_company": "no",
        "consent_share_email": "yes",
        "consent_wellbeing_questionnaire": "yes",
        "expectations": "Company on the lonely days.",
        "extra_theme_wishes": "",
        "goal_business": "Two new regular customers.",
        "goal_wellbeing": "A proper lunch break.",
        "staff_notes": "Camera shy; agreed to try.",
    }
    data.update(overrides)
    return data


def test_the_interviewer_sees_the_booked_time_with_the_applicants_name(world: World) -> None:
    booking = book(world.applicant, world.facilitator)
    free = InterviewSlot.objects.create(
        programme=world.programme,
        interviewer=world.facilitator,
        starts_at=booking.slot.starts_at + timedelta(hours=1),
        ends_at=booking.slot.starts_at + timedelta(hours=1, minutes=30),
        video_link="https://meet.example.org/pasted-room",
    )
    response = client_for(world.facilitator).get(MY_INTERVIEWS)
    assert response.status_code == 200
    text = response.text
    assert "<h1>My interviews</h1>" in text
    assert "Aino Aamunen" in text and world.programme.name in text
    assert booking.video_link in text and free.video_link in text
    assert "free" in text
    assert f'href="{record_url(world.applicant)}"' in text
    assert "Fill in the record of Aino Aamunen" in text
    local_start = timezone.localtime(booking.slot.starts_at, HELSINKI)
    assert f"{local_start:%H:%M}–" in text
    assert "Times are in the time zone Europe/Helsinki." in text


def test_days_follow_the_organisations_time_zone(world: World) -> None:
    # 00:15 in Helsinki on 30 March is still 29 March in UTC.
    starts = datetime(2031, 3, 30, 0, 15, tzinfo=HELSINKI)
    book(world.applicant, world.facilitator, starts_at=starts)
    text = client_for(world.facilitator).get(MY_INTERVIEWS).text
    assert "30.3.2031" in text and "29.3.2031" not in text
    assert "00:15–00:45" in text


def test_the_interviewer_opens_and_saves_the_record(world: World) -> None:
    book(world.applicant, world.facilitator)
    client = client_for(world.facilitator)
    page = client.get(record_url(world.applicant))
    assert page.status_code == 200
    assert "Intake interview of Aino Aamunen" in page.text
    assert "Seen by staff only" in page.text  # the notes for staff are theirs to write
    assert page.context["form"].initial["interviewer"] == world.facilitator.pk
    # The way back is their own list, not the coordinator's applicant page.
    assert f'href="{MY_INTERVIEWS}"' in page.text
    assert f'href="{reverse("core:participant_detail", args=[world.applicant.pk])}"' not in page.text

    response = client.post(record_url(world.applicant), form_post(world), follow=True)
    assert response.redirect_chain[-1][0] == MY_INTERVIEWS
    assert "The interview record was saved." in response.text
    world.applicant.refresh_from_db()
    assert world.applicant.status == Status.INTERVIEWED
    record = InterviewRecord.objects.get(participant=world.applicant)
    assert record.interviewer == world.facilitator and record.staff_notes == "Camera shy; agreed to try."
    # Back on the list, the record can be seen again.
    assert "See the record of Aino Aamunen" in response.text
    again = client.get(record_url(world.applicant))
    assert again.status_code == 200 and "Camera shy; agreed to try." in again.text


def test_the_interviewer_cannot_accept_or_decline(world: World) -> None:
    book(world.applicant, world.facilitator)
    client = client_for(world.facilitator)
    client.post(record_url(world.applicant), form_post(world))
    world.applicant.refresh_from_db()
    assert world.applicant.status == Status.INTERVIEWED
    page = client.get(record_url(world.applicant)).text
    accept_url = reverse("interview_records:accept", args=[world.applicant.pk])
    decline_url = reverse("interview_records:decline", args=[world.applicant.pk])
    assert accept_url not in page and decline_url not in page
    assert "A coordinator decides afterwards whether the person is accepted." in page
    assert client.get(accept_url).status_code == 404
    assert client.post(accept_url).status_code == 404
    assert client.post(decline_url, {"reason": "No", "message": ""}).status_code == 404
    world.applicant.refresh_from_db()
    assert world.applicant.status == Status.INTERVIEWED and not outbox(KIND_ACCEPTED)


def test_a_coordinator_still_returns_to_the_applicant_page(world: World) -> None:
    book(world.applicant, world.facilitator)
    client = client_for(world.coordinator)
    page = client.get(record_url(world.applicant)).text
    assert f'href="{reverse("core:participant_detail", args=[world.applicant.pk])}"' in page
    assert "A coordinator decides afterwards" not in page
    response = client.post(record_url(world.applicant), form_post(world))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:participant_detail", args=[world.applicant.pk])


def test_staff_who_did_not_interview_the_person_get_not_found(world: World) -> None:
    book(world.applicant, world.facilitator)
    colleague = make_staff(world.organisation, Role.FACILITATOR)
    elsewhere = make_staff(make_organisation("Toinen yhdistys"), Role.COORDINATOR)
    for user in (colleague, elsewhere):
        client = client_for(user)
        assert client.get(record_url(world.applicant)).status_code == 404
        assert client.post(record_url(world.applicant), form_post(world)).status_code == 404
    world.applicant.refresh_from_db()
    assert world.applicant.status == Status.INTERVIEW_BOOKED and not InterviewRecord.objects.exists()


def test_a_cancelled_booking_gives_no_access(world: World) -> None:
    booking = book(world.applicant, world.facilitator)
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["cancelled_at"])
    assert client_for(world.facilitator).get(record_url(world.applicant)).status_code == 404


def test_the_interviewer_of_a_missed_interview_still_opens_the_record(world: World) -> None:
    book(world.applicant, world.facilitator, starts_at=timezone.now() - timedelta(hours=2))
    booking_mark_no_show(participant=world.applicant, actor=world.coordinator)
    client = client_for(world.facilitator)
    assert client.get(record_url(world.applicant)).status_code == 200
    # Once the person books again with someone else, the new interviewer is the one who writes the record.
    colleague = make_staff(world.organisation, Role.FACILITATOR)
    world.applicant.refresh_from_db()
    book(world.applicant, colleague)
    assert client.get(record_url(world.applicant)).status_code == 404
    assert client_for(colleague).get(record_url(world.applicant)).status_code == 200


def test_an_interviewer_removed_from_the_staff_loses_access(world: World) -> None:
    book(world.applicant, world.facilitator)
    staff_membership_remove(
        membership=StaffMembership.objects.get(user=world.facilitator, organisation=world.organisation),
        actor=world.coordinator,
    )
    client = client_for(world.facilitator)
    assert client.get(record_url(world.applicant)).status_code == 404
    assert client.get(MY_INTERVIEWS).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(world: World) -> None:
    book(world.applicant, world.facilitator)
    for url in (MY_INTERVIEWS, record_url(world.applicant)):
        response = Client().get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_people_who_are_not_staff_get_not_found(world: World) -> None:
    user = make_participant(world.programme).user
    assert client_for(user).get(MY_INTERVIEWS).status_code == 404


def test_my_interviews_lists_only_ones_own_slots(world: World) -> None:
    colleague = make_staff(world.organisation, Role.FACILITATOR)
    other_applicant = make_participant(world.programme, full_name="Bertta Berg")
    book(world.applicant, world.facilitator)
    book(other_applicant, colleague, starts_at=timezone.now() + timedelta(days=4))
    mine = client_for(world.facilitator).get(MY_INTERVIEWS).text
    assert "Aino Aamunen" in mine and "Bertta Berg" not in mine
    theirs = client_for(colleague).get(MY_INTERVIEWS).text
    assert "Bertta Berg" in theirs and "Aino Aamunen" not in theirs
    # A coordinator who interviews nobody sees an empty list, not everyone's.
    coordinators = client_for(world.coordinator).get(MY_INTERVIEWS).text
    assert "You have no intake interview times." in coordinators
    assert "Aino Aamunen" not in coordinators and "Bertta Berg" not in coordinators


def test_past_interviews_without_a_record_are_listed_until_the_record_is_written(world: World) -> None:
    earlier = timezone.now() - timedelta(days=2)
    book(world.applicant, world.facilitator, starts_at=earlier)
    missed = make_participant(world.programme, full_name="Cecilia Poissa")
    book(missed, world.facilitator, starts_at=earlier + timedelta(hours=1))
    booking_mark_no_show(participant=missed, actor=world.coordinator)
    InterviewSlot.objects.create(  # a past time nobody booked
        programme=world.programme,
        interviewer=world.facilitator,
        starts_at=earlier + timedelta(hours=2),
        ends_at=earlier + timedelta(hours=2, minutes=30),
    )
    client = client_for(world.facilitator)
    text = client.get(MY_INTERVIEWS).text
    assert "Past, without a record yet" in text
    past = text.split("Past, without a record yet", 1)[1]
    assert "Aino Aamunen" in past and "Cecilia Poissa" not in past
    assert "No interview times coming up." in text
    assert len(re.findall(r"<tr>\s*<th scope=\"row\"", past)) == 1

    interview_record_save(
        participant=world.applicant, interviewer=world.facilitator, data=record_data(world.applicant), actor=None
    )
    text = client.get(MY_INTERVIEWS).text
    assert "Past, without a record yet" not in text and "Aino Aamunen" not in text
    assert "You have no intake interview times." in text


def test_cancelled_slots_are_not_listed(world: World) -> None:
    booking = book(world.applicant, world.facilitator)
    InterviewSlot.objects.filter(pk=booking.slot_id).update(cancelled_at=timezone.now())
    assert "You have no intake interview times." in client_for(world.facilitator).get(MY_INTERVIEWS).text


def test_the_navigation_offers_my_interviews_to_staff(world: World) -> None:
    page = client_for(world.facilitator).get(MY_INTERVIEWS).text
    nav = re.search(r'<nav class="site-nav".*?</nav>', page, re.S)
    assert nav is not None
    assert f'href="{MY_INTERVIEWS}" aria-current="page">My interviews</a>' in nav.group(0)
    coordinators = client_for(world.coordinator).get(reverse("core:programme_list")).text
    assert f'href="{MY_INTERVIEWS}"' in coordinators
    user = make_participant(world.programme).user
    participants = client_for(user).get(reverse("core:participant_home")).text
    assert "My interviews" not in participants


def test_the_page_takes_as_many_queries_with_many_slots_as_with_one(world: World) -> None:
    client = client_for(world.facilitator)
    book(world.applicant, world.facilitator)
    book(make_participant(world.programme), world.facilitator, starts_at=timezone.now() - timedelta(days=1))
    client.get(MY_INTERVIEWS)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as few:
        assert client.get(MY_INTERVIEWS).status_code == 200
    base = timezone.now() + timedelta(days=5)
    for n in range(5):
        book(make_participant(world.programme), world.facilitator, starts_at=base + timedelta(hours=n))
        book(make_participant(world.programme), world.facilitator, starts_at=base - timedelta(days=7, hours=n))
    with CaptureQueriesContext(connection) as many:
        assert client.get(MY_INTERVIEWS).status_code == 200
    assert len(many) == len(few)


def test_the_interviewer_writes_the_record_only_until_the_decision(world: World) -> None:
    book(world.applicant, world.facilitator, starts_at=timezone.now() - timedelta(hours=2))
    client = client_for(world.facilitator)
    assert client.post(record_url(world.applicant), form_post(world)).status_code == 302
    world.applicant.refresh_from_db()
    assert world.applicant.status == Status.INTERVIEWED
    assert client.get(record_url(world.applicant)).status_code == 200  # corrections before the decision

    coordinator = client_for(world.coordinator)
    assert coordinator.post(reverse("interview_records:accept", args=[world.applicant.pk])).status_code == 302
    assert client.get(record_url(world.applicant)).status_code == 404
    changed = form_post(world, staff_notes="Changed afterwards.")
    assert client.post(record_url(world.applicant), changed).status_code == 404
    assert InterviewRecord.objects.get(participant=world.applicant).staff_notes == "Camera shy; agreed to try."
    # The coordinators still open and correct it.
    assert coordinator.get(record_url(world.applicant)).status_code == 200
    assert coordinator.post(record_url(world.applicant), changed).status_code == 302
    assert InterviewRecord.objects.get(participant=world.applicant).staff_notes == "Changed afterwards."


@pytest.mark.parametrize("to_status", [Status.DECLINED, Status.CANCELLED])
def test_the_interviewer_loses_the_record_once_the_person_is_declined_or_left(world: World, to_status: str) -> None:
    book(world.applicant, world.facilitator, starts_at=timezone.now() - timedelta(hours=2))
    interview_record_save(
        participant=world.applicant, interviewer=world.facilitator, data=record_data(world.applicant), actor=None
    )
    client = client_for(world.facilitator)
    assert client.get(record_url(world.applicant)).status_code == 200
    participant_change_status(participant=world.applicant, to_status=to_status, actor=world.coordinator, reason="x")
    assert client.get(record_url(world.applicant)).status_code == 404
    assert client.post(record_url(world.applicant), form_post(world)).status_code == 404


def test_the_interviewer_of_someone_who_left_before_the_record_gets_not_found(world: World) -> None:
    book(world.applicant, world.facilitator, starts_at=timezone.now() - timedelta(hours=2))
    participant_change_status(
        participant=world.applicant, to_status=Status.CANCELLED, actor=world.coordinator, reason="Changed their mind"
    )
    assert client_for(world.facilitator).post(record_url(world.applicant), form_post(world)).status_code == 404
    assert not InterviewRecord.objects.exists()


def test_past_interviews_of_people_who_left_or_were_declined_are_not_waiting_for_a_record(world: World) -> None:
    earlier = timezone.now() - timedelta(days=2)
    book(world.applicant, world.facilitator, starts_at=earlier)
    names = {Status.CANCELLED: "Cecilia Peruutti", Status.DECLINED: "Daniel Eiotettu"}
    for n, (to_status, name) in enumerate(names.items(), start=1):
        person = make_participant(world.programme, full_name=name)
        book(person, world.facilitator, starts_at=earlier + timedelta(hours=n))
        participant_change_status(participant=person, to_status=to_status, actor=world.coordinator, reason="Left")
    withdrawn = make_participant(world.programme, full_name="Eemeli Poistunut")
    book(withdrawn, world.facilitator, starts_at=earlier + timedelta(hours=3))
    Participant.objects.filter(pk=withdrawn.pk).update(status=Status.WITHDRAWN)  # the list reads the status alone

    text = client_for(world.facilitator).get(MY_INTERVIEWS).text
    past = text.split("Past, without a record yet", 1)[1]
    assert "Aino Aamunen" in past
    for name in (*names.values(), "Eemeli Poistunut"):
        assert name not in text
    assert len(re.findall(r"<tr>\s*<th scope=\"row\"", past)) == 1


def test_my_interviews_offers_the_record_only_while_the_interviewer_may_still_write_it(world: World) -> None:
    from kollega.interviews.record_services import participant_accept

    book(world.applicant, world.facilitator)
    client = client_for(world.facilitator)
    assert f'href="{record_url(world.applicant)}"' in client.get(MY_INTERVIEWS).text
    response = client.post(record_url(world.applicant), form_post(world))
    assert response.status_code == 302
    world.applicant.refresh_from_db()
    participant_accept(participant=world.applicant, actor=world.coordinator)
    text = client.get(MY_INTERVIEWS).text
    assert f'href="{record_url(world.applicant)}"' not in text
    assert "Decided by the coordinator" in text

"""The coordinator's readiness view: per time slot, how far the applicants are, and how many groups they make."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kollega.accounts.models import User
from kollega.core.models import ConsentItem, Participant, Programme, Role, Status, TimeSlot
from kollega.evaluation.services import baseline_round_for, round_answer, round_invite
from kollega.interviews.readiness import groups_possible, programme_readiness
from kollega.interviews.record_services import interview_record_save, participant_accept
from tests.evaluation.conftest import answers
from tests.factories import make_organisation, make_participant, make_programme, make_staff

pytestmark = pytest.mark.django_db


def slots(programme: Programme) -> dict[str, TimeSlot]:
    return {slot.key: slot for slot in programme.time_slots.all()}


def applicant(programme: Programme, status: str, *keys: str) -> Participant:
    participant = make_participant(programme, status, language="en")
    participant.time_slots.set([slots(programme)[key] for key in keys])
    return participant


def interview(
    participant: Participant, staff: User, *keys: str, committed: bool = True, accept: bool = False
) -> Participant:
    """The interview record as the interviewer saves it, and the decision after it."""
    interview_record_save(
        participant=participant,
        interviewer=staff,
        data={
            "committed": committed,
            "agreed_time_slots": list(keys),
            "consents": {ConsentItem.WELLBEING_QUESTIONNAIRE: True},
        },
        actor=staff,
    )
    if accept:
        participant_accept(participant=participant, actor=staff)
    return participant


def answer_baseline(participant: Participant) -> None:
    invitation = round_invite(round=baseline_round_for(programme=participant.programme), participant=participant)
    assert invitation is not None
    round_answer(invitation=invitation, raw=answers(), language="en")


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    """A programme with people at every step, in the morning, the afternoon or both."""
    org = make_organisation()
    staff = make_staff(org)
    programme = make_programme(org, group_size_min=2, group_size_max=3)
    applicant(programme, Status.REGISTERED, "morning")
    applicant(programme, Status.REGISTERED, "morning", "afternoon")
    applicant(programme, Status.INTERVIEW_BOOKED, "afternoon")
    applicant(programme, Status.WAITING_LIST, "morning")  # not counted
    applicant(programme, Status.CANCELLED, "morning")  # not counted
    # Interviewed: the agreed slots replace the registration's choice.
    interview(applicant(programme, Status.INTERVIEW_BOOKED, "morning"), staff, "afternoon", committed=False)
    for keys in (("morning",), ("morning",), ("morning", "afternoon")):
        person = interview(applicant(programme, Status.INTERVIEW_BOOKED, *keys), staff, *keys, accept=True)
        answer_baseline(person)
    return {"org": org, "staff": staff, "programme": programme}


def test_groups_possible_respects_both_bounds() -> None:
    assert groups_possible(5, size_min=6, size_max=12) == 0
    assert groups_possible(6, size_min=6, size_max=12) == 1
    assert groups_possible(12, size_min=6, size_max=12) == 1
    assert groups_possible(13, size_min=6, size_max=12) == 2
    assert groups_possible(25, size_min=6, size_max=12) == 3
    assert groups_possible(13, size_min=8, size_max=12) == 1  # 13 cannot be split into two groups of eight
    assert groups_possible(0, size_min=0, size_max=12) == 0


def test_counts_per_time_slot_and_each_person_once_in_all(world: dict[str, Any]) -> None:
    readiness = programme_readiness(programme=world["programme"])
    rows = {row.time_slot.key: row for row in readiness.rows if row.time_slot}
    morning, afternoon, total = rows["morning"], rows["afternoon"], readiness.total
    assert (morning.without_booking, morning.booked, morning.interviewed, morning.committed) == (2, 0, 3, 3)
    assert (morning.accepted, morning.baseline, morning.groups) == (3, 3, 1)
    assert (afternoon.without_booking, afternoon.booked, afternoon.interviewed, afternoon.committed) == (1, 1, 2, 1)
    assert (afternoon.accepted, afternoon.baseline, afternoon.groups, afternoon.short_of_group) == (1, 1, 0, 1)
    # The person who can come at both times is counted once here.
    assert (total.without_booking, total.booked, total.interviewed, total.committed) == (2, 1, 4, 3)
    assert (total.accepted, total.baseline, total.groups) == (3, 3, 1)


def test_the_page_shows_the_table_and_the_summary(world: dict[str, Any], client: Client) -> None:
    client.force_login(world["staff"])
    response = client.get(reverse("readiness:programme", args=[world["programme"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<caption>People per time slot (groups of 2–3)</caption>" in html
    assert "3 accepted people make 1 group." in html
    assert "Enough for a group:" in html and "(1 group)" in html
    assert "Any of them (each person once)" in html
    assert "None yet: 1 more needed" in html
    detail = client.get(reverse("core:programme_detail", args=[world["programme"].pk])).content.decode()
    assert reverse("readiness:programme", args=[world["programme"].pk]) in detail


def test_the_number_of_queries_does_not_grow_with_the_people(world: dict[str, Any], client: Client) -> None:
    client.force_login(world["staff"])
    url = reverse("readiness:programme", args=[world["programme"].pk])
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for _ in range(5):
        interview(
            applicant(world["programme"], Status.INTERVIEW_BOOKED, "morning", "afternoon"),
            world["staff"],
            "morning",
            "afternoon",
            accept=True,
        )
    with CaptureQueriesContext(connection) as after:
        response = client.get(url)
    assert "8 accepted people make 3 groups." in response.content.decode()
    assert len(after.captured_queries) == len(before.captured_queries)


def test_without_enough_people_the_summary_says_what_is_missing(client: Client) -> None:
    org = make_organisation()
    staff = make_staff(org)
    programme = make_programme(org)
    applicant(programme, Status.REGISTERED, "morning")
    client.force_login(staff)
    html = client.get(reverse("readiness:programme", args=[programme.pk])).content.decode()
    assert "No time slot has enough accepted people for a group yet: a group needs at least" in html
    assert "The baseline questionnaire has not been opened yet" in html


def test_an_empty_programme_says_nobody_is_counted_yet(client: Client) -> None:
    org = make_organisation()
    staff = make_staff(org)
    programme = make_programme(org)
    client.force_login(staff)
    html = client.get(reverse("readiness:programme", args=[programme.pk])).content.decode()
    assert "Nobody is counted yet." in html
    assert "<table" not in html


def test_only_the_programmes_coordinators_see_it(world: dict[str, Any], client: Client) -> None:
    url = reverse("readiness:programme", args=[world["programme"].pk])
    assert client.get(url).status_code == 302  # to sign in
    client.force_login(make_staff(make_organisation()))
    assert client.get(url).status_code == 404
    client.force_login(make_staff(world["org"], role=Role.FACILITATOR))
    assert client.get(url).status_code == 404

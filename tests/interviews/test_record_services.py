"""The interview record's rules: status moves, consent versions, agreed slots, and the decision emails."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from kollega.core import selectors as core_selectors
from kollega.core.models import AuditEntry, Consent, Participant, Role, Status
from kollega.core.services import consent_record
from kollega.interviews.models import InterviewRecord
from kollega.interviews.record_kinds import register_kinds
from kollega.interviews.record_services import (
    KIND_ACCEPTED,
    KIND_DECLINED,
    interview_record_save,
    participant_accept,
    participant_decline,
)
from kollega.notifications.rendering import render_notification
from tests.factories import make_organisation, make_participant, make_programme, make_staff
from tests.interviews.record_helpers import book, record_data
from tests.recruitment.factories import outbox

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _kinds() -> None:
    register_kinds()


@pytest.fixture
def setup():  # type: ignore[no-untyped-def]
    organisation = make_organisation("Yrityspalvelut")
    coordinator = make_staff(organisation)
    interviewer = make_staff(organisation, Role.FACILITATOR)
    programme = make_programme(organisation)
    return organisation, coordinator, interviewer, programme


def history(participant: Participant) -> list[tuple[str, str]]:
    return [(c.from_status, c.to_status) for c in participant.status_changes.order_by("at", "id")]


def test_saving_after_a_booked_interview_moves_to_interviewed_and_keeps_what_was_agreed(setup) -> None:
    _org, coordinator, interviewer, programme = setup
    participant = make_participant(programme)
    booking = book(participant, interviewer)
    evening = programme.time_slots.order_by("position").last()
    record = interview_record_save(
        participant=participant,
        interviewer=interviewer,
        data=record_data(participant, agreed_time_slots=[evening.key]),
        actor=coordinator,
    )
    participant.refresh_from_db()
    assert participant.status == Status.INTERVIEWED
    assert record.booking == booking and record.interviewer == interviewer
    assert record.goal_business == "Raise my prices by spring." and record.staff_notes.startswith("Nervous")
    assert list(record.agreed_time_slots.all()) == [evening]
    # The agreed slot replaces the times given at registration: grouping reads these.
    assert list(participant.time_slots.all()) == [evening]
    entry = AuditEntry.objects.get(action="interviews.record.saved")
    assert entry.actor == coordinator and entry.data["created"] and not entry.data["without_booking"]


def test_staff_can_interview_without_a_booking_and_the_history_says_so(setup) -> None:
    _org, coordinator, interviewer, programme = setup
    participant = make_participant(programme)
    interview_record_save(
        participant=participant, interviewer=interviewer, data=record_data(participant), actor=coordinator
    )
    participant.refresh_from_db()
    assert participant.status == Status.INTERVIEWED
    assert history(participant)[-2:] == [
        (Status.REGISTERED, Status.INTERVIEW_BOOKED),
        (Status.INTERVIEW_BOOKED, Status.INTERVIEWED),
    ]
    assert "without a booked time" in participant.status_changes.order_by("at", "id")[1].reason
    assert AuditEntry.objects.get(action="interviews.record.saved").data["without_booking"] is True


def test_updating_the_record_changes_no_status(setup) -> None:
    _org, coordinator, interviewer, programme = setup
    participant = make_participant(programme)
    book(participant, interviewer)
    interview_record_save(
        participant=participant, interviewer=interviewer, data=record_data(participant), actor=coordinator
    )
    changes = participant.status_changes.count()
    interview_record_save(
        participant=participant,
        interviewer=coordinator,
        data={"goal_wellbeing": "Sleep eight hours."},
        actor=coordinator,
    )
    record = InterviewRecord.objects.get(participant=participant)
    assert record.goal_wellbeing == "Sleep eight hours."
    assert record.goal_business == "Raise my prices by spring."  # left out: unchanged
    assert record.interviewer == coordinator
    assert participant.status_changes.count() == changes
    # Accepted people can still have their record completed.
    participant_accept(participant=participant, actor=coordinator)
    interview_record_save(participant=participant, interviewer=coordinator, data={"staff_notes": "Ok"}, actor=None)
    assert InterviewRecord.objects.get(participant=participant).staff_notes == "Ok"


def test_a_consent_is_recorded_again_only_when_the_decision_changes(setup) -> None:
    _org, coordinator, interviewer, programme = setup
    participant = make_participant(programme)
    for item, given in {"share_name": True, "share_email": True}.items():
        consent_record(participant=participant, item=item, given=given, actor=None, source="registration")
    book(participant, interviewer)
    interview_record_save(
        participant=participant,
        interviewer=interviewer,
        data=record_data(
            participant,
            consents={
                "share_name": True,  # as before
                "share_email": False,  # changed
                "share_company": True,  # asked for the first time
                "wellbeing_questionnaire": False,
            },
        ),
        actor=coordinator,
    )
    from_interview = Consent.objects.filter(participant=participant, source="interview")
    assert sorted(from_interview.values_list("item", "given")) == [
        ("share_company", True),
        ("share_email", False),
        ("wellbeing_questionnaire", False),
    ]
    current = core_selectors.consents_current(participant=participant)
    assert current["share_email"].given is False and current["share_name"].source == "registration"
    # Saving the same answers again adds no versions; changing one adds exactly one.
    total = Consent.objects.filter(participant=participant).count()
    same = {"share_name": True, "share_email": False, "share_company": True, "wellbeing_questionnaire": False}
    interview_record_save(participant=participant, interviewer=interviewer, data={"consents": same}, actor=coordinator)
    assert Consent.objects.filter(participant=participant).count() == total
    interview_record_save(
        participant=participant,
        interviewer=interviewer,
        data={"consents": {**same, "wellbeing_questionnaire": True}},
        actor=coordinator,
    )
    assert Consent.objects.filter(participant=participant).count() == total + 1
    assert core_selectors.consent_given(participant=participant, item="wellbeing_questionnaire")


@pytest.mark.parametrize(
    "slots",
    [
        "other-programme",
        ["no-such-slot"],
        [],
        "morning",  # a bare string, not a list
    ],
)
def test_the_agreed_slots_must_be_the_programmes_own(setup, slots) -> None:
    _org, coordinator, interviewer, programme = setup
    participant = make_participant(programme)
    book(participant, interviewer)
    if slots == "other-programme":
        slots = [make_programme(make_organisation()).time_slots.first()]
    with pytest.raises(ValidationError) as caught:
        interview_record_save(
            participant=participant,
            interviewer=interviewer,
            data=record_data(participant, agreed_time_slots=slots),
            actor=coordinator,
        )
    assert "agreed_time_slots" in caught.value.message_dict
    participant.refresh_from_db()
    assert participant.status == Status.INTERVIEW_BOOKED
    assert not InterviewRecord.objects.exists() and not Consent.objects.filter(source="interview").exists()


def test_bad_values_are_named_and_nothing_is_written(setup) -> None:
    _org, coordinator, _interviewer, programme = setup
    participant = make_participant(programme)
    outsider = make_staff(make_organisation())
    with pytest.raises(ValidationError) as caught:
        interview_record_save(
            participant=participant,
            interviewer=outsider,
            data=record_data(
                participant,
                committed="yes",
                goal_business="x" * 5001,
                staff_notes="bad\x00byte",
                consents={"share_name": "maybe", "privacy_notice": True},
            ),
            actor=coordinator,
        )
    errors = caught.value.message_dict
    assert {"interviewer", "committed", "goal_business", "staff_notes", "consent_share_name", "consents"} <= set(errors)
    participant.refresh_from_db()
    assert participant.status == Status.REGISTERED and not InterviewRecord.objects.exists()


@pytest.mark.parametrize(
    ("status", "with_record", "allowed"),
    [
        (Status.WAITING_LIST, False, False),
        (Status.ACCEPTED, False, False),
        (Status.DECLINED, True, False),
        (Status.CANCELLED, False, False),
        (Status.INTERVIEWED, False, True),  # moved by hand: the record can still be written
    ],
)
def test_statuses_past_the_interview_are_refused_except_to_update(setup, status, with_record, allowed) -> None:
    _org, coordinator, interviewer, programme = setup
    participant = make_participant(programme, Status.INTERVIEWED if with_record else status)
    if with_record:
        interview_record_save(
            participant=participant, interviewer=interviewer, data=record_data(participant), actor=None
        )
        participant_decline(participant=participant, actor=coordinator, reason="Not a solo entrepreneur")
    before = participant.status_changes.count()
    if allowed:
        interview_record_save(
            participant=participant, interviewer=interviewer, data=record_data(participant), actor=None
        )
        participant.refresh_from_db()
        assert participant.status == status and participant.status_changes.count() == before
        return
    with pytest.raises(ValidationError) as caught:
        interview_record_save(
            participant=participant, interviewer=interviewer, data=record_data(participant), actor=None
        )
    assert caught.value.messages[0]
    participant.refresh_from_db()
    assert participant.status == status and participant.status_changes.count() == before


def test_accepting_sends_what_happens_next_in_the_persons_language(setup) -> None:
    _org, coordinator, interviewer, programme = setup
    participant = make_participant(programme, language="sv", full_name="Stina Svensson")
    book(participant, interviewer)
    interview_record_save(participant=participant, interviewer=interviewer, data=record_data(participant), actor=None)
    participant_accept(participant=participant, actor=coordinator)
    participant.refresh_from_db()
    assert participant.status == Status.ACCEPTED
    (row,) = outbox(KIND_ACCEPTED)
    assert row.recipient == participant.user.email and row.language == "sv"
    message = render_notification(row)
    assert "Hej Stina Svensson," in message.text
    assert "grupp" in message.text and str(programme.meeting_count) in message.text  # Swedish, with the count
    assert AuditEntry.objects.filter(action="interviews.participant.accepted").exists()


@pytest.mark.parametrize("status", [Status.REGISTERED, Status.INTERVIEW_BOOKED, Status.ACCEPTED, Status.DECLINED])
def test_only_the_interviewed_can_be_accepted(setup, status) -> None:
    _org, coordinator, _interviewer, programme = setup
    participant = make_participant(programme, status)
    with pytest.raises(ValidationError) as caught:
        participant_accept(participant=participant, actor=coordinator)
    assert "intake interview" in caught.value.messages[0]
    participant.refresh_from_db()
    assert participant.status == status and not outbox(KIND_ACCEPTED)


def test_declining_keeps_the_reason_with_staff_and_sends_a_kind_email(setup) -> None:
    organisation, coordinator, _interviewer, programme = setup
    organisation.support_email = "tuki@example.org"
    organisation.save()
    participant = make_participant(programme, Status.INTERVIEWED, language="en", full_name="Eero Esimerkki")
    participant_decline(
        participant=participant,
        actor=coordinator,
        reason="Runs a company of 40 people",
        message="The business advice service could help you instead.",
    )
    participant.refresh_from_db()
    assert participant.status == Status.DECLINED
    assert participant.status_changes.order_by("at", "id").last().reason == "Runs a company of 40 people"
    (row,) = outbox(KIND_DECLINED)
    assert row.language == "en"
    message = render_notification(row)
    assert "cannot offer you a place" in message.text
    assert "The business advice service could help you instead." in message.text
    assert "The business advice service could help you instead." in message.html
    assert "tuki@example.org" in message.text
    assert "40 people" not in message.text and "40 people" not in message.html


def test_decline_needs_a_reason_and_a_right_status(setup) -> None:
    _org, coordinator, interviewer, programme = setup
    participant = make_participant(programme, Status.INTERVIEWED)
    with pytest.raises(ValidationError) as caught:
        participant_decline(participant=participant, actor=coordinator, reason="  ")
    assert "reason" in caught.value.message_dict
    booked = make_participant(programme)
    book(booked, interviewer)
    with pytest.raises(ValidationError) as caught:
        participant_decline(participant=booked, actor=coordinator, reason="No")
    assert "booked interview" in caught.value.messages[0]
    cancelled = make_participant(programme, Status.CANCELLED)
    with pytest.raises(ValidationError):
        participant_decline(participant=cancelled, actor=coordinator, reason="No")
    for person in (participant, booked, cancelled):
        status = person.status
        person.refresh_from_db()
        assert person.status == status
    assert not outbox(KIND_DECLINED)

"""Capacity, the waiting list and its offers, as the people on it live them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kollega.core.models import Participant, Programme, Status
from kollega.core.services import participant_change_status
from kollega.notifications.rendering import render_notification
from kollega.recruitment import selectors, services
from kollega.recruitment.models import OfferOutcome, WaitingListOffer
from kollega.recruitment.services import RegistrationOutcome, registration_submit
from tests.factories import make_participant
from tests.recruitment.factories import answers, outbox

pytestmark = pytest.mark.django_db


def register(programme: Programme, email: str, language: str = "en") -> RegistrationOutcome:
    return registration_submit(programme=programme, raw=answers(programme, email=email), language=language)


def fill(programme: Programme, count: int) -> list[RegistrationOutcome]:
    return [register(programme, f"p{n}@example.org") for n in range(1, count + 1)]


def status_of(participant: Participant) -> str:
    return Participant.objects.get(pk=participant.pk).status


def test_capacity_full_sends_newcomers_to_the_waiting_list_in_order(small_programme: Programme) -> None:
    results = fill(small_programme, 5)
    assert [r.outcome for r in results] == ["registered", "registered", "waiting_list", "waiting_list", "waiting_list"]
    assert [r.waiting_position for r in results] == [None, None, 1, 2, 3]
    assert selectors.places_taken(programme=small_programme) == 2
    assert [p.user.email for p in selectors.waiting_list(programme=small_programme)] == [
        "p3@example.org",
        "p4@example.org",
        "p5@example.org",
    ]
    waiting = [Participant.objects.get(pk=r.participant.pk) for r in results[2:]]
    assert all(p.status_changes.get().to_status == "waiting_list" for p in waiting)


def test_the_waiting_list_email_tells_the_place(small_programme: Programme) -> None:
    fill(small_programme, 3)
    register(small_programme, "fourth@example.org", language="sv")
    [row] = outbox("recruitment.waiting_list", recipient="fourth@example.org")
    assert row.language == "sv" and row.context["waiting_position"] == 2
    text = render_notification(row).text
    assert row.context["manage_url"] in text
    assert outbox("recruitment.registered", recipient="fourth@example.org") == []


def test_no_capacity_means_no_waiting_list(programme: Programme) -> None:
    assert programme.capacity is None
    assert {r.outcome for r in fill(programme, 4)} == {"registered"}


def test_a_free_place_goes_to_the_first_in_line_not_to_a_newcomer(small_programme: Programme) -> None:
    results = fill(small_programme, 3)
    # Staff move a registered person out without the registration flow: a place is free, but someone waits.
    participant_change_status(participant=results[0].participant, to_status=Status.CANCELLED, actor=None, reason="x")
    newcomer = register(small_programme, "new@example.org")
    assert newcomer.outcome == "waiting_list" and newcomer.waiting_position == 2


def test_cancelling_offers_the_place_to_the_first_on_the_list(small_programme: Programme) -> None:
    results = fill(small_programme, 4)
    first_waiting = results[2].participant

    services.registration_cancel(participant=results[0].participant)

    offer = selectors.offer_pending(participant=first_waiting)
    assert offer is not None and offer.expires_at - offer.offered_at == timedelta(hours=48)
    assert selectors.offer_pending(participant=results[3].participant) is None
    assert status_of(first_waiting) == Status.WAITING_LIST  # until they answer
    assert selectors.places_taken(programme=small_programme) == 2  # the open offer holds the place
    [row] = outbox("recruitment.offer")
    assert row.recipient == "p3@example.org"
    deadline = timezone.localtime(offer.expires_at, small_programme.organisation.tz)
    assert row.context["deadline"] == f"{deadline.day}.{deadline.month}.{deadline.year} {deadline:%H:%M}"
    assert row.context["offer_url"].endswith("/offer/")
    text = render_notification(row).text
    assert row.context["deadline"] in text and row.context["offer_url"] in text
    # A newcomer still waits behind everyone.
    assert register(small_programme, "late@example.org").outcome == "waiting_list"


def test_accepting_an_offer_registers_the_person(small_programme: Programme) -> None:
    results = fill(small_programme, 4)
    services.registration_cancel(participant=results[1].participant)
    offer = selectors.offer_pending(participant=results[2].participant)
    assert offer is not None

    person = services.waiting_list_offer_accept(offer=offer)

    assert person.status == Status.REGISTERED
    offer.refresh_from_db()
    assert offer.outcome == OfferOutcome.ACCEPTED and offer.answered_at is not None
    last = person.status_changes.order_by("at", "id").last()
    assert last is not None and last.event == "offer_accepted"
    [row] = outbox("recruitment.offer_accepted")
    assert "intake interview" in render_notification(row).text
    assert selectors.waiting_position(participant=results[3].participant) == 1
    assert selectors.places_taken(programme=small_programme) == 2
    with pytest.raises(ValidationError) as caught:
        services.waiting_list_offer_accept(offer=offer)
    assert caught.value.messages == ["You have already accepted this place."]


def test_declining_an_offer_cancels_and_passes_the_place_on(small_programme: Programme) -> None:
    results = fill(small_programme, 4)
    services.registration_cancel(participant=results[0].participant)
    offer = selectors.offer_pending(participant=results[2].participant)
    assert offer is not None

    person = services.waiting_list_offer_decline(offer=offer)

    assert person.status == Status.CANCELLED
    last = person.status_changes.order_by("at", "id").last()
    assert last is not None and last.reason == "Declined the offered place"
    assert selectors.offer_pending(participant=results[3].participant) is not None
    assert [row.recipient for row in outbox("recruitment.offer")] == ["p3@example.org", "p4@example.org"]


def test_an_unanswered_offer_expires_and_passes_to_the_next(small_programme: Programme) -> None:
    results = fill(small_programme, 4)
    services.registration_cancel(participant=results[0].participant)
    offer = selectors.offer_pending(participant=results[2].participant)
    assert offer is not None

    assert services.waiting_list_expire_offers(at=offer.expires_at - timedelta(minutes=1)) == 0
    assert services.waiting_list_expire_offers(at=offer.expires_at + timedelta(minutes=1)) == 1

    offer.refresh_from_db()
    assert offer.outcome == OfferOutcome.EXPIRED
    late = Participant.objects.get(pk=results[2].participant.pk)
    assert late.status == Status.CANCELLED
    last = late.status_changes.order_by("at", "id").last()
    assert last is not None and last.reason == "Did not answer the offer in time" and last.event == "offer_expired"
    [told] = outbox("recruitment.offer_expired")
    assert told.recipient == "p3@example.org"
    assert "next person on the waiting list" in render_notification(told).text
    assert selectors.offer_pending(participant=results[3].participant) is not None
    with pytest.raises(ValidationError) as caught:
        services.waiting_list_offer_accept(offer=offer)
    assert caught.value.code == "expired"
    assert "passed to the next person on the waiting list" in caught.value.messages[0]


def test_an_offer_past_its_deadline_cannot_be_accepted_before_the_job_runs(small_programme: Programme) -> None:
    results = fill(small_programme, 3)
    services.registration_cancel(participant=results[0].participant)
    offer = selectors.offer_pending(participant=results[2].participant)
    assert offer is not None
    with pytest.raises(ValidationError) as caught:
        services.waiting_list_offer_accept(offer=offer, at=offer.expires_at + timedelta(seconds=1))
    assert caught.value.code == "expired"
    assert status_of(results[2].participant) == Status.WAITING_LIST


def test_cancelling_while_holding_an_offer_withdraws_it(small_programme: Programme) -> None:
    results = fill(small_programme, 4)
    services.registration_cancel(participant=results[0].participant)
    offer = selectors.offer_pending(participant=results[2].participant)
    assert offer is not None

    services.registration_cancel(participant=results[2].participant)

    offer.refresh_from_db()
    assert offer.outcome == OfferOutcome.WITHDRAWN
    assert selectors.offer_pending(participant=results[3].participant) is not None
    with pytest.raises(ValidationError) as caught:
        services.waiting_list_offer_accept(offer=offer)
    assert caught.value.messages == ["This offer is no longer open."]


def test_positions_move_up_when_someone_leaves_the_list(small_programme: Programme) -> None:
    results = fill(small_programme, 6)
    services.registration_cancel(participant=results[3].participant)
    positions = [selectors.waiting_position(participant=r.participant) for r in results]
    assert positions == [None, None, 1, None, 2, 3]


def test_the_periodic_job_expires_offers_and_fills_places_freed_by_staff(small_programme: Programme) -> None:
    from kollega.core.tasks import waiting_list_job

    results = fill(small_programme, 4)
    participant_change_status(participant=results[0].participant, to_status=Status.CANCELLED, actor=None, reason="x")
    assert WaitingListOffer.objects.count() == 0

    waiting_list_job.call_local()

    offer = selectors.offer_pending(participant=results[2].participant)
    assert offer is not None
    WaitingListOffer.objects.filter(pk=offer.pk).update(
        offered_at=timezone.now() - timedelta(hours=49), expires_at=timezone.now() - timedelta(hours=1)
    )

    waiting_list_job.call_local()

    assert status_of(results[2].participant) == Status.CANCELLED
    assert selectors.offer_pending(participant=results[3].participant) is not None


def test_raising_the_capacity_offers_the_new_places(small_programme: Programme) -> None:
    results = fill(small_programme, 5)
    small_programme.capacity = 4
    small_programme.save(update_fields=["capacity"])
    offers = services.waiting_list_fill(programme=small_programme)
    assert [o.participant_id for o in offers] == [results[2].participant.pk, results[3].participant.pk]
    assert services.waiting_list_fill(programme=small_programme) == []  # nothing offered twice


def test_an_offer_to_someone_staff_moved_on_holds_no_place(small_programme: Programme) -> None:
    results = fill(small_programme, 4)
    services.registration_cancel(participant=results[0].participant)
    participant_change_status(
        participant=results[2].participant, to_status=Status.INTERVIEW_BOOKED, actor=None, reason=""
    )
    assert selectors.places_taken(programme=small_programme) == 2
    staff_placed = make_participant(small_programme, Status.WAITING_LIST)
    assert selectors.waiting_position(participant=staff_placed) == 2

"""Reads of registrations and the waiting list. Callers have checked access to the programme."""

from __future__ import annotations

from django.db.models import Q

from kollega.core.models import Participant, Programme, Status
from kollega.recruitment.models import OfferOutcome, WaitingListOffer
from kollega.surveys.models import Form, Purpose

#: Statuses that hold no place in the programme.
NOT_HOLDING_A_PLACE = (Status.WAITING_LIST, Status.CANCELLED, Status.WITHDRAWN, Status.DECLINED)


def registration_form(*, programme: Programme) -> Form | None:
    """The form the programme's registration asks now."""
    return Form.objects.filter(programme=programme, purpose=Purpose.REGISTRATION, active=True).first()


def places_taken(*, programme: Programme) -> int:
    """Participants holding a place (not on the waiting list, not cancelled, withdrawn or declined) and open offers."""
    holding = Participant.objects.filter(programme=programme).exclude(status__in=NOT_HOLDING_A_PLACE).count()
    # An offer counts only while its person still waits for it (staff may have moved them meanwhile).
    offered = WaitingListOffer.objects.filter(
        participant__programme=programme, participant__status=Status.WAITING_LIST, outcome=OfferOutcome.PENDING
    ).count()
    return holding + offered


def waiting_list(*, programme: Programme) -> list[Participant]:
    """The waiting list in order: first registered first."""
    return list(
        Participant.objects.filter(programme=programme, status=Status.WAITING_LIST)
        .select_related("user")
        .order_by("registered_at", "id")
    )


def waiting_position(*, participant: Participant) -> int | None:
    """1 for the next in line; None when not on the waiting list."""
    if participant.status != Status.WAITING_LIST:
        return None
    ahead = (
        Participant.objects.filter(programme_id=participant.programme_id, status=Status.WAITING_LIST)
        .filter(
            Q(registered_at__lt=participant.registered_at)
            | Q(registered_at=participant.registered_at, id__lt=participant.pk)
        )
        .count()
    )
    return ahead + 1


def offer_pending(*, participant: Participant) -> WaitingListOffer | None:
    """The offer of a place that waits for this person's answer (it may be past its deadline)."""
    return WaitingListOffer.objects.filter(participant=participant, outcome=OfferOutcome.PENDING).first()

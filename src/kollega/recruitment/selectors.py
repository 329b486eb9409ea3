"""Reads of registrations and the waiting list. Callers have checked access to the programme."""

from __future__ import annotations

from kollega.core.models import Participant, Programme
from kollega.recruitment.models import WaitingListOffer
from kollega.surveys.models import Form


def registration_form(*, programme: Programme) -> Form | None:
    """The form the programme's registration asks now."""
    raise NotImplementedError


def places_taken(*, programme: Programme) -> int:
    """Participants holding a place (not on the waiting list, not cancelled, withdrawn or declined) and open offers."""
    raise NotImplementedError


def waiting_list(*, programme: Programme) -> list[Participant]:
    """The waiting list in order: first registered first."""
    raise NotImplementedError


def waiting_position(*, participant: Participant) -> int | None:
    """1 for the next in line; None when not on the waiting list."""
    raise NotImplementedError


def offer_pending(*, participant: Participant) -> WaitingListOffer | None:
    raise NotImplementedError

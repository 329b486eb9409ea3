"""Registration: the form's rules, confirmation of a repeated address, the waiting list and its offers.

Every entry point (the public form, the public API endpoint, the importer, the
demo) registers through ``registration_submit``, so the same rules hold everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from kollega.accounts.models import User
from kollega.core.models import Participant, Programme
from kollega.outreach.models import Channel
from kollega.recruitment.models import Source, WaitingListOffer
from kollega.surveys.models import Form

Outcome = Literal["registered", "waiting_list", "confirm_email"]


@dataclass(frozen=True)
class RegistrationOutcome:
    """What happened to one submitted registration.

    - ``registered``: a new participant in status "registered".
    - ``waiting_list``: a new participant on the waiting list at ``waiting_position`` (1 = next).
    - ``confirm_email``: the address already has a registration in this
      programme; nothing changed, a confirmation link went to the address.
    """

    outcome: Outcome
    participant: Participant
    waiting_position: int | None = None


def registration_form_ensure(*, programme: Programme, actor: User | None = None) -> Form:
    """The programme's active registration form, made from its template's default when it has none."""
    raise NotImplementedError


def registration_submit(
    *,
    programme: Programme,
    raw: Any,
    language: str,
    channel_key: str = "",
    source: str = Source.FORM,
    notify: bool = True,
    check_window: bool = True,
    at: datetime | None = None,
    actor: User | None = None,
) -> RegistrationOutcome:
    """Register one person from the answers ``raw`` (a QueryDict or a JSON object keyed by question key).

    Raises ``ValidationError``: with ``code="closed"`` outside the registration
    window, ``code="no_form"`` when the programme has no registration form,
    else with ``message_dict`` keyed by question key (messages in ``language``).
    Nothing is stored when it raises. An import passes ``check_window=False``
    (the people registered elsewhere, earlier), ``notify=False`` to send no
    confirmation, and ``at`` for when they registered.
    """
    raise NotImplementedError


def registration_change_confirm(*, token: str) -> Participant:
    """Apply a repeated registration after the address's owner followed the emailed link."""
    raise NotImplementedError


def registration_cancel(*, participant: Participant, reason: str = "", actor: User | None = None) -> Participant:
    """The registrant (or staff) cancels; a freed place goes to the waiting list at once."""
    raise NotImplementedError


def waiting_list_fill(*, programme: Programme, at: datetime | None = None) -> list[WaitingListOffer]:
    """Offer every free place to the next on the waiting list, in order; returns the new offers."""
    raise NotImplementedError


def waiting_list_offer_accept(*, offer: WaitingListOffer, at: datetime | None = None) -> Participant:
    raise NotImplementedError


def waiting_list_offer_decline(*, offer: WaitingListOffer, at: datetime | None = None) -> Participant:
    raise NotImplementedError


def waiting_list_expire_offers(*, at: datetime | None = None) -> int:
    """Close offers past their deadline and pass each place to the next; the periodic job calls this."""
    raise NotImplementedError


def registration_rate_limited(*, programme: Programme, client_ip: str) -> bool:
    """True when this address has sent too many registrations lately (counted in the shared cache)."""
    raise NotImplementedError


def channel_for_link(*, programme: Programme, key: str) -> Channel | None:
    """The active channel a share link's tag names, or None."""
    raise NotImplementedError

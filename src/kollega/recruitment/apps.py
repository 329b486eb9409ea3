from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from kollega.notifications.models import Notification


def offer_still_open(notification: Notification) -> bool | str:
    """An offer of a place is sent only while it waits for an answer."""
    from kollega.recruitment.models import OfferOutcome, WaitingListOffer

    offer = WaitingListOffer.objects.filter(pk=notification.context.get("offer_id")).first()
    if offer is None or offer.outcome != OfferOutcome.PENDING:
        return "The offer has been answered or closed."
    return True


class RecruitmentConfig(AppConfig):
    """Step 2: registration and the needs survey."""

    name = "kollega.recruitment"
    label = "recruitment"
    verbose_name = _("Recruitment")

    def ready(self) -> None:
        from kollega.notifications import kinds
        from kollega.recruitment import services as s

        # Someone has just sent a form or is racing a deadline: these go at once.
        for kind in (
            kinds.Kind(name=s.KIND_REGISTERED, label=_("Registration confirmation"), urgent=True),
            kinds.Kind(name=s.KIND_WAITING_LIST, label=_("Place on the waiting list"), urgent=True),
            # The link applies new answers to a registration: never shown in the outbox, never sent again.
            kinds.Kind(
                name=s.KIND_CONFIRM_CHANGE, label=_("Confirm a repeated registration"), urgent=True, sensitive=True
            ),
            kinds.Kind(name=s.KIND_CANCELLED, label=_("Registration cancelled")),
            kinds.Kind(name=s.KIND_OFFER, label=_("Offer of a place"), urgent=True, still_valid=offer_still_open),
            kinds.Kind(name=s.KIND_OFFER_ACCEPTED, label=_("Offered place taken")),
            kinds.Kind(name=s.KIND_OFFER_EXPIRED, label=_("Offer not answered in time")),
        ):
            kinds.register(kind)

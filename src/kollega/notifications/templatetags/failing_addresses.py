"""Template tags for pages outside the outbox that show delivery warnings.

``{% failing_address_mark organisation_id address as failing %}`` gives the
mark on ``address`` when the mail server refuses it and the organisation has
written to it (else ``None``); ``notifications/_failing_address.html`` shows it
with the button that clears it. Pages use it only where the person reading is
that organisation's coordinator.
"""

from __future__ import annotations

from django import template

from kollega.notifications.models import FailingAddress
from kollega.notifications.selectors import failing_address_for_organisation

register = template.Library()


@register.simple_tag
def failing_address_mark(organisation_id: int | None, address: str | None) -> FailingAddress | None:
    if not organisation_id or not address:
        return None
    return failing_address_for_organisation(organisation_id=organisation_id, address=address)

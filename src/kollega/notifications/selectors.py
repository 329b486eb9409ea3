"""Reads of the outbox, each checking who is asking.

A coordinator sees the messages of the organisations they coordinate and
nothing else: any other row is a 404, as if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404

from kollega.core.models import AuditEntry, Organisation
from kollega.core.selectors import AnyUser, organisation_ids_for_coordinator
from kollega.core.services import subject_key
from kollega.notifications.models import Notification, NotificationStatus


@dataclass
class OutboxFilters:
    status: str = ""
    kind: str = ""
    query: str = ""


@dataclass
class Outbox:
    organisations: list[Organisation]
    notifications: QuerySet[Notification]
    filters: OutboxFilters = field(default_factory=OutboxFilters)

    @property
    def several_organisations(self) -> bool:
        return len(self.organisations) > 1


def outbox_for_user(*, user: AnyUser, filters: OutboxFilters | None = None) -> Outbox:
    """The messages of every organisation ``user`` coordinates, newest due first; 404 for anyone else."""
    filters = filters or OutboxFilters()
    organisations = list(Organisation.objects.filter(pk__in=organisation_ids_for_coordinator(user=user)))
    if not organisations:
        raise Http404
    qs = Notification.objects.filter(organisation__in=organisations).select_related("organisation", "recipient_user")
    if filters.status in NotificationStatus.values:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.query.strip():
        q = filters.query.strip()
        qs = qs.filter(Q(recipient__icontains=q) | Q(recipient_user__full_name__icontains=q))
    return Outbox(organisations=organisations, notifications=qs.order_by("-due_at", "-id"), filters=filters)


def notification_get_for_user(*, user: AnyUser, pk: int) -> Notification:
    """One message, if ``user`` coordinates its organisation; otherwise 404."""
    row = (
        Notification.objects.select_related("organisation", "recipient_user")
        .filter(pk=pk, organisation_id__in=organisation_ids_for_coordinator(user=user))
        .first()
    )
    if row is None:
        raise Http404
    return row


def notification_history(*, notification: Notification) -> QuerySet[AuditEntry]:
    """What people did to the message (sent again by whom and when), oldest first."""
    return AuditEntry.objects.filter(subject=subject_key(notification)).select_related("actor").order_by("at", "id")

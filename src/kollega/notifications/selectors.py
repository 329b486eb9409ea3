"""Reads of the outbox, each checking who is asking.

A coordinator sees the messages of the organisations they coordinate and
nothing else: any other row is a 404, as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from kollega.core.models import AuditEntry, Organisation, Participant
from kollega.core.selectors import AnyUser, organisation_ids_for_coordinator
from kollega.core.services import subject_key
from kollega.notifications.models import FailingAddress, Notification, NotificationStatus


@dataclass
class OutboxFilters:
    status: str = ""
    kind: str = ""
    query: str = ""
    #: What the messages are about, as ``app.model:pk`` (a meeting's messages, from the schedule page).
    about: str = ""


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
    if filters.about:
        qs = qs.filter(subject=filters.about)
    if filters.query.strip():
        q = filters.query.strip()
        qs = qs.filter(Q(recipient__icontains=q) | Q(recipient_user__full_name__icontains=q))
    return Outbox(organisations=organisations, notifications=qs.order_by("-due_at", "-id"), filters=filters)


def subject_label(*, outbox: Outbox, about: str) -> str:
    """What ``about`` (``app.model:pk``) names, for the outbox's heading; empty when it names nothing shown."""
    from django.apps import apps

    label, _sep, pk = about.partition(":")
    try:
        model = apps.get_model(label)
        found = model._default_manager.filter(pk=int(pk)).first()
    except (LookupError, ValueError):
        return ""
    if found is None or not outbox.notifications.exists():
        return ""
    return str(found)


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


def undelivered_latest(
    *, organisation_id: int, recipients: Iterable[str], kinds: Iterable[str] | None = None
) -> dict[str, Notification]:
    """For each address whose latest message (of ``kinds``) could not be delivered, that message.

    "Could not be delivered" means the sender gave up: failed with no retry
    planned. An address whose last message was delivered (or is still being
    tried) is left out, so a coordinator who fixed an address and sent again
    no longer sees the warning. Keys are the lower-cased addresses.
    """
    wanted = {r.strip().lower() for r in recipients if r and r.strip()}
    if not wanted:
        return {}
    qs = Notification.objects.filter(organisation_id=organisation_id, recipient__in=wanted)
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    latest: dict[str, Notification] = {}
    for row in qs.order_by("recipient", "-created_at", "-id").only(
        "id",
        "recipient",
        "kind",
        "status",
        "next_attempt_at",
        "last_error",
        "created_at",
        "rendered_subject",
        "sensitive",
    ):
        latest.setdefault(row.recipient, row)
    return {
        address: row
        for address, row in latest.items()
        if row.status == NotificationStatus.FAILED and row.next_attempt_at is None
    }


def messages_to_participant(*, participant: Participant, limit: int = 50) -> list[Notification]:
    """The latest ``limit`` messages of the participant's organisation sent to the participant's address, newest first.

    A caller that wants to know whether more exist asks for one more than it shows.
    """
    address = (participant.user.email or "").strip().lower()
    if not address:
        return []
    return list(
        Notification.objects.filter(organisation_id=participant.programme.organisation_id, recipient=address).order_by(
            "-created_at", "-id"
        )[:limit]
    )


def _held_count(organisation_ids: Iterable[int]) -> Coalesce:
    """How many messages of these organisations are held back because the address refuses mail."""
    held = (
        Notification.objects.filter(
            organisation_id__in=list(organisation_ids),
            recipient=OuterRef("address"),
            status=NotificationStatus.FAILED,
            address_refused=True,
        )
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(held, output_field=IntegerField()), 0)


def failing_addresses_for_user(*, user: AnyUser) -> list[FailingAddress]:
    """The addresses that refuse mail among those the organisations ``user`` coordinates have written to.

    Each carries ``held``: how many of those organisations' messages wait for the mark to be cleared.
    One query, however many addresses there are.
    """
    organisation_ids = organisation_ids_for_coordinator(user=user)
    if not organisation_ids:
        return []
    written_to = Notification.objects.filter(organisation_id__in=organisation_ids).values("recipient")
    return list(
        FailingAddress.objects.filter(address__in=written_to)
        .annotate(held=_held_count(organisation_ids))
        .order_by("-last_failed_at", "address")
    )


def failing_address_for_organisation(*, organisation_id: int, address: str) -> FailingAddress | None:
    """The mark on ``address`` if it refuses mail and the organisation has written to it, with ``held``."""
    address = (address or "").strip().lower()
    if not address:
        return None
    written = Notification.objects.filter(organisation_id=organisation_id, recipient=address)
    return (
        FailingAddress.objects.filter(address=address, address__in=written.values("recipient"))
        .annotate(held=_held_count([organisation_id]))
        .first()
    )


def failing_address_organisations(*, user: AnyUser, address: str) -> list[Organisation]:
    """The organisations ``user`` coordinates that have written to ``address``: whose coordinator may clear its mark."""
    address = (address or "").strip().lower()
    organisation_ids = organisation_ids_for_coordinator(user=user)
    if not address or not organisation_ids:
        return []
    written = Notification.objects.filter(organisation_id__in=organisation_ids, recipient=address)
    return list(Organisation.objects.filter(pk__in=written.values("organisation_id")).order_by("name"))

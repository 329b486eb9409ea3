"""Reads for sign-in and staff pages, each checking who is asking."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core import signing
from django.db.models import QuerySet
from django.http import Http404

from kollega.accounts.models import StaffInvitation, User
from kollega.accounts.services import SIGN_IN_LINK_MAX_AGE, SIGN_IN_LINK_SALT
from kollega.core.models import Organisation, Role, StaffMembership
from kollega.core.selectors import AnyUser, organisation_get_for_coordinator


@dataclass
class StaffMember:
    """One person on an organisation's staff, with each of their roles there."""

    user: User
    memberships: list[StaffMembership] = field(default_factory=list)

    @property
    def is_coordinator(self) -> bool:
        return any(m.role == Role.COORDINATOR for m in self.memberships)


def staff_list(*, organisation: Organisation) -> list[StaffMember]:
    """The organisation's staff, one entry per person, by name. Callers have checked access."""
    members: dict[int, StaffMember] = {}
    memberships = (
        StaffMembership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__full_name", "user__email", "role")
    )
    for membership in memberships:
        members.setdefault(membership.user_id, StaffMember(user=membership.user)).memberships.append(membership)
    return list(members.values())


def invitation_list_waiting(*, organisation: Organisation) -> QuerySet[StaffInvitation]:
    """Invitations nobody has accepted or cancelled, expired ones included (they can be sent again)."""
    return (
        StaffInvitation.objects.filter(organisation=organisation, accepted_at__isnull=True, cancelled_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at", "-id")
    )


def invitation_get_for_coordinator(*, user: AnyUser, slug: str, pk: int) -> StaffInvitation:
    """A waiting invitation of an organisation ``user`` coordinates; 404 otherwise."""
    organisation = organisation_get_for_coordinator(user=user, slug=slug)
    invitation = invitation_list_waiting(organisation=organisation).select_related("organisation").filter(pk=pk).first()
    if invitation is None:
        raise Http404
    return invitation


def membership_get_for_coordinator(*, user: AnyUser, slug: str, pk: int) -> StaffMembership:
    """A staff role in an organisation ``user`` coordinates; 404 otherwise."""
    organisation = organisation_get_for_coordinator(user=user, slug=slug)
    membership = (
        StaffMembership.objects.filter(organisation=organisation, pk=pk).select_related("user", "organisation").first()
    )
    if membership is None:
        raise Http404
    return membership


def invitation_get_by_token(*, token: str) -> StaffInvitation | None:
    """The invitation an emailed link names, whatever its state; ``None`` for an unknown link."""
    if not token or len(token) > 200:
        return None
    return (
        StaffInvitation.objects.filter(token_hash=StaffInvitation.hash(token))
        .select_related("organisation", "invited_by")
        .first()
    )


def sign_in_link_user(*, value: str) -> User | None:
    """The person a demo sign-in link is for, if its signature is good and not too old."""
    try:
        pk = signing.loads(value, salt=SIGN_IN_LINK_SALT, max_age=SIGN_IN_LINK_MAX_AGE)
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(pk, int):
        return None
    return User.objects.filter(pk=pk, is_active=True).first()

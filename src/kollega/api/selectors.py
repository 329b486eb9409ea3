"""Reads for the API and the token pages, each checking who is asking.

The API is the coordinator's tool. For an object of an organisation where the
person is not staff at all, the answer is "not found", exactly as if it did
not exist; where they are staff but not a coordinator (a facilitator), the
answer is "forbidden".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from kollega.accounts.models import ApiToken, User
from kollega.core import selectors as core_selectors
from kollega.core.models import (
    Consent,
    ConsentItem,
    ConsentText,
    Organisation,
    Participant,
    ParticipantStatusChange,
    Programme,
    Role,
    StaffMembership,
    Theme,
)

# --- who may do what ---------------------------------------------------------


@dataclass(frozen=True)
class Access:
    """The organisations a person coordinates, and those where they are staff in any role."""

    coordinator_of: frozenset[int]
    staff_of: frozenset[int]

    def check(self, organisation_id: int) -> None:
        if organisation_id not in self.staff_of:
            raise Http404
        if organisation_id not in self.coordinator_of:
            raise PermissionDenied(_("Only the organisation's coordinators can do this."))


def access_for_user(*, user: User) -> Access:
    rows = list(StaffMembership.objects.filter(user=user).values_list("organisation_id", "role"))
    return Access(
        coordinator_of=frozenset(org for org, role in rows if role == Role.COORDINATOR),
        staff_of=frozenset(org for org, _role in rows),
    )


# --- organisations and programmes ----------------------------------------------


def organisation_get_for_api(*, user: User, ref: int | str) -> Organisation:
    """An organisation by id or short name, if ``user`` coordinates it."""
    lookup = Q(slug=str(ref))
    if isinstance(ref, int) or (str(ref).isascii() and str(ref).isdigit() and len(str(ref)) < 19):
        lookup |= Q(pk=int(ref))
    organisation = Organisation.objects.filter(lookup).first()
    if organisation is None:
        raise Http404
    access_for_user(user=user).check(organisation.pk)
    return organisation


def programme_list_for_api(*, user: User) -> QuerySet[Programme]:
    """Programmes of the organisations ``user`` coordinates, newest first, with participant counts."""
    return core_selectors.programme_list_for_user(user=user)


def programme_get_for_api(*, user: User, pk: int, with_catalogue: bool = False) -> Programme:
    qs = Programme.objects.select_related("organisation")
    if with_catalogue:
        qs = core_selectors.programmes_prefetched(qs)
    programme = qs.filter(pk=pk).first()
    if programme is None:
        raise Http404
    access_for_user(user=user).check(programme.organisation_id)
    return programme


def programme_status_counts(*, programme: Programme) -> dict[str, int]:
    return core_selectors.participant_status_counts(programme=programme)


def theme_list_for_api(*, user: User, programme_pk: int) -> list[Theme]:
    programme = programme_get_for_api(user=user, pk=programme_pk)
    return list(Theme.objects.filter(programme=programme).order_by("order", "id"))


def theme_get_for_api(*, user: User, pk: int) -> Theme:
    theme = Theme.objects.select_related("programme__organisation").filter(pk=pk).first()
    if theme is None:
        raise Http404
    access_for_user(user=user).check(theme.programme.organisation_id)
    return theme


# --- participants --------------------------------------------------------------


@dataclass
class ParticipantPage:
    count: int
    items: list[Participant]


def participant_page_for_api(
    *,
    user: User,
    programme_pk: int,
    filters: core_selectors.ParticipantFilters,
    limit: int,
    offset: int,
) -> ParticipantPage:
    """One page of a programme's participants and how many match in all.

    A fixed number of queries, however many participants there are.
    """
    programme = programme_get_for_api(user=user, pk=programme_pk)
    qs = core_selectors.participant_list(programme=programme, filters=filters)
    count = qs.count()
    items = list(qs[offset : offset + limit]) if offset < count else []
    return ParticipantPage(count=count, items=items)


def participant_get_for_api(*, user: User, pk: int) -> Participant:
    participant = core_selectors.participant_queryset().select_related("membership__group").filter(pk=pk).first()
    if participant is None:
        raise Http404
    access_for_user(user=user).check(participant.programme.organisation_id)
    return participant


def participant_history_for_api(*, participant: Participant) -> list[ParticipantStatusChange]:
    return list(core_selectors.participant_history(participant=participant))


# --- consents ------------------------------------------------------------------


@dataclass
class Consents:
    current: list[Consent]
    history: list[Consent]


def consents_for_api(*, participant: Participant) -> Consents:
    """The latest decision per item (in the order of the items) and every decision, newest first."""
    history = list(participant.consents.select_related("text", "actor").order_by("-at", "-id"))
    latest: dict[str, Consent] = {}
    for consent in history:
        latest.setdefault(consent.item, consent)
    order = {item: n for n, item in enumerate(ConsentItem.values)}
    return Consents(current=sorted(latest.values(), key=lambda c: order.get(c.item, len(order))), history=history)


def consent_text_for_api(*, participant: Participant, item: str, version: int | None) -> ConsentText | None:
    """The consent text a decision refers to: the given version, else the current one."""
    if version is None:
        return core_selectors.consent_text_current(programme=participant.programme, item=item)
    return ConsentText.objects.filter(programme_id=participant.programme_id, item=item, version=version).first()


# --- API tokens ----------------------------------------------------------------


def api_token_list_for_user(*, user: User) -> QuerySet[ApiToken]:
    """The person's own tokens: those in use first, newest first."""
    return ApiToken.objects.filter(user=user).order_by(F("revoked_at").desc(nulls_first=True), "-created_at", "-id")


def api_token_get_for_user(*, user: User, pk: int) -> ApiToken:
    """One of the person's own tokens that still works; otherwise 404."""
    token = ApiToken.objects.filter(user=user, pk=pk, revoked_at__isnull=True).first()
    if token is None:
        raise Http404
    return token

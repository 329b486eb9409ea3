"""Reads of the core, each checking who is asking."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404

from kollega.accounts.models import User
from kollega.core.models import (
    Consent,
    ConsentText,
    Organisation,
    Participant,
    ParticipantStatusChange,
    Programme,
    Role,
    StaffMembership,
    Status,
)

AnyUser = User | AnonymousUser


@dataclass
class Roles:
    """What a signed-in person is, across organisations."""

    coordinator_of: list[Organisation] = field(default_factory=list)
    facilitator_of: list[Organisation] = field(default_factory=list)
    participations: list[Participant] = field(default_factory=list)

    @property
    def coordinator(self) -> bool:
        return bool(self.coordinator_of)

    @property
    def facilitator(self) -> bool:
        return bool(self.facilitator_of)

    @property
    def participant(self) -> bool:
        return bool(self.participations)

    @property
    def staff(self) -> bool:
        return self.coordinator or self.facilitator


def roles_for_user(*, user: AnyUser) -> Roles:
    if not user.is_authenticated:
        return Roles()
    roles = Roles()
    for membership in StaffMembership.objects.filter(user=user).select_related("organisation"):
        target = roles.coordinator_of if membership.role == Role.COORDINATOR else roles.facilitator_of
        target.append(membership.organisation)
    roles.participations = list(
        Participant.objects.filter(user=user).select_related("programme", "programme__organisation")
    )
    return roles


def user_is_staff(*, user: AnyUser) -> bool:
    return user.is_authenticated and StaffMembership.objects.filter(user=user).exists()


def organisation_ids_for_coordinator(*, user: AnyUser) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(
        StaffMembership.objects.filter(user=user, role=Role.COORDINATOR).values_list("organisation_id", flat=True)
    )


def organisation_ids_for_staff(*, user: AnyUser) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(StaffMembership.objects.filter(user=user).values_list("organisation_id", flat=True))


def organisation_list_for_coordinator(*, user: AnyUser) -> QuerySet[Organisation]:
    return Organisation.objects.filter(pk__in=organisation_ids_for_coordinator(user=user))


def organisation_get_for_coordinator(*, user: AnyUser, slug: str) -> Organisation:
    """The organisation, if ``user`` coordinates it; otherwise 404 (never reveal others)."""
    org = Organisation.objects.filter(slug=slug, pk__in=organisation_ids_for_coordinator(user=user)).first()
    if org is None:
        raise Http404
    return org


def programme_list_for_user(*, user: AnyUser) -> QuerySet[Programme]:
    """Programmes a coordinator runs, with the counts the list shows."""
    return (
        Programme.objects.filter(organisation_id__in=organisation_ids_for_coordinator(user=user))
        .select_related("organisation")
        .annotate(
            participant_count=Count("participants", distinct=True),
            applicant_count=Count(
                "participants",
                filter=Q(
                    participants__status__in=[
                        Status.REGISTERED,
                        Status.WAITING_LIST,
                        Status.INTERVIEW_BOOKED,
                        Status.INTERVIEWED,
                        Status.ACCEPTED,
                    ]
                ),
                distinct=True,
            ),
        )
        .order_by("-created_at")
    )


def programme_get_for_coordinator(*, user: AnyUser, pk: int) -> Programme:
    programme = (
        Programme.objects.select_related("organisation")
        .filter(pk=pk, organisation_id__in=organisation_ids_for_coordinator(user=user))
        .first()
    )
    if programme is None:
        raise Http404
    return programme


#: The channel filter's value for registrations that came through no channel.
NO_CHANNEL = "-"

#: The interview filter's values, and the state the applicant list's "Interview" column shows.
INTERVIEW_NEEDS_SLOT = "needs_slot"
INTERVIEW_HAS_SLOT = "has_slot"
INTERVIEW_DONE = "done"
#: Who can book an interview: without a booking or a record they still need a slot.
INTERVIEW_BOOKABLE = (Status.REGISTERED, Status.INTERVIEW_BOOKED)


@dataclass
class ParticipantFilters:
    status: list[str] = field(default_factory=list)
    query: str = ""
    time_slot: str = ""
    industry: str = ""  # a TOL 2008 main class, "A"–"U"
    channel: str = ""  # a channel's key, or NO_CHANNEL
    theme: str = ""  # a theme's key, among the person's first three wishes
    interview: str = ""  # INTERVIEW_NEEDS_SLOT, INTERVIEW_HAS_SLOT or INTERVIEW_DONE
    order: str = "registered"

    ORDERINGS = {
        "registered": ("registered_at", "id"),
        "-registered": ("-registered_at", "-id"),
        "name": ("shown_name", "id"),
        "-name": ("-shown_name", "-id"),
        "status": ("status", "id"),
        "company": ("company_name", "id"),
    }

    @property
    def active(self) -> bool:
        """Whether anything narrows the list (the order does not)."""
        return bool(
            self.status or self.query or self.time_slot or self.industry or self.channel or self.theme or self.interview
        )


#: How many of a person's theme wishes the theme filter looks at.
THEME_FILTER_PLACES = 3


def participant_queryset() -> QuerySet[Participant]:
    return Participant.objects.select_related("user", "programme", "programme__organisation").prefetch_related(
        "time_slots"
    )


def participant_list(*, programme: Programme, filters: ParticipantFilters | None = None) -> QuerySet[Participant]:
    """Participants of one programme. Callers have checked access to ``programme``."""
    filters = filters or ParticipantFilters()
    # The name given in this programme, else the account's (what Participant.display_name shows).
    qs = (
        participant_queryset()
        .filter(programme=programme)
        .alias(shown_name=Coalesce(NullIf("full_name", Value("")), "user__full_name"))
        .annotate(has_interview_record=_interview_record_exists(), interview_starts_at=_interview_starts_at())
    )
    if filters.status:
        qs = qs.filter(status__in=filters.status)
    # No stored text contains NUL (PostgreSQL refuses it even in a search), so it can never match.
    q = filters.query.replace("\x00", "").strip()
    if q:
        qs = qs.filter(Q(shown_name__icontains=q) | Q(user__email__icontains=q) | Q(company_name__icontains=q))
    if filters.time_slot:
        qs = qs.filter(time_slots__key=filters.time_slot)
    if filters.industry:
        qs = qs.filter(industry=filters.industry)
    if filters.channel == NO_CHANNEL:
        qs = qs.filter(Q(registration__isnull=True) | Q(registration__channel__isnull=True))
    elif filters.channel:
        qs = qs.filter(registration__channel__key=filters.channel)
    if filters.theme:
        # theme_ranking is a JSON list: its first places are compared one by one (SQLite and PostgreSQL alike).
        in_top = Q()
        for place in range(THEME_FILTER_PLACES):
            in_top |= Q(**{f"theme_ranking__{place}": filters.theme})
        qs = qs.filter(in_top)
    if filters.interview == INTERVIEW_DONE:
        qs = qs.filter(has_interview_record=True)
    elif filters.interview == INTERVIEW_HAS_SLOT:
        qs = qs.filter(has_interview_record=False, interview_starts_at__isnull=False)
    elif filters.interview == INTERVIEW_NEEDS_SLOT:
        qs = qs.filter(has_interview_record=False, interview_starts_at__isnull=True, status__in=INTERVIEW_BOOKABLE)
    qs = qs.select_related("membership__group", "registration__channel")
    return qs.order_by(*ParticipantFilters.ORDERINGS.get(filters.order, ParticipantFilters.ORDERINGS["registered"]))


def _interview_record_exists() -> Exists:
    """Per row of a participant query: whether an interview record is written (no extra query)."""
    # Interviews build on the core; a local import keeps the core free of them at import time.
    from kollega.interviews.models import InterviewRecord

    return Exists(InterviewRecord.objects.filter(participant=OuterRef("pk")))


def _interview_starts_at() -> Subquery:
    """Per row of a participant query: the start of the interview booking the person holds, if any."""
    from kollega.interviews.models import InterviewBooking

    held = InterviewBooking.objects.filter(
        participant=OuterRef("pk"), cancelled_at__isnull=True, no_show_at__isnull=True
    ).order_by("-booked_at", "-id")
    return Subquery(held.values("slot__starts_at")[:1])


def interview_state(participant: Participant) -> str:
    """What the "Interview" column says of a row of :func:`participant_list`: one of the INTERVIEW_* values or ""."""
    if getattr(participant, "has_interview_record", False):
        return INTERVIEW_DONE
    if getattr(participant, "interview_starts_at", None) is not None:
        return INTERVIEW_HAS_SLOT
    if participant.status in INTERVIEW_BOOKABLE:
        return INTERVIEW_NEEDS_SLOT
    return ""


def participant_get_for_user(*, user: AnyUser, pk: int) -> Participant:
    """A participant as seen by staff of its organisation, or by the person themself."""
    participant = participant_queryset().filter(pk=pk).first()
    if participant is None or not participant_visible_to(user=user, participant=participant):
        raise Http404
    return participant


def participant_get_for_coordinator(*, user: AnyUser, pk: int) -> Participant:
    participant = (
        participant_queryset()
        .filter(pk=pk, programme__organisation_id__in=organisation_ids_for_coordinator(user=user))
        .first()
    )
    if participant is None:
        raise Http404
    return participant


def participant_visible_to(*, user: AnyUser, participant: Participant) -> bool:
    if not user.is_authenticated:
        return False
    if participant.user_id == user.pk:
        return True
    if participant.programme.organisation_id in organisation_ids_for_coordinator(user=user):
        return True
    # A facilitator (still staff somewhere) sees the members of the groups they facilitate.
    if not user_is_staff(user=user):
        return False
    from kollega.grouping.models import Group

    return Group.objects.filter(
        Q(lead_facilitator=user) | Q(co_facilitator=user), memberships__participant=participant
    ).exists()


def participant_history(*, participant: Participant) -> QuerySet[ParticipantStatusChange]:
    return participant.status_changes.select_related("actor").order_by("at", "id")


def participant_has_started(*, participant: Participant) -> bool:
    """Started: the person's group has held a meeting with them in it (since they joined)."""
    from kollega.grouping.models import GroupMembership
    from kollega.meetings.models import Meeting, MeetingStatus

    membership = GroupMembership.objects.filter(participant=participant).first()
    if membership is None:
        return False
    return Meeting.objects.filter(
        group_id=membership.group_id, status=MeetingStatus.HELD, starts_at__gte=membership.joined_at
    ).exists()


def group_has_finished(*, group: Any) -> bool:
    """The group's whole schedule is laid out and every meeting not cancelled has been held.

    "Laid out" means the group has as many meetings as the programme asks for
    (cancelled ones included), so holding the first of a schedule still being
    made finishes nothing.
    """
    from kollega.meetings.models import MeetingStatus

    statuses = list(group.meetings.values_list("status", flat=True))
    if len(statuses) < group.programme.meeting_count:
        return False
    remaining = [s for s in statuses if s != MeetingStatus.CANCELLED]
    return bool(remaining) and all(s == MeetingStatus.HELD for s in remaining)


def participant_group_finished(*, participant: Participant) -> bool:
    """Whether the person's group has held its last meeting."""
    membership = getattr(participant, "membership", None)
    return membership is not None and group_has_finished(group=membership.group)


def consents_current(*, participant: Participant) -> dict[str, Consent]:
    """The latest decision per consent item."""
    latest: dict[str, Consent] = {}
    for consent in participant.consents.select_related("text").order_by("at", "id"):
        latest[consent.item] = consent
    return latest


def consent_given(*, participant: Participant, item: str) -> bool:
    consent = participant.consents.filter(item=item).order_by("-at", "-id").first()
    return bool(consent and consent.given)


def consent_history(*, participant: Participant) -> QuerySet[Consent]:
    return participant.consents.select_related("text", "actor").order_by("-at", "-id")


def consent_text_current(*, programme: Programme, item: str) -> ConsentText | None:
    return ConsentText.objects.filter(programme=programme, item=item).order_by("-version").first()


def participant_status_counts(*, programme: Programme) -> dict[str, int]:
    rows = Participant.objects.filter(programme=programme).values("status").annotate(n=Count("id"))
    counts = dict.fromkeys(Status.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def programmes_prefetched(qs: QuerySet[Programme]) -> QuerySet[Programme]:
    from kollega.core.models import Theme, TimeSlot

    return qs.prefetch_related(
        Prefetch("time_slots", queryset=TimeSlot.objects.order_by("position", "start_time")),
        Prefetch("themes", queryset=Theme.objects.order_by("order", "id")),
    )


@dataclass
class Participation:
    """What a participant sees of one programme they take part in."""

    participant: Participant
    group: Any
    next_meeting: Any
    meetings: list[Any]
    consents: dict[str, Consent]
    peers: list[Any]


def participations_for_user(*, user: AnyUser) -> list[Participation]:
    """The signed-in person's own participations, newest programme first."""
    if not user.is_authenticated:
        return []
    from django.utils import timezone

    from kollega.grouping.selectors import group_peer_list
    from kollega.meetings.models import Meeting, MeetingStatus

    participants = list(
        participant_queryset()
        .filter(user=user)
        .select_related(
            "membership__group__time_slot", "membership__group__lead_facilitator", "membership__group__co_facilitator"
        )
        .prefetch_related(Prefetch("consents", queryset=Consent.objects.select_related("text").order_by("at", "id")))
        .order_by("-programme__created_at")
    )
    group_ids = [p.membership.group_id for p in participants if hasattr(p, "membership")]
    meetings_by_group: dict[int, list[Meeting]] = {}
    for meeting in Meeting.objects.filter(group_id__in=group_ids).select_related("theme").order_by("starts_at"):
        meetings_by_group.setdefault(meeting.group_id, []).append(meeting)
    now = timezone.now()
    result = []
    for participant in participants:
        membership = getattr(participant, "membership", None)
        meetings = meetings_by_group.get(membership.group_id, []) if membership else []
        upcoming = [m for m in meetings if m.status == MeetingStatus.PLANNED and m.ends_at >= now]
        latest: dict[str, Consent] = {}
        for consent in participant.consents.all():
            latest[consent.item] = consent
        result.append(
            Participation(
                participant=participant,
                group=membership.group if membership else None,
                next_meeting=upcoming[0] if upcoming else None,
                meetings=meetings,
                consents=latest,
                # Only current and finished members see their peers.
                peers=group_peer_list(group=membership.group)
                if membership and participant.status in {Status.IN_GROUP, Status.COMPLETED}
                else [],
            )
        )
    return result

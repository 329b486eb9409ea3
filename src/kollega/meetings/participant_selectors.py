"""Reads for the meeting pages of facilitators and participants, each checking who is asking.

A meeting is open to its facilitators (the lead or co-facilitator of its group
or of the meeting itself, while they are staff somewhere) and to the
coordinators of the programme's organisation. Anyone else gets "not found",
so a page never tells whether a meeting exists. A group's members see their
own group's meetings while they are in the group or have completed it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from kollega.accounts.models import User
from kollega.core.models import AuditEntry, Participant, Status
from kollega.core.selectors import AnyUser, organisation_ids_for_coordinator, user_is_staff
from kollega.core.services import subject_key
from kollega.grouping.models import Group, GroupMembership
from kollega.meetings import agendas, messages, tokens
from kollega.meetings.models import (
    MEETING_RELATED,
    Attendance,
    AttendanceState,
    Material,
    MaterialKind,
    Meeting,
    MeetingStatus,
)

#: Members in these states see their group's meetings and materials.
MEMBER_STATUSES = (Status.IN_GROUP, Status.COMPLETED)
#: The join button opens this long before the start.
JOIN_OPENS_BEFORE = timedelta(minutes=15)

# What the join button does now (see :func:`join_state`).
JOIN_OPEN = "open"
JOIN_NOT_YET = "not_yet"
JOIN_OVER = "over"
JOIN_CANCELLED = "cancelled"

# Whether a member can still say "I can't come this time" (see :func:`absence_state`).
ABSENCE_OPEN = "open"
ABSENCE_STARTED = "started"
ABSENCE_NOT_PLANNED = "not_planned"
ABSENCE_LEFT = "left"


def _meetings() -> QuerySet[Meeting]:
    return Meeting.objects.select_related(*MEETING_RELATED)


def _group_q(user: AnyUser, prefix: str = "") -> Q:
    """Groups (``prefix=""``) or meetings of groups (``prefix="group__"``) the person facilitates or coordinates."""
    q = Q(**{f"{prefix}programme__organisation_id__in": organisation_ids_for_coordinator(user=user)})
    if user_is_staff(user=user):
        q |= Q(**{f"{prefix}lead_facilitator": user}) | Q(**{f"{prefix}co_facilitator": user})
    return q


# --- facilitators and coordinators ---------------------------------------------------------


def meeting_get_for_facilitator(*, user: AnyUser, pk: int) -> Meeting:
    """The meeting if ``user`` facilitates it or its group, or coordinates its organisation; else 404."""
    if not user.is_authenticated:
        raise Http404
    allowed = _group_q(user, "group__")
    if user_is_staff(user=user):
        allowed |= Q(lead_facilitator=user) | Q(co_facilitator=user)
    meeting = _meetings().filter(allowed, pk=pk).first()
    if meeting is None:
        raise Http404
    return meeting


def group_get_for_facilitator(*, user: AnyUser, pk: int) -> Group:
    """The group if ``user`` facilitates it (or one of its meetings) or coordinates its organisation; else 404."""
    if not user.is_authenticated:
        raise Http404
    allowed = _group_q(user)
    if user_is_staff(user=user):
        allowed |= Q(meetings__lead_facilitator=user) | Q(meetings__co_facilitator=user)
    found = (
        Group.objects.filter(allowed, pk=pk)
        .select_related("programme__organisation", "time_slot", "lead_facilitator", "co_facilitator")
        .distinct()
        .first()
    )
    if found is None:
        raise Http404
    return found


def _opens(user: AnyUser, meeting: Meeting, coordinated: set[int]) -> bool:
    group = meeting.group
    return (
        group.programme.organisation_id in coordinated
        or user.pk in {group.lead_facilitator_id, group.co_facilitator_id}
        or user.pk in {meeting.lead_facilitator_id, meeting.co_facilitator_id}
    )


@dataclass(frozen=True)
class GroupMeetingRow:
    meeting: Meeting
    when: dict[str, str]
    theme: str
    moved: str
    link: str
    can_open: bool


def group_meetings_for_facilitator(*, user: AnyUser, group: Group) -> list[GroupMeetingRow]:
    """The group's meetings in time order; ``can_open`` says whether ``user`` may open each meeting's page."""
    coordinated = organisation_ids_for_coordinator(user=user)
    rows = []
    for meeting in _meetings().filter(group=group).order_by("starts_at", "number"):
        rows.append(
            GroupMeetingRow(
                meeting=meeting,
                when=messages.when(meeting),
                theme=messages.theme_name(meeting),
                moved=messages.move_text(meeting),
                link=messages.video_link(meeting),
                can_open=_opens(user, meeting, coordinated),
            )
        )
    return rows


def group_memberships(*, group: Group) -> list[GroupMembership]:
    """Everyone who has been placed in the group, by name, with their status (those who left included)."""
    return list(
        GroupMembership.objects.filter(group=group)
        .select_related("participant__user")
        .order_by(Coalesce(NullIf("participant__full_name", Value("")), "participant__user__full_name"), "pk")
    )


@dataclass(frozen=True)
class AttendanceRow:
    participant: Participant
    attendance: Attendance | None

    @property
    def state(self) -> str:
        return self.attendance.state if self.attendance else ""

    @property
    def told_by_themself(self) -> bool:
        """The member said "I can't come" through their own link (not a facilitator's entry)."""
        a = self.attendance
        return a is not None and a.state == AttendanceState.EXCUSED and a.recorded_by_id is None


def meeting_attendance(*, meeting: Meeting) -> list[AttendanceRow]:
    """Every current member with what is stored of their attendance (None: not marked yet)."""
    stored = {a.participant_id: a for a in Attendance.objects.filter(meeting=meeting)}
    return [AttendanceRow(participant=p, attendance=stored.get(p.pk)) for p in messages.members(meeting.group)]


def meeting_materials(*, meeting: Meeting) -> list[Material]:
    return list(Material.objects.filter(meeting=meeting).select_related("added_by").order_by("added_at", "id"))


def material_get_for_meeting(*, meeting: Meeting, pk: int) -> Material:
    """A material of ``meeting`` (fetched through a permission-checked selector); 404 for any other."""
    material = (
        Material.objects.filter(pk=pk, meeting=meeting)
        .select_related("meeting__group__programme__organisation")
        .first()
    )
    if material is None:
        raise Http404
    return material


@dataclass(frozen=True)
class Logged:
    at: datetime
    actor: User | None
    data: dict[str, Any] = field(default_factory=dict)


def _last_logged(meeting: Meeting, action: str) -> Logged | None:
    entry = (
        AuditEntry.objects.filter(subject=subject_key(meeting), action=action)
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )
    return Logged(at=entry.at, actor=entry.actor, data=entry.data or {}) if entry else None


def meeting_held_log(*, meeting: Meeting) -> Logged | None:
    """Who marked the meeting held, and when."""
    return _last_logged(meeting, "meetings.meeting.held") if meeting.status == MeetingStatus.HELD else None


def materials_sent_log(*, meeting: Meeting) -> Logged | None:
    """The latest sending of the materials (``data["recipients"]``: how many members it went to)."""
    return _last_logged(meeting, "meetings.materials.sent") if meeting.materials_sent else None


# --- participants -----------------------------------------------------------------------------


def join_state(meeting: Meeting, now: datetime) -> str:
    """Whether the join button is live: from 15 minutes before the start until the end."""
    if meeting.status == MeetingStatus.CANCELLED:
        return JOIN_CANCELLED
    if now < meeting.starts_at - JOIN_OPENS_BEFORE:
        return JOIN_NOT_YET
    if now > meeting.ends_at:
        return JOIN_OVER
    return JOIN_OPEN


def absence_state(meeting: Meeting, participant: Participant, now: datetime) -> str:
    """Whether the member can still tell in advance that they cannot come (the service decides on saving)."""
    if participant.status not in MEMBER_STATUSES:
        return ABSENCE_LEFT
    if meeting.status != MeetingStatus.PLANNED:
        return ABSENCE_NOT_PLANNED
    if meeting.starts_at <= now:
        return ABSENCE_STARTED
    return ABSENCE_OPEN


@dataclass
class MemberMeeting:
    """One meeting as a member sees it."""

    meeting: Meeting
    when: dict[str, str]
    theme: str
    moved: str
    agenda: list[dict[str, Any]]
    device: str
    link: str
    join: str
    absence_url: str
    can_tell_absence: bool
    told: Attendance | None
    materials: list[Material]
    past: bool  # its end has gone by
    recording: str = ""  # the meeting's recording link, when no material already gives it


@dataclass
class MemberGroup:
    """A member's programme and group with its meetings."""

    participant: Participant
    group: Group
    meetings: list[MemberMeeting]

    @property
    def coming(self) -> list[MemberMeeting]:
        return [m for m in self.meetings if not m.past]

    @property
    def past(self) -> list[MemberMeeting]:
        """Latest first."""
        return [m for m in reversed(self.meetings) if m.past]


def _memberships_for_user(user: AnyUser) -> list[Participant]:
    if not user.is_authenticated:
        return []
    return list(
        Participant.objects.filter(user=user, status__in=MEMBER_STATUSES, membership__isnull=False)
        .select_related("programme__organisation", "membership__group__programme__organisation")
        .select_related("membership__group__time_slot", "membership__group__lead_facilitator")
        .select_related("membership__group__co_facilitator")
        .order_by("-programme__created_at")
    )


def meetings_for_member(*, user: AnyUser, now: datetime | None = None) -> list[MemberGroup]:
    """The signed-in person's groups (while in them or completed) and their meetings, newest programme first.

    Materials are listed for meetings that have been held. Four queries
    however many meetings and materials there are.
    """
    now = now or timezone.now()
    participants = _memberships_for_user(user)
    if not participants:
        return []
    groups = {p.membership.group_id: p.membership.group for p in participants}
    meetings: QuerySet[Meeting] = (
        Meeting.objects.filter(group_id__in=groups)
        .select_related("theme")
        .prefetch_related(
            Prefetch(
                "materials",
                queryset=Material.objects.order_by("added_at", "id"),
                to_attr="material_list",
            ),
            Prefetch(
                "attendance",
                queryset=Attendance.objects.filter(participant__in=[p.pk for p in participants]),
                to_attr="own_attendance",
            ),
        )
        .order_by("starts_at", "number")
    )
    by_group: dict[int, list[Meeting]] = {}
    for row in meetings:
        row.group = groups[row.group_id]  # already loaded, with its organisation
        by_group.setdefault(row.group_id, []).append(row)
    result = []
    for participant in participants:
        group = groups[participant.membership.group_id]
        items = []
        for meeting in by_group.get(group.pk, []):
            told = next((a for a in getattr(meeting, "own_attendance", []) if a.participant_id == participant.pk), None)
            held = meeting.status == MeetingStatus.HELD
            materials = list(getattr(meeting, "material_list", [])) if held else []
            items.append(
                MemberMeeting(
                    meeting=meeting,
                    when=messages.when(meeting),
                    theme=messages.theme_name(meeting),
                    moved=messages.move_text(meeting),
                    agenda=messages.agenda_lines(meeting),
                    device=messages.device_text(meeting),
                    link=messages.video_link(meeting),
                    join=join_state(meeting, now),
                    absence_url=reverse("meetings:absence", args=[tokens.absence_token(meeting.pk, participant.pk)]),
                    can_tell_absence=absence_state(meeting, participant, now) == ABSENCE_OPEN,
                    told=told if told is not None and told.state == AttendanceState.EXCUSED else None,
                    materials=materials,
                    past=meeting.ends_at < now,
                    recording=meeting.recording_url
                    if held and all(m.url != meeting.recording_url for m in materials)
                    else "",
                )
            )
        result.append(MemberGroup(participant=participant, group=group, meetings=items))
    return result


def meeting_get_for_member(*, user: AnyUser, pk: int) -> Meeting:
    """A meeting of a group the person is in (or has completed); 404 otherwise."""
    if not user.is_authenticated:
        raise Http404
    meeting = (
        _meetings()
        .filter(
            pk=pk,
            group__memberships__participant__user=user,
            group__memberships__participant__status__in=MEMBER_STATUSES,
        )
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting


def planned_meetings_for_member(*, user: AnyUser) -> dict[int, list[Meeting]]:
    """Group id → the planned meetings of each group the person is in, in time order (for "add all to calendar")."""
    if not user.is_authenticated:
        return {}
    found: dict[int, list[Meeting]] = {}
    for meeting in (
        _meetings()
        .filter(
            status=MeetingStatus.PLANNED,
            group__memberships__participant__user=user,
            group__memberships__participant__status__in=MEMBER_STATUSES,
        )
        .order_by("starts_at", "number")
    ):
        found.setdefault(meeting.group_id, []).append(meeting)
    return found


def material_get_for_user(*, user: AnyUser, pk: int) -> Material:
    """A material file for its group's members, the meeting's facilitators and the coordinators; else 404."""
    if not user.is_authenticated:
        raise Http404
    material = (
        Material.objects.filter(pk=pk, kind=MaterialKind.FILE)
        .exclude(file="")
        .select_related("meeting__group__programme")
        .first()
    )
    if material is None:
        raise Http404
    meeting = material.meeting
    member = Participant.objects.filter(
        user=user, status__in=MEMBER_STATUSES, membership__group_id=meeting.group_id
    ).exists()
    if member:
        return material
    staff = user_is_staff(user=user) and user.pk in {
        meeting.group.lead_facilitator_id,
        meeting.group.co_facilitator_id,
        meeting.lead_facilitator_id,
        meeting.co_facilitator_id,
    }
    if staff or meeting.group.programme.organisation_id in organisation_ids_for_coordinator(user=user):
        return material
    raise Http404


# --- signed links -------------------------------------------------------------------------------


def absence_from_token(token: str) -> tuple[Meeting, Participant] | None:
    """The meeting and the member an absence link was made for; None for a link that opens nothing."""
    ids = tokens.absence_from_token(token)
    if ids is None:
        return None
    meeting = _meetings().filter(pk=ids[0]).first()
    if meeting is None:
        return None
    participant = (
        Participant.objects.select_related("user").filter(pk=ids[1], programme=meeting.group.programme).first()
    )
    if participant is None:
        return None
    return meeting, participant


def absence_told(*, meeting: Meeting, participant: Participant) -> Attendance | None:
    return Attendance.objects.filter(meeting=meeting, participant=participant, state=AttendanceState.EXCUSED).first()


@dataclass(frozen=True)
class SetupTest:
    group: Group
    link: str
    next_meeting: Meeting | None


def setup_test_from_token(token: str, *, now: datetime | None = None) -> SetupTest | None:
    """The group a "test your set-up" link was made for and the link to try; None for a link that opens nothing."""
    ids = tokens.setup_from_token(token)
    if ids is None:
        return None
    group_id, user_id = ids
    group = Group.objects.select_related("programme__organisation").filter(pk=group_id).first()
    if group is None:
        return None
    # The link shows the group's live video link: only to someone who still belongs to the group.
    member = Participant.objects.filter(
        user_id=user_id, membership__group=group, status__in=[Status.IN_GROUP, Status.COMPLETED]
    ).exists()
    staff = user_id in {
        group.lead_facilitator_id,
        group.co_facilitator_id,
        *Meeting.objects.filter(group=group).values_list("lead_facilitator_id", flat=True),
        *Meeting.objects.filter(group=group).values_list("co_facilitator_id", flat=True),
    }
    if not (member or staff):
        return None
    now = now or timezone.now()
    upcoming = (
        _meetings()
        .filter(group=group, status=MeetingStatus.PLANNED, starts_at__gte=now - timedelta(hours=12))
        .order_by("starts_at")
        .first()
    )
    if upcoming is None:
        return None  # the group's meetings are over: the link has done its work
    link = group.video_link or messages.video_link(upcoming)
    return SetupTest(group=group, link=link, next_meeting=upcoming)


def agenda_warnings(meeting: Meeting) -> list[str]:
    return agendas.warnings(meeting.agenda, meeting.length_minutes)

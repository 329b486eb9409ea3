"""Reads for the coordinator's schedule pages, each checking who is asking.

Facilitators' and participants' reads live in ``participant_selectors``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from kollega.accounts.models import User
from kollega.core.models import Organisation, PositionRule, Programme, Theme
from kollega.core.selectors import AnyUser, organisation_get_for_coordinator, programme_get_for_coordinator
from kollega.core.services import subject_key
from kollega.grouping.models import Group, ThemePlanItem
from kollega.meetings import messages
from kollega.meetings.models import MEETING_RELATED, Meeting, SessionTemplate
from kollega.notifications.models import Notification, NotificationStatus

# --- what the outbox did -------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxCounts:
    """Messages about one thing (a meeting, or a group's invitation) by how far they got."""

    delivered: int = 0
    failed: int = 0
    waiting: int = 0  # not sent yet: due later, or being sent now
    skipped: int = 0  # their reason went away before they were due
    subject: str = ""  # what they are about, for the outbox's filter

    @property
    def total(self) -> int:
        return self.delivered + self.failed + self.waiting + self.skipped


_BUCKET = {
    NotificationStatus.SENT: "delivered",
    NotificationStatus.FAILED: "failed",
    NotificationStatus.PENDING: "waiting",
    NotificationStatus.SENDING: "waiting",
    NotificationStatus.SKIPPED: "skipped",
}


def outbox_counts(*, organisation_id: int, subjects: Iterable[str]) -> dict[str, OutboxCounts]:
    """Per subject key (``core.services.subject_key``): the organisation's messages about it, by status.

    One query for any number of subjects; a subject without messages gets zero counts.
    """
    keys = sorted(set(subjects))
    found: dict[str, dict[str, int]] = {key: {} for key in keys}
    if keys:
        rows = (
            Notification.objects.filter(organisation_id=organisation_id, subject__in=keys)
            .values_list("subject", "status")
            .annotate(n=Count("id"))
            .order_by()
        )
        for subject, status, n in rows:
            bucket = _BUCKET.get(status)
            if bucket is not None:
                found[subject][bucket] = found[subject].get(bucket, 0) + n
    return {key: OutboxCounts(subject=key, **counts) for key, counts in found.items()}


# --- the programme's schedule ----------------------------------------------------------------


@dataclass
class MeetingRow:
    meeting: Meeting
    moved: str  # why it is not on its interval's date, in the active language
    outbox: OutboxCounts

    @property
    def own_facilitators(self) -> list[tuple[str, User]]:
        """The meeting's facilitators when they are not the group's: ``[(role, user)]``."""
        if not (self.meeting.lead_facilitator_id or self.meeting.co_facilitator_id):
            return []
        return messages.facilitators(self.meeting, self.meeting.group)


@dataclass
class GroupSchedule:
    group: Group
    meetings: list[MeetingRow] = field(default_factory=list)
    invitations: OutboxCounts = field(default_factory=OutboxCounts)

    @property
    def has_schedule(self) -> bool:
        return bool(self.meetings)


def programme_schedule(*, programme: Programme) -> list[GroupSchedule]:
    """Every group of the programme with its meetings and the outbox counts for each, in a fixed number of queries."""
    groups = list(
        Group.objects.filter(programme=programme)
        .select_related("programme__organisation", "time_slot", "lead_facilitator", "co_facilitator")
        .annotate(member_count=Count("memberships", distinct=True))
        .prefetch_related(
            Prefetch(
                "meetings",
                queryset=Meeting.objects.select_related("theme", "lead_facilitator", "co_facilitator").order_by(
                    "starts_at", "number"
                ),
            )
        )
        .order_by("start_date", "name")
    )
    subjects = [subject_key(g) for g in groups] + [subject_key(m) for g in groups for m in g.meetings.all()]
    counts = outbox_counts(organisation_id=programme.organisation_id, subjects=subjects)
    result = []
    for group in groups:
        rows = []
        for meeting in group.meetings.all():
            meeting.group = group  # the prefetched group, already loaded with what the page reads
            rows.append(
                MeetingRow(meeting=meeting, moved=messages.move_text(meeting), outbox=counts[subject_key(meeting)])
            )
        result.append(GroupSchedule(group=group, meetings=rows, invitations=counts[subject_key(group)]))
    return result


def group_schedule(*, group: Group) -> GroupSchedule:
    """One group's meetings with their outbox counts (the group page once the schedule is set)."""
    meetings = list(
        Meeting.objects.filter(group=group)
        .select_related("theme", "lead_facilitator", "co_facilitator")
        .order_by("starts_at", "number")
    )
    counts = outbox_counts(
        organisation_id=group.programme.organisation_id,
        subjects=[subject_key(group), *(subject_key(m) for m in meetings)],
    )
    rows = []
    for meeting in meetings:
        meeting.group = group
        rows.append(MeetingRow(meeting=meeting, moved=messages.move_text(meeting), outbox=counts[subject_key(meeting)]))
    return GroupSchedule(group=group, meetings=rows, invitations=counts[subject_key(group)])


def planned_themes(*, group: Group) -> dict[int, Theme]:
    """Meeting number → theme, as generating will give them: the fixed first theme, then the group's theme plan."""
    themes: dict[int, Theme] = {}
    first = Theme.objects.filter(programme_id=group.programme_id, position_rule=PositionRule.FIRST).first()
    if first is not None:
        themes[1] = first
    for item in ThemePlanItem.objects.filter(group=group).select_related("theme"):
        themes.setdefault(item.number, item.theme)
    return themes


def invitation_count(*, group: Group) -> int:
    """How many invitations to the group's schedule are in the outbox."""
    return Notification.objects.filter(
        organisation_id=group.programme.organisation_id, kind=messages.KIND_INVITATION, subject=subject_key(group)
    ).count()


def programme_themes(*, programme: Programme) -> list[Theme]:
    return list(Theme.objects.filter(programme=programme).order_by("order", "id"))


# --- single things, for their coordinators only ------------------------------------------------


def meeting_get_for_coordinator(*, user: AnyUser, programme_pk: int, meeting_pk: int) -> Meeting:
    """A meeting of a programme ``user`` coordinates; 404 otherwise."""
    programme = programme_get_for_coordinator(user=user, pk=programme_pk)
    return get_object_or_404(
        Meeting.objects.select_related(*MEETING_RELATED, "template"),
        pk=meeting_pk,
        group__programme=programme,
    )


def session_templates_for_organisation(*, organisation: Organisation) -> list[SessionTemplate]:
    return list(SessionTemplate.objects.filter(organisation=organisation).order_by("-for_first_meeting", "name"))


def session_template_get_for_coordinator(*, user: AnyUser, slug: str, pk: int) -> SessionTemplate:
    """A session template of an organisation ``user`` coordinates; 404 otherwise."""
    organisation = organisation_get_for_coordinator(user=user, slug=slug)
    template = SessionTemplate.objects.filter(pk=pk, organisation=organisation).select_related("organisation").first()
    if template is None:
        raise Http404
    return template

"""Writes for meetings. Schedules, agendas and messages arrive with the meetings issue."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kollega.accounts.models import User
from kollega.core.models import Theme
from kollega.core.selectors import group_has_finished
from kollega.core.services import audit_log, participants_complete_for_group
from kollega.grouping.models import Group
from kollega.meetings.models import Meeting, MeetingStatus


@transaction.atomic
def meeting_create(
    *,
    group: Group,
    number: int,
    starts_at: datetime,
    theme: Theme | None = None,
    length_minutes: int | None = None,
    actor: User | None = None,
) -> Meeting:
    if timezone.is_naive(starts_at):
        raise ValidationError({"starts_at": _("A meeting's start needs a time zone.")})
    if theme is not None and theme.programme_id != group.programme_id:
        raise ValidationError({"theme": _("The theme belongs to another programme.")})
    if Meeting.objects.filter(group=group, number=number).exists():
        raise ValidationError({"number": _("The group already has a meeting with this number.")})
    meeting = Meeting.objects.create(
        group=group,
        number=number,
        starts_at=starts_at,
        theme=theme,
        length_minutes=length_minutes or group.programme.meeting_length_minutes,
    )
    audit_log(
        action="meetings.meeting.created", subject=meeting, actor=actor, organisation=group.programme.organisation
    )
    return meeting


@transaction.atomic
def meeting_mark_held(*, meeting: Meeting, actor: User | None, at: datetime | None = None) -> Meeting:
    """A facilitator marks the meeting held. Holding the last one completes the group's members."""
    meeting = Meeting.objects.select_for_update().select_related("group__programme__organisation").get(pk=meeting.pk)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("A cancelled meeting cannot be marked held."))
    if meeting.status == MeetingStatus.HELD:
        return meeting
    at = at or timezone.now()
    if meeting.starts_at > at:
        raise ValidationError(_("A meeting cannot be marked held before it has started."))
    meeting.status = MeetingStatus.HELD
    meeting.held_at = at
    meeting.save(update_fields=["status", "held_at"])
    audit_log(
        action="meetings.meeting.held",
        subject=meeting,
        actor=actor,
        organisation=meeting.group.programme.organisation,
    )
    if group_has_finished(group=meeting.group):
        participants_complete_for_group(group=meeting.group, actor=actor, at=at)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor: User | None, reason: str = "") -> Meeting:
    meeting = Meeting.objects.select_for_update().select_related("group__programme__organisation").get(pk=meeting.pk)
    if meeting.status == MeetingStatus.HELD:
        raise ValidationError(_("A meeting that has been held cannot be cancelled."))
    meeting.status = MeetingStatus.CANCELLED
    meeting.save(update_fields=["status"])
    audit_log(
        action="meetings.meeting.cancelled",
        subject=meeting,
        actor=actor,
        organisation=meeting.group.programme.organisation,
        data={"reason": reason},
    )
    # Cancelling the last meeting still to come finishes the group.
    if group_has_finished(group=meeting.group):
        participants_complete_for_group(group=meeting.group, actor=actor)
    return meeting

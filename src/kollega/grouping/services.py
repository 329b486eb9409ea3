"""Writes for groups and memberships. The optimiser arrives with the grouping issue."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kollega.accounts.models import User
from kollega.core.models import Participant, Programme, Status, TimeSlot
from kollega.core.services import audit_log, participant_change_status
from kollega.grouping.models import Group, GroupMembership


@transaction.atomic
def group_create(
    *,
    programme: Programme,
    name: str,
    time_slot: TimeSlot,
    weekday: int,
    start_date: date,
    lead_facilitator: User | None = None,
    co_facilitator: User | None = None,
    actor: User | None = None,
) -> Group:
    if time_slot.programme_id != programme.pk:
        raise ValidationError({"time_slot": _("The time slot belongs to another programme.")})
    if start_date.weekday() != weekday:
        raise ValidationError({"start_date": _("The first meeting's date does not fall on the group's weekday.")})
    if lead_facilitator is not None and lead_facilitator == co_facilitator:
        raise ValidationError({"co_facilitator": _("The two facilitators must be different people.")})
    if Group.objects.filter(programme=programme, name=name.strip()).exists():
        raise ValidationError({"name": _("This programme already has a group with that name.")})
    group = Group.objects.create(
        programme=programme,
        name=name.strip(),
        time_slot=time_slot,
        weekday=weekday,
        start_date=start_date,
        lead_facilitator=lead_facilitator,
        co_facilitator=co_facilitator,
    )
    audit_log(action="grouping.group.created", subject=group, actor=actor, organisation=programme.organisation)
    return group


@transaction.atomic
def group_add_member(
    *, group: Group, participant: Participant, actor: User | None, at: datetime | None = None
) -> GroupMembership:
    """Place an accepted participant in a group; they become "in group"."""
    if participant.programme_id != group.programme_id:
        raise ValidationError(_("The participant belongs to another programme."))
    if GroupMembership.objects.filter(participant=participant).exists():
        raise ValidationError(_("The participant is already in a group."))
    # Lock the group so that two placements at once cannot overfill it.
    group = Group.objects.select_for_update().select_related("programme").get(pk=group.pk)
    if group.memberships.count() >= group.programme.group_size_max:
        raise ValidationError(_("The group is full."))
    membership = GroupMembership.objects.create(
        group=group, participant=participant, **({"joined_at": at} if at else {})
    )
    # The status rules check the membership, so it exists first; a refusal
    # rolls both back.
    participant_change_status(participant=participant, to_status=Status.IN_GROUP, actor=actor, at=at)
    audit_log(
        action="grouping.member.added",
        subject=group,
        actor=actor,
        organisation=group.programme.organisation,
        data={"participant": participant.pk},
    )
    if group.schedule_set_at is not None:
        # A late joiner gets the schedule, the calendar entries and the reminders like everyone else.
        from kollega.meetings.messages import invitations_queue

        invitations_queue(group, users=[participant.user_id])
    return membership

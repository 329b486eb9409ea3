"""Writes for meetings: schedules, single meetings, agendas, links, attendance and materials.

Every change people's calendars must follow (a new time, a cancellation, a
new link) raises the meeting's calendar SEQUENCE and queues the matching
message in the same transaction, so a change that rolls back sends nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Max
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from kollega.accounts.models import User
from kollega.core.models import (
    ClosedPeriod,
    ConsentItem,
    MoveRule,
    Organisation,
    Participant,
    Status,
    Theme,
)
from kollega.core.selectors import consent_given, group_has_finished
from kollega.core.services import audit_log, participants_complete_for_group
from kollega.grouping.models import Group
from kollega.meetings import agendas, links, messages, schedule, uploads
from kollega.meetings.models import (
    MEETING_RELATED,
    Attendance,
    AttendanceState,
    Material,
    MaterialKind,
    Meeting,
    MeetingStatus,
    MoveReason,
    SessionTemplate,
)
from kollega.meetings.selectors import planned_themes

#: "Leave this field as it is" in :func:`meeting_details_set`.
KEEP: Any = object()


# --- session templates ---------------------------------------------------------------------


def session_templates_ensure(*, organisation: Organisation) -> list[SessionTemplate]:
    """The organisation's templates; the two standard ones are made the first time they are needed."""
    existing = list(SessionTemplate.objects.filter(organisation=organisation))
    if existing:
        return existing
    made = []
    # Named in the site's default language, whoever happens to ask first.
    with translation.override(settings.LANGUAGE_CODE):
        names = {key: agendas.default_template_name(key) for key in agendas.DEFAULT_TEMPLATES}
    for key, (first, segments) in agendas.DEFAULT_TEMPLATES.items():
        template, _created = SessionTemplate.objects.get_or_create(
            organisation=organisation,
            name=names[key],
            defaults={"for_first_meeting": first, "segments": [dict(s, kind=str(s["kind"])) for s in segments]},
        )
        made.append(template)
    return made


@transaction.atomic
def session_template_save(
    *,
    organisation: Organisation,
    name: str,
    segments: Any,
    for_first_meeting: bool = False,
    template: SessionTemplate | None = None,
    actor: User | None,
) -> SessionTemplate:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the template a name.")})
    cleaned = agendas.clean_segments(segments)
    clash = SessionTemplate.objects.filter(organisation=organisation, name=name)
    if template is not None:
        clash = clash.exclude(pk=template.pk)
    if clash.exists():
        raise ValidationError({"name": _("The organisation already has a template with this name.")})
    if template is None:
        template = SessionTemplate(organisation=organisation)
    template.name = name
    template.segments = cleaned
    template.for_first_meeting = for_first_meeting
    template.save()
    audit_log(action="meetings.template.saved", subject=template, actor=actor, organisation=organisation)
    return template


def _template_for(organisation: Organisation, first: bool) -> SessionTemplate | None:
    templates = session_templates_ensure(organisation=organisation)
    chosen = [t for t in templates if t.for_first_meeting == first]
    pool = chosen or templates
    return pool[0] if pool else None


# --- schedules -----------------------------------------------------------------------------


def closed_periods(organisation: Organisation) -> list[schedule.Closed]:
    return [
        schedule.Closed(name=p.name, first=p.start_date, last=p.end_date)
        for p in ClosedPeriod.objects.filter(organisation=organisation)
    ]


def schedule_preview(*, group: Group, rule: str | None = None) -> list[schedule.PlannedMeeting]:
    """The meetings generating would make for ``group``, moves included; ValidationError when it cannot."""
    programme = group.programme
    organisation = programme.organisation
    return schedule.plan(
        start_date=group.start_date,
        start_time=group.time_slot.start_time,
        tz=organisation.tz,
        count=programme.meeting_count,
        interval_days=programme.meeting_interval_days,
        rule=rule or programme.move_rule,
        closed=closed_periods(organisation),
    )


@transaction.atomic
def schedule_generate(
    *, group: Group, actor: User | None, rule: str | None = None, now: datetime | None = None
) -> list[Meeting]:
    """Lay out the group's meetings, give each its theme, agenda and link, and invite everyone.

    Refused when the group already has meetings (change single meetings
    instead), when the first meeting would already have begun, or when a
    move cannot be made (see :func:`schedule.plan`).
    """
    group = (
        Group.objects.select_for_update(of=("self",))
        .select_related("programme__organisation", "time_slot", "lead_facilitator", "co_facilitator")
        .get(pk=group.pk)
    )
    now = now or timezone.now()
    programme = group.programme
    organisation = programme.organisation
    if rule is not None and rule not in MoveRule.values:
        raise ValidationError({"rule": _("Choose where a meeting on a holiday moves.")})
    if Meeting.objects.filter(group=group).exists():
        raise ValidationError(_("The group already has its schedule. Move, add or cancel single meetings instead."))
    planned = schedule_preview(group=group, rule=rule)
    if planned[0].starts_at <= now:
        raise ValidationError(
            _("The group's first meeting (%(day)s) would already be in the past. Set a later first date for the group.")
            % {"day": formats.date_format(planned[0].starts_at.date(), "j.n.Y")}
        )
    themes = planned_themes(group=group)
    first_template = _template_for(organisation, first=True)
    other_template = _template_for(organisation, first=False)
    if links.makes_rooms(organisation) and not links.per_meeting(organisation) and not group.video_link:
        group.video_link = links.jitsi_room(organisation)
    group.schedule_set_at = now
    group.save(update_fields=["video_link", "schedule_set_at"])
    created = []
    for item in planned:
        template = first_template if item.number == 1 else other_template
        length = programme.meeting_length_minutes
        created.append(
            Meeting.objects.create(
                group=group,
                number=item.number,
                theme=themes.get(item.number),
                starts_at=item.starts_at,
                length_minutes=length,
                planned_date=item.planned_date,
                move_reason=item.move_reason,
                move_note=item.move_note,
                template=template,
                agenda=agendas.fit(template.segments, length) if template else [],
                video_link=links.jitsi_room(organisation)
                if links.makes_rooms(organisation) and links.per_meeting(organisation)
                else "",
            )
        )
    audit_log(
        action="meetings.schedule.generated",
        subject=group,
        actor=actor,
        organisation=organisation,
        data={
            "meetings": [m.pk for m in created],
            "moved": [
                {"number": p.number, "from": p.planned_date.isoformat(), "why": p.move_reason}
                for p in planned
                if p.moved
            ],
            "rule": rule or programme.move_rule,
        },
    )
    messages.invitations_queue(group)
    return created


@transaction.atomic
def schedule_invite(*, group: Group, actor: User | None) -> int:
    """Invite the group's members and facilitators who have not been invited yet (late joiners, new facilitators)."""
    group = Group.objects.select_related("programme__organisation", "lead_facilitator", "co_facilitator").get(
        pk=group.pk
    )
    if not Meeting.objects.filter(group=group).exists():
        raise ValidationError(_("The group has no schedule yet."))
    queued = messages.invitations_queue(group)
    if queued:
        audit_log(
            action="meetings.schedule.invited",
            subject=group,
            actor=actor,
            organisation=group.programme.organisation,
            data={"invited": queued},
        )
    return queued


# --- single meetings --------------------------------------------------------------------------


def _lock(meeting: Meeting) -> Meeting:
    """The meeting, locked after its group: changes to one group's meetings happen one after the other.

    Every write that checks the group's other meetings (move, add, cancel, links) takes the group's row
    first, so two of them cannot both pass the checks, and locks are always taken in the same order.
    """
    Group.objects.select_for_update().filter(pk=meeting.group_id).values_list("pk", flat=True).first()
    return Meeting.objects.select_for_update(of=("self",)).select_related(*MEETING_RELATED).get(pk=meeting.pk)


def _day(value: datetime, group: Group) -> str:
    return formats.date_format(timezone.localtime(value, group.programme.organisation.tz), "j.n.Y")


def _check_time(group: Group, starts_at: datetime, length: int, *, now: datetime, ignore: int | None = None) -> None:
    """A new time for a meeting: in the future, not on a holiday or closed day, clear of the group's other meetings."""
    if timezone.is_naive(starts_at):
        raise ValidationError({"starts_at": _("A meeting's start needs a time zone.")})
    if starts_at <= now:
        raise ValidationError({"starts_at": _("A meeting cannot be moved into the past.")})
    organisation = group.programme.organisation
    day = timezone.localtime(starts_at, organisation.tz).date()
    why = schedule.blocked(day, closed_periods(organisation))
    if why is not None:
        reason, note = why
        name = schedule.holiday_name(day) if reason == MoveReason.HOLIDAY else note
        raise ValidationError(
            {
                "starts_at": _("%(day)s is a public holiday (%(name)s). Choose another day.")
                % {"day": _day(starts_at, group), "name": name}
                if reason == MoveReason.HOLIDAY
                else _("%(day)s is in the closed period %(name)s. Choose another day.")
                % {"day": _day(starts_at, group), "name": name}
            }
        )
    ends_at = starts_at + timedelta(minutes=length)
    others = Meeting.objects.filter(group=group).exclude(status=MeetingStatus.CANCELLED)
    if ignore is not None:
        others = others.exclude(pk=ignore)
    for other in others:
        other_day = timezone.localtime(other.starts_at, organisation.tz).date()
        if other_day == day or (other.starts_at < ends_at and starts_at < other.ends_at):
            raise ValidationError(
                {
                    "starts_at": _("Meeting %(number)s of the group is already on %(day)s. Choose another day.")
                    % {"number": other.number, "day": _day(other.starts_at, group)}
                }
            )


def _renumber(group: Group) -> None:
    """Keep meeting numbers in time order (after an added meeting or a move past another)."""
    ordered = list(Meeting.objects.filter(group=group).order_by("starts_at", "pk"))
    if [m.number for m in ordered] == list(range(1, len(ordered) + 1)):
        return
    top = (Meeting.objects.filter(group=group).aggregate(n=Max("number"))["n"] or 0) + 1
    for offset, meeting in enumerate(ordered):
        Meeting.objects.filter(pk=meeting.pk).update(number=top + offset)
    for number, meeting in enumerate(ordered, start=1):
        Meeting.objects.filter(pk=meeting.pk).update(number=number)


@transaction.atomic
def meeting_move(
    *, meeting: Meeting, starts_at: datetime, actor: User | None, note: str = "", now: datetime | None = None
) -> Meeting:
    """Give one meeting a new time; everyone invited gets an update of the same calendar entry."""
    meeting = _lock(meeting)
    now = now or timezone.now()
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(_("Only a planned meeting can be moved."))
    if starts_at == meeting.starts_at:
        return meeting
    _check_time(meeting.group, starts_at, meeting.length_minutes, now=now, ignore=meeting.pk)
    before = meeting.starts_at
    if meeting.planned_date is None:
        meeting.planned_date = timezone.localtime(before, meeting.group.programme.organisation.tz).date()
    meeting.starts_at = starts_at
    meeting.move_reason = MoveReason.BY_HAND
    meeting.move_note = (note or "").strip()[:200]
    meeting.calendar_sequence += 1
    meeting.save(update_fields=["starts_at", "planned_date", "move_reason", "move_note", "calendar_sequence"])
    # "Can't come" was said about the old time; at the new time the member may well come.
    Attendance.objects.filter(meeting=meeting, state=AttendanceState.EXCUSED).delete()
    _renumber(meeting.group)
    meeting.refresh_from_db()
    audit_log(
        action="meetings.meeting.moved",
        subject=meeting,
        actor=actor,
        organisation=meeting.group.programme.organisation,
        data={"from": before.isoformat(), "to": starts_at.isoformat(), "note": meeting.move_note},
    )
    if meeting.group.schedule_set_at is not None:
        messages.change_queue(meeting)
    return meeting


@transaction.atomic
def meeting_add(
    *,
    group: Group,
    starts_at: datetime,
    actor: User | None,
    theme: Theme | None = None,
    length_minutes: int | None = None,
    now: datetime | None = None,
) -> Meeting:
    """An extra meeting for the group, with the theme template's agenda; everyone invited gets it."""
    group = (
        Group.objects.select_for_update(of=("self",))
        .select_related("programme__organisation", "lead_facilitator", "co_facilitator", "time_slot")
        .get(pk=group.pk)
    )
    now = now or timezone.now()
    organisation = group.programme.organisation
    if group.schedule_set_at is None:
        raise ValidationError(
            _("Set the group's schedule first; then meetings can be added to it."), code="no_schedule"
        )
    length = length_minutes or group.programme.meeting_length_minutes
    if not 15 <= length <= 480:
        raise ValidationError({"length_minutes": _("A meeting lasts 15 minutes to 8 hours.")})
    if theme is not None and theme.programme_id != group.programme_id:
        raise ValidationError({"theme": _("The theme belongs to another programme.")})
    _check_time(group, starts_at, length, now=now)
    template = _template_for(organisation, first=False)
    number = (Meeting.objects.filter(group=group).aggregate(n=Max("number"))["n"] or 0) + 1
    meeting = Meeting.objects.create(
        group=group,
        number=number,
        theme=theme,
        starts_at=starts_at,
        length_minutes=length,
        template=template,
        agenda=agendas.fit(template.segments, length) if template else [],
        video_link=links.jitsi_room(organisation)
        if links.makes_rooms(organisation) and links.per_meeting(organisation)
        else "",
    )
    if links.makes_rooms(organisation) and not links.per_meeting(organisation) and not group.video_link:
        group.video_link = links.jitsi_room(organisation)
        group.save(update_fields=["video_link"])
    _renumber(group)
    meeting.refresh_from_db()
    audit_log(action="meetings.meeting.added", subject=meeting, actor=actor, organisation=organisation)
    if group.schedule_set_at is not None:
        messages.change_queue(meeting)
    return meeting


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
    """Store a meeting as given, sending nothing (imports of past meetings, the demo's history)."""
    if timezone.is_naive(starts_at):
        raise ValidationError({"starts_at": _("A meeting's start needs a time zone.")})
    if theme is not None and theme.programme_id != group.programme_id:
        raise ValidationError({"theme": _("The theme belongs to another programme.")})
    if Meeting.objects.filter(group=group, number=number).exists():
        raise ValidationError({"number": _("The group already has a meeting with this number.")})
    organisation = group.programme.organisation
    length = length_minutes or group.programme.meeting_length_minutes
    template = _template_for(organisation, first=number == 1)
    meeting = Meeting.objects.create(
        group=group,
        number=number,
        starts_at=starts_at,
        theme=theme,
        length_minutes=length,
        planned_date=timezone.localtime(starts_at, organisation.tz).date(),
        template=template,
        agenda=agendas.fit(template.segments, length) if template else [],
    )
    audit_log(action="meetings.meeting.created", subject=meeting, actor=actor, organisation=organisation)
    return meeting


@transaction.atomic
def meeting_mark_held(*, meeting: Meeting, actor: User | None, at: datetime | None = None) -> Meeting:
    """A facilitator marks the meeting held. Holding the last one completes the group's members."""
    meeting = _lock(meeting)
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
    """Cancel one meeting; everyone invited gets a cancellation of the calendar entry."""
    meeting = _lock(meeting)
    if meeting.status == MeetingStatus.HELD:
        raise ValidationError(_("A meeting that has been held cannot be cancelled."))
    if meeting.status == MeetingStatus.CANCELLED:
        return meeting
    meeting.status = MeetingStatus.CANCELLED
    meeting.calendar_sequence += 1
    meeting.save(update_fields=["status", "calendar_sequence"])
    audit_log(
        action="meetings.meeting.cancelled",
        subject=meeting,
        actor=actor,
        organisation=meeting.group.programme.organisation,
        data={"reason": reason},
    )
    if meeting.group.schedule_set_at is not None:
        messages.change_queue(meeting)
    # Cancelling the last meeting still to come finishes the group.
    if group_has_finished(group=meeting.group):
        participants_complete_for_group(group=meeting.group, actor=actor)
    return meeting


@transaction.atomic
def meeting_facilitators_set(*, meeting: Meeting, lead: User | None, co: User | None, actor: User | None) -> Meeting:
    """Who facilitates this one meeting (None: the group's own). The newcomers get the meeting's invitation."""
    from kollega.grouping.facilitators import facilitators_for_group, not_choosable_message

    meeting = _lock(meeting)
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(_("Only a planned meeting's facilitators can be changed."))
    group = meeting.group
    effective_lead = lead.pk if lead is not None else group.lead_facilitator_id
    effective_co = co.pk if co is not None else group.co_facilitator_id
    if effective_lead is not None and effective_lead == effective_co:
        raise ValidationError({"co": _("The lead facilitator and the co-facilitator must be two different people.")})
    allowed = facilitators_for_group(group=meeting.group)
    allowed.update({u.pk: u for u in (meeting.lead_facilitator, meeting.co_facilitator) if u is not None})
    errors = {
        field: not_choosable_message(person.pk)
        for field, person in (("lead", lead), ("co", co))
        if person is not None and person.pk not in allowed
    }
    if errors:
        raise ValidationError(errors)
    before = {u.pk for _r, u in messages.facilitators(meeting, meeting.group)}
    meeting.lead_facilitator = lead if lead is None or lead.pk != meeting.group.lead_facilitator_id else None
    meeting.co_facilitator = co if co is None or co.pk != meeting.group.co_facilitator_id else None
    meeting.save(update_fields=["lead_facilitator", "co_facilitator"])
    audit_log(
        action="meetings.meeting.facilitators_set",
        subject=meeting,
        actor=actor,
        organisation=meeting.group.programme.organisation,
        data={"lead": lead.pk if lead else None, "co": co.pk if co else None},
    )
    if meeting.group.schedule_set_at is not None:
        staff = [r for r in messages.recipients(meeting.group, meeting) if r.role != messages.MEMBER]
        newcomers = [r for r in staff if r.user.pk not in before]
        if newcomers:
            messages.change_queue(meeting, only=newcomers, again=True)
            messages.nudge_queue(meeting)
        # Those who no longer facilitate it get the entry taken out of their calendars.
        gone = before - {r.user.pk for r in staff}
        for user in User.objects.filter(pk__in=gone):
            messages.release_queue(meeting, user)
    return meeting


@transaction.atomic
def meeting_details_set(
    *,
    meeting: Meeting,
    actor: User | None,
    theme: Any = KEEP,
    agenda: Any = KEEP,
    template: Any = KEEP,
    expert_speaker: Any = KEEP,
    expert_title: Any = KEEP,
    recording_url: Any = KEEP,
) -> Meeting:
    """Change what the meeting is about; only the fields given change. No message: reminders read it fresh."""
    meeting = _lock(meeting)
    changed: list[str] = []
    if theme is not KEEP:
        if isinstance(theme, Theme) and theme.programme_id != meeting.group.programme_id:
            raise ValidationError({"theme": _("The theme belongs to another programme.")})
        meeting.theme = theme if isinstance(theme, Theme) else None
        changed.append("theme")
    if template is not KEEP and isinstance(template, SessionTemplate):
        if template.organisation_id != meeting.group.programme.organisation_id:
            raise ValidationError({"template": _("The template belongs to another organisation.")})
        meeting.template = template
        meeting.agenda = agendas.fit(template.segments, meeting.length_minutes)
        changed += ["template", "agenda"]
    if agenda is not KEEP:
        meeting.agenda = agendas.clean_segments(agenda)
        if template is KEEP:
            # Edited by hand: no longer the template's agenda.
            meeting.template = None
            changed.append("template")
        changed.append("agenda")
    for field, value, limit in (
        ("expert_speaker", expert_speaker, 200),
        ("expert_title", expert_title, 200),
    ):
        if value is not KEEP:
            text = str(value or "").strip()
            if len(text) > limit:
                raise ValidationError({field: _("At most %(max)s characters.") % {"max": limit}})
            setattr(meeting, field, text)
            changed.append(field)
    if recording_url is not KEEP:
        try:
            meeting.recording_url = links.clean_link(str(recording_url or ""))
        except ValidationError as exc:
            raise ValidationError({"recording_url": exc.messages}) from None
        changed.append("recording_url")
    if changed:
        meeting.save(update_fields=sorted(set(changed)))
        audit_log(
            action="meetings.meeting.details_set",
            subject=meeting,
            actor=actor,
            organisation=meeting.group.programme.organisation,
            data={"fields": sorted(set(changed))},
        )
    return meeting


def _announce_link(meetings: Iterable[Meeting], now: datetime) -> None:
    for meeting in meetings:
        if meeting.status == MeetingStatus.PLANNED and meeting.starts_at > now:
            Meeting.objects.filter(pk=meeting.pk).update(calendar_sequence=F("calendar_sequence") + 1)
            meeting.refresh_from_db(fields=["calendar_sequence"])
            messages.change_queue(meeting)


@transaction.atomic
def video_link_set(
    *, group: Group, link: str, actor: User | None, meeting: Meeting | None = None, now: datetime | None = None
) -> str:
    """Paste (or clear) the link of a group or of one of its meetings; invited people get updated entries."""
    try:
        cleaned = links.clean_link(link)
    except ValidationError as exc:
        raise ValidationError({"video_link": exc.messages}) from None
    now = now or timezone.now()
    group = Group.objects.select_for_update(of=("self",)).select_related("programme__organisation").get(pk=group.pk)
    if meeting is not None:
        meeting = _lock(meeting)
        if meeting.group_id != group.pk:
            raise ValidationError(_("The meeting belongs to another group."))
        if meeting.video_link == cleaned:
            return cleaned
        meeting.video_link = cleaned
        meeting.save(update_fields=["video_link"])
        affected = [meeting]
    else:
        if group.video_link == cleaned:
            return cleaned
        group.video_link = cleaned
        group.save(update_fields=["video_link"])
        affected = list(
            Meeting.objects.filter(group=group, video_link="").select_related("group__programme__organisation", "theme")
        )
    audit_log(
        action="meetings.link.set",
        subject=meeting or group,
        actor=actor,
        organisation=group.programme.organisation,
        data={"link": cleaned},
    )
    if group.schedule_set_at is not None:
        _announce_link(affected, now)
    return cleaned


# --- attendance ---------------------------------------------------------------------------------


def _member(meeting: Meeting, participant_id: int) -> Participant:
    participant = Participant.objects.filter(pk=participant_id, membership__group_id=meeting.group_id).first()
    if participant is None:
        raise ValidationError(
            _("Participant %(id)s is not a member of this group.") % {"id": participant_id}, code="not_member"
        )
    return participant


@transaction.atomic
def attendance_record(
    *,
    meeting: Meeting,
    states: Mapping[int, str],
    actor: User | None,
    notes: Mapping[int, str] | None = None,
    now: datetime | None = None,
) -> list[Attendance]:
    """A facilitator's attendance list: participant id → present, absent or told in advance.

    ``notes`` (participant id → text) replaces those people's notes; a person
    given without a note keeps the note only while they stay "told in advance"
    (the reason they gave), so a stale reason never sticks to "present".
    """
    meeting = _lock(meeting)
    now = now or timezone.now()
    notes = notes or {}
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("A cancelled meeting has no attendance."))
    saved = []
    for participant_id, state in states.items():
        if state not in AttendanceState.values:
            raise ValidationError(_("Choose present, absent or told in advance."))
        if state != AttendanceState.EXCUSED and meeting.starts_at > now:
            raise ValidationError(
                _('Before the meeting starts, only "told in advance" can be recorded; present and absent after it.')
            )
        participant = _member(meeting, int(participant_id))
        existing = Attendance.objects.filter(meeting=meeting, participant=participant).first()
        if participant_id in notes:
            note = (notes[participant_id] or "").strip()[:300]
        elif existing is not None and state == AttendanceState.EXCUSED == existing.state:
            note = existing.note
        else:
            note = ""
        row, _created = Attendance.objects.update_or_create(
            meeting=meeting,
            participant=participant,
            defaults={"state": state, "note": note, "recorded_by": actor, "recorded_at": now},
        )
        saved.append(row)
    audit_log(
        action="meetings.attendance.recorded",
        subject=meeting,
        actor=actor,
        organisation=meeting.group.programme.organisation,
        data={str(k): v for k, v in states.items()},
    )
    return saved


def _check_still_member(meeting: Meeting, participant: Participant) -> None:
    """The member's own actions: refused, in their words, once they have left the group."""
    still = Participant.objects.filter(
        pk=participant.pk, membership__group_id=meeting.group_id, status__in=[Status.IN_GROUP, Status.COMPLETED]
    ).exists()
    if not still:
        raise ValidationError(_("You are no longer a member of this group."), code="not_member")


@transaction.atomic
def absence_tell(
    *, meeting: Meeting, participant: Participant, note: str = "", now: datetime | None = None
) -> Attendance:
    """The member's own "I can't come this time", before the meeting starts."""
    meeting = _lock(meeting)
    now = now or timezone.now()
    _check_still_member(meeting, participant)
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(_("This meeting is no longer planned."))
    if meeting.starts_at <= now:
        raise ValidationError(_("The meeting has already started. Contact your facilitator instead."))
    row, _created = Attendance.objects.update_or_create(
        meeting=meeting,
        participant=participant,
        defaults={
            "state": AttendanceState.EXCUSED,
            "note": (note or "").strip()[:300],
            "recorded_by": None,
            "recorded_at": now,
        },
    )
    audit_log(
        action="meetings.attendance.told_in_advance",
        subject=meeting,
        actor=participant.user,
        organisation=meeting.group.programme.organisation,
        data={"participant": participant.pk},
    )
    return row


@transaction.atomic
def absence_withdraw(*, meeting: Meeting, participant: Participant, now: datetime | None = None) -> None:
    """The member can come after all: the advance notice is taken back before the meeting starts."""
    meeting = _lock(meeting)
    _check_still_member(meeting, participant)
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(_("This meeting is no longer planned."))
    if meeting.starts_at <= (now or timezone.now()):
        raise ValidationError(_("The meeting has already started."))
    deleted, _rows = Attendance.objects.filter(
        meeting=meeting, participant=participant, state=AttendanceState.EXCUSED
    ).delete()
    if deleted:
        audit_log(
            action="meetings.attendance.can_come_after_all",
            subject=meeting,
            actor=participant.user,
            organisation=meeting.group.programme.organisation,
            data={"participant": participant.pk},
        )


# --- materials ----------------------------------------------------------------------------------


def _check_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the material a title.")})
    if len(title) > 200:
        raise ValidationError({"title": _("At most %(max)s characters.") % {"max": 200}})
    return title


@transaction.atomic
def material_add(
    *,
    meeting: Meeting,
    actor: User | None,
    kind: str,
    title: str = "",
    upload: UploadedFile | None = None,
    url: str = "",
    text: str = "",
) -> Material:
    """Add a file, a link, a note or the recording to a meeting's materials. Nothing is stored when it is refused."""
    meeting = _lock(meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("A cancelled meeting has no materials."))
    material = Material(meeting=meeting, kind=kind, added_by=actor)
    if kind == MaterialKind.FILE:
        if upload is None:
            raise ValidationError({"file": _("Choose a file to upload.")})
        try:
            file_type = uploads.check(upload)
        except ValidationError as exc:
            raise ValidationError({"file": exc.messages}) from None
        material.title = _check_title(title or upload.name or "")
        material.filename = (upload.name or "file")[-200:]
        material.content_type = file_type.content_type
        material.size = upload.size or 0
        material.file.save(material.filename, upload, save=False)
    elif kind in (MaterialKind.LINK, MaterialKind.RECORDING):
        try:
            material.url = links.clean_link(url)
        except ValidationError as exc:
            raise ValidationError({"url": exc.messages}) from None
        if not material.url:
            raise ValidationError({"url": _("Paste the link.")})
        material.title = _check_title(title or (_("Recording") if kind == MaterialKind.RECORDING else material.url))
        if kind == MaterialKind.RECORDING and not meeting.recording_url:
            meeting.recording_url = material.url
            meeting.save(update_fields=["recording_url"])
    elif kind == MaterialKind.NOTE:
        body = (text or "").strip()
        if not body:
            raise ValidationError({"text": _("Write the note.")})
        if len(body) > 10000:
            raise ValidationError({"text": _("At most %(max)s characters.") % {"max": 10000}})
        material.text = body
        material.title = _check_title(title or _("Notes"))
    else:
        raise ValidationError({"kind": _("Choose a file, a link, a note or a recording.")})
    try:
        material.save()
    except Exception:
        if material.file:
            material.file.delete(save=False)
        raise
    audit_log(
        action="meetings.material.added",
        subject=meeting,
        actor=actor,
        organisation=meeting.group.programme.organisation,
        data={"material": material.pk, "kind": kind},
    )
    return material


@transaction.atomic
def material_delete(*, material: Material, actor: User | None) -> None:
    meeting = material.meeting
    name = material.file.name if material.file else ""
    storage = material.file.storage if material.file else None
    audit_log(
        action="meetings.material.deleted",
        subject=meeting,
        actor=actor,
        organisation=meeting.group.programme.organisation,
        data={"material": material.pk, "title": material.title},
    )
    material.delete()
    if material.kind == MaterialKind.RECORDING and meeting.recording_url == material.url:
        # The meeting's recording was this one: the next recording left, or none.
        other = meeting.materials.filter(kind=MaterialKind.RECORDING).order_by("added_at", "id").first()
        meeting.recording_url = other.url if other else ""
        meeting.save(update_fields=["recording_url"])
    if name and storage is not None:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def materials_send(*, meeting: Meeting, actor: User | None) -> int:
    """Send the meeting's materials to every member, present or absent. Sending again sends the current set."""
    meeting = _lock(meeting)
    if meeting.status != MeetingStatus.HELD:
        raise ValidationError(_("Mark the meeting held before sending its materials."))
    if not meeting.materials.exists() and not meeting.notes and not meeting.recording_url:
        raise ValidationError(_("Add materials, notes or the recording before sending."))
    meeting.materials_sent += 1
    meeting.materials_sent_at = timezone.now()
    meeting.save(update_fields=["materials_sent", "materials_sent_at"])
    count = messages.materials_queue(meeting)
    audit_log(
        action="meetings.materials.sent",
        subject=meeting,
        actor=actor,
        organisation=meeting.group.programme.organisation,
        data={"recipients": count, "round": meeting.materials_sent},
    )
    return count


@transaction.atomic
def meeting_notes_set(*, meeting: Meeting, notes: str, actor: User | None) -> Meeting:
    meeting = _lock(meeting)
    text = (notes or "").strip()
    if len(text) > 10000:
        raise ValidationError({"notes": _("At most %(max)s characters.") % {"max": 10000}})
    meeting.notes = text
    meeting.save(update_fields=["notes"])
    audit_log(
        action="meetings.meeting.notes_set",
        subject=meeting,
        actor=actor,
        organisation=meeting.group.programme.organisation,
    )
    return meeting


# --- the last meeting opens the final round ------------------------------------------------------

#: How long the final round stays open after the last meeting starts.
FINAL_ROUND_DAYS = 14


def final_rounds_open_due(*, now: datetime | None = None) -> int:
    """At each group's last meeting, open the final well-being round for its members not yet asked.

    A group's last meeting is its latest one not cancelled, once its whole
    schedule is laid out. Members who already have a final-round invitation
    (a round the coordinator opened by hand) are not asked twice.
    """
    from kollega.evaluation.models import RoundInvitation, RoundKind
    from kollega.evaluation.services import round_open, wellbeing_form_ensure

    now = now or timezone.now()
    opened = 0
    # Only groups with a meeting that began within the round's time can be at their last meeting.
    candidates = (
        Group.objects.filter(
            meetings__status__in=[MeetingStatus.PLANNED, MeetingStatus.HELD],
            meetings__starts_at__lte=now,
            meetings__starts_at__gte=now - timedelta(days=FINAL_ROUND_DAYS),
        )
        .select_related("programme__organisation")
        .distinct()
    )
    for group in candidates:
        meetings = list(group.meetings.exclude(status=MeetingStatus.CANCELLED).order_by("starts_at"))
        if group.meetings.count() < group.programme.meeting_count or not meetings:
            continue
        last = meetings[-1]
        if last.starts_at > now or last.starts_at < now - timedelta(days=FINAL_ROUND_DAYS):
            continue
        with transaction.atomic():
            # Locked first, so two workers never open two rounds for the same group.
            Group.objects.select_for_update(of=("self",)).filter(pk=group.pk).first()
            asked = set(
                RoundInvitation.objects.filter(
                    round__programme=group.programme, round__kind=RoundKind.FINAL, participant__membership__group=group
                ).values_list("participant_id", flat=True)
            )
            # Only members who agreed to the questionnaire are ever asked.
            waiting = [
                p
                for p in messages.members(group)
                if p.pk not in asked
                and p.status in {Status.IN_GROUP, Status.COMPLETED}
                and consent_given(participant=p, item=ConsentItem.WELLBEING_QUESTIONNAIRE)
            ]
            if not waiting:
                continue
            form = wellbeing_form_ensure(programme=group.programme)
            round_open(
                programme=group.programme,
                form=form,
                kind=RoundKind.FINAL,
                participants=waiting,
                opens_at=last.starts_at,
                closes_at=last.starts_at + timedelta(days=FINAL_ROUND_DAYS),
            )
        opened += 1
    return opened

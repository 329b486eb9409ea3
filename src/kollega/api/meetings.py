"""Meetings: schedules, single meetings, attendance, materials, and the outbox.

Schedules and changes to meetings are for the coordinators of the programme's
organisation. Attendance, materials and marking a meeting held are also for
the meeting's facilitators: the group's lead and co-facilitator, and anyone
facilitating that one meeting, also when lent by a partner organisation.
Anyone else gets 404, or 403 when they are staff of the organisation.

Everything goes through ``meetings.services``, as the meeting pages do, and
is recorded in the audit log with the token's holder as the actor. Times are
given with the offset of the organisation's time zone; a time without an
offset is refused.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError as PydanticValidationError

from kollega.accounts.models import User
from kollega.api import meeting_schemas as m
from kollega.api import schemas as s
from kollega.api import selectors
from kollega.api.auth import request_user
from kollega.api.grouping import group_get_for_api
from kollega.api.interview_schemas import WEEKDAYS
from kollega.core.models import Organisation, Participant, Programme, Theme
from kollega.core.services import subject_key
from kollega.grouping.facilitators import facilitators_for_group, not_choosable_message
from kollega.grouping.models import Group
from kollega.meetings import agendas, messages, services
from kollega.meetings.models import (
    MEETING_RELATED,
    Attendance,
    AttendanceState,
    Device,
    Material,
    MaterialKind,
    Meeting,
    MeetingStatus,
    MoveReason,
    SessionTemplate,
)
from kollega.meetings.schedule import PlannedMeeting
from kollega.notifications.models import Notification, NotificationStatus
from kollega.recruitment.services import absolute_url

router = Router(tags=["meetings"])

MEETING_SUBJECT = f"{Meeting._meta.label_lower}:"
GROUP_SUBJECT = f"{Group._meta.label_lower}:"

#: The two bodies ``POST /meetings/{id}/materials`` takes, for the OpenAPI document.
MATERIAL_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": m.MaterialIn.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "title": {"type": "string", "maxLength": 200},
                    },
                }
            },
        },
    }
}


# --- permission-checked reads ---------------------------------------------------------


def _meetings() -> Any:
    return Meeting.objects.select_related(*MEETING_RELATED)


def facilitates(user: User, meeting: Meeting) -> bool:
    """The person facilitates the meeting: the group's lead or co-facilitator, or the meeting's own."""
    group = meeting.group
    return user.pk in (
        group.lead_facilitator_id,
        group.co_facilitator_id,
        meeting.lead_facilitator_id,
        meeting.co_facilitator_id,
    )


def meeting_get_for_api(*, user: User, pk: int) -> Meeting:
    """A meeting of an organisation ``user`` coordinates; 404 (or 403 for other staff) otherwise."""
    meeting = _meetings().filter(pk=pk).first()
    if meeting is None:
        raise Http404
    selectors.access_for_user(user=user).check(meeting.group.programme.organisation_id)
    return meeting


def meeting_get_for_facilitation(*, user: User, pk: int) -> Meeting:
    """A meeting ``user`` facilitates or whose organisation they coordinate; 404 (or 403 for other staff)."""
    meeting = _meetings().filter(pk=pk).first()
    if meeting is None:
        raise Http404
    if not facilitates(user, meeting):
        selectors.access_for_user(user=user).check(meeting.group.programme.organisation_id)
    return meeting


def material_get_for_facilitation(*, user: User, pk: int) -> Material:
    material = Material.objects.select_related("meeting", "added_by").filter(pk=pk).first()
    if material is None:
        raise Http404
    material.meeting = meeting_get_for_facilitation(user=user, pk=material.meeting_id)
    return material


def _coordinated_organisations(user: User) -> list[Organisation]:
    """The organisations whose outbox ``user`` may read; 403 for other staff."""
    access = selectors.access_for_user(user=user)
    if not access.coordinator_of:
        if access.staff_of:
            raise PermissionDenied(_("Only the organisation's coordinators can do this."))
        raise Http404
    return list(Organisation.objects.filter(pk__in=access.coordinator_of))


# --- helpers ---------------------------------------------------------------------------


@contextmanager
def _fields_named(names: Mapping[str, str]) -> Iterator[None]:
    """A service names a field differently from the request (``segments`` is the caller's ``agenda``)."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        renamed: dict[str, list[str]] = {}
        for field, found in error.message_dict.items():
            renamed.setdefault(names.get(field, field), []).extend(found)
        raise ValidationError(renamed) from None


def _theme(programme: Programme, pk: int | None) -> Theme | None:
    if pk is None:
        return None
    theme = Theme.objects.filter(pk=pk, programme=programme).first()
    if theme is None:
        raise ValidationError({"theme": [_("This programme has no theme with this id.")]})
    return theme


def _template(organisation_id: int, pk: int) -> SessionTemplate:
    template = SessionTemplate.objects.filter(pk=pk, organisation_id=organisation_id).first()
    if template is None:
        raise ValidationError({"template": [_("The organisation has no session template with this id.")]})
    return template


def _counts(organisation_id: int, keys: Iterable[str]) -> dict[str, m.OutboxCounts]:
    """Delivered, failed, pending and skipped messages per subject, in one query."""
    wanted = list(keys)
    if not wanted:
        return {}
    rows = (
        Notification.objects.filter(organisation_id=organisation_id, subject__in=wanted)
        .order_by()
        .values("subject")
        .annotate(
            delivered=Count("id", filter=Q(status=NotificationStatus.SENT)),
            failed=Count("id", filter=Q(status=NotificationStatus.FAILED, next_attempt_at__isnull=True)),
            pending=Count(
                "id",
                filter=Q(status__in=[NotificationStatus.PENDING, NotificationStatus.SENDING])
                | Q(status=NotificationStatus.FAILED, next_attempt_at__isnull=False),
            ),
            skipped=Count("id", filter=Q(status=NotificationStatus.SKIPPED)),
        )
    )
    return {
        row["subject"]: m.OutboxCounts(
            delivered=row["delivered"], failed=row["failed"], pending=row["pending"], skipped=row["skipped"]
        )
        for row in rows
    }


NONE_COUNTED = m.OutboxCounts(delivered=0, failed=0, pending=0, skipped=0)


def _moved(meeting: Meeting) -> m.MovedOut | None:
    if not meeting.move_reason:
        return None
    return m.MovedOut(
        reason=meeting.move_reason,  # type: ignore[arg-type]
        reason_label=str(MoveReason(meeting.move_reason).label),
        planned_date=meeting.planned_date,
        note=meeting.move_note,
        text=messages.move_text(meeting),
    )


def _meeting_fields(meeting: Meeting, group: Group, tz: ZoneInfo, counts: dict[str, m.OutboxCounts]) -> dict[str, Any]:
    theme = meeting.theme
    lead = meeting.lead_facilitator if meeting.lead_facilitator_id else group.lead_facilitator
    co = meeting.co_facilitator if meeting.co_facilitator_id else group.co_facilitator
    return {
        "id": meeting.pk,
        "group_id": group.pk,
        "number": meeting.number,
        "starts_at": s.local(meeting.starts_at, tz),
        "ends_at": s.local(meeting.ends_at, tz),
        "length_minutes": meeting.length_minutes,
        "theme": m.ThemeRef(id=theme.pk, key=theme.key, title=s.texts(theme.title)) if theme else None,
        "status": meeting.status,
        "status_label": str(MeetingStatus(meeting.status).label),
        "held_at": s.local(meeting.held_at, tz),
        "moved": _moved(meeting),
        "video_link": meeting.video_link or group.video_link,
        "video_link_own": bool(meeting.video_link),
        "lead_facilitator": s.person(lead),
        "co_facilitator": s.person(co),
        "facilitators_own": bool(meeting.lead_facilitator_id or meeting.co_facilitator_id),
        "calendar": m.CalendarOut(uid=meeting.calendar_uid, sequence=meeting.calendar_sequence),
        "outbox": counts.get(subject_key(meeting), NONE_COUNTED),
    }


def _segments(agenda: Any) -> list[m.SegmentOut]:
    return [
        m.SegmentOut(
            kind=seg.kind,  # type: ignore[arg-type]
            label=seg.label,
            minutes=seg.minutes,
            note=seg.note,
            title=seg.title,
            starts_after=seg.starts_after,
        )
        for seg in agendas.segments(agenda)
    ]


def _meeting_detail(meeting: Meeting) -> m.MeetingDetailOut:
    group = meeting.group
    tz = group.programme.organisation.tz
    device = agendas.device(meeting.agenda)
    return m.MeetingDetailOut(
        **_meeting_fields(meeting, group, tz, _counts(group.programme.organisation_id, [subject_key(meeting)])),
        programme_id=group.programme_id,
        group_name=group.name,
        template_id=meeting.template_id,
        agenda=_segments(meeting.agenda),
        agenda_warnings=agendas.warnings(meeting.agenda, meeting.length_minutes),
        device=device,  # type: ignore[arg-type]
        device_label=str(Device(device).label),
        expert_speaker=meeting.expert_speaker,
        expert_title=meeting.expert_title,
        recording_url=meeting.recording_url,
        notes=meeting.notes,
        materials_sent=meeting.materials_sent,
        materials_sent_at=s.local(meeting.materials_sent_at, tz),
    )


def _fresh_detail(pk: int) -> m.MeetingDetailOut:
    """The meeting as stored now (a service may have renumbered it). Callers checked access."""
    return _meeting_detail(_meetings().get(pk=pk))


def _groups_with_meetings(programme: Programme, **filters: Any) -> list[Group]:
    groups = list(
        Group.objects.filter(programme=programme, **filters)
        .select_related("time_slot", "lead_facilitator", "co_facilitator")
        .prefetch_related(
            Prefetch(
                "meetings",
                queryset=Meeting.objects.select_related("theme", "lead_facilitator", "co_facilitator").order_by(
                    "starts_at", "number"
                ),
            )
        )
        .order_by("start_date", "name", "pk")
    )
    for group in groups:
        group.programme = programme
    return groups


def _schedules(programme: Programme, groups: list[Group]) -> list[m.GroupScheduleOut]:
    tz = programme.organisation.tz
    keys = [subject_key(group) for group in groups] + [subject_key(x) for g in groups for x in g.meetings.all()]
    counts = _counts(programme.organisation_id, keys)
    return [
        m.GroupScheduleOut(
            id=group.pk,
            programme_id=programme.pk,
            name=group.name,
            time_slot=group.time_slot.key,
            weekday=WEEKDAYS[group.weekday],  # type: ignore[arg-type]
            start_date=group.start_date,
            schedule_set_at=s.local(group.schedule_set_at, tz),
            video_link=group.video_link,
            lead_facilitator=s.person(group.lead_facilitator),
            co_facilitator=s.person(group.co_facilitator),
            invitations=counts.get(subject_key(group), NONE_COUNTED),
            meetings=[m.MeetingOut(**_meeting_fields(x, group, tz, counts)) for x in group.meetings.all()],
        )
        for group in groups
    ]


def _group_schedule(group: Group) -> m.GroupScheduleOut:
    programme = Programme.objects.select_related("organisation").get(pk=group.programme_id)
    return _schedules(programme, _groups_with_meetings(programme, pk=group.pk))[0]


def _planned_out(planned: PlannedMeeting, group: Group, tz: ZoneInfo) -> m.PlannedOut:
    # An unsaved meeting lets the preview say a move exactly as the emails will.
    shape = Meeting(planned_date=planned.planned_date, move_reason=planned.move_reason, move_note=planned.move_note)
    length = timedelta(minutes=group.programme.meeting_length_minutes)
    return m.PlannedOut(
        number=planned.number,
        planned_date=planned.planned_date,
        starts_at=s.local(planned.starts_at, tz),  # type: ignore[arg-type]
        ends_at=s.local(planned.starts_at + length, tz),  # type: ignore[arg-type]
        moved=_moved(shape),
    )


def _person_name(participant: Participant) -> str:
    return participant.display_name


def _attendance(meeting: Meeting) -> m.AttendanceListOut:
    """Everyone still in the group, and anyone else with a record, by name."""
    tz = meeting.group.programme.organisation.tz
    records = {
        a.participant_id: a
        for a in Attendance.objects.filter(meeting=meeting).select_related("participant__user", "recorded_by")
    }
    people = {p.pk: p for p in messages.members(meeting.group)}
    for record in records.values():
        people.setdefault(record.participant_id, record.participant)
    rows = []
    for person in sorted(people.values(), key=lambda p: (_person_name(p).lower(), p.pk)):
        found = records.get(person.pk)
        rows.append(
            m.AttendanceOut(
                participant_id=person.pk,
                name=_person_name(person),
                state=found.state if found else None,  # type: ignore[arg-type]
                state_label=str(AttendanceState(found.state).label) if found else _("Not recorded"),
                note=found.note if found else "",
                recorded_at=s.local(found.recorded_at, tz) if found else None,
                recorded_by=s.person(found.recorded_by) if found else None,
            )
        )
    return m.AttendanceListOut(meeting_id=meeting.pk, attendance=rows)


def _material_out(material: Material, tz: ZoneInfo) -> m.MaterialOut:
    download = absolute_url(f"/api/v1/materials/{material.pk}/file") if material.file else ""
    return m.MaterialOut(
        id=material.pk,
        meeting_id=material.meeting_id,
        kind=material.kind,  # type: ignore[arg-type]
        kind_label=str(MaterialKind(material.kind).label),
        title=material.title,
        filename=material.filename,
        content_type=material.content_type,
        size=material.size,
        url=material.url,
        text=material.text,
        download_url=download,
        added_by=s.person(material.added_by),
        added_at=s.local(material.added_at, tz),  # type: ignore[arg-type]
    )


def _request_errors(error: PydanticValidationError, where: str) -> NinjaValidationError:
    """A body checked by hand answers in the same shape as one ninja checked."""
    return NinjaValidationError(
        [
            {
                "type": item["type"],
                "loc": (where, "payload", *item["loc"]),
                "msg": item["msg"],
                "ctx": {key: str(value) for key, value in (item.get("ctx") or {}).items()},
            }
            for item in error.errors(include_url=False)
        ]
    )


# --- schedules ---------------------------------------------------------------------------


@router.get(
    "/programmes/{programme_id}/schedule", response={200: m.ScheduleOut, **s.ERRORS}, summary="Read the schedule"
)
def schedule_read(request: HttpRequest, programme_id: int) -> m.ScheduleOut:
    """Every group of the programme with its meetings: times, themes, moves and why, links, facilitators, the
    calendar entries' UID and SEQUENCE, and how many of the messages about each were delivered, failed or wait.
    A group without meetings is waiting for its schedule."""
    programme = selectors.programme_get_for_api(user=request_user(request), pk=programme_id)
    return m.ScheduleOut(
        programme_id=programme.pk,
        time_zone=programme.organisation.time_zone,
        move_rule=programme.move_rule,  # type: ignore[arg-type]
        groups=_schedules(programme, _groups_with_meetings(programme)),
    )


@router.post(
    "/groups/{group_id}/schedule/preview", response={200: m.PreviewOut, **s.ERRORS}, summary="Preview a schedule"
)
def schedule_preview(request: HttpRequest, group_id: int, payload: m.RuleIn) -> m.PreviewOut:
    """The meetings generating would make, with the moves off public holidays and closed periods and why.
    Nothing is stored. A move that cannot be made is 422."""
    group = group_get_for_api(user=request_user(request), pk=group_id)
    planned = services.schedule_preview(group=group, rule=payload.rule)
    tz = group.programme.organisation.tz
    return m.PreviewOut(
        group_id=group.pk,
        rule=payload.rule or group.programme.move_rule,  # type: ignore[arg-type]
        scheduled=Meeting.objects.filter(group=group).exists(),
        meetings=[_planned_out(item, group, tz) for item in planned],
    )


@router.post(
    "/groups/{group_id}/schedule", response={201: m.GroupScheduleOut, **s.ERRORS}, summary="Generate a schedule"
)
def schedule_generate(request: HttpRequest, group_id: int, payload: m.RuleIn) -> Status[m.GroupScheduleOut]:
    """Make the group's meetings with their themes, agendas and links, and invite the members and both
    facilitators (one calendar entry per meeting, reminders at the programme's lead time). Refused (422) when
    the group already has its schedule, when its first meeting would be in the past, or when a move cannot be
    made; nothing is then stored."""
    user = request_user(request)
    group = group_get_for_api(user=user, pk=group_id)
    services.schedule_generate(group=group, actor=user, rule=payload.rule)
    return Status(201, _group_schedule(group))


@router.post("/groups/{group_id}/schedule/invite", response={200: m.InvitedOut, **s.ERRORS}, summary="Invite newcomers")
def schedule_invite(request: HttpRequest, group_id: int) -> m.InvitedOut:
    """Send the schedule to the group's members and facilitators who have not had it (late joiners, new
    facilitators). Nobody gets it twice."""
    user = request_user(request)
    group = group_get_for_api(user=user, pk=group_id)
    return m.InvitedOut(group_id=group.pk, invited=services.schedule_invite(group=group, actor=user))


@router.put(
    "/groups/{group_id}/video-link", response={200: m.GroupScheduleOut, **s.ERRORS}, summary="Set a group's link"
)
def group_video_link(request: HttpRequest, group_id: int, payload: m.VideoLinkIn) -> m.GroupScheduleOut:
    """Paste (or, with "", remove) the group's video link. Once the schedule is set, the people invited get
    updated calendar entries for the meetings to come that use the group's link."""
    user = request_user(request)
    group = group_get_for_api(user=user, pk=group_id)
    services.video_link_set(group=group, link=payload.video_link, actor=user)
    return _group_schedule(group)


@router.get(
    "/programmes/{programme_id}/session-templates",
    response={200: list[m.SessionTemplateOut], **s.ERRORS},
    summary="List session templates",
)
def session_template_list(request: HttpRequest, programme_id: int) -> list[m.SessionTemplateOut]:
    """The organisation's agenda templates (first-meeting ones first); a meeting's agenda can be made from one.
    The standard templates appear once the organisation's first schedule is made."""
    programme = selectors.programme_get_for_api(user=request_user(request), pk=programme_id)
    return [
        m.SessionTemplateOut(
            id=t.pk, name=t.name, for_first_meeting=t.for_first_meeting, segments=_segments(t.segments)
        )
        for t in SessionTemplate.objects.filter(organisation_id=programme.organisation_id)
    ]


# --- single meetings -----------------------------------------------------------------------


@router.get("/meetings/{meeting_id}", response={200: m.MeetingDetailOut, **s.ERRORS}, summary="Read a meeting")
def meeting_read(request: HttpRequest, meeting_id: int) -> m.MeetingDetailOut:
    """One meeting with its agenda, expert talk, recording and notes. Its facilitators may read it too."""
    return _meeting_detail(meeting_get_for_facilitation(user=request_user(request), pk=meeting_id))


@router.patch("/meetings/{meeting_id}", response={200: m.MeetingDetailOut, **s.ERRORS}, summary="Change a meeting")
def meeting_update(request: HttpRequest, meeting_id: int, payload: m.MeetingPatchIn) -> m.MeetingDetailOut:
    """Change what the meeting is about; only the fields sent change. `template` makes the agenda again from a
    session template (fitted to the meeting's length); `agenda` replaces it (sent together, `agenda` wins).
    A new `video_link` sends the people invited an updated calendar entry; the other fields are read fresh by
    the reminders. All or nothing."""
    user = request_user(request)
    meeting = meeting_get_for_api(user=user, pk=meeting_id)
    given = payload.model_fields_set
    changes: dict[str, Any] = {}
    if "theme" in given:
        changes["theme"] = _theme(meeting.group.programme, payload.theme)
    if "template" in given:
        if payload.template is None:
            raise ValidationError({"template": [_("Give the id of a session template.")]})
        changes["template"] = _template(meeting.group.programme.organisation_id, payload.template)
    if "agenda" in given:
        if payload.agenda is None:
            raise ValidationError({"agenda": [_("An agenda needs at least one segment.")]})
        changes["agenda"] = [segment.model_dump() for segment in payload.agenda]
    for field in ("expert_speaker", "expert_title", "recording_url"):
        if field in given:
            changes[field] = getattr(payload, field) or ""
    with transaction.atomic(), _fields_named({"segments": "agenda"}):
        if "video_link" in given:
            services.video_link_set(group=meeting.group, link=payload.video_link or "", actor=user, meeting=meeting)
        if changes:
            services.meeting_details_set(meeting=meeting, actor=user, **changes)
    return _fresh_detail(meeting.pk)


@router.post("/meetings/{meeting_id}/move", response={200: m.MeetingDetailOut, **s.ERRORS}, summary="Move a meeting")
def meeting_move(request: HttpRequest, meeting_id: int, payload: m.MoveIn) -> m.MeetingDetailOut:
    """Give one planned meeting a new start; everyone invited gets an update of the same calendar entry (a higher
    SEQUENCE). Not into the past, onto a public holiday or closed day, or onto a day with another of the group's
    meetings (422 on `starts_at`). The meetings are numbered again in time order."""
    user = request_user(request)
    meeting = meeting_get_for_api(user=user, pk=meeting_id)
    services.meeting_move(meeting=meeting, starts_at=payload.starts_at, actor=user, note=payload.note)
    return _fresh_detail(meeting.pk)


@router.post(
    "/meetings/{meeting_id}/cancel", response={200: m.MeetingDetailOut, **s.ERRORS}, summary="Cancel a meeting"
)
def meeting_cancel(request: HttpRequest, meeting_id: int, payload: m.CancelIn) -> m.MeetingDetailOut:
    """Everyone invited gets a cancellation of the calendar entry. A held meeting cannot be cancelled;
    cancelling a cancelled one changes nothing."""
    user = request_user(request)
    meeting = meeting_get_for_api(user=user, pk=meeting_id)
    services.meeting_cancel(meeting=meeting, actor=user, reason=payload.reason)
    return _fresh_detail(meeting.pk)


@router.post("/groups/{group_id}/meetings", response={201: m.MeetingDetailOut, **s.ERRORS}, summary="Add a meeting")
def meeting_add(request: HttpRequest, group_id: int, payload: m.MeetingAddIn) -> Status[m.MeetingDetailOut]:
    """An extra meeting for the group, with the theme template's agenda. Once the schedule is set, everyone
    invited gets it as a calendar entry. The same rules for its time as for a move."""
    user = request_user(request)
    group = group_get_for_api(user=user, pk=group_id)
    theme = _theme(group.programme, payload.theme)
    meeting = services.meeting_add(
        group=group, starts_at=payload.starts_at, actor=user, theme=theme, length_minutes=payload.length_minutes
    )
    return Status(201, _fresh_detail(meeting.pk))


@router.put(
    "/meetings/{meeting_id}/facilitators",
    response={200: m.MeetingDetailOut, **s.ERRORS},
    summary="Set a meeting's facilitators",
)
def meeting_facilitators(request: HttpRequest, meeting_id: int, payload: m.FacilitatorsIn) -> m.MeetingDetailOut:
    """Who facilitates this one planned meeting (user ids; null for the group's own). They must be people who
    may facilitate the group; newcomers get the meeting's calendar entry."""
    user = request_user(request)
    meeting = meeting_get_for_api(user=user, pk=meeting_id)
    # Ids are looked up only among the people who may be chosen, so an id tells nothing about other accounts.
    allowed = facilitators_for_group(group=meeting.group)
    allowed.update({u.pk: u for u in (meeting.lead_facilitator, meeting.co_facilitator) if u is not None})
    errors = {
        field: [not_choosable_message(pk)]
        for field, pk in (("lead", payload.lead), ("co", payload.co))
        if pk is not None and pk not in allowed
    }
    if errors:
        raise ValidationError(errors)
    services.meeting_facilitators_set(
        meeting=meeting,
        lead=allowed[payload.lead] if payload.lead is not None else None,
        co=allowed[payload.co] if payload.co is not None else None,
        actor=user,
    )
    return _fresh_detail(meeting.pk)


@router.post(
    "/meetings/{meeting_id}/held", response={200: m.MeetingDetailOut, **s.ERRORS}, summary="Mark a meeting held"
)
def meeting_held(request: HttpRequest, meeting_id: int) -> m.MeetingDetailOut:
    """For the meeting's facilitators and the coordinators, once it has started. Marking the group's last
    meeting held completes its members."""
    user = request_user(request)
    meeting = meeting_get_for_facilitation(user=user, pk=meeting_id)
    services.meeting_mark_held(meeting=meeting, actor=user)
    return _fresh_detail(meeting.pk)


# --- attendance -----------------------------------------------------------------------------


@router.get(
    "/meetings/{meeting_id}/attendance", response={200: m.AttendanceListOut, **s.ERRORS}, summary="Read attendance"
)
def attendance_read(request: HttpRequest, meeting_id: int) -> m.AttendanceListOut:
    """Each member of the group: present, absent, told in advance (`excused`), or null while nothing is
    recorded."""
    return _attendance(meeting_get_for_facilitation(user=request_user(request), pk=meeting_id))


@router.put(
    "/meetings/{meeting_id}/attendance",
    response={200: m.AttendanceListOut, **s.ERRORS},
    summary="Record attendance",
)
def attendance_write(request: HttpRequest, meeting_id: int, payload: m.AttendanceIn) -> m.AttendanceListOut:
    """Record the states given (`present`, `absent`, `excused`); members left out keep theirs. Nobody can be
    present before the meeting starts; a cancelled meeting has no attendance. All or nothing."""
    user = request_user(request)
    meeting = meeting_get_for_facilitation(user=user, pk=meeting_id)
    services.attendance_record(
        meeting=meeting, states={item.participant_id: item.state for item in payload.attendance}, actor=user
    )
    return _attendance(meeting)


# --- materials --------------------------------------------------------------------------------


@router.get(
    "/meetings/{meeting_id}/materials", response={200: list[m.MaterialOut], **s.ERRORS}, summary="List materials"
)
def material_list(request: HttpRequest, meeting_id: int) -> list[m.MaterialOut]:
    meeting = meeting_get_for_facilitation(user=request_user(request), pk=meeting_id)
    tz = meeting.group.programme.organisation.tz
    return [
        _material_out(material, tz)
        for material in Material.objects.filter(meeting=meeting).select_related("added_by").order_by("added_at", "id")
    ]


@router.post(
    "/meetings/{meeting_id}/materials",
    response={201: m.MaterialOut, **s.ERRORS},
    summary="Add a material",
    openapi_extra=MATERIAL_BODY,
)
def material_create(request: HttpRequest, meeting_id: int) -> Status[m.MaterialOut]:
    """A file (multipart/form-data: `file` and an optional `title`; documents, presentations, spreadsheets and
    images, at most 20 MB by default) or, as JSON, a `link`, a `note` (`text`) or the `recording` (`url`).
    The members get it when the materials are sent."""
    user = request_user(request)
    meeting = meeting_get_for_facilitation(user=user, pk=meeting_id)
    upload = None
    if request.content_type == "multipart/form-data":
        unknown = sorted(set(request.FILES) - {"file"})
        fields = {key: request.POST.get(key) for key in request.POST}
        fields.update(dict.fromkeys(unknown, ""))
        try:
            given: m.MaterialFileIn | m.MaterialIn = m.MaterialFileIn.model_validate(fields)
        except PydanticValidationError as error:
            raise _request_errors(error, "form") from None
        upload = request.FILES.get("file")
    else:
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            raise HttpError(400, "not json") from None
        try:
            given = m.MaterialIn.model_validate(body)
        except PydanticValidationError as error:
            raise _request_errors(error, "body") from None
    material = services.material_add(
        meeting=meeting,
        actor=user,
        kind=given.kind,
        title=given.title,
        upload=upload,
        url=getattr(given, "url", ""),
        text=getattr(given, "text", ""),
    )
    return Status(201, _material_out(material, meeting.group.programme.organisation.tz))


@router.delete("/materials/{material_id}", response={204: None, **s.ERRORS}, summary="Remove a material")
def material_delete(request: HttpRequest, material_id: int) -> Status[None]:
    """Materials already sent stay in the emails; a stored file is deleted."""
    user = request_user(request)
    services.material_delete(material=material_get_for_facilitation(user=user, pk=material_id), actor=user)
    return Status(204, None)


@router.get("/materials/{material_id}/file", response={200: None, **s.ERRORS}, summary="Download a material's file")
def material_file(request: HttpRequest, material_id: int) -> HttpResponseBase:
    """The file as an attachment, with the type it was accepted as."""
    material = material_get_for_facilitation(user=request_user(request), pk=material_id)
    if not material.file:
        raise Http404
    response = FileResponse(
        material.file.open("rb"),
        as_attachment=True,
        filename=material.filename or "material",
        content_type=material.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.post(
    "/meetings/{meeting_id}/materials/send", response={200: m.SentOut, **s.ERRORS}, summary="Send the materials"
)
def materials_send(request: HttpRequest, meeting_id: int) -> m.SentOut:
    """Email the materials, the notes and the recording to every member, present or absent. Only for a meeting
    marked held that has something to send. Sending again sends the current set to everyone."""
    user = request_user(request)
    meeting = meeting_get_for_facilitation(user=user, pk=meeting_id)
    count = services.materials_send(meeting=meeting, actor=user)
    sent = Meeting.objects.only("materials_sent").get(pk=meeting.pk).materials_sent
    return m.SentOut(meeting_id=meeting.pk, recipients=count, round=sent)


# --- the outbox -----------------------------------------------------------------------------


def _subject_id(about: str, prefix: str) -> int | None:
    rest = about.removeprefix(prefix)
    return int(rest) if rest != about and rest.isdigit() else None


def _outbox_row(row: Notification) -> m.OutboxRowOut:
    tz = row.organisation.tz if row.organisation else ZoneInfo("UTC")
    meeting_id = _subject_id(row.subject, MEETING_SUBJECT)
    group_id = _subject_id(row.subject, GROUP_SUBJECT)
    if group_id is None and meeting_id is not None:
        # Meeting messages carry their group in the context they were queued with.
        stored = (row.context or {}).get("group_id")
        group_id = stored if isinstance(stored, int) else None
    return m.OutboxRowOut(
        id=row.pk,
        organisation_id=row.organisation_id,
        kind=row.kind,
        kind_label=str(row.kind_label),
        recipient=row.recipient,
        status=row.status,  # type: ignore[arg-type]
        status_label=str(NotificationStatus(row.status).label),
        retrying=row.is_retrying,
        sensitive=row.sensitive,
        subject_line="" if row.sensitive else row.rendered_subject,
        about=row.subject,
        meeting_id=meeting_id,
        group_id=group_id,
        version=row.version,
        due_at=s.local(row.due_at, tz),  # type: ignore[arg-type]
        sent_at=s.local(row.sent_at, tz),
        last_attempt_at=s.local(row.last_attempt_at, tz),
        attempts=row.attempts,
        last_error=row.last_error,
        address_refused=row.address_refused,
    )


@router.get("/outbox", response={200: m.OutboxPage, **s.ERRORS}, summary="List the outbox", tags=["outbox"])
def outbox_list(request: HttpRequest, filters: Query[m.OutboxQuery]) -> m.OutboxPage:
    """The messages of the organisations you coordinate, the latest due first; filtered by status, kind, meeting
    or group (its invitations and the messages about its meetings), paged. What sensitive messages (sign-in
    codes and the like) say is never shown."""
    organisations = _coordinated_organisations(request_user(request))
    qs = Notification.objects.filter(organisation__in=organisations)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.meeting is not None:
        qs = qs.filter(subject=f"{MEETING_SUBJECT}{filters.meeting}")
    if filters.group is not None:
        meetings = Meeting.objects.filter(group_id=filters.group).values_list("pk", flat=True)
        qs = qs.filter(
            Q(subject=f"{GROUP_SUBJECT}{filters.group}") | Q(subject__in=[f"{MEETING_SUBJECT}{pk}" for pk in meetings])
        )
    qs = qs.select_related("organisation").order_by("-due_at", "-id")
    count = qs.count()
    items = list(qs[filters.offset : filters.offset + filters.limit]) if filters.offset < count else []
    return m.OutboxPage(count=count, limit=filters.limit, offset=filters.offset, items=[_outbox_row(r) for r in items])

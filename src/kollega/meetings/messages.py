"""The meetings' emails: invitation, update, cancellation, reminder, materials, and the facilitators' nudge.

Each goes through the outbox (``notification_queue``), one row per recipient,
unique per (recipient, kind, what it is about, version):

============================  ============  ======================  =========================
kind                          about         version                 due
============================  ============  ======================  =========================
``meetings.invitation``       the group     ``1``                   when the schedule is set
``meetings.update``           the meeting   its calendar SEQUENCE   when it moves or is added
``meetings.cancelled``        the meeting   its calendar SEQUENCE   when it is cancelled
``meetings.reminder``         the meeting   its calendar SEQUENCE   start − the programme's lead
``meetings.materials``        the meeting   the materials send no.  when a facilitator sends
``meetings.nudge``            the meeting   its calendar SEQUENCE   end + 24 hours
============================  ============  ======================  =========================

Calendar files are made when a message is queued (so a copy sent again is the
same file). Everything else the templates show (the link, the agenda, the
schedule) is read when the message is rendered, through the kinds'
``fresh_context``, so a reminder queued weeks ahead shows the meeting as it is.

Just before sending, ``still_valid`` skips a message whose reason has gone:
the meeting moved again or was cancelled, the person left the group, or told
in advance they cannot come.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kollega.accounts.models import User
from kollega.core.models import Participant, Status
from kollega.core.models.texts import localized
from kollega.grouping.models import Group, GroupMembership
from kollega.meetings import agendas, calendar
from kollega.meetings.models import MEETING_RELATED, AttendanceState, Device, Meeting, MeetingStatus
from kollega.notifications import kinds
from kollega.notifications.models import Notification
from kollega.notifications.sender import batch_memo
from kollega.notifications.services import notification_queue
from kollega.recruitment.services import absolute_url

KIND_INVITATION = "meetings.invitation"
KIND_UPDATE = "meetings.update"
KIND_CANCELLED = "meetings.cancelled"
KIND_REMINDER = "meetings.reminder"
KIND_MATERIALS = "meetings.materials"
KIND_NUDGE = "meetings.nudge"
ALL_KINDS = (KIND_INVITATION, KIND_UPDATE, KIND_CANCELLED, KIND_REMINDER, KIND_MATERIALS, KIND_NUDGE)

#: Facilitators are nudged when a meeting is still not marked held this long after its end.
NUDGE_AFTER = timedelta(hours=24)
#: Members who left, or never joined, get no more meeting mail.
GONE = (Status.CANCELLED, Status.WITHDRAWN, Status.DECLINED)

MEMBER = "member"
LEAD = "lead"
CO = "co"


# --- who gets what ---------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    email: str
    user: User
    language: str
    name: str
    role: str
    participant: Participant | None = None

    def context(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "participant_id": self.participant.pk if self.participant else None,
            "user_id": self.user.pk,
        }


def members(group: Group) -> list[Participant]:
    """The group's members who are still in it (completed members included)."""
    return list(
        Participant.objects.filter(membership__group=group)
        .exclude(status__in=GONE)
        .select_related("user", "membership")
        .order_by("pk")
    )


def facilitators(meeting: Meeting | None, group: Group) -> list[tuple[str, User]]:
    """The meeting's own facilitators, else the group's: ``[(role, user)]``."""
    lead = (meeting.lead_facilitator if meeting and meeting.lead_facilitator_id else None) or group.lead_facilitator
    co = (meeting.co_facilitator if meeting and meeting.co_facilitator_id else None) or group.co_facilitator
    found = []
    if lead is not None:
        found.append((LEAD, lead))
    if co is not None and (lead is None or co.pk != lead.pk):
        found.append((CO, co))
    return found


def recipients(group: Group, meeting: Meeting | None = None, *, staff: bool = True) -> list[Recipient]:
    people = [
        Recipient(
            email=p.user.email,
            user=p.user,
            language=p.language,
            name=p.full_name or p.user.full_name,
            role=MEMBER,
            participant=p,
        )
        for p in members(group)
    ]
    if staff:
        taken = {r.email.lower() for r in people}
        for role, user in facilitators(meeting, group):
            if user.email.lower() not in taken:
                people.append(
                    Recipient(
                        email=user.email, user=user, language=user.language or "fi", name=user.full_name, role=role
                    )
                )
    return people


# --- words and times in the recipient's language ------------------------------------


def local(value: datetime, group: Group) -> datetime:
    return timezone.localtime(value, group.programme.organisation.tz)


def when(meeting: Meeting) -> dict[str, str]:
    """The meeting's day and times in the organisation's zone, in the active language."""
    start, end = local(meeting.starts_at, meeting.group), local(meeting.ends_at, meeting.group)
    return {"date": date_format(start, "l j.n.Y"), "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}


def theme_name(meeting: Meeting) -> str:
    return localized(meeting.theme.title) if meeting.theme else ""


def video_link(meeting: Meeting) -> str:
    return meeting.video_link or meeting.group.video_link


def summary(meeting: Meeting) -> str:
    theme = theme_name(meeting)
    base = _("%(group)s, meeting %(number)s") % {"group": meeting.group.name, "number": meeting.number}
    return f"{base}: {theme}" if theme else base


def move_text(meeting: Meeting) -> str:
    """Why the meeting is not on the date its interval gives, in the active language."""
    from kollega.meetings.models import MoveReason
    from kollega.meetings.schedule import holiday_name

    if meeting.move_reason == MoveReason.HOLIDAY and meeting.planned_date:
        name = holiday_name(meeting.planned_date) or meeting.move_note
        return _("Moved from %(day)s (%(holiday)s).") % {
            "day": date_format(meeting.planned_date, "j.n."),
            "holiday": name,
        }
    if meeting.move_reason == MoveReason.CLOSED and meeting.planned_date:
        return _("Moved from %(day)s (closed: %(period)s).") % {
            "day": date_format(meeting.planned_date, "j.n."),
            "period": meeting.move_note,
        }
    if meeting.move_reason == MoveReason.BY_HAND:
        return _("Moved by the coordinator.") + (f" {meeting.move_note}" if meeting.move_note else "")
    return ""


def agenda_lines(meeting: Meeting) -> list[dict[str, Any]]:
    start = local(meeting.starts_at, meeting.group)
    return [
        {"at": f"{start + timedelta(minutes=s.starts_after):%H:%M}", "title": s.title, "minutes": s.minutes}
        for s in agendas.segments(meeting.agenda)
    ]


def device_text(meeting: Meeting) -> str:
    return str(Device(agendas.device(meeting.agenda)).label)


def _programme_title(group: Group) -> str:
    return localized(group.programme.title)


def event_text(meeting: Meeting, *, for_member: bool) -> calendar.EventText:
    lines = []
    link = video_link(meeting)
    if link:
        lines.append(_("Video link: %(link)s") % {"link": link})
    if meeting.expert_title or meeting.expert_speaker:
        lines.append(
            _("Expert talk: %(title)s %(speaker)s")
            % {
                "title": meeting.expert_title,
                "speaker": f"({meeting.expert_speaker})" if meeting.expert_speaker else "",
            }
        )
    for item in agenda_lines(meeting):
        lines.append(f"{item['at']} {item['title']} ({item['minutes']} min)")
    lines.append(device_text(meeting))
    page = reverse("meetings:mine") if for_member else reverse("meetings:meeting", args=[meeting.pk])
    lines.append(_("Your meetings: %(link)s") % {"link": absolute_url(page)})
    return calendar.EventText(summary=summary(meeting), description="\n".join(lines), link=link)


def _organizer(group: Group) -> calendar.Person:
    organisation = group.programme.organisation
    if organisation.support_email:
        return calendar.Person(email=organisation.support_email, name=organisation.name)
    lead = group.lead_facilitator
    if lead is not None:
        return calendar.Person(email=lead.email, name=lead.full_name)
    from django.conf import settings

    return calendar.Person(email=settings.DEFAULT_FROM_EMAIL.rpartition("<")[2].rstrip(">"), name=organisation.name)


def ics_for(
    recipient: Recipient | None, method: str, meetings: Iterable[Meeting], *, language: str, for_member: bool
) -> str:
    group_meetings = list(meetings)
    if not group_meetings:
        return ""
    group = group_meetings[0].group
    with translation.override(language):
        items = [(m, event_text(m, for_member=for_member)) for m in group_meetings]
    attendee = calendar.Person(email=recipient.email, name=recipient.name) if recipient else None
    return calendar.ics(method, items, organizer=_organizer(group), attendee=attendee)


def _attachment(filename: str, content: str, method: str) -> dict[str, str]:
    return {"filename": filename, "content": content, "mimetype": "text/calendar", "method": method}


def _planned(group: Group) -> list[Meeting]:
    return list(
        Meeting.objects.filter(group=group, status=MeetingStatus.PLANNED)
        .select_related("theme", "group__programme__organisation", "lead_facilitator", "co_facilitator")
        .order_by("starts_at")
    )


# --- queueing -----------------------------------------------------------------------


def _queue(
    kind: str,
    recipient: Recipient,
    group: Group,
    *,
    about: Any,
    version: str,
    context: dict[str, Any],
    due_at: datetime | None = None,
) -> Notification:
    return notification_queue(
        kind=kind,
        recipient=recipient.email,
        recipient_user=recipient.user,
        language=recipient.language,
        organisation=group.programme.organisation,
        subject=about,
        version=version,
        due_at=due_at,
        context={"group_id": group.pk, **recipient.context(), **context},
    )


def invitations_queue(group: Group, *, users: Iterable[int] | None = None, now: datetime | None = None) -> int:
    """The schedule to everyone in the group (members and facilitators), with reminders and nudges.

    Idempotent: a person already invited is not invited again, so calling it
    after a late joiner arrives invites only them. ``users`` limits it to
    those accounts (a member who just joined).
    """
    started = timezone.now()
    meetings = _planned(group)
    if not meetings:
        return 0
    queued = 0
    wanted = set(users) if users is not None else None
    for recipient in recipients(group):
        if wanted is not None and recipient.user.pk not in wanted:
            continue
        for_member = recipient.role == MEMBER
        each = [
            _attachment(
                f"meeting-{m.number}.ics",
                ics_for(recipient, calendar.REQUEST, [m], language=recipient.language, for_member=for_member),
                calendar.REQUEST,
            )
            for m in meetings
        ]
        every = _attachment(
            "all-meetings.ics",
            ics_for(recipient, calendar.PUBLISH, meetings, language=recipient.language, for_member=for_member),
            calendar.PUBLISH,
        )
        # A member who leaves and comes back is invited again: the version is their membership.
        membership = getattr(recipient.participant, "membership", None) if recipient.participant else None
        row = _queue(
            KIND_INVITATION,
            recipient,
            group,
            about=group,
            version=f"member-{membership.pk}" if membership is not None else "1",
            context={"attachments": [*each, every]},
        )
        queued += int(row.created_at >= started)
        for meeting in meetings:
            reminder_queue(meeting, recipient, now=now)
    for meeting in meetings:
        nudge_queue(meeting)
    return queued


def reminder_queue(meeting: Meeting, recipient: Recipient, *, now: datetime | None = None) -> Notification | None:
    """The reminder at the programme's lead time before the meeting (none for a meeting that has begun).

    A meeting closer than the lead time still gets its reminder, at once.
    """
    lead = timedelta(hours=meeting.group.programme.reminder_lead_hours)
    due = meeting.starts_at - lead
    if meeting.starts_at <= (now or timezone.now()):
        return None
    return _queue(
        KIND_REMINDER,
        recipient,
        meeting.group,
        about=meeting,
        version=str(meeting.calendar_sequence),
        due_at=due,
        context={"meeting_id": meeting.pk, "sequence": meeting.calendar_sequence},
    )


def nudge_queue(meeting: Meeting) -> None:
    """Ask the facilitators to mark the meeting held if they have not a day after it ended."""
    for role, user in facilitators(meeting, meeting.group):
        recipient = Recipient(
            email=user.email, user=user, language=user.language or "fi", name=user.full_name, role=role
        )
        _queue(
            KIND_NUDGE,
            recipient,
            meeting.group,
            about=meeting,
            version=str(meeting.calendar_sequence),
            due_at=meeting.ends_at + NUDGE_AFTER,
            context={"meeting_id": meeting.pk, "sequence": meeting.calendar_sequence},
        )


def change_queue(meeting: Meeting, *, only: Iterable[Recipient] | None = None, again: bool = False) -> int:
    """An update (REQUEST with the new SEQUENCE) or a cancellation (CANCEL) of one meeting, to everyone invited.

    ``again``: the people in ``only`` may have had this SEQUENCE before (a facilitator put back on a meeting),
    so their copy is a new message, not the stored one.
    """
    group = meeting.group
    cancelled = meeting.status == MeetingStatus.CANCELLED
    kind = KIND_CANCELLED if cancelled else KIND_UPDATE
    method = calendar.CANCEL if cancelled else calendar.REQUEST
    people = list(only) if only is not None else recipients(group, meeting)
    for recipient in people:
        for_member = recipient.role == MEMBER
        ics = ics_for(recipient, method, [meeting], language=recipient.language, for_member=for_member)
        version = str(meeting.calendar_sequence)
        if again:
            version = f"{version}-again-{timezone.now():%Y%m%d%H%M%S%f}"
        _queue(
            kind,
            recipient,
            group,
            about=meeting,
            version=version,
            context={
                "meeting_id": meeting.pk,
                "sequence": meeting.calendar_sequence,
                "attachments": [_attachment(f"meeting-{meeting.number}.ics", ics, method)],
            },
        )
        if not cancelled and not _reminded_lately(meeting, recipient):
            reminder_queue(meeting, recipient)
    if not cancelled:
        nudge_queue(meeting)
    return len(people)


def _reminded_lately(meeting: Meeting, recipient: Recipient) -> bool:
    """The person already had a reminder and the new one would be due at once: the update is enough."""
    due = meeting.starts_at - timedelta(hours=meeting.group.programme.reminder_lead_hours)
    if due > timezone.now():
        return False
    return (
        Notification.objects.filter(
            kind=KIND_REMINDER, recipient=recipient.email.strip().lower(), subject=f"meetings.meeting:{meeting.pk}"
        )
        .filter(status__in=["sent", "sending"])
        .exists()
    )


def release_queue(meeting: Meeting, user: User) -> Notification:
    """A facilitator taken off a meeting: a CANCEL of its entry for them alone."""
    recipient = Recipient(email=user.email, user=user, language=user.language or "fi", name=user.full_name, role=LEAD)
    ics = ics_for(recipient, calendar.CANCEL, [meeting], language=recipient.language, for_member=False)
    return _queue(
        KIND_CANCELLED,
        recipient,
        meeting.group,
        about=meeting,
        version=f"released-{meeting.calendar_sequence}-{timezone.now():%Y%m%d%H%M%S%f}",
        context={
            "meeting_id": meeting.pk,
            "sequence": meeting.calendar_sequence,
            "released": True,
            "attachments": [_attachment(f"meeting-{meeting.number}.ics", ics, calendar.CANCEL)],
        },
    )


def member_left_queue(*, participant: Participant) -> int:
    """A member leaving their group: a CANCEL of each meeting still to come, for them alone."""
    membership = (
        GroupMembership.objects.select_related("group__programme__organisation").filter(participant=participant).first()
    )
    if membership is None or membership.group.schedule_set_at is None:
        return 0
    group = membership.group
    recipient = Recipient(
        email=participant.user.email,
        user=participant.user,
        language=participant.language,
        name=participant.full_name or participant.user.full_name,
        role=MEMBER,
        participant=participant,
    )
    coming = list(
        Meeting.objects.filter(group=group, status=MeetingStatus.PLANNED, starts_at__gt=timezone.now())
        .select_related("group__programme__organisation", "theme")
        .order_by("starts_at")
    )
    stamp = f"{timezone.now():%Y%m%d%H%M%S%f}"
    for meeting in coming:
        ics = ics_for(recipient, calendar.CANCEL, [meeting], language=recipient.language, for_member=True)
        _queue(
            KIND_CANCELLED,
            recipient,
            group,
            about=meeting,
            version=f"left-{meeting.calendar_sequence}-{stamp}",
            context={
                "meeting_id": meeting.pk,
                "sequence": meeting.calendar_sequence,
                "released": True,
                "attachments": [_attachment(f"meeting-{meeting.number}.ics", ics, calendar.CANCEL)],
            },
        )
    return len(coming)


def materials_queue(meeting: Meeting) -> int:
    """The materials to every member, present or absent (``meeting.materials_sent`` is the version)."""
    people = recipients(meeting.group, meeting, staff=False)
    for recipient in people:
        _queue(
            KIND_MATERIALS,
            recipient,
            meeting.group,
            about=meeting,
            version=f"materials-{meeting.materials_sent}",
            context={"meeting_id": meeting.pk, "round": meeting.materials_sent},
        )
    return len(people)


# --- checks just before sending ------------------------------------------------------


def _meeting(notification: Notification) -> Meeting | None:
    """The meeting a row is about, read once per row: the check before sending and the rendering share it."""
    pk = (notification.context or {}).get("meeting_id")
    if not isinstance(pk, int):
        return None
    cached = getattr(notification, "_meeting_read", None)
    if cached is not None and cached.pk == pk:
        return cached
    # Within one batch of the sender, the ten or so rows about one meeting read it once.
    memo = batch_memo()
    key = ("meetings.meeting", pk)
    if memo is not None and key in memo:
        meeting = memo[key]
    else:
        meeting = next(iter(Meeting.objects.select_related(*MEETING_RELATED).filter(pk=pk)[:1]), None)
        if memo is not None:
            memo[key] = meeting
    notification._meeting_read = meeting  # type: ignore[attr-defined]
    return meeting if isinstance(meeting, Meeting) else None


def _still_in(notification: Notification, group: Group, meeting: Meeting | None = None) -> str | None:
    """Why the recipient no longer belongs to the group, or None."""
    context = notification.context or {}
    if context.get("role") == MEMBER:
        participant = Participant.objects.filter(
            pk=int(context.get("participant_id") or 0), membership__group=group
        ).first()
        if participant is None:
            return "The person is no longer in the group."
        if participant.status in GONE:
            return f"The person has left the programme ({participant.status})."
        return None
    staff = {user.pk for _role, user in facilitators(meeting, group)}
    if context.get("user_id") not in staff:
        return "The person no longer facilitates this group."
    return None


def _same_meeting(notification: Notification) -> tuple[Meeting | None, str | None]:
    meeting = _meeting(notification)
    if meeting is None:
        return None, "The meeting no longer exists."
    if (notification.context or {}).get("sequence") != meeting.calendar_sequence:
        return meeting, "The meeting has changed since this message was queued; a newer message replaces it."
    return meeting, None


def invitation_still_valid(notification: Notification) -> bool | str:
    group = (
        Group.objects.select_related("programme__organisation", "lead_facilitator", "co_facilitator")
        .filter(pk=int((notification.context or {}).get("group_id") or 0))
        .first()
    )
    if group is None:
        return "The group no longer exists."
    if not Meeting.objects.filter(group=group, status=MeetingStatus.PLANNED).exists():
        return "The group has no meetings left to come."
    return _still_in(notification, group) or True


def update_still_valid(notification: Notification) -> bool | str:
    meeting, changed = _same_meeting(notification)
    if meeting is None or changed:
        return changed or "The meeting no longer exists."
    if meeting.status != MeetingStatus.PLANNED:
        return f"The meeting is {meeting.status}."
    if notification.kind == KIND_UPDATE and meeting.ends_at <= timezone.now():
        return "The meeting is over."
    return _still_in(notification, meeting.group, meeting) or True


def cancelled_still_valid(notification: Notification) -> bool | str:
    meeting, changed = _same_meeting(notification)
    if meeting is None or changed:
        return changed or "The meeting no longer exists."
    context = notification.context or {}
    if context.get("released"):
        # Sent to someone taken off the meeting (a facilitator replaced, a member who left): only while
        # they are still off it.
        if context.get("role") == MEMBER:
            back = Participant.objects.filter(
                pk=int(context.get("participant_id") or 0), membership__group=meeting.group
            ).exclude(status__in=GONE)
            return "The person is in the group again." if back.exists() else True
        current = {user.pk for _role, user in facilitators(meeting, meeting.group)}
        return "The person facilitates the meeting again." if context.get("user_id") in current else True
    if meeting.status != MeetingStatus.CANCELLED:
        return "The meeting is on again."
    return _still_in(notification, meeting.group, meeting) or True


def reminder_still_valid(notification: Notification) -> bool | str:
    verdict = update_still_valid(notification)
    if verdict is not True:
        return verdict
    meeting = _meeting(notification)
    if meeting is not None and meeting.starts_at <= timezone.now():
        return "The meeting has already started; a reminder now would only confuse."
    context = notification.context or {}
    if context.get("role") == MEMBER:
        from kollega.meetings.models import Attendance

        told = Attendance.objects.filter(
            meeting_id=int(context.get("meeting_id") or 0),
            participant_id=int(context.get("participant_id") or 0),
            state=AttendanceState.EXCUSED,
        ).exists()
        if told:
            return "The person told in advance that they cannot come."
    return True


def materials_still_valid(notification: Notification) -> bool | str:
    meeting = _meeting(notification)
    if meeting is None:
        return "The meeting no longer exists."
    if meeting.status != MeetingStatus.HELD:
        return "The meeting is not marked held."
    return _still_in(notification, meeting.group, meeting) or True


def nudge_still_valid(notification: Notification) -> bool | str:
    meeting, changed = _same_meeting(notification)
    if meeting is None or changed:
        return changed or "The meeting no longer exists."
    if meeting.status != MeetingStatus.PLANNED:
        return f"The meeting is already {meeting.status}."
    return _still_in(notification, meeting.group, meeting) or True


# --- what the templates see when the message is rendered ---------------------------------


def _meeting_item(meeting: Meeting) -> dict[str, Any]:
    return {
        "number": meeting.number,
        **when(meeting),
        "theme": theme_name(meeting),
        "moved": move_text(meeting),
        "cancelled": meeting.status == MeetingStatus.CANCELLED,
        "expert_title": meeting.expert_title,
        "expert_speaker": meeting.expert_speaker,
        "device": device_text(meeting),
        "agenda": agenda_lines(meeting),
        "link": video_link(meeting),
    }


def _common(notification: Notification, group: Group) -> dict[str, Any]:
    from kollega.meetings.tokens import setup_test_token

    context = notification.context or {}
    member = context.get("role") == MEMBER
    organisation = group.programme.organisation
    return {
        "group_name": group.name,
        "programme_title": _programme_title(group),
        "is_member": member,
        "role": context.get("role"),
        "facilitator_names": [u.full_name or u.email for _r, u in facilitators(None, group)],
        "page_url": absolute_url(reverse("meetings:mine") if member else reverse("meetings:group", args=[group.pk])),
        "test_url": absolute_url(
            reverse("meetings:setup_test", args=[setup_test_token(group, int(context.get("user_id") or 0))])
        ),
        "public_jitsi": organisation.uses_public_jitsi,
        "reminder_hours": group.programme.reminder_lead_hours,
    }


def invitation_context(notification: Notification) -> dict[str, Any]:
    from kollega.grouping.selectors import group_peer_list

    group = Group.objects.select_related("programme__organisation", "lead_facilitator", "co_facilitator").get(
        pk=(notification.context or {})["group_id"]
    )
    meetings = list(
        Meeting.objects.filter(group=group)
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("theme", "group__programme__organisation")
        .order_by("starts_at")
    )
    peers = [p for p in group_peer_list(group=group) if p.name or p.company or p.email]
    return {
        **_common(notification, group),
        "meetings": [_meeting_item(m) for m in meetings],
        "count": len(meetings),
        "link": group.video_link or (video_link(meetings[0]) if meetings else ""),
        "per_meeting_links": any(m.video_link for m in meetings),
        "peers": peers,
    }


def meeting_context(notification: Notification) -> dict[str, Any]:
    from kollega.meetings.tokens import absence_token

    meeting = _meeting(notification)
    if meeting is None:
        return {}
    context = notification.context or {}
    extra: dict[str, Any] = {}
    if context.get("role") == MEMBER and context.get("participant_id"):
        extra["absence_url"] = absolute_url(
            reverse("meetings:absence", args=[absence_token(meeting.pk, int(context["participant_id"]))])
        )
    else:
        extra["meeting_url"] = absolute_url(reverse("meetings:meeting", args=[meeting.pk]))
    return {**_common(notification, meeting.group), "meeting": _meeting_item(meeting), **extra}


def materials_context(notification: Notification) -> dict[str, Any]:
    from kollega.meetings.models import Attendance

    meeting = _meeting(notification)
    if meeting is None:
        return {}
    context = notification.context or {}
    attendance = (
        Attendance.objects.filter(meeting=meeting, participant_id=int(context.get("participant_id") or 0))
        .values_list("state", flat=True)
        .first()
    )
    materials = [
        {
            "title": m.title,
            "kind": m.kind,
            "url": m.url,
            "text": m.text,
            "download": absolute_url(reverse("meetings:material", args=[m.pk])) if m.file else "",
        }
        for m in meeting.materials.order_by("added_at", "id")
    ]
    return {
        **meeting_context(notification),
        "missed": attendance in {AttendanceState.ABSENT, AttendanceState.EXCUSED},
        "materials": materials,
        "notes": meeting.notes,
        # Listed once: a recording added as material is already in the list.
        "recording_url": "" if any(m["url"] == meeting.recording_url for m in materials) else meeting.recording_url,
    }


def register() -> None:
    for kind in (
        kinds.Kind(
            name=KIND_INVITATION,
            label=gettext_lazy("Meeting invitation"),
            still_valid=invitation_still_valid,
            fresh_context=invitation_context,
        ),
        kinds.Kind(
            name=KIND_UPDATE,
            label=gettext_lazy("Meeting changed or added"),
            still_valid=update_still_valid,
            fresh_context=meeting_context,
        ),
        kinds.Kind(
            name=KIND_CANCELLED,
            label=gettext_lazy("Meeting cancelled"),
            still_valid=cancelled_still_valid,
            fresh_context=meeting_context,
        ),
        kinds.Kind(
            name=KIND_REMINDER,
            label=gettext_lazy("Meeting reminder"),
            still_valid=reminder_still_valid,
            fresh_context=meeting_context,
        ),
        kinds.Kind(
            name=KIND_MATERIALS,
            label=gettext_lazy("Meeting materials"),
            still_valid=materials_still_valid,
            fresh_context=materials_context,
        ),
        kinds.Kind(
            name=KIND_NUDGE,
            label=gettext_lazy("Reminder to mark a meeting held"),
            still_valid=nudge_still_valid,
            fresh_context=meeting_context,
        ),
    ):
        kinds.register(kind)

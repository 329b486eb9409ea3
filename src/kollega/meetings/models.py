"""Meetings of a group: schedule, agenda, video link, attendance and materials.

A meeting is one calendar event for everyone invited: ``calendar_uid`` never
changes, and ``calendar_sequence`` grows with every change that recipients'
calendars must follow (a new time, a cancellation), so their calendar programs
update the entry they already have.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", pgettext_lazy("meeting status", "Cancelled")


class MoveReason(models.TextChoices):
    """Why a meeting is not on the date its group's interval gives."""

    NONE = "", _("Not moved")
    HOLIDAY = "holiday", _("Public holiday")
    CLOSED = "closed", _("Closed period")
    BY_HAND = "by_hand", _("Moved by the coordinator")


class Device(models.TextChoices):
    """What a meeting's agenda asks of a participant's device."""

    ANY = "any", _("Any device; a phone is enough")
    COMPUTER = "computer", _("A computer or a tablet (there is a writing task)")


class SegmentKind(models.TextChoices):
    """The building blocks of an agenda. ``writing`` needs a computer or a tablet."""

    WELCOME = "welcome", _("Welcome and the day's plan")
    INTRODUCTIONS = "introductions", _("Introductions round")
    GROUND_RULES = "ground_rules", _("Agreeing the group's ground rules")
    TALK = "talk", _("Expert talk")
    PAIRS = "pairs", _("Pair discussion")
    GROUP = "group", _("Whole-group discussion")
    WRITING = "writing", _("Writing task")
    BREAK = "break", _("Break")
    CLOSING = "closing", _("Closing round")
    OTHER = "other", _("Other")


class SessionTemplate(models.Model):
    """A reusable agenda: ordered segments with durations.

    ``segments`` is a list of ``{"kind": SegmentKind, "minutes": int, "note": str}``.
    ``for_first_meeting`` templates are used for meeting 1 (they include
    making the group's ground rules); the others for the rest.
    """

    organisation = models.ForeignKey("core.Organisation", on_delete=models.CASCADE, related_name="session_templates")
    name = models.CharField(_("name"), max_length=100)
    for_first_meeting = models.BooleanField(_("for a group's first meeting"), default=False)
    segments = models.JSONField(_("segments"), default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("session template")
        verbose_name_plural = _("session templates")
        ordering = ["-for_first_meeting", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="meetings_template_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


def _calendar_uid() -> str:
    return f"{uuid.uuid4()}@kollega"


#: What pages, emails and checks read along with a meeting: its group (programme, organisation, time slot,
#: facilitators), its own facilitators and its theme. ``Meeting.objects.select_related(*MEETING_RELATED)``.
MEETING_RELATED = (
    "group__programme__organisation",
    "group__time_slot",
    "group__lead_facilitator",
    "group__co_facilitator",
    "lead_facilitator",
    "co_facilitator",
    "theme",
)


class Meeting(models.Model):
    group = models.ForeignKey("grouping.Group", on_delete=models.CASCADE, related_name="meetings")
    number = models.PositiveSmallIntegerField(_("number"))
    theme = models.ForeignKey(
        "core.Theme", null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings", verbose_name=_("theme")
    )
    starts_at = models.DateTimeField(_("starts"))
    length_minutes = models.PositiveSmallIntegerField(_("length in minutes"), default=120)
    status = models.CharField(_("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    held_at = models.DateTimeField(_("marked held"), null=True, blank=True)
    # The schedule: where the interval put it, and why it is elsewhere.
    planned_date = models.DateField(_("date by the interval"), null=True, blank=True)
    move_reason = models.CharField(
        _("moved because"), max_length=10, choices=MoveReason.choices, blank=True, default=MoveReason.NONE
    )
    move_note = models.CharField(_("move note"), max_length=200, blank=True)
    # Calendar identity (RFC 5545): the same entry through every change.
    calendar_uid = models.CharField(max_length=100, unique=True, default=_calendar_uid, editable=False)
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)
    # The video link: a Jitsi room made by Kollega or a pasted link; empty = the group's link.
    video_link = models.URLField(_("video link"), max_length=500, blank=True)
    # Facilitators of this meeting when they differ from the group's.
    lead_facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings_led",
        verbose_name=_("lead facilitator"),
    )
    co_facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings_supported",
        verbose_name=_("co-facilitator"),
    )
    # The agenda, copied from a session template and editable: see SessionTemplate.segments.
    template = models.ForeignKey(
        SessionTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("template")
    )
    agenda = models.JSONField(_("agenda"), default=list, blank=True)
    expert_speaker = models.CharField(_("expert speaker"), max_length=200, blank=True)
    expert_title = models.CharField(_("expert talk title"), max_length=200, blank=True)
    recording_url = models.URLField(_("recording"), max_length=500, blank=True)
    notes = models.TextField(_("notes for the group"), blank=True)
    # How many times the materials email has gone to the group (each send is a new version).
    materials_sent = models.PositiveSmallIntegerField(default=0, editable=False)
    materials_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["group", "number"]
        constraints = [
            models.UniqueConstraint(fields=["group", "number"], name="meetings_meeting_number_unique"),
            models.CheckConstraint(condition=models.Q(status__in=MeetingStatus.values), name="meetings_status_valid"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="meetings_number_min"),
        ]
        indexes = [models.Index(fields=["starts_at"])]

    def __str__(self) -> str:
        return f"{self.group} #{self.number}"

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.length_minutes)

    @property
    def moved(self) -> bool:
        return bool(self.move_reason)


class AttendanceState(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Absent, told in advance")


class Attendance(models.Model):
    """Whether one member was at one meeting. "Told in advance" may come from the member's own link."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    participant = models.ForeignKey("core.Participant", on_delete=models.CASCADE, related_name="attendance")
    state = models.CharField(_("attendance"), max_length=10, choices=AttendanceState.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "participant"], name="meetings_attendance_once"),
            models.CheckConstraint(
                condition=models.Q(state__in=AttendanceState.values), name="meetings_attendance_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} at {self.meeting_id}: {self.state}"


class MaterialKind(models.TextChoices):
    FILE = "file", _("File")
    LINK = "link", _("Link")
    NOTE = "note", _("Note")
    RECORDING = "recording", _("Recording")


def material_upload_to(instance: Material, filename: str) -> str:
    # The stored name is random; the original name is kept in ``filename`` for downloads.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"materials/{instance.meeting_id}/{uuid.uuid4().hex}{suffix}"


class Material(models.Model):
    """Something the group gets after a meeting: a file, a link, a note or the recording."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(_("kind"), max_length=10, choices=MaterialKind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=material_upload_to, blank=True, max_length=300)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    url = models.URLField(_("link"), max_length=500, blank=True)
    text = models.TextField(_("note"), blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["added_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=MaterialKind.values), name="meetings_material_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

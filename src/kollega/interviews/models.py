"""Step 3: interview slots published by staff, the applicants' bookings, and the interview record."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kollega.core.models import Participant, Programme, TimeSlot


class InterviewSlot(models.Model):
    """A time a staff member is free for one intake interview of a programme. Stored in UTC."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="interview_slots")
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="interview_slots",
        verbose_name=_("interviewer"),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    # A pasted link (Zoom, Teams); with Jitsi the room is made when the slot is booked.
    video_link = models.URLField(_("video link"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("interview slot")
        verbose_name_plural = _("interview slots")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="interviews_slot_order"),
        ]
        indexes = [models.Index(fields=["programme", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.interviewer_id} {self.starts_at:%Y-%m-%d %H:%M}"


class InterviewBooking(models.Model):
    """An applicant holding a slot. A slot has at most one active booking, a person at most one."""

    slot = models.ForeignKey(InterviewSlot, on_delete=models.PROTECT, related_name="bookings")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="interview_bookings")
    booked_at = models.DateTimeField(default=timezone.now)
    # The video room or link given to both sides when the booking was made.
    video_link = models.URLField(_("video link"), max_length=500, blank=True)
    # The calendar entry's UID stays the same across changes; SEQUENCE grows with each.
    calendar_uid = models.CharField(max_length=120, unique=True)
    calendar_sequence = models.PositiveIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    no_show_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("interview booking")
        verbose_name_plural = _("interview bookings")
        ordering = ["booked_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot"], condition=models.Q(cancelled_at__isnull=True), name="interviews_booking_one_per_slot"
            ),
            models.UniqueConstraint(
                fields=["participant"],
                condition=models.Q(cancelled_at__isnull=True, no_show_at__isnull=True),
                name="interviews_booking_one_active_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} @ {self.slot_id}"

    @property
    def is_active(self) -> bool:
        return self.cancelled_at is None and self.no_show_at is None


class InterviewRecord(models.Model):
    """What the interviewer wrote down. Saving it moves the applicant to "interviewed"."""

    participant = models.OneToOneField(Participant, on_delete=models.CASCADE, related_name="interview_record")
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("interviewer")
    )
    booking = models.ForeignKey(InterviewBooking, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    platform_audio = models.BooleanField(_("audio works"), default=False)
    platform_video = models.BooleanField(_("video works"), default=False)
    platform_screen = models.BooleanField(_("screen sharing works"), default=False)
    committed = models.BooleanField(_("committed to all meetings"), default=False)
    agreed_time_slots = models.ManyToManyField(TimeSlot, blank=True, related_name="+", verbose_name=_("agreed times"))
    expectations = models.TextField(_("expectations"), blank=True)
    extra_theme_wishes = models.TextField(_("extra theme wishes"), blank=True)
    goal_business = models.TextField(_("goal for the business"), blank=True)
    goal_wellbeing = models.TextField(_("goal for own well-being"), blank=True)
    # Seen by the programme's staff only, never by the participant or the group.
    staff_notes = models.TextField(_("notes for staff"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("interview record")
        verbose_name_plural = _("interview records")

    def __str__(self) -> str:
        return f"interview of {self.participant_id}"

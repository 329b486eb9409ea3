"""Shared set-up of the interview record tests."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from kollega.accounts.models import User
from kollega.core import services as core_services
from kollega.core.models import Participant, Status
from kollega.interviews.models import InterviewBooking, InterviewSlot

_seq = itertools.count(1)


def book(participant: Participant, interviewer: User, starts_at: datetime | None = None) -> InterviewBooking:
    """A held booking, as the booking page leaves it (the slot made here; the person moved to "interview booked")."""
    starts_at = starts_at or timezone.now() + timedelta(days=3)
    slot = InterviewSlot.objects.create(
        programme=participant.programme,
        interviewer=interviewer,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=30),
    )
    booking = InterviewBooking.objects.create(
        slot=slot,
        participant=participant,
        video_link=f"https://meet.example.org/room-{next(_seq)}",
        calendar_uid=f"test-{next(_seq)}@example.org",
    )
    if participant.status != Status.INTERVIEW_BOOKED:
        core_services.participant_change_status(
            participant=participant, to_status=Status.INTERVIEW_BOOKED, actor=None, reason="booked"
        )
    return booking


def record_data(participant: Participant, **overrides: Any) -> dict[str, Any]:
    """A complete interview record for the service."""
    data: dict[str, Any] = {
        "platform_audio": True,
        "platform_video": True,
        "platform_screen": False,
        "committed": True,
        "agreed_time_slots": [participant.programme.time_slots.order_by("position").first()],
        "consents": {"share_name": True, "share_company": True, "share_email": False, "wellbeing_questionnaire": True},
        "expectations": "To meet others who work alone.",
        "extra_theme_wishes": "Pricing",
        "goal_business": "Raise my prices by spring.",
        "goal_wellbeing": "Take one day off every week.",
        "staff_notes": "Nervous about video; test again.",
    }
    data.update(overrides)
    return data

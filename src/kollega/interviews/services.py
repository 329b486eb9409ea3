"""Interview slots and bookings: every change, each in one transaction.

Staff publish slots (one at a time or as a weekly pattern); an applicant books
one through their personal link; both sides get an email with a calendar
invitation. Two applicants never hold the same slot: the slot's row is locked
while booking, and the database's unique constraint is the final guard.
Times are stored in UTC and shown in the organisation's time zone.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kollega.accounts.models import User
from kollega.core.models import LinkScope, Organisation, Participant, Programme, StaffMembership, Status, VideoLinks
from kollega.core.models.texts import localized
from kollega.core.services import audit_log, participant_change_status, participant_record_interview_no_show
from kollega.interviews import calendar
from kollega.interviews.models import InterviewBooking, InterviewSlot
from kollega.notifications.models import Notification
from kollega.notifications.services import message_id_domain, notification_queue, resend_version, resent_recently
from kollega.recruitment.services import absolute_url
from kollega.recruitment.tokens import manage_token

KIND_INVITATION = "interviews.invitation"
KIND_BOOKED = "interviews.booked"
KIND_STAFF = "interviews.staff_booking"
KIND_CANCELLED = "interviews.cancelled"
KIND_REMINDER = "interviews.reminder"
KIND_NO_SHOW = "interviews.no_show"

#: An applicant may move or cancel their booking until this long before it starts; after that, through staff.
APPLICANT_CUTOFF = timedelta(hours=24)
#: A slot can be booked until this long before it starts, so the interviewer learns of it in time.
BOOKING_NOTICE = timedelta(hours=2)
#: How far ahead the booking page shows free slots.
BOOKING_HORIZON = timedelta(weeks=8)
#: The reminder goes out once a booking starts within this time ("the day before").
REMINDER_AHEAD = timedelta(hours=24)
#: At most this many slots from one recurring pattern.
RECURRING_LIMIT = 500
#: A pattern covers at most this many days.
RECURRING_MAX_DAYS = 366
SLOT_MIN_MINUTES = 10
SLOT_MAX_MINUTES = 240
BUFFER_MAX_MINUTES = 240
#: Dates outside these years are refused: no interview is that far away, and the calendar arithmetic stays in range.
MIN_YEAR, MAX_YEAR = 2000, 2999
#: Used for a Jitsi room when the organisation has no server address of its own.
DEFAULT_JITSI = "https://meet.jit.si"

_url = URLValidator(schemes=["https", "http"])


class SlotTakenError(ValidationError):
    """The slot was booked by someone else a moment ago. ``free_slots`` lists what is still free."""

    def __init__(self, message: str, free_slots: list[InterviewSlot]) -> None:
        super().__init__(message, code="taken")
        self.free_slots = free_slots


# --- small helpers ------------------------------------------------------------------


def booking_path(participant: Participant) -> str:
    """The personal link to book, see, move or cancel an interview."""
    return reverse("interviews:book", args=[manage_token(participant)])


def local(value: datetime, organisation: Organisation) -> datetime:
    return timezone.localtime(value, organisation.tz)


def slot_label(slot: InterviewSlot, organisation: Organisation, language: str | None = None) -> str:
    """``Tuesday 3.3.2026 9:00–9:30`` in the organisation's time zone, in ``language``."""
    start, end = local(slot.starts_at, organisation), local(slot.ends_at, organisation)
    with translation.override(language or translation.get_language()):
        day = date_format(start, "l j.n.Y")
    return f"{day} {start:%H:%M}–{end:%H:%M}"


def _when(slot: InterviewSlot, organisation: Organisation, language: str) -> dict[str, str]:
    start, end = local(slot.starts_at, organisation), local(slot.ends_at, organisation)
    with translation.override(language):
        day = date_format(start, "l j.n.Y")
    return {"date": day, "start": f"{start:%H:%M}", "end": f"{end:%H:%M}", "time_zone": organisation.time_zone}


def _local_datetime(value: datetime, organisation: Organisation) -> str:
    moment = local(value, organisation)
    return f"{moment.day}.{moment.month}.{moment.year} {moment:%H:%M}"


def _is_staff(user: User, organisation: Organisation) -> bool:
    return StaffMembership.objects.filter(user=user, organisation=organisation).exists()


def _check_link(value: str, field: str = "video_link") -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) > 500:
        raise ValidationError({field: _("The video link is too long (at most 500 characters).")})
    try:
        _url(value)
    except ValidationError:
        raise ValidationError(
            {field: _("Paste the whole video link, starting with https://.")}, code="invalid_link"
        ) from None
    return value


def _year_range_message() -> str:
    return _("Give a date between the years %(first)s and %(last)s.") % {"first": MIN_YEAR, "last": MAX_YEAR}


def _aware(value: Any, field: str) -> datetime:
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise ValidationError({field: _("Give a date and a time.")})
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationError({field: _year_range_message()})
    return value


def _closed_on(organisation: Organisation, first: date, last: date) -> list[tuple[date, date]]:
    return list(
        organisation.closed_periods.filter(start_date__lte=last, end_date__gte=first).values_list(
            "start_date", "end_date"
        )
    )


def _is_closed(day: date, periods: list[tuple[date, date]]) -> bool:
    return any(start <= day <= end for start, end in periods)


def _overlapping(interviewer: User, starts_at: datetime, ends_at: datetime) -> InterviewSlot | None:
    return (
        InterviewSlot.objects.filter(
            interviewer=interviewer, cancelled_at__isnull=True, starts_at__lt=ends_at, ends_at__gt=starts_at
        )
        .order_by("starts_at")
        .first()
    )


def _lock_interviewer(interviewer: User) -> None:
    # Two staff adding slots for the same person at once would both pass the overlap check.
    User.objects.select_for_update().filter(pk=interviewer.pk).first()


def _check_interviewer(programme: Programme, interviewer: User) -> None:
    if not _is_staff(interviewer, programme.organisation):
        raise ValidationError(
            {"interviewer": _("The interviewer must be a staff member of the organisation.")}, code="not_staff"
        )


def _check_pasted_link(programme: Programme, video_link: str) -> None:
    if programme.organisation.video_links == VideoLinks.PASTED and not video_link:
        raise ValidationError(
            {
                "video_link": _(
                    "Paste the video link (Zoom, Teams or other) for this time: the organisation's settings say "
                    "that staff paste their own links."
                )
            },
            code="link_required",
        )


def _check_length(minutes: int) -> None:
    if not SLOT_MIN_MINUTES <= minutes <= SLOT_MAX_MINUTES:
        raise ValidationError(
            {
                "length_minutes": _("An interview lasts from %(min)s to %(max)s minutes.")
                % {"min": SLOT_MIN_MINUTES, "max": SLOT_MAX_MINUTES}
            }
        )


def _check_not_started(slot: InterviewSlot, now: datetime, *, what: str) -> None:
    """An interview that has begun (or been held) stays on the record: it is not cancelled or moved."""
    if slot.starts_at > now:
        return
    if what == "slot":
        message = _("This slot has already begun, so it can no longer be cancelled.")
    else:
        message = _(
            "This interview has already begun or been held, so it can no longer be cancelled or moved. "
            "If the applicant did not come, record it with “Did not come” on the slots page."
        )
    raise ValidationError(message, code="started")


# --- slots -------------------------------------------------------------------------


@transaction.atomic
def slot_create(
    *,
    programme: Programme,
    interviewer: User,
    starts_at: datetime,
    ends_at: datetime,
    video_link: str = "",
    actor: User | None,
    now: datetime | None = None,
) -> InterviewSlot:
    """One free time of ``interviewer`` for an interview in ``programme``."""
    now = now or timezone.now()
    starts_at, ends_at = _aware(starts_at, "starts_at"), _aware(ends_at, "ends_at")
    organisation = programme.organisation
    _check_interviewer(programme, interviewer)
    video_link = _check_link(video_link)
    _check_pasted_link(programme, video_link)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The end must be after the start.")})
    _check_length(int((ends_at - starts_at).total_seconds() // 60))
    if starts_at <= now:
        raise ValidationError({"starts_at": _("This time has already passed.")}, code="past")
    day = local(starts_at, organisation).date()
    if _is_closed(day, _closed_on(organisation, day, day)):
        raise ValidationError(
            {"starts_at": _("The organisation is closed on %(day)s.") % {"day": f"{day.day}.{day.month}.{day.year}"}},
            code="closed",
        )
    _lock_interviewer(interviewer)
    clash = _overlapping(interviewer, starts_at, ends_at)
    if clash is not None:
        raise ValidationError(
            {
                "starts_at": _("The interviewer already has a slot at %(time)s.")
                % {"time": slot_label(clash, organisation)}
            },
            code="overlap",
        )
    slot = InterviewSlot.objects.create(
        programme=programme, interviewer=interviewer, starts_at=starts_at, ends_at=ends_at, video_link=video_link
    )
    audit_log(
        action="interviews.slot.created",
        subject=slot,
        actor=actor,
        organisation=organisation,
        data={"starts_at": starts_at.isoformat(), "interviewer": interviewer.pk},
    )
    return slot


@dataclass(frozen=True)
class Pattern:
    """A weekly pattern of slots; times of day are in the organisation's time zone."""

    first_date: date
    last_date: date
    weekdays: frozenset[int]  # 0 = Monday
    day_start: time
    day_end: time
    length_minutes: int = 30
    buffer_minutes: int = 10


def _local_moment(day: date, minutes: int, tz: Any) -> datetime | None:
    """The wall-clock time ``minutes`` after midnight of ``day``; None when the clock skips it (spring forward)."""
    naive = datetime.combine(day, time()) + timedelta(minutes=minutes)
    moment = naive.replace(tzinfo=tz)
    if moment.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        return None
    return moment


def _pattern_years(pattern: Pattern) -> dict[str, str]:
    """An error per date of the pattern outside the years the calendar can work with."""
    return {
        name: _year_range_message()
        for name in ("first_date", "last_date")
        if not MIN_YEAR <= getattr(pattern, name).year <= MAX_YEAR
    }


def pattern_times(*, pattern: Pattern, organisation: Organisation) -> list[tuple[datetime, datetime]]:
    """The (start, end) pairs, in UTC, of a pattern, leaving out closed days and times the clock skips.

    Raises ``ValidationError`` for a pattern outside the years the calendar can work with.
    """
    out_of_range = _pattern_years(pattern)
    if out_of_range:
        raise ValidationError(out_of_range)
    tz = organisation.tz
    periods = _closed_on(organisation, pattern.first_date, pattern.last_date)
    start_min = pattern.day_start.hour * 60 + pattern.day_start.minute
    end_min = pattern.day_end.hour * 60 + pattern.day_end.minute
    step = pattern.length_minutes + pattern.buffer_minutes
    times: list[tuple[datetime, datetime]] = []
    day = pattern.first_date
    while day <= pattern.last_date:
        if day.weekday() in pattern.weekdays and not _is_closed(day, periods):
            minute = start_min
            while minute + pattern.length_minutes <= end_min:
                start = _local_moment(day, minute, tz)
                end = _local_moment(day, minute + pattern.length_minutes, tz)
                if start is not None and end is not None:
                    times.append((start.astimezone(UTC), end.astimezone(UTC)))
                minute += step
                if len(times) > RECURRING_LIMIT:
                    return times  # enough to say it is too many
        day += timedelta(days=1)
    return times


def _check_pattern(pattern: Pattern) -> None:
    errors: dict[str, str] = _pattern_years(pattern)
    dates_in_range = not errors
    if dates_in_range and pattern.last_date < pattern.first_date:
        errors["last_date"] = _("The last day must be on or after the first day.")
    elif dates_in_range and (pattern.last_date - pattern.first_date).days >= RECURRING_MAX_DAYS:
        errors["last_date"] = _("A pattern can cover at most a year.")
    if not pattern.weekdays or not pattern.weekdays <= set(range(7)):
        errors["weekdays"] = _("Choose at least one weekday.")
    if pattern.day_end <= pattern.day_start:
        errors["day_end"] = _("The last interview must end after the first one starts.")
    if not SLOT_MIN_MINUTES <= pattern.length_minutes <= SLOT_MAX_MINUTES:
        errors["length_minutes"] = _("An interview lasts from %(min)s to %(max)s minutes.") % {
            "min": SLOT_MIN_MINUTES,
            "max": SLOT_MAX_MINUTES,
        }
    if not 0 <= pattern.buffer_minutes <= BUFFER_MAX_MINUTES:
        errors["buffer_minutes"] = _("The break between interviews is from 0 to %(max)s minutes.") % {
            "max": BUFFER_MAX_MINUTES
        }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def slots_create_recurring(
    *,
    programme: Programme,
    interviewer: User,
    pattern: Pattern,
    video_link: str = "",
    actor: User | None,
    now: datetime | None = None,
) -> list[InterviewSlot]:
    """Every slot of a weekly pattern, or none: closed days and past times are left out, overlaps refused."""
    now = now or timezone.now()
    organisation = programme.organisation
    _check_interviewer(programme, interviewer)
    video_link = _check_link(video_link)
    _check_pasted_link(programme, video_link)
    _check_pattern(pattern)
    times = [(start, end) for start, end in pattern_times(pattern=pattern, organisation=organisation) if start > now]
    if len(times) > RECURRING_LIMIT:
        raise ValidationError(
            _(
                "This pattern makes more than %(limit)s slots, more than can be added at once. "
                "Choose fewer days or a shorter period."
            )
            % {"limit": RECURRING_LIMIT},
            code="too_many",
        )
    if not times:
        raise ValidationError(
            _(
                "The pattern gives no future times: check the days, the weekdays and the times of day. "
                "Closed periods and past times are left out."
            ),
            code="empty",
        )
    _lock_interviewer(interviewer)
    existing = list(
        InterviewSlot.objects.filter(
            interviewer=interviewer,
            cancelled_at__isnull=True,
            starts_at__lt=times[-1][1],
            ends_at__gt=times[0][0],
        ).order_by("starts_at")
    )
    for start, end in times:
        clash = next((s for s in existing if s.starts_at < end and s.ends_at > start), None)
        if clash is not None:
            raise ValidationError(
                _("The interviewer already has a slot at %(time)s. Nothing was added.")
                % {"time": slot_label(clash, organisation)},
                code="overlap",
            )
    slots = InterviewSlot.objects.bulk_create(
        [
            InterviewSlot(
                programme=programme,
                interviewer=interviewer,
                starts_at=start,
                ends_at=end,
                video_link=video_link,
                created_at=now,
            )
            for start, end in times
        ]
    )
    if any(slot.pk is None for slot in slots):  # backends that do not return ids from bulk inserts
        slots = list(
            InterviewSlot.objects.filter(programme=programme, interviewer=interviewer, created_at=now).order_by(
                "starts_at"
            )
        )
    audit_log(
        action="interviews.slots.created",
        subject=programme,
        actor=actor,
        organisation=organisation,
        data={
            "interviewer": interviewer.pk,
            "count": len(slots),
            "first": times[0][0].isoformat(),
            "last": times[-1][0].isoformat(),
        },
    )
    return slots


@transaction.atomic
def slot_cancel(
    *, slot: InterviewSlot, actor: User | None, reason: str = "", now: datetime | None = None
) -> InterviewSlot:
    """Take a slot away before it starts. A booked one is cancelled too: the applicant is told and may book again."""
    now = now or timezone.now()
    locked = InterviewSlot.objects.select_for_update().select_related("programme__organisation").get(pk=slot.pk)
    if locked.cancelled_at is not None:
        raise ValidationError(_("This slot has already been cancelled."), code="cancelled")
    booking = InterviewBooking.objects.filter(slot=locked, cancelled_at__isnull=True, no_show_at__isnull=True).first()
    _check_not_started(locked, now, what="booking" if booking is not None else "slot")
    if booking is not None:
        _cancel_booking(
            booking=booking,
            actor=actor,
            reason=reason.strip() or _("The interviewer's time was cancelled."),
            now=now,
            cause="slot_cancelled",
        )
    locked.cancelled_at = now
    locked.save(update_fields=["cancelled_at"])
    audit_log(
        action="interviews.slot.cancelled",
        subject=locked,
        actor=actor,
        organisation=locked.programme.organisation,
        data={"booking": booking.pk if booking else None, "reason": reason.strip()},
    )
    slot.cancelled_at = locked.cancelled_at
    return locked


# --- bookings ----------------------------------------------------------------------


def free_slots_query(*, programme: Programme, now: datetime | None = None) -> Any:
    """Slots an applicant may book now: not cancelled, not held, soon enough and not too soon."""
    now = now or timezone.now()
    held = InterviewBooking.objects.filter(slot=OuterRef("pk"), cancelled_at__isnull=True)
    return (
        InterviewSlot.objects.filter(
            programme=programme,
            cancelled_at__isnull=True,
            starts_at__gte=now + BOOKING_NOTICE,
            starts_at__lte=now + BOOKING_HORIZON,
        )
        .filter(~Exists(held))
        .select_related("interviewer")
        .order_by("starts_at", "id")
    )


def slot_taken_error(programme: Programme, now: datetime) -> SlotTakenError:
    free = list(free_slots_query(programme=programme, now=now)[:200])
    organisation = programme.organisation
    if free:
        shown = ", ".join(slot_label(s, organisation) for s in free[:5])
        message = ngettext(
            "Someone else booked that time a moment ago. This time is still free: %(times)s.",
            "Someone else booked that time a moment ago. These times are still free: %(times)s.",
            len(free[:5]),
        ) % {"times": shown}
        if len(free) > 5:
            message += " " + _("More free times are listed below.")
    else:
        message = _("Someone else booked that time a moment ago, and no free times are left. Please contact us.")
    return SlotTakenError(message, free)


def _lock_participant(participant: Participant) -> Participant:
    return (
        Participant.objects.select_for_update().select_related("programme__organisation", "user").get(pk=participant.pk)
    )


def _active_booking(participant: Participant) -> InterviewBooking | None:
    return (
        InterviewBooking.objects.select_related("slot__programme__organisation", "slot__interviewer")
        .filter(participant=participant, cancelled_at__isnull=True, no_show_at__isnull=True)
        .first()
    )


def _check_can_book(participant: Participant) -> None:
    if participant.status == Status.REGISTERED:
        return
    if participant.status == Status.WAITING_LIST:
        message = _("You are on the waiting list. You can book an interview when a place is yours.")
    elif participant.status == Status.INTERVIEW_BOOKED:
        message = _("You already have an interview booked.")
    else:
        message = _("An interview cannot be booked at this stage.")
    raise ValidationError(message, code="cannot_book")


def _bookable_slot(slot_pk: int, programme: Programme, now: datetime) -> InterviewSlot:
    slot = (
        InterviewSlot.objects.select_for_update()
        .select_related("programme__organisation", "interviewer")
        .filter(pk=slot_pk, programme=programme)
        .first()
    )
    if slot is None or slot.cancelled_at is not None or slot.starts_at < now + BOOKING_NOTICE:
        raise slot_taken_error(programme, now)
    if InterviewBooking.objects.filter(slot=slot, cancelled_at__isnull=True).exists():
        raise slot_taken_error(programme, now)
    return slot


def _video_link(slot: InterviewSlot, keep: str = "") -> str:
    """The slot's pasted link; otherwise a Jitsi room with an unguessable name (kept when moving a booking)."""
    if slot.video_link:
        return slot.video_link
    if keep:
        return keep
    base = (slot.programme.organisation.jitsi_url or DEFAULT_JITSI).rstrip("/")
    return f"{base}/kollega-{secrets.token_urlsafe(18)}"


def booking_create(
    *, slot: InterviewSlot, participant: Participant, actor: User | None = None, now: datetime | None = None
) -> InterviewBooking:
    """``participant`` takes ``slot``. Raises :class:`SlotTakenError` when someone was faster."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return _booking_create(slot_pk=slot.pk, participant=participant, actor=actor, now=now)
    except IntegrityError as exc:
        # The row lock makes this rare; the unique constraints are the last word.
        if _active_booking(participant) is not None:
            raise ValidationError(_("You already have an interview booked."), code="cannot_book") from exc
        raise slot_taken_error(participant.programme, now) from exc


def _booking_create(*, slot_pk: int, participant: Participant, actor: User | None, now: datetime) -> InterviewBooking:
    person = _lock_participant(participant)
    _check_can_book(person)
    slot = _bookable_slot(slot_pk, person.programme, now)
    booking = InterviewBooking.objects.create(
        slot=slot,
        participant=person,
        booked_at=now,
        video_link=_video_link(slot),
        calendar_uid=f"interview-{uuid.uuid4().hex}@{message_id_domain()}",
        calendar_sequence=0,
    )
    participant_change_status(
        participant=person, to_status=Status.INTERVIEW_BOOKED, actor=actor, event="interview_booked", at=now
    )
    audit_log(
        action="interviews.booking.created",
        subject=booking,
        actor=actor,
        organisation=slot.programme.organisation,
        data={"participant": person.pk, "slot": slot.pk, "starts_at": slot.starts_at.isoformat()},
    )
    _emails_booked(booking, event="booked", now=now)
    # The baseline questionnaire opens when the interview is booked, for those who agreed to answer it
    # (the others are left out, which never affects their place).
    from kollega.evaluation.services import baseline_round_for, round_invite  # evaluation builds on interviews

    round_invite(round=baseline_round_for(programme=slot.programme), participant=person)
    participant.status = person.status
    return booking


def _check_applicant_cutoff(booking: InterviewBooking, now: datetime) -> None:
    if booking.slot.starts_at - now < APPLICANT_CUTOFF:
        raise ValidationError(
            _(
                "Your interview is less than %(hours)s hours away, so it can no longer be changed here. "
                "Please contact the organiser."
            )
            % {"hours": int(APPLICANT_CUTOFF.total_seconds() // 3600)},
            code="cutoff",
        )


def _lock_booking(booking: InterviewBooking) -> InterviewBooking:
    locked = (
        InterviewBooking.objects.select_for_update()
        .select_related("slot__programme__organisation", "slot__interviewer", "participant__user")
        .get(pk=booking.pk)
    )
    if not locked.is_active:
        raise ValidationError(_("This booking is no longer active."), code="inactive")
    return locked


def booking_rebook(
    *,
    booking: InterviewBooking,
    slot: InterviewSlot,
    actor: User | None = None,
    by_applicant: bool = False,
    now: datetime | None = None,
) -> InterviewBooking:
    """Move a booking to another free slot: the same calendar entry, updated (SEQUENCE + 1)."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return _booking_rebook(booking=booking, slot_pk=slot.pk, actor=actor, by_applicant=by_applicant, now=now)
    except IntegrityError as exc:
        raise slot_taken_error(booking.slot.programme, now) from exc


def _booking_rebook(
    *, booking: InterviewBooking, slot_pk: int, actor: User | None, by_applicant: bool, now: datetime
) -> InterviewBooking:
    _lock_participant(booking.participant)
    locked = _lock_booking(booking)
    if by_applicant:
        _check_applicant_cutoff(locked, now)
    _check_not_started(locked.slot, now, what="booking")
    old_slot = locked.slot
    if slot_pk == old_slot.pk:
        raise ValidationError(_("This is already the time of your interview."), code="same_slot")
    new_slot = _bookable_slot(slot_pk, old_slot.programme, now)
    was_generated = not old_slot.video_link
    locked.slot = new_slot
    locked.video_link = _video_link(new_slot, keep=locked.video_link if was_generated else "")
    locked.calendar_sequence += 1
    locked.reminded_at = None
    locked.save(update_fields=["slot", "video_link", "calendar_sequence", "reminded_at"])
    audit_log(
        action="interviews.booking.moved",
        subject=locked,
        actor=actor,
        organisation=new_slot.programme.organisation,
        data={
            "from_slot": old_slot.pk,
            "to_slot": new_slot.pk,
            "starts_at": new_slot.starts_at.isoformat(),
            "by_applicant": by_applicant,
        },
    )
    if old_slot.interviewer_id != new_slot.interviewer_id:
        # The first interviewer's calendar loses the entry; the new one gets it.
        _email_staff(locked, slot=old_slot, event="cancelled", method=calendar.CANCEL, now=now)
    _emails_booked(locked, event="moved", now=now)
    booking.slot = locked.slot
    booking.video_link = locked.video_link
    booking.calendar_sequence = locked.calendar_sequence
    return locked


@transaction.atomic
def booking_cancel(
    *,
    booking: InterviewBooking,
    actor: User | None = None,
    by_applicant: bool = False,
    reason: str = "",
    now: datetime | None = None,
) -> InterviewBooking:
    """Cancel a booking: by the applicant until the cut-off, by staff until it starts. The applicant may book again."""
    now = now or timezone.now()
    _lock_participant(booking.participant)
    locked = _lock_booking(booking)
    if by_applicant:
        _check_applicant_cutoff(locked, now)
    _check_not_started(locked.slot, now, what="booking")
    default = _("Cancelled by the applicant.") if by_applicant else _("Cancelled by the organiser.")
    _cancel_booking(
        booking=locked,
        actor=actor,
        reason=reason.strip() or default,
        now=now,
        cause="by_applicant" if by_applicant else "by_staff",
    )
    booking.cancelled_at = locked.cancelled_at
    return locked


@transaction.atomic
def booking_release(*, participant: Participant, actor: User | None, reason: str = "") -> InterviewBooking | None:
    """Free the slot of someone who has left (registration cancelled, declined): both calendars get a CANCEL.

    Call it after the person's status has changed; it does not change the status.
    Returns the cancelled booking, or None when there was none.
    """
    booking = _active_booking(participant)
    if booking is None or booking.slot.starts_at <= timezone.now():
        return None  # an interview that has begun or been held stays on the record
    locked = _lock_booking(booking)
    _cancel_booking(
        booking=locked,
        actor=actor,
        reason=reason.strip() or _("The registration was cancelled."),
        now=timezone.now(),
        cause="registration_cancelled",
    )
    return locked


def _cancel_booking(*, booking: InterviewBooking, actor: User | None, reason: str, now: datetime, cause: str) -> None:
    booking.cancelled_at = now
    booking.cancel_reason = reason[:1000]
    booking.calendar_sequence += 1
    booking.save(update_fields=["cancelled_at", "cancel_reason", "calendar_sequence"])
    participant = booking.participant
    if participant.status == Status.INTERVIEW_BOOKED:
        participant_change_status(
            participant=participant,
            to_status=Status.REGISTERED,
            actor=actor,
            event="interview_cancelled",
            reason=reason,
            at=now,
        )
    audit_log(
        action="interviews.booking.cancelled",
        subject=booking,
        actor=actor,
        organisation=booking.slot.programme.organisation,
        data={"cause": cause, "reason": reason},
    )
    _email_applicant_cancelled(booking, cause=cause, now=now)
    _email_staff(booking, slot=booking.slot, event="cancelled", method=calendar.CANCEL, now=now)


@transaction.atomic
def booking_mark_no_show(
    *, participant: Participant, actor: User | None, reason: str = "", now: datetime | None = None
) -> Participant:
    """The applicant did not come: the booking is marked, they return to "registered" and are offered a new slot.

    A person whose status says "interview booked" without a booking (entered
    by hand) is handled the same way, without a booking to mark.
    """
    now = now or timezone.now()
    person = _lock_participant(participant)
    booking = _active_booking(person)
    if booking is not None:
        if booking.slot.starts_at > now:
            raise ValidationError(
                _("The interview has not started yet. A missed interview can be recorded once its time has come."),
                code="not_started",
            )
        booking.no_show_at = now
        booking.save(update_fields=["no_show_at"])
    participant_record_interview_no_show(participant=person, actor=actor, reason=reason)
    audit_log(
        action="interviews.booking.no_show",
        subject=booking if booking is not None else person,
        actor=actor,
        organisation=person.programme.organisation,
        data={"participant": person.pk, "reason": reason.strip()},
    )
    _email_participant(
        kind=KIND_NO_SHOW,
        participant=person,
        subject=booking if booking is not None else person,
        version=f"no-show-{now:%Y%m%d%H%M%S}",
        context={"missed": _when(booking.slot, person.programme.organisation, person.language) if booking else None},
    )
    participant.status = person.status
    participant.status_changed_at = person.status_changed_at
    return participant


# --- invitations and reminders ---------------------------------------------------------


def _without_booking(programme: Programme) -> Any:
    active = InterviewBooking.objects.filter(
        participant=OuterRef("pk"), cancelled_at__isnull=True, no_show_at__isnull=True
    )
    return Participant.objects.filter(programme=programme, status=Status.REGISTERED).filter(~Exists(active))


@transaction.atomic
def interview_invitations_send(
    *,
    programme: Programme,
    participants: list[Participant] | None = None,
    actor: User | None,
    now: datetime | None = None,
) -> int:
    """Email the personal booking link to each registered applicant without a booking.

    Asking again on the same day sends nothing twice. Returns how many new messages were queued.
    """
    now = now or timezone.now()
    candidates = _without_booking(programme).select_related("user", "programme__organisation")
    if participants is not None:
        candidates = candidates.filter(pk__in=[p.pk for p in participants])
    day = local(now, programme.organisation).date().isoformat()
    version = f"invite-{day}"
    people = list(candidates.order_by("pk"))
    already = set(
        Notification.objects.filter(
            kind=KIND_INVITATION, version=version, subject__in=[f"core.participant:{p.pk}" for p in people]
        ).values_list("subject", flat=True)
    )
    sent = 0
    for person in people:
        if f"core.participant:{person.pk}" in already:
            continue
        _email_participant(kind=KIND_INVITATION, participant=person, subject=person, version=version, context={})
        sent += 1
    audit_log(
        action="interviews.invitations.sent",
        subject=programme,
        actor=actor,
        organisation=programme.organisation,
        data={"sent": sent, "asked": len(people)},
    )
    return sent


def interview_link_resend(*, email: str, now: datetime | None = None) -> int:
    """Send the booking link again to the address, for each programme where it can book or has a booking.

    The caller always answers the same, whether or not the address is known. At most one message per
    programme within an hour (a rolling window).
    """
    now = now or timezone.now()
    email = (email or "").strip().lower()
    if not email:
        return 0
    people = Participant.objects.filter(
        user__email__iexact=email, status__in=[Status.REGISTERED, Status.INTERVIEW_BOOKED]
    ).select_related("user", "programme__organisation")
    count = 0
    with transaction.atomic():
        for person in people:
            if resent_recently(recipient=person.user.email, kind=KIND_INVITATION, subject=person, now=now):
                continue
            _email_participant(
                kind=KIND_INVITATION,
                participant=person,
                subject=person,
                version=resend_version(now),
                context={"resent": True},
            )
            count += 1
    return count


def reminders_send(*, now: datetime | None = None) -> int:
    """Remind each applicant whose interview starts within a day, once; the periodic job calls this."""
    now = now or timezone.now()
    due = (
        InterviewBooking.objects.filter(
            cancelled_at__isnull=True,
            no_show_at__isnull=True,
            reminded_at__isnull=True,
            slot__cancelled_at__isnull=True,
            slot__starts_at__gt=now,
            slot__starts_at__lte=now + REMINDER_AHEAD,
        )
        .select_related("slot__programme__organisation", "slot__interviewer", "participant__user")
        .order_by("slot__starts_at")
    )
    sent = 0
    for booking in due:
        with transaction.atomic():
            # The guard: only the first run (or worker) to set reminded_at sends the reminder.
            won = InterviewBooking.objects.filter(pk=booking.pk, reminded_at__isnull=True).update(reminded_at=now)
            if not won:
                continue
            participant = booking.participant
            _email_participant(
                kind=KIND_REMINDER,
                participant=participant,
                subject=booking,
                version=f"reminder-{booking.calendar_sequence}",
                context={
                    "booking_id": booking.pk,
                    "sequence": booking.calendar_sequence,
                    **_booking_context(booking, participant.language),
                },
            )
            sent += 1
    return sent


def reminder_still_valid(notification: Notification) -> bool | str:
    """A reminder goes only while its booking is active and at the same time."""
    booking = InterviewBooking.objects.filter(pk=notification.context.get("booking_id")).first()
    if booking is None or not booking.is_active:
        return "The booking was cancelled or missed."
    if booking.calendar_sequence != notification.context.get("sequence"):
        return "The booking was moved; a reminder for the new time follows."
    return True


def invitation_still_valid(notification: Notification) -> bool | str:
    """An invitation to book goes only to someone who can still book (or, when asked for again, has a booking)."""
    person = Participant.objects.filter(pk=notification.context.get("participant_id")).first()
    allowed = (
        {Status.REGISTERED, Status.INTERVIEW_BOOKED} if notification.context.get("resent") else {Status.REGISTERED}
    )
    if person is None or person.status not in allowed:
        return "The applicant can no longer book an interview."
    return True


# --- emails ----------------------------------------------------------------------------


def _programme_title(programme: Programme, language: str) -> str:
    return localized(programme.title, language)


def _email_participant(
    *, kind: str, participant: Participant, subject: Any, version: str, context: dict[str, Any]
) -> None:
    programme = participant.programme
    language = participant.language
    notification_queue(
        kind=kind,
        recipient=participant.user.email,
        recipient_user=participant.user,
        language=language,
        organisation=programme.organisation,
        subject=subject,
        version=version,
        context={
            "participant_id": participant.pk,
            "name": participant.full_name or participant.user.full_name,
            "programme_title": _programme_title(programme, language),
            "booking_url": absolute_url(booking_path(participant)),
            **context,
        },
    )


def _booking_context(booking: InterviewBooking, language: str) -> dict[str, Any]:
    slot = booking.slot
    organisation = slot.programme.organisation
    return {
        **_when(slot, organisation, language),
        "video_link": booking.video_link,
        "interviewer_name": slot.interviewer.full_name or slot.interviewer.email,
    }


def _organizer(booking: InterviewBooking) -> calendar.Person:
    organisation = booking.slot.programme.organisation
    if organisation.support_email:
        return calendar.Person(email=organisation.support_email, name=organisation.name)
    interviewer = booking.slot.interviewer
    return calendar.Person(email=interviewer.email, name=interviewer.full_name)


def _attendees(booking: InterviewBooking, slot: InterviewSlot) -> list[calendar.Person]:
    participant = booking.participant
    return [
        calendar.Person(email=participant.user.email, name=participant.display_name),
        calendar.Person(email=slot.interviewer.email, name=slot.interviewer.full_name),
    ]


def _ics(
    booking: InterviewBooking, *, slot: InterviewSlot, method: str, language: str, description: str, now: datetime
) -> str:
    with translation.override(language):
        summary = _("Intake interview: %(programme)s") % {"programme": _programme_title(slot.programme, language)}
    return calendar.booking_ics(
        booking=booking,
        slot=slot,
        method=method,
        summary=summary,
        description=description,
        organizer=_organizer(booking),
        attendees=_attendees(booking, slot),
        now=now,
    )


def booking_ics_for_applicant(*, booking: InterviewBooking, method: str = calendar.PUBLISH) -> str:
    """The applicant's calendar entry, for the "add to calendar" download."""
    participant = booking.participant
    return _ics(
        booking,
        slot=booking.slot,
        method=method,
        language=participant.language,
        description=_applicant_description(booking, participant.language),
        now=timezone.now(),
    )


def _applicant_description(booking: InterviewBooking, language: str) -> str:
    with translation.override(language):
        lines = []
        if booking.video_link:
            lines.append(_("Video link: %(link)s") % {"link": booking.video_link})
        lines.append(_("See, move or cancel: %(link)s") % {"link": absolute_url(booking_path(booking.participant))})
    return "\n".join(lines)


def _attachment(ics: str, method: str) -> list[dict[str, str]]:
    return [{"filename": "interview.ics", "content": ics, "mimetype": "text/calendar", "method": method}]


def _emails_booked(booking: InterviewBooking, *, event: str, now: datetime) -> None:
    participant = booking.participant
    language = participant.language
    ics = _ics(
        booking,
        slot=booking.slot,
        method=calendar.REQUEST,
        language=language,
        description=_applicant_description(booking, language),
        now=now,
    )
    _email_participant(
        kind=KIND_BOOKED,
        participant=participant,
        subject=booking,
        version=str(booking.calendar_sequence),
        context={
            "event": event,
            "cutoff": _local_datetime(booking.slot.starts_at - APPLICANT_CUTOFF, booking.slot.programme.organisation),
            **_booking_context(booking, language),
            "attachments": _attachment(ics, calendar.REQUEST),
        },
    )
    _email_staff(booking, slot=booking.slot, event=event, method=calendar.REQUEST, now=now)


def _email_applicant_cancelled(booking: InterviewBooking, *, cause: str, now: datetime) -> None:
    participant = booking.participant
    language = participant.language
    ics = _ics(booking, slot=booking.slot, method=calendar.CANCEL, language=language, description="", now=now)
    _email_participant(
        kind=KIND_CANCELLED,
        participant=participant,
        subject=booking,
        version=f"cancel-{booking.calendar_sequence}",
        context={
            "cause": cause,
            "reason": booking.cancel_reason if cause != "by_applicant" else "",
            **_booking_context(booking, language),
            "attachments": _attachment(ics, calendar.CANCEL),
        },
    )


def _email_staff(booking: InterviewBooking, *, slot: InterviewSlot, event: str, method: str, now: datetime) -> None:
    interviewer = slot.interviewer
    participant = booking.participant
    programme = slot.programme
    language = interviewer.language
    participant_url = absolute_url(reverse("core:participant_detail", args=[participant.pk]))
    with translation.override(language):
        lines = [_("Applicant: %(name)s") % {"name": participant.display_name}]
        if booking.video_link:
            lines.append(_("Video link: %(link)s") % {"link": booking.video_link})
        lines.append(participant_url)
    ics = _ics(booking, slot=slot, method=method, language=language, description="\n".join(lines), now=now)
    notification_queue(
        kind=KIND_STAFF,
        recipient=interviewer.email,
        recipient_user=interviewer,
        language=language,
        organisation=programme.organisation,
        subject=booking,
        version=f"{event}-{slot.pk}-{booking.calendar_sequence}",
        context={
            "event": event,
            "programme_title": _programme_title(programme, language),
            "applicant_name": participant.display_name,
            "applicant_email": participant.user.email,
            "applicant_phone": participant.phone,
            "company_name": participant.company_name,
            "participant_url": participant_url,
            "slots_url": absolute_url(reverse("interviews:slots", args=[programme.pk])),
            **_when(slot, programme.organisation, language),
            "video_link": booking.video_link,
            "attachments": _attachment(ics, method),
        },
    )


# --- organisation settings ------------------------------------------------------------------


@transaction.atomic
def organisation_video_links_set(
    *, organisation: Organisation, video_links: str, jitsi_url: str, actor: User | None, link_scope: str | None = None
) -> Organisation:
    """How interviews and meetings get their video links: Jitsi rooms or links staff paste, per group or meeting."""
    if video_links not in VideoLinks.values:
        raise ValidationError({"video_links": _("Choose how video links are made.")})
    link_scope = link_scope or organisation.link_scope
    if link_scope not in LinkScope.values:
        raise ValidationError({"link_scope": _("Choose one link per group or one per meeting.")})
    jitsi_url = _check_link(jitsi_url, field="jitsi_url").rstrip("/")
    if video_links == VideoLinks.JITSI and not jitsi_url:
        raise ValidationError(
            {"jitsi_url": _("Give the address of the Jitsi server, for example https://meet.jit.si.")}
        )
    organisation.video_links = video_links
    organisation.jitsi_url = jitsi_url
    organisation.link_scope = link_scope
    organisation.save(update_fields=["video_links", "jitsi_url", "link_scope"])
    audit_log(
        action="interviews.video_links.changed",
        subject=organisation,
        actor=actor,
        organisation=organisation,
        data={"video_links": video_links, "jitsi_url": jitsi_url, "link_scope": link_scope},
    )
    return organisation

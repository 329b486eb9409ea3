"""Schemas of issue 4's resources: interview slots, bookings, interview records, questionnaire rounds.

The usual conventions of ``schemas.py`` hold (request bodies refuse fields they
do not know, texts cannot hold NUL characters), with one difference: the times
of interview slots and bookings are given in UTC (``…Z``) together with the
organisation's time zone name, so a script never has to work out an offset
across the change to or from summer time. Rounds use the usual convention
(the organisation's offset).
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, AwareDatetime, ConfigDict
from pydantic_core import PydanticCustomError

from kollega.api.recruitment_schemas import StorableText
from kollega.api.schemas import Page, PageQuery, PersonRef, local, person
from kollega.core.models import Organisation, Status
from kollega.evaluation.models import QuestionnaireRound, RoundKind
from kollega.interviews.models import InterviewBooking, InterviewRecord, InterviewSlot

#: Weekday names of a recurring pattern, Monday first (the pattern's 0).
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

#: The largest id a request may name (the database's bigint).
ID_MAX = 9_223_372_036_854_775_807
#: How many ids one request may name.
IDS_MAX = 2000

SlotState = Literal["free", "booked", "cancelled"]
BookingState = Literal["active", "cancelled", "no_show"]
RoundState = Literal["scheduled", "open", "closed"]

Id = Annotated[int, Field(ge=1, le=ID_MAX)]

#: Dates outside these years are refused: no interview or round is that far away.
MIN_YEAR, MAX_YEAR = 2000, 2999


def _wall_clock(value: time) -> time:
    if value.tzinfo is not None:
        raise PydanticCustomError(
            "time_with_offset",
            _("Give the time of day without an offset, such as 09:00: it is read in the organisation's time zone."),
        )
    return value


def _year_range_message() -> str:
    return _("Give a date between the years %(first)s and %(last)s.") % {"first": MIN_YEAR, "last": MAX_YEAR}


def _sane_moment(value: datetime) -> datetime:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise PydanticCustomError("year_range", _year_range_message())
    return value


def _sane_date(value: date) -> date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise PydanticCustomError("year_range", _year_range_message())
    return value


#: A moment with its offset, in a range the calendars can work with.
Moment = Annotated[AwareDatetime, AfterValidator(_sane_moment)]
Day = Annotated[date, AfterValidator(_sane_date)]

#: A time of day, read in the organisation's time zone.
WallClock = Annotated[time, AfterValidator(_wall_clock)]


def utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


# --- slots ---------------------------------------------------------------------------


class BookingRef(Schema):
    id: int
    participant_id: int
    name: str
    email: str
    no_show: bool = Field(description="The applicant did not come; the slot stays held.")


class SlotOut(Schema):
    id: int
    programme_id: int
    interviewer: PersonRef
    starts_at: datetime = Field(description="In UTC.")
    ends_at: datetime = Field(description="In UTC.")
    time_zone: str = Field(description="The organisation's time zone, in which the slot is shown to people.")
    label: str = Field(description="The time as people read it, in the time zone and the request's language.")
    video_link: str = Field(description="A link pasted for this slot; with Jitsi each booking gets its own room.")
    state: SlotState
    booking: BookingRef | None = Field(description="The booking that holds the slot.")
    cancelled_at: datetime | None


class SlotPage(Page):
    items: list[SlotOut]


class SlotQuery(PageQuery):
    from_: Moment | None = Field(None, alias="from", description="Slots starting at or after this time.")
    to: Moment | None = Field(None, description="Slots starting before this time.")
    state: SlotState | None = Field(None, description="free, booked or cancelled; without it, all but cancelled.")


class SlotCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    starts_at: Moment
    ends_at: Moment | None = Field(None, description="The end; `length_minutes` after the start when left out.")
    length_minutes: int | None = Field(None, ge=1, le=24 * 60, description="Used when `ends_at` is left out (30).")
    interviewer: Id | None = Field(None, description="A staff member's user id; the token's holder when left out.")
    video_link: StorableText = Field("", max_length=500)


class RecurringIn(Schema):
    """A weekly pattern: times of day are wall-clock times in the organisation's time zone."""

    model_config = ConfigDict(extra="forbid")

    first_date: Day
    last_date: Day
    weekdays: list[Weekday] = Field(min_length=1, max_length=7, description="mon, tue, wed, thu, fri, sat, sun.")
    day_start: WallClock = Field(description="When the first interview of a day starts, HH:MM.")
    day_end: WallClock = Field(description="When the last interview of a day must end, HH:MM.")
    length_minutes: int = Field(30, ge=1, le=24 * 60)
    buffer_minutes: int = Field(10, ge=0, le=24 * 60, description="The break between two interviews.")
    interviewer: Id | None = Field(None, description="A staff member's user id; the token's holder when left out.")
    video_link: StorableText = Field("", max_length=500)


class SlotsCreatedOut(Schema):
    count: int
    items: list[SlotOut]


class SlotCancelIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: StorableText = Field("", max_length=1000, description="Told to an applicant who had booked the slot.")


def _booking_ref(booking: InterviewBooking) -> BookingRef:
    participant = booking.participant
    return BookingRef(
        id=booking.pk,
        participant_id=participant.pk,
        name=participant.display_name,
        email=participant.user.email,
        no_show=booking.no_show_at is not None,
    )


def slot_out(
    slot: InterviewSlot, *, holding: InterviewBooking | None, label: str, organisation: Organisation
) -> SlotOut:
    state: SlotState = "cancelled" if slot.cancelled_at else "booked" if holding is not None else "free"
    return SlotOut(
        id=slot.pk,
        programme_id=slot.programme_id,
        interviewer=person(slot.interviewer),  # type: ignore[arg-type]
        starts_at=utc(slot.starts_at),  # type: ignore[arg-type]
        ends_at=utc(slot.ends_at),  # type: ignore[arg-type]
        time_zone=organisation.time_zone,
        label=label,
        video_link=slot.video_link,
        state=state,
        booking=_booking_ref(holding) if holding is not None else None,
        cancelled_at=utc(slot.cancelled_at),
    )


# --- bookings -----------------------------------------------------------------------


class SlotRef(Schema):
    id: int
    starts_at: datetime = Field(description="In UTC.")
    ends_at: datetime = Field(description="In UTC.")
    interviewer: PersonRef


class ApplicantRef(Schema):
    id: int
    name: str
    email: str
    status: Status
    status_label: str


class BookingOut(Schema):
    id: int
    programme_id: int
    slot: SlotRef
    participant: ApplicantRef
    time_zone: str
    label: str = Field(description="The interview's time as people read it.")
    state: BookingState
    video_link: str
    booked_at: datetime
    cancelled_at: datetime | None
    cancel_reason: str
    no_show_at: datetime | None
    reminded_at: datetime | None = Field(description="When the reminder the day before went out.")


class BookingPage(Page):
    items: list[BookingOut]


class BookingQuery(PageQuery):
    from_: Moment | None = Field(None, alias="from", description="Interviews starting at or after this time.")
    to: Moment | None = Field(None, description="Interviews starting before this time.")
    state: BookingState | None = Field(None, description="active, cancelled or no_show; without it, all.")


class BookingCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    participant_id: Id
    slot_id: Id


class BookingMoveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    slot_id: Id


class BookingCancelIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: StorableText = Field("", max_length=1000, description="Told to the applicant in the email.")


class NoShowIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: StorableText = Field("", max_length=1000)


class BookingRefusedOut(Schema):
    """A refused booking. With the code `taken` (someone else holds the slot, or it is gone) it lists what is free."""

    detail: str = Field(description="What went wrong, in the language of the request.")
    code: str = Field(description="taken, cannot_book, inactive, same_slot …")
    errors: dict[str, list[str]] = Field(default_factory=dict)
    free_slots: list[SlotOut] = Field(
        default_factory=list, description="With `taken`: every slot that can be booked now, the earliest first."
    )


class InvitationsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    participant_ids: list[Id] | None = Field(
        None,
        max_length=IDS_MAX,
        description="Only these participants; without it, everyone registered who has no booking.",
    )


class InvitationsOut(Schema):
    sent: int = Field(description="New invitations queued.")
    already_invited_today: int = Field(description="Could book, but had an invitation today already.")
    not_eligible: list[int] = Field(
        description="Ids given of people who cannot book (not registered, or holding a booking)."
    )
    detail: str


def booking_state(booking: InterviewBooking) -> BookingState:
    if booking.cancelled_at is not None:
        return "cancelled"
    if booking.no_show_at is not None:
        return "no_show"
    return "active"


def booking_out(booking: InterviewBooking, *, label: str) -> BookingOut:
    slot = booking.slot
    participant = booking.participant
    status = Status(participant.status)
    return BookingOut(
        id=booking.pk,
        programme_id=slot.programme_id,
        slot=SlotRef(
            id=slot.pk,
            starts_at=utc(slot.starts_at),  # type: ignore[arg-type]
            ends_at=utc(slot.ends_at),  # type: ignore[arg-type]
            interviewer=person(slot.interviewer),  # type: ignore[arg-type]
        ),
        participant=ApplicantRef(
            id=participant.pk,
            name=participant.display_name,
            email=participant.user.email,
            status=status,
            status_label=str(status.label),
        ),
        time_zone=slot.programme.organisation.time_zone,
        label=label,
        state=booking_state(booking),
        video_link=booking.video_link,
        booked_at=utc(booking.booked_at),  # type: ignore[arg-type]
        cancelled_at=utc(booking.cancelled_at),
        cancel_reason=booking.cancel_reason,
        no_show_at=utc(booking.no_show_at),
        reminded_at=utc(booking.reminded_at),
    )


# --- the interview record -------------------------------------------------------------


class InterviewConsentsIn(Schema):
    """The decisions settled at the interview; one left out is not asked about."""

    model_config = ConfigDict(extra="forbid")

    share_name: bool | None = None
    share_company: bool | None = None
    share_email: bool | None = None
    wellbeing_questionnaire: bool | None = None

    def given(self) -> dict[str, bool]:
        return {k: v for k, v in self.model_dump(exclude_unset=True).items() if v is not None}


class InterviewConsentsOut(Schema):
    share_name: bool | None = Field(description="The current decision; null when never asked.")
    share_company: bool | None
    share_email: bool | None
    wellbeing_questionnaire: bool | None


class RecordIn(Schema):
    """What the interviewer writes down. On an update, what is left out stays as it was."""

    model_config = ConfigDict(extra="forbid")

    interviewer: Id | None = Field(
        None, description="A staff member's user id; kept, else the booked slot's interviewer, else you."
    )
    platform_audio: bool | None = None
    platform_video: bool | None = None
    platform_screen: bool | None = None
    committed: bool | None = Field(None, description="Committed to all of the programme's meetings.")
    agreed_time_slots: list[StorableText] | None = Field(
        None, max_length=50, description="Keys of the programme's time slots; at least one (required at first)."
    )
    consents: InterviewConsentsIn | None = None
    expectations: StorableText | None = None
    extra_theme_wishes: StorableText | None = None
    goal_business: StorableText | None = None
    goal_wellbeing: StorableText | None = None
    staff_notes: StorableText | None = Field(None, description="Seen by staff only.")

    def data(self) -> dict[str, Any]:
        """The fields the request names, as ``interview_record_save`` takes them."""
        result: dict[str, Any] = {}
        for name in self.model_fields_set - {"interviewer"}:
            value = getattr(self, name)
            if name == "consents":
                if value is not None:
                    result[name] = value.given()
            elif value is not None:
                result[name] = value
        return result


class RecordOut(Schema):
    interviewer: PersonRef
    booking_id: int | None
    platform_audio: bool
    platform_video: bool
    platform_screen: bool
    committed: bool
    agreed_time_slots: list[str] = Field(description="Keys of the time slots the person agreed to.")
    expectations: str
    extra_theme_wishes: str
    goal_business: str
    goal_wellbeing: str
    staff_notes: str
    created_at: datetime
    updated_at: datetime


class InterviewOut(Schema):
    participant_id: int
    status: Status
    status_label: str
    meeting_count: int = Field(description="The programme's meetings, which the person commits to.")
    meeting_length_minutes: int
    booking: BookingOut | None = Field(description="The booking the person holds now.")
    record: RecordOut | None = Field(description="Null until the record is first saved.")
    consents: InterviewConsentsOut
    can_record: bool
    can_accept: bool
    can_decline: bool


class AcceptIn(Schema):
    model_config = ConfigDict(extra="forbid")


class DeclineIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: StorableText = Field("", description="Required; seen by staff only, kept in the status history.")
    message: StorableText = Field("", description="A personal message for the kind email; optional.")


def record_out(record: InterviewRecord, tz: zoneinfo.ZoneInfo) -> RecordOut:
    return RecordOut(
        interviewer=person(record.interviewer),  # type: ignore[arg-type]
        booking_id=record.booking_id,
        platform_audio=record.platform_audio,
        platform_video=record.platform_video,
        platform_screen=record.platform_screen,
        committed=record.committed,
        agreed_time_slots=[slot.key for slot in record.agreed_time_slots.all()],
        expectations=record.expectations,
        extra_theme_wishes=record.extra_theme_wishes,
        goal_business=record.goal_business,
        goal_wellbeing=record.goal_wellbeing,
        staff_notes=record.staff_notes,
        created_at=local(record.created_at, tz),  # type: ignore[arg-type]
        updated_at=local(record.updated_at, tz),  # type: ignore[arg-type]
    )


# --- questionnaire rounds ---------------------------------------------------------------


class RoundOut(Schema):
    id: int
    programme_id: int
    kind: RoundKind
    kind_label: str
    form_id: int = Field(description="The questionnaire this round asks (a form of its own).")
    state: RoundState
    opens_at: datetime
    closes_at: datetime
    closed_at: datetime | None = Field(description="When it was closed, by hand or at its closing time.")
    invited: int
    answered: int
    reminded: int = Field(description="People reminded at least once.")
    reminders_sent: int = Field(description="Times a reminder went out (by hand or by the schedule).")
    last_reminded_at: datetime | None


class RoundOpenIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: RoundKind = Field(description="baseline, final or follow_up.")
    statuses: list[Status] | None = Field(
        None, max_length=20, description="Invite the programme's participants with these statuses ..."
    )
    participant_ids: list[Id] | None = Field(None, max_length=IDS_MAX, description="... or these participants.")
    closes_at: Moment
    opens_at: Moment | None = Field(None, description="Now when left out; invitations go when it opens.")


class RoundOpenedOut(RoundOut):
    asked: int = Field(description="Participants the request named.")
    not_invited: int = Field(
        description="Of those, people left out: they have not agreed to the questionnaire, or have left."
    )


class RemindIn(Schema):
    model_config = ConfigDict(extra="forbid")


class RemindedOut(Schema):
    reminded: int
    detail: str


class CloseIn(Schema):
    model_config = ConfigDict(extra="forbid")


class Who5Out(Schema):
    """No low-result flag: only the participant is told; staff learn of it when they ask to be contacted."""

    raw: int = Field(description="0–25.")
    percentage: int = Field(description="0–100 (raw × 4).")


class ScoresOut(Schema):
    who5: Who5Out | None
    peer_support: float | None = Field(description="Mean of the work and peer support items, 1–5.")


class RoundResponseOut(Schema):
    participant_id: int
    name: str
    email: str
    status: Status
    invited_at: datetime
    reminded_at: datetime | None
    answered_at: datetime | None = Field(description="The latest answer; null while not answered.")
    response_id: int | None
    values: dict[str, Any] = Field(description="The latest answers by question key.")
    scores: ScoresOut | None = Field(description="Null while not answered.")


class RoundResponsePage(Page):
    items: list[RoundResponseOut]


class RoundResponseQuery(PageQuery):
    answered: bool | None = Field(None, description="true: only those who answered; false: only those who did not.")


def round_state(round: QuestionnaireRound, now: datetime) -> RoundState:
    if round.is_closed(now):
        return "closed"
    return "open" if round.is_open(now) else "scheduled"


def round_out(round: QuestionnaireRound, *, now: datetime, tz: zoneinfo.ZoneInfo) -> RoundOut:
    return RoundOut(**round_fields(round, now=now, tz=tz))


def round_fields(round: QuestionnaireRound, *, now: datetime, tz: zoneinfo.ZoneInfo) -> dict[str, Any]:
    """A round as the API shows it; the counts come from ``round_list_for_programme``'s annotations."""
    kind = RoundKind(round.kind)
    return {
        "id": round.pk,
        "programme_id": round.programme_id,
        "kind": kind,
        "kind_label": str(kind.label),
        "form_id": round.form_id,
        "state": round_state(round, now),
        "opens_at": local(round.opens_at, tz),
        "closes_at": local(round.closes_at, tz),
        "closed_at": local(round.closed_at, tz),
        "invited": getattr(round, "invited_count", 0),
        "answered": getattr(round, "answered_count", 0),
        "reminded": getattr(round, "reminded_count", 0),
        "reminders_sent": round.reminders_sent,
        "last_reminded_at": local(round.last_reminded_at, tz),
    }

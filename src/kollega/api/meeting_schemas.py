"""Schemas of issue 6's resources: schedules, meetings, attendance, materials and the outbox.

The usual conventions of ``schemas.py`` hold: request bodies refuse fields they
do not know, texts cannot hold NUL characters, datetimes carry the offset of
the organisation's time zone, and a time sent without an offset is refused.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, get_args

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import ConfigDict, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from kollega.api.interview_schemas import Id, Moment, Weekday
from kollega.api.recruitment_schemas import StorableText
from kollega.api.schemas import SMALL_INT_MAX, Page, PageQuery, PersonRef, Texts

MeetingStatus = Literal["planned", "held", "cancelled"]
MoveReason = Literal["holiday", "closed", "by_hand"]
MoveRule = Literal["next_working_day", "next_week"]
SegmentKind = Literal[
    "welcome", "introductions", "ground_rules", "talk", "pairs", "group", "writing", "break", "closing", "other"
]
AttendanceState = Literal["present", "absent", "excused"]
MaterialKind = Literal["file", "link", "note", "recording"]
OutboxStatus = Literal["pending", "sending", "sent", "failed", "skipped"]

#: StorableText's check, placed after a length limit so that a long text gets the "at most N characters" message.
_STORABLE = get_args(StorableText)[1]
ShortText = Annotated[str, StringConstraints(max_length=200), _STORABLE]
Link = Annotated[str, StringConstraints(max_length=500), _STORABLE]
LongText = Annotated[str, StringConstraints(max_length=10000), _STORABLE]


# --- what a meeting is ------------------------------------------------------------------------


class ThemeRef(Schema):
    id: int
    key: str
    title: Texts


class MovedOut(Schema):
    """Why a meeting is not on the date its group's interval gives."""

    reason: MoveReason = Field(description="`holiday`, `closed` (a closed period) or `by_hand` (moved by a person).")
    reason_label: str
    planned_date: date | None = Field(description="The date the interval gave.")
    note: str = Field(description="The holiday's or the closed period's name, or the coordinator's note.")
    text: str = Field(description="The move in a sentence, as the emails say it.")


class CalendarOut(Schema):
    uid: str = Field(description="The calendar entry's UID; it never changes.")
    sequence: int = Field(description="Grows with every change calendars must follow (a new time, a cancellation).")


class OutboxCounts(Schema):
    delivered: int = Field(description="Handed to the mail server.")
    failed: int = Field(description="Given up on: the coordinator should look at these.")
    pending: int = Field(description="Waiting to be sent (also messages to be tried again after a failure).")
    skipped: int = Field(description="Not sent because their reason had gone (the meeting moved, the person left).")


class MeetingOut(Schema):
    id: int
    group_id: int
    number: int
    starts_at: datetime
    ends_at: datetime
    length_minutes: int
    theme: ThemeRef | None
    status: MeetingStatus
    status_label: str
    held_at: datetime | None
    moved: MovedOut | None = Field(description="Null when the meeting is on the date its interval gives.")
    video_link: str = Field(description="The link people get: the meeting's own, else the group's.")
    video_link_own: bool = Field(description="The meeting has a link of its own (not the group's).")
    lead_facilitator: PersonRef | None = Field(description="The meeting's own, else the group's.")
    co_facilitator: PersonRef | None
    facilitators_own: bool = Field(description="The meeting has facilitators of its own (not the group's).")
    calendar: CalendarOut
    outbox: OutboxCounts = Field(description="The messages about this meeting: updates, reminders, materials.")


class SegmentOut(Schema):
    kind: SegmentKind
    label: str = Field(description="The kind in words.")
    minutes: int
    note: str
    title: str = Field(description="What the agenda shows.")
    starts_after: int = Field(description="Minutes from the meeting's start.")


class MeetingDetailOut(MeetingOut):
    programme_id: int
    group_name: str
    template_id: int | None = Field(description="The session template the agenda was made from.")
    agenda: list[SegmentOut]
    agenda_warnings: list[str] = Field(description="No break in a long meeting; a total not the meeting's length.")
    device: Literal["any", "computer"] = Field(description="`computer` when the agenda has a writing task.")
    device_label: str
    expert_speaker: str
    expert_title: str
    recording_url: str
    notes: str
    materials_sent: int = Field(description="How many times the materials email has gone to the group.")
    materials_sent_at: datetime | None


class GroupScheduleOut(Schema):
    id: int
    programme_id: int
    name: str
    time_slot: str = Field(description="The key of the group's time slot.")
    weekday: Weekday
    start_date: date
    schedule_set_at: datetime | None = Field(description="When the schedule was made and the invitations queued.")
    video_link: str = Field(description="The group's own link (meetings may have their own).")
    lead_facilitator: PersonRef | None
    co_facilitator: PersonRef | None
    invitations: OutboxCounts = Field(description="The invitation emails of the group's schedule.")
    meetings: list[MeetingOut]


class ScheduleOut(Schema):
    programme_id: int
    time_zone: str = Field(description="The organisation's time zone, in which the times are given.")
    move_rule: MoveRule = Field(description="Where a meeting on a holiday or in a closed period goes by default.")
    groups: list[GroupScheduleOut]


class SessionTemplateOut(Schema):
    id: int
    name: str
    for_first_meeting: bool
    segments: list[SegmentOut]


# --- schedules ----------------------------------------------------------------------------


class RuleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    rule: MoveRule | None = Field(
        None,
        description="`next_working_day` or `next_week`: where a meeting on a holiday or in a closed period goes; "
        "the programme's rule when left out.",
    )


class PlannedOut(Schema):
    number: int
    planned_date: date = Field(description="The date the interval gives.")
    starts_at: datetime
    ends_at: datetime
    moved: MovedOut | None


class PreviewOut(Schema):
    group_id: int
    rule: MoveRule
    scheduled: bool = Field(description="The group already has its schedule; generating would be refused.")
    meetings: list[PlannedOut]


class InvitedOut(Schema):
    group_id: int
    invited: int = Field(description="People invited now (those not invited before).")


class VideoLinkIn(Schema):
    model_config = ConfigDict(extra="forbid")

    video_link: Link = Field(description="An https link; an empty text removes it.")


# --- single meetings --------------------------------------------------------------------------


class SegmentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: SegmentKind
    minutes: int = Field(ge=1, le=240)
    note: ShortText = ""


class MeetingPatchIn(Schema):
    """Only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    theme: Id | None = Field(None, description="A theme id of the programme; null for none.")
    template: Id | None = Field(None, description="A session template id: the agenda is made again from it.")
    agenda: list[SegmentIn] | None = Field(None, min_length=1, description="The agenda's segments in order.")
    expert_speaker: ShortText | None = Field(None, description='The expert talk\'s speaker; "" or null for none.')
    expert_title: ShortText | None = Field(None, description='The expert talk\'s title; "" or null for none.')
    recording_url: Link | None = Field(None, description='The recording\'s https link; "" or null for none.')
    video_link: Link | None = Field(None, description="The meeting's own https link; \"\" or null to use the group's.")


class MoveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    starts_at: Moment = Field(description="The new start, with its offset: 2026-03-02T17:00:00+02:00.")
    note: ShortText = Field("", description="Why, for the people invited.")


class CancelIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(max_length=1000), _STORABLE] = Field("", description="For the audit log.")


class MeetingAddIn(Schema):
    model_config = ConfigDict(extra="forbid")

    starts_at: Moment = Field(description="The start, with its offset.")
    theme: Id | None = Field(None, description="A theme id of the programme.")
    length_minutes: int | None = Field(
        None, ge=1, le=SMALL_INT_MAX, description="15–480; the programme's meeting length when left out."
    )


class FacilitatorsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    lead: Id | None = Field(description="The meeting's lead facilitator (a user id); null for the group's.")
    co: Id | None = Field(description="The meeting's co-facilitator (a user id); null for the group's.")


# --- attendance ---------------------------------------------------------------------------------


class AttendanceOut(Schema):
    participant_id: int
    name: str
    state: AttendanceState | None = Field(description="Null while nothing is recorded.")
    state_label: str
    note: str = Field(description="What the person wrote when telling in advance.")
    recorded_at: datetime | None
    recorded_by: PersonRef | None = Field(description="Null when the person told in advance themself.")


class AttendanceListOut(Schema):
    meeting_id: int
    attendance: list[AttendanceOut]


class AttendanceItemIn(Schema):
    model_config = ConfigDict(extra="forbid")

    participant_id: Id
    state: AttendanceState


class AttendanceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    attendance: list[AttendanceItemIn] = Field(
        min_length=1, max_length=100, description="The states to record; members left out keep theirs."
    )

    @field_validator("attendance")
    @classmethod
    def _once_each(cls, value: list[AttendanceItemIn]) -> list[AttendanceItemIn]:
        ids = [item.participant_id for item in value]
        if len(ids) != len(set(ids)):
            raise PydanticCustomError("duplicate", _("Give each person once."))
        return value


# --- materials ------------------------------------------------------------------------------------


class MaterialOut(Schema):
    id: int
    meeting_id: int
    kind: MaterialKind
    kind_label: str
    title: str
    filename: str
    content_type: str
    size: int = Field(description="Bytes, for a file.")
    url: str
    text: str
    download_url: str = Field(description="For a file: `GET /materials/{id}/file` with your token.")
    added_by: PersonRef | None
    added_at: datetime


class MaterialIn(Schema):
    """A link, a note or the recording. A file is sent as multipart/form-data instead."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["link", "note", "recording"]
    title: ShortText = ""
    url: Link = ""
    text: LongText = ""


class MaterialFileIn(Schema):
    """The text fields of a file upload (multipart/form-data, the file in the part ``file``)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["file"] = "file"
    title: ShortText = ""


class SentOut(Schema):
    meeting_id: int
    recipients: int = Field(description="Members the materials email was queued for.")
    round: int = Field(description="The how-manyth sending this was.")


# --- the outbox -------------------------------------------------------------------------------------


class OutboxQuery(PageQuery):
    status: OutboxStatus | None = Field(None, description="pending, sending, sent, failed or skipped.")
    kind: Annotated[str, StringConstraints(max_length=60)] = Field(
        "", description="A kind of message, such as meetings.reminder."
    )
    meeting: Id | None = Field(None, description="Only the messages about this meeting.")
    group: Id | None = Field(None, description="Only the messages about this group and its meetings.")


class OutboxRowOut(Schema):
    id: int
    organisation_id: int | None
    kind: str
    kind_label: str
    recipient: str
    status: OutboxStatus
    status_label: str
    retrying: bool = Field(description="Failed, but it will be tried again by itself.")
    sensitive: bool = Field(description="Sign-in codes and the like: the subject line is not shown.")
    subject_line: str = Field(description="The subject as sent; empty before sending and for sensitive messages.")
    about: str = Field(description="What the message is about, as `app.model:id`.")
    meeting_id: int | None
    group_id: int | None
    version: str
    due_at: datetime
    sent_at: datetime | None
    last_attempt_at: datetime | None
    attempts: int
    last_error: str
    address_refused: bool = Field(description="The mail server refuses the address for good.")


class OutboxPage(Page):
    items: list[OutboxRowOut]

"""What the API reads and writes, and how stored objects become JSON.

Texts that organisers type are objects with one key per language
(``{"fi": ..., "sv": ..., "en": ...}``); datetimes are ISO 8601 with the offset
of the organisation's time zone.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time
from typing import Annotated, Literal

from django.utils import timezone
from ninja import Field, Schema
from pydantic import AwareDatetime, BeforeValidator, ConfigDict

from kollega.accounts.models import User
from kollega.core import status as machine
from kollega.core.models import (
    Consent,
    ConsentItem,
    Organisation,
    Participant,
    ParticipantStatusChange,
    PositionRule,
    Programme,
    Status,
    Theme,
    TimeSlot,
)

LANGUAGES = ("fi", "sv", "en")

PARTICIPANT_ORDERS = Literal["registered", "-registered", "name", "-name", "status", "company"]

#: The range of the positive small integers the database stores.
SMALL_INT_MAX = 32767


# --- shared -----------------------------------------------------------------


class Texts(Schema):
    """A text per language; a language with no text is an empty string."""

    fi: str = ""
    sv: str = ""
    en: str = ""


class TextsIn(Schema):
    """A text per language. Leave a language out to keep it; send "" to remove it."""

    model_config = ConfigDict(extra="forbid")

    fi: str | None = None
    sv: str | None = None
    en: str | None = None

    def given(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump(exclude_unset=True).items() if v is not None}


class Error(Schema):
    """Every error answer has this shape."""

    detail: str = Field(description="What went wrong, in the language of the request.")
    code: str = Field(description="A stable name for the kind of error, for scripts.")
    errors: dict[str, list[str]] = Field(
        default_factory=dict, description="Messages per field; `__all__` for those about the whole request."
    )


#: The error answers every endpoint may give, for the OpenAPI document.
ERRORS: dict[int, type[Error]] = {401: Error, 403: Error, 404: Error, 422: Error}
#: ... and those of endpoints that move a participant, refused with 409.
REFUSED: dict[int, type[Error]] = {**ERRORS, 409: Error}


class Page(Schema):
    count: int = Field(description="How many match the filters, on all pages together.")
    limit: int
    offset: int


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=500, description="How many to return (1–500).")
    offset: int = Field(0, ge=0, description="How many to skip from the start.")


def texts(value: dict[str, str] | None) -> Texts:
    value = value or {}
    return Texts(**{lang: value.get(lang) or "" for lang in LANGUAGES})


def merge_texts(current: dict[str, str] | None, change: TextsIn) -> dict[str, str]:
    """``current`` with the languages in ``change`` replaced; an empty text removes its language."""
    merged = dict(current or {})
    for lang, value in change.given().items():
        merged[lang] = value.strip()
    return {k: v for k, v in merged.items() if v}


def local(value: datetime | None, tz: zoneinfo.ZoneInfo) -> datetime | None:
    return timezone.localtime(value, tz) if value is not None else None


class PersonRef(Schema):
    id: int
    name: str
    email: str


def person(user: User | None) -> PersonRef | None:
    if user is None:
        return None
    return PersonRef(id=user.pk, name=user.full_name, email=user.email)


# --- programmes -------------------------------------------------------------


class OrganisationRef(Schema):
    id: int
    slug: str
    name: str


class ProgrammeSettings(Schema):
    meeting_count: int
    meeting_interval_days: int
    meeting_length_minutes: int
    group_size_min: int
    group_size_max: int
    reminder_lead_hours: int
    languages: list[str]
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    capacity: int | None
    offer_hours: int = Field(description="Hours the first on the waiting list has to accept a freed place.")


class ProgrammeSettingsIn(Schema):
    """Any of a programme's settings; those left out keep their value."""

    model_config = ConfigDict(extra="forbid")

    meeting_count: int | None = Field(None, ge=0, le=SMALL_INT_MAX)
    meeting_interval_days: int | None = Field(None, ge=0, le=SMALL_INT_MAX)
    meeting_length_minutes: int | None = Field(None, ge=0, le=SMALL_INT_MAX)
    group_size_min: int | None = Field(None, ge=0, le=SMALL_INT_MAX)
    group_size_max: int | None = Field(None, ge=0, le=SMALL_INT_MAX)
    reminder_lead_hours: int | None = Field(None, ge=0, le=SMALL_INT_MAX)
    languages: list[str] | None = Field(None, description='Some of "fi", "sv" and "en".')
    registration_opens_at: AwareDatetime | None = None
    registration_closes_at: AwareDatetime | None = None
    capacity: int | None = Field(None, ge=0, le=2_147_483_647, description="Places; null for no limit.")
    offer_hours: int | None = Field(
        None, ge=1, le=SMALL_INT_MAX, description="Hours to accept a place offered from the waiting list."
    )

    def changes(self) -> dict[str, object]:
        """The settings the request names. ``null`` clears the nullable ones and is ignored for the rest."""
        nullable = {"registration_opens_at", "registration_closes_at", "capacity"}
        return {
            key: value
            for key, value in self.model_dump(exclude_unset=True).items()
            if value is not None or key in nullable
        }


class TimeSlotOut(Schema):
    id: int
    key: str
    name: Texts
    start: str = Field(description="Time of day, HH:MM, in the organisation's time zone.")
    end: str


class ThemeOut(Schema):
    id: int
    programme_id: int
    key: str
    title: Texts
    description: Texts
    position_rule: PositionRule
    order: int
    rankable: bool = Field(description="Registrants may rank it (themes that always come first are not ranked).")


class ProgrammeOut(Schema):
    id: int
    organisation: OrganisationRef
    slug: str
    title: Texts
    template_key: str
    settings: ProgrammeSettings
    created_at: datetime
    participant_count: int | None = Field(None, description="In lists: everyone registered, whatever their status.")


class ProgrammeDetailOut(ProgrammeOut):
    time_slots: list[TimeSlotOut]
    themes: list[ThemeOut]
    status_counts: dict[str, int] = Field(description="Participants per status.")


class ProgrammePage(Page):
    items: list[ProgrammeOut]


def _id_as_text(value: object) -> object:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class ProgrammeCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    organisation: Annotated[str, BeforeValidator(_id_as_text)] = Field(
        description="The organisation's id or short name (slug)."
    )
    title: TextsIn
    template_key: str = Field("peer_group_model", description="The programme template to start from.")
    slug: str = Field("", description="The programme's address name; made from the title when left out.")
    settings: ProgrammeSettingsIn | None = Field(None, description="Settings that differ from the template's.")


class ProgrammeUpdateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: TextsIn | None = None
    slug: str | None = None
    settings: ProgrammeSettingsIn | None = None


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def organisation_ref(organisation: Organisation) -> OrganisationRef:
    return OrganisationRef(id=organisation.pk, slug=organisation.slug, name=organisation.name)


def time_slot_out(slot: TimeSlot) -> TimeSlotOut:
    return TimeSlotOut(
        id=slot.pk, key=slot.key, name=texts(slot.name), start=_hhmm(slot.start_time), end=_hhmm(slot.end_time)
    )


def theme_out(theme: Theme) -> ThemeOut:
    return ThemeOut(
        id=theme.pk,
        programme_id=theme.programme_id,
        key=theme.key,
        title=texts(theme.title),
        description=texts(theme.description),
        position_rule=PositionRule(theme.position_rule),
        order=theme.order,
        rankable=theme.is_rankable,
    )


def _programme_fields(programme: Programme) -> dict[str, object]:
    tz = programme.organisation.tz
    return {
        "id": programme.pk,
        "organisation": organisation_ref(programme.organisation),
        "slug": programme.slug,
        "title": texts(programme.title),
        "template_key": programme.template_key,
        "settings": ProgrammeSettings(
            meeting_count=programme.meeting_count,
            meeting_interval_days=programme.meeting_interval_days,
            meeting_length_minutes=programme.meeting_length_minutes,
            group_size_min=programme.group_size_min,
            group_size_max=programme.group_size_max,
            reminder_lead_hours=programme.reminder_lead_hours,
            languages=list(programme.languages or []),
            registration_opens_at=local(programme.registration_opens_at, tz),
            registration_closes_at=local(programme.registration_closes_at, tz),
            capacity=programme.capacity,
            offer_hours=programme.offer_hours,
        ),
        "created_at": local(programme.created_at, tz),
    }


def programme_out(programme: Programme) -> ProgrammeOut:
    return ProgrammeOut(
        **_programme_fields(programme),  # type: ignore[arg-type]
        participant_count=getattr(programme, "participant_count", None),
    )


def programme_detail_out(programme: Programme, status_counts: dict[str, int]) -> ProgrammeDetailOut:
    return ProgrammeDetailOut(
        **_programme_fields(programme),  # type: ignore[arg-type]
        participant_count=sum(status_counts.values()),
        time_slots=[time_slot_out(s) for s in programme.time_slots.all()],
        themes=[theme_out(t) for t in programme.themes.all()],
        status_counts=status_counts,
    )


# --- themes -----------------------------------------------------------------


class ThemeCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: TextsIn
    description: TextsIn | None = None
    position_rule: PositionRule = PositionRule.FREE
    key: str = Field("", description="A short name for scripts; made from the title when left out.")


class ThemeUpdateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: TextsIn | None = None
    description: TextsIn | None = None
    position_rule: PositionRule | None = None
    order: int | None = Field(None, ge=0, le=SMALL_INT_MAX)


# --- participants -----------------------------------------------------------


class GroupRef(Schema):
    id: int
    name: str


class ParticipantOut(Schema):
    id: int
    programme_id: int
    name: str
    email: str
    company: str
    industry: str
    years_in_business: int | None
    region: str
    gender: str
    language: str
    status: Status
    status_label: str
    status_changed_at: datetime
    registered_at: datetime
    time_slots: list[str] = Field(description="Keys of the time slots that suit the person.")
    group: GroupRef | None


class StatusChangeOut(Schema):
    from_status: str = Field(description='Empty for the first row ("registered").')
    to_status: Status
    event: str = Field(description="What happened when it was not a plain move, such as interview_no_show.")
    reason: str
    actor: PersonRef | None
    at: datetime


class ParticipantDetailOut(ParticipantOut):
    allowed_statuses: list[Status] = Field(description="Where the status may move next under the rules.")
    history: list[StatusChangeOut]


class ParticipantPage(Page):
    items: list[ParticipantOut]


class ParticipantQuery(PageQuery):
    status: list[Status] = Field(default_factory=list, description="Only these statuses; repeat to give several.")
    q: str = Field("", max_length=200, description="Search in name, email and company.")
    time_slot: str = Field("", description="Only those for whom this time slot (its key) suits.")
    order: PARTICIPANT_ORDERS = "registered"


class StatusChangeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    to_status: Status
    reason: str = Field("", description="Required when the move is to declined, cancelled or withdrawn.")


class NoShowIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = ""


def participant_fields(participant: Participant) -> dict[str, object]:
    tz = participant.programme.organisation.tz
    membership = getattr(participant, "membership", None)
    return {
        "id": participant.pk,
        "programme_id": participant.programme_id,
        "name": participant.full_name or participant.user.full_name,
        "email": participant.user.email,
        "company": participant.company_name,
        "industry": participant.industry,
        "years_in_business": participant.years_in_business,
        "region": participant.region,
        "gender": participant.gender,
        "language": participant.language,
        "status": Status(participant.status),
        "status_label": str(Status(participant.status).label),
        "status_changed_at": local(participant.status_changed_at, tz),
        "registered_at": local(participant.registered_at, tz),
        "time_slots": [slot.key for slot in participant.time_slots.all()],
        "group": GroupRef(id=membership.group.pk, name=membership.group.name) if membership else None,
    }


def participant_out(participant: Participant) -> ParticipantOut:
    return ParticipantOut(**participant_fields(participant))  # type: ignore[arg-type]


def status_change_out(change: ParticipantStatusChange, tz: zoneinfo.ZoneInfo) -> StatusChangeOut:
    return StatusChangeOut(
        from_status=change.from_status,
        to_status=Status(change.to_status),
        event=change.event,
        reason=change.reason,
        actor=person(change.actor),
        at=local(change.at, tz),  # type: ignore[arg-type]
    )


def participant_detail_out(participant: Participant, history: list[ParticipantStatusChange]) -> ParticipantDetailOut:
    tz = participant.programme.organisation.tz
    return ParticipantDetailOut(
        **participant_fields(participant),  # type: ignore[arg-type]
        allowed_statuses=[Status(value) for value in sorted(machine.allowed_targets(participant.status))],
        history=[status_change_out(change, tz) for change in history],
    )


# --- consents ---------------------------------------------------------------


class ConsentOut(Schema):
    id: int
    item: ConsentItem
    item_label: str
    given: bool
    version: int = Field(description="The version of the consent text the person saw.")
    text: Texts
    source: str = Field(description="Where it was recorded: registration, interview, participant, api …")
    actor: PersonRef | None
    at: datetime


class ConsentsOut(Schema):
    current: list[ConsentOut] = Field(description="The latest decision per consent item.")
    history: list[ConsentOut] = Field(description="Every decision, newest first.")


class ConsentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    item: ConsentItem
    given: bool
    version: int | None = Field(None, ge=1, description="The text version shown; the current one when left out.")
    at: AwareDatetime | None = Field(None, description="When the decision was made; now when left out.")


def consent_out(consent: Consent, tz: zoneinfo.ZoneInfo) -> ConsentOut:
    return ConsentOut(
        id=consent.pk,
        item=ConsentItem(consent.item),
        item_label=str(ConsentItem(consent.item).label),
        given=consent.given,
        version=consent.text.version,
        text=texts(consent.text.text),
        source=consent.source,
        actor=person(consent.actor),
        at=local(consent.at, tz),  # type: ignore[arg-type]
    )

"""Schemas of issue 3's resources: forms, questions, answers, registrations, channels, the programme page.

The same conventions as ``schemas.py``: texts that organisers write are objects
with one key per language, datetimes carry the organisation's offset, and
request bodies refuse fields they do not know.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict
from pydantic_core import PydanticCustomError

from kollega.api.schemas import Page, PageQuery, Texts, TextsIn, local, merge_texts, texts
from kollega.core.models import ConsentItem, PositionRule, Status
from kollega.core.models.texts import localized
from kollega.outreach.models import PAGE_TEXT_FIELDS, Channel, ChannelKind, ProgrammePage
from kollega.recruitment.needs import NeedsSummary
from kollega.surveys.models import Form, OptionsSource, Purpose, Question, QuestionType, Response

# NUL and lone surrogates: no database stores them in text, so they are refused
# here rather than failing when saved.
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")

#: Bounds of the database columns behind question settings.
INT_MAX = 2_147_483_647
BIGINT_MAX = 9_223_372_036_854_775_807


def _storable(value: str) -> str:
    if _UNSTORABLE.search(value):
        raise PydanticCustomError("unstorable_text", _("The text contains characters that cannot be stored."))
    return value


StorableText = Annotated[str, AfterValidator(_storable)]

_SLUG = re.compile(r"^[A-Za-z0-9_-]*$")


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise PydanticCustomError("slug", _("Use only letters, digits, hyphens and underscores."))
    return value


#: A key such as a channel's link tag.
SlugText = Annotated[str, AfterValidator(_slug)]


class LanguageTextsIn(TextsIn):
    """A text per language. Leave a language out to keep it; send "" to remove it."""

    model_config = ConfigDict(extra="forbid")

    fi: StorableText | None = None
    sv: StorableText | None = None
    en: StorableText | None = None


class FullTextsIn(Schema):
    """A text per language, given whole: a language left out has no text."""

    model_config = ConfigDict(extra="forbid")

    fi: StorableText = ""
    sv: StorableText = ""
    en: StorableText = ""

    def value(self) -> dict[str, str]:
        return {lang: text.strip() for lang, text in self.model_dump().items() if text.strip()}


# --- forms and questions -------------------------------------------------------


class OptionOut(Schema):
    key: str
    label: Texts


class ScaleLabels(Schema):
    min: Texts
    max: Texts


class QuestionOut(Schema):
    id: int
    key: str
    type: QuestionType
    type_label: str
    required: bool
    position: int
    text: Texts
    help: Texts
    options: list[OptionOut] = Field(
        description="For choice and ranking questions. Options that come from the programme are filled in."
    )
    options_source: str = Field(
        description='Where the options come from: "" (the question\'s own), time_slots, themes, industries, channels.'
    )
    allow_partial: bool = Field(description="A ranking may order only some of the options.")
    scale_min: int | None
    scale_max: int | None
    scale_labels: ScaleLabels
    number_min: int | None
    number_max: int | None
    max_length: int | None
    show_if: dict[str, Any] | None = Field(
        description='Shown only when an earlier answer matches: {"question": key, "equals": value} '
        'or {"question": key, "contains": option key}.'
    )
    consent_item: str = Field(description="For a consent question: the consent it records.")
    added_in_version: int


class FormOut(Schema):
    id: int
    programme_id: int | None
    purpose: Purpose
    title: Texts
    version: int = Field(description="Grows by one when an answered form gains a question.")
    active: bool = Field(description="For a registration form: the one the programme's registration asks now.")
    created_at: datetime
    question_count: int
    response_count: int = Field(description="Current answers (not those replaced by a later answer).")


class FormDetailOut(FormOut):
    answered: bool = Field(description="Has answers: its questions can no longer be changed, only added or copied.")
    questions: list[QuestionOut]


class OptionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(max_length=50, description="Lower-case letters, digits, hyphens and underscores.")
    label: FullTextsIn


class ScaleLabelsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    min: FullTextsIn | None = None
    max: FullTextsIn | None = None


class ShowIfIn(Schema):
    """Show the question only when an earlier answer equals a value, or (multiple choice) contains an option."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(max_length=50)
    equals: StorableText | int | bool | None = None
    contains: StorableText | None = Field(None, max_length=50)

    def value(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class _QuestionFieldsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    required: bool | None = None
    help: LanguageTextsIn | None = None
    options: list[OptionIn] | None = Field(None, max_length=200)
    options_source: OptionsSource | None = None
    allow_partial: bool | None = None
    scale_min: int | None = Field(None, ge=-INT_MAX, le=INT_MAX)
    scale_max: int | None = Field(None, ge=-INT_MAX, le=INT_MAX)
    scale_labels: ScaleLabelsIn | None = None
    number_min: int | None = Field(None, ge=-BIGINT_MAX, le=BIGINT_MAX)
    number_max: int | None = Field(None, ge=-BIGINT_MAX, le=BIGINT_MAX)
    max_length: int | None = Field(None, ge=1, le=INT_MAX)
    show_if: ShowIfIn | None = None
    consent_item: ConsentItem | None = None


class QuestionCreateIn(_QuestionFieldsIn):
    key: str = Field(max_length=50, description="Unique in the form: lower-case letters, digits, - and _.")
    type: QuestionType
    text: LanguageTextsIn


class QuestionUpdateIn(_QuestionFieldsIn):
    """Only what the body names changes; `null` clears a number, the scale ends' labels or the condition."""

    key: str | None = Field(None, max_length=50)
    type: QuestionType | None = None
    text: LanguageTextsIn | None = None


class QuestionOrderIn(Schema):
    model_config = ConfigDict(extra="forbid")

    keys: list[str] = Field(max_length=500, description="Every question key of the form once, in the new order.")


class FormCopyIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: LanguageTextsIn | None = Field(None, description="The copy's title; the original's when left out.")


def option_out(option: Any) -> OptionOut:
    option = option if isinstance(option, dict) else {}
    label = option.get("label")
    return OptionOut(key=str(option.get("key", "")), label=texts(label if isinstance(label, dict) else {}))


def question_out(question: Question) -> QuestionOut:
    labels = question.scale_labels if isinstance(question.scale_labels, dict) else {}
    return QuestionOut(
        id=question.pk,
        key=question.key,
        type=QuestionType(question.type),
        type_label=str(QuestionType(question.type).label),
        required=question.required,
        position=question.position,
        text=texts(question.text),
        help=texts(question.help),
        options=[option_out(o) for o in question.options or []],
        options_source=question.options_source,
        allow_partial=question.allow_partial,
        scale_min=question.scale_min,
        scale_max=question.scale_max,
        scale_labels=ScaleLabels(min=texts(labels.get("min")), max=texts(labels.get("max"))),
        number_min=question.number_min,
        number_max=question.number_max,
        max_length=question.max_length,
        show_if=question.show_if or None,
        consent_item=question.consent_item,
        added_in_version=question.added_in_version,
    )


def _form_fields(form: Form, tz: zoneinfo.ZoneInfo) -> dict[str, Any]:
    return {
        "id": form.pk,
        "programme_id": form.programme_id,
        "purpose": Purpose(form.purpose),
        "title": texts(form.title),
        "version": form.version,
        "active": form.active,
        "created_at": local(form.created_at, tz),
        "question_count": getattr(form, "question_count", 0),
        "response_count": getattr(form, "response_count", 0),
    }


def form_out(form: Form, tz: zoneinfo.ZoneInfo) -> FormOut:
    return FormOut(**_form_fields(form, tz))


def form_detail_out(
    form: Form, questions: list[Question], *, response_count: int, answered: bool, tz: zoneinfo.ZoneInfo
) -> FormDetailOut:
    fields = _form_fields(form, tz)
    fields.update(question_count=len(questions), response_count=response_count)
    return FormDetailOut(**fields, answered=answered, questions=[question_out(q) for q in questions])


def question_changes(payload: _QuestionFieldsIn, question: Question | None = None) -> dict[str, Any]:
    """The question fields a request names, as the surveys services take them.

    Per-language texts are merged into ``question``'s (when changing one); options,
    scale labels and conditions are replaced whole.
    """
    changes: dict[str, Any] = {}
    for name in payload.model_fields_set:
        value = getattr(payload, name)
        if name in {"text", "help"}:
            current = getattr(question, name) if question is not None else {}
            changes[name] = merge_texts(current, value) if value is not None else {}
        elif name == "options":
            changes[name] = [{"key": o.key, "label": o.label.value()} for o in value or []]
        elif name == "scale_labels":
            changes[name] = (
                {end: part.value() for end in ("min", "max") if (part := getattr(value, end)) is not None}
                if value is not None
                else {}
            )
        elif name == "show_if":
            changes[name] = value.value() if value is not None else None
        elif name in {"options_source", "consent_item"}:
            changes[name] = value.value if value is not None else ""
        elif name in {"type"}:
            if value is not None:
                changes[name] = value.value
        elif name in {"required", "allow_partial", "key"}:
            if value is not None:
                changes[name] = value
        else:
            changes[name] = value
    return changes


# --- answers ---------------------------------------------------------------------


class ResponseOut(Schema):
    id: int
    form_id: int
    participant_id: int | None
    form_version: int = Field(description="The version of the form that was answered.")
    language: str
    submitted_at: datetime
    replaced_at: datetime | None = Field(description="When a later answer replaced this one; null for the current.")
    values: dict[str, Any] = Field(description="The answers by question key, as stored.")


class ResponsePage(Page):
    items: list[ResponseOut]


class ResponseQuery(PageQuery):
    include_replaced: bool = Field(False, description="Also the answers a later answer replaced.")


class RegistrationAnswersOut(Schema):
    participant_id: int
    response: ResponseOut | None = Field(description="The current answers to the registration form; null for none.")


def response_out(response: Response, tz: zoneinfo.ZoneInfo) -> ResponseOut:
    return ResponseOut(
        id=response.pk,
        form_id=response.form_id,
        participant_id=response.participant_id,
        form_version=response.form_version,
        language=response.language,
        submitted_at=local(response.submitted_at, tz),  # type: ignore[arg-type]
        replaced_at=local(response.replaced_at, tz),
        values={answer.question.key: answer.value for answer in response.answers.all()},
    )


# --- registrations ---------------------------------------------------------------


Outcome = Literal["registered", "waiting_list", "confirm_email"]


class RegistrationOut(Schema):
    participant_id: int
    name: str
    email: str
    status: Status
    status_label: str
    channel: str | None = Field(description="The key of the channel that brought the registration.")
    heard_from: str = Field(description='The answer to "where did you hear of us": a channel key or "other".')
    source: str | None = Field(description="form, api, import or staff; null for a person added without one.")
    registered_at: datetime


class RegistrationPage(Page):
    items: list[RegistrationOut]


class RegistrationQuery(PageQuery):
    status: list[Status] = Field(default_factory=list, description="Only these statuses; repeat to give several.")
    channel: SlugText = Field("", max_length=40, description="Only those a channel (its key) brought.")


class RegistrationOutcomeOut(Schema):
    outcome: Outcome = Field(
        description="registered; waiting_list (see waiting_position); confirm_email: the address is already "
        "registered, nothing changed and a confirmation link went to the address."
    )
    participant_id: int
    waiting_position: int | None
    detail: str = Field(description="What happened, in the language of the request.")


class CancelIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: StorableText = Field("", max_length=1000)


class OfferOut(Schema):
    offered_at: datetime
    expires_at: datetime = Field(description="The place passes to the next unless accepted by then.")


class WaitingListEntryOut(Schema):
    position: int = Field(description="1 for the next in line.")
    participant_id: int
    name: str
    email: str
    registered_at: datetime
    offer: OfferOut | None = Field(description="A place offered and not yet answered.")


class WaitingListOut(Schema):
    count: int
    items: list[WaitingListEntryOut]


# --- needs summary --------------------------------------------------------------


class CountOut(Schema):
    key: str
    label: str
    count: int


class ThemeDemandOut(Schema):
    key: str
    label: str
    borda: int = Field(description="Borda points: n for a first place among n rankable themes, n - 1 for a second …")
    first_choices: int
    top_three: int
    rankings: int = Field(description="Registrants who placed the theme in their ranking at all.")


class MethodOut(Schema):
    name: Literal["borda"]
    description: str


class NeedsOut(Schema):
    programme_id: int
    method: MethodOut
    respondents: int = Field(description="Registrations counted: everyone who has not cancelled.")
    rankings: int = Field(description="Registrations with a theme ranking.")
    themes: list[ThemeDemandOut] = Field(description="Most wanted first.")
    time_slots: list[CountOut]
    industries: list[CountOut]
    years_in_business: list[CountOut]
    regions: list[CountOut]
    channels: list[CountOut]


def needs_out(programme_id: int, summary: NeedsSummary) -> NeedsOut:
    def counts(rows: list[Any]) -> list[CountOut]:
        return [CountOut(key=row.key, label=row.label, count=row.count) for row in rows]

    return NeedsOut(
        programme_id=programme_id,
        method=MethodOut(
            name="borda",
            description=_(
                "Borda count: in a ranking of n themes the first place earns n points, the second n − 1 "
                "and so on; a theme left out earns nothing. First choices and top-three places are counted beside."
            ),
        ),
        respondents=summary.respondents,
        rankings=summary.rankings,
        themes=[
            ThemeDemandOut(
                key=t.key,
                label=t.label,
                borda=t.borda,
                first_choices=t.first_choices,
                top_three=t.top_three,
                rankings=t.rankings,
            )
            for t in summary.themes
        ],
        time_slots=counts(summary.time_slots),
        industries=counts(summary.industries),
        years_in_business=counts(summary.years_in_business),
        regions=counts(summary.regions),
        channels=counts(summary.channels),
    )


# --- channels and the programme page ----------------------------------------------


class ChannelOut(Schema):
    id: int
    programme_id: int
    key: str = Field(description="The share link's tag (?c=key).")
    kind: ChannelKind
    kind_label: str
    name: Texts
    active: bool = Field(description="Out of use: its link still works, it is no longer offered as an answer.")
    position: int
    share_url: str
    registration_count: int


class ChannelCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: LanguageTextsIn
    kind: ChannelKind = ChannelKind.OTHER
    key: str = Field("", max_length=40, description="The share link's tag; made from the name when left out.")


class ChannelUpdateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: LanguageTextsIn | None = None
    kind: ChannelKind | None = None
    active: bool | None = None
    position: int | None = Field(None, ge=0, le=32767)


def channel_out(channel: Channel, share_url: str) -> ChannelOut:
    return ChannelOut(
        id=channel.pk,
        programme_id=channel.programme_id,
        key=channel.key,
        kind=ChannelKind(channel.kind),
        kind_label=str(ChannelKind(channel.kind).label),
        name=texts(channel.name),
        active=channel.active,
        position=channel.position,
        share_url=share_url,
        registration_count=getattr(channel, "registration_count", None) or 0,
    )


class PageTextsOut(Schema):
    summary: Texts
    for_whom: Texts
    what_happens: Texts
    dates: Texts
    commitment: Texts
    facilitators: Texts
    cost: Texts
    privacy_notice: Texts


class PageOut(Schema):
    programme_id: int
    published: bool
    published_at: datetime | None
    public_url: str = Field(description="The page's public address (404 for visitors until published).")
    texts: PageTextsOut


class PageTextsIn(Schema):
    """The texts to set. Each text given replaces that text whole (a language left out has none); the rest stay."""

    model_config = ConfigDict(extra="forbid")

    summary: FullTextsIn | None = None
    for_whom: FullTextsIn | None = None
    what_happens: FullTextsIn | None = None
    dates: FullTextsIn | None = None
    commitment: FullTextsIn | None = None
    facilitators: FullTextsIn | None = None
    cost: FullTextsIn | None = None
    privacy_notice: FullTextsIn | None = None

    def changes(self) -> dict[str, dict[str, str]]:
        return {name: getattr(self, name).value() for name in PAGE_TEXT_FIELDS if getattr(self, name) is not None}


def page_out(page: ProgrammePage, public_url: str, tz: zoneinfo.ZoneInfo) -> PageOut:
    return PageOut(
        programme_id=page.programme_id,
        published=page.is_published,
        published_at=local(page.published_at, tz),
        public_url=public_url,
        texts=PageTextsOut(**{name: texts(getattr(page, name)) for name in PAGE_TEXT_FIELDS}),
    )


# --- the public programme --------------------------------------------------------


class PublicOptionOut(Schema):
    key: str
    label: str


class PublicQuestionOut(Schema):
    key: str
    type: QuestionType
    required: bool
    text: str
    help: str
    options: list[PublicOptionOut]
    allow_partial: bool
    scale_min: int | None
    scale_max: int | None
    scale_min_label: str
    scale_max_label: str
    number_min: int | None
    number_max: int | None
    max_length: int | None
    show_if: dict[str, Any] | None
    consent_item: str


class PublicTimeSlotOut(Schema):
    key: str
    name: str
    start: str
    end: str


class PublicThemeOut(Schema):
    key: str
    title: str
    description: str
    position_rule: PositionRule
    rankable: bool


class PublicPageTextsOut(Schema):
    summary: str
    for_whom: str
    what_happens: str
    dates: str
    commitment: str
    facilitators: str
    cost: str
    privacy_notice: str


class RegistrationWindowOut(Schema):
    opens_at: datetime | None
    closes_at: datetime | None
    state: Literal["open", "not_open_yet", "closed"]


class PublicProgrammeOut(Schema):
    organisation: str = Field(description="The organisation's name.")
    slug: str
    title: str
    language: str = Field(description="The language of the texts in this answer.")
    languages: list[str] = Field(description="The languages the programme is run in.")
    url: str = Field(description="The programme page.")
    texts: PublicPageTextsOut
    meeting_count: int
    meeting_length_minutes: int
    meeting_interval_days: int
    time_slots: list[PublicTimeSlotOut]
    themes: list[PublicThemeOut]
    registration: RegistrationWindowOut
    full: bool = Field(description="All places are taken: a new registration goes to the waiting list.")
    questions: list[PublicQuestionOut] = Field(description="The registration form, in order; empty when none.")


class PublicOutcomeOut(Schema):
    outcome: Literal["registered", "waiting_list", "confirm_email", "received"]
    waiting_position: int | None
    detail: str = Field(description="What happens next, in the registrant's language.")


def localized_text(value: Any, language: str) -> str:
    """A per-language text in ``language``, else in another language that has it."""
    return localized(value if isinstance(value, dict) else {}, language)


def public_question_out(question: Question, language: str) -> PublicQuestionOut:
    labels = question.scale_labels if isinstance(question.scale_labels, dict) else {}
    options = [o for o in question.options or [] if isinstance(o, dict)]
    return PublicQuestionOut(
        key=question.key,
        type=QuestionType(question.type),
        required=question.required,
        text=localized_text(question.text, language),
        help=localized_text(question.help, language),
        options=[
            PublicOptionOut(key=str(o.get("key", "")), label=localized_text(o.get("label"), language)) for o in options
        ],
        allow_partial=question.allow_partial,
        scale_min=question.scale_min,
        scale_max=question.scale_max,
        scale_min_label=localized_text(labels.get("min"), language),
        scale_max_label=localized_text(labels.get("max"), language),
        number_min=question.number_min,
        number_max=question.number_max,
        max_length=question.max_length,
        show_if=question.show_if or None,
        consent_item=question.consent_item,
    )

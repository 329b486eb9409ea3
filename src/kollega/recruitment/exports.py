"""The coordinator's applicant exports (CSV and XLSX) and registration answers in readable form.

An export holds exactly the list the coordinator filtered, one row per person:
the profile, status, registration time (in the organisation's time zone), time
slots, theme wishes in order, channel, consents, and one column per question of
the programme's registration form with the answer as the person saw it (option
labels, not keys), all in the language of the person exporting.

Choices, and why:

- CSV is UTF-8 with a byte-order mark and ``;`` between fields. Excel in
  Finland (and Sweden) uses the comma as the decimal sign and therefore ``;``
  as the list separator: with these two, a double-click opens the file in
  columns with ä and ö intact. LibreOffice and scripts read it too (say ``;``).
- Spreadsheet formula injection: a text cell that starts with ``= + - @``, a
  tab or a carriage return gets a leading apostrophe in the CSV, so a
  spreadsheet shows it as text and never runs it. The XLSX file writes every
  text as a string cell, never as a formula, so it needs no apostrophe.
- The query count is fixed whatever the number of rows: the people, their
  time slots, consents and registration answers are each read in one query.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kollega.accounts.models import User
from kollega.core.models import Consent, ConsentItem, Participant, Programme
from kollega.core.models.texts import localized
from kollega.core.services import audit_log
from kollega.outreach.models import Channel
from kollega.recruitment.models import Registration, WaitingListOffer
from kollega.recruitment.selectors import offer_pending, registration_form, waiting_position
from kollega.surveys.models import Answer, Form, Purpose, Question, QuestionType, Response
from kollega.surveys.selectors import OTHER_LABEL, OTHER_OPTION, form_questions

CSV_DELIMITER = ";"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | int | datetime | None


# --- answers in readable form -------------------------------------------------


def _option_labels(question: Question, language: str | None) -> dict[str, str]:
    labels = {}
    for option in question.options or []:
        if isinstance(option, dict) and "key" in option:
            label = option.get("label")
            labels[str(option["key"])] = localized(label, language) if isinstance(label, dict) else str(label or "")
    return labels


def answer_cell(
    question: Question, value: Any, language: str | None = None, *, fallback: Question | None = None
) -> Cell:
    """An answer as a person reads it: option labels, "Yes"/"No", a ranking numbered in order.

    Numbers stay numbers (a spreadsheet can sum them); everything else is text.
    An option ``question`` no longer has is named from ``fallback`` (the question
    the person answered), else shown by its key.
    """
    if value is None:
        return None
    kind = question.type
    if kind in (QuestionType.YES_NO, QuestionType.CONSENT):
        return _("Yes") if value is True else _("No")
    if kind in (QuestionType.NUMBER, QuestionType.RATING_SCALE) and isinstance(value, int):
        return value
    if kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE, QuestionType.RANKING):
        named = option_names(question, value, language, fallback=fallback)
        if kind == QuestionType.RANKING:
            return "; ".join(f"{place}. {label}" for place, label in enumerate(named, start=1))
        return ", ".join(named)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def option_names(
    question: Question, value: Any, language: str | None = None, *, fallback: Question | None = None
) -> list[str]:
    """The labels of the chosen option keys, in the order given."""
    labels = {**(_option_labels(fallback, language) if fallback else {}), **_option_labels(question, language)}
    keys = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return [labels.get(key) or key for key in keys]


def answer_text(question: Question, value: Any, language: str | None = None) -> str:
    cell = answer_cell(question, value, language)
    return "" if cell is None else str(cell)


@dataclass
class AnsweredQuestion:
    question: Question
    label: str
    answer: str  # "" when not answered
    ranking: list[str] = field(default_factory=list)  # a ranking's option labels, first place first


@dataclass
class RegistrationAnswers:
    """One registration response, its answers in question order."""

    response: Response
    form: Form
    answers: list[AnsweredQuestion]


@dataclass
class RegistrationDetails:
    """What the applicant page shows of how and when a person registered, and what they answered."""

    registration: Registration | None
    channel: Channel | None
    heard_from: str  # the readable answer, "" when none
    current: RegistrationAnswers | None
    earlier: list[RegistrationAnswers]
    waiting_position: int | None
    offer: WaitingListOffer | None
    offers: list[WaitingListOffer]


def heard_from_label(*, programme: Programme, key: str, channels: Iterable[Channel] | None = None) -> str:
    """The answer to "where did you hear of us" as the person saw it: a channel's name or "somewhere else"."""
    if not key:
        return ""
    if key == OTHER_OPTION:
        return localized(OTHER_LABEL)
    for channel in channels if channels is not None else Channel.objects.filter(programme=programme):
        if channel.key == key:
            return channel.label
    return key


def registration_details(*, participant: Participant) -> RegistrationDetails:
    """The registration section of the applicant page. Callers have checked access to ``participant``."""
    programme = participant.programme
    language = translation.get_language()
    registration = Registration.objects.filter(participant=participant).select_related("channel").first()
    responses = list(
        Response.objects.filter(participant=participant, form__programme=programme, form__purpose=Purpose.REGISTRATION)
        .select_related("form")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("question")))
        .order_by("-submitted_at", "-id")
    )
    readable = [_response_answers(response, language) for response in responses]
    current = next((r for r, raw in zip(readable, responses, strict=True) if raw.replaced_at is None), None)
    return RegistrationDetails(
        registration=registration,
        channel=registration.channel if registration else None,
        heard_from=heard_from_label(programme=programme, key=registration.heard_from) if registration else "",
        current=current,
        earlier=[r for r in readable if r is not current],
        waiting_position=waiting_position(participant=participant),
        offer=offer_pending(participant=participant),
        offers=list(WaitingListOffer.objects.filter(participant=participant).order_by("-offered_at", "-id")),
    )


def _response_answers(response: Response, language: str | None) -> RegistrationAnswers:
    """Every question of the form as it stood when answered, in order, with the answer (or nothing)."""
    values = {answer.question.key: answer.value for answer in response.answers.all()}
    questions = form_questions(form=response.form, version=response.form_version)
    return RegistrationAnswers(
        response=response,
        form=response.form,
        answers=[
            AnsweredQuestion(
                question=q,
                label=q.label(language) or q.key,
                answer=answer_text(q, values.get(q.key), language),
                ranking=option_names(q, values[q.key], language)
                if q.type == QuestionType.RANKING and isinstance(values.get(q.key), list)
                else [],
            )
            for q in questions
        ],
    )


# --- the table behind both exports ------------------------------------------


@dataclass
class ApplicantTable:
    headers: list[str]
    rows: list[list[Cell]]


def applicant_table(*, programme: Programme, participants: QuerySet[Participant]) -> ApplicantTable:
    """The rows of an export of ``participants`` (a filtered list of ``programme``'s participants)."""
    language = translation.get_language()
    tz = programme.organisation.tz
    people = participants.prefetch_related(None).select_related("user", "registration__channel")
    ids = people.values("pk")

    slot_labels = {slot.pk: slot.label for slot in programme.time_slots.all()}
    slots_by_person: dict[int, list[str]] = defaultdict(list)
    through = Participant.time_slots.through
    for participant_id, slot_id in (
        through.objects.filter(participant__in=ids)
        .order_by("timeslot__position", "timeslot__start_time")
        .values_list("participant_id", "timeslot_id")
    ):
        slots_by_person[participant_id].append(slot_labels.get(slot_id, ""))

    theme_labels = {theme.key: theme.label for theme in programme.themes.all()}
    channels = list(Channel.objects.filter(programme=programme))

    consent_items = list(ConsentItem.choices)
    consents: dict[int, dict[str, bool]] = defaultdict(dict)
    for participant_id, item, decision in (
        Consent.objects.filter(participant__in=ids).order_by("at", "id").values_list("participant_id", "item", "given")
    ):
        consents[participant_id][item] = decision  # the latest decision wins

    form = registration_form(programme=programme)
    questions = form_questions(form=form) if form else []
    answers: dict[int, dict[str, tuple[Question, Any]]] = {}
    responses = (
        Response.objects.filter(
            participant__in=ids,
            form__programme=programme,
            form__purpose=Purpose.REGISTRATION,
            replaced_at__isnull=True,
        )
        .order_by("submitted_at", "id")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("question")))
    )
    for response in responses:
        assert response.participant_id is not None  # filtered by participant above
        # The latest current response wins (a person may have answered an earlier form too).
        answers[response.participant_id] = {a.question.key: (a.question, a.value) for a in response.answers.all()}

    headers = [
        _("Name"),
        _("Email"),
        _("Phone"),
        _("Company"),
        _("Industry code"),
        _("Industry"),
        _("Years in business"),
        _("Region or municipality"),
        _("Company size"),
        _("Gender"),
        _("Status"),
        _("Registered (%(time_zone)s)") % {"time_zone": programme.organisation.time_zone},
        _("Time slots"),
        _("Theme wishes in order"),
        _("Channel"),
        _("Heard of the programme from"),
        *[_("Consent: %(item)s") % {"item": label} for _value, label in consent_items],
    ]
    headers += _question_headers(questions, taken=set(headers), language=language)
    rows: list[list[Cell]] = []
    for person in people.iterator(chunk_size=2000):
        registration = getattr(person, "registration", None)
        given = consents.get(person.pk, {})
        answered = answers.get(person.pk, {})
        ranking = person.theme_ranking if isinstance(person.theme_ranking, list) else []
        rows.append(
            [
                person.display_name,
                person.user.email,
                person.phone,
                person.company_name,
                person.industry,
                person.industry_name,
                person.years_in_business,
                person.region,
                person.get_company_size_display() if person.company_size else "",
                person.get_gender_display(),
                person.get_status_display(),
                timezone.localtime(person.registered_at, tz).replace(tzinfo=None),
                ", ".join(slots_by_person.get(person.pk, [])),
                "; ".join(
                    f"{place}. {theme_labels.get(str(key), str(key))}" for place, key in enumerate(ranking, start=1)
                ),
                registration.channel.label if registration and registration.channel else "",
                heard_from_label(programme=programme, key=registration.heard_from, channels=channels)
                if registration
                else "",
                *[
                    ("" if item not in given else _("Yes") if given[item] else _("No"))
                    for item, _label in consent_items
                ],
                *[_answer_for_column(q, answered.get(q.key), language) for q in questions],
            ]
        )
    return ApplicantTable(headers=headers, rows=rows)


def _question_headers(questions: list[Question], *, taken: set[str], language: str | None) -> list[str]:
    """The questions' texts as column headings, each one unique (a spreadsheet or a script looks columns up by them)."""
    headers = []
    for question in questions:
        header = question.label(language) or question.key
        if header in taken:
            header = _("%(question)s (registration form)") % {"question": header}
        if header in taken:
            header = f"{header} [{question.key}]"
        taken.add(header)
        headers.append(header)
    return headers


def _answer_for_column(column: Question, answered: tuple[Question, Any] | None, language: str | None) -> Cell:
    if answered is None:
        return None
    own_question, value = answered
    return answer_cell(column, value, language, fallback=own_question)


# --- files --------------------------------------------------------------------


def safe_text(value: str) -> str:
    """A cell a spreadsheet will show as text, never run as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, int):
        return str(value)
    return safe_text(value)


def to_csv(table: ApplicantTable) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow([safe_text(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(table: ApplicantTable, *, sheet_title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_sheet_title(sheet_title))
    sheet.freeze_panes = "A2"
    for index, header in enumerate(table.headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(len(header), 12), 40)

    def cell(value: Cell, *, bold: bool = False) -> Any:
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        written = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            written.data_type = "s"  # text stays text: a leading "=" is not a formula here
        elif isinstance(value, datetime):
            written.number_format = "yyyy-mm-dd hh:mm"
        if bold:
            written.font = Font(bold=True)
        return written

    sheet.append([cell(h, bold=True) for h in table.headers])
    for row in table.rows:
        sheet.append([cell(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    # Excel refuses these characters and titles over 31 characters.
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()
    return cleaned[:31] or "Sheet1"


def export_filename(*, programme: Programme, extension: str, today: date | None = None) -> str:
    day = today or timezone.localdate(timezone=programme.organisation.tz)
    return f"{programme.slug}-applicants-{day:%Y-%m-%d}.{extension}"


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    content_type: str


def applicants_export(
    *, programme: Programme, participants: QuerySet[Participant], file_format: str, actor: User, filters: dict[str, Any]
) -> ExportFile:
    """The filtered applicant list as a file; who took personal data out, and how much, goes to the audit log."""
    if file_format not in ("csv", "xlsx"):
        raise ValueError(file_format)
    table = applicant_table(programme=programme, participants=participants)
    if file_format == "csv":
        content, content_type = to_csv(table), CSV_CONTENT_TYPE
    else:
        content, content_type = to_xlsx(table, sheet_title=_("Applicants")), XLSX_CONTENT_TYPE
    audit_log(
        action="recruitment.applicants.exported",
        subject=programme,
        actor=actor,
        organisation=programme.organisation,
        data={"format": file_format, "rows": len(table.rows), "filters": filters},
    )
    return ExportFile(
        content=content,
        filename=export_filename(programme=programme, extension=file_format),
        content_type=content_type,
    )

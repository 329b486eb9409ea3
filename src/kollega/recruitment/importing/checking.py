"""Checking a table of registrations against the programme's registration form.

Pure: no database. A column mapping ``{column heading: target}`` says which
question (by key) or special target (``registered_at``, ``channel``,
``language``) each column answers. Every cell becomes the raw answer the
registration form would send, and the survey engine decides, so the page, the
API and the importer accept exactly the same answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kollega.recruitment.importing.reading import Row, Table, shorten
from kollega.surveys import engine
from kollega.surveys.models import Question, QuestionType

REGISTERED_AT = "registered_at"
CHANNEL = "channel"
LANGUAGE = "language"
SPECIAL_TARGETS = (REGISTERED_AT, CHANNEL, LANGUAGE)
SPECIAL_LABELS = {
    REGISTERED_AT: gettext_lazy("Registration time"),
    CHANNEL: gettext_lazy("Channel"),
    LANGUAGE: gettext_lazy("Language of the registrant"),
}
# Headings other tools use for the special targets (Google Forms, Lyyti, Webropol exports), besides the labels above.
SPECIAL_SYNONYMS = {
    REGISTERED_AT: (
        "registered",
        "registered at",
        "registration date",
        "timestamp",
        "aikaleima",
        "ilmoittautumisaika",
        "ilmoittautunut",
        "tidsstämpel",
        "anmälningstid",
    ),
    CHANNEL: ("source", "kanava", "kanal", "lähde"),
    LANGUAGE: ("kieli", "språk", "lang"),
}
PROGRESS_EVERY = 100
MESSAGE_LANGUAGES = ("fi", "sv", "en")

_YES = {"yes", "y", "kyllä", "kylla", "k", "ja", "j", "true", "1", "x", "on"}
_NO = {"no", "n", "ei", "e", "nej", "false", "0", "off"}
_LANGUAGE_WORDS = {
    "fi": {"fi", "fin", "suomi", "finnish", "finska", "suomeksi"},
    "sv": {"sv", "swe", "svenska", "swedish", "ruotsi", "ruotsiksi", "på svenska"},
    "en": {"en", "eng", "english", "englanti", "engelska", "englanniksi", "in english"},
}
_TIME_RANGE = re.compile(r"\s*\d{1,2}[:.]\d{2}\s*[–-]\s*\d{1,2}[:.]\d{2}\s*$")
_NUMBERING = re.compile(r"^\s*\d{1,3}\s*[.)]\s+")
_WHOLE_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]0*)?$")
_DATE_FORMATS = (
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H.%M.%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H.%M",
    "%d.%m.%Y",
    "%Y-%m-%d %H.%M",
)
_EARLIEST_YEAR = 1990


class BadCell(Exception):  # noqa: N818 — a signal inside the checker, never escapes it
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ChannelChoice:
    key: str
    names: Mapping[str, str]


@dataclass(frozen=True)
class Context:
    """What the checker needs to know about the programme; the services build it from the database."""

    questions: Sequence[Question]
    time_zone: tzinfo
    now: datetime
    language: str  # of the messages
    existing_emails: frozenset[str] = frozenset()  # lower-case
    channels: Sequence[ChannelChoice] = ()
    default_language: str = "fi"  # of the registrants, when no column says
    languages: Sequence[str] = ("fi", "sv", "en")


@dataclass
class RowResult:
    line: int
    raw: dict[str, Any] = field(default_factory=dict)
    email: str = ""
    registered_at: datetime | None = None
    channel_key: str = ""
    language: str = ""
    reasons: list[str] = field(default_factory=list)


@dataclass
class Report:
    total: int
    valid: list[RowResult]
    rejected: list[RowResult]
    problems: list[str]  # about the whole file or mapping: nothing can be imported until they are fixed
    mapping: list[tuple[str, str, str]]  # (heading, target, target's label)
    unmapped: list[str]
    language: str
    description: str = ""

    @property
    def importable(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "file": self.description,
            "total": self.total,
            "valid": len(self.valid),
            "rejected": [{"line": r.line, "reasons": r.reasons} for r in self.rejected],
            "problems": self.problems,
            "mapping": [list(m) for m in self.mapping],
            "unmapped": self.unmapped,
        }


def normalise(text: str) -> str:
    """For comparing headings and answers: case, spacing and a trailing "*", ":" or "?" do not matter."""
    text = " ".join(str(text).casefold().split())
    return re.sub(r"[\s*:?]+$", "", text)


def email_key(questions: Sequence[Question]) -> str | None:
    """The question that holds the registrant's email address: the one keyed "email", else the first email question."""
    for question in questions:
        if question.key == "email":
            return question.key
    return next((q.key for q in questions if q.type == QuestionType.EMAIL), None)


def target_choices(questions: Sequence[Question], language: str) -> list[tuple[str, str]]:
    """Everything a column can be matched to, as (target, label) in ``language``."""
    keys = {q.key for q in questions}
    with translation.override(language):
        choices = [(q.key, shorten(q.label(language) or q.key, 80)) for q in questions]
        choices += [(t, str(SPECIAL_LABELS[t])) for t in SPECIAL_TARGETS if t not in keys]
    return choices


def target_label(target: str, questions: Sequence[Question], language: str) -> str:
    for question in questions:
        if question.key == target:
            return shorten(question.label(language) or question.key, 80)
    if target in SPECIAL_LABELS:
        with translation.override(language):
            return str(SPECIAL_LABELS[target])
    return target


def guess_mapping(headers: Sequence[str], questions: Sequence[Question]) -> dict[str, str]:
    """Columns whose heading is a question's key or its text in any language (or a special target's name)."""
    names: dict[str, str] = {}
    for question in questions:
        names.setdefault(normalise(question.key), question.key)
    for question in questions:
        for text in (question.text or {}).values() if isinstance(question.text, dict) else ():
            if isinstance(text, str) and text.strip():
                names.setdefault(normalise(text), question.key)
    keys = {q.key for q in questions}
    for target in SPECIAL_TARGETS:
        if target in keys:
            continue  # the form's own question of that name wins
        names.setdefault(normalise(target), target)
        for language in MESSAGE_LANGUAGES:
            with translation.override(language):
                names.setdefault(normalise(str(SPECIAL_LABELS[target])), target)
        for synonym in SPECIAL_SYNONYMS[target]:
            names.setdefault(normalise(synonym), target)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for heading in headers:
        found = names.get(normalise(heading)) if heading else None
        if found and found not in used:
            mapping[heading] = found
            used.add(found)
    return mapping


def _and_list(items: Sequence[str]) -> str:
    if len(items) == 1:
        return items[0]
    return _("%(first)s and %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def _quoted(items: Sequence[str]) -> str:
    return _and_list([f"“{shorten(item)}”" for item in items])


def mapping_problems(headers: Sequence[str], mapping: Mapping[str, str], questions: Sequence[Question]) -> list[str]:
    """What makes the mapping unusable for every row: unknown columns or targets, a target twice, required gaps.

    Messages are in the active language.
    """
    problems: list[str] = []
    language = translation.get_language() or "en"
    keys = {q.key for q in questions}
    known = keys | set(SPECIAL_TARGETS)
    heading_set = {h for h in headers if h}
    by_target: dict[str, list[str]] = {}
    for heading, target in mapping.items():
        if not target:
            continue
        if heading not in heading_set:
            problems.append(_("The file has no column “%(heading)s”.") % {"heading": shorten(heading)})
        elif target not in known:
            problems.append(_("“%(target)s” is not a question of the registration form.") % {"target": shorten(target)})
        else:
            by_target.setdefault(target, []).append(heading)
    for target, headings in by_target.items():
        if len(headings) > 1:
            problems.append(
                _("The columns %(columns)s all answer “%(question)s”. Choose one of them.")
                % {"columns": _quoted(headings), "question": target_label(target, questions, language)}
            )
    missing = [q for q in questions if q.required and not q.show_if and q.key not in by_target]
    for question in missing:
        problems.append(
            _("The file has no column for the required question “%(question)s”. Add the column or choose it.")
            % {"question": target_label(question.key, questions, language)}
        )
    identity = email_key(questions)
    if identity is None:
        problems.append(_("The registration form has no email question, so nobody can be imported."))
    elif identity not in by_target and all(q.key != identity for q in missing):
        problems.append(
            _("The file needs a column for the email address (“%(question)s”).")
            % {"question": target_label(identity, questions, language)}
        )
    return problems


# --- one row -----------------------------------------------------------------


class _Plan:
    """The mapping turned into converters, built once for a table."""

    def __init__(self, headers: Sequence[str], mapping: Mapping[str, str], context: Context) -> None:
        self.context = context
        self.questions = list(context.questions)
        self.by_key = {q.key: q for q in self.questions}
        self.email_key = email_key(self.questions)
        self.width = len(headers)
        index = {h: i for i, h in enumerate(headers) if h}
        self.columns: list[tuple[int, str]] = []
        used: set[str] = set()
        for heading, target in mapping.items():
            if (
                heading in index
                and target
                and target not in used
                and (target in self.by_key or target in SPECIAL_TARGETS)
            ):
                self.columns.append((index[heading], target))
                used.add(target)
        self.columns.sort()
        self.mapped = used
        self.options: dict[str, dict[str, str]] = {}
        self.channels: dict[str, str] = {}
        for channel in context.channels:
            self.channels.setdefault(normalise(channel.key), channel.key)
        for channel in context.channels:
            for name in channel.names.values():
                if isinstance(name, str) and name.strip():
                    self.channels.setdefault(normalise(name), channel.key)

    def option_lookup(self, question: Question) -> dict[str, str]:
        if question.key not in self.options:
            table: dict[str, str] = {}
            options = [o for o in (question.options or []) if isinstance(o, dict)]
            for option in options:
                table.setdefault(normalise(str(option.get("key"))), str(option.get("key")))
            for option in options:
                labels = option.get("label")
                for label in labels.values() if isinstance(labels, dict) else ():
                    if isinstance(label, str) and label.strip():
                        table.setdefault(normalise(label), str(option.get("key")))
                        table.setdefault(normalise(_TIME_RANGE.sub("", label)), str(option.get("key")))
            self.options[question.key] = table
        return self.options[question.key]

    def label(self, key: str) -> str:
        question = self.by_key.get(key)
        return (question.label(self.context.language) or key) if question else key

    def convert(self, row: Row) -> RowResult:
        context = self.context
        result = RowResult(line=row.line, language=context.default_language)
        if len(row.cells) > self.width and any(cell.strip() for cell in row.cells[self.width :]):
            result.reasons.append(_("The line has more cells than the file has headings."))
        failed: set[str] = set()
        for index, target in self.columns:
            cell = row.cells[index].strip() if index < len(row.cells) else ""
            try:
                if target in self.by_key:
                    value = self.cell_value(self.by_key[target], cell)
                    if value is not None:
                        result.raw[target] = value
                elif cell:
                    self.special(result, target, cell)
            except BadCell as bad:
                failed.add(target)
                result.reasons.append(
                    _("%(label)s: %(message)s") % {"label": self.target_label(target), "message": bad.message}
                )
        checked = engine.validate(self.questions, result.raw, context.language)
        for key, messages in checked.errors.items():
            if key in failed or (key not in self.mapped and key in self.by_key and not self.by_key[key].show_if):
                continue  # already said, or said once for the whole file
            for message in messages:
                if key == engine.FORM_ERROR_KEY:
                    result.reasons.append(message)
                else:
                    result.reasons.append(_("%(label)s: %(message)s") % {"label": self.label(key), "message": message})
        if self.email_key and isinstance(checked.cleaned.get(self.email_key), str):
            result.email = checked.cleaned[self.email_key].strip().lower()
        return result

    def target_label(self, target: str) -> str:
        return target_label(target, self.questions, self.context.language)

    # cells → raw answers

    def cell_value(self, question: Question, cell: str) -> Any:
        if not cell:
            return None
        kind = question.type
        if kind in (QuestionType.NUMBER, QuestionType.RATING_SCALE):
            number = cell.replace("\u00a0", "").replace(" ", "")
            return re.split(r"[.,]", number)[0] if _WHOLE_NUMBER.match(number) else cell
        if kind in (QuestionType.YES_NO, QuestionType.CONSENT):
            return _yes_no(cell)
        if kind == QuestionType.SINGLE_CHOICE:
            key = self.option_lookup(question).get(normalise(cell))
            if key is None:
                raise BadCell(_("“%(value)s” is not one of the options.") % {"value": shorten(cell)})
            return key
        if kind == QuestionType.MULTIPLE_CHOICE:
            return self.choices(question, cell, ";,")
        if kind == QuestionType.RANKING:
            return self.choices(question, cell, ">;")
        return cell

    def choices(self, question: Question, cell: str, separators: str) -> list[str]:
        lookup = self.option_lookup(question)
        whole = lookup.get(normalise(cell))
        if whole is not None:
            return [whole]
        attempts: list[list[str]] = []
        for separator in separators:
            if separator in cell or "\n" in cell:
                parts = [_NUMBERING.sub("", p).strip() for p in re.split(f"[{re.escape(separator)}\n]", cell)]
                attempts.append([p for p in parts if p])
        if not attempts:
            attempts.append([cell])
        for parts in attempts:
            keys = [lookup.get(normalise(p)) for p in parts]
            if all(k is not None for k in keys):
                return [k for k in keys if k is not None]
        unknown = [p for p in attempts[0] if lookup.get(normalise(p)) is None]
        raise BadCell(
            _("%(values)s are not among the options.") % {"values": _quoted(unknown[:5])}
            if len(unknown) > 1
            else _("“%(value)s” is not one of the options.") % {"value": shorten(unknown[0] if unknown else cell)}
        )

    def special(self, result: RowResult, target: str, cell: str) -> None:
        if target == REGISTERED_AT:
            result.registered_at = parse_time(cell, self.context.time_zone, self.context.now)
        elif target == CHANNEL:
            key = self.channels.get(normalise(cell))
            if key is None:
                known = sorted({c.key for c in self.context.channels})
                raise BadCell(
                    _("“%(value)s” is not a channel of this programme. The channels are: %(channels)s.")
                    % {"value": shorten(cell), "channels": ", ".join(known)}
                    if known
                    else _("“%(value)s” is not a channel of this programme; it has no channels.")
                    % {"value": shorten(cell)}
                )
            result.channel_key = key
        elif target == LANGUAGE:
            word = normalise(cell)
            code = next((c for c, words in _LANGUAGE_WORDS.items() if word in words), None)
            if code is None or code not in self.context.languages:
                raise BadCell(
                    _("“%(value)s” is not a language of the programme. Write %(codes)s.")
                    % {"value": shorten(cell), "codes": ", ".join(self.context.languages)}
                )
            result.language = code


def _yes_no(cell: str) -> bool:
    word = normalise(cell)
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise BadCell(
        _("“%(value)s” is neither yes nor no. Write yes or no (kyllä/ei, ja/nej, x for yes).")
        % {"value": shorten(cell)}
    )


def parse_time(cell: str, zone: tzinfo, now: datetime) -> datetime:
    """A date or date and time as people and tools write them; without a zone it is the organisation's."""
    text = " ".join(cell.replace("klo", " ").replace("kl.", " ").split())
    moment: datetime | None = None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        for pattern in _DATE_FORMATS:
            try:
                moment = datetime.strptime(text, pattern)  # noqa: DTZ007 — made aware just below
                break
            except ValueError:
                continue
    if moment is None or moment.year < _EARLIEST_YEAR:
        raise BadCell(
            _("“%(value)s” is not a date. Write it as 2025-03-31 or 31.3.2025, with a time if you like (14:30).")
            % {"value": shorten(cell)}
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    if moment.year > now.year + 1 or moment > now + timedelta(minutes=5):
        raise BadCell(_("%(value)s is in the future.") % {"value": shorten(cell)})
    return moment


# --- the whole table -------------------------------------------------------------


class Converter:
    """Converts many rows with one plan; for the import's write phase."""

    def __init__(self, table: Table, mapping: Mapping[str, str], context: Context) -> None:
        self.context = context
        with translation.override(context.language):
            self.plan = _Plan(table.headers, mapping, context)

    def __call__(self, row: Row) -> RowResult:
        with translation.override(self.context.language):
            return self.plan.convert(row)


def check_table(
    table: Table,
    mapping: Mapping[str, str],
    context: Context,
    *,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """The dry run: every row converted and checked, then the checks across rows and against the programme."""
    with translation.override(context.language):
        plan = _Plan(table.headers, mapping, context)
        problems = mapping_problems(table.headers, mapping, context.questions)
        results: list[RowResult] = []
        for number, row in enumerate(table.rows, start=1):
            results.append(plan.convert(row))
            if progress is not None and number % PROGRESS_EVERY == 0:
                progress(number)
        _across_rows(results, context)
        used = {heading for heading, target in mapping.items() if target}
        return Report(
            total=len(results),
            valid=[r for r in results if not r.reasons],
            rejected=[r for r in results if r.reasons],
            problems=problems,
            mapping=[
                (heading, target, plan.target_label(target))
                for heading in table.headers
                if heading and (target := mapping.get(heading, ""))
            ],
            unmapped=[h for h in table.headers if h and h not in used],
            language=context.language,
            description=table.description,
        )


def _across_rows(results: list[RowResult], context: Context) -> None:
    by_email: dict[str, list[RowResult]] = {}
    for result in results:
        if result.email:
            by_email.setdefault(result.email, []).append(result)
    for email, same in by_email.items():
        if len(same) > 1:
            lines = _and_list([str(r.line) for r in same])
            for result in same:
                result.reasons.append(
                    _("The email address %(email)s is on lines %(lines)s; keep it on one line only.")
                    % {"email": email, "lines": lines}
                )
        if email in context.existing_emails:
            for result in same:
                result.reasons.append(
                    _("%(email)s is already registered in this programme; not changed.") % {"email": email}
                )


def language_of(language: str | None) -> str:
    """A supported language code for messages, from whatever the caller had."""
    code = (language or "en")[:2].lower()
    return code if code in MESSAGE_LANGUAGES else "en"

"""The validation engine: raw submitted values in, cleaned values or per-question errors out.

Pure: it reads questions and never touches the database. It never raises on
bad input; anything it cannot accept becomes a message for the respondent.
Text is stored as typed: HTML is never interpreted here, templates escape it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils import translation
from django.utils.translation import gettext as _

from kollega.surveys.models import Question, QuestionType

SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 5000
DEFAULT_SCALE = (1, 5)
# Nothing sensible is longer; cutting early keeps a hostile payload cheap.
RAW_TEXT_LIMIT = 100_000
RAW_LIST_LIMIT = 500
INTEGER_LIMIT = 10**18
PHONE_MAX = 40  # characters, as typed: spaces, dashes and brackets included
FORM_ERROR_KEY = "__all__"

# Control characters and lone surrogates (which no database can store as text).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_CONTROL_OR_NEWLINE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_PHONE = re.compile(r"^[0-9 +\-()]+$")
_INTEGER = re.compile(r"^[+-]?[0-9]{1,18}$")
_YES = {"yes", "true", "on", "1"}
_NO = {"no", "false", "off", "0"}
_email = EmailValidator()


class Invalid(Exception):  # noqa: N818 — a signal inside the engine, not an error that escapes it
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Missing:
    """No answer was given."""


MISSING = _Missing()


@dataclass
class Result:
    """Cleaned values by question key, or messages by question key."""

    cleaned: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def validate(questions: Sequence[Question], raw: Any, language: str) -> Result:
    """Check ``raw`` against ``questions`` (in order); messages are in ``language``."""
    with translation.override(language):
        result = Result()
        if not isinstance(raw, Mapping):
            result.errors[FORM_ERROR_KEY] = [_("The answers could not be read. Please send the form again.")]
            return result
        for question in questions:
            if not is_shown(question, result.cleaned):
                continue  # hidden: not required, and whatever was sent is dropped
            try:
                value = _clean(question, _raw_value(raw, question.key))
            except Invalid as error:
                result.errors[question.key] = [error.message]
                continue
            if value is MISSING:
                if question.required:
                    result.errors[question.key] = [_required_message(question)]
                continue
            result.cleaned[question.key] = value
        return result


def is_shown(question: Question, cleaned: Mapping[str, Any]) -> bool:
    """Whether a conditional question applies, given the answers to the questions before it."""
    condition = question.show_if
    if not condition:
        return True
    if not isinstance(condition, dict):
        return False
    answer = cleaned.get(str(condition.get("question")), MISSING)
    if answer is MISSING:
        return False
    if "contains" in condition:
        return isinstance(answer, list) and str(condition["contains"]) in answer
    return _same(answer, condition.get("equals"))


def _same(answer: Any, expected: Any) -> bool:
    if isinstance(answer, bool):
        try:
            return answer == _yes_no(expected)
        except Invalid:
            return False
    return str(answer) == str(expected)


def _raw_value(raw: Mapping[Any, Any], key: str) -> Any:
    getlist = getattr(raw, "getlist", None)
    if callable(getlist):  # a QueryDict: lists survive only through getlist()
        values = getlist(key)
        return values if len(values) > 1 else (values[0] if values else None)
    return raw.get(key)


def _required_message(question: Question) -> str:
    if question.type == QuestionType.CONSENT:
        return _("You need to give this consent to continue.")
    if question.type in (QuestionType.SINGLE_CHOICE, QuestionType.YES_NO, QuestionType.RATING_SCALE):
        return _("Choose an answer to this question.")
    if question.type == QuestionType.MULTIPLE_CHOICE:
        return _("Choose at least one option.")
    if question.type == QuestionType.RANKING:
        return _("Put the options in order.")
    return _("Answer this question.")


def _is_empty(value: Any) -> bool:
    """Nothing, blank text, or a list of blanks (a ranking with every place left empty)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return True
    return isinstance(value, list | tuple) and all(
        item is None or (isinstance(item, str) and not item.strip()) for item in value
    )


def _single(value: Any) -> Any:
    """A one-item list from a web form is that item."""
    if isinstance(value, list | tuple) and len(value) == 1:
        return value[0]
    return value


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        if len(value) > RAW_LIST_LIMIT:
            raise Invalid(_("Too many choices were sent."))
        return [item for item in value if not (isinstance(item, str) and not item.strip())]
    raise Invalid(_("This answer has the wrong form. Choose from the options given."))


def _clean(question: Question, value: Any) -> Any:
    kind = question.type
    if kind == QuestionType.CONSENT:
        given = _consent(_single(value))
        if not given and question.required:
            raise Invalid(_("You need to give this consent to continue."))
        return given
    if _is_empty(value):
        return MISSING
    if kind in (QuestionType.MULTIPLE_CHOICE, QuestionType.RANKING):
        items = _as_list(value)
        if not items:
            return MISSING
        return _choices(question, items) if kind == QuestionType.MULTIPLE_CHOICE else _ranking(question, items)
    value = _single(value)
    if _is_empty(value):
        return MISSING
    if kind in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
        return _text(question, value)
    if kind == QuestionType.EMAIL:
        return _email_address(value)
    if kind == QuestionType.PHONE:
        return _phone(value)
    if kind == QuestionType.NUMBER:
        return _bounded(value, question.number_min, question.number_max)
    if kind == QuestionType.RATING_SCALE:
        low, high = _scale(question)
        return _bounded(value, low, high)
    if kind == QuestionType.SINGLE_CHOICE:
        return _choice(question, value)
    if kind == QuestionType.YES_NO:
        return _yes_no(value)
    raise Invalid(_("This question cannot be answered."))


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid(_("Write the answer as text."))
    if len(value) > RAW_TEXT_LIMIT:
        raise Invalid(_("The answer is far too long."))
    return value.strip()


def _text(question: Question, value: Any) -> str:
    text = _string(value)
    long = question.type == QuestionType.LONG_TEXT
    limit = question.max_length or (LONG_TEXT_MAX if long else SHORT_TEXT_MAX)
    if (_CONTROL if long else _CONTROL_OR_NEWLINE).search(text):
        raise Invalid(_("The answer contains characters that cannot be stored. Please type it again."))
    if len(text) > limit:
        raise Invalid(
            _("The answer can be at most %(limit)d characters long; it is now %(length)d.")
            % {"limit": limit, "length": len(text)}
        )
    return text


def _email_address(value: Any) -> str:
    address = _string(value)
    if len(address) > 254 or _CONTROL_OR_NEWLINE.search(address):
        raise Invalid(_("Enter an email address such as name@example.fi."))
    try:
        _email(address)
    except ValidationError:
        raise Invalid(_("Enter an email address such as name@example.fi.")) from None
    return address


def _phone(value: Any) -> str:
    number = _string(value)
    if len(number) > PHONE_MAX:
        raise Invalid(_("Write the phone number in at most %(limit)d characters.") % {"limit": PHONE_MAX})
    digits = sum(ch.isdigit() for ch in number)
    if not _PHONE.match(number) or not 5 <= digits <= 20:
        raise Invalid(_("Enter a phone number with 5 to 20 digits, such as +358 40 123 4567."))
    return number


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise Invalid(_("Enter a whole number."))
    if isinstance(value, int) and abs(value) < INTEGER_LIMIT:
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < INTEGER_LIMIT:
        return int(value)
    if isinstance(value, str) and _INTEGER.match(value.strip()):
        return int(value.strip())
    raise Invalid(_("Enter a whole number."))


def _bounded(value: Any, low: int | None, high: int | None) -> int:
    number = _integer(value)
    if low is not None and high is not None and not low <= number <= high:
        raise Invalid(_("Enter a number from %(low)d to %(high)d.") % {"low": low, "high": high})
    if low is not None and number < low:
        raise Invalid(_("Enter a number that is at least %(low)d.") % {"low": low})
    if high is not None and number > high:
        raise Invalid(_("Enter a number that is at most %(high)d.") % {"high": high})
    return number


def _scale(question: Question) -> tuple[int, int]:
    low = question.scale_min if question.scale_min is not None else DEFAULT_SCALE[0]
    high = question.scale_max if question.scale_max is not None else DEFAULT_SCALE[1]
    return low, high


def _choice(question: Question, value: Any) -> str:
    if not isinstance(value, str) or value not in question.option_keys:
        raise Invalid(_("Choose one of the options given."))
    return value


def _choices(question: Question, items: list[Any]) -> list[str]:
    known = question.option_keys
    if any(not isinstance(item, str) or item not in known for item in items):
        raise Invalid(_("Choose only from the options given."))
    if len(set(items)) != len(items):
        raise Invalid(_("Each option can be chosen only once."))
    return list(items)


def _ranking(question: Question, items: list[Any]) -> list[str]:
    known = question.option_keys
    if any(not isinstance(item, str) or item not in known for item in items):
        raise Invalid(_("The ranking can only contain the options given."))
    if len(set(items)) != len(items):
        raise Invalid(_("Each option can have only one place in the ranking."))
    if not question.allow_partial and len(items) != len(known):
        raise Invalid(_("Put every option in order."))
    return list(items)


def _yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _YES:
        return True
    if isinstance(value, str) and value.strip().lower() in _NO:
        return False
    raise Invalid(_("Answer yes or no."))


def _consent(value: Any) -> bool:
    """An unticked box is not sent at all, so nothing means no."""
    if _is_empty(value):
        return False
    try:
        return _yes_no(value)
    except Invalid:
        raise Invalid(_("Tick the box to give this consent, or leave it empty.")) from None

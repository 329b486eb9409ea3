"""The engine accepts what a respondent means and refuses the rest with a clear message."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from kollega.surveys.engine import validate
from kollega.surveys.models import Question, QuestionType

T = QuestionType


def q(key: str, type: str, **fields: Any) -> Question:
    """An unsaved question: the engine never needs the database."""
    if type in (T.SINGLE_CHOICE, T.MULTIPLE_CHOICE, T.RANKING):
        fields.setdefault("options", [{"key": k, "label": {"en": k.title()}} for k in ("goals", "work", "networks")])
    return Question(key=key, type=type, text={"en": key}, **fields)


def one(question: Question, value: Any, language: str = "en") -> tuple[Any, list[str]]:
    result = validate([question], {question.key: value}, language)
    return result.cleaned.get(question.key), result.errors.get(question.key, [])


@pytest.mark.parametrize(
    ("question", "raw", "cleaned"),
    [
        (q("name", T.SHORT_TEXT), "  Maija Meikäläinen ", "Maija Meikäläinen"),
        (q("story", T.LONG_TEXT), "Line one\nLine two\ttabbed", "Line one\nLine two\ttabbed"),
        (q("story", T.LONG_TEXT), "<script>alert(1)</script>", "<script>alert(1)</script>"),
        (q("email", T.EMAIL), " maija@example.fi ", "maija@example.fi"),
        (q("phone", T.PHONE), "+358 (40) 123-4567", "+358 (40) 123-4567"),
        (q("years", T.NUMBER, number_min=0, number_max=80), "12", 12),
        (q("years", T.NUMBER), 7, 7),
        (q("size", T.SINGLE_CHOICE), "work", "work"),
        (q("size", T.SINGLE_CHOICE), ["work"], "work"),  # a web form sends lists
        (q("slots", T.MULTIPLE_CHOICE), ["goals", "networks"], ["goals", "networks"]),
        (q("slots", T.MULTIPLE_CHOICE), "goals", ["goals"]),
        (q("themes", T.RANKING), ["networks", "goals", "work"], ["networks", "goals", "work"]),
        (q("themes", T.RANKING, allow_partial=True), ["work", "", ""], ["work"]),
        (q("mood", T.RATING_SCALE, scale_min=0, scale_max=5), "0", 0),
        (q("mood", T.RATING_SCALE), 5, 5),
        (q("solo", T.YES_NO), "yes", True),
        (q("solo", T.YES_NO), False, False),
        (q("privacy", T.CONSENT, consent_item="privacy_notice", required=True), "on", True),
        (q("share", T.CONSENT, consent_item="share_name"), None, False),
    ],
)
def test_valid_answers_are_cleaned(question: Question, raw: Any, cleaned: Any) -> None:
    value, errors = one(question, raw)
    assert errors == []
    assert value == cleaned


@pytest.mark.parametrize(
    ("question", "raw", "message"),
    [
        (q("name", T.SHORT_TEXT), "x" * 201, "at most 200 characters"),
        (q("name", T.SHORT_TEXT, max_length=10), "x" * 11, "at most 10 characters"),
        (q("story", T.LONG_TEXT), "x" * 5001, "at most 5000 characters"),
        (q("name", T.SHORT_TEXT), "two\nlines", "cannot be stored"),
        (q("story", T.LONG_TEXT), "bell\x07", "cannot be stored"),
        (q("name", T.SHORT_TEXT), {"a": 1}, "as text"),
        (q("email", T.EMAIL), "maija@", "email address"),
        (q("phone", T.PHONE), "call me", "phone number"),
        (q("phone", T.PHONE), "123", "phone number"),
        (q("phone", T.PHONE), "1" * 21, "phone number"),
        (q("years", T.NUMBER), "12.5", "whole number"),
        (q("years", T.NUMBER), True, "whole number"),
        (q("years", T.NUMBER), 10**30, "whole number"),
        (q("name", T.SHORT_TEXT), "lone \ud800 surrogate", "cannot be stored"),
        (q("years", T.NUMBER, number_min=0, number_max=80), "81", "from 0 to 80"),
        (q("years", T.NUMBER, number_min=0), "-1", "at least 0"),
        (q("size", T.SINGLE_CHOICE), "huge", "options given"),
        (q("size", T.SINGLE_CHOICE), ["goals", "work"], "options given"),
        (q("slots", T.MULTIPLE_CHOICE), ["goals", "unknown"], "only from the options"),
        (q("slots", T.MULTIPLE_CHOICE), ["goals", "goals"], "only once"),
        (q("slots", T.MULTIPLE_CHOICE), {"goals": True}, "wrong form"),
        (q("themes", T.RANKING), ["goals", "goals", "work"], "only one place"),
        (q("themes", T.RANKING), ["goals", "work", "other"], "only contain the options"),
        (q("themes", T.RANKING), ["goals", "work"], "every option"),
        (q("themes", T.RANKING, allow_partial=True), ["work", "work"], "only one place"),
        (q("mood", T.RATING_SCALE, scale_min=0, scale_max=5), "6", "from 0 to 5"),
        (q("mood", T.RATING_SCALE), "great", "whole number"),
        (q("solo", T.YES_NO), "maybe", "yes or no"),
        (q("privacy", T.CONSENT, consent_item="privacy_notice", required=True), None, "give this consent"),
        (q("privacy", T.CONSENT, consent_item="privacy_notice", required=True), "no", "give this consent"),
        (q("share", T.CONSENT, consent_item="share_name"), [1, 2], "Tick the box"),
    ],
)
def test_invalid_answers_get_a_clear_sentence(question: Question, raw: Any, message: str) -> None:
    value, errors = one(question, raw)
    assert value is None
    assert len(errors) == 1
    assert message in errors[0]
    assert errors[0][0].isupper() and errors[0].endswith(".")


@pytest.mark.parametrize("type_", [t for t in T.values if t != T.CONSENT])
@pytest.mark.parametrize("raw", [None, "", "   ", [], ["", ""]])
def test_required_questions_must_be_answered_and_optional_ones_may_be_left_empty(type_: str, raw: Any) -> None:
    required = q("k", type_, required=True)
    assert one(required, raw)[1] != []
    optional = q("k", type_)
    assert one(optional, raw) == (None, [])


def test_unknown_keys_are_ignored_and_a_non_mapping_is_a_clean_error() -> None:
    result = validate([q("name", T.SHORT_TEXT)], {"name": "Ann", "is_admin": "yes"}, "en")
    assert result.cleaned == {"name": "Ann"}
    assert result.is_valid
    broken = validate([q("name", T.SHORT_TEXT)], ["name", "Ann"], "en")
    assert not broken.is_valid
    assert broken.cleaned == {}


def test_a_hidden_question_is_not_required_and_its_answer_is_dropped() -> None:
    questions = [
        q("has_company", T.YES_NO, required=True),
        q("company", T.SHORT_TEXT, required=True, show_if={"question": "has_company", "equals": "yes"}),
    ]
    hidden = validate(questions, {"has_company": "no", "company": "Acme"}, "en")
    assert hidden.is_valid
    assert hidden.cleaned == {"has_company": False}
    shown = validate(questions, {"has_company": "yes"}, "en")
    assert shown.errors == {"company": ["Answer this question."]}
    assert validate(questions, {"has_company": "yes", "company": "Acme"}, "en").cleaned["company"] == "Acme"


def test_a_condition_on_a_multiple_choice_uses_contains() -> None:
    questions = [
        q("topics", T.MULTIPLE_CHOICE),
        q("networks_detail", T.LONG_TEXT, required=True, show_if={"question": "topics", "contains": "networks"}),
    ]
    assert validate(questions, {"topics": ["goals"]}, "en").is_valid
    assert "networks_detail" in validate(questions, {"topics": ["goals", "networks"]}, "en").errors


def test_messages_follow_the_respondents_language() -> None:
    question = q("email", T.EMAIL, required=True)
    english = one(question, "")[1][0]
    finnish = one(question, "", "fi")[1][0]
    swedish = one(question, "", "sv")[1][0]
    assert len({english, finnish, swedish}) == 3
    with translation.override("fi"):
        assert one(question, "bad", "sv")[1][0] == validate([question], {"email": "bad"}, "sv").errors["email"][0]
    assert translation.get_language() == "en"  # the engine leaves the active language alone


_junk = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True),
        st.text(),
        st.binary().map(lambda b: b.decode("utf-8", errors="replace")),
        st.sampled_from(["goals", "work", "networks", "yes", "no", "on", "5", "x" * 200_000]),
    ),
    lambda children: st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=12,
)
_ALL_TYPES = [
    q(f"q_{t}", t, required=True, consent_item="privacy_notice" if t == T.CONSENT else "") for t in T.values
] + [q("cond", T.SHORT_TEXT, required=True, show_if={"question": f"q_{T.YES_NO}", "equals": "yes"})]


@given(raw=st.one_of(_junk, st.dictionaries(st.sampled_from([x.key for x in _ALL_TYPES]), _junk)))
def test_random_input_never_raises(raw: Any) -> None:
    result = validate(_ALL_TYPES, raw, "fi")
    assert set(result.cleaned).isdisjoint(result.errors)
    for messages in result.errors.values():
        assert messages and all(isinstance(m, str) and m for m in messages)
    for key in result.cleaned:
        assert key in {x.key for x in _ALL_TYPES}

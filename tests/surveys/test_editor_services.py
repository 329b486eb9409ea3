"""What the form editor relies on in the services: conditions checked against options, scale sizes, one form in use."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from kollega.core.models import Role
from kollega.recruitment.selectors import registration_form
from kollega.surveys import selectors, services
from kollega.surveys.editor_forms import language_gaps, lines_to_options, options_to_lines
from kollega.surveys.models import Form, Purpose, QuestionType
from tests.factories import make_organisation, make_programme, make_staff
from tests.surveys.factories import ask, make_form, opts

pytestmark = pytest.mark.django_db
T = QuestionType


def test_a_condition_must_name_an_answer_the_earlier_question_can_have() -> None:
    form = make_form(purpose=Purpose.QUESTIONNAIRE)
    ask(form, "size", T.SINGLE_CHOICE, options=opts("solo", "small"))
    ask(form, "ok", T.YES_NO)
    ask(form, "slots", T.MULTIPLE_CHOICE, options_source="time_slots")
    with pytest.raises(ValidationError, match="is not an option"):
        ask(form, "a", T.SHORT_TEXT, show_if={"question": "size", "equals": "huge"})
    with pytest.raises(ValidationError, match="yes"):
        ask(form, "b", T.SHORT_TEXT, show_if={"question": "ok", "equals": "perhaps"})
    with pytest.raises(ValidationError, match="Give the answer"):
        ask(form, "c", T.SHORT_TEXT, show_if={"question": "size", "equals": " "})
    # Sourced options are checked against what the programme gives now.
    with pytest.raises(ValidationError, match="is not an option"):
        ask(form, "d", T.SHORT_TEXT, show_if={"question": "slots", "contains": "midnight"})
    assert ask(form, "e", T.SHORT_TEXT, show_if={"question": "slots", "contains": "morning"})
    assert ask(form, "f", T.SHORT_TEXT, show_if={"question": "size", "equals": "solo"})
    assert ask(form, "g", T.SHORT_TEXT, show_if={"question": "ok", "equals": "no"})


def test_a_rating_scale_has_at_most_21_points() -> None:
    form = make_form(purpose=Purpose.QUESTIONNAIRE)
    assert ask(form, "nps", T.RATING_SCALE, scale_min=0, scale_max=10)
    assert ask(form, "wide", T.RATING_SCALE, scale_min=-10, scale_max=10)
    with pytest.raises(ValidationError, match="at most 21 points"):
        ask(form, "too_wide", T.RATING_SCALE, scale_min=0, scale_max=21)


def test_form_activate_keeps_one_registration_form_in_use() -> None:
    programme = make_programme()
    original = registration_form(programme=programme)
    assert original is not None
    copy = services.form_copy(form=original)
    assert not copy.active and registration_form(programme=programme) == original
    assert services.form_activate(form=copy) == copy
    original.refresh_from_db()
    assert registration_form(programme=programme) == copy and not original.active
    # Back again; activating the form in use changes nothing.
    services.form_activate(form=original)
    services.form_activate(form=original)
    assert Form.objects.filter(programme=programme, purpose=Purpose.REGISTRATION, active=True).get() == original


def test_form_activate_refuses_forms_registration_cannot_use() -> None:
    programme = make_programme()
    questionnaire = make_form(programme, purpose=Purpose.QUESTIONNAIRE)
    with pytest.raises(ValidationError, match="Only a programme's registration form"):
        services.form_activate(form=questionnaire)
    original = registration_form(programme=programme)
    assert original is not None
    copy = services.form_copy(form=original)
    services.question_delete(question=copy.questions.get(key="privacy"), actor=None)
    services.question_update(question=copy.questions.get(key="name"), required=False)
    with pytest.raises(ValidationError) as caught:
        services.form_activate(form=copy)
    assert len(caught.value.messages) == 2
    assert "“name”" in caught.value.messages[0] and "privacy notice" in caught.value.messages[1]
    copy.refresh_from_db()
    assert not copy.active


def test_form_get_for_coordinator_checks_the_organisation() -> None:
    programme = make_programme()
    form = registration_form(programme=programme)
    assert form is not None
    assert selectors.form_get_for_coordinator(user=make_staff(programme.organisation), pk=form.pk) == form
    for user in (make_staff(make_organisation()), make_staff(programme.organisation, Role.FACILITATOR)):
        with pytest.raises(Http404):
            selectors.form_get_for_coordinator(user=user, pk=form.pk)


def test_option_lines_round_trip_and_report_each_bad_line() -> None:
    langs = ["fi", "en"]
    options = lines_to_options("morning | Aamu | Morning\n\n | Ilta | Evening\nIltapäivä | Afternoon", langs)
    assert [o["key"] for o in options] == ["morning", "ilta", "iltapaiva"]
    assert options[1]["label"] == {"fi": "Ilta", "en": "Evening"}
    assert lines_to_options(options_to_lines(options, langs), langs) == options
    with pytest.raises(ValidationError) as caught:
        lines_to_options("a | A | A\na | B | B\n | | \nBad Key! | x | y\none", langs)
    messages = caught.value.messages
    assert [m.split(":")[0] for m in messages] == ["Line 2", "Line 3", "Line 4", "Line 5"]


def test_language_gaps_name_missing_texts_and_labels() -> None:
    form = make_form(purpose=Purpose.QUESTIONNAIRE)
    q = ask(form, "q", T.SINGLE_CHOICE, text={"fi": "K", "sv": "F", "en": "Q"}, options=opts("a", "b"))
    assert language_gaps(q, ["fi", "sv", "en"]) == []
    q.options[1]["label"].pop("sv")
    assert language_gaps(q, ["fi", "sv", "en"]) == ["sv"]
    q.text.pop("en")
    assert language_gaps(q, ["fi", "sv", "en"]) == ["sv", "en"]

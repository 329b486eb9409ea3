"""A form rendered as a Django form in each language, and split into steps."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from kollega.surveys.forms import form_class, form_steps
from kollega.surveys.models import QuestionType
from tests.surveys.factories import ask, make_form, opts

T = QuestionType
pytestmark = pytest.mark.django_db


def test_labels_help_and_choices_are_in_the_chosen_language() -> None:
    form = make_form()
    ask(form, "size", T.SINGLE_CHOICE, options=opts("solo", "small"), help={"fi": "Valitse yksi", "sv": "Välj en"})
    ask(form, "mood", T.RATING_SCALE, scale_min=0, scale_max=5, scale_labels={"min": {"sv": "Dåligt"}, "max": {}})
    swedish = form_class(form, "sv")()
    assert swedish.fields["size"].label == "size (sv)?"
    assert swedish.fields["size"].help_text == "Välj en"
    html = str(swedish["size"]) + str(swedish["mood"])
    assert "solo sv" in html and "solo fi" not in html
    assert "0 – Dåligt" in html
    assert form_class(form, "fi")().fields["size"].label == "size?"


def test_the_django_form_accepts_and_refuses_exactly_what_the_engine_does() -> None:
    form = make_form()
    ask(form, "solo", T.YES_NO, required=True)
    ask(form, "company", T.SHORT_TEXT, required=True, show_if={"question": "solo", "equals": "yes"})
    ask(form, "themes", T.RANKING, options=opts("goals", "work"), required=True)
    cls = form_class(form, "en")
    rendered = str(cls())
    assert 'data-show-if="{&quot;equals&quot;: &quot;yes&quot;, &quot;question&quot;: &quot;solo&quot;}"' in rendered
    assert "themes_0" in rendered and "themes_1" in rendered  # one select per place
    ok = cls(QueryDict("solo=no&company=Acme&themes_0=work&themes_1=goals"))
    assert ok.is_valid(), ok.errors
    assert ok.cleaned_data == {"solo": False, "themes": ["work", "goals"]}
    bad = cls(QueryDict("solo=yes&themes_0=work&themes_1=work"))
    assert not bad.is_valid()
    assert set(bad.errors) == {"company", "themes"}
    assert bad["company"].value() is None and bad["themes"].value() == ["work", "work"]  # nothing typed is lost


def test_long_forms_come_in_short_steps_and_a_condition_stays_with_its_question() -> None:
    form = make_form()
    for n in range(4):
        ask(form, f"q{n}", T.YES_NO)
    ask(form, "why", T.SHORT_TEXT, show_if={"question": "q3", "equals": "yes"})
    ask(form, "last", T.SHORT_TEXT)
    steps = form_steps(list(form.questions.all()), per_step=2)
    assert [[q.key for q in step] for step in steps] == [["q0", "q1"], ["q2", "q3", "why"], ["last"]]

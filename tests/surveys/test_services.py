"""Forms change safely: answers keep their version, answered forms only grow, re-answering keeps history."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kollega.core.models import AuditEntry
from kollega.surveys import selectors, services
from kollega.surveys.models import Answer, Question, QuestionType, Response
from tests.factories import make_participant, make_programme
from tests.surveys.factories import ask, make_form, opts

T = QuestionType
pytestmark = pytest.mark.django_db


def test_submitting_stores_cleaned_answers_with_the_form_version() -> None:
    form = make_form()
    ask(form, "name", T.SHORT_TEXT, required=True)
    ask(form, "themes", T.RANKING, options=opts("goals", "work", "networks"))
    participant = make_participant(form.programme)
    response = services.response_submit(
        form=form,
        participant=participant,
        raw={"name": " <script>alert(1)</script> ", "themes": ["work", "goals", "networks"]},
        language="fi",
    )
    assert response.form_version == 1 and response.language == "fi"
    assert selectors.response_values(response=response) == {
        "name": "<script>alert(1)</script>",  # kept as plain text; templates escape it
        "themes": ["work", "goals", "networks"],
    }
    assert AuditEntry.objects.filter(action="surveys.response.submitted").count() == 1


def test_invalid_answers_store_nothing_and_name_each_question() -> None:
    form = make_form()
    ask(form, "email", T.EMAIL, required=True)
    ask(form, "years", T.NUMBER, number_min=0, number_max=80)
    with pytest.raises(ValidationError) as caught:
        services.response_submit(form=form, participant=None, raw={"email": "nope", "years": "200"}, language="en")
    assert set(caught.value.message_dict) == {"email", "years"}
    assert not Response.objects.exists() and not Answer.objects.exists()


def test_answering_again_replaces_the_earlier_response_and_keeps_it() -> None:
    form = make_form()
    ask(form, "mood", T.RATING_SCALE, scale_min=0, scale_max=5, required=True)
    participant = make_participant(form.programme)
    first = services.response_submit(form=form, participant=participant, raw={"mood": "2"}, language="en")
    second = services.response_submit(form=form, participant=participant, raw={"mood": "4"}, language="en")
    first.refresh_from_db()
    assert first.replaced_at is not None and first.replaced_at == second.submitted_at
    current = selectors.response_current(form=form, participant=participant)
    assert current == second
    assert selectors.response_values(response=current) == {"mood": 4}
    assert selectors.response_values(response=first) == {"mood": 2}
    assert list(selectors.responses_for_form(form=form)) == [second]
    assert list(selectors.responses_for_form(form=form, include_replaced=True)) == [first, second]


def test_an_answered_form_gains_questions_in_a_new_version_and_old_answers_keep_theirs() -> None:
    form = make_form()
    ask(form, "name", T.SHORT_TEXT, required=True)
    old = services.response_submit(form=form, participant=None, raw={"name": "Ann"}, language="en")
    ask(form, "phone", T.PHONE, required=True)
    form.refresh_from_db()
    assert form.version == 2
    assert [q.key for q in selectors.form_questions(form=form, version=1)] == ["name"]
    assert [q.key for q in selectors.form_questions(form=form)] == ["name", "phone"]
    with pytest.raises(ValidationError) as caught:
        services.response_submit(form=form, participant=None, raw={"name": "Bo"}, language="en")
    assert "phone" in caught.value.message_dict
    new = services.response_submit(
        form=form, participant=None, raw={"name": "Bo", "phone": "040 123 4567"}, language="en"
    )
    assert (old.form_version, new.form_version) == (1, 2)
    # A question added before any answer does not make a new version.
    fresh = make_form()
    ask(fresh, "a", T.SHORT_TEXT)
    ask(fresh, "b", T.SHORT_TEXT)
    fresh.refresh_from_db()
    assert fresh.version == 1


def test_an_answered_form_cannot_change_lose_or_reorder_questions() -> None:
    form = make_form()
    name = ask(form, "name", T.SHORT_TEXT)
    ask(form, "email", T.EMAIL)
    services.response_submit(form=form, participant=None, raw={"name": "Ann"}, language="en")
    refusals = [
        lambda: services.question_update(question=name, required=True),
        lambda: services.question_delete(question=name),
        lambda: services.questions_reorder(form=form, keys=["email", "name"]),
    ]
    for refuse in refusals:
        with pytest.raises(ValidationError, match="can only gain questions or be copied"):
            refuse()
    name.refresh_from_db()
    assert not name.required and Question.objects.filter(form=form).count() == 2


def test_an_unanswered_form_can_be_edited_reordered_and_trimmed() -> None:
    form = make_form()
    name = ask(form, "name", T.SHORT_TEXT)
    email = ask(form, "email", T.EMAIL)
    services.question_update(question=name, required=True, text={"en": "Your name", "fi": "Nimesi"})
    services.questions_reorder(form=form, keys=["email", "name"])
    assert [q.key for q in selectors.form_questions(form=form)] == ["email", "name"]
    services.question_delete(question=email)
    assert [q.key for q in selectors.form_questions(form=form)] == ["name"]
    assert selectors.form_questions(form=form)[0].required


def test_copying_gives_a_new_unanswered_form_with_the_same_questions() -> None:
    form = make_form()
    ask(form, "name", T.SHORT_TEXT)
    services.response_submit(form=form, participant=None, raw={"name": "Ann"}, language="en")
    ask(form, "topics", T.MULTIPLE_CHOICE, options=opts("a", "b"))
    copy = services.form_copy(form=form)
    assert copy.pk != form.pk and copy.version == 1
    assert [(q.key, q.type, q.options, q.added_in_version) for q in selectors.form_questions(form=copy)] == [
        ("name", T.SHORT_TEXT, [], 1),
        ("topics", T.MULTIPLE_CHOICE, opts("a", "b"), 1),
    ]
    assert not selectors.form_has_responses(form=copy)
    services.question_update(question=copy.questions.get(key="name"), required=True)  # editable again


@pytest.mark.parametrize(
    ("key", "type_", "fields", "field"),
    [
        ("Bad Key!", T.SHORT_TEXT, {}, "key"),
        ("k", "colour", {}, "type"),
        ("k", T.SINGLE_CHOICE, {"options": opts("only")}, "options"),
        ("k", T.SINGLE_CHOICE, {"options": [*opts("a"), *opts("a")]}, "options"),
        ("k", T.CONSENT, {}, "consent_item"),
        ("k", T.RATING_SCALE, {"scale_min": 5, "scale_max": 1}, "scale_max"),
        ("k", T.SHORT_TEXT, {"show_if": {"question": "later", "equals": "x"}}, "show_if"),
        ("k", T.SHORT_TEXT, {"show_if": {"question": "name", "contains": "x"}}, "show_if"),
        ("k", T.SHORT_TEXT, {"text": {}}, "text"),
        ("name", T.SHORT_TEXT, {}, "key"),
    ],
)
def test_a_question_that_cannot_be_answered_is_refused(key: str, type_: str, fields: dict, field: str) -> None:
    form = make_form()
    ask(form, "name", T.SHORT_TEXT)
    with pytest.raises(ValidationError) as caught:
        ask(form, key, type_, **fields)
    assert field in caught.value.message_dict
    assert form.questions.count() == 1


def test_reordering_cannot_put_a_condition_before_its_question() -> None:
    form = make_form()
    ask(form, "solo", T.YES_NO)
    ask(form, "why", T.LONG_TEXT, show_if={"question": "solo", "equals": "no"})
    with pytest.raises(ValidationError, match="depends on an answer"):
        services.questions_reorder(form=form, keys=["why", "solo"])
    with pytest.raises(ValidationError, match="shown only after this one"):
        services.question_delete(question=form.questions.get(key="solo"))


def test_the_database_refuses_duplicate_keys_and_unknown_types() -> None:
    form = make_form()
    ask(form, "name", T.SHORT_TEXT)
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.create(form=form, key="name", type=T.SHORT_TEXT, text={"en": "x"})
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.create(form=form, key="other", type="colour", text={"en": "x"})


def test_a_form_of_another_programme_is_refused() -> None:
    form = make_form()
    ask(form, "name", T.SHORT_TEXT)
    stranger = make_participant(make_programme())
    with pytest.raises(ValidationError, match="another programme"):
        services.response_submit(form=form, participant=stranger, raw={"name": "Ann"}, language="en")


def test_listing_responses_takes_a_fixed_number_of_queries(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    form = make_form()
    ask(form, "name", T.SHORT_TEXT)
    ask(form, "solo", T.YES_NO)
    for n in range(5):
        participant = make_participant(form.programme)
        services.response_submit(
            form=form, participant=participant, raw={"name": f"P{n}", "solo": "yes"}, language="en"
        )
    with django_assert_num_queries(2):
        rows = [
            (r.participant.user.email if r.participant else "", selectors.response_values(response=r))
            for r in selectors.responses_for_form(form=form)
        ]
    assert len(rows) == 5 and all(values["solo"] is True for _, values in rows)

"""Forms, questions and answers through the API."""

from __future__ import annotations

from typing import Any

import pytest

from kollega.core.models import AuditEntry, Participant, Programme
from kollega.recruitment import services as recruitment_services
from kollega.surveys.models import Form, Question

from .conftest import ApiClient
from .registration_data import answers, channel


def registration_form(programme: Programme) -> Form:
    return Form.objects.get(programme=programme, purpose="registration", active=True)


def submit(programme: Programme, **overrides: Any) -> Participant:
    outcome = recruitment_services.registration_submit(
        programme=programme, raw=answers(programme, **overrides), language="en", notify=False
    )
    return outcome.participant


def keys(api: ApiClient, form: Form) -> list[str]:
    return [q["key"] for q in api.get(f"/forms/{form.pk}").json()["questions"]]


# --- reading -----------------------------------------------------------------------


def test_list_a_programmes_forms(api: ApiClient, programme: Programme) -> None:
    submit(programme)

    response = api.get(f"/programmes/{programme.pk}/forms")

    assert response.status_code == 200
    [form] = response.json()
    assert form["purpose"] == "registration"
    assert form["active"] is True
    assert form["title"]["fi"] == "Ilmoittautuminen"
    assert form["question_count"] == 19
    assert form["response_count"] == 1


def test_read_a_form_with_options_from_the_programme(api: ApiClient, programme: Programme) -> None:
    channel(programme, "uutiskirje", "Uutiskirje")
    form = registration_form(programme)

    response = api.get(f"/forms/{form.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["answered"] is False
    assert body["version"] == 1
    questions = {q["key"]: q for q in body["questions"]}
    assert [q["key"] for q in body["questions"]][:3] == ["name", "email", "phone"]
    assert questions["name"]["text"] == {"fi": "Nimesi", "sv": "Ditt namn", "en": "Your name"}
    assert questions["time_slots"]["options_source"] == "time_slots"
    assert [o["key"] for o in questions["time_slots"]["options"]] == ["morning", "afternoon"]
    assert [o["key"] for o in questions["heard_from"]["options"]] == ["uutiskirje", "other"]
    assert len(questions["industry"]["options"]) == 21
    assert questions["company_size"]["options"][0] == {
        "key": "solo",
        "label": questions["company_size"]["options"][0]["label"],
    }
    assert questions["privacy"]["consent_item"] == "privacy_notice"
    assert questions["themes"]["allow_partial"] is True


# --- changing questions --------------------------------------------------------------


def test_add_a_question_at_the_end(api: ApiClient, programme: Programme) -> None:
    form = registration_form(programme)

    response = api.post(
        f"/forms/{form.pk}/questions",
        {
            "key": "wish",
            "type": "rating_scale",
            "text": {"fi": "Kuinka tärkeää?", "en": "How important?"},
            "scale_min": 0,
            "scale_max": 5,
            "scale_labels": {"min": {"en": "Not at all"}, "max": {"en": "Very"}},
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["key"] == "wish"
    assert body["text"] == {"fi": "Kuinka tärkeää?", "sv": "", "en": "How important?"}
    assert body["scale_labels"]["max"]["en"] == "Very"
    assert keys(api, form)[-1] == "wish"
    form.refresh_from_db()
    assert form.version == 1
    assert AuditEntry.objects.filter(action="surveys.question.added").exists()


def test_add_a_choice_question_with_its_own_options_and_condition(api: ApiClient, programme: Programme) -> None:
    form = registration_form(programme)

    response = api.post(
        f"/forms/{form.pk}/questions",
        {
            "key": "team_plans",
            "type": "single_choice",
            "text": {"en": "Do you plan to hire?"},
            "options": [{"key": "yes", "label": {"en": "Yes"}}, {"key": "no", "label": {"en": "No"}}],
            "show_if": {"question": "company_size", "equals": "2-9"},
            "required": True,
        },
    )

    assert response.status_code == 201, response.content
    question = Question.objects.get(form=form, key="team_plans")
    assert question.show_if == {"question": "company_size", "equals": "2-9"}
    assert question.options == [{"key": "yes", "label": {"en": "Yes"}}, {"key": "no", "label": {"en": "No"}}]
    assert question.required is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"key": "Bad Key!", "type": "short_text", "text": {"en": "X"}}, "key"),
        ({"key": "name", "type": "short_text", "text": {"en": "X"}}, "key"),
        ({"key": "x", "type": "essay", "text": {"en": "X"}}, "type"),
        ({"key": "x", "type": "short_text", "text": {"en": ""}}, "text"),
        ({"key": "x", "type": "short_text", "text": {"en": "X\u0000"}}, "text.en"),
        ({"key": "x", "type": "short_text", "text": {"en": "X"}, "colour": "red"}, "colour"),
        (
            {"key": "x", "type": "single_choice", "text": {"en": "X"}, "options": [{"key": "a", "label": {"en": "A"}}]},
            "options",
        ),
        (
            {"key": "x", "type": "short_text", "text": {"en": "X"}, "show_if": {"question": "nothing", "equals": 1}},
            "show_if",
        ),
        ({"key": "x", "type": "number", "text": {"en": "X"}, "number_min": 10**20}, "number_min"),
        ({"key": "x", "type": "consent", "text": {"en": "X"}}, "consent_item"),
    ],
)
def test_a_question_that_cannot_be_answered_is_refused(
    api: ApiClient, programme: Programme, body: dict[str, Any], field: str
) -> None:
    form = registration_form(programme)

    response = api.post(f"/forms/{form.pk}/questions", body)

    assert response.status_code == 422, response.content
    assert field in response.json()["errors"], response.json()
    assert form.questions.count() == 19


def test_change_a_question(api: ApiClient, programme: Programme) -> None:
    question = registration_form(programme).questions.get(key="region")

    response = api.patch(f"/questions/{question.pk}", {"text": {"en": "Your municipality"}, "required": False})

    assert response.status_code == 200, response.content
    question.refresh_from_db()
    assert question.text["en"] == "Your municipality"
    assert question.text["fi"]  # other languages stay
    assert question.required is False
    assert response.json()["text"]["en"] == "Your municipality"


def test_change_a_question_refused_by_the_rules(api: ApiClient, programme: Programme) -> None:
    question = registration_form(programme).questions.get(key="region")

    response = api.patch(f"/questions/{question.pk}", {"key": "email"})

    assert response.status_code == 422
    assert response.json()["errors"] == {"key": ["Another question of this form already has this key."]}


def test_delete_and_reorder(api: ApiClient, programme: Programme) -> None:
    form = registration_form(programme)
    phone = form.questions.get(key="phone")

    assert api.client.delete(f"/api/v1/questions/{phone.pk}", headers=api._headers("en")).status_code == 204
    order = keys(api, form)
    assert "phone" not in order
    new_order = [order[1], order[0], *order[2:]]
    response = api.post(f"/forms/{form.pk}/order", {"keys": new_order})

    assert response.status_code == 200, response.content
    assert [q["key"] for q in response.json()["questions"]] == new_order


def test_reorder_needs_every_question_once(api: ApiClient, programme: Programme) -> None:
    form = registration_form(programme)

    response = api.post(f"/forms/{form.pk}/order", {"keys": ["email", "name"]})

    assert response.status_code == 422
    assert response.json()["detail"] == "Give every question of the form exactly once."
    assert keys(api, form)[:2] == ["name", "email"]


def test_an_answered_form_only_gains_questions(api: ApiClient, programme: Programme) -> None:
    form = registration_form(programme)
    submit(programme)
    region = form.questions.get(key="region")
    before = keys(api, form)

    changed = api.patch(f"/questions/{region.pk}", {"required": False})
    deleted = api.client.delete(f"/api/v1/questions/{region.pk}", headers=api._headers("en"))
    reordered = api.post(f"/forms/{form.pk}/order", {"keys": list(reversed(before))})
    added = api.post(f"/forms/{form.pk}/questions", {"key": "later", "type": "long_text", "text": {"en": "Later?"}})

    for refused in (changed, deleted, reordered):
        assert refused.status_code == 409
        assert refused.json()["code"] == "form_answered"
        assert refused.json()["detail"] == "A form that already has answers can only gain questions or be copied."
    assert added.status_code == 201
    assert added.json()["added_in_version"] == 2
    region.refresh_from_db()
    assert region.required is True
    assert keys(api, form) == [*before, "later"]
    assert api.get(f"/forms/{form.pk}").json()["version"] == 2


def test_copy_then_use_the_copy_for_registration(api: ApiClient, programme: Programme) -> None:
    form = registration_form(programme)
    submit(programme)

    copied = api.post(f"/forms/{form.pk}/copy", {"title": {"en": "Registration, autumn"}})

    assert copied.status_code == 201, copied.content
    copy = copied.json()
    assert copy["active"] is False
    assert copy["answered"] is False
    assert copy["title"]["en"] == "Registration, autumn"
    assert copy["title"]["fi"] == "Ilmoittautuminen"
    assert [q["key"] for q in copy["questions"]] == keys(api, form)

    activated = api.post(f"/forms/{copy['id']}/activate")

    assert activated.status_code == 200, activated.content
    assert activated.json()["active"] is True
    form.refresh_from_db()
    assert form.active is False
    assert [f["id"] for f in api.get(f"/programmes/{programme.pk}/forms").json() if f["active"]] == [copy["id"]]


# --- answers -----------------------------------------------------------------------


def test_answers_are_pages_with_values_by_key(api: ApiClient, programme: Programme) -> None:
    form = registration_form(programme)
    people = [submit(programme, name=f"Person {n}") for n in range(3)]

    first = api.get(f"/forms/{form.pk}/responses", {"limit": 2}).json()
    second = api.get(f"/forms/{form.pk}/responses", {"limit": 2, "offset": 2}).json()

    assert first["count"] == 3
    assert [r["participant_id"] for r in first["items"] + second["items"]] == [p.pk for p in people]
    item = first["items"][0]
    assert item["form_version"] == 1
    assert item["language"] == "en"
    assert item["values"]["name"] == "Person 0"
    assert item["values"]["privacy"] is True
    assert item["replaced_at"] is None
    assert item["submitted_at"].endswith(("+02:00", "+03:00"))


def test_paging_out_of_range(api: ApiClient, programme: Programme) -> None:
    form = registration_form(programme)
    assert api.get(f"/forms/{form.pk}/responses", {"offset": 10}).json()["items"] == []
    assert api.get(f"/forms/{form.pk}/responses", {"limit": 0}).status_code == 422


def test_a_participants_registration_answers(api: ApiClient, programme: Programme) -> None:
    person = submit(programme, company_name="Hunaja Oy")

    response = api.get(f"/participants/{person.pk}/registration-answers")

    assert response.status_code == 200
    body = response.json()
    assert body["participant_id"] == person.pk
    assert body["response"]["values"]["company_name"] == "Hunaja Oy"
    assert body["response"]["form_id"] == registration_form(programme).pk


def test_a_person_added_without_the_form_has_no_answers(api: ApiClient, programme: Programme) -> None:
    from tests.factories import make_participant

    person = make_participant(programme)

    body = api.get(f"/participants/{person.pk}/registration-answers").json()

    assert body == {"participant_id": person.pk, "response": None}


# --- who may ------------------------------------------------------------------------


def test_another_organisations_forms_do_not_exist_for_me(api: ApiClient, other_programme: Programme) -> None:
    form = registration_form(other_programme)
    question = form.questions.get(key="region")
    person = submit(other_programme)

    responses = [
        api.get(f"/programmes/{other_programme.pk}/forms"),
        api.get(f"/forms/{form.pk}"),
        api.get(f"/forms/{form.pk}/responses"),
        api.post(f"/forms/{form.pk}/questions", {"key": "x", "type": "short_text", "text": {"en": "X"}}),
        api.patch(f"/questions/{question.pk}", {"required": False}),
        api.client.delete(f"/api/v1/questions/{question.pk}", headers=api._headers("en")),
        api.post(f"/forms/{form.pk}/order", {"keys": []}),
        api.post(f"/forms/{form.pk}/copy"),
        api.post(f"/forms/{form.pk}/activate"),
        api.get(f"/participants/{person.pk}/registration-answers"),
        api.get("/forms/999999"),
    ]

    assert [r.status_code for r in responses] == [404] * len(responses)
    assert form.questions.count() == 19
    assert Form.objects.filter(programme=other_programme).count() == 1


def test_a_facilitator_may_not(facilitator_api: ApiClient, programme: Programme) -> None:
    form = registration_form(programme)

    assert facilitator_api.get(f"/forms/{form.pk}").status_code == 403
    assert facilitator_api.get(f"/programmes/{programme.pk}/forms").status_code == 403
    response = facilitator_api.post(
        f"/forms/{form.pk}/questions", {"key": "x", "type": "short_text", "text": {"en": "X"}}
    )
    assert response.status_code == 403
    assert form.questions.count() == 19


def test_no_token_no_forms(programme: Programme) -> None:
    from django.test import Client

    form = registration_form(programme)
    assert ApiClient(Client(), None).get(f"/forms/{form.pk}").status_code == 401


def test_answers_take_a_fixed_number_of_queries(api: ApiClient, programme: Programme) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    form = registration_form(programme)
    submit(programme)
    path = f"/forms/{form.pk}/responses"
    api.get(path)  # the token's "last used" is written on the first call only

    with CaptureQueriesContext(connection) as one:
        api.get(path)
    for _ in range(8):
        submit(programme)
    with CaptureQueriesContext(connection) as nine:
        assert api.get(path).json()["count"] == 9

    assert len(nine.captured_queries) == len(one.captured_queries)

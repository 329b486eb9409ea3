"""Conditional questions: decided by the server across steps, by a small script within a step."""

from __future__ import annotations

from django.test import Client

from kollega.core.models import Participant
from kollega.recruitment.selectors import registration_form
from kollega.surveys.models import Answer, QuestionType
from kollega.surveys.services import question_add
from tests.outreach_public.conftest import register_url, step_post, walk, wizard
from tests.recruitment.factories import answers


def _add_conditional_questions(programme) -> None:
    form = registration_form(programme=programme)
    assert form is not None
    # Depends on an answer given on an earlier step.
    question_add(
        form=form,
        key="staff_count",
        type=QuestionType.NUMBER,
        required=True,
        text={"en": "How many people work in your company?"},
        show_if={"question": "company_size", "equals": "2-9"},
    )
    # Depends on the question just before it, on the same step.
    question_add(
        form=form,
        key="wants_call",
        type=QuestionType.YES_NO,
        required=True,
        text={"en": "Would you like a phone call before the interview?"},
    )
    question_add(
        form=form,
        key="call_time",
        type=QuestionType.SHORT_TEXT,
        required=True,
        text={"en": "When is a good time to call?"},
        show_if={"question": "wants_call", "equals": "yes"},
    )


def _last_step_page(client: Client, programme, data) -> str:
    url = register_url(programme)
    started = client.get(url).context["state_id"]
    steps = wizard(programme).steps
    response = None
    for index in range(len(steps) - 1):
        response = client.post(url, step_post(programme, data, index, started))
        assert response.status_code == 302
    assert response is not None
    return client.get(response["Location"]).content.decode()


def _pages_after_first_step(client: Client, programme, data) -> str:
    """Every step's page that follows the first, as the registrant walks through them."""
    url = register_url(programme)
    started = client.get(url).context["state_id"]
    pages = []
    for index in range(len(wizard(programme).steps) - 1):
        response = client.post(url, step_post(programme, data, index, started))
        assert response.status_code == 302
        pages.append(client.get(response["Location"]).content.decode())
    return "\n".join(pages)


def test_a_question_ruled_out_by_an_earlier_step_is_not_asked(programme):
    _add_conditional_questions(programme)
    solo = _pages_after_first_step(Client(), programme, answers(programme, company_size="solo"))
    assert "How many people work in your company?" not in solo
    micro = _pages_after_first_step(Client(), programme, answers(programme, company_size="2-9", staff_count="3"))
    assert "How many people work in your company?" in micro


def test_a_condition_within_the_step_is_marked_for_the_script_and_shown_without_it(programme):
    _add_conditional_questions(programme)
    text = _last_step_page(Client(), programme, answers(programme))
    assert "When is a good time to call?" in text  # without JavaScript every question shows
    assert "data-show-if=" in text and "wants_call" in text
    assert 'form.querySelectorAll("[data-show-if]")' in text


def test_the_server_ignores_an_answer_to_a_hidden_question(programme):
    _add_conditional_questions(programme)
    data = answers(programme, email="ei-soittoa@example.org", wants_call="no", call_time="tiistaina")
    response = walk(Client(), programme, data)
    assert response.status_code == 302
    participant = Participant.objects.get(user__email="ei-soittoa@example.org")
    keys = set(Answer.objects.filter(response__participant=participant).values_list("question__key", flat=True))
    assert "wants_call" in keys
    assert "call_time" not in keys
    assert "staff_count" not in keys


def test_a_shown_conditional_question_is_required(programme):
    _add_conditional_questions(programme)
    client = Client()
    data = answers(programme, wants_call="yes", call_time="")
    response = walk(client, programme, data)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'href="#id_call_time"' in text
    assert not Participant.objects.exists()

"""The coordinator's form editor: questions added, edited, moved, deleted and previewed; answered forms and copies."""

from __future__ import annotations

from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from kollega.accounts.models import User
from kollega.core.models import AuditEntry, Role
from kollega.recruitment.selectors import registration_form
from kollega.surveys import services
from kollega.surveys.models import Form, Purpose, QuestionType
from kollega.surveys.selectors import form_questions
from tests.factories import make_organisation, make_participant, make_programme, make_staff
from tests.surveys.factories import ask, make_form, opts

pytestmark = pytest.mark.django_db
T = QuestionType


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def setup():
    org = make_organisation("Alfa")
    coordinator = make_staff(org)
    programme = make_programme(org, languages=["fi", "sv", "en"])
    form = make_form(programme, purpose=Purpose.QUESTIONNAIRE)
    ask(form, "solo", T.YES_NO, required=True)
    ask(form, "topics", T.MULTIPLE_CHOICE, options=opts("money", "time", "people"))
    ask(form, "why", T.LONG_TEXT, show_if={"question": "solo", "equals": "no"})
    return {"org": org, "coordinator": coordinator, "programme": programme, "form": form}


def keys(form: Form) -> list[str]:
    return [q.key for q in form_questions(form=form)]


def editor_urls(form: Form) -> list[str]:
    question = form.questions.get(key="topics")
    return [
        reverse("surveys:form_detail", args=[form.pk]),
        reverse("surveys:question_add", args=[form.pk]),
        reverse("surveys:question_add", args=[form.pk]) + "?type=short_text",
        reverse("surveys:question_edit", args=[form.pk, question.pk]),
        reverse("surveys:question_delete", args=[form.pk, question.pk]),
        reverse("surveys:form_preview", args=[form.pk, "fi"]),
    ]


def test_only_the_organisations_coordinators_reach_the_editor(setup) -> None:
    form, programme = setup["form"], setup["programme"]
    own = client_for(setup["coordinator"])
    for url in editor_urls(form):
        assert own.get(url).status_code == 200, url
    assert own.get(reverse("surveys:registration_form", args=[programme.pk])).status_code == 302
    outsider = make_staff(make_organisation("Beta"))
    facilitator = make_staff(setup["org"], Role.FACILITATOR)
    participant = make_participant(programme).user
    question = form.questions.get(key="topics")
    for user in (outsider, facilitator, participant):
        client = client_for(user)
        for url in [*editor_urls(form), reverse("surveys:registration_form", args=[programme.pk])]:
            assert client.get(url).status_code == 404, (user, url)
        posts = [
            (reverse("surveys:question_move", args=[form.pk, question.pk]), {"direction": "up"}),
            (reverse("surveys:question_delete", args=[form.pk, question.pk]), {}),
            (reverse("surveys:form_copy", args=[form.pk]), {}),
            (reverse("surveys:form_activate", args=[form.pk]), {}),
            (reverse("surveys:question_add", args=[form.pk]), {"type": "short_text", "key": "x", "text_fi": "X"}),
        ]
        for url, data in posts:
            assert client.post(url, data).status_code == 404, (user, url)
    assert keys(form) == ["solo", "topics", "why"]
    assert Form.objects.filter(programme=programme).count() == 2  # the registration form and this one
    # A question of another form is not found under this form's address.
    other = make_form(make_programme(setup["org"]), purpose=Purpose.QUESTIONNAIRE)
    stranger = ask(other, "x", T.SHORT_TEXT)
    assert own.get(reverse("surveys:question_edit", args=[form.pk, stranger.pk])).status_code == 404


def test_the_list_shows_types_conditions_and_missing_languages(setup) -> None:
    form = setup["form"]
    ask(form, "english_only", T.SHORT_TEXT, text={"en": "Only in English"})
    page = client_for(setup["coordinator"]).get(reverse("surveys:form_detail", args=[form.pk]))
    text = unescape(page.text)
    assert "Multiple choice" in text and "Yes or no" in text
    assert "Shown only when the answer to “solo (en)?” is “No”." in text
    assert "1 question lacks a text in one of the programme's languages" in text
    assert "Missing: Finnish, Swedish" in text
    for label in ("Preview in Finnish", "Preview in Swedish", "Preview in English"):
        assert label in text
    assert "Edit" in text and "Up" in text and "Down" in text


def test_add_a_choice_question_with_options_and_a_condition(setup) -> None:
    form = setup["form"]
    client = client_for(setup["coordinator"])
    url = reverse("surveys:question_add", args=[form.pk])
    chooser = client.get(url).text
    assert "First choose what kind of answer" in chooser and 'name="type"' in chooser
    page = client.get(url, {"type": "single_choice"}).text
    assert "Options" in page and "Show this question only when the question" in page
    data = {
        "type": "single_choice",
        "key": "size",
        "text_fi": "Koko?",
        "text_sv": "Storlek?",
        "text_en": "Size?",
        "required": "on",
        "options": "solo | Yksin | Ensam | Alone\nPari | Kaksi | Två | Two\nbroken line",
        "options_source": "",
        "show_if_question": "topics",
        "show_if_operator": "contains",
        "show_if_value": "people",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Line 3: write the key and then one label per language" in unescape(response.text)
    assert "Koko?" in response.text  # what was typed stays
    data["options"] = "solo | Yksin | Ensam | Alone\n | Kaksi | Två | Two"
    response = client.post(url, data)
    assert response.status_code == 302
    question = form.questions.get(key="size")
    assert question.required and question.type == T.SINGLE_CHOICE
    assert question.options == [
        {"key": "solo", "label": {"fi": "Yksin", "sv": "Ensam", "en": "Alone"}},
        {"key": "kaksi", "label": {"fi": "Kaksi", "sv": "Två", "en": "Two"}},
    ]
    assert question.show_if == {"question": "topics", "contains": "people"}
    assert keys(form)[-1] == "size"
    assert AuditEntry.objects.filter(action="surveys.question.added", data__key="size").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"type": "short_text", "key": "Bad Key", "text_fi": "Q"}, "Use lower-case letters"),
        ({"type": "short_text", "key": "solo", "text_fi": "Q"}, "already has this key"),
        ({"type": "short_text", "key": "new"}, "Write the question in at least one language."),
        ({"type": "rating_scale", "key": "r", "text_fi": "Q", "scale_min": "5", "scale_max": "1"}, "greater than"),
        ({"type": "rating_scale", "key": "r", "text_fi": "Q", "scale_min": "0", "scale_max": "40"}, "at most 21"),
        ({"type": "number", "key": "n", "text_fi": "Q", "number_min": "10", "number_max": "1"}, "cannot be smaller"),
        ({"type": "consent", "key": "c", "text_fi": "Q", "consent_item": ""}, "Choose the consent"),
        ({"type": "single_choice", "key": "c", "text_fi": "Q", "options": "a | A | A | A"}, "at least two options"),
        (
            {"type": "short_text", "key": "c", "text_fi": "Q", "show_if_question": "topics", "show_if_value": "x"},
            "is not an option",
        ),
        (
            {"type": "short_text", "key": "c", "text_fi": "Q", "show_if_question": "solo", "show_if_value": "maybe"},
            "“yes” or “no”",
        ),
        (
            {
                "type": "short_text",
                "key": "c",
                "text_fi": "Q",
                "show_if_question": "solo",
                "show_if_operator": "contains",
                "show_if_value": "yes",
            },
            "Only a multiple-choice question",
        ),
    ],
)
def test_a_bad_question_is_refused_with_a_clear_message(setup, data, message) -> None:
    form = setup["form"]
    response = client_for(setup["coordinator"]).post(reverse("surveys:question_add", args=[form.pk]), data)
    assert response.status_code == 200
    assert "There is a problem" in response.text and message in unescape(response.text)
    assert keys(form) == ["solo", "topics", "why"]


def test_rating_scale_and_number_questions(setup) -> None:
    form = setup["form"]
    client = client_for(setup["coordinator"])
    url = reverse("surveys:question_add", args=[form.pk])
    response = client.post(
        url,
        {
            "type": "rating_scale",
            "key": "mood",
            "text_en": "How do you feel?",
            "scale_min": "0",
            "scale_max": "10",
            "scale_min_label_en": "Bad",
            "scale_max_label_en": "Great",
            "scale_max_label_fi": "Loistava",
        },
    )
    assert response.status_code == 302
    mood = form.questions.get(key="mood")
    assert (mood.scale_min, mood.scale_max) == (0, 10)
    assert mood.scale_labels == {"min": {"en": "Bad"}, "max": {"fi": "Loistava", "en": "Great"}}
    response = client.post(url, {"type": "number", "key": "years", "text_en": "Years?", "number_min": "0"})
    assert response.status_code == 302
    years = form.questions.get(key="years")
    assert (years.number_min, years.number_max) == (0, None)


def test_edit_a_question_and_change_its_type(setup) -> None:
    form = setup["form"]
    client = client_for(setup["coordinator"])
    topics = form.questions.get(key="topics")
    url = reverse("surveys:question_edit", args=[form.pk, topics.pk])
    page = client.get(url).text
    assert "money | money fi | money sv | money en" in page  # options as editable lines
    changing = client.get(url, {"type": "long_text"}).text
    assert "What the earlier type needed (such as its options) is removed." in unescape(changing)
    response = client.post(url, {"type": "long_text", "key": "topics", "text_en": "Topics?", "max_length": "300"})
    assert response.status_code == 302
    topics.refresh_from_db()
    assert topics.type == T.LONG_TEXT and topics.options == [] and topics.max_length == 300
    # Texts in other languages were kept only where the form shows them: all three here, so fi and sv are now empty.
    assert topics.text == {"en": "Topics?"}


def test_reorder_with_up_and_down_and_the_condition_guard(setup) -> None:
    form = setup["form"]
    client = client_for(setup["coordinator"])
    topics = form.questions.get(key="topics")
    why = form.questions.get(key="why")
    client.post(reverse("surveys:question_move", args=[form.pk, topics.pk]), {"direction": "up"})
    assert keys(form) == ["topics", "solo", "why"]
    client.post(reverse("surveys:question_move", args=[form.pk, topics.pk]), {"direction": "down"})
    assert keys(form) == ["solo", "topics", "why"]
    # "why" depends on "solo": moving "solo" below it is refused with the reason.
    client.post(reverse("surveys:question_move", args=[form.pk, topics.pk]), {"direction": "down"})
    assert keys(form) == ["solo", "why", "topics"]
    response = client.post(reverse("surveys:question_move", args=[form.pk, why.pk]), {"direction": "up"}, follow=True)
    assert "depends on an answer that would come after it" in unescape(response.text)
    assert keys(form) == ["solo", "why", "topics"]


def test_delete_asks_once_and_refuses_a_question_others_depend_on(setup) -> None:
    form = setup["form"]
    client = client_for(setup["coordinator"])
    solo = form.questions.get(key="solo")
    topics = form.questions.get(key="topics")
    url = reverse("surveys:question_delete", args=[form.pk, topics.pk])
    assert "This cannot be undone" in client.get(url).text
    assert "topics" in keys(form)
    assert client.post(url).status_code == 302
    assert keys(form) == ["solo", "why"]
    refused = client.post(reverse("surveys:question_delete", args=[form.pk, solo.pk]))
    assert refused.status_code == 200 and "Another question is shown only after this one" in refused.text
    assert keys(form) == ["solo", "why"]


def test_an_answered_form_only_gains_questions_or_is_copied(setup) -> None:
    form, programme = setup["form"], setup["programme"]
    services.response_submit(form=form, participant=make_participant(programme), raw={"solo": "yes"}, language="fi")
    client = client_for(setup["coordinator"])
    page = unescape(client.get(reverse("surveys:form_detail", args=[form.pk])).text)
    assert "1 answer; you can add questions or make a copy." in page
    topics = form.questions.get(key="topics")
    for name in ("question_edit", "question_delete", "question_move"):
        assert reverse(f"surveys:{name}", args=[form.pk, topics.pk]) not in page
    # The server refuses them too.
    response = client.post(
        reverse("surveys:question_edit", args=[form.pk, topics.pk]),
        {"type": "short_text", "key": "topics", "text_en": "Changed"},
        follow=True,
    )
    assert "can only gain questions or be copied" in response.text
    client.post(reverse("surveys:question_delete", args=[form.pk, topics.pk]))
    client.post(reverse("surveys:question_move", args=[form.pk, topics.pk]), {"direction": "up"})
    assert keys(form) == ["solo", "topics", "why"]
    assert form.questions.get(key="topics").type == T.MULTIPLE_CHOICE
    # Adding is allowed and makes a new version.
    response = client.post(
        reverse("surveys:question_add", args=[form.pk]), {"type": "short_text", "key": "extra", "text_fi": "Lisää?"}
    )
    assert response.status_code == 302
    form.refresh_from_db()
    assert form.version == 2 and form.questions.get(key="extra").added_in_version == 2
    # A copy is unanswered and editable.
    response = client.post(reverse("surveys:form_copy", args=[form.pk]))
    copy = Form.objects.exclude(pk=form.pk).get(programme=programme, purpose=Purpose.QUESTIONNAIRE)
    assert response["Location"] == reverse("surveys:form_detail", args=[copy.pk])
    assert keys(copy) == ["solo", "topics", "why", "extra"] and copy.version == 1
    assert copy.title["en"] == "Registration (copy)"
    copy_page = client.get(reverse("surveys:form_detail", args=[copy.pk])).text
    assert reverse("surveys:question_edit", args=[copy.pk, copy.questions.get(key="topics").pk]) in copy_page


def test_copy_of_the_registration_form_and_using_it(setup) -> None:
    programme = setup["programme"]
    client = client_for(setup["coordinator"])
    original = registration_form(programme=programme)
    assert original is not None
    # The programme's page for its registration form leads to the form in use.
    response = client.get(reverse("surveys:registration_form", args=[programme.pk]))
    assert response["Location"] == reverse("surveys:form_detail", args=[original.pk])
    assert "In use for registration" in client.get(response["Location"]).text
    client.post(reverse("surveys:form_copy", args=[original.pk]))
    copy = Form.objects.get(programme=programme, purpose=Purpose.REGISTRATION, active=False)
    page = client.get(reverse("surveys:form_detail", args=[copy.pk])).text
    assert "This form is not in use" in page and "Use this copy for registration" in page
    # A copy without the email question cannot be used.
    services.question_delete(question=copy.questions.get(key="email"), actor=None)
    response = client.post(reverse("surveys:form_activate", args=[copy.pk]), follow=True)
    assert "The form was not put in use" in response.text and "key “email”" in unescape(response.text)
    assert registration_form(programme=programme) == original
    services.question_add(form=copy, key="email", type=T.EMAIL, required=True, text={"fi": "Sähköposti"})
    response = client.post(reverse("surveys:form_activate", args=[copy.pk]), follow=True)
    assert "Registration now asks this form" in response.text
    assert registration_form(programme=programme) == copy
    assert Form.objects.filter(programme=programme, purpose=Purpose.REGISTRATION, active=True).count() == 1
    assert AuditEntry.objects.filter(action="surveys.form.activated").count() == 1


def test_the_default_form_is_made_when_the_programme_has_none(setup) -> None:
    programme = setup["programme"]
    Form.objects.filter(programme=programme, purpose=Purpose.REGISTRATION).delete()
    client = client_for(setup["coordinator"])
    url = reverse("surveys:registration_form", args=[programme.pk])
    page = client.get(url)
    assert page.status_code == 200 and "The programme has no registration form yet" in page.text
    assert "Make the default registration form" in page.text
    response = client.post(url)
    made = registration_form(programme=programme)
    assert made is not None and response["Location"] == reverse("surveys:form_detail", args=[made.pk])
    assert {"name", "email", "privacy"} <= set(keys(made))
    detail = unescape(client.get(response["Location"]).text)
    assert "Options come from the programme's time slots." in detail
    assert "Options come from the programme's channels in use" in detail


def test_preview_in_each_language_in_steps_never_submits(setup) -> None:
    form = setup["form"]
    for n in range(6):
        ask(form, f"extra{n}", T.SHORT_TEXT)
    client = client_for(setup["coordinator"])
    fi = client.get(reverse("surveys:form_preview", args=[form.pk, "fi"])).text
    assert "solo?" in fi and "topics?" in fi and "money fi" in fi
    assert "Step 1 of 2" in fi and "Shown only when the answer" in fi
    assert 'method="post"' not in fi.split('class="preview card"')[1]  # nothing in the preview can be sent
    sv = client.get(reverse("surveys:form_preview", args=[form.pk, "sv"]), {"step": "2"}).text
    assert "extra5 (sv)?" in sv and "solo (sv)?" not in sv and "Step 2 of 2" in sv
    assert client.get(reverse("surveys:form_preview", args=[form.pk, "sv"]), {"step": "x"}).status_code == 200
    assert client.get(reverse("surveys:form_preview", args=[form.pk, "de"])).status_code == 404


def test_preview_of_the_default_registration_form_in_every_language_and_step(setup) -> None:
    programme = setup["programme"]
    form = registration_form(programme=programme)
    assert form is not None
    client = client_for(setup["coordinator"])
    seen_ranking = False
    for lang in ("fi", "sv", "en"):
        first = client.get(reverse("surveys:form_preview", args=[form.pk, lang]))
        assert first.status_code == 200
        steps = int(first.text.split("Step 1 of ")[1].split("<")[0])
        for step in range(1, steps + 1):
            page = client.get(reverse("surveys:form_preview", args=[form.pk, lang]), {"step": step})
            assert page.status_code == 200 and f"Step {step} of {steps}" in page.text
            # A ranking shows one labelled select per place, as on the registration page.
            seen_ranking = seen_ranking or 'for="preview_themes_0"' in page.text
    assert seen_ranking

"""What the registration form keeps in the session: nothing before a step passes, never more than the form can use.

The session is a database row. A robot that posts megabytes, or opens the
form a million times, must not be able to fill the table; a person who types
too much must still see how much too much, and never have an answer quietly
shortened.
"""

from __future__ import annotations

import html
import random
import secrets
from typing import Any

from django.contrib.sessions.models import Session
from django.test import Client

from kollega.core.models import Participant
from kollega.recruitment.models import Registration
from kollega.surveys import engine
from kollega.surveys.models import QuestionType
from tests.outreach_public.conftest import register_url, step_post, walk, wizard
from tests.recruitment.factories import answers, make_channel

#: The most the registration form's session may take, in the database, whatever is posted.
SESSION_BUDGET = 40_000


def _session_sizes() -> list[int]:
    return [len(session.session_data) for session in Session.objects.all()]


def _huge_step(programme, index: int, started: str, make: Any) -> dict[str, Any]:
    """A post of step ``index`` where every field, and many fields that are not questions, is enormous."""
    data: dict[str, Any] = {}
    for question in wizard(programme).steps[index]:
        if question.type == QuestionType.RANKING:
            for place in range(len(question.option_keys)):
                data[f"{question.key}_{place}"] = make()
        elif question.type == QuestionType.MULTIPLE_CHOICE:
            data[question.key] = [make()[:50] for _ in range(500)]
        else:
            data[question.key] = make()
    for n in range(10):
        data[f"not_a_question_{n}"] = make()
    data.update(step=str(index + 1), started=started, action="next")
    return data


def _ascii() -> str:
    return secrets.token_urlsafe(75_000)[:100_000]


def _wide() -> str:
    # Characters that JSON writes as six bytes each and that do not compress.
    pick = random.Random(7)
    return "".join(chr(pick.randint(0x4E00, 0x9FFF)) for _ in range(20_000))


def test_opening_the_form_keeps_nothing_and_a_refused_first_step_keeps_nothing_either(programme):
    url = register_url(programme)
    for _ in range(3):
        client = Client()  # no session cookie, as a robot
        assert client.get(url).status_code == 200
        response = client.post(url, _huge_step(programme, 0, "", _ascii))
        assert response.status_code == 200
        assert "There is a problem" in response.content.decode()
    assert Session.objects.count() == 0
    assert not Participant.objects.exists()


def test_every_step_posted_with_megabytes_leaves_a_small_session(programme):
    client = Client()
    url = register_url(programme)
    data = answers(programme)
    started = client.get(url).context["state_id"]
    count = len(wizard(programme).steps)
    for index in range(count - 1):  # every step answered, so every step can be sent again
        assert client.post(url, step_post(programme, data, index, started)).status_code == 302
    for make in (_ascii, _wide):
        for index in range(count):
            response = client.post(url, _huge_step(programme, index, started, make))
            assert response.status_code == 200  # the step again, with messages
    sizes = _session_sizes()
    assert len(sizes) == 1
    assert sizes[0] < SESSION_BUDGET
    assert not Participant.objects.exists()


def test_a_too_long_answer_is_counted_in_full_and_the_whole_text_comes_back(programme):
    client = Client()
    url = register_url(programme)
    data = answers(programme)
    started = client.get(url).context["state_id"]
    for index in range(2):
        client.post(url, step_post(programme, data, index, started))
    long_text = "Verkostot ja asiakashankinta. " * 300  # 9 000 characters
    response = client.post(url, step_post(programme, {**data, "other_topics": long_text}, 2, started))
    assert response.status_code == 200
    text = response.content.decode()
    assert f"The answer can be at most 5000 characters long; it is now {len(long_text.strip())}." in text
    assert html.escape(long_text.strip()) in text  # nothing typed is lost on the page
    assert _session_sizes()[0] < SESSION_BUDGET


def test_a_too_long_answer_left_with_back_is_still_refused_never_quietly_shortened(programme):
    client = Client()
    url = register_url(programme)
    data = answers(programme)
    started = client.get(url).context["state_id"]
    assert client.post(url, step_post(programme, data, 0, started)).status_code == 302
    question = next(q for q in wizard(programme).steps[1] if q.key == "region")
    limit = question.max_length or engine.SHORT_TEXT_MAX
    # Too long by 11 characters; a plain cut to the limit plus one would end in a space and pass.
    region = "x" * limit + " " * 10 + "y"
    back = client.post(url, step_post(programme, {**data, "region": region}, 1, started, action="back"))
    assert back.status_code == 302
    assert client.post(url, step_post(programme, data, 0, started)).status_code == 302
    again = client.get(url + "?step=2")
    shown = again.context["form"]["region"].value()
    assert len(shown.strip()) > limit  # still too long
    response = client.post(url, step_post(programme, {**data, "region": shown}, 1, started))
    assert response.status_code == 200
    message = f"The answer can be at most {limit} characters long; it is now {limit + 1}."
    assert message in response.content.decode()


def test_a_phone_number_longer_than_the_form_keeps_is_refused_with_a_message(programme):
    client = Client()
    url = register_url(programme)
    started = client.get(url).context["state_id"]
    phone = "+358" + " " * 30 + "40 123 4567"  # ten digits, as the engine wants, but 45 characters
    data = answers(programme, phone=phone)
    response = client.post(url, step_post(programme, data, 0, started))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Write the phone number in at most 40 characters." in text
    assert 'id="id_phone_error"' in text
    assert client.post(url, step_post(programme, answers(programme), 0, started)).status_code == 302


def test_a_share_links_channel_is_kept_although_opening_the_form_keeps_nothing(programme):
    make_channel(programme, "uutiskirje", "Newsletter")
    client = Client()
    opened = client.get(register_url(programme) + "?c=uutiskirje")
    assert Session.objects.count() == 0
    assert opened.context["action_url"].endswith("?c=uutiskirje")
    data = answers(programme, email="kanava@example.org")
    response = walk(client, programme, data, query="?c=uutiskirje")
    assert response.status_code == 302
    registration = Registration.objects.get(participant__user__email="kanava@example.org")
    assert registration.channel is not None and registration.channel.key == "uutiskirje"

"""Registration in short steps: answers kept between steps, errors per step, spam and window rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from kollega.core.models import Participant, Role, Status
from kollega.recruitment import services as recruitment_services
from kollega.recruitment.models import Registration
from kollega.recruitment.services import RATE_LIMIT, registration_rate_limited
from tests.factories import make_participant, make_programme, make_staff
from tests.outreach_public.conftest import register_url, step_post, walk, wizard
from tests.recruitment.factories import answers, make_channel


def _start(client: Client, programme) -> str:
    response = client.get(register_url(programme))
    assert response.status_code == 200
    return response.context["state_id"]


def _follow(client: Client, response):
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(response["Location"])


def test_the_form_comes_in_short_steps_with_a_progress_line(programme):
    count = len(wizard(programme).steps)
    assert count > 1
    response = Client().get(register_url(programme))
    text = response.content.decode()
    assert f"Step 1 of {count}" in text
    assert f'<progress max="{count}" value="1"' in text
    assert 'name="name"' in text and 'name="email"' in text
    assert 'name="privacy"' not in text  # a later step
    assert "Back</button>" not in text  # nothing before the first step


def test_a_registration_through_every_step_is_stored_and_confirmed_without_the_answers(programme):
    make_channel(programme, "some", "Social media")
    client = Client()
    data = answers(programme, email="maija@example.org", company_name="Maijan Muotoilu")
    response = walk(client, programme, data, query="?c=some")
    confirmation = _follow(client, response)
    assert confirmation.status_code == 200
    text = confirmation.content.decode()
    assert "You are registered" in text
    assert "We sent a confirmation to your email" in text
    assert "maija@example.org" not in text and "Maijan Muotoilu" not in text
    participant = Participant.objects.get(programme=programme, user__email="maija@example.org")
    assert participant.status == Status.REGISTERED
    assert participant.company_name == "Maijan Muotoilu"
    assert Registration.objects.get(participant=participant).channel.key == "some"
    # The answers left the session with the registration.
    keys = [key for key, _value in client.session.items()]
    assert not any(key.startswith("kollega.registration.") and "done" not in key for key in keys)


def test_each_step_shows_only_its_own_errors_with_a_summary_and_keeps_what_was_typed(programme):
    client = Client()
    started = _start(client, programme)
    data = answers(programme, name="", email="ei-osoite")
    response = client.post(register_url(programme), step_post(programme, data, 0, started))
    assert response.status_code == 200
    text = response.content.decode()
    assert "<title>Error:" in text
    assert 'class="error-summary"' in text and "There is a problem" in text
    assert 'href="#id_name"' in text and 'href="#id_email"' in text
    assert 'id="id_name_error"' in text and 'id="id_email_error"' in text
    assert 'value="ei-osoite"' in text
    assert "Step 1 of" in text
    # Questions of later steps are not judged yet.
    assert "id_region_error" not in text and "id_privacy_error" not in text
    assert not Participant.objects.exists()


def test_back_keeps_every_answer_also_the_unsent_ones_of_the_current_step(programme):
    client = Client()
    url = register_url(programme)
    started = _start(client, programme)
    data = answers(programme, name="Ville Virtanen", region="Oulu")
    assert client.post(url, step_post(programme, data, 0, started)).status_code == 302
    # On step 2 the region is typed but the step is left with Back, with other answers missing.
    half = {"region": "Oulu"}
    back = client.post(url, step_post(programme, half, 1, started, action="back"))
    first = _follow(client, back)
    assert "Step 1 of" in first.content.decode()
    assert 'value="Ville Virtanen"' in first.content.decode()
    again = _follow(client, client.post(url, step_post(programme, data, 0, started)))
    text = again.content.decode()
    assert "Step 2 of" in text
    assert 'value="Oulu"' in text
    assert 'class="error-summary"' not in text


def test_a_later_step_cannot_be_opened_before_the_earlier_ones_are_answered(programme):
    client = Client()
    response = client.get(register_url(programme) + "?step=4")
    assert "Step 1 of" in response.content.decode()


def test_the_honeypot_shows_the_usual_confirmation_and_stores_nothing(programme):
    client = Client()
    response = walk(client, programme, answers(programme), honeypot="http://spam.example.com")
    confirmation = _follow(client, response)
    assert "You are registered" in confirmation.content.decode()
    assert not Participant.objects.filter(programme=programme).exists()


def test_the_honeypot_field_is_hidden_labelled_and_left_alone_by_browsers(programme):
    text = Client().get(register_url(programme)).content.decode()
    assert '<div class="visually-hidden">' in text
    assert "Leave this empty" in text
    assert 'autocomplete="off" tabindex="-1"' in text


def test_too_many_registrations_from_one_address_get_a_clear_429(programme):
    for _ in range(RATE_LIMIT):
        registration_rate_limited(programme=programme, client_ip="203.0.113.9")
    client = Client(REMOTE_ADDR="203.0.113.9")
    response = walk(client, programme, answers(programme))
    assert response.status_code == 429
    text = response.content.decode()
    assert "Too many registrations from your connection" in text
    assert "Back to your answers" in text
    assert not Participant.objects.filter(programme=programme).exists()
    # Another address is not affected.
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert walk(other, programme, answers(programme)).status_code == 302


def test_the_rate_limit_counts_the_visitor_behind_a_trusted_proxy(programme, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for _ in range(RATE_LIMIT):
        registration_rate_limited(programme=programme, client_ip="203.0.113.9")
    blocked = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert walk(blocked, programme, answers(programme)).status_code == 429
    other = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert walk(other, programme, answers(programme)).status_code == 302


def test_a_closed_window_shows_a_notice_and_refuses_a_post(programme):
    client = Client()
    started = _start(client, programme)
    programme.registration_closes_at = timezone.now() - timedelta(minutes=1)
    programme.save(update_fields=["registration_closes_at"])
    page = client.get(register_url(programme))
    assert page.status_code == 200
    assert "Registration has closed" in page.content.decode()
    assert 'name="email"' not in page.content.decode()
    refused = client.post(register_url(programme), step_post(programme, answers(programme), 0, started))
    assert refused.status_code == 403
    assert "Registration has closed" in refused.content.decode()
    assert not Participant.objects.exists()


def test_the_window_closing_during_the_steps_stores_nothing(programme):
    client = Client()
    url = register_url(programme)
    started = _start(client, programme)
    data = answers(programme)
    steps = wizard(programme).steps
    for index in range(len(steps) - 1):
        assert client.post(url, step_post(programme, data, index, started)).status_code == 302
    programme.registration_closes_at = timezone.now() - timedelta(seconds=1)
    programme.save(update_fields=["registration_closes_at"])
    refused = client.post(url, step_post(programme, data, len(steps) - 1, started))
    assert refused.status_code == 403
    assert "Registration has closed" in refused.content.decode()
    assert not Participant.objects.exists()


def test_registration_that_has_not_opened_says_when_it_opens(organisation):
    from tests.outreach_public.conftest import publish

    programme = publish(make_programme(organisation, registration_opens_at=timezone.now() + timedelta(days=3)))
    response = Client().get(register_url(programme))
    assert "Registration has not opened yet" in response.content.decode()
    assert Client().post(register_url(programme), {"step": "1"}).status_code == 403


def test_an_expired_form_session_starts_again_politely(programme):
    client = Client()
    started = _start(client, programme)
    client.post(register_url(programme), step_post(programme, answers(programme), 0, started))
    client.cookies.clear()  # the session is gone
    response = client.post(register_url(programme), step_post(programme, answers(programme), 1, started))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Your earlier answers were not kept" in text
    assert "Step 1 of" in text


def test_a_full_programme_puts_the_registrant_on_the_waiting_list_and_tells_the_place(programme):
    programme.capacity = 1
    programme.save(update_fields=["capacity"])
    make_participant(programme)
    client = Client()
    first = client.get(register_url(programme)).content.decode()
    assert "you go on the waiting list" in first
    confirmation = _follow(client, walk(client, programme, answers(programme)))
    text = confirmation.content.decode()
    assert "You are on the waiting list" in text
    assert "Your place in line: 1." in text


def test_an_address_already_registered_is_asked_to_confirm_by_email(programme):
    data = answers(programme, email="sama@example.org")
    _follow(Client(), walk(Client(), programme, data))
    client = Client()
    confirmation = _follow(client, walk(client, programme, answers(programme, email="sama@example.org")))
    text = confirmation.content.decode()
    assert "Check your email" in text
    assert "Nothing changes until it is confirmed" in text
    assert Participant.objects.filter(programme=programme).count() == 1


def test_sending_the_last_step_twice_registers_once(programme):
    client = Client()
    url = register_url(programme)
    started = _start(client, programme)
    data = answers(programme)
    steps = wizard(programme).steps
    for index in range(len(steps)):
        response = client.post(url, step_post(programme, data, index, started))
    again = client.post(url, step_post(programme, data, len(steps) - 1, started))
    assert again.status_code == 302 and again["Location"] == response["Location"]
    assert Participant.objects.filter(programme=programme).count() == 1


def test_a_rejected_registration_returns_to_the_step_of_the_first_error_keeping_all_answers(programme, monkeypatch):
    def refuse(**kwargs):
        raise ValidationError({"email": ["This address cannot receive email."]})

    monkeypatch.setattr(recruitment_services, "registration_submit", refuse)
    client = Client()
    data = answers(programme, name="Liisa Laine", email="liisa@example.org")
    response = walk(client, programme, data)
    page = _follow(client, response)
    text = page.content.decode()
    assert "Step 1 of" in text
    assert "This address cannot receive email." in text
    assert "The registration was not sent." in text
    assert 'value="Liisa Laine"' in text and 'value="liisa@example.org"' in text
    # The errors were shown once; the answers stay.
    assert "This address cannot receive email." not in client.get(register_url(programme)).content.decode()


def test_the_public_cannot_register_on_an_unpublished_page_and_staff_only_preview(organisation):
    programme = make_programme(organisation)
    assert Client().get(register_url(programme)).status_code == 404
    coordinator = make_staff(organisation, Role.COORDINATOR)
    client = Client()
    client.force_login(coordinator)
    response = walk(client, programme, answers(programme))
    assert response.status_code == 200
    assert "This is a preview." in response.content.decode()
    assert not Participant.objects.filter(programme=programme).exists()


@pytest.mark.parametrize("step", ["", "0", "999", "-1", "abc", "1" * 50])
def test_odd_step_numbers_never_break_the_form(programme, step):
    client = Client()
    started = _start(client, programme)
    assert client.get(register_url(programme), {"step": step}).status_code == 200
    response = client.post(register_url(programme), {"step": step, "started": started, "name": "x" * 100_001})
    assert response.status_code in (200, 302)


def test_the_form_speaks_the_visitors_language(programme):
    client = Client()
    client.post("/i18n/setlang/", {"language": "fi", "next": "/"})
    text = client.get(register_url(programme)).content.decode()
    assert "Nimesi" in text  # the question as the organiser wrote it in Finnish
    assert '<html lang="fi">' in text

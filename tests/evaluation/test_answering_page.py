"""The personal link /q/<token>/: answering, answering again, closed and altered links, the low-result note."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kollega.evaluation import services
from kollega.evaluation.models import ContactRequest, RoundKind
from kollega.notifications.models import Notification
from tests.evaluation.conftest import answers

pytestmark = pytest.mark.django_db


def open_round(programme, people, kind=RoundKind.BASELINE):
    return services.round_open(
        programme=programme,
        form=services.wellbeing_form_ensure(programme=programme),
        kind=kind,
        participants=people,
        closes_at=timezone.now() + timedelta(days=14),
    )


def link(round, participant) -> str:
    return services.questionnaire_path(round.invitations.get(participant=participant))


def test_the_page_asks_both_instruments_and_says_it_is_voluntary(client, programme, person) -> None:
    someone = person()
    round = open_round(programme, [someone])
    page = client.get(link(round, someone)).content.decode()
    assert "Answering is voluntary. Declining does not affect your place in the programme." in page
    assert "Over the last two weeks, which answer is closest to how you have been feeling." in page
    assert "I woke up feeling fresh and rested" in page
    assert "More than half of the time" in page
    assert "I feel alone with my business." in page
    assert "Provisional translation" not in page and "data-provisional" not in page  # WHO-5's own wording


def test_finnish_who5_is_marked_provisional(client, programme, person) -> None:
    someone = person(language="fi")
    round = open_round(programme, [someone])
    page = client.get(link(round, someone)).content.decode()
    assert "Olen herännyt virkeänä ja levänneenä" in page
    assert page.count("data-provisional") == 1  # WHO-5 only: the peer support scale is our own in every language
    assert "Minulla on selkeät tavoitteet yritykselleni." in page


def test_answering_shows_the_own_answers_and_again_keeps_the_earlier(client, programme, person) -> None:
    someone = person()
    round = open_round(programme, [someone])
    url = link(round, someone)
    missing = client.post(url, {k: v for k, v in answers().items() if k != "who5_3"})
    assert missing.status_code == 200 and "There is a problem" in missing.content.decode()
    response = client.post(url, answers(), follow=True)
    page = response.content.decode()
    assert "Thank you for your answers" in page
    assert "Most of the time" in page
    assert "Take care of yourself" not in page  # 18/25, no item at 0 or 1
    again = client.get(url).content.decode()
    assert "If you answer again, your new answers replace them" in again
    client.post(url, answers(who5=(5, 5, 5, 5, 5)))
    assert someone.responses.count() == 2 and someone.responses.filter(replaced_at__isnull=True).count() == 1


def test_a_low_result_offers_support_and_a_contact_request(client, programme, person) -> None:
    programme.organisation.support_email = "help@example.org"
    programme.organisation.save()
    someone = person()
    round = open_round(programme, [someone])
    url = link(round, someone)
    page = client.post(url, answers(who5=(3, 3, 3, 3, 1)), follow=True).content.decode()
    assert "Take care of yourself" in page
    assert "help@example.org" in page
    assert not ContactRequest.objects.exists()  # staff learn nothing unless asked
    assert not Notification.objects.filter(kind=services.KIND_CONTACT_REQUEST).exists()
    page = client.post(url + "contact/", follow=True).content.decode()
    assert "You have asked the coordinator to contact you." in page
    request = ContactRequest.objects.get()
    assert request.participant == someone
    assert Notification.objects.get(kind=services.KIND_CONTACT_REQUEST).recipient == "help@example.org"
    client.post(url + "contact/")
    assert ContactRequest.objects.count() == 1


def test_no_contact_request_without_a_low_result(client, programme, person) -> None:
    someone = person()
    round = open_round(programme, [someone])
    url = link(round, someone)
    client.post(url, answers())
    client.post(url + "contact/")
    assert not ContactRequest.objects.exists()


def test_a_closed_round_says_so_plainly(client, programme, person) -> None:
    someone = person()
    round = open_round(programme, [someone])
    services.round_close(round=round)
    url = link(round, someone)
    page = client.get(url).content.decode()
    assert "This questionnaire has closed" in page
    assert "This questionnaire has closed" in client.post(url, answers()).content.decode()
    assert not someone.responses.exists()


@pytest.mark.parametrize("change", ["tamper", "other_salt"])
def test_an_altered_link_says_so_plainly(client, programme, person, change) -> None:
    from kollega.recruitment.tokens import manage_token

    someone = person()
    round = open_round(programme, [someone])
    url = link(round, someone)
    bad = (
        url[:-3] + ("x" if url[-3] != "x" else "y") + url[-2:] if change == "tamper" else f"/q/{manage_token(someone)}/"
    )
    response = client.get(bad)
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()


def test_after_the_final_round_the_person_sees_their_before_and_after(client, programme, person) -> None:
    someone = person()
    baseline = open_round(programme, [someone])
    client.post(link(baseline, someone), answers(who5=(2, 2, 3, 3, 2)))
    page = client.get(link(baseline, someone) + "answers/").content.decode()
    assert "Your start and end compared" not in page
    final = open_round(programme, [someone], kind=RoundKind.FINAL)
    page = client.post(link(final, someone), answers(who5=(3, 3, 3, 3, 3)), follow=True).content.decode()
    assert "Your start and end compared" in page
    assert "48" in page and "60" in page
    assert "a change of less than about 24 points in well-being can be chance" in page

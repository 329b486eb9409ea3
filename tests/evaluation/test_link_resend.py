"""A broken questionnaire link offers to send the link again, without telling whether an address is known."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from kollega.core.models import ConsentItem
from kollega.core.services import consent_record
from kollega.evaluation import services
from kollega.evaluation.models import RoundKind
from kollega.evaluation.views import RESEND_LIMIT
from kollega.notifications.models import Notification
from tests.evaluation.conftest import answers

pytestmark = pytest.mark.django_db

NEUTRAL = "If the address has an open questionnaire, a new link is on its way."
RESEND_URL = "/q/resend/"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def open_round(programme, people, **times):
    return services.round_open(
        programme=programme,
        form=services.wellbeing_form_ensure(programme=programme),
        kind=RoundKind.BASELINE,
        participants=people,
        closes_at=times.get("closes_at", timezone.now() + timedelta(days=14)),
        opens_at=times.get("opens_at"),
    )


def resent_to(participant) -> list[Notification]:
    return list(
        Notification.objects.filter(
            kind=services.KIND_INVITATION, recipient=participant.user.email, version__startswith="resend-"
        )
    )


def tampered(path: str) -> str:
    return path[:-3] + ("x" if path[-3] != "x" else "y") + path[-2:]


def test_a_tampered_link_says_it_is_not_valid_and_offers_a_new_one(client, programme, person) -> None:
    someone = person()
    round = open_round(programme, [someone])
    response = client.get(tampered(services.questionnaire_path(round.invitations.get())))
    page = response.content.decode()
    assert response.status_code == 404
    assert "This link does not work" in page and "This is not a valid questionnaire link." in page
    assert f'action="{RESEND_URL}"' in page
    assert 'name="email"' in page and "Send me a new link" in page


def test_the_resend_address_is_not_read_as_a_token(client) -> None:
    page = client.get(RESEND_URL)
    assert page.status_code == 200 and "Send me a new link" in page.content.decode()


def test_an_address_with_an_open_invitation_gets_its_link_again(client, programme, person) -> None:
    someone = person()
    round = open_round(programme, [someone])
    response = client.post(RESEND_URL, {"email": someone.user.email.upper()})
    assert response.status_code == 200 and NEUTRAL in response.content.decode()
    [again] = resent_to(someone)
    assert again.subject == f"evaluation.roundinvitation:{round.invitations.get().pk}"
    assert again.context["questionnaire_url"].endswith(services.questionnaire_path(round.invitations.get()))
    # Asking again straight away sends nothing more (the hour itself: see the test below).
    client.post(RESEND_URL, {"email": someone.user.email})
    assert len(resent_to(someone)) == 1


def test_a_link_goes_again_at_most_once_within_an_hour_across_the_clock_hour(programme, person) -> None:
    someone = person()
    open_round(programme, [someone])
    # A fixed time tomorrow, a moment before the clock turns: the round is open then whatever the time is now.
    first = (timezone.now() + timedelta(days=1)).replace(hour=9, minute=59, second=30, microsecond=0)
    assert services.invitation_links_resend(email=someone.user.email, now=first) == 1
    for later in (timedelta(seconds=40), timedelta(minutes=30), timedelta(minutes=59, seconds=59)):
        assert services.invitation_links_resend(email=someone.user.email, now=first + later) == 0
    assert len(resent_to(someone)) == 1
    # A full hour after the last one, it goes again, as a message of its own.
    assert services.invitation_links_resend(email=someone.user.email, now=first + timedelta(hours=1)) == 1
    assert services.invitation_links_resend(email=someone.user.email, now=first + timedelta(hours=1, minutes=1)) == 0
    sent = resent_to(someone)
    assert len(sent) == 2 and len({row.version for row in sent}) == 2


def test_an_unknown_address_gets_the_same_answer_and_nothing_is_sent(client, programme, person) -> None:
    open_round(programme, [person()])
    before = Notification.objects.count()
    response = client.post(RESEND_URL, {"email": "nobody@example.org"})
    assert response.status_code == 200 and NEUTRAL in response.content.decode()
    assert Notification.objects.count() == before


def test_closed_not_yet_open_and_withdrawn_are_not_sent(client, programme, person) -> None:
    closed, later, withdrawn = person(), person(), person()
    services.round_close(round=open_round(programme, [closed]))
    open_round(programme, [later], opens_at=timezone.now() + timedelta(days=2))
    open_round(programme, [withdrawn])
    consent_record(participant=withdrawn, item=ConsentItem.WELLBEING_QUESTIONNAIRE, given=False, actor=None)
    for participant in (closed, later, withdrawn):
        page = client.post(RESEND_URL, {"email": participant.user.email}).content.decode()
        assert NEUTRAL in page
        assert resent_to(participant) == []


def test_someone_who_answered_gets_the_link_to_see_or_change_their_answers(client, programme, person) -> None:
    someone = person()
    round = open_round(programme, [someone])
    services.round_answer(invitation=round.invitations.get(), raw=answers(), language="en")
    client.post(RESEND_URL, {"email": someone.user.email})
    assert len(resent_to(someone)) == 1


def test_a_malformed_address_is_named_on_the_field(client) -> None:
    response = client.post(RESEND_URL, {"email": "not an address"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Check the email address." in page and NEUTRAL not in page


def test_too_many_requests_from_one_network_are_refused(client, programme, person) -> None:
    someone = person()
    open_round(programme, [someone])
    for _ in range(RESEND_LIMIT):
        assert client.post(RESEND_URL, {"email": "nobody@example.org"}).status_code == 200
    refused = client.post(RESEND_URL, {"email": someone.user.email})
    assert refused.status_code == 429
    assert "Too many requests from this network" in refused.content.decode()
    assert resent_to(someone) == []
    # Another network is not held up.
    other = client.post(RESEND_URL, {"email": someone.user.email}, REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 200 and len(resent_to(someone)) == 1

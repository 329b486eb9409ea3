"""The personal links in registration emails: view, cancel, answer an offer, confirm a change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kollega.core.models import Participant, Status
from kollega.recruitment.models import OfferOutcome, PendingChange, WaitingListOffer
from kollega.recruitment.services import registration_cancel, registration_submit
from kollega.recruitment.tokens import manage_token
from tests.factories import make_group
from tests.recruitment.factories import answers, outbox


def _register(programme, **overrides) -> Participant:
    return registration_submit(programme=programme, raw=answers(programme, **overrides), language="en").participant


def _manage(participant: Participant) -> str:
    return reverse("public:manage", args=[manage_token(participant)])


def test_the_personal_link_shows_the_registration_in_plain_words(programme):
    participant = _register(programme, company_name="Pajan Puu", share_company=False)
    response = Client().get(_manage(participant))
    assert response.status_code == 200
    text = response.content.decode()
    assert programme.name in text
    assert "You are registered." in text
    assert "Pajan Puu" in text  # an answer
    assert "Morning 09:00–11:00" in text  # a choice shown by its label, not its key
    assert "Privacy notice: given" in text
    assert "Share my company with my group: not given" in text
    assert "Cancel my registration" in text
    assert '<meta name="robots" content="noindex, nofollow">' in text


def test_the_page_opens_in_the_language_of_the_registration(programme):
    participant = registration_submit(programme=programme, raw=answers(programme), language="fi").participant
    text = Client().get(_manage(participant)).content.decode()
    assert '<html lang="fi">' in text


def test_the_waiting_list_position_is_shown(programme):
    programme.capacity = 1
    programme.save(update_fields=["capacity"])
    _register(programme)
    second = _register(programme)
    assert second.status == Status.WAITING_LIST
    text = Client().get(_manage(second)).content.decode()
    assert "Your place in line: 1." in text


@pytest.mark.parametrize("token", ["abc", "1.xyz", "x" * 300, "%00"])
def test_a_bad_link_gets_a_friendly_not_found(db, token):
    response = Client().get(f"/r/{token}/")
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()


def test_an_altered_link_opens_nothing(programme):
    participant = _register(programme)
    token = manage_token(participant)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert Client().get(f"/r/{forged}/").status_code == 404


def test_cancelling_asks_once_and_then_cancels(programme):
    participant = _register(programme)
    token = manage_token(participant)
    client = Client()
    ask = client.get(reverse("public:cancel", args=[token]))
    assert ask.status_code == 200
    assert "Cancel your registration?" in ask.content.decode()
    participant.refresh_from_db()
    assert participant.status == Status.REGISTERED  # nothing changes on GET
    done = client.post(reverse("public:cancel", args=[token]), {"reason": "Aikataulu ei sovi."})
    assert done.status_code == 302 and done["Location"] == _manage(participant)
    participant.refresh_from_db()
    assert participant.status == Status.CANCELLED
    assert participant.status_changes.last().reason == "Aikataulu ei sovi."
    page = client.get(done["Location"]).content.decode()
    assert "Your registration is cancelled." in page
    assert "Cancel my registration" not in page


def test_a_person_in_a_group_is_told_whom_to_contact_instead_of_cancelling(programme):
    group = make_group(programme, members=1)
    participant = group.memberships.get().participant
    assert participant.status == Status.IN_GROUP
    # The page speaks the language the person registered in.
    participant.language = "en"
    participant.save(update_fields=["language"])
    text = Client().get(_manage(participant)).content.decode()
    assert "Cancel my registration" not in text
    assert "changes and cancelling go through the organiser" in text
    assert "tuki@testikyla.example.org" in text
    assert "+358 40 765 4321" in text
    response = Client().post(reverse("public:cancel", args=[manage_token(participant)]))
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.status == Status.IN_GROUP


@pytest.fixture
def offered(programme) -> Participant:
    """The first on the waiting list, offered the place someone else left."""
    programme.capacity = 1
    programme.save(update_fields=["capacity"])
    first = _register(programme)
    waiting = _register(programme)
    registration_cancel(participant=first)
    assert WaitingListOffer.objects.filter(participant=waiting, outcome=OfferOutcome.PENDING).exists()
    return waiting


def test_the_offer_shows_its_deadline_and_can_be_accepted(offered):
    token = manage_token(offered)
    client = Client()
    manage = client.get(reverse("public:manage", args=[token])).content.decode()
    assert "A place is offered to you" in manage
    page = client.get(reverse("public:offer", args=[token]))
    text = page.content.decode()
    assert "Answer by" in text and "Accept the place" in text
    offered.refresh_from_db()
    assert offered.status == Status.WAITING_LIST
    accepted = client.post(reverse("public:offer", args=[token]), {"answer": "accept"})
    assert accepted.status_code == 302
    offered.refresh_from_db()
    assert offered.status == Status.REGISTERED
    assert "You accepted the place." in client.get(accepted["Location"]).content.decode()


def test_declining_an_offer_asks_once(offered):
    token = manage_token(offered)
    client = Client()
    ask = client.post(reverse("public:offer", args=[token]), {"answer": "decline"})
    assert ask.status_code == 200
    assert "Decline the place?" in ask.content.decode()
    offered.refresh_from_db()
    assert offered.status == Status.WAITING_LIST
    done = client.post(reverse("public:offer", args=[token]), {"answer": "decline", "confirm": "yes"})
    assert done.status_code == 302
    offered.refresh_from_db()
    assert offered.status == Status.CANCELLED


def test_an_expired_offer_says_so_and_cannot_be_accepted(offered):
    WaitingListOffer.objects.filter(participant=offered).update(
        offered_at=timezone.now() - timedelta(days=4), expires_at=timezone.now() - timedelta(minutes=5)
    )
    token = manage_token(offered)
    page = Client().get(reverse("public:offer", args=[token]))
    assert "The time to answer has run out" in page.content.decode()
    refused = Client().post(reverse("public:offer", args=[token]), {"answer": "accept"})
    assert refused.status_code == 400
    assert "This offer can no longer be answered." in refused.content.decode()
    offered.refresh_from_db()
    assert offered.status == Status.WAITING_LIST


def test_without_an_offer_the_offer_link_says_none_is_open(programme):
    participant = _register(programme)
    text = Client().get(reverse("public:offer", args=[manage_token(participant)])).content.decode()
    assert "No place is offered to you now" in text


def _confirm_link(participant: Participant) -> str:
    message = outbox(kind="recruitment.confirm_change", recipient=participant.user.email)[-1]
    url = message.context["url"]
    return url[url.index("/r/confirm/") :]


def test_a_repeated_registration_shows_what_changes_and_changes_only_on_the_button(programme):
    participant = _register(programme, email="toinen@example.org", company_name="Vanha Oy", region="Turku")
    outcome = registration_submit(
        programme=programme,
        raw=answers(programme, email="toinen@example.org", company_name="Uusi Oy", region="Turku"),
        language="en",
    )
    assert outcome.outcome == "confirm_email"
    link = _confirm_link(participant)
    client = Client()
    page = client.get(link)
    assert page.status_code == 200
    text = page.content.decode()
    assert "What will change" in text
    assert "Vanha Oy" in text and "Uusi Oy" in text
    assert "Turku" not in text  # unchanged answers are not listed
    participant.refresh_from_db()
    assert participant.company_name == "Vanha Oy"  # a mail scanner's GET changes nothing
    confirmed = client.post(link)
    assert confirmed.status_code == 302
    assert confirmed["Location"] == _manage(participant)
    participant.refresh_from_db()
    assert participant.company_name == "Uusi Oy"
    again = client.get(link).content.decode()
    assert "This change is already confirmed" in again


def test_an_expired_confirmation_link_changes_nothing(programme):
    participant = _register(programme, email="kolmas@example.org", company_name="Vanha Oy")
    registration_submit(
        programme=programme, raw=answers(programme, email="kolmas@example.org", company_name="Uusi Oy"), language="en"
    )
    PendingChange.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    link = _confirm_link(participant)
    assert "This link has expired" in Client().get(link).content.decode()
    refused = Client().post(link)
    assert refused.status_code == 400
    participant.refresh_from_db()
    assert participant.company_name == "Vanha Oy"


def test_an_unknown_confirmation_link_is_a_friendly_not_found(db):
    response = Client().get("/r/confirm/ei-tallaista/")
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert Client().post("/r/confirm/ei-tallaista/").status_code == 404

"""A registered address sent again and again: one confirmation email an hour, and the link confirms the latest answers.

Anyone can type someone else's address into the public form; without a limit,
each submission would email its owner (mail-bombing). The rate limit per client
address does not help against many addresses, so the emails themselves are
limited per participant.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db.models import F
from django.test import Client

from kollega.core.models import Participant, Programme
from kollega.recruitment import services
from kollega.recruitment.models import PendingChange
from kollega.recruitment.services import (
    KIND_CONFIRM_CHANGE,
    pending_change_from_token,
    pending_change_version,
    registration_change_confirm,
    registration_submit,
)
from tests.api.registration_data import publish
from tests.recruitment.factories import answers, outbox


def _token(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def _an_hour_passes() -> None:
    PendingChange.objects.update(created_at=F("created_at") - timedelta(hours=1, seconds=1))


def _send_again(programme: Programme, **changes: object) -> services.RegistrationOutcome:
    return registration_submit(
        programme=programme, raw=answers(programme, email="anna@example.org", **changes), language="en"
    )


def test_sending_the_form_again_and_again_emails_the_owner_once_an_hour(programme: Programme) -> None:
    first = registration_submit(programme=programme, raw=answers(programme, email="anna@example.org"), language="en")
    for region in ("Vaasa", "Kuopio", "Oulu", "Turku", "Lahti"):
        outcome = _send_again(programme, region=region)
        assert outcome.outcome == "confirm_email"  # what the sender is told does not change

    [email] = outbox(KIND_CONFIRM_CHANGE, "anna@example.org")
    assert Participant.objects.get(pk=first.participant.pk).region == "Tampere"  # nothing changed yet

    # The one link confirms the latest answers.
    registration_change_confirm(token=_token(email.context["url"]))
    assert Participant.objects.get(pk=first.participant.pk).region == "Lahti"


def test_an_hour_later_a_new_link_is_emailed_and_the_older_one_stops_working(programme: Programme) -> None:
    registration_submit(programme=programme, raw=answers(programme, email="anna@example.org"), language="en")
    _send_again(programme, region="Vaasa")
    _an_hour_passes()
    _send_again(programme, region="Kuopio")
    _send_again(programme, region="Oulu")  # within the new hour: no third email

    older, newer = (_token(row.context["url"]) for row in outbox(KIND_CONFIRM_CHANGE, "anna@example.org"))
    with pytest.raises(ValidationError) as refused:
        registration_change_confirm(token=older)
    assert refused.value.code == "expired"
    assert "a newer one has been sent" in refused.value.messages[0]
    registration_change_confirm(token=newer)
    assert Participant.objects.get().region == "Oulu"


def test_answers_replaced_after_the_page_was_shown_are_not_confirmed_blindly(programme: Programme) -> None:
    registration_submit(programme=programme, raw=answers(programme, email="anna@example.org"), language="en")
    _send_again(programme, region="Vaasa")
    [email] = outbox(KIND_CONFIRM_CHANGE)
    token = _token(email.context["url"])
    change = pending_change_from_token(token)
    assert change is not None
    shown = pending_change_version(change)  # the page showed "Vaasa"

    _send_again(programme, region="Kuopio")  # someone sends other answers meanwhile

    with pytest.raises(ValidationError) as refused:
        registration_change_confirm(token=token, version=shown)
    assert refused.value.code == "replaced"
    assert "Check them again" in refused.value.messages[0]
    assert Participant.objects.get().region == "Tampere"
    change.refresh_from_db()
    registration_change_confirm(token=token, version=pending_change_version(change))
    assert Participant.objects.get().region == "Kuopio"


def test_the_public_api_cannot_be_used_to_flood_a_registered_address(programme: Programme) -> None:
    publish(programme)
    registration_submit(programme=programme, raw=answers(programme, email="victim@example.org"), language="en")
    url = f"/api/v1/public/programmes/{programme.organisation.slug}/{programme.slug}/registrations"
    replies = set()
    for _n in range(15):
        # A new client address each time, as a botnet would use: the per-address limit does not stop it.
        ip = f"2001:db8:{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}::1"
        response = Client().post(
            url,
            json.dumps(answers(programme, email="victim@example.org")),
            content_type="application/json",
            REMOTE_ADDR=ip,
        )
        replies.add((response.status_code, response.json()["outcome"]))

    assert replies == {(202, "confirm_email")}
    assert len(outbox(KIND_CONFIRM_CHANGE, "victim@example.org")) == 1


# --- the rate limit per client ----------------------------------------------------------------


def test_an_ipv6_client_is_counted_by_its_64_network(programme: Programme) -> None:
    network = f"2001:db8:{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"  # fresh: the cache may outlive the test
    verdicts = [
        services.registration_rate_limited(programme=programme, client_ip=f"{network}:{n:x}:0:0:{n + 1:x}")
        for n in range(11)
    ]
    assert verdicts == [False] * 10 + [True]  # eleven addresses of one network are one client
    neighbour = f"2001:db8:{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}::1"
    assert services.registration_rate_limited(programme=programme, client_ip=neighbour) is False


def test_ipv4_clients_and_odd_addresses_are_counted_one_by_one(programme: Programme) -> None:
    octet = uuid.uuid4().int % 250
    one, two = f"10.{octet}.{uuid.uuid4().int % 250}.1", f"10.{octet}.{uuid.uuid4().int % 250}.2"
    assert [services.registration_rate_limited(programme=programme, client_ip=one) for _ in range(11)][-1] is True
    assert services.registration_rate_limited(programme=programme, client_ip=two) is False
    # The same IPv4 client seen through an IPv6 socket is the same client.
    assert services.registration_rate_limited(programme=programme, client_ip=f"::ffff:{one}") is True
    for odd in ("", "unknown", "not an address", "fe80::1%eth0", "x" * 5000):
        assert services.registration_rate_limited(programme=programme, client_ip=odd) in {True, False}


def test_answers_stored_without_an_email_do_not_hold_back_the_owners_link(programme: Programme) -> None:
    registration_submit(programme=programme, raw=answers(programme, email="anna@example.org"), language="en")
    quiet = answers(programme, email="anna@example.org", region="Vaasa")
    registration_submit(programme=programme, raw=quiet, language="en", notify=False)
    assert outbox(KIND_CONFIRM_CHANGE) == []

    _send_again(programme, region="Kuopio")  # from the form, minutes later

    [email] = outbox(KIND_CONFIRM_CHANGE, "anna@example.org")
    registration_change_confirm(token=_token(email.context["url"]))
    assert Participant.objects.get().region == "Kuopio"

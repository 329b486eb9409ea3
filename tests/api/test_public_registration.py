"""The public programme and registration endpoints: no token, the form's rules, nothing leaked or half-written."""

from __future__ import annotations

import ipaddress
import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import event, given
from hypothesis import strategies as st

from kollega.core import services
from kollega.core.models import Participant, Programme, Status
from kollega.notifications.models import Notification
from kollega.recruitment.models import PendingChange, Registration
from kollega.surveys.models import Answer, Form, Response

from .conftest import ApiClient
from .registration_data import answers, channel, publish


def address(programme: Programme) -> str:
    return f"/api/v1/public/programmes/{programme.organisation.slug}/{programme.slug}"


def fresh_ip() -> str:
    """An address no earlier request used, so the rate limit (kept in a cache that may outlive the test) starts at 0."""
    return str(ipaddress.IPv6Address("2001:db8::") + uuid.uuid4().int % 2**96)


def register(
    client: Client, programme: Programme, body: Any, *, language: str = "en", ip: str | None = None, **extra: Any
) -> Any:
    ip = ip or fresh_ip()
    raw = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(
        address(programme) + "/registrations",
        raw,
        content_type="application/json",
        headers={"Accept-Language": language},
        REMOTE_ADDR=ip,
        **extra,
    )


@pytest.fixture
def published(programme: Programme) -> Programme:
    return publish(programme)


def stored() -> tuple[int, int, int, int]:
    return (Participant.objects.count(), Registration.objects.count(), Response.objects.count(), Answer.objects.count())


# --- the programme ---------------------------------------------------------------


def test_published_programme_is_public_in_the_asked_language(client: Client, published: Programme) -> None:
    response = client.get(address(published), {"language": "fi"})

    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Kevään vertaisryhmät"
    assert body["language"] == "fi"
    assert body["texts"]["privacy_notice"] == "Tietojasi käytetään vain ohjelmaan."
    assert [slot["key"] for slot in body["time_slots"]] == ["morning", "afternoon"]
    assert body["registration"]["state"] == "open"
    assert body["full"] is False
    questions = {q["key"]: q for q in body["questions"]}
    assert questions["name"]["text"] == "Nimesi"
    assert [o["key"] for o in questions["time_slots"]["options"]] == ["morning", "afternoon"]
    assert len(questions["industry"]["options"]) == 21
    assert "getting-to-know" not in [o["key"] for o in questions["themes"]["options"]]
    assert response["Access-Control-Allow-Origin"] == "*"


def test_language_follows_accept_language_when_not_asked(client: Client, published: Programme) -> None:
    body = client.get(address(published), headers={"Accept-Language": "sv"}).json()
    assert body["language"] == "sv"
    assert {q["key"]: q for q in body["questions"]}["name"]["text"] == "Ditt namn"


def test_a_full_programme_says_so(client: Client, published: Programme) -> None:
    services.programme_update(programme=published, actor=None, capacity=1)
    assert register(client, published, answers(published)).status_code == 201

    assert client.get(address(published)).json()["full"] is True


@pytest.mark.parametrize("case", ["unpublished", "unknown programme", "unknown organisation"])
def test_unpublished_or_unknown_programme_is_not_found(client: Client, programme: Programme, case: str) -> None:
    path = {
        "unpublished": address(programme),
        "unknown programme": f"/api/v1/public/programmes/{programme.organisation.slug}/nothing-here",
        "unknown organisation": f"/api/v1/public/programmes/nobody/{programme.slug}",
    }[case]

    read = client.get(path)
    assert client.get(path + "%00").status_code == 404
    sent = client.post(path + "/registrations", json.dumps(answers(programme)), content_type="application/json")

    assert read.status_code == 404
    assert read.json() == {"detail": "Not found.", "code": "not_found", "errors": {}}
    assert sent.status_code == 404
    assert Participant.objects.count() == 0


def test_unpublishing_closes_the_public_endpoint(client: Client, published: Programme) -> None:
    from kollega.outreach import services as outreach_services

    outreach_services.programme_page_unpublish(programme=published, actor=None)

    assert client.get(address(published)).status_code == 404
    assert register(client, published, answers(published)).status_code == 404


# --- registering -----------------------------------------------------------------


def test_register_without_a_token(client: Client, published: Programme) -> None:
    response = register(client, published, answers(published, name="Maija Mehiläinen", email="maija@example.org"))

    assert response.status_code == 201, response.content
    assert response.json() == {
        "outcome": "registered",
        "waiting_position": None,
        "detail": "Thank you for registering. We sent a confirmation to your email address; "
        "it tells what happens next.",
    }
    participant = Participant.objects.get(user__email="maija@example.org")
    assert participant.status == Status.REGISTERED
    assert participant.registration.source == "api"
    assert Notification.objects.filter(recipient="maija@example.org", kind="recruitment.registered").exists()


def test_channel_from_the_share_link_tag(client: Client, published: Programme) -> None:
    channel(published, "uutiskirje", "Uutiskirje")

    response = register(client, published, {**answers(published, email="ville@example.org"), "channel": "uutiskirje"})

    assert response.status_code == 201
    assert Participant.objects.get(user__email="ville@example.org").registration.channel.key == "uutiskirje"  # type: ignore[union-attr]


def test_waiting_list_answer_tells_the_place(client: Client, published: Programme) -> None:
    services.programme_update(programme=published, actor=None, capacity=1)
    register(client, published, answers(published))

    second = register(client, published, answers(published))
    third = register(client, published, answers(published))

    assert second.status_code == 201
    assert second.json()["outcome"] == "waiting_list"
    assert second.json()["waiting_position"] == 1
    assert third.json()["waiting_position"] == 2
    assert "place 2" in third.json()["detail"]


def test_a_repeated_address_changes_nothing_and_reveals_nothing(client: Client, published: Programme) -> None:
    first = answers(published, name="Maija Mehiläinen", email="maija@example.org", company_name="Hunaja Oy")
    register(client, published, first)

    again = register(client, published, {**first, "name": "Someone Else", "company_name": "Other"})

    assert again.status_code == 202
    body = again.json()
    assert body["outcome"] == "confirm_email"
    assert body["waiting_position"] is None
    assert set(body) == {"outcome", "waiting_position", "detail"}
    text = again.content.decode()
    for private in ("Maija", "Hunaja", "maija@example.org", "participant"):
        assert private not in text
    participant = Participant.objects.get(user__email="maija@example.org")
    assert participant.user.full_name == "Maija Mehiläinen"
    assert participant.company_name == "Hunaja Oy"
    assert PendingChange.objects.filter(participant=participant).count() == 1


def test_errors_by_question_key_in_the_registrants_language(client: Client, published: Programme) -> None:
    body = answers(published, email="not an address", years_in_business="many")
    del body["privacy"]

    response = register(client, published, {**body, "language": "fi"}, language="en")

    assert response.status_code == 400
    result = response.json()
    assert result["code"] == "invalid"
    assert result["errors"] == {
        "email": ["Anna sähköpostiosoite, esimerkiksi nimi@example.fi."],
        "years_in_business": ["Anna kokonaisluku."],
        "privacy": ["Jatkaaksesi sinun on annettava tämä suostumus."],
    }
    assert Participant.objects.count() == 0


def test_errors_follow_accept_language(client: Client, published: Programme) -> None:
    response = register(client, published, answers(published, email="nope"), language="en")
    assert response.json()["errors"] == {"email": ["Enter an email address such as name@example.fi."]}
    assert response.json()["detail"] == "Enter an email address such as name@example.fi."


def test_unknown_fields_are_named(client: Client, published: Programme) -> None:
    response = register(client, published, {**answers(published), "emial": "x@example.org"})

    assert response.status_code == 400
    assert response.json()["errors"] == {"emial": ["This field is not known here; check its name."]}
    assert Participant.objects.count() == 0


def test_meta_fields_of_the_wrong_kind(client: Client, published: Programme) -> None:
    response = register(client, published, {**answers(published), "language": "de", "channel": 5})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"language", "channel"}


def test_an_altered_channel_tag_is_no_channel(client: Client, published: Programme) -> None:
    response = register(client, published, {**answers(published, email="x@example.org"), "channel": "<script>"})

    assert response.status_code == 201
    assert Participant.objects.get(user__email="x@example.org").registration.channel is None


def test_honeypot_answers_as_received_and_stores_nothing(client: Client, published: Programme) -> None:
    before = stored()

    response = register(client, published, {**answers(published), "website": "http://spam.example"})

    assert response.status_code == 202
    assert response.json()["outcome"] == "received"
    assert stored() == before
    assert not Notification.objects.exists()


def test_rate_limit_per_address(client: Client, published: Programme) -> None:
    ip = fresh_ip()
    for _ in range(10):
        assert register(client, published, answers(published), ip=ip).status_code == 201

    limited = register(client, published, answers(published), ip=ip)
    elsewhere = register(client, published, answers(published))

    assert limited.status_code == 429
    assert limited.json()["code"] == "throttled"
    assert limited.json()["detail"] == "Too many registrations from this address. Please try again later."
    assert int(limited["Retry-After"]) > 0
    assert limited["Access-Control-Allow-Origin"] == "*"
    assert elsewhere.status_code == 201
    assert Participant.objects.count() == 11


def test_mistakes_do_not_count_against_the_limit(client: Client, published: Programme) -> None:
    ip = fresh_ip()
    for _ in range(12):
        assert register(client, published, answers(published, email="wrong"), ip=ip).status_code == 400

    assert register(client, published, answers(published), ip=ip).status_code == 201


@pytest.mark.parametrize("state", ["not open yet", "closed"])
def test_outside_the_window_nothing_is_accepted(client: Client, published: Programme, state: str) -> None:
    now = timezone.now()
    window = (
        {"registration_opens_at": now + timedelta(days=2)}
        if state == "not open yet"
        else {"registration_opens_at": now - timedelta(days=9), "registration_closes_at": now - timedelta(days=1)}
    )
    services.programme_update(programme=published, actor=None, **window)

    response = register(client, published, answers(published))

    assert response.status_code == 409
    assert response.json()["code"] == "closed"
    assert "Registration for this programme" in response.json()["detail"]
    assert client.get(address(published)).json()["registration"]["state"] == state.replace(" ", "_")
    assert Participant.objects.count() == 0


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"{not json", "bad_request"),
        (b"", "bad_request"),
        (b"[1, 2, 3]", "bad_request"),
        (b'"a string"', "bad_request"),
        (b"null", "bad_request"),
        (b"\xff\xfe\x00garbage", "bad_request"),
        (b"[" * 50_000 + b"]" * 50_000, "too_large"),
        (b'{"a": ' * 3000 + b"1" + b"}" * 3000, "bad_request"),
        (json.dumps({"name": "x" * 70_000}).encode(), "too_large"),
    ],
)
def test_garbage_bodies_are_refused_clearly(client: Client, published: Programme, raw: bytes, code: str) -> None:
    response = register(client, published, raw)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert Participant.objects.count() == 0


def test_keys_that_cannot_be_stored_are_named_back_safely(client: Client, published: Programme) -> None:
    response = register(client, published, b'{"\\ud800": 1, "\\u0000x": 2, "name": "\\ud800"}')

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"\ud800", "\u0000x"}
    assert Participant.objects.count() == 0


def test_a_web_form_post_is_not_json(client: Client, published: Programme) -> None:
    response = client.post(address(published) + "/registrations", {"name": "Maija", "email": "m@example.org"})

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_a_programme_without_a_registration_form(client: Client, published: Programme) -> None:
    Form.objects.filter(programme=published).update(active=False)

    assert client.get(address(published)).json()["questions"] == []
    response = register(client, published, answers(published))
    assert response.status_code == 409
    assert response.json()["code"] == "no_form"
    assert Participant.objects.count() == 0


def test_an_unknown_language_falls_back_to_the_programmes(client: Client, published: Programme) -> None:
    services.programme_update(programme=published, actor=None, languages=["sv", "fi"])

    body = client.get(address(published), {"language": "de"}, headers={"Accept-Language": "en"}).json()

    assert body["language"] == "sv"
    assert body["languages"] == ["sv", "fi"]


def test_nested_json_within_the_size_limit(client: Client, published: Programme) -> None:
    response = register(client, published, b"[" * 30_000 + b"]" * 30_000)
    assert response.status_code == 400


def test_no_csrf_token_needed_from_another_site(published: Programme) -> None:
    browser = Client(enforce_csrf_checks=True)

    response = register(browser, published, answers(published), HTTP_ORIGIN="https://partner.example")

    assert response.status_code == 201


def test_a_browser_on_another_site_may_ask_first(client: Client, published: Programme) -> None:
    for path in (address(published), address(published) + "/registrations"):
        response = client.options(path, headers={"Origin": "https://partner.example"})
        assert response.status_code == 204
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "POST" in response["Access-Control-Allow-Methods"]
        assert "Content-Type" in response["Access-Control-Allow-Headers"]


def test_a_token_is_neither_needed_nor_used(api: ApiClient, published: Programme) -> None:
    response = api.client.post(
        address(published) + "/registrations",
        json.dumps(answers(published)),
        content_type="application/json",
        headers={"Authorization": "Bearer kol_not-a-real-token"},
    )
    assert response.status_code == 201
    assert Participant.objects.get().registration.source == "api"


def test_the_openapi_document_shows_them_without_a_token(client: Client, db: None) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    read = paths["/api/v1/public/programmes/{org_slug}/{programme_slug}"]
    send = paths["/api/v1/public/programmes/{org_slug}/{programme_slug}/registrations"]

    assert set(read) == {"get"}
    assert set(send) == {"post"}
    assert "security" not in read["get"]
    assert "security" not in send["post"]
    assert {"201", "202", "400", "404", "409", "429"} <= set(send["post"]["responses"])
    assert paths["/api/v1/programmes/{programme_id}/registrations"]["post"]["security"]


# --- random input ------------------------------------------------------------------

_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(st.characters(exclude_categories=()), max_size=40)
)
_json = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(st.characters(exclude_categories=()), max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
_KEYS = [
    "name",
    "email",
    "phone",
    "company_name",
    "industry",
    "years_in_business",
    "region",
    "company_size",
    "gender",
    "time_slots",
    "themes",
    "expectations",
    "heard_from",
    "privacy",
    "share_email",
    "channel",
    "language",
    "website",
]


@pytest.fixture
def random_target(published: Programme) -> Programme:
    return published


# Values that are right for some question, so that random bodies are often accepted too.
_plausible = st.sampled_from(
    ["", "morning", "goals", "M", "solo", True, False, 3, ["morning"], ["goals", "networks"], "x@example.org", "fi"]
)


@given(
    replace=st.dictionaries(st.sampled_from(_KEYS), _plausible | _json, max_size=3),
    drop=st.lists(st.sampled_from(_KEYS), max_size=2),
    whole=st.none() | st.none() | st.none() | _json,
)
def test_random_json_never_breaks_registration(
    client: Client, random_target: Programme, replace: dict[str, Any], drop: list[str], whole: Any
) -> None:
    if whole is not None:
        body: Any = whole
    else:
        body = answers(random_target, **replace)
        for key in drop:
            body.pop(key, None)

    response = register(client, random_target, body)

    assert response.status_code in {201, 202, 400}, response.content
    event(f"status {response.status_code}")
    result = response.json()
    if response.status_code == 400:
        assert result["code"] in {"invalid", "bad_request"}
        assert result["errors"] or result["detail"]
    else:
        assert result["outcome"] in {"registered", "waiting_list", "confirm_email", "received"}
    # Nothing half-written: every participant has their registration, their answers and their consents.
    participants = Participant.objects.count()
    assert Registration.objects.count() == participants
    assert Response.objects.filter(replaced_at__isnull=True).count() == participants
    assert Participant.objects.filter(consents__isnull=True).count() == 0


@given(
    texts=st.fixed_dictionaries(
        {},
        optional={
            key: st.text(st.characters(exclude_categories=()), max_size=300)
            for key in ("name", "company_name", "region", "expectations", "other_topics")
        },
    )
)
def test_random_text_is_stored_as_typed_or_refused(
    client: Client, random_target: Programme, texts: dict[str, str]
) -> None:
    body = answers(random_target, **texts)

    response = register(client, random_target, body)

    assert response.status_code in {201, 400}, response.content
    event(f"status {response.status_code}")
    if response.status_code == 201:
        participant = Participant.objects.get(user__email=body["email"])
        values = {a.question.key: a.value for a in Answer.objects.filter(response__participant=participant)}
        for key, text in texts.items():
            if text.strip():
                assert values[key] == text.strip()
    else:
        assert set(response.json()["errors"]) <= set(texts)
        assert not Participant.objects.filter(user__email=body["email"]).exists()

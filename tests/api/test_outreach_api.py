"""Channels and the programme page through the API."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from kollega.core.models import AuditEntry, Programme
from kollega.outreach.models import Channel, ProgrammePage
from kollega.recruitment import services as recruitment_services

from .conftest import ApiClient
from .registration_data import answers, channel, publish


def delete(api: ApiClient, path: str) -> Any:
    return api.client.delete("/api/v1" + path, headers=api._headers("en"))


def put(api: ApiClient, path: str, body: Any) -> Any:
    return api.client.put(
        "/api/v1" + path, json.dumps(body), content_type="application/json", headers=api._headers("en")
    )


# --- channels ------------------------------------------------------------------------


def test_channels_with_share_links_and_counts(api: ApiClient, programme: Programme) -> None:
    channel(programme, "uutiskirje", "Uutiskirje")
    channel(programme, "linkedin", "LinkedIn")
    recruitment_services.registration_submit(
        programme=programme, raw=answers(programme), language="en", channel_key="linkedin", notify=False
    )

    response = api.get(f"/programmes/{programme.pk}/channels")

    assert response.status_code == 200
    body = response.json()
    assert [c["key"] for c in body] == ["uutiskirje", "linkedin"]
    linkedin = body[1]
    assert linkedin["share_url"].endswith(f"/p/{programme.organisation.slug}/{programme.slug}/?c=linkedin")
    assert linkedin["share_url"].startswith("http")
    assert linkedin["registration_count"] == 1
    assert body[0]["registration_count"] == 0
    assert linkedin["kind"] == "newsletter"
    assert linkedin["kind_label"] == "Newsletter"


def test_add_a_channel(api: ApiClient, programme: Programme) -> None:
    response = api.post(
        f"/programmes/{programme.pk}/channels",
        {"name": {"fi": "Yrittäjäyhdistys", "en": "Entrepreneurs' association"}, "kind": "partner_network"},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["key"] == "yrittajayhdistys"
    assert body["share_url"].endswith("?c=yrittajayhdistys")
    assert body["active"] is True
    assert Channel.objects.filter(programme=programme, key="yrittajayhdistys").exists()
    assert AuditEntry.objects.filter(action__startswith="outreach.channel").exists()


def test_add_a_channel_with_a_key_already_taken(api: ApiClient, programme: Programme) -> None:
    channel(programme, "some", "Some")

    response = api.post(f"/programmes/{programme.pk}/channels", {"name": {"en": "Other"}, "key": "some"})

    assert response.status_code == 422
    assert "key" in response.json()["errors"]
    assert Channel.objects.filter(programme=programme).count() == 1


def test_add_a_channel_bad_input(api: ApiClient, programme: Programme) -> None:
    path = f"/programmes/{programme.pk}/channels"

    assert api.post(path, {"name": {"en": "X"}, "kind": "carrier_pigeon"}).json()["errors"] == {
        "kind": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert "name.en" in api.post(path, {"name": {"en": "X\u0000"}}).json()["errors"]
    assert api.post(path, {"name": {"en": "X"}, "colour": "red"}).status_code == 422
    assert api.post(path, {}).json()["errors"] == {"name": ["This field is required."]}
    assert not Channel.objects.filter(programme=programme).exists()


def test_change_a_channel_and_take_it_out_of_use(api: ApiClient, programme: Programme) -> None:
    item = channel(programme, "some", "Some")

    response = api.patch(f"/channels/{item.pk}", {"name": {"sv": "Sociala medier"}, "active": False, "position": 3})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == {"fi": "Some", "sv": "Sociala medier", "en": "Some"}
    assert body["active"] is False
    assert body["position"] == 3


def test_delete_an_unused_channel(api: ApiClient, programme: Programme) -> None:
    item = channel(programme, "some", "Some")

    assert delete(api, f"/channels/{item.pk}").status_code == 204
    assert not Channel.objects.filter(pk=item.pk).exists()


def test_a_channel_that_brought_registrations_is_not_deleted(api: ApiClient, programme: Programme) -> None:
    item = channel(programme, "some", "Some")
    recruitment_services.registration_submit(
        programme=programme, raw=answers(programme), language="en", channel_key="some", notify=False
    )

    response = delete(api, f"/channels/{item.pk}")

    assert response.status_code == 409
    assert response.json()["code"] == "in_use"
    assert "Take it out of use instead" in response.json()["detail"]
    assert Channel.objects.filter(pk=item.pk).exists()


# --- the page --------------------------------------------------------------------------


def test_read_the_page_texts(api: ApiClient, programme: Programme) -> None:
    response = api.get(f"/programmes/{programme.pk}/page")

    assert response.status_code == 200
    body = response.json()
    assert body["published"] is False
    assert body["published_at"] is None
    assert body["public_url"].endswith(f"/p/{programme.organisation.slug}/{programme.slug}/")
    assert set(body["texts"]) == {
        "summary",
        "for_whom",
        "what_happens",
        "dates",
        "commitment",
        "facilitators",
        "cost",
        "privacy_notice",
    }
    assert body["texts"]["cost"]["en"]


def test_set_page_texts(api: ApiClient, programme: Programme) -> None:
    before = api.get(f"/programmes/{programme.pk}/page").json()["texts"]

    response = put(
        api,
        f"/programmes/{programme.pk}/page",
        {"privacy_notice": {"fi": "Rekisteriseloste.", "en": "Privacy notice."}, "cost": {"en": "Free."}},
    )

    assert response.status_code == 200, response.content
    texts = response.json()["texts"]
    assert texts["privacy_notice"] == {"fi": "Rekisteriseloste.", "sv": "", "en": "Privacy notice."}
    assert texts["cost"] == {"fi": "", "sv": "", "en": "Free."}
    assert texts["summary"] == before["summary"]
    page = ProgrammePage.objects.get(programme=programme)
    assert page.privacy_notice == {"fi": "Rekisteriseloste.", "en": "Privacy notice."}


def test_set_page_texts_bad_input(api: ApiClient, programme: Programme) -> None:
    path = f"/programmes/{programme.pk}/page"

    assert put(api, path, {"motto": {"en": "x"}}).json()["errors"] == {
        "motto": ["This field is not known here; check its name."]
    }
    assert put(api, path, {"cost": {"de": "Kostenlos"}}).status_code == 422
    assert put(api, path, {"cost": "Free"}).json()["errors"] == {"cost": ["Enter an object."]}


def test_publish_and_unpublish(api: ApiClient, programme: Programme, client: Client) -> None:
    public = f"/api/v1/public/programmes/{programme.organisation.slug}/{programme.slug}"
    put(api, f"/programmes/{programme.pk}/page", {"privacy_notice": {"en": "Privacy notice."}})

    published = api.post(f"/programmes/{programme.pk}/page/publish")

    assert published.status_code == 200, published.content
    assert published.json()["published"] is True
    assert client.get(public).status_code == 200

    unpublished = api.post(f"/programmes/{programme.pk}/page/unpublish")

    assert unpublished.json()["published"] is False
    assert client.get(public).status_code == 404


def test_publishing_needs_a_privacy_notice(api: ApiClient, programme: Programme) -> None:
    put(api, f"/programmes/{programme.pk}/page", {"privacy_notice": {}})

    response = api.post(f"/programmes/{programme.pk}/page/publish")

    assert response.status_code == 422
    assert response.json()["detail"] == "Write the privacy notice in at least one language."
    assert api.get(f"/programmes/{programme.pk}/page").json()["published"] is False


# --- who may ------------------------------------------------------------------------


def test_another_organisations_outreach_does_not_exist_for_me(api: ApiClient, other_programme: Programme) -> None:
    item = channel(other_programme, "some", "Some")
    publish(other_programme)

    responses = [
        api.get(f"/programmes/{other_programme.pk}/channels"),
        api.post(f"/programmes/{other_programme.pk}/channels", {"name": {"en": "Mine"}}),
        api.patch(f"/channels/{item.pk}", {"active": False}),
        delete(api, f"/channels/{item.pk}"),
        api.get(f"/programmes/{other_programme.pk}/page"),
        put(api, f"/programmes/{other_programme.pk}/page", {"cost": {"en": "Expensive"}}),
        api.post(f"/programmes/{other_programme.pk}/page/unpublish"),
        api.get("/channels/999999"),
    ]

    assert [r.status_code for r in responses[:-1]] == [404] * (len(responses) - 1)
    assert responses[-1].status_code in {404, 405}
    item.refresh_from_db()
    assert item.active is True
    page = ProgrammePage.objects.get(programme=other_programme)
    assert page.is_published
    assert page.cost.get("en") != "Expensive"


def test_a_facilitator_may_not(facilitator_api: ApiClient, programme: Programme) -> None:
    item = channel(programme, "some", "Some")

    assert facilitator_api.get(f"/programmes/{programme.pk}/channels").status_code == 403
    assert facilitator_api.patch(f"/channels/{item.pk}", {"active": False}).status_code == 403
    assert facilitator_api.post(f"/programmes/{programme.pk}/page/publish").status_code == 403
    item.refresh_from_db()
    assert item.active is True


def test_channels_take_a_fixed_number_of_queries(api: ApiClient, programme: Programme) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    channel(programme, "first", "First")
    path = f"/programmes/{programme.pk}/channels"
    api.get(path)  # the token's "last used" is written on the first call only

    with CaptureQueriesContext(connection) as one:
        api.get(path)
    for n in range(6):
        channel(programme, f"more-{n}", f"More {n}")
    with CaptureQueriesContext(connection) as seven:
        assert len(api.get(path).json()) == 7

    assert len(seven.captured_queries) == len(one.captured_queries)

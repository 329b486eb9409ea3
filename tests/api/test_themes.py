"""A programme's theme catalogue through the API."""

from __future__ import annotations

from kollega.core.models import AuditEntry, Programme, Theme

from .conftest import ApiClient


def test_list_in_catalogue_order(api: ApiClient, programme: Programme) -> None:
    response = api.get(f"/programmes/{programme.pk}/themes")

    assert response.status_code == 200
    keys = [t["key"] for t in response.json()]
    assert keys[0] == "getting-to-know"
    assert "networks" in keys
    assert len(keys) == 7


def test_create_goes_to_the_end(api: ApiClient, programme: Programme) -> None:
    response = api.post(
        f"/programmes/{programme.pk}/themes",
        {"title": {"fi": "Digitaaliset työkalut", "en": "Digital tools"}, "description": {"en": "Tools we like."}},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["key"] == "digitaaliset-tyokalut"
    assert body["position_rule"] == "free"
    assert body["description"] == {"fi": "", "sv": "", "en": "Tools we like."}
    assert [t["key"] for t in api.get(f"/programmes/{programme.pk}/themes").json()][-1] == body["key"]
    assert AuditEntry.objects.filter(action="core.theme.created").exists()


def test_a_second_first_theme_is_refused(api: ApiClient, programme: Programme) -> None:
    response = api.post(f"/programmes/{programme.pk}/themes", {"title": {"en": "Also first"}, "position_rule": "first"})

    assert response.status_code == 422
    assert response.json()["errors"] == {"position_rule": ["Only one theme can always come first."]}
    assert programme.themes.count() == 7


def test_unknown_position_rule_is_refused_in_the_requests_language(api: ApiClient, programme: Programme) -> None:
    response = api.post(
        f"/programmes/{programme.pk}/themes", {"title": {"en": "X"}, "position_rule": "middle"}, language="fi"
    )
    assert response.status_code == 422
    assert response.json()["errors"]["position_rule"] == [
        "Valitse kelvollinen vaihtoehto. Valintasi ei ole sallittujen vaihtoehtojen joukossa."
    ]


def test_update_merges_texts_and_moves_the_theme(api: ApiClient, programme: Programme) -> None:
    theme = programme.themes.get(key="recovery")

    response = api.patch(f"/themes/{theme.pk}", {"title": {"en": "Rest and recovery"}, "order": 1})

    assert response.status_code == 200, response.content
    theme.refresh_from_db()
    assert theme.title["en"] == "Rest and recovery"
    assert theme.title["fi"] == "Palautuminen ja työn ja vapaa-ajan rajat"
    assert theme.order == 1
    assert response.json()["title"]["en"] == "Rest and recovery"


def test_update_to_a_second_first_theme_is_refused(api: ApiClient, programme: Programme) -> None:
    theme = programme.themes.get(key="recovery")
    response = api.patch(f"/themes/{theme.pk}", {"position_rule": "first"})
    assert response.status_code == 422
    theme.refresh_from_db()
    assert theme.position_rule == "free"


def test_another_organisations_themes_do_not_exist_for_me(api: ApiClient, other_programme: Programme) -> None:
    theme = other_programme.themes.first()
    assert theme is not None

    assert api.get(f"/programmes/{other_programme.pk}/themes").status_code == 404
    assert api.post(f"/programmes/{other_programme.pk}/themes", {"title": {"en": "Mine"}}).status_code == 404
    assert api.patch(f"/themes/{theme.pk}", {"title": {"en": "Mine"}}).status_code == 404
    assert (
        api.patch("/themes/999999", {"title": {"en": "Mine"}}).json()
        == api.patch(f"/themes/{theme.pk}", {"title": {"en": "Mine"}}).json()
    )
    assert Theme.objects.filter(programme=other_programme).count() == 7
    theme.refresh_from_db()
    assert theme.title.get("en") != "Mine"


def test_facilitator_may_not_change_themes(facilitator_api: ApiClient, programme: Programme) -> None:
    theme = programme.themes.get(key="recovery")

    assert facilitator_api.post(f"/programmes/{programme.pk}/themes", {"title": {"en": "X"}}).status_code == 403
    assert facilitator_api.patch(f"/themes/{theme.pk}", {"order": 0}).status_code == 403
    assert facilitator_api.get(f"/programmes/{programme.pk}/themes").status_code == 403
    assert programme.themes.count() == 7

"""The OpenAPI document and the interactive docs, which load nothing from another site."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client


def test_openapi_document_lists_every_resource(client: Client, db: None) -> None:
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Kollega API"
    paths = document["paths"]
    assert set(paths["/api/v1/programmes"]) == {"get", "post"}
    assert set(paths["/api/v1/programmes/{programme_id}"]) == {"get", "patch"}
    assert set(paths["/api/v1/programmes/{programme_id}/themes"]) == {"get", "post"}
    assert set(paths["/api/v1/themes/{theme_id}"]) == {"patch"}
    assert set(paths["/api/v1/programmes/{programme_id}/participants"]) == {"get"}
    assert set(paths["/api/v1/participants/{participant_id}"]) == {"get"}
    assert set(paths["/api/v1/participants/{participant_id}/status"]) == {"post"}
    assert set(paths["/api/v1/participants/{participant_id}/interview-no-show"]) == {"post"}
    assert set(paths["/api/v1/participants/{participant_id}/consents"]) == {"get", "post"}
    schemes = document["components"]["securitySchemes"]
    assert any(s["type"] == "http" and s["scheme"] == "bearer" for s in schemes.values())
    status_change = paths["/api/v1/participants/{participant_id}/status"]["post"]
    assert {"200", "401", "403", "404", "409", "422"} <= set(status_change["responses"])
    listing = paths["/api/v1/programmes/{programme_id}/participants"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"status", "q", "time_slot", "limit", "offset", "order"} <= names


def _with_ninja(apps: list[str]) -> list[str]:
    return [*apps, "ninja"] if "ninja" not in apps else apps


def test_docs_use_only_local_files(client: Client, settings: Any, db: None) -> None:
    settings.INSTALLED_APPS = _with_ninja(list(settings.INSTALLED_APPS))

    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert references
    for reference in references:
        assert reference.startswith("/static/"), reference
        asset = client.get(reference)
        assert asset.status_code == 200, reference
        asset.close()
    assert "//" not in "".join(references)
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_without_the_local_copy_the_docs_are_off(client: Client, settings: Any, db: None) -> None:
    settings.INSTALLED_APPS = [app for app in settings.INSTALLED_APPS if app != "ninja"]

    response = client.get("/api/v1/docs")

    assert response.status_code == 404
    assert b"cdn" not in response.content.lower()


@pytest.mark.parametrize("path", ["/api/v1/docs", "/api/v1/openapi.json"])
def test_docs_need_no_token(client: Client, settings: Any, db: None, path: str) -> None:
    settings.INSTALLED_APPS = _with_ninja(list(settings.INSTALLED_APPS))
    assert client.get(path).status_code == 200

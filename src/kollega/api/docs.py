"""Interactive API docs, served only from Kollega's own static files.

django-ninja ships swagger-ui in its package, but it renders the local copy
only when ``ninja`` is an installed app; otherwise it falls back to a CDN.
Nothing may be loaded from another site, so without the local copy the docs
page answers 404 instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.http import Http404, HttpRequest, HttpResponse
from ninja.openapi.docs import Swagger

if TYPE_CHECKING:
    from ninja import NinjaAPI


def docs_are_local() -> bool:
    return apps.is_installed("ninja")


class LocalSwagger(Swagger):
    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        if not docs_are_local():
            raise Http404
        response = super().render_page(request, api, **kwargs)
        # The page is swagger-ui's own; keep it to our origin.
        response["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'"
        )
        return response

"""The theme catalogue of a programme."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from kollega.api import schemas as s
from kollega.api import selectors
from kollega.api.auth import request_user
from kollega.core import services

router = Router(tags=["themes"])


@router.get("/programmes/{programme_id}/themes", response={200: list[s.ThemeOut], **s.ERRORS}, summary="List themes")
def theme_list(request: HttpRequest, programme_id: int) -> list[s.ThemeOut]:
    """The programme's theme catalogue in its order."""
    themes = selectors.theme_list_for_api(user=request_user(request), programme_pk=programme_id)
    return [s.theme_out(t) for t in themes]


@router.post(
    "/programmes/{programme_id}/themes",
    response={201: s.ThemeOut, **s.ERRORS},
    summary="Add a theme",
)
def theme_create(request: HttpRequest, programme_id: int, payload: s.ThemeCreateIn) -> Status[s.ThemeOut]:
    """A new theme at the end of the catalogue."""
    user = request_user(request)
    programme = selectors.programme_get_for_api(user=user, pk=programme_id)
    theme = services.theme_create(
        programme=programme,
        title=payload.title.given(),
        description=payload.description.given() if payload.description else None,
        position_rule=payload.position_rule.value,
        key=payload.key,
        actor=user,
    )
    return Status(201, s.theme_out(theme))


@router.patch("/themes/{theme_id}", response={200: s.ThemeOut, **s.ERRORS}, summary="Change a theme")
def theme_update(request: HttpRequest, theme_id: int, payload: s.ThemeUpdateIn) -> s.ThemeOut:
    """Change a theme's title or description (per language), its place rule or its order."""
    user = request_user(request)
    theme = selectors.theme_get_for_api(user=user, pk=theme_id)
    fields: dict[str, Any] = {}
    if payload.title is not None:
        fields["title"] = s.merge_texts(theme.title, payload.title)
    if payload.description is not None:
        fields["description"] = s.merge_texts(theme.description, payload.description)
    if payload.position_rule is not None:
        fields["position_rule"] = payload.position_rule.value
    if payload.order is not None:
        fields["order"] = payload.order
    if fields:
        theme = services.theme_update(theme=theme, actor=user, **fields)
    return s.theme_out(theme)

"""Programmes and their theme catalogues."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from kollega.api import schemas as s
from kollega.api import selectors
from kollega.api.auth import request_user
from kollega.core import services

router = Router(tags=["programmes"])


@router.get("/programmes", response={200: s.ProgrammePage, **s.ERRORS}, summary="List programmes")
def programme_list(request: HttpRequest, page: Query[s.PageQuery]) -> s.ProgrammePage:
    """Programmes of the organisations you coordinate, newest first."""
    qs = selectors.programme_list_for_api(user=request_user(request))
    count = qs.count()
    items = list(qs[page.offset : page.offset + page.limit]) if page.offset < count else []
    return s.ProgrammePage(count=count, limit=page.limit, offset=page.offset, items=[s.programme_out(p) for p in items])


@router.post("/programmes", response={201: s.ProgrammeDetailOut, **s.ERRORS}, summary="Create a programme")
def programme_create(request: HttpRequest, payload: s.ProgrammeCreateIn) -> Status[s.ProgrammeDetailOut]:
    """A new programme from a template; `settings` overrides the template's values."""
    user = request_user(request)
    organisation = selectors.organisation_get_for_api(user=user, ref=payload.organisation)
    programme = services.programme_create_from_template(
        organisation=organisation,
        title=payload.title.given(),
        template_key=payload.template_key,
        slug=payload.slug.strip(),
        actor=user,
        **(payload.settings.changes() if payload.settings else {}),
    )
    return Status(201, _detail(request, programme.pk))


@router.get("/programmes/{programme_id}", response={200: s.ProgrammeDetailOut, **s.ERRORS}, summary="Read a programme")
def programme_read(request: HttpRequest, programme_id: int) -> s.ProgrammeDetailOut:
    """A programme with its settings, time slots, themes and participant counts."""
    return _detail(request, programme_id)


@router.patch(
    "/programmes/{programme_id}", response={200: s.ProgrammeDetailOut, **s.ERRORS}, summary="Change a programme"
)
def programme_update(request: HttpRequest, programme_id: int, payload: s.ProgrammeUpdateIn) -> s.ProgrammeDetailOut:
    """Change the title (per language), the address name or settings; what is left out stays."""
    user = request_user(request)
    programme = selectors.programme_get_for_api(user=user, pk=programme_id)
    fields: dict[str, Any] = {}
    if payload.title is not None:
        fields["title"] = s.merge_texts(programme.title, payload.title)
    if payload.slug is not None:
        fields["slug"] = payload.slug
    if payload.settings is not None:
        fields.update(payload.settings.changes())
    services.programme_update(programme=programme, actor=user, **fields)
    return _detail(request, programme_id)


def _detail(request: HttpRequest, programme_id: int) -> s.ProgrammeDetailOut:
    programme = selectors.programme_get_for_api(user=request_user(request), pk=programme_id, with_catalogue=True)
    return s.programme_detail_out(programme, selectors.programme_status_counts(programme=programme))

"""Outreach: a programme's channels with their share links, and its public page's texts and publishing."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import Http404, HttpRequest
from ninja import Router, Status

from kollega.accounts.models import User
from kollega.api import recruitment_schemas as rs
from kollega.api import schemas as s
from kollega.api import selectors
from kollega.api.auth import request_user
from kollega.core.models import Programme
from kollega.core.services import TransitionError
from kollega.outreach import selectors as outreach_selectors
from kollega.outreach import services as outreach_services
from kollega.outreach.models import Channel

router = Router(tags=["outreach"])


# --- permission-checked reads ------------------------------------------------------


def channel_get_for_api(*, user: User, pk: int) -> Channel:
    channel = (
        Channel.objects.select_related("programme__organisation")
        .annotate(registration_count=Count("registrations"))
        .filter(pk=pk)
        .first()
    )
    if channel is None:
        raise Http404
    selectors.access_for_user(user=user).check(channel.programme.organisation_id)
    return channel


# --- helpers -------------------------------------------------------------------


def _channel_out(channel: Channel, programme: Programme) -> rs.ChannelOut:
    return rs.channel_out(channel, outreach_selectors.share_url(programme=programme, channel=channel))


def _page_out(programme: Programme) -> rs.PageOut:
    page = outreach_services.programme_page_get_or_create(programme=programme)
    return rs.page_out(page, outreach_selectors.share_url(programme=programme), programme.organisation.tz)


# --- channels ----------------------------------------------------------------------


@router.get(
    "/programmes/{programme_id}/channels", response={200: list[rs.ChannelOut], **s.ERRORS}, summary="List channels"
)
def channel_list(request: HttpRequest, programme_id: int) -> list[rs.ChannelOut]:
    """The programme's outreach channels in order, each with its share link and the registrations it brought."""
    programme = selectors.programme_get_for_api(user=request_user(request), pk=programme_id)
    return [_channel_out(channel, programme) for channel in outreach_selectors.channel_list(programme=programme)]


@router.post("/programmes/{programme_id}/channels", response={201: rs.ChannelOut, **s.ERRORS}, summary="Add a channel")
def channel_create(request: HttpRequest, programme_id: int, payload: rs.ChannelCreateIn) -> Status[rs.ChannelOut]:
    """A new channel and its share link; `key` (the link's tag) is made from the name when left out."""
    user = request_user(request)
    programme = selectors.programme_get_for_api(user=user, pk=programme_id)
    channel = outreach_services.channel_create(
        programme=programme,
        name=s.merge_texts({}, payload.name),
        kind=payload.kind.value,
        key=payload.key.strip(),
        actor=user,
    )
    channel = channel_get_for_api(user=user, pk=channel.pk)
    return Status(201, _channel_out(channel, programme))


@router.patch("/channels/{channel_id}", response={200: rs.ChannelOut, **s.ERRORS}, summary="Change a channel")
def channel_update(request: HttpRequest, channel_id: int, payload: rs.ChannelUpdateIn) -> rs.ChannelOut:
    """Change the name (per language), kind, order, or take the channel out of use (`active: false`)."""
    user = request_user(request)
    channel = channel_get_for_api(user=user, pk=channel_id)
    fields: dict[str, Any] = {}
    if payload.name is not None:
        fields["name"] = s.merge_texts(channel.name, payload.name)
    if payload.kind is not None:
        fields["kind"] = payload.kind.value
    if payload.active is not None:
        fields["active"] = payload.active
    if payload.position is not None:
        fields["position"] = payload.position
    if fields:
        outreach_services.channel_update(channel=channel, actor=user, **fields)
    channel = channel_get_for_api(user=user, pk=channel_id)
    return _channel_out(channel, channel.programme)


@router.delete("/channels/{channel_id}", response={204: None, **s.REFUSED}, summary="Delete a channel")
def channel_delete(request: HttpRequest, channel_id: int) -> Status[None]:
    """Delete a channel that brought no registrations. One that did answers 409 `in_use`: take it out of use."""
    user = request_user(request)
    channel = channel_get_for_api(user=user, pk=channel_id)
    try:
        outreach_services.channel_delete(channel=channel, actor=user)
    except outreach_services.ChannelInUseError as error:
        raise TransitionError(" ".join(error.messages), code="in_use") from error
    return Status(204, None)


# --- the programme page --------------------------------------------------------------


@router.get("/programmes/{programme_id}/page", response={200: rs.PageOut, **s.ERRORS}, summary="Read the page texts")
def page_read(request: HttpRequest, programme_id: int) -> rs.PageOut:
    """The public page's texts in every language, whether it is published, and its address."""
    programme = selectors.programme_get_for_api(user=request_user(request), pk=programme_id)
    return _page_out(programme)


@router.put("/programmes/{programme_id}/page", response={200: rs.PageOut, **s.ERRORS}, summary="Set the page texts")
def page_update(request: HttpRequest, programme_id: int, payload: rs.PageTextsIn) -> rs.PageOut:
    """Each text sent replaces that text in every language (a language left out has none); the others stay."""
    user = request_user(request)
    programme = selectors.programme_get_for_api(user=user, pk=programme_id)
    changes = payload.changes()
    if changes:
        outreach_services.programme_page_update(programme=programme, actor=user, **changes)
    return _page_out(programme)


@router.post(
    "/programmes/{programme_id}/page/publish", response={200: rs.PageOut, **s.ERRORS}, summary="Publish the page"
)
def page_publish(request: HttpRequest, programme_id: int) -> rs.PageOut:
    """Open the page to everyone. It needs a title and a privacy notice in at least one language."""
    user = request_user(request)
    programme = selectors.programme_get_for_api(user=user, pk=programme_id)
    outreach_services.programme_page_publish(programme=programme, actor=user)
    return _page_out(programme)


@router.post(
    "/programmes/{programme_id}/page/unpublish",
    response={200: rs.PageOut, **s.ERRORS},
    summary="Unpublish the page",
)
def page_unpublish(request: HttpRequest, programme_id: int) -> rs.PageOut:
    """Close the page to the public (and with it the public registration); staff still see a preview."""
    user = request_user(request)
    programme = selectors.programme_get_for_api(user=user, pk=programme_id)
    outreach_services.programme_page_unpublish(programme=programme, actor=user)
    return _page_out(programme)

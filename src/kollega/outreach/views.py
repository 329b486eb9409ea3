"""The coordinator's outreach pages: the programme page's texts, channels and the press kit.

Every page is for the coordinators of the programme's organisation; anyone else gets 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kollega.core.http import AuthedHttpRequest
from kollega.core.models import Programme
from kollega.core.selectors import programme_get_for_coordinator
from kollega.outreach import selectors, services
from kollega.outreach.forms import ChannelForm, PageTextsForm, apply_service_errors
from kollega.outreach.models import Channel


def _channel(programme: Programme, channel_pk: int) -> Channel:
    channel = selectors.channel_get(programme=programme, pk=channel_pk)
    if channel is None:
        raise Http404
    return channel


# --- the programme page -----------------------------------------------------


@login_required
def page_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    programme = programme_get_for_coordinator(user=request.user, pk=pk)
    page = services.programme_page_get_or_create(programme=programme)
    languages = services.programme_languages(programme)
    form = PageTextsForm(request.POST or None, page=page, languages=languages)
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_page_update(programme=programme, actor=request.user, **form.texts())
        except ValidationError as exc:
            page.refresh_from_db()
            apply_service_errors(form, exc, form.service_aliases())
        else:
            messages.success(request, _("The page texts were saved."))
            return redirect("outreach:page", pk=programme.pk)
    return render(
        request,
        "outreach/page_edit.html",
        {
            "programme": programme,
            "page": page,
            "form": form,
            "public_url": selectors.share_url(programme=programme),
            "publish_problems": services.page_publish_problems(page=page),
        },
    )


@login_required
@require_POST
def page_publish(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    programme = programme_get_for_coordinator(user=request.user, pk=pk)
    if request.POST.get("publish") == "no":
        services.programme_page_unpublish(programme=programme, actor=request.user)
        messages.success(request, _("The page is no longer public: only your organisation's staff can see it."))
    else:
        try:
            services.programme_page_publish(programme=programme, actor=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, _("The page was not published: %(reason)s") % {"reason": message})
        else:
            messages.success(request, _("The page is published. Anyone with the link can read it and register."))
    return redirect("outreach:page", pk=programme.pk)


# --- channels ---------------------------------------------------------------


@login_required
def channel_list(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    programme = programme_get_for_coordinator(user=request.user, pk=pk)
    languages = services.programme_languages(programme)
    form = ChannelForm(request.POST or None, languages=languages)
    if request.method == "POST" and form.is_valid():
        try:
            channel = services.channel_create(
                programme=programme,
                name=form.names(),
                kind=form.cleaned_data["kind"],
                key=form.cleaned_data["key"],
                actor=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc, form.service_aliases())
        else:
            messages.success(
                request,
                _("The channel “%(name)s” was added. Its share link is in the list.") % {"name": channel.label},
            )
            return redirect("outreach:channels", pk=programme.pk)
    channels = selectors.channel_list(programme=programme)
    rows = [
        {
            "channel": channel,
            "url": selectors.share_url(programme=programme, channel=channel),
            "qr": selectors.qr_path(programme=programme, channel=channel),
            "poster": selectors.poster_path(programme=programme, channel=channel),
        }
        for channel in channels
    ]
    return render(
        request,
        "outreach/channel_list.html",
        {
            "programme": programme,
            "rows": rows,
            "form": form,
            "plain_url": selectors.share_url(programme=programme),
            "plain_qr": selectors.qr_path(programme=programme),
            "plain_poster": selectors.poster_path(programme=programme),
        },
    )


@login_required
def channel_edit(request: AuthedHttpRequest, pk: int, channel_pk: int) -> HttpResponse:
    programme = programme_get_for_coordinator(user=request.user, pk=pk)
    channel = _channel(programme, channel_pk)
    key_locked = channel.registrations.exists()
    languages = services.programme_languages(programme)
    form = ChannelForm(request.POST or None, languages=languages, channel=channel, key_locked=key_locked)
    if request.method == "POST" and form.is_valid():
        fields = {"name": form.names(), "kind": form.cleaned_data["kind"]}
        if not key_locked:
            fields["key"] = form.cleaned_data["key"]
        try:
            services.channel_update(channel=channel, actor=request.user, **fields)
        except ValidationError as exc:
            channel.refresh_from_db()
            apply_service_errors(form, exc, form.service_aliases())
        else:
            messages.success(request, _("The channel was saved."))
            return redirect("outreach:channels", pk=programme.pk)
    return render(
        request,
        "outreach/channel_form.html",
        {"programme": programme, "channel": channel, "form": form, "key_locked": key_locked},
    )


@login_required
@require_POST
def channel_set_active(request: AuthedHttpRequest, pk: int, channel_pk: int) -> HttpResponse:
    programme = programme_get_for_coordinator(user=request.user, pk=pk)
    channel = _channel(programme, channel_pk)
    active = request.POST.get("active") == "yes"
    services.channel_update(channel=channel, actor=request.user, active=active)
    if active:
        messages.success(request, _("“%(name)s” is in use again.") % {"name": channel.label})
    else:
        messages.success(
            request,
            _(
                "“%(name)s” is out of use. Its link still opens the programme page but no longer tags "
                "registrations, and registrants no longer see it as an answer."
            )
            % {"name": channel.label},
        )
    return redirect("outreach:channels", pk=programme.pk)


@login_required
def channel_delete(request: AuthedHttpRequest, pk: int, channel_pk: int) -> HttpResponse:
    programme = programme_get_for_coordinator(user=request.user, pk=pk)
    channel = _channel(programme, channel_pk)
    refusal = ""
    if request.method == "POST":
        try:
            services.channel_delete(channel=channel, actor=request.user)
        except ValidationError as exc:
            refusal = " ".join(exc.messages)
        else:
            messages.success(request, _("The channel “%(name)s” was deleted.") % {"name": channel.label})
            return redirect("outreach:channels", pk=programme.pk)
    return render(
        request,
        "outreach/channel_delete.html",
        {
            "programme": programme,
            "channel": channel,
            "registration_count": channel.registrations.count(),
            "refusal": refusal,
        },
    )


# --- press kit --------------------------------------------------------------


@login_required
def press_kit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    programme = programme_get_for_coordinator(user=request.user, pk=pk)
    page = services.programme_page_get_or_create(programme=programme)
    channels = selectors.channel_list(programme=programme, include_inactive=False)
    return render(
        request,
        "outreach/press_kit.html",
        {
            "programme": programme,
            "page": page,
            "kits": selectors.press_kit(programme=programme, page=page, channels=channels),
            "channel_links": [
                (channel, selectors.share_url(programme=programme, channel=channel)) for channel in channels
            ],
            "plain_url": selectors.share_url(programme=programme),
        },
    )

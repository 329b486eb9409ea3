"""Reads for outreach. Callers have checked access to the programme."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kollega.core.models import Organisation, Programme
from kollega.core.models.texts import localized
from kollega.outreach.models import PAGE_TEXT_FIELDS, Channel, ChannelKind, ProgrammePage

#: What the page's texts are called on the coordinator's pages and in the press kit.
PAGE_TEXT_LABELS = {
    "summary": gettext_lazy("In short"),
    "for_whom": gettext_lazy("Who it is for"),
    "what_happens": gettext_lazy("What happens"),
    "dates": gettext_lazy("Dates and times"),
    "commitment": gettext_lazy("Commitment"),
    "facilitators": gettext_lazy("Facilitators"),
    "cost": gettext_lazy("Cost"),
    "privacy_notice": gettext_lazy("Privacy notice"),
}
#: The sections of a press announcement, in order (the privacy notice stays on the page).
ANNOUNCEMENT_FIELDS = ("for_whom", "what_happens", "commitment", "dates", "facilitators", "cost")
#: The longest social media post (the strictest common limit).
POST_MAX = 280


def programme_public_get(*, organisation_slug: str, programme_slug: str) -> Programme | None:
    """A programme by its public address (whether published is the caller's question)."""
    return (
        Programme.objects.select_related("organisation")
        .filter(organisation__slug=organisation_slug, slug=programme_slug)
        .first()
    )


def channel_list(*, programme: Programme, include_inactive: bool = True) -> list[Channel]:
    """The programme's channels in order, each with ``registration_count``, in one query."""
    channels = Channel.objects.filter(programme=programme)
    if not include_inactive:
        channels = channels.filter(active=True)
    return list(channels.annotate(registration_count=Count("registrations")).order_by("position", "id"))


def channel_get(*, programme: Programme, pk: int) -> Channel | None:
    """A channel of ``programme`` (None when the id names another programme's channel)."""
    return Channel.objects.filter(programme=programme, pk=pk).first()


def public_path(*, programme: Programme) -> str:
    """The path of the public programme page: ``/p/<organisation>/<programme>/``."""
    return reverse("public:programme", args=[programme.organisation.slug, programme.slug])


def _tagged(path: str, channel: Channel | None) -> str:
    return path + "?" + urlencode({"c": channel.key}) if channel is not None else path


def share_url(*, programme: Programme, channel: Channel | None = None) -> str:
    """The absolute address of the programme page, tagged with the channel."""
    return settings.KOLLEGA_BASE_URL + _tagged(public_path(programme=programme), channel)


def qr_path(*, programme: Programme, channel: Channel | None = None) -> str:
    """The printable QR code (an SVG) of the programme page, tagged with the channel."""
    return _tagged(reverse("public:qr", args=[programme.organisation.slug, programme.slug]), channel)


def poster_path(*, programme: Programme, channel: Channel | None = None) -> str:
    """A printable poster of the programme with the QR code of the channel's link."""
    return _tagged(reverse("public:poster", args=[programme.organisation.slug, programme.slug]), channel)


@dataclass
class PressKitLanguage:
    """Ready-to-paste texts in one language."""

    language: str
    announcement: str
    post: str
    link: str
    link_channel: Channel | None
    post_link: str
    post_channel: Channel | None
    missing: list[str] = field(default_factory=list)


def _first_active(channels: list[Channel], kind: str) -> Channel | None:
    return next((c for c in channels if c.active and c.kind == kind), None)


def _shorten(text: str, limit: int) -> str:
    """``text`` cut at a word to at most ``limit`` characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    if limit <= 1:
        return ""
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:–-") + "…"


def social_post(*, title: str, summary: str, link: str, call: str) -> str:
    """A post of at most ``POST_MAX`` characters: the title, as much of the summary as fits, the link."""
    tail = f"{call} {link}"
    budget = POST_MAX - len(tail) - 1
    if budget < 1:  # an absurdly long address: the link is all there is room for
        return tail[:POST_MAX]
    head = _shorten(title, budget)
    room = budget - len(head) - 2  # ": " between the title and the summary
    if summary and room > 20:
        head = f"{head}: {_shorten(summary, room)}"
    return f"{head} {tail}"


def press_kit(*, programme: Programme, page: ProgrammePage, channels: list[Channel]) -> list[PressKitLanguage]:
    """Per language of the programme: an announcement, a short post and their links.

    The announcement's link carries the press release channel's tag and the
    post's the social media channel's, when the programme has such channels in use.
    Texts missing in a language are left out and named in ``missing``.
    """
    from kollega.outreach.services import programme_languages

    press = _first_active(channels, ChannelKind.PRESS_RELEASE)
    social = _first_active(channels, ChannelKind.SOCIAL_MEDIA)
    link = share_url(programme=programme, channel=press)
    post_link = share_url(programme=programme, channel=social)
    kits = []
    for lang in programme_languages(programme):
        texts = {name: ((getattr(page, name) or {}).get(lang) or "").strip() for name in PAGE_TEXT_FIELDS}
        title = (programme.title or {}).get(lang) or localized(programme.title, lang)
        with translation.override(lang):
            missing = [str(PAGE_TEXT_LABELS[name]) for name in ("summary", *ANNOUNCEMENT_FIELDS) if not texts[name]]
            parts = [title]
            if texts["summary"]:
                parts.append(texts["summary"])
            sections = [f"{PAGE_TEXT_LABELS[name]}: {texts[name]}" for name in ANNOUNCEMENT_FIELDS if texts[name]]
            if sections:
                parts.append("\n".join(sections))
            parts.append(_("Read more and register: %(link)s") % {"link": link})
            post = social_post(title=title, summary=texts["summary"], link=post_link, call=_("Register:"))
        kits.append(
            PressKitLanguage(
                language=lang,
                announcement="\n\n".join(parts),
                post=post,
                link=link,
                link_channel=press,
                post_link=post_link,
                post_channel=social,
                missing=missing,
            )
        )
    return kits


__all__ = [
    "PAGE_TEXT_LABELS",
    "Organisation",
    "PressKitLanguage",
    "channel_get",
    "channel_list",
    "poster_path",
    "press_kit",
    "programme_public_get",
    "public_path",
    "qr_path",
    "share_url",
]

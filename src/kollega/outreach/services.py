"""Changes to the programme page and the outreach channels. One service is one transaction."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kollega.accounts.models import User
from kollega.core.models import Programme
from kollega.core.models.texts import localized
from kollega.core.services import audit_log
from kollega.outreach.models import PAGE_TEXT_FIELDS, Channel, ChannelKind, ProgrammePage

#: The longest text of one page section in one language.
PAGE_TEXT_MAX = 5000
#: The privacy notice may be a longer legal text.
PRIVACY_NOTICE_MAX = 20000
CHANNEL_NAME_MAX = 100
CHANNEL_KEY_MAX = 40
#: Keys a channel cannot take: "other" is the last option of "where did you hear of us".
RESERVED_CHANNEL_KEYS = frozenset({"other"})
CHANNEL_FIELDS = frozenset({"name", "kind", "active", "position", "key"})
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
# Tab and line breaks are fine in a text; other control characters are not.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _languages() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def programme_languages(programme: Programme) -> list[str]:
    """The programme's languages, in its own order (all the site's languages if it names none we know)."""
    known = [code for code, _name in settings.LANGUAGES]
    chosen = [lang for lang in (programme.languages or []) if lang in known]
    return chosen or known


def _clean_texts(value: Any, *, limit: int, field: str) -> dict[str, str]:
    """``{language: text}`` with known languages and stripped, non-empty texts; else a message."""
    if not isinstance(value, dict):
        raise ValidationError({field: _("Write the text per language.")})
    cleaned: dict[str, str] = {}
    for lang, text in value.items():
        if lang not in _languages():
            raise ValidationError({field: _("Unknown language.")})
        if text is None:
            continue
        if not isinstance(text, str):
            raise ValidationError({field: _("Write the text as plain text.")})
        text = text.replace("\r\n", "\n").strip()
        if _CONTROL.search(text):
            raise ValidationError({field: _("The text contains characters that cannot be shown.")})
        if len(text) > limit:
            raise ValidationError(
                {
                    field: _("Keep the text to at most %(limit)d characters (now %(length)d).")
                    % {
                        "limit": limit,
                        "length": len(text),
                    }
                }
            )
        if text:
            cleaned[lang] = text
    return cleaned


# --- the programme page -----------------------------------------------------


def _length_phrase(minutes: int) -> str:
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def _interval_phrase(days: int) -> str:
    if days % 7 == 0:
        weeks = days // 7
        return ngettext("every %(count)d week", "every %(count)d weeks", weeks) % {"count": weeks}
    return ngettext("every %(count)d day", "every %(count)d days", days) % {"count": days}


def _seed_texts(programme: Programme, language: str) -> dict[str, str]:
    """Sensible first texts in ``language``, drawn from the programme's settings; the coordinator edits them."""
    with translation.override(language):
        count = programme.meeting_count
        length = _length_phrase(programme.meeting_length_minutes)
        if count == 1:
            meetings = _("One online meeting of %(length)s.") % {"length": length}
        else:
            meetings = ngettext(
                "%(count)d online meeting of %(length)s, %(interval)s.",
                "%(count)d online meetings of %(length)s, %(interval)s.",
                count,
            ) % {"count": count, "length": length, "interval": _interval_phrase(programme.meeting_interval_days)}
        commitment = " ".join(
            [meetings, _("We ask you to take part in every meeting: the group is built on everyone being there.")]
        )
        # The public page lists the time slots itself; the dates text says what they cannot.
        dates_parts = []
        if programme.registration_closes_at:
            closes = timezone.localtime(programme.registration_closes_at, programme.organisation.tz)
            dates_parts.append(
                _("Registration closes on %(date)s.") % {"date": formats.date_format(closes, "DATE_FORMAT")}
            )
        dates_parts.append(_("The meeting dates are agreed when the groups are formed."))
        return {
            "summary": _(
                "An online peer-mentoring group for solo and micro entrepreneurs: meet others in the same "
                "situation, share what works and find support for your own work."
            ),
            "for_whom": _(
                "Solo entrepreneurs and micro enterprises (fewer than 10 people) of any industry who would "
                "like a work community and the views of their peers."
            ),
            "what_happens": ngettext(
                "You meet online in a group of at most %(size)d entrepreneur. Before the groups are formed, "
                "everyone has a short intake interview. The themes of the meetings are chosen from what the "
                "group wishes for.",
                "You meet online in a group of at most %(size)d entrepreneurs. Before the groups are formed, "
                "everyone has a short intake interview. The themes of the meetings are chosen from what the "
                "group wishes for.",
                programme.group_size_max,
            )
            % {"size": programme.group_size_max},
            "dates": " ".join(dates_parts),
            "commitment": commitment,
            "facilitators": _(
                "Two facilitators take part in every meeting: one leads the discussion, the other watches "
                "the chat and helps with technical problems."
            ),
            "cost": _("Free of charge."),
        }


@transaction.atomic
def programme_page_get_or_create(*, programme: Programme) -> ProgrammePage:
    """The programme's page, made with texts drawn from the programme's settings when it has none.

    The privacy notice is left for the organisation to write: it is theirs to give,
    and the page cannot be published without it.
    """
    page = ProgrammePage.objects.filter(programme=programme).first()
    if page is not None:
        return page
    texts: dict[str, dict[str, str]] = {field: {} for field in PAGE_TEXT_FIELDS}
    for language in programme_languages(programme):
        for field, text in _seed_texts(programme, language).items():
            texts[field][language] = text
    try:
        with transaction.atomic():
            page = ProgrammePage.objects.create(programme=programme, **texts)
    except IntegrityError:
        # Another request made it at the same moment: theirs is as good as ours.
        return ProgrammePage.objects.get(programme=programme)
    audit_log(action="outreach.page.created", subject=page, organisation=programme.organisation, data={"seeded": True})
    return page


@transaction.atomic
def programme_page_update(*, programme: Programme, actor: User | None, **texts: dict[str, str]) -> ProgrammePage:
    """Set page texts (names from ``PAGE_TEXT_FIELDS``, each ``{language: text}``)."""
    unknown = set(texts) - set(PAGE_TEXT_FIELDS)
    if unknown:
        raise ValidationError(_("These cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    page = programme_page_get_or_create(programme=programme)
    page = ProgrammePage.objects.select_for_update().get(pk=page.pk)
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, dict[str, str]] = {}
    for field, value in texts.items():
        limit = PRIVACY_NOTICE_MAX if field == "privacy_notice" else PAGE_TEXT_MAX
        try:
            cleaned[field] = _clean_texts(value, limit=limit, field=field)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    if page.is_published and "privacy_notice" in cleaned and not cleaned["privacy_notice"]:
        errors.setdefault("privacy_notice", []).append(
            _("A published page needs its privacy notice. Unpublish the page first to remove it.")
        )
    if errors:
        raise ValidationError(errors)
    changed = sorted(field for field, value in cleaned.items() if getattr(page, field) != value)
    if not changed:
        return page
    for field in changed:
        setattr(page, field, cleaned[field])
    page.updated_at = timezone.now()
    page.save(update_fields=[*changed, "updated_at"])
    audit_log(
        action="outreach.page.updated",
        subject=page,
        actor=actor,
        organisation=programme.organisation,
        data={"fields": changed},
    )
    return page


def page_publish_problems(*, page: ProgrammePage) -> list[str]:
    """What stops the page from being published, as whole sentences (empty when nothing does)."""
    problems = []
    if not any(isinstance(v, str) and v.strip() for v in (page.programme.title or {}).values()):
        problems.append(_("Give the programme a title in its settings."))
    if not any(isinstance(v, str) and v.strip() for v in (page.privacy_notice or {}).values()):
        problems.append(_("Write the privacy notice in at least one language."))
    return problems


@transaction.atomic
def programme_page_publish(*, programme: Programme, actor: User | None) -> ProgrammePage:
    """Make the page public. It needs the programme's title and the privacy notice in at least one language."""
    page = programme_page_get_or_create(programme=programme)
    page = ProgrammePage.objects.select_for_update().select_related("programme").get(pk=page.pk)
    problems = page_publish_problems(page=page)
    if problems:
        raise ValidationError(problems, code="not_ready")
    if page.is_published:
        return page
    page.published_at = timezone.now()
    page.save(update_fields=["published_at"])
    audit_log(action="outreach.page.published", subject=page, actor=actor, organisation=programme.organisation)
    return page


@transaction.atomic
def programme_page_unpublish(*, programme: Programme, actor: User | None) -> ProgrammePage:
    """Take the page off the public address; only the organisation's staff see it (as a preview)."""
    page = programme_page_get_or_create(programme=programme)
    page = ProgrammePage.objects.select_for_update().get(pk=page.pk)
    if not page.is_published:
        return page
    page.published_at = None
    page.save(update_fields=["published_at"])
    audit_log(action="outreach.page.unpublished", subject=page, actor=actor, organisation=programme.organisation)
    return page


# --- channels ---------------------------------------------------------------


def _clean_channel_name(name: Any) -> dict[str, str]:
    cleaned = _clean_texts(name, limit=CHANNEL_NAME_MAX, field="name")
    if any("\n" in text for text in cleaned.values()):
        raise ValidationError({"name": _("Write the name on one line.")})
    if not cleaned:
        raise ValidationError({"name": _("Give the channel a name in at least one language.")})
    return cleaned


def _clean_channel_key(key: Any, *, name: dict[str, str]) -> str:
    """The link tag: given, or made from the name (Finnish first); lower-case letters, digits and hyphens."""
    if key is not None and not isinstance(key, str):
        raise ValidationError({"key": _("Use letters, numbers and hyphens in the link tag.")})
    given = (key or "").strip()
    source = given or localized(name, "fi")
    cleaned = slugify(source).replace("_", "-").strip("-")[:CHANNEL_KEY_MAX].strip("-")
    if not _KEY.match(cleaned):
        if given:
            raise ValidationError({"key": _("Use letters, numbers and hyphens in the link tag.")})
        raise ValidationError({"key": _("The name gives no link tag: write one with letters, numbers and hyphens.")})
    if cleaned in RESERVED_CHANNEL_KEYS:
        raise ValidationError(
            {"key": _("The link tag “%(key)s” is reserved for “somewhere else”. Choose another.") % {"key": cleaned}}
        )
    return cleaned


def _duplicate_key(key: str) -> ValidationError:
    return ValidationError(
        {
            "key": _(
                "Another channel of this programme already has the link tag “%(key)s”. "
                "Give this one another name or its own link tag."
            )
            % {"key": key}
        },
        code="duplicate",
    )


@transaction.atomic
def channel_create(
    *, programme: Programme, name: dict[str, str], kind: str, key: str = "", actor: User | None
) -> Channel:
    """A new channel; ``key`` (the share link's tag) is made from the name when empty."""
    errors: dict[str, list[str]] = {}
    cleaned_name: dict[str, str] = {}
    cleaned_key = ""
    try:
        cleaned_name = _clean_channel_name(name)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if kind not in ChannelKind.values:
        errors["kind"] = [_("Choose the kind of channel.")]
    if cleaned_name or key:
        try:
            cleaned_key = _clean_channel_key(key, name=cleaned_name)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    # Lock the programme so that two channels cannot take one tag or one position at once.
    Programme.objects.select_for_update().filter(pk=programme.pk).first()
    if Channel.objects.filter(programme=programme, key=cleaned_key).exists():
        raise _duplicate_key(cleaned_key)
    position = (Channel.objects.filter(programme=programme).aggregate(top=Max("position"))["top"] or 0) + 1
    try:
        with transaction.atomic():
            channel = Channel.objects.create(
                programme=programme, key=cleaned_key, kind=kind, name=cleaned_name, position=position
            )
    except IntegrityError:
        raise _duplicate_key(cleaned_key) from None
    audit_log(
        action="outreach.channel.created",
        subject=channel,
        actor=actor,
        organisation=programme.organisation,
        data={"key": cleaned_key, "kind": kind},
    )
    return channel


@transaction.atomic
def channel_update(*, channel: Channel, actor: User | None, **fields: Any) -> Channel:
    """Change name, kind, active or position. The key of a channel that brought registrations stays."""
    unknown = set(fields) - CHANNEL_FIELDS
    if unknown:
        raise ValidationError(_("These cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    channel = Channel.objects.select_for_update().select_related("programme__organisation").get(pk=channel.pk)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if "name" in fields:
        try:
            values["name"] = _clean_channel_name(fields["name"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "kind" in fields:
        if fields["kind"] not in ChannelKind.values:
            errors["kind"] = [_("Choose the kind of channel.")]
        else:
            values["kind"] = fields["kind"]
    if "active" in fields:
        if not isinstance(fields["active"], bool):
            errors["active"] = [_("Say whether the channel is in use.")]
        else:
            values["active"] = fields["active"]
    if "position" in fields:
        position = fields["position"]
        if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position <= 32767:
            errors["position"] = [_("Give the place as a whole number.")]
        else:
            values["position"] = position
    if "key" in fields and (fields["key"] or "") != channel.key:
        try:
            new_key = _clean_channel_key(fields["key"], name=values.get("name", channel.name))
        except ValidationError as exc:
            errors.update(exc.message_dict)
        else:
            if new_key != channel.key:
                if channel.registrations.exists():
                    errors["key"] = [
                        _(
                            "This channel has brought registrations, so its link tag stays: "
                            "links already shared must keep working."
                        )
                    ]
                elif Channel.objects.filter(programme_id=channel.programme_id, key=new_key).exists():
                    errors.update(_duplicate_key(new_key).message_dict)
                else:
                    values["key"] = new_key
    if errors:
        raise ValidationError(errors)
    changed = sorted(name for name, value in values.items() if getattr(channel, name) != value)
    if not changed:
        return channel
    for name in changed:
        setattr(channel, name, values[name])
    channel.save(update_fields=changed)
    action = "outreach.channel.updated"
    if changed == ["active"]:
        action = "outreach.channel.activated" if channel.active else "outreach.channel.deactivated"
    audit_log(
        action=action,
        subject=channel,
        actor=actor,
        organisation=channel.programme.organisation,
        data={"fields": changed},
    )
    return channel


class ChannelInUseError(ValidationError):
    """The channel brought registrations: it can be taken out of use, not deleted."""


@transaction.atomic
def channel_delete(*, channel: Channel, actor: User | None) -> None:
    """Delete an unused channel; one that brought registrations can only be taken out of use."""
    channel = Channel.objects.select_for_update().select_related("programme__organisation").get(pk=channel.pk)
    count = channel.registrations.count()
    if count:
        raise ChannelInUseError(
            ngettext(
                "This channel has brought %(count)d registration, so it cannot be deleted. "
                "Take it out of use instead: its link then stops tagging new registrations.",
                "This channel has brought %(count)d registrations, so it cannot be deleted. "
                "Take it out of use instead: its link then stops tagging new registrations.",
                count,
            )
            % {"count": count},
            code="in_use",
        )
    audit_log(
        action="outreach.channel.deleted",
        subject=channel,
        actor=actor,
        organisation=channel.programme.organisation,
        data={"key": channel.key, "name": channel.name},
    )
    channel.delete()

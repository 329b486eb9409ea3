"""Registration: the form's rules, confirmation of a repeated address, the waiting list and its offers.

Every entry point (the public form, the public API endpoint, the importer, the
demo) registers through ``registration_submit``, so the same rules hold everywhere.
The importer writes many rows under one lock of the programme: it reads the form
once (``registration_form_prepare``), locks the programme once
(``registration_programme_lock``) and registers each row with
``registration_submit_locked``, the part of ``registration_submit`` that runs
with the programme locked.

Capacity decisions lock the programme's row, so registrations, cancellations
and offers of one programme happen one after another even when they arrive at
the same moment. Lock order: programme, then offer, then participant.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kollega.accounts.models import User
from kollega.core.industries import industries
from kollega.core.models import (
    CompanySize,
    ConsentText,
    Gender,
    Organisation,
    Participant,
    ParticipantStatusChange,
    Programme,
    Status,
    TimeSlot,
)
from kollega.core.models.texts import localized
from kollega.core.programme_templates import DEFAULT_TEMPLATE, programme_template
from kollega.core.selectors import consent_text_current
from kollega.core.services import (
    audit_log,
    consent_record,
    participant_change_status,
    participant_create,
    subject_key,
)
from kollega.notifications.models import Notification
from kollega.notifications.services import notification_queue
from kollega.outreach.models import Channel
from kollega.recruitment import selectors
from kollega.recruitment.models import OfferOutcome, PendingChange, Registration, Source, WaitingListOffer
from kollega.recruitment.tokens import manage_token
from kollega.surveys import engine
from kollega.surveys import selectors as survey_selectors
from kollega.surveys import services as survey_services
from kollega.surveys.models import Form, Purpose, Question, QuestionType, Response

logger = logging.getLogger(__name__)

Outcome = Literal["registered", "waiting_list", "confirm_email"]

#: How long the link that confirms a repeated registration works.
PENDING_CHANGE_DAYS = 7
#: At most one confirmation email per participant in this time: a repeated registration
#: sent sooner updates the answers the last emailed link confirms (no mail-bombing an address).
CONFIRM_EMAIL_INTERVAL = timedelta(hours=1)
#: Registrations one client address may send to one programme per window (spam without a third party).
RATE_LIMIT = 10
RATE_WINDOW_SECONDS = 60 * 60
#: From these statuses the registrant (or staff) may cancel a registration.
CANCELLABLE = frozenset(
    {Status.REGISTERED, Status.WAITING_LIST, Status.INTERVIEW_BOOKED, Status.INTERVIEWED, Status.ACCEPTED}
)

# The messages of registration (templates in recruitment/templates/notifications/<kind>/).
KIND_REGISTERED = "recruitment.registered"
KIND_WAITING_LIST = "recruitment.waiting_list"
KIND_CONFIRM_CHANGE = "recruitment.confirm_change"
KIND_CANCELLED = "recruitment.cancelled"
KIND_OFFER = "recruitment.offer"
KIND_OFFER_ACCEPTED = "recruitment.offer_accepted"
KIND_OFFER_EXPIRED = "recruitment.offer_expired"

# Question keys of the default form whose answers are copied onto the participant's profile.
_TEXT_PROFILE = {"phone": "phone", "company_name": "company_name", "region": "region"}
_PROFILE_KEYS = frozenset({*_TEXT_PROFILE, "industry", "years_in_business", "company_size", "gender", "themes"})
_SMALL_INT_MAX = 32767
_CHANNEL_KEY = re.compile(r"^[-a-zA-Z0-9_]{1,40}$")


@dataclass(frozen=True)
class RegistrationOutcome:
    """What happened to one submitted registration.

    - ``registered``: a new participant in status "registered".
    - ``waiting_list``: a new participant on the waiting list at ``waiting_position`` (1 = next).
    - ``confirm_email``: the address already has a registration in this
      programme; nothing changed, a confirmation link went to the address.
    """

    outcome: Outcome
    participant: Participant
    waiting_position: int | None = None


# --- addresses and small helpers ----------------------------------------------


def programme_path(programme: Programme) -> str:
    return f"/p/{programme.organisation.slug}/{programme.slug}/"


def manage_path(participant: Participant) -> str:
    """The personal link to view or cancel a registration."""
    return f"/r/{manage_token(participant)}/"


def offer_path(participant: Participant) -> str:
    """The personal link to answer an offer of a place."""
    return f"/r/{manage_token(participant)}/offer/"


def confirm_path(token: str) -> str:
    """The link that applies a repeated registration."""
    return f"/r/confirm/{token}/"


def absolute_url(path: str) -> str:
    return settings.KOLLEGA_BASE_URL.rstrip("/") + path


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _known_language(language: Any, programme: Programme) -> str:
    """The registrant's language if Kollega speaks it, else the programme's first one."""
    known = {code for code, _name in settings.LANGUAGES}
    code = language.strip().lower()[:2] if isinstance(language, str) else ""
    if code in known:
        return code
    return next((lang for lang in programme.languages or [] if lang in known), settings.LANGUAGE_CODE)


def _staff_language() -> str:
    """Reasons the system writes into a participant's history are for staff: the site's language."""
    return settings.LANGUAGE_CODE


def _local_datetime(value: datetime, organisation: Organisation) -> str:
    local = timezone.localtime(value, organisation.tz)
    return f"{local.day}.{local.month}.{local.year} {local:%H:%M}"


def _local_date(value: datetime, organisation: Organisation) -> str:
    local = timezone.localtime(value, organisation.tz)
    return f"{local.day}.{local.month}.{local.year}"


def _lock_programme(programme: Programme) -> Programme:
    """The programme's row, locked until the transaction ends: capacity decisions wait their turn."""
    return (
        Programme.objects.select_for_update(no_key=True, of=("self",))
        .select_related("organisation")
        .get(pk=programme.pk)
    )


def registration_programme_lock(*, programme: Programme) -> Programme:
    """Lock the programme's row until the transaction ends; pass the result to ``registration_submit_locked``.

    Must be called inside ``transaction.atomic()``. While the lock is held, the
    programme's public registrations, cancellations and offers wait.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("registration_programme_lock needs a transaction")
    return _lock_programme(programme)


# --- the form -------------------------------------------------------------------


def _registration_form_spec(programme: Programme) -> dict[str, Any]:
    try:
        template = programme_template(programme.template_key or DEFAULT_TEMPLATE)
    except KeyError:
        template = programme_template(DEFAULT_TEMPLATE)
    spec = template.get("registration_form") or programme_template(DEFAULT_TEMPLATE)["registration_form"]
    return dict(spec)


@transaction.atomic
def registration_form_ensure(*, programme: Programme, actor: User | None = None) -> Form:
    """The programme's active registration form, made from its template's default when it has none."""
    programme = _lock_programme(programme)  # two callers at once make one form
    existing = selectors.registration_form(programme=programme)
    if existing is not None:
        return existing
    spec = _registration_form_spec(programme)
    form = survey_services.form_create(
        organisation=programme.organisation,
        purpose=Purpose.REGISTRATION,
        title=dict(spec["title"]),
        programme=programme,
        actor=actor,
    )
    for question in spec["questions"]:
        fields = {name: value for name, value in question.items() if name not in {"key", "type"}}
        survey_services.question_add(form=form, key=question["key"], type=question["type"], actor=actor, **fields)
    return form


# --- registering ------------------------------------------------------------------


def _closed_error(programme: Programme) -> ValidationError:
    opens = programme.registration_opens_at
    if opens and timezone.now() < opens:
        message = _("Registration for this programme opens on %(date)s.") % {
            "date": _local_datetime(opens, programme.organisation)
        }
    else:
        message = _("Registration for this programme has closed.")
    return ValidationError(message, code="closed")


def _text_limit(model: type[Any], field: str) -> int:
    limit = model._meta.get_field(field).max_length
    assert isinstance(limit, int)
    return limit


def _profile_errors(cleaned: Mapping[str, Any]) -> dict[str, list[str]]:
    """Answers the form accepts but the profile cannot hold (a coordinator may have loosened a question)."""
    limits = {"name": _text_limit(Participant, "full_name")}
    limits.update({key: _text_limit(Participant, field) for key, field in _TEXT_PROFILE.items()})
    errors: dict[str, list[str]] = {}
    for key, limit in limits.items():
        if key in cleaned and len(str(cleaned[key])) > limit:
            errors[key] = [
                _("The answer can be at most %(limit)d characters long; it is now %(length)d.")
                % {"limit": limit, "length": len(str(cleaned[key]))}
            ]
    if not isinstance(cleaned.get("email"), str) or not cleaned["email"]:
        errors["email"] = [_("Enter your email address, such as name@example.fi.")]
    return errors


def _validated(questions: list[Question], raw: Any, language: str) -> dict[str, Any]:
    result = engine.validate(questions, raw, language)
    errors = dict(result.errors)
    for key, messages in _profile_errors(result.cleaned).items():
        errors.setdefault(key, messages)
    if errors:
        raise ValidationError(errors)
    return result.cleaned


def _profile(cleaned: Mapping[str, Any], questions: list[Question]) -> dict[str, Any]:
    """The participant's profile from the answers; a question the form asks but left unanswered clears its field."""
    asked = {q.key for q in questions}
    profile: dict[str, Any] = {}
    for key, field in _TEXT_PROFILE.items():
        if key in asked:
            profile[field] = str(cleaned[key]) if key in cleaned else ""
    if "industry" in asked:
        industry = cleaned.get("industry")
        profile["industry"] = industry if isinstance(industry, str) and industry in industries() else ""
    if "years_in_business" in asked:
        years = cleaned.get("years_in_business")
        ok = isinstance(years, int) and not isinstance(years, bool) and 0 <= years <= _SMALL_INT_MAX
        profile["years_in_business"] = years if ok else None
    if "company_size" in asked:
        size = cleaned.get("company_size")
        profile["company_size"] = size if size in CompanySize.values else ""
    if "gender" in asked:
        gender = cleaned.get("gender")
        profile["gender"] = gender if gender in Gender.values else ""
    if "themes" in asked:
        themes = cleaned.get("themes")
        profile["theme_ranking"] = [str(key) for key in themes] if isinstance(themes, list) else []
    return profile


def _time_slot_keys(cleaned: Mapping[str, Any]) -> list[str]:
    slots = cleaned.get("time_slots")
    if isinstance(slots, str):
        return [slots]
    return [str(key) for key in slots] if isinstance(slots, list) else []


@dataclass(frozen=True)
class PreparedForm:
    """The programme's registration form, read once for one registration or for a whole import.

    ``questions`` have their options filled in from the programme; ``consent_texts``
    are the consent texts in force, by consent item; ``channels`` the active
    channels and ``time_slots`` the programme's time slots, by key.
    """

    form: Form
    questions: list[Question]
    consent_texts: dict[str, ConsentText]
    channels: dict[str, Channel]
    time_slots: dict[str, TimeSlot]


def registration_form_prepare(*, programme: Programme) -> PreparedForm:
    """Read the programme's registration form; ``ValidationError(code="no_form")`` when it has none."""
    form = selectors.registration_form(programme=programme)
    if form is None:
        raise ValidationError(_("This programme does not take registrations yet."), code="no_form")
    questions = survey_selectors.form_questions(form=form)
    texts: dict[str, ConsentText] = {}
    for question in questions:
        if question.type == QuestionType.CONSENT and question.consent_item and question.consent_item not in texts:
            text = consent_text_current(programme=programme, item=question.consent_item)
            if text is not None:
                texts[question.consent_item] = text
    channels = {c.key: c for c in Channel.objects.filter(programme=programme, active=True)}
    slots = {slot.key: slot for slot in TimeSlot.objects.filter(programme=programme)}
    return PreparedForm(form=form, questions=questions, consent_texts=texts, channels=channels, time_slots=slots)


def _record_consents(
    *,
    participant: Participant,
    questions: list[Question],
    cleaned: Mapping[str, Any],
    actor: User | None,
    at: Any,
    texts: Mapping[str, ConsentText] | None = None,
) -> None:
    """Every consent question answered, given or not, against the text version shown now."""
    for question in questions:
        if question.type == QuestionType.CONSENT and question.consent_item and question.key in cleaned:
            consent_record(
                participant=participant,
                item=question.consent_item,
                given=bool(cleaned[question.key]),
                actor=actor,
                source="registration",
                at=at,
                text=(texts or {}).get(question.consent_item),
            )


def _channel(*, prepared: PreparedForm, channel_key: str, heard_from: Any) -> Channel | None:
    """The share link's channel, else the one the "where did you hear of us" answer names."""
    channel = None
    for key in (channel_key, heard_from):
        if channel is None and isinstance(key, str) and _CHANNEL_KEY.match(key.strip()):
            channel = prepared.channels.get(key.strip())
    return channel


def _goes_to_waiting_list(programme: Programme) -> bool:
    if programme.capacity is None:
        return False
    if selectors.places_taken(programme=programme) >= programme.capacity:
        return True
    # Someone already waits: a newcomer does not jump the queue, the free place is offered to the first.
    return Participant.objects.filter(programme=programme, status=Status.WAITING_LIST).exists()


def registration_submit(
    *,
    programme: Programme,
    raw: Any,
    language: str,
    channel_key: str = "",
    source: str = Source.FORM,
    notify: bool = True,
    check_window: bool = True,
    at: datetime | None = None,
    actor: User | None = None,
) -> RegistrationOutcome:
    """Register one person from the answers ``raw`` (a QueryDict or a JSON object keyed by question key).

    Raises ``ValidationError``: with ``code="closed"`` outside the registration
    window, ``code="no_form"`` when the programme has no registration form,
    else with ``message_dict`` keyed by question key (messages in ``language``).
    Nothing is stored when it raises. An import passes ``check_window=False``
    (the people registered elsewhere, earlier), ``notify=False`` to send no
    confirmation, and ``at`` for when they registered.
    """
    language = _known_language(language, programme)
    with translation.override(language):
        if source not in Source.values:
            raise ValidationError(_("Unknown source of a registration."), code="source")
        if check_window and not programme.registration_is_open():
            raise _closed_error(programme)
        prepared = registration_form_prepare(programme=programme)
        cleaned = _validated(prepared.questions, raw, language)  # before the lock: others need not wait for it
        with transaction.atomic():
            return _register(
                programme=_lock_programme(programme),
                prepared=prepared,
                cleaned=cleaned,
                language=language,
                channel_key=channel_key if isinstance(channel_key, str) else "",
                source=source,
                notify=notify,
                at=at,
                actor=actor,
                repeated="confirm",
            )


def registration_submit_locked(
    *,
    programme: Programme,
    prepared: PreparedForm,
    raw: Any,
    language: str,
    channel_key: str = "",
    source: str = Source.IMPORT,
    notify: bool = False,
    at: datetime | None = None,
    actor: User | None = None,
) -> RegistrationOutcome:
    """``registration_submit`` for a caller that registers many people under one lock (the importer).

    ``programme`` comes from ``registration_programme_lock`` in the caller's
    transaction, ``prepared`` from ``registration_form_prepare``. The window is
    not checked. An address already in the programme is refused
    (``ValidationError(code="exists")``) rather than sent a confirmation link:
    nothing already in the programme changes. Other errors are as for
    ``registration_submit``. It may write part of a registration before it
    raises, so the caller rolls back (its transaction, or a savepoint per row).
    """
    if source not in Source.values:
        raise ValidationError(_("Unknown source of a registration."), code="source")
    language = _known_language(language, programme)
    cleaned = _validated(prepared.questions, raw, language)
    return _register(
        programme=programme,
        prepared=prepared,
        cleaned=cleaned,
        language=language,
        channel_key=channel_key if isinstance(channel_key, str) else "",
        source=source,
        notify=notify,
        at=at,
        actor=actor,
        repeated="refuse",
    )


def _register(
    *,
    programme: Programme,
    prepared: PreparedForm,
    cleaned: dict[str, Any],
    language: str,
    channel_key: str,
    source: str,
    notify: bool,
    at: datetime | None,
    actor: User | None,
    repeated: Literal["confirm", "refuse"],
) -> RegistrationOutcome:
    """The part of a registration that runs with the programme locked."""
    questions = prepared.questions
    email = str(cleaned["email"]).strip().lower()
    existing = (
        Participant.objects.filter(programme=programme, user__email__iexact=email)
        .select_related("user", "programme__organisation")
        .first()
    )
    channel = _channel(prepared=prepared, channel_key=channel_key, heard_from=cleaned.get("heard_from"))
    if existing is not None:
        if repeated == "refuse":
            raise ValidationError(
                _("%(email)s is already registered in this programme; not changed.") % {"email": email},
                code="exists",
            )
        _pending_change_save(
            participant=existing, cleaned=cleaned, language=language, channel=channel, notify=notify, actor=actor
        )
        return RegistrationOutcome(outcome="confirm_email", participant=existing)

    status = Status.WAITING_LIST if _goes_to_waiting_list(programme) else Status.REGISTERED
    registered_at = at or timezone.now()
    participant = participant_create(
        programme=programme,
        email=email,
        full_name=str(cleaned.get("name", "")),
        language=language,
        actor=actor,
        at=registered_at,
        time_slots=[prepared.time_slots[key] for key in _time_slot_keys(cleaned) if key in prepared.time_slots],
        status=status,
        **_profile(cleaned, questions),
    )
    response = survey_services.response_submit(
        form=prepared.form, participant=participant, raw=cleaned, language=language
    )
    if at is not None:
        Response.objects.filter(pk=response.pk).update(submitted_at=at)
    _record_consents(
        participant=participant,
        questions=questions,
        cleaned=cleaned,
        actor=actor,
        at=at,
        texts=prepared.consent_texts,
    )
    heard_from = cleaned.get("heard_from")
    Registration.objects.create(
        participant=participant,
        channel=channel,
        heard_from=heard_from[:60] if isinstance(heard_from, str) else "",
        source=source,
        created_at=registered_at,
    )
    position = selectors.waiting_position(participant=participant)
    audit_log(
        action="recruitment.registration.created",
        subject=participant,
        actor=actor,
        organisation=programme.organisation,
        data={
            "status": status,
            "source": source,
            "channel": channel.key if channel else "",
            "waiting_position": position,
        },
    )
    if notify:
        _email_registered(participant=participant, version="1")
    outcome: Outcome = "waiting_list" if status == Status.WAITING_LIST else "registered"
    return RegistrationOutcome(outcome=outcome, participant=participant, waiting_position=position)


# --- a repeated address -----------------------------------------------------------


def _pending_change_save(
    *,
    participant: Participant,
    cleaned: dict[str, Any],
    language: str,
    channel: Channel | None,
    notify: bool,
    actor: User | None,
) -> PendingChange:
    """Keep the new answers until the address's owner confirms them; only the latest answers can be confirmed.

    At most one confirmation email goes to a participant per
    ``CONFIRM_EMAIL_INTERVAL``: answers sent again sooner replace the answers
    of the waiting change whose link was emailed last, and that link then
    confirms them (the page behind it shows them first). Later, a new link is
    emailed and every older link stops working.
    """
    now = timezone.now()
    waiting = (
        PendingChange.objects.select_for_update()
        .filter(participant=participant, confirmed_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at", "-id")
    )
    latest = waiting.first()
    programme = participant.programme
    recent = latest is not None and latest.created_at > now - CONFIRM_EMAIL_INTERVAL
    if latest is not None and recent and (not notify or _link_emailed(latest, participant)):
        latest.raw = cleaned
        latest.language = language
        latest.channel = channel
        latest.save(update_fields=["raw", "language", "channel"])
        audit_log(
            action="recruitment.registration.change_requested",
            subject=participant,
            actor=actor,
            organisation=programme.organisation,
            data={"pending_change": latest.pk, "emailed": False},
        )
        return latest
    waiting.update(expires_at=now)
    token = secrets.token_urlsafe(32)
    change = PendingChange.objects.create(
        participant=participant,
        raw=cleaned,
        language=language,
        channel=channel,
        token_hash=_hash(token),
        created_at=now,
        expires_at=now + timedelta(days=PENDING_CHANGE_DAYS),
    )
    audit_log(
        action="recruitment.registration.change_requested",
        subject=participant,
        actor=actor,
        organisation=programme.organisation,
        data={"pending_change": change.pk, "emailed": notify},
    )
    if notify:
        _email(
            kind=KIND_CONFIRM_CHANGE,
            participant=participant,
            language=language,
            subject=change,
            context={
                "url": absolute_url(confirm_path(token)),
                "expires_on": _local_date(change.expires_at, programme.organisation),
                "reactivate": participant.status == Status.CANCELLED,
            },
        )
    return change


def _link_emailed(change: PendingChange, participant: Participant) -> bool:
    """Whether the change's link went out by email (a change stored with ``notify=False`` has none)."""
    return Notification.objects.filter(
        recipient=participant.user.email.strip().lower(), kind=KIND_CONFIRM_CHANGE, subject=subject_key(change)
    ).exists()


def pending_change_from_token(token: str) -> PendingChange | None:
    """The repeated registration a confirmation link names (waiting, confirmed or expired), or None."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    return (
        PendingChange.objects.select_related("participant__programme__organisation", "participant__user")
        .filter(token_hash=_hash(token))
        .first()
    )


def _invalid_link() -> ValidationError:
    return ValidationError(
        _("This confirmation link is not valid. Check that you opened the whole link from the email."),
        code="invalid",
    )


def pending_change_version(change: PendingChange) -> str:
    """A short fingerprint of the answers a change waits to apply; it changes when they are replaced.

    The confirmation page sends it back with the button, so a person never
    confirms answers other than the ones the page showed them.
    """
    text = json.dumps([change.raw, change.language, change.channel_id], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@transaction.atomic
def registration_change_confirm(*, token: str, version: str = "") -> Participant:
    """Apply a repeated registration after the address's owner followed the emailed link.

    ``version`` (from ``pending_change_version`` when the page was shown), if
    given, must still match: answers replaced meanwhile are refused with
    ``code="replaced"`` so that the person can look at them first.
    """
    if not isinstance(token, str) or not token or len(token) > 200:
        raise _invalid_link()
    found = PendingChange.objects.select_related("participant__programme").filter(token_hash=_hash(token)).first()
    if found is None:
        raise _invalid_link()
    programme = _lock_programme(found.participant.programme)
    change = PendingChange.objects.select_for_update().get(pk=found.pk)
    now = timezone.now()
    if change.confirmed_at is not None:
        raise ValidationError(_("These changes have already been confirmed."), code="used")
    if change.expires_at <= now:
        raise ValidationError(
            _(
                "This confirmation link has expired, or a newer one has been sent. "
                "Send the registration form again to get a new link."
            ),
            code="expired",
        )
    if version and version != pending_change_version(change):
        raise ValidationError(
            _("The answers waiting for your confirmation were replaced after you opened this page. Check them again."),
            code="replaced",
        )
    participant = Participant.objects.select_for_update().select_related("user").get(pk=change.participant_id)
    participant.programme = programme
    language = _known_language(change.language, programme)
    with translation.override(language):
        form = selectors.registration_form(programme=programme)
        if form is None:
            raise ValidationError(_("This programme does not take registrations at the moment."), code="no_form")
        questions = survey_selectors.form_questions(form=form)
        try:
            cleaned = _validated(questions, change.raw, language)
        except ValidationError:
            raise ValidationError(
                _("The registration form has changed since you sent your answers. Please fill it in again."),
                code="form_changed",
            ) from None
        survey_services.response_submit(form=form, participant=participant, raw=cleaned, language=language)
        _apply_profile(participant=participant, cleaned=cleaned, questions=questions, language=language)
        _record_consents(participant=participant, questions=questions, cleaned=cleaned, actor=None, at=now)
        change.confirmed_at = now
        change.save(update_fields=["confirmed_at"])
        reactivated = participant.status == Status.CANCELLED
        if reactivated:
            _reactivate(participant=participant, change=change, cleaned=cleaned, now=now)
        audit_log(
            action="recruitment.registration.change_confirmed",
            subject=participant,
            organisation=programme.organisation,
            data={"pending_change": change.pk, "reactivated": reactivated, "status": participant.status},
        )
        if reactivated:
            _email_registered(participant=participant, version=f"again-{change.pk}")
    return participant


def _apply_profile(
    *, participant: Participant, cleaned: Mapping[str, Any], questions: list[Question], language: str
) -> None:
    profile = _profile(cleaned, questions)
    name = str(cleaned.get("name", "")).strip()
    if name:
        # This participation's name only: the account's name is shared with other organisations.
        profile["full_name"] = name
    for field, value in profile.items():
        setattr(participant, field, value)
    participant.language = language
    participant.save(update_fields=[*profile, "language"])
    if any(q.key == "time_slots" for q in questions):
        participant.time_slots.set(participant.programme.time_slots.filter(key__in=_time_slot_keys(cleaned)))


def _reactivate(*, participant: Participant, change: PendingChange, cleaned: Mapping[str, Any], now: datetime) -> None:
    """A cancelled registrant registers again: a new registration, subject to capacity, at the end of any queue.

    "Cancelled" is final in the status machine; coming back is a new
    registration, so it is recorded here as one, with its own history row.
    """
    programme = participant.programme
    status = Status.WAITING_LIST if _goes_to_waiting_list(programme) else Status.REGISTERED
    participant.status = status
    participant.status_changed_at = now
    participant.registered_at = now
    participant.save(update_fields=["status", "status_changed_at", "registered_at"])
    ParticipantStatusChange.objects.create(
        participant=participant, from_status=Status.CANCELLED, to_status=status, event="registered_again", at=now
    )
    heard_from = cleaned.get("heard_from")
    Registration.objects.update_or_create(
        participant=participant,
        defaults={
            "channel": change.channel,
            "heard_from": heard_from[:60] if isinstance(heard_from, str) else "",
            "created_at": now,
        },
    )
    audit_log(
        action="recruitment.registration.reactivated",
        subject=participant,
        organisation=programme.organisation,
        data={"status": status},
    )


# --- cancelling -------------------------------------------------------------------


@transaction.atomic
def registration_cancel(*, participant: Participant, reason: str = "", actor: User | None = None) -> Participant:
    """The registrant (or staff) cancels; a freed place goes to the waiting list at once."""
    programme = _lock_programme(participant.programme)
    current = Participant.objects.select_related("user").get(pk=participant.pk)
    current.programme = programme
    if current.status == Status.CANCELLED:
        raise ValidationError(_("This registration has already been cancelled."), code="cancelled")
    if current.status not in CANCELLABLE:
        raise ValidationError(
            _("This registration can no longer be cancelled here. Please contact the programme's coordinator."),
            code="not_cancellable",
        )
    now = timezone.now()
    offer = selectors.offer_pending(participant=current)
    if offer is not None:
        offer.outcome = OfferOutcome.WITHDRAWN
        offer.answered_at = now
        offer.save(update_fields=["outcome", "answered_at"])
    with translation.override(_staff_language()):
        reason = (reason or "").strip() or _("Cancelled by the registrant")
    participant_change_status(
        participant=current,
        to_status=Status.CANCELLED,
        actor=actor,
        reason=reason,
        event="registration_cancelled",
        at=now,
    )
    audit_log(
        action="recruitment.registration.cancelled",
        subject=current,
        actor=actor,
        organisation=programme.organisation,
        data={"reason": reason, "offer_withdrawn": offer.pk if offer else None},
    )
    _email(kind=KIND_CANCELLED, participant=current, subject=current, version=now.isoformat(), context={})
    waiting_list_fill(programme=programme)
    participant.status = current.status
    participant.status_changed_at = current.status_changed_at
    return current


# --- the waiting list -------------------------------------------------------------


@transaction.atomic
def waiting_list_fill(*, programme: Programme, at: datetime | None = None) -> list[WaitingListOffer]:
    """Offer every free place to the next on the waiting list, in order; returns the new offers."""
    programme = _lock_programme(programme)
    waiting = selectors.waiting_list(programme=programme)
    if not waiting:
        return []
    offered = set(
        WaitingListOffer.objects.filter(participant__in=waiting, outcome=OfferOutcome.PENDING).values_list(
            "participant_id", flat=True
        )
    )
    candidates = [p for p in waiting if p.pk not in offered]
    if programme.capacity is None:
        free = len(candidates)  # no limit (any more): everyone waiting gets a place
    else:
        free = programme.capacity - selectors.places_taken(programme=programme)
    now = at or timezone.now()
    offers = []
    for participant in candidates[: max(free, 0)]:
        participant.programme = programme
        offer = WaitingListOffer.objects.create(
            participant=participant, offered_at=now, expires_at=now + timedelta(hours=programme.offer_hours)
        )
        audit_log(
            action="recruitment.offer.made",
            subject=offer,
            organisation=programme.organisation,
            data={"participant": participant.pk, "expires_at": offer.expires_at.isoformat()},
        )
        _email(
            kind=KIND_OFFER,
            participant=participant,
            subject=offer,
            context={
                "offer_id": offer.pk,
                "offer_url": absolute_url(offer_path(participant)),
                "deadline": _local_datetime(offer.expires_at, programme.organisation),
                "offer_hours": programme.offer_hours,
            },
        )
        offers.append(offer)
    return offers


def _open_offer(offer: WaitingListOffer, now: datetime) -> tuple[Programme, WaitingListOffer, Participant]:
    """Lock the programme and the offer; refuse an offer that can no longer be answered."""
    participant = Participant.objects.select_related("programme").get(pk=offer.participant_id)
    programme = _lock_programme(participant.programme)
    offer = WaitingListOffer.objects.select_for_update().get(pk=offer.pk)
    participant = Participant.objects.select_related("user").get(pk=offer.participant_id)
    participant.programme = programme
    deadline = _local_datetime(offer.expires_at, programme.organisation)
    if offer.outcome == OfferOutcome.EXPIRED or (offer.outcome == OfferOutcome.PENDING and offer.expires_at <= now):
        raise ValidationError(
            _(
                "The time to answer this offer ended on %(deadline)s, so the place has passed "
                "to the next person on the waiting list."
            )
            % {"deadline": deadline},
            code="expired",
        )
    if offer.outcome == OfferOutcome.ACCEPTED:
        raise ValidationError(_("You have already accepted this place."), code="answered")
    if offer.outcome == OfferOutcome.DECLINED:
        raise ValidationError(_("You have already declined this place."), code="answered")
    if offer.outcome != OfferOutcome.PENDING or participant.status != Status.WAITING_LIST:
        raise ValidationError(_("This offer is no longer open."), code="withdrawn")
    return programme, offer, participant


@transaction.atomic
def waiting_list_offer_accept(*, offer: WaitingListOffer, at: datetime | None = None) -> Participant:
    """The person takes the offered place: "registered", and the intake interview comes next."""
    now = at or timezone.now()
    programme, offer, participant = _open_offer(offer, now)
    offer.outcome = OfferOutcome.ACCEPTED
    offer.answered_at = now
    offer.save(update_fields=["outcome", "answered_at"])
    participant_change_status(
        participant=participant, to_status=Status.REGISTERED, actor=None, event="offer_accepted", at=now
    )
    audit_log(action="recruitment.offer.accepted", subject=offer, organisation=programme.organisation)
    _email(kind=KIND_OFFER_ACCEPTED, participant=participant, subject=offer, context={})
    return participant


@transaction.atomic
def waiting_list_offer_decline(*, offer: WaitingListOffer, at: datetime | None = None) -> Participant:
    """The person does not want the place: cancelled, and the place goes to the next in line."""
    now = at or timezone.now()
    programme, offer, participant = _open_offer(offer, now)
    offer.outcome = OfferOutcome.DECLINED
    offer.answered_at = now
    offer.save(update_fields=["outcome", "answered_at"])
    with translation.override(_staff_language()):
        reason = _("Declined the offered place")
    participant_change_status(
        participant=participant,
        to_status=Status.CANCELLED,
        actor=None,
        reason=reason,
        event="offer_declined",
        at=now,
    )
    audit_log(action="recruitment.offer.declined", subject=offer, organisation=programme.organisation)
    _email(kind=KIND_CANCELLED, participant=participant, subject=participant, version=now.isoformat(), context={})
    waiting_list_fill(programme=programme, at=now)
    return participant


def waiting_list_expire_offers(*, at: datetime | None = None) -> int:
    """Close offers past their deadline and pass each place to the next; the periodic job calls this."""
    now = at or timezone.now()
    due = list(
        WaitingListOffer.objects.filter(outcome=OfferOutcome.PENDING, expires_at__lte=now)
        .order_by("expires_at", "id")
        .values_list("pk", flat=True)
    )
    expired = 0
    for offer_id in due:
        try:
            expired += _offer_expire(offer_id=offer_id, now=now)
        except Exception:
            # One broken offer must not keep the others open; the next run tries it again.
            logger.exception("Could not expire waiting-list offer %s", offer_id)
    return expired


@transaction.atomic
def _offer_expire(*, offer_id: int, now: datetime) -> int:
    found = WaitingListOffer.objects.select_related("participant__programme").get(pk=offer_id)
    programme = _lock_programme(found.participant.programme)
    offer = WaitingListOffer.objects.select_for_update().get(pk=offer_id)
    if offer.outcome != OfferOutcome.PENDING or offer.expires_at > now:
        return 0  # answered meanwhile
    offer.outcome = OfferOutcome.EXPIRED
    offer.save(update_fields=["outcome"])
    participant = Participant.objects.select_related("user").get(pk=offer.participant_id)
    participant.programme = programme
    if participant.status == Status.WAITING_LIST:
        with translation.override(_staff_language()):
            reason = _("Did not answer the offer in time")
        participant_change_status(
            participant=participant,
            to_status=Status.CANCELLED,
            actor=None,
            reason=reason,
            event="offer_expired",
            at=now,
        )
        _email(
            kind=KIND_OFFER_EXPIRED,
            participant=participant,
            subject=offer,
            context={"deadline": _local_datetime(offer.expires_at, programme.organisation)},
        )
    audit_log(action="recruitment.offer.expired", subject=offer, organisation=programme.organisation)
    waiting_list_fill(programme=programme, at=now)
    return 1


def waiting_lists_fill(*, at: datetime | None = None) -> int:
    """Fill free places in every programme that has a waiting list; returns the number of offers made."""
    programme_ids = (
        Participant.objects.filter(status=Status.WAITING_LIST).values_list("programme_id", flat=True).distinct()
    )
    made = 0
    for programme in Programme.objects.filter(pk__in=list(programme_ids)):
        try:
            made += len(waiting_list_fill(programme=programme, at=at))
        except Exception:
            logger.exception("Could not fill the waiting list of programme %s", programme.pk)
    return made


# --- spam and share links -----------------------------------------------------------


def registration_rate_limited(*, programme: Programme, client_ip: str) -> bool:
    """True when this address has sent too many registrations lately (counted in the shared cache).

    Each call counts one attempt. The window starts at the address's first
    attempt and lasts ``RATE_WINDOW_SECONDS``; at most ``RATE_LIMIT`` attempts
    pass in it. An IPv6 client counts by its /64 network, since one connection
    usually has a whole /64 to pick addresses from. The address is stored only
    as a hash.
    """
    address = hashlib.sha256(_rate_limit_key(client_ip).encode()).hexdigest()[:32]
    base = f"kollega:recruitment:rate:{programme.pk}:{address}"
    now = time.time()
    started = cache.get_or_set(f"{base}:start", now, timeout=RATE_WINDOW_SECONDS)
    started = started if isinstance(started, int | float) else now
    remaining = max(1, int(started + RATE_WINDOW_SECONDS - now))
    count_key = f"{base}:count"
    if cache.add(count_key, 1, timeout=remaining):
        count = 1
    else:
        try:
            count = cache.incr(count_key)
        except ValueError:  # expired between the two calls
            cache.set(count_key, 1, timeout=remaining)
            count = 1
        # Some caches restart the timeout on incr(); the window still ends when it began plus an hour.
        cache.touch(count_key, remaining)
    return count > RATE_LIMIT


def _rate_limit_key(client_ip: Any) -> str:
    """What the rate limit counts: an IPv4 address, an IPv6 address's /64 network, else the text as given."""
    text = str(client_ip or "").strip() or "unknown"
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])  # no zone ("fe80::1%eth0")
    except ValueError:
        return text[:200]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        network = ipaddress.IPv6Network((int(address) >> 64 << 64, 64))
        return str(network)
    return str(address)


def channel_for_link(*, programme: Programme, key: str) -> Channel | None:
    """The active channel a share link's tag names, or None."""
    if not isinstance(key, str):
        return None
    key = key.strip()
    if not _CHANNEL_KEY.match(key):  # a tag is a slug; anything else names no channel (and never reaches SQL)
        return None
    return Channel.objects.filter(programme=programme, key=key, active=True).first()


# --- emails -----------------------------------------------------------------------------


def _commitment(programme: Programme, language: str) -> str:
    from kollega.outreach.models import ProgrammePage

    page = ProgrammePage.objects.filter(programme=programme).first()
    return localized(page.commitment, language) if page is not None else ""


def _email(
    *,
    kind: str,
    participant: Participant,
    context: dict[str, Any],
    subject: Any,
    version: str | None = None,
    language: str | None = None,
) -> None:
    """Queue one registration message to the participant, in their language, with their personal link."""
    programme = participant.programme
    language = language or participant.language
    notification_queue(
        kind=kind,
        recipient=participant.user.email,
        recipient_user=participant.user,
        language=language,
        organisation=programme.organisation,
        subject=subject,
        version=version,
        context={
            "participant_id": participant.pk,
            "name": participant.full_name or participant.user.full_name,
            "programme_title": localized(programme.title, language),
            "programme_url": absolute_url(programme_path(programme)),
            "manage_url": absolute_url(manage_path(participant)),
            **context,
        },
    )


def _email_registered(*, participant: Participant, version: str) -> None:
    """The confirmation of a registration: registered (with what happens next) or the place on the waiting list."""
    programme = participant.programme
    waiting = participant.status == Status.WAITING_LIST
    _email(
        kind=KIND_WAITING_LIST if waiting else KIND_REGISTERED,
        participant=participant,
        subject=participant,
        version=version,
        context={
            "waiting_position": selectors.waiting_position(participant=participant),
            "offer_hours": programme.offer_hours,
            "commitment": _commitment(programme, participant.language),
            "meeting_count": programme.meeting_count,
            "meeting_minutes": programme.meeting_length_minutes,
        },
    )

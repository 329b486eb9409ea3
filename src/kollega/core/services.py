"""Every state change of the core. One service is one transaction."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kollega.accounts.models import User
from kollega.core import selectors
from kollega.core import status as machine
from kollega.core.models import (
    AuditEntry,
    ClosedPeriod,
    Consent,
    ConsentItem,
    ConsentText,
    Organisation,
    Participant,
    ParticipantStatusChange,
    Programme,
    Role,
    StaffMembership,
    Status,
    Theme,
    TimeSlot,
)
from kollega.core.programme_templates import DEFAULT_TEMPLATE, programme_template


class TransitionError(ValidationError):
    """A status change that the rules do not allow. Nothing was changed."""


def subject_key(obj: models.Model) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def audit_log(
    *,
    action: str,
    subject: models.Model,
    actor: User | None = None,
    organisation: Organisation | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        action=action,
        subject=subject_key(subject),
        actor=actor if actor is not None and actor.is_authenticated else None,
        organisation=organisation,
        data=data or {},
    )


# --- people ---------------------------------------------------------------


def user_get_or_create(*, email: str, full_name: str = "", language: str = "fi") -> User:
    """The account of ``email``, made with ``full_name`` and ``language`` if there is none.

    An existing account is returned as it is: its name is shared by every
    organisation the person meets, so only its owner changes it. Two callers
    making the same new address at the same moment get the same account.
    """
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user
    try:
        # A savepoint: the other caller's insert wins the unique index, this one re-reads.
        with transaction.atomic():
            return User.objects.create_user(email=email, full_name=full_name.strip(), language=language)
    except IntegrityError:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise
        return user


# --- organisations ----------------------------------------------------------


def _unique_slug(model: type[models.Model], base: str, **scope: Any) -> str:
    base = slugify(base)[:50] or "x"
    slug, n = base, 2
    while model._default_manager.filter(slug=slug, **scope).exists():  # type: ignore[attr-defined]
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organisation_create(
    *, name: str, slug: str = "", time_zone: str = "Europe/Helsinki", actor: User | None = None, **fields: Any
) -> Organisation:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the organisation a name.")})
    org = Organisation(name=name, slug=slug or _unique_slug(Organisation, name), time_zone=time_zone, **fields)
    org.full_clean()
    org.save()
    audit_log(action="core.organisation.created", subject=org, actor=actor, organisation=org)
    return org


@transaction.atomic
def organisation_update(*, organisation: Organisation, actor: User | None, **fields: Any) -> Organisation:
    allowed = {"name", "time_zone", "support_email", "support_phone", "support_hours", "website"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(_("These cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    for key, value in fields.items():
        setattr(organisation, key, value)
    organisation.full_clean(exclude=["slug"])
    organisation.save(update_fields=list(fields))
    audit_log(
        action="core.organisation.updated",
        subject=organisation,
        actor=actor,
        organisation=organisation,
        data={"fields": sorted(fields)},
    )
    return organisation


@transaction.atomic
def closed_period_add(
    *, organisation: Organisation, name: str, start_date: Any, end_date: Any, actor: User | None
) -> ClosedPeriod:
    period = ClosedPeriod(organisation=organisation, name=name.strip(), start_date=start_date, end_date=end_date)
    if period.end_date < period.start_date:
        raise ValidationError({"end_date": _("The last day cannot be before the first day.")})
    period.full_clean()
    period.save()
    audit_log(action="core.closed_period.added", subject=period, actor=actor, organisation=organisation)
    return period


@transaction.atomic
def closed_period_delete(*, period: ClosedPeriod, actor: User | None) -> None:
    audit_log(
        action="core.closed_period.deleted",
        subject=period,
        actor=actor,
        organisation=period.organisation,
        data={"name": period.name},
    )
    period.delete()


@transaction.atomic
def organisation_lend_facilitators(
    *, organisation: Organisation, partner_slug: str, actor: User | None
) -> Organisation:
    """Let the partner with address name ``partner_slug`` make ``organisation``'s staff facilitators of its groups.

    Returns the partner. Groups the partner's coordinators set up get facilitators from both organisations.
    """
    slug = partner_slug.strip()
    partner = Organisation.objects.filter(slug__iexact=slug).first() if slug else None
    if partner is None:
        message = _("No organisation has the address name “%(slug)s”. Ask the partner for theirs.")
        raise ValidationError({"partner": message % {"slug": slug}})
    if partner.pk == organisation.pk:
        raise ValidationError({"partner": _("Your own organisation can always use its facilitators.")})
    if organisation.lends_facilitators_to.filter(pk=partner.pk).exists():
        raise ValidationError({"partner": _("%(name)s may already ask your facilitators.") % {"name": partner.name}})
    organisation.lends_facilitators_to.add(partner)
    audit_log(
        action="core.organisation.lends_facilitators",
        subject=organisation,
        actor=actor,
        organisation=organisation,
        data={"partner": partner.pk},
    )
    return partner


@transaction.atomic
def organisation_stop_lending(*, organisation: Organisation, partner: Organisation, actor: User | None) -> None:
    """The partner may no longer choose ``organisation``'s staff; groups they already facilitate keep them."""
    organisation.lends_facilitators_to.remove(partner)
    audit_log(
        action="core.organisation.stopped_lending",
        subject=organisation,
        actor=actor,
        organisation=organisation,
        data={"partner": partner.pk},
    )


@transaction.atomic
def staff_membership_add(
    *, organisation: Organisation, user: User, role: str, actor: User | None = None
) -> StaffMembership:
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    membership, created = StaffMembership.objects.get_or_create(organisation=organisation, user=user, role=role)
    if created:
        audit_log(
            action="core.staff.added",
            subject=membership,
            actor=actor,
            organisation=organisation,
            data={"user": user.pk, "role": role},
        )
    return membership


@transaction.atomic
def staff_membership_remove(*, membership: StaffMembership, actor: User | None) -> None:
    org = membership.organisation
    # Lock the organisation's coordinators so that two coordinators removing
    # each other at once cannot leave none.
    coordinators = list(
        StaffMembership.objects.select_for_update()
        .filter(organisation=org, role=Role.COORDINATOR)
        .values_list("pk", flat=True)
    )
    if membership.role == Role.COORDINATOR and coordinators == [membership.pk]:
        raise ValidationError(_("An organisation needs at least one coordinator."))
    audit_log(
        action="core.staff.removed",
        subject=membership,
        actor=actor,
        organisation=org,
        data={"user": membership.user_id, "role": membership.role},
    )
    membership.delete()
    if not StaffMembership.objects.filter(organisation=org, user_id=membership.user_id).exists():
        # Someone who is no longer staff of the organisation stops facilitating its groups, and the groups of
        # partners they were lent to: they keep only the groups of organisations where they are still staff
        # and of those borrowing from one of these.
        from kollega.grouping.models import Group

        still_staff = set(
            StaffMembership.objects.filter(user_id=membership.user_id).values_list("organisation_id", flat=True)
        )
        borrowers = set(
            Organisation.objects.filter(borrows_facilitators_from__in=still_staff).values_list("pk", flat=True)
        )
        groups = Group.objects.exclude(programme__organisation_id__in=still_staff | borrowers)
        groups.filter(lead_facilitator_id=membership.user_id).update(lead_facilitator=None)
        groups.filter(co_facilitator_id=membership.user_id).update(co_facilitator=None)
        # And the single meetings they were given (a stand-in for one meeting).
        from kollega.meetings.models import Meeting

        meetings = Meeting.objects.filter(group__in=groups)
        meetings.filter(lead_facilitator_id=membership.user_id).update(lead_facilitator=None)
        meetings.filter(co_facilitator_id=membership.user_id).update(co_facilitator=None)


# --- programmes -------------------------------------------------------------

PROGRAMME_SETTINGS = (
    "meeting_count",
    "meeting_interval_days",
    "meeting_length_minutes",
    "group_size_min",
    "group_size_max",
    "reminder_lead_hours",
    "move_rule",
    "languages",
    "registration_opens_at",
    "registration_closes_at",
    "capacity",
    "offer_hours",
)


def _validate_programme(programme: Programme) -> None:
    errors: dict[str, str] = {}
    if not any((programme.title or {}).values()):
        errors["title"] = _("Give the programme a title in at least one language.")
    langs = programme.languages or []
    if not langs or any(lang not in {"fi", "sv", "en"} for lang in langs):
        errors["languages"] = _("Choose one or more of Finnish, Swedish and English.")
    if programme.group_size_min < 2:
        errors["group_size_min"] = _("A group needs at least two people.")
    if programme.group_size_max < programme.group_size_min:
        errors["group_size_max"] = _("The largest group cannot be smaller than the smallest.")
    if programme.meeting_count < 1:
        errors["meeting_count"] = _("A programme needs at least one meeting.")
    if programme.meeting_interval_days < 1:
        errors["meeting_interval_days"] = _("Meetings must be at least one day apart.")
    if programme.meeting_length_minutes < 15:
        errors["meeting_length_minutes"] = _("A meeting lasts at least 15 minutes.")
    if (
        programme.registration_opens_at
        and programme.registration_closes_at
        and programme.registration_closes_at <= programme.registration_opens_at
    ):
        errors["registration_closes_at"] = _("Registration must close after it opens.")
    if errors:
        raise ValidationError(errors)


def _parse_time(value: str | time) -> time:
    return value if isinstance(value, time) else time.fromisoformat(value)


@transaction.atomic
def programme_create_from_template(
    *,
    organisation: Organisation,
    title: dict[str, str],
    template_key: str = DEFAULT_TEMPLATE,
    slug: str = "",
    actor: User | None = None,
    **overrides: Any,
) -> Programme:
    """A new programme with the template's settings, time slots, themes and consent texts.

    ``overrides`` may change any of the template's settings.
    """
    try:
        template = programme_template(template_key)
    except KeyError:
        raise ValidationError(
            {"template_key": _("There is no programme template called %(key)s.") % {"key": template_key}}
        ) from None
    unknown = set(overrides) - set(PROGRAMME_SETTINGS)
    if unknown:
        raise ValidationError(_("Unknown programme settings: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    values = {**template["settings"], **overrides}
    title = {k: v.strip() for k, v in title.items() if v and v.strip()}
    if slug:
        slug = slugify(slug)[:80]
        if not slug:
            raise ValidationError({"slug": _("Use letters, numbers and hyphens in the address name.")})
    base_slug = slug or slugify(next(iter(title.values()), "") if title else "")[:60] or "programme"
    programme = Programme(
        organisation=organisation,
        title=title,
        template_key=template_key,
        slug=slug or _unique_slug(Programme, base_slug, organisation=organisation),
        **values,
    )
    _validate_programme(programme)
    try:
        with transaction.atomic():
            programme.save()
    except IntegrityError:
        raise ValidationError({"slug": _("Another programme already uses this address.")}) from None
    for position, slot in enumerate(template["time_slots"]):
        TimeSlot.objects.create(
            programme=programme,
            key=slot["key"],
            name=slot["name"],
            start_time=_parse_time(slot["start"]),
            end_time=_parse_time(slot["end"]),
            position=position,
        )
    for order, theme in enumerate(template["themes"]):
        Theme.objects.create(
            programme=programme,
            key=theme["key"],
            title=theme["title"],
            description=theme.get("description", {}),
            position_rule=theme["position_rule"],
            order=order,
        )
    for item, text in template["consent_texts"].items():
        ConsentText.objects.create(programme=programme, item=item, version=1, text=text)
    audit_log(
        action="core.programme.created",
        subject=programme,
        actor=actor,
        organisation=organisation,
        data={"template": template_key},
    )
    # Recruitment builds on the core; a local import keeps the core free of it at import time.
    from kollega.recruitment.services import registration_form_ensure

    registration_form_ensure(programme=programme, actor=actor)
    return programme


@transaction.atomic
def programme_update(*, programme: Programme, actor: User | None, **fields: Any) -> Programme:
    allowed = set(PROGRAMME_SETTINGS) | {"title", "slug"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(_("Unknown programme settings: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if not fields:
        return programme
    for key, value in fields.items():
        setattr(programme, key, value)
    if "title" in fields:
        programme.title = {k: v.strip() for k, v in (programme.title or {}).items() if v and v.strip()}
    _validate_programme(programme)
    if "slug" in fields:
        programme.slug = slugify(programme.slug)
        if not programme.slug:
            raise ValidationError({"slug": _("Give the programme an address name.")})
        if (
            Programme.objects.filter(organisation_id=programme.organisation_id, slug=programme.slug)
            .exclude(pk=programme.pk)
            .exists()
        ):
            raise ValidationError({"slug": _("Another programme already uses this address.")})
    programme.save(update_fields=list(fields))
    audit_log(
        action="core.programme.updated",
        subject=programme,
        actor=actor,
        organisation=programme.organisation,
        data={"fields": sorted(fields)},
    )
    return programme


@transaction.atomic
def time_slot_set(
    *, programme: Programme, key: str, name: dict[str, str], start_time: time, end_time: time, actor: User | None
) -> TimeSlot:
    if end_time <= start_time:
        raise ValidationError({"end_time": _("A time slot must end after it starts.")})
    slot, _created = TimeSlot.objects.update_or_create(
        programme=programme,
        key=slugify(key),
        defaults={"name": name, "start_time": start_time, "end_time": end_time},
    )
    audit_log(action="core.time_slot.saved", subject=slot, actor=actor, organisation=programme.organisation)
    return slot


def _validate_theme(theme: Theme) -> None:
    if not any((theme.title or {}).values()):
        raise ValidationError({"title": _("Give the theme a title in at least one language.")})
    if theme.position_rule == "first":
        clash = Theme.objects.filter(programme_id=theme.programme_id, position_rule="first").exclude(pk=theme.pk)
        if clash.exists():
            raise ValidationError({"position_rule": _("Only one theme can always come first.")})


@transaction.atomic
def theme_create(
    *,
    programme: Programme,
    title: dict[str, str],
    description: dict[str, str] | None = None,
    position_rule: str = "free",
    key: str = "",
    actor: User | None = None,
) -> Theme:
    order = (programme.themes.aggregate(m=models.Max("order"))["m"] or 0) + 1
    theme = Theme(
        programme=programme,
        title={k: v for k, v in title.items() if v},
        description={k: v for k, v in (description or {}).items() if v},
        position_rule=position_rule,
        order=order,
    )
    _validate_theme(theme)
    base = slugify(key or next(iter(theme.title.values())))[:50] or "theme"
    theme.key = base
    n = 2
    while Theme.objects.filter(programme=programme, key=theme.key).exists():
        theme.key, n = f"{base}-{n}", n + 1
    theme.full_clean(exclude=["programme"])
    theme.save()
    audit_log(action="core.theme.created", subject=theme, actor=actor, organisation=programme.organisation)
    return theme


@transaction.atomic
def theme_update(*, theme: Theme, actor: User | None, **fields: Any) -> Theme:
    allowed = {"title", "description", "position_rule", "order"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(_("These cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    for key, value in fields.items():
        setattr(theme, key, value)
    _validate_theme(theme)
    theme.full_clean(exclude=["programme"])
    theme.save(update_fields=list(fields))
    audit_log(
        action="core.theme.updated",
        subject=theme,
        actor=actor,
        organisation=theme.programme.organisation,
        data={"fields": sorted(fields)},
    )
    return theme


# --- participants -----------------------------------------------------------


@transaction.atomic
def participant_create(
    *,
    programme: Programme,
    email: str,
    full_name: str,
    language: str = "fi",
    actor: User | None = None,
    at: datetime | None = None,
    time_slots: list[TimeSlot] | None = None,
    status: str = Status.REGISTERED,
    **profile: Any,
) -> Participant:
    """A person joins a programme as "registered", or "waiting_list" when it is full (the first row of their history).

    The registration flow (recruitment) wraps this with its form, confirmation
    and waiting list; ``profile`` takes the fields of the participant's profile.
    ``full_name`` is the name given in this programme; a new account gets it
    too, an existing account's name is left as it is.
    """
    if status not in {Status.REGISTERED, Status.WAITING_LIST}:
        raise ValidationError({"status": _("A person joins a programme as registered or on the waiting list.")})
    user = user_get_or_create(email=email, full_name=full_name, language=language)
    if Participant.objects.filter(programme=programme, user=user).exists():
        raise ValidationError({"email": _("This email address is already registered to this programme.")})
    at = at or timezone.now()
    participant = Participant.objects.create(
        programme=programme,
        user=user,
        full_name=full_name.strip(),
        language=language,
        status=status,
        status_changed_at=at,
        registered_at=at,
        **profile,
    )
    if time_slots:
        # A new participant has no slots yet: one insert instead of set()'s read and insert.
        through = Participant.time_slots.through
        slot_ids = dict.fromkeys(slot.pk for slot in time_slots)
        through.objects.bulk_create([through(participant_id=participant.pk, timeslot_id=pk) for pk in slot_ids])
    ParticipantStatusChange.objects.create(
        participant=participant,
        from_status="",
        to_status=status,
        actor=_actor(actor),
        at=at,
        event="registered",
    )
    audit_log(action="core.participant.created", subject=participant, actor=actor, organisation=programme.organisation)
    return participant


def _actor(actor: User | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


def _has_group(participant: Participant) -> bool:
    from kollega.grouping.models import GroupMembership

    return GroupMembership.objects.filter(participant=participant).exists()


def _check_transition(participant: Participant, to_status: str, reason: str) -> None:
    current = participant.status
    label = dict(Status.choices)
    if to_status not in Status.values:
        raise TransitionError(_("Unknown status: %(status)s.") % {"status": to_status}, code="unknown")
    if to_status not in machine.allowed_targets(current):
        raise TransitionError(
            _("A participant who is “%(current)s” cannot become “%(target)s”.")
            % {"current": label[current], "target": label[to_status]},
            code="not_allowed",
        )
    if to_status in machine.REASON_REQUIRED and not reason.strip():
        raise TransitionError(_("Write down a reason for this change."), code="reason_required")
    if to_status == Status.IN_GROUP and not _has_group(participant):
        raise TransitionError(_("A person becomes “in a group” by being placed in a group."), code="no_group")
    if current == Status.IN_GROUP:
        started = selectors.participant_has_started(participant=participant)
        if to_status in {Status.CANCELLED, Status.ACCEPTED} and started:
            raise TransitionError(
                _("The group has already met with this person in it: use “withdrawn” instead."), code="started"
            )
        if to_status == Status.WITHDRAWN and not started:
            raise TransitionError(
                _("The group has not met yet: a person leaving now has “cancelled”."), code="not_started"
            )
        if to_status == Status.COMPLETED and not selectors.participant_group_finished(participant=participant):
            raise TransitionError(
                _("“Completed” is set when the group's last meeting has been held."), code="not_finished"
            )


@transaction.atomic
def participant_change_status(
    *,
    participant: Participant,
    to_status: str,
    actor: User | None,
    reason: str = "",
    event: str = "",
    at: datetime | None = None,
) -> Participant:
    """Move a participant to ``to_status`` if the rules allow it, with a history row.

    Raises :class:`TransitionError` and changes nothing when the move is not allowed.
    """
    # Lock the row so that two coordinators cannot move the same person at once.
    locked = Participant.objects.select_for_update().get(pk=participant.pk)
    _check_transition(locked, to_status, reason)
    at = at or timezone.now()
    from_status = locked.status
    locked.status = to_status
    locked.status_changed_at = at
    locked.save(update_fields=["status", "status_changed_at"])
    if from_status == Status.IN_GROUP and to_status != Status.COMPLETED:
        # Whoever leaves a group has its meetings still to come taken out of their calendar.
        from kollega.meetings.messages import member_left_queue

        member_left_queue(participant=locked)
    if to_status in {Status.ACCEPTED, Status.CANCELLED} and from_status == Status.IN_GROUP:
        # Leaving a group before it started frees the place.
        from kollega.grouping.models import GroupMembership

        GroupMembership.objects.filter(participant=locked).delete()
    ParticipantStatusChange.objects.create(
        participant=locked,
        from_status=from_status,
        to_status=to_status,
        reason=reason.strip(),
        event=event,
        actor=_actor(actor),
        at=at,
    )
    audit_log(
        action="core.participant.status_changed",
        subject=locked,
        actor=actor,
        organisation=locked.programme.organisation,
        data={"from": from_status, "to": to_status, "reason": reason.strip()},
    )
    if to_status in {Status.CANCELLED, Status.DECLINED, Status.WITHDRAWN}:
        # Someone who leaves frees their interview slot, and both calendars are told.
        from kollega.interviews.services import booking_release  # interviews builds on core

        booking_release(participant=locked, actor=actor, reason=reason)
    participant.status = locked.status
    participant.status_changed_at = locked.status_changed_at
    return participant


@transaction.atomic
def participant_record_interview_no_show(
    *, participant: Participant, actor: User | None, reason: str = ""
) -> Participant:
    """The applicant did not come to the interview: recorded, and they may book again."""
    if participant.status != Status.INTERVIEW_BOOKED:
        raise TransitionError(_("Only a person with a booked interview can miss it."), code="not_booked")
    return participant_change_status(
        participant=participant,
        to_status=Status.REGISTERED,
        actor=actor,
        event="interview_no_show",
        reason=reason or _("Did not come to the intake interview."),
    )


@transaction.atomic
def participants_complete_for_group(*, group: Any, actor: User | None, at: datetime | None = None) -> list[Participant]:
    """When a group's last meeting is held, its members who have not left complete."""
    done = []
    members = Participant.objects.filter(membership__group=group, status=Status.IN_GROUP)
    for participant in members:
        done.append(
            participant_change_status(
                participant=participant, to_status=Status.COMPLETED, actor=actor, event="group_finished", at=at
            )
        )
    return done


# --- consents ---------------------------------------------------------------


@transaction.atomic
def consent_text_publish(*, programme: Programme, item: str, text: dict[str, str], actor: User | None) -> ConsentText:
    """A new version of a consent text; decisions already made keep the version they saw."""
    if item not in ConsentItem.values:
        raise ValidationError({"item": _("Unknown consent.")})
    if not any(text.values()):
        raise ValidationError({"text": _("Write the consent text in at least one language.")})
    latest = selectors.consent_text_current(programme=programme, item=item)
    version = (latest.version if latest else 0) + 1
    consent_text = ConsentText.objects.create(programme=programme, item=item, version=version, text=text)
    audit_log(
        action="core.consent_text.published",
        subject=consent_text,
        actor=actor,
        organisation=programme.organisation,
        data={"item": item, "version": version},
    )
    return consent_text


@transaction.atomic
def consent_record(
    *,
    participant: Participant,
    item: str,
    given: bool,
    actor: User | None,
    source: str = "",
    text: ConsentText | None = None,
    at: datetime | None = None,
) -> Consent:
    """Record one decision about one consent item, against the text version shown."""
    if item not in ConsentItem.values:
        raise ValidationError({"item": _("Unknown consent.")})
    if text is None:
        text = selectors.consent_text_current(programme=participant.programme, item=item)
    if text is None:
        raise ValidationError({"item": _("This programme has no text for this consent yet.")})
    if text.item != item or text.programme_id != participant.programme_id:
        raise ValidationError({"text": _("The consent text does not belong to this consent.")})
    now = timezone.now()
    # A decision dated in the future would outrank the person's own later choice.
    if at is not None and at > now + timedelta(minutes=5):
        raise ValidationError({"at": _("A consent cannot be dated in the future.")})
    consent = Consent.objects.create(
        participant=participant,
        item=item,
        given=given,
        text=text,
        source=source,
        actor=_actor(actor),
        at=at or timezone.now(),
    )
    audit_log(
        action="core.consent.recorded",
        subject=participant,
        actor=actor,
        organisation=participant.programme.organisation,
        data={"item": item, "given": given, "version": text.version},
    )
    return consent


class BulkTransitionError(ValidationError):
    """Some of the chosen participants cannot make the move; nobody was changed."""

    def __init__(self, refused: list[tuple[Participant, str]]) -> None:
        self.refused = refused
        super().__init__([f"{p.display_name}: {msg}" for p, msg in refused], code="bulk_refused")


@transaction.atomic
def participants_change_status_bulk(
    *, participants: list[Participant], to_status: str, actor: User | None, reason: str = ""
) -> list[Participant]:
    """Move several participants at once: all of them, or (if any is refused) none."""
    refused: list[tuple[Participant, str]] = []
    changed: list[Participant] = []
    for participant in participants:
        try:
            with transaction.atomic():
                changed.append(
                    participant_change_status(participant=participant, to_status=to_status, actor=actor, reason=reason)
                )
        except TransitionError as exc:
            refused.append((participant, " ".join(exc.messages)))
    if refused:
        transaction.set_rollback(True)
        raise BulkTransitionError(refused)
    return changed

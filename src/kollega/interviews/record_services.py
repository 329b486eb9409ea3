"""The interview record and the decision after it: accept, or decline with a kind email.

Saving the record moves the applicant to "interviewed"; the coordinator then
accepts (``participant_accept``) or declines (``participant_decline``). Each
service is one transaction; emails are queued and go when it commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kollega.accounts.models import User
from kollega.core import selectors as core_selectors
from kollega.core.models import ConsentItem, Participant, StaffMembership, Status, TimeSlot
from kollega.core.models.texts import localized
from kollega.core.services import TransitionError, audit_log, consent_record, participant_change_status
from kollega.interviews.models import InterviewBooking, InterviewRecord
from kollega.notifications.services import notification_queue

KIND_ACCEPTED = "interviews.accepted"
KIND_DECLINED = "interviews.declined"

#: The consents settled at the interview, each on its own.
INTERVIEW_CONSENTS: tuple[str, ...] = (
    ConsentItem.SHARE_NAME,
    ConsentItem.SHARE_COMPANY,
    ConsentItem.SHARE_EMAIL,
    ConsentItem.WELLBEING_QUESTIONNAIRE,
)
#: Checks the interviewer ticks.
RECORD_FLAGS: tuple[str, ...] = ("platform_audio", "platform_video", "platform_screen", "committed")
#: What the interviewer writes.
RECORD_TEXTS: tuple[str, ...] = ("expectations", "extra_theme_wishes", "goal_business", "goal_wellbeing", "staff_notes")
#: The longest text one field of the record keeps.
TEXT_LIMIT = 5000
#: Where a record can be written for the first time; "registered" means staff interviewed without a booking.
FIRST_RECORD_FROM = frozenset({Status.REGISTERED, Status.INTERVIEW_BOOKED, Status.INTERVIEWED})
#: The person no longer takes part: their record stays as it was.
NOT_TAKING_PART = frozenset({Status.DECLINED, Status.CANCELLED, Status.WITHDRAWN})
#: From where a coordinator may decline with the kind email. A booked interview is held (or cancelled) first.
DECLINE_FROM = frozenset({Status.REGISTERED, Status.WAITING_LIST, Status.INTERVIEWED, Status.ACCEPTED})
#: The longest personal message a coordinator adds to the decline email.
MESSAGE_LIMIT = 3000


def _status_label(status: str) -> str:
    return str(dict(Status.choices).get(status, status))


def _active_booking(participant: Participant) -> InterviewBooking | None:
    return (
        InterviewBooking.objects.filter(participant=participant, cancelled_at__isnull=True, no_show_at__isnull=True)
        .order_by("-booked_at", "-id")
        .first()
    )


def _clean_slots(participant: Participant, value: Any, errors: dict[str, list[str]]) -> list[TimeSlot] | None:
    """The agreed slots as the programme's own TimeSlot rows (given as rows or keys); None after an error."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        errors.setdefault("agreed_time_slots", []).append(_("Give the agreed time slots as a list."))
        return None
    items = list(value)
    own = {slot.key: slot for slot in TimeSlot.objects.filter(programme_id=participant.programme_id)}
    chosen: dict[int, TimeSlot] = {}
    for item in items:
        slot = item if isinstance(item, TimeSlot) else own.get(item) if isinstance(item, str) else None
        if slot is None or slot.programme_id != participant.programme_id:
            errors.setdefault("agreed_time_slots", []).append(
                _("Choose the agreed time slots from this programme's time slots.")
            )
            return None
        chosen[slot.pk] = slot
    if not chosen:
        errors.setdefault("agreed_time_slots", []).append(_("Choose at least one time slot the person agreed to."))
        return None
    return list(chosen.values())


def _clean_text(name: str, value: Any, errors: dict[str, list[str]]) -> str | None:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.setdefault(name, []).append(_("Write this as plain text."))
        return None
    if "\x00" in value:
        errors.setdefault(name, []).append(_("The text contains a character that cannot be stored."))
        return None
    value = value.strip()
    if len(value) > TEXT_LIMIT:
        errors.setdefault(name, []).append(
            _("Write at most %(limit)d characters (now %(count)d).") % {"limit": TEXT_LIMIT, "count": len(value)}
        )
        return None
    return value


def _check_status_for_record(status: str, has_record: bool) -> None:
    if status in NOT_TAKING_PART:
        raise TransitionError(
            _("The person is “%(status)s” and no longer takes part: the interview record cannot be changed.")
            % {"status": _status_label(status)},
            code="not_taking_part",
        )
    if not has_record and status not in FIRST_RECORD_FROM:
        if status == Status.WAITING_LIST:
            message = _("The person is on the waiting list: interview them when a place is free.")
        else:
            message = _("The person is already “%(status)s”: an interview record can no longer be started.") % {
                "status": _status_label(status)
            }
        raise TransitionError(message, code="status")


@transaction.atomic
def interview_record_save(
    *, participant: Participant, interviewer: User, data: Mapping[str, Any], actor: User | None
) -> InterviewRecord:
    """Create or update the participant's interview record.

    ``data`` holds any of: ``platform_audio``, ``platform_video``,
    ``platform_screen``, ``committed`` (booleans); ``agreed_time_slots`` (the
    programme's TimeSlot rows or their keys, at least one); ``consents``
    (``{item: bool}`` for share_name, share_company, share_email,
    wellbeing_questionnaire); ``expectations``, ``extra_theme_wishes``,
    ``goal_business``, ``goal_wellbeing``, ``staff_notes`` (text). A new record
    needs ``agreed_time_slots``; on an update, what is left out stays as it was.

    A consent is recorded (source "interview") only when the decision differs
    from the person's current one, or when the current one was made against an
    older version of the consent text (the interview binds the newest text).
    The agreed slots become the person's time slots. The first save moves the person to "interviewed" (from "interview
    booked", or from "registered" when staff interviewed without a booking);
    later saves change no status. Raises ``ValidationError`` keyed by the names
    above (consents as ``consent_<item>``) and changes nothing.
    """
    locked = Participant.objects.select_for_update().select_related("programme__organisation").get(pk=participant.pk)
    record = InterviewRecord.objects.filter(participant=locked).first()
    _check_status_for_record(locked.status, record is not None)

    errors: dict[str, list[str]] = {}
    unknown = set(data) - {*RECORD_FLAGS, *RECORD_TEXTS, "agreed_time_slots", "consents"}
    if unknown:
        errors.setdefault("__all__", []).append(
            _("These are not part of an interview record: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    organisation = locked.programme.organisation
    if not StaffMembership.objects.filter(user_id=interviewer.pk, organisation=organisation).exists():
        errors.setdefault("interviewer", []).append(_("The interviewer must be staff of this organisation."))
    flags: dict[str, bool] = {}
    for name in RECORD_FLAGS:
        if name in data:
            if not isinstance(data[name], bool):
                errors.setdefault(name, []).append(_("Answer yes or no."))
            else:
                flags[name] = data[name]
    texts: dict[str, str] = {}
    for name in RECORD_TEXTS:
        if name in data:
            text = _clean_text(name, data[name], errors)
            if text is not None:
                texts[name] = text
    slots: list[TimeSlot] | None = None
    if "agreed_time_slots" in data:
        slots = _clean_slots(locked, data["agreed_time_slots"], errors)
    elif record is None:
        errors.setdefault("agreed_time_slots", []).append(_("Choose at least one time slot the person agreed to."))
    consents: dict[str, bool] = {}
    raw_consents = data.get("consents") or {}
    if not isinstance(raw_consents, Mapping):
        errors.setdefault("consents", []).append(_("Give the consents as yes or no per consent."))
    else:
        for item, given in raw_consents.items():
            if item not in INTERVIEW_CONSENTS:
                errors.setdefault("consents", []).append(
                    _("“%(item)s” is not a consent settled at the interview.") % {"item": item}
                )
            elif not isinstance(given, bool):
                errors.setdefault(f"consent_{item}", []).append(_("Answer yes or no."))
            elif core_selectors.consent_text_current(programme=locked.programme, item=item) is None:
                errors.setdefault(f"consent_{item}", []).append(_("This programme has no text for this consent yet."))
            else:
                consents[item] = given
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    created = record is None
    booking = _active_booking(locked)
    if record is None:
        record = InterviewRecord(participant=locked, interviewer=interviewer, booking=booking, created_at=now)
        for name, flag in flags.items():
            setattr(record, name, flag)
        for name, text in texts.items():
            setattr(record, name, text)
        record.updated_at = now
        record.save()
    else:
        changed = ["interviewer", "updated_at", *flags, *texts]
        record.interviewer = interviewer
        record.updated_at = now
        if booking is not None and record.booking_id is None:
            record.booking = booking
            changed.append("booking")
        for name, flag in flags.items():
            setattr(record, name, flag)
        for name, text in texts.items():
            setattr(record, name, text)
        record.save(update_fields=changed)
    if slots is not None:
        record.agreed_time_slots.set(slots)
        locked.time_slots.set(slots)

    current = core_selectors.consents_current(participant=locked)
    changed_consents = []
    for item, given in consents.items():
        before = current.get(item)
        newest = core_selectors.consent_text_current(programme=locked.programme, item=item)
        # Confirmed at the interview against a newer text than the one last agreed to: record it, so the
        # decision is bound to the text the person was shown now.
        outdated = before is not None and newest is not None and before.text_id != newest.pk
        if before is None or before.given != given or outdated:
            consent_record(participant=locked, item=item, given=given, actor=actor, source="interview", at=now)
            changed_consents.append(item)

    from_status = locked.status
    without_booking = False
    if from_status == Status.REGISTERED:
        # The status machine passes through "interview booked"; the history says why.
        without_booking = True
        participant_change_status(
            participant=locked,
            to_status=Status.INTERVIEW_BOOKED,
            actor=actor,
            reason=_("Interviewed without a booked time."),
            event="interviewed_without_booking",
            at=now,
        )
    if locked.status == Status.INTERVIEW_BOOKED:
        participant_change_status(
            participant=locked, to_status=Status.INTERVIEWED, actor=actor, event="interview_record", at=now
        )
    participant.status = locked.status
    participant.status_changed_at = locked.status_changed_at
    audit_log(
        action="interviews.record.saved",
        subject=record,
        actor=actor,
        organisation=organisation,
        data={
            "participant": locked.pk,
            "created": created,
            "from_status": from_status,
            "to_status": locked.status,
            "without_booking": without_booking,
            "booking": booking.pk if booking is not None else None,
            "consents_changed": changed_consents,
            "time_slots": [slot.key for slot in slots] if slots is not None else None,
        },
    )
    if ConsentItem.WELLBEING_QUESTIONNAIRE in changed_consents:
        # Agreeing to the questionnaire at the interview brings the baseline round's link (once).
        from kollega.evaluation.services import baseline_round_for, round_invite  # evaluation builds on interviews

        round_invite(round=baseline_round_for(programme=locked.programme), participant=locked)
    return record


def _email(*, kind: str, participant: Participant, version: str, context: dict[str, Any]) -> None:
    """One decision email to the participant, in their language."""
    from kollega.recruitment.services import absolute_url, manage_path, programme_path

    programme = participant.programme
    language = participant.language
    notification_queue(
        kind=kind,
        recipient=participant.user.email,
        recipient_user=participant.user,
        language=language,
        organisation=programme.organisation,
        subject=participant,
        version=version,
        context={
            "participant_id": participant.pk,
            "name": participant.full_name or participant.user.full_name,
            "programme_title": localized(programme.title, language),
            "programme_url": absolute_url(programme_path(programme)),
            "manage_url": absolute_url(manage_path(participant)),
            "meeting_count": programme.meeting_count,
            "meeting_minutes": programme.meeting_length_minutes,
            **context,
        },
    )


@transaction.atomic
def participant_accept(*, participant: Participant, actor: User | None) -> Participant:
    """Take an interviewed applicant into the programme and tell them what happens next."""
    locked = Participant.objects.select_for_update().get(pk=participant.pk)
    if locked.status != Status.INTERVIEWED:
        raise TransitionError(
            _("Only an applicant who has had the intake interview can be accepted; this person is “%(status)s”.")
            % {"status": _status_label(locked.status)},
            code="not_interviewed",
        )
    participant_change_status(participant=participant, to_status=Status.ACCEPTED, actor=actor, event="accepted")
    _email(
        kind=KIND_ACCEPTED,
        participant=participant,
        version=participant.status_changed_at.isoformat(),
        context={},
    )
    audit_log(
        action="interviews.participant.accepted",
        subject=participant,
        actor=actor,
        organisation=participant.programme.organisation,
    )
    return participant


@transaction.atomic
def participant_decline(*, participant: Participant, actor: User | None, reason: str, message: str = "") -> Participant:
    """Not this time: the reason stays with staff; the person gets a kind email with the optional ``message``."""
    errors: dict[str, list[str]] = {}
    reason = reason if isinstance(reason, str) else ""
    message = message if isinstance(message, str) else ""
    if not reason.strip():
        errors["reason"] = [_("Write down why the person is declined. Only staff see it.")]
    elif "\x00" in reason or len(reason) > TEXT_LIMIT:
        errors["reason"] = [
            _("Write the reason as plain text of at most %(limit)d characters.") % {"limit": TEXT_LIMIT}
        ]
    if "\x00" in message or len(message.strip()) > MESSAGE_LIMIT:
        errors["message"] = [
            _("Write the message as plain text of at most %(limit)d characters.") % {"limit": MESSAGE_LIMIT}
        ]
    locked = Participant.objects.select_for_update().get(pk=participant.pk)
    if locked.status not in DECLINE_FROM:
        if locked.status == Status.INTERVIEW_BOOKED:
            text = _("The person has a booked interview: hold it or cancel the booking first, then decline.")
        else:
            text = _("A participant who is “%(status)s” cannot be declined.") % {"status": _status_label(locked.status)}
        raise TransitionError(text, code="not_allowed")
    if errors:
        raise ValidationError(errors)
    participant_change_status(
        participant=participant, to_status=Status.DECLINED, actor=actor, reason=reason.strip(), event="declined"
    )
    _email(
        kind=KIND_DECLINED,
        participant=participant,
        version=participant.status_changed_at.isoformat(),
        context={"message": message.strip()},
    )
    audit_log(
        action="interviews.participant.declined",
        subject=participant,
        actor=actor,
        organisation=participant.programme.organisation,
        data={"message_written": bool(message.strip())},
    )
    return participant

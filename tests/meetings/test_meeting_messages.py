"""What a group's members and facilitators receive: invitations with calendar entries, updates and
cancellations of the same entries, reminders at the lead time, materials to everyone, and the nudge."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from icalendar import Calendar

from kollega.core import services as core_services
from kollega.core.models import ConsentItem, Organisation, Role, Status
from kollega.evaluation.models import RoundInvitation, RoundKind
from kollega.grouping.services import group_add_member, group_create
from kollega.meetings import services
from kollega.meetings.messages import (
    KIND_CANCELLED,
    KIND_INVITATION,
    KIND_MATERIALS,
    KIND_NUDGE,
    KIND_REMINDER,
    KIND_UPDATE,
)
from kollega.meetings.models import AttendanceState, MaterialKind, Meeting, MeetingStatus
from kollega.notifications.models import Notification, NotificationStatus
from kollega.notifications.sender import notifications_send_due
from tests.factories import make_participant, make_programme, make_staff

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def next_weekday(weekday: int, after_days: int = 10) -> date:
    day = timezone.localdate() + timedelta(days=after_days)
    while day.weekday() != weekday or core_holiday(day):
        day += timedelta(days=1)
    return day


def core_holiday(day: date) -> bool:
    from kollega.meetings.schedule import holiday_name

    # Keep every planned date of a five-meeting schedule off holidays, so tests see no moves by chance.
    return any(holiday_name(day + timedelta(days=21 * i), "fi") for i in range(5))


@pytest.fixture
def world():
    organisation = core_services.organisation_create(name="Yrittäjäpiiri ry (fictitious)")
    Organisation.objects.filter(pk=organisation.pk).update(
        support_email="tuki@yrittajapiiri.example", support_phone="+358 40 000 0000"
    )
    organisation.refresh_from_db()
    programme = make_programme(organisation)
    lead = make_staff(organisation, Role.FACILITATOR, email="lead@example.org", full_name="Liisa Vetäjä")
    co = make_staff(organisation, Role.FACILITATOR, email="co@example.org", full_name="Kalle Tukija")
    coordinator = make_staff(organisation, Role.COORDINATOR, email="coord@example.org")
    start = next_weekday(1)
    group = group_create(
        programme=programme,
        name="Tiistairyhmä",
        time_slot=programme.time_slots.first(),
        weekday=start.weekday(),
        start_date=start,
        lead_facilitator=lead,
        co_facilitator=co,
    )
    members = []
    for n, language in enumerate(["fi", "en", "sv"]):
        person = make_participant(programme, Status.ACCEPTED, email=f"member{n}@example.org", language=language)
        group_add_member(group=group, participant=person, actor=coordinator)
        members.append(person)
    # The first member shares name and company; the others share nothing.
    for item in (ConsentItem.SHARE_NAME, ConsentItem.SHARE_COMPANY):
        core_services.consent_record(participant=members[0], item=item, given=True, actor=None)
    return {
        "organisation": organisation,
        "programme": programme,
        "group": group,
        "members": members,
        "lead": lead,
        "co": co,
        "coordinator": coordinator,
    }


def generate(world) -> list[Meeting]:
    meetings = services.schedule_generate(group=world["group"], actor=world["coordinator"])
    world["group"].refresh_from_db()
    return meetings


def send(now: datetime | None = None) -> None:
    while notifications_send_due(limit=500, now=now).claimed:
        pass


def calendars(message) -> dict[str, Calendar]:
    found = {}
    for part in message.attachments:
        filename = part.get_filename()
        if filename and filename.endswith(".ics"):
            found[filename] = Calendar.from_ical(part.get_payload(decode=True))
    return found


def html_of(message) -> str:
    return next(content for content, mimetype in message.alternatives if mimetype == "text/html")


def test_setting_the_schedule_invites_everyone_with_one_calendar_entry_per_meeting(world, mailoutbox):
    meetings = generate(world)
    send()
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        ["lead@example.org", "co@example.org", *(p.user.email for p in world["members"])]
    )
    message = next(m for m in mailoutbox if m.to == ["member1@example.org"])  # in English
    assert "Tiistairyhmä" in message.subject and "5 meetings" in message.subject
    files = calendars(message)
    assert sorted(files) == sorted([*(f"meeting-{n}.ics" for n in range(1, 6)), "all-meetings.ics"])
    for meeting in meetings:
        calendar = files[f"meeting-{meeting.number}.ics"]
        assert str(calendar["method"]) == "REQUEST"
        (event,) = calendar.walk("VEVENT")
        assert str(event["uid"]) == meeting.calendar_uid
        assert int(event["sequence"]) == 0
        assert event.decoded("dtstart") == meeting.starts_at
        assert str(event["location"]) == world["group"].video_link
    everything = files["all-meetings.ics"]
    assert str(everything["method"]) == "PUBLISH"
    assert [str(e["uid"]) for e in everything.walk("VEVENT")] == [m.calendar_uid for m in meetings]
    # The whole schedule, the link, the set-up test and who to ask, in text and HTML.
    text, html = message.body, html_of(message)
    for meeting in meetings:
        day = timezone.localtime(meeting.starts_at, world["organisation"].tz)
        assert f"{day.day}.{day.month}.{day.year}" in text
    assert world["group"].video_link in text
    assert "/m/test/" in text and "/m/test/" in html
    assert "tuki@yrittajapiiri.example" in text and "tuki@yrittajapiiri.example" in html
    assert "Yrittäjäpiiri ry (fictitious)" in text
    assert "Liisa Vetäjä" in text


def test_the_peer_list_shows_only_what_each_member_agreed_to_share(world, mailoutbox):
    generate(world)
    send()
    message = next(m for m in mailoutbox if m.to == ["member1@example.org"])
    first = world["members"][0]
    assert first.full_name in message.body
    assert first.user.email not in message.body  # the email was not agreed to
    # The other two shared nothing: neither sees the other's name.
    assert world["members"][2].full_name not in message.body
    swedish = next(m for m in mailoutbox if m.to == ["member2@example.org"])
    assert world["members"][1].full_name not in swedish.body
    assert first.full_name in swedish.body


def test_each_person_gets_the_invitation_in_their_language(world, mailoutbox):
    generate(world)
    send()
    finnish = next(m for m in mailoutbox if m.to == ["member0@example.org"])
    swedish = next(m for m in mailoutbox if m.to == ["member2@example.org"])
    assert "Tiistairyhmä" in finnish.subject and "meetings" not in finnish.subject
    assert "Tiistairyhmä" in swedish.subject and "meetings" not in swedish.subject


def test_reminders_are_due_exactly_the_lead_time_before_each_meeting(world):
    meetings = generate(world)
    lead = timedelta(hours=world["programme"].reminder_lead_hours)
    for meeting in meetings:
        rows = Notification.objects.filter(kind=KIND_REMINDER, subject=f"meetings.meeting:{meeting.pk}")
        assert rows.count() == 5  # three members and two facilitators
        assert {row.due_at for row in rows} == {meeting.starts_at - lead}
    first = meetings[0]
    assert notifications_send_due(now=first.starts_at - lead - timedelta(seconds=1)).claimed == 0 or not (
        Notification.objects.filter(kind=KIND_REMINDER, status=NotificationStatus.SENT).exists()
    )


def test_a_reminder_carries_the_link_theme_agenda_and_the_cant_come_link(world, mailoutbox):
    meetings = generate(world)
    send()
    mailoutbox.clear()
    first = meetings[0]
    send(now=first.starts_at - timedelta(hours=47))
    reminders = [
        m for m in mailoutbox if "Reminder" in m.subject or "Muistutus" in m.subject or "Påminnelse" in m.subject
    ]
    assert len(reminders) == 5
    english = next(m for m in reminders if m.to == ["member1@example.org"])
    assert world["group"].video_link in english.body
    assert "/m/absent/" in english.body
    assert "Welcome and the day's plan" in english.body  # the first meeting's agenda
    assert first.theme is not None
    staff = next(m for m in reminders if m.to == ["lead@example.org"])
    assert "/m/absent/" not in staff.body


def test_moving_a_meeting_updates_the_same_calendar_entry_and_its_reminder(world, mailoutbox):
    meetings = generate(world)
    send()
    mailoutbox.clear()
    second = meetings[1]
    new_start = second.starts_at + timedelta(days=2)
    moved = services.meeting_move(meeting=second, starts_at=new_start, actor=world["coordinator"], note="Room booked")
    assert moved.calendar_sequence == 1
    send()
    updates = [m for m in mailoutbox if calendars(m)]
    assert len(updates) == 5
    (calendar,) = calendars(updates[0]).values()
    (event,) = calendar.walk("VEVENT")
    assert str(calendar["method"]) == "REQUEST"
    assert str(event["uid"]) == second.calendar_uid
    assert int(event["sequence"]) == 1
    assert event.decoded("dtstart") == new_start
    # The old reminder is skipped when its time comes; the new one is due at the new time.
    lead = timedelta(hours=world["programme"].reminder_lead_hours)
    new_reminders = Notification.objects.filter(
        kind=KIND_REMINDER, subject=f"meetings.meeting:{second.pk}", version="1"
    )
    assert {r.due_at for r in new_reminders} == {new_start - lead}
    send(now=second.starts_at - lead + HOUR)
    old = Notification.objects.filter(kind=KIND_REMINDER, subject=f"meetings.meeting:{second.pk}", version="0")
    assert {r.status for r in old} == {NotificationStatus.SKIPPED}


def test_cancelling_sends_a_cancel_with_a_higher_sequence_and_no_reminder(world, mailoutbox):
    meetings = generate(world)
    send()
    mailoutbox.clear()
    third = meetings[2]
    services.meeting_cancel(meeting=third, actor=world["coordinator"], reason="Facilitator ill")
    send()
    assert len(mailoutbox) == 5
    (calendar,) = calendars(mailoutbox[0]).values()
    (event,) = calendar.walk("VEVENT")
    assert str(calendar["method"]) == "CANCEL"
    assert str(event["uid"]) == third.calendar_uid
    assert int(event["sequence"]) == 1
    assert str(event["status"]) == "CANCELLED"
    send(now=third.starts_at - timedelta(hours=47))
    reminders = Notification.objects.filter(kind=KIND_REMINDER, subject=f"meetings.meeting:{third.pk}")
    assert {r.status for r in reminders} == {NotificationStatus.SKIPPED}


def test_a_member_who_withdrew_or_told_in_advance_gets_no_reminder(world):
    meetings = generate(world)
    send()
    first, second, third = world["members"]
    services.meeting_mark_held(meeting=meetings[0], actor=world["lead"], at=meetings[0].starts_at + HOUR)
    core_services.participant_change_status(participant=first, to_status=Status.WITHDRAWN, actor=None, reason="Busy")
    services.absence_tell(meeting=meetings[1], participant=second, note="Trade fair")
    send(now=meetings[1].starts_at - timedelta(hours=47))
    rows = {
        r.recipient: r
        for r in Notification.objects.filter(kind=KIND_REMINDER, subject=f"meetings.meeting:{meetings[1].pk}")
    }
    assert rows[first.user.email].status == NotificationStatus.SKIPPED
    assert "left" in rows[first.user.email].last_error
    assert rows[second.user.email].status == NotificationStatus.SKIPPED
    assert "cannot come" in rows[second.user.email].last_error
    assert rows[third.user.email].status == NotificationStatus.SENT


def test_materials_go_to_every_member_and_the_absent_are_told_what_they_missed(world, mailoutbox):
    meetings = generate(world)
    first = meetings[0]
    after = first.ends_at + HOUR
    services.meeting_mark_held(meeting=first, actor=world["lead"], at=after)
    members = world["members"]
    services.attendance_record(
        meeting=first,
        states={members[0].pk: AttendanceState.PRESENT, members[1].pk: AttendanceState.ABSENT},
        actor=world["lead"],
        now=after,
    )
    services.material_add(
        meeting=first,
        actor=world["lead"],
        kind=MaterialKind.LINK,
        title="Pricing worksheet",
        url="https://example.org/w",
    )
    services.materials_send(meeting=first, actor=world["lead"])
    mailoutbox.clear()
    send(now=after)
    materials = [m for m in mailoutbox if "https://example.org/w" in m.body]
    assert sorted(m.to[0] for m in materials) == sorted(p.user.email for p in members)
    absent = next(m for m in materials if m.to == [members[1].user.email])
    present = next(m for m in materials if m.to == [members[0].user.email])
    assert "what you missed" in absent.body
    assert "what you missed" not in present.body
    assert "Pricing worksheet" in html_of(absent)


def test_materials_cannot_be_sent_before_the_meeting_is_held(world):
    meetings = generate(world)
    with pytest.raises(ValidationError):
        services.materials_send(meeting=meetings[0], actor=world["lead"])
    assert not Notification.objects.filter(kind=KIND_MATERIALS).exists()


def test_facilitators_are_nudged_a_day_after_an_unmarked_meeting_and_not_after_a_marked_one(world):
    meetings = generate(world)
    first, second = meetings[0], meetings[1]
    services.meeting_mark_held(meeting=first, actor=world["lead"], at=first.ends_at)
    send(now=second.ends_at + timedelta(hours=25))
    nudges = {(r.subject, r.recipient): r.status for r in Notification.objects.filter(kind=KIND_NUDGE)}
    assert nudges[(f"meetings.meeting:{first.pk}", "lead@example.org")] == NotificationStatus.SKIPPED
    assert nudges[(f"meetings.meeting:{second.pk}", "lead@example.org")] == NotificationStatus.SENT
    assert nudges[(f"meetings.meeting:{second.pk}", "co@example.org")] == NotificationStatus.SENT
    assert not any(email.startswith("member") for _s, email in nudges)


def test_holding_the_last_meeting_completes_the_members_who_stayed(world):
    meetings = generate(world)
    leaver = world["members"][2]
    services.meeting_mark_held(meeting=meetings[0], actor=world["lead"], at=meetings[0].ends_at)
    core_services.participant_change_status(participant=leaver, to_status=Status.WITHDRAWN, actor=None, reason="Moved")
    for meeting in meetings[1:]:
        services.meeting_mark_held(meeting=meeting, actor=world["lead"], at=meeting.ends_at)
    statuses = {p.pk: p.status for p in type(leaver).objects.filter(membership__group=world["group"])}
    assert statuses[leaver.pk] == Status.WITHDRAWN
    assert [s for pk, s in statuses.items() if pk != leaver.pk] == [Status.COMPLETED, Status.COMPLETED]


def test_the_final_round_opens_at_the_last_meeting_for_the_members_who_agreed(world):
    meetings = generate(world)
    agreed = world["members"][:2]  # the third never agreed to the questionnaire
    for member in agreed:
        core_services.consent_record(
            participant=member, item=ConsentItem.WELLBEING_QUESTIONNAIRE, given=True, actor=None
        )
    assert services.final_rounds_open_due(now=meetings[-1].starts_at - HOUR) == 0
    assert services.final_rounds_open_due(now=meetings[-1].starts_at + timedelta(minutes=5)) == 1
    invited = RoundInvitation.objects.filter(round__kind=RoundKind.FINAL)
    assert sorted(invited.values_list("participant_id", flat=True)) == sorted(p.pk for p in agreed)
    # Running again asks nobody twice and opens no empty round for the one who did not agree.
    assert services.final_rounds_open_due(now=meetings[-1].starts_at + timedelta(minutes=20)) == 0
    assert invited.values("round").distinct().count() == 1


def test_a_late_joiner_gets_the_schedule_and_reminders(world, mailoutbox):
    generate(world)
    send()
    mailoutbox.clear()
    newcomer = make_participant(world["programme"], Status.ACCEPTED, email="late@example.org")
    group_add_member(group=world["group"], participant=newcomer, actor=world["coordinator"])
    send()
    assert [m.to for m in mailoutbox] == [["late@example.org"]]
    assert Notification.objects.filter(kind=KIND_REMINDER, recipient="late@example.org").count() == 5


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("past", "into the past"),
        ("holiday", "public holiday"),
        ("other", "already on"),
    ],
)
def test_a_bad_move_is_refused_and_changes_and_sends_nothing(world, where, message):
    meetings = generate(world)
    second = meetings[1]
    tz = world["organisation"].tz
    if where == "past":
        target = timezone.now() - timedelta(days=1)
    elif where == "holiday":
        day = date(timezone.localdate().year + 1, 12, 6)
        target = datetime.combine(day, time(17, 0), tzinfo=tz)
    else:
        target = meetings[2].starts_at + timedelta(hours=3)
    before = Notification.objects.count()
    with pytest.raises(ValidationError) as error:
        services.meeting_move(meeting=second, starts_at=target, actor=world["coordinator"])
    assert message in " ".join(error.value.messages)
    second.refresh_from_db()
    assert second.calendar_sequence == 0 and second.status == MeetingStatus.PLANNED
    assert Notification.objects.count() == before


def test_a_malformed_pasted_link_is_refused(world):
    generate(world)
    with pytest.raises(ValidationError) as error:
        services.video_link_set(group=world["group"], link="zoom.us/j/123", actor=world["coordinator"])
    assert "https://" in " ".join(error.value.messages)
    with pytest.raises(ValidationError):
        services.video_link_set(group=world["group"], link="javascript:alert(1)", actor=world["coordinator"])


def test_a_new_pasted_link_updates_the_calendar_entries_of_meetings_to_come(world, mailoutbox):
    meetings = generate(world)
    send()
    mailoutbox.clear()
    services.video_link_set(group=world["group"], link="https://zoom.example/j/42", actor=world["coordinator"])
    send()
    assert Notification.objects.filter(kind=KIND_UPDATE).count() == 5 * len(meetings)
    assert all("https://zoom.example/j/42" in m.body for m in mailoutbox)


def test_a_schedule_is_generated_once(world):
    generate(world)
    with pytest.raises(ValidationError):
        generate(world)
    assert Meeting.objects.filter(group=world["group"]).count() == 5
    assert Notification.objects.filter(kind=KIND_INVITATION).count() == 5
    assert not Notification.objects.filter(kind=KIND_CANCELLED).exists()


def test_a_facilitator_taken_off_a_meeting_gets_it_removed_and_the_newcomer_gets_it(world, mailoutbox):
    meetings = generate(world)
    send()
    mailoutbox.clear()
    stand_in = make_staff(world["organisation"], Role.FACILITATOR, email="stand-in@example.org")
    services.meeting_facilitators_set(meeting=meetings[1], lead=None, co=stand_in, actor=world["coordinator"])
    send()
    by_person = {m.to[0]: m for m in mailoutbox}
    assert set(by_person) == {"stand-in@example.org", "co@example.org"}
    (added,) = calendars(by_person["stand-in@example.org"]).values()
    (removed,) = calendars(by_person["co@example.org"]).values()
    assert (str(added["method"]), str(removed["method"])) == ("REQUEST", "CANCEL")
    assert str(removed.walk("VEVENT")[0]["uid"]) == meetings[1].calendar_uid
    assert "Et ole enää" in by_person["co@example.org"].body  # in Finnish, the facilitator's language


def test_a_meeting_cannot_end_up_with_one_person_in_both_roles(world):
    meetings = generate(world)
    with pytest.raises(ValidationError):
        # The group's lead stays lead; making them co as well would drop the co-facilitator.
        services.meeting_facilitators_set(meeting=meetings[0], lead=None, co=world["lead"], actor=None)


def test_a_reminder_held_up_past_the_start_is_not_sent(world, mailoutbox):
    meetings = generate(world)
    send()
    mailoutbox.clear()
    first = meetings[0]
    from unittest import mock

    # The worker was down: it comes back three hours after the meeting began.
    later = first.starts_at + timedelta(hours=3)
    with mock.patch("django.utils.timezone.now", return_value=later):
        send(now=later)
    rows = Notification.objects.filter(kind=KIND_REMINDER, subject=f"meetings.meeting:{first.pk}")
    assert {r.status for r in rows} == {NotificationStatus.SKIPPED}
    assert not [m for m in mailoutbox if "Reminder" in m.subject]


def test_a_new_link_inside_the_reminder_window_sends_the_update_but_no_second_reminder(world, mailoutbox):
    meetings = generate(world)
    first = meetings[0]
    inside = first.starts_at - timedelta(hours=20)
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=inside):
        send(now=inside)  # the invitations and the first meeting's reminders go out
        services.video_link_set(group=world["group"], link="https://zoom.example/j/7", actor=world["coordinator"])
        send(now=inside)
    sent = Notification.objects.filter(
        kind=KIND_REMINDER, subject=f"meetings.meeting:{first.pk}", status=NotificationStatus.SENT
    )
    assert sent.count() == 5  # one each, not two
    assert Notification.objects.filter(kind=KIND_UPDATE, subject=f"meetings.meeting:{first.pk}").count() == 5


def test_moving_a_meeting_clears_the_told_in_advance_of_the_old_time(world):
    meetings = generate(world)
    member = world["members"][0]
    services.absence_tell(meeting=meetings[1], participant=member, note="Trade fair")
    services.meeting_move(
        meeting=meetings[1], starts_at=meetings[1].starts_at + timedelta(days=1), actor=world["coordinator"]
    )
    assert not meetings[1].attendance.exists()


def test_a_member_who_leaves_gets_the_meetings_to_come_taken_out_of_their_calendar(world, mailoutbox):
    meetings = generate(world)
    send()
    mailoutbox.clear()
    leaver = world["members"][1]
    core_services.participant_change_status(participant=leaver, to_status=Status.CANCELLED, actor=None, reason="Ill")
    send()
    assert {m.to[0] for m in mailoutbox} == {leaver.user.email}
    cancels = [next(iter(calendars(m).values())) for m in mailoutbox]
    assert sorted(str(c.walk("VEVENT")[0]["uid"]) for c in cancels) == sorted(m.calendar_uid for m in meetings)
    assert all(str(c["method"]) == "CANCEL" for c in cancels)
    assert "no longer in" in mailoutbox[0].body


def test_a_meeting_cannot_be_added_before_the_schedule_is_set(world):
    with pytest.raises(ValidationError):
        services.meeting_add(
            group=world["group"], starts_at=timezone.now() + timedelta(days=30), actor=world["coordinator"]
        )
    assert not Meeting.objects.filter(group=world["group"]).exists()

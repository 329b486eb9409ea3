"""The demo replays the piloted round exactly and has a live programme open for registration."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from pytest_django import DjangoDbBlocker

from kollega.core.demo import DEMO_SLUG, DemoResult, demo_build, demo_delete, people
from kollega.core.demo.build import DEMO_PASSWORD, pilot_year
from kollega.core.models import (
    ConsentItem,
    Organisation,
    Participant,
    ParticipantStatusChange,
    Programme,
    Role,
    Status,
)
from kollega.core.selectors import consents_current, participant_status_counts
from kollega.evaluation.models import QuestionnaireRound, RoundInvitation, RoundKind
from kollega.evaluation.selectors import before_after_for_participant
from kollega.interviews.models import InterviewBooking, InterviewRecord
from kollega.interviews.readiness import programme_readiness
from kollega.interviews.services import free_slots_query
from kollega.meetings.models import AttendanceState, Material, MaterialKind, Meeting, MeetingStatus, SegmentKind
from kollega.meetings.schedule import Closed, blocked, plan
from kollega.meetings.services import closed_periods
from kollega.notifications.models import Notification, NotificationStatus
from kollega.recruitment.needs import needs_summary
from kollega.recruitment.selectors import waiting_position
from kollega.surveys.models import Purpose

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[DemoResult]:
    """One demo for the tests that only read it (building takes seconds)."""
    with django_db_blocker.unblock():
        yield demo_build(reset=True)
        demo_delete()


def history(participant: Participant) -> list[str]:
    return [c.to_status for c in participant.status_changes.order_by("at", "id")]


def test_the_pilot_replays_the_piloted_round(demo: DemoResult) -> None:
    pilot = demo.pilot
    counts = participant_status_counts(programme=pilot)
    participants = list(pilot.participants.all())
    started = [p for p in participants if p.status in {Status.COMPLETED, Status.WITHDRAWN}]
    completed = [p for p in participants if p.status == Status.COMPLETED]
    assert len(participants) == 25
    assert counts[Status.CANCELLED] == 2
    assert len(started) == 23
    assert counts[Status.WITHDRAWN] == 3
    assert counts[Status.COMPLETED] == 20
    assert Counter(p.gender for p in started) == {"woman": 21, "man": 2}
    assert Counter(p.gender for p in completed) == {"woman": 19, "man": 1}
    for p in pilot.participants.filter(status=Status.WITHDRAWN):
        assert p.status_changes.get(to_status=Status.WITHDRAWN).reason == "Yritystoiminta tauolla."
    for p in pilot.participants.filter(status=Status.CANCELLED):
        assert p.status_changes.get(to_status=Status.CANCELLED).reason


def test_the_pilot_has_a_morning_and_an_afternoon_group_of_at_most_twelve(demo: DemoResult) -> None:
    pilot = demo.pilot
    groups = list(pilot.groups.order_by("start_date"))
    assert [g.time_slot.key for g in groups] == ["morning", "afternoon"]
    started_per_group = [g.memberships.exclude(participant__status=Status.CANCELLED).count() for g in groups]
    assert started_per_group == [12, 11]
    assert all(g.memberships.count() <= pilot.group_size_max == 12 for g in groups)
    assert all(g.lead_facilitator and g.co_facilitator for g in groups)
    # Everyone who started was in one of the two groups.
    assert sum(started_per_group) == 23


def test_each_pilot_group_held_five_meetings_three_weeks_apart_with_the_piloted_themes(demo: DemoResult) -> None:
    pilot = demo.pilot
    piloted = list(pilot.themes.order_by("order")[:5])
    for group in pilot.groups.all():
        meetings = list(group.meetings.order_by("number"))
        assert [m.status for m in meetings] == [MeetingStatus.HELD] * 5
        assert [m.theme for m in meetings] == piloted
        local = [m.starts_at.astimezone(group.programme.organisation.tz) for m in meetings]
        assert all((b.date() - a.date()).days == 21 and a.time() == b.time() for a, b in itertools.pairwise(local))
        assert local[0].time().hour == group.time_slot.start_time.hour
        assert meetings[-1].held_at < timezone.now()
    assert piloted[0].position_rule == "first" and piloted[-1].key == "networks"


def test_the_pilot_is_dated_in_the_past_registrations_in_autumn_groups_in_spring(demo: DemoResult) -> None:
    result = demo
    year = pilot_year(timezone.localdate())
    tz = result.organisation.tz
    registered = [p.registered_at.astimezone(tz).date() for p in result.pilot.participants.all()]
    assert all(date(year - 1, 9, 1) <= day <= date(year - 1, 11, 30) for day in registered)
    first = [g.start_date for g in result.pilot.groups.order_by("start_date")]
    assert (first[0].year, first[0].month, first[1].month) == (year, 1, 2)
    last = Meeting.objects.filter(group__programme=result.pilot).order_by("-starts_at").first()
    assert last is not None and last.starts_at.astimezone(tz).month in {4, 5}
    assert not ParticipantStatusChange.objects.filter(
        participant__programme=result.pilot, at__gt=timezone.now()
    ).exists()


def test_the_pilot_year_is_the_last_spring_that_is_over() -> None:
    assert pilot_year(date(2027, 3, 1)) == 2026
    assert pilot_year(date(2027, 6, 1)) == 2027
    built = demo_build(reset=True, today=date(2027, 3, 1))
    assert built.pilot.groups.order_by("start_date").first().start_date.year == 2026  # type: ignore[union-attr]


def test_every_pilot_participant_went_through_the_intake_in_order(demo: DemoResult) -> None:
    pilot = demo.pilot
    intake = [Status.REGISTERED, Status.INTERVIEW_BOOKED, Status.INTERVIEWED, Status.ACCEPTED]
    for p in pilot.participants.all():
        steps = history(p)
        assert steps[:4] == intake, p
        times = [c.at for c in p.status_changes.order_by("at", "id")]
        assert times == sorted(times)
        if p.status in {Status.COMPLETED, Status.WITHDRAWN}:
            assert steps[4:] == [Status.IN_GROUP, p.status]


def test_pilot_consents_privacy_for_all_sharing_varied_wellbeing_for_most(demo: DemoResult) -> None:
    pilot = demo.pilot
    current = [consents_current(participant=p) for p in pilot.participants.all()]
    assert all(c[ConsentItem.PRIVACY_NOTICE].given for c in current)
    for item in (ConsentItem.SHARE_NAME, ConsentItem.SHARE_COMPANY, ConsentItem.SHARE_EMAIL):
        given = sum(c[item].given for c in current)
        assert 0 < given < 25, item
    assert 20 <= sum(c[ConsentItem.WELLBEING_QUESTIONNAIRE].given for c in current) < 25


def test_pilot_industries_are_mostly_creative_and_service_trades(demo: DemoResult) -> None:
    pilot = demo.pilot
    industries = Counter(pilot.participants.values_list("industry", flat=True))
    assert sum(industries[c] for c in "MNRSJPQ") >= 20
    assert len(set(pilot.participants.values_list("region", flat=True))) >= 6
    assert len(set(pilot.participants.values_list("years_in_business", flat=True))) >= 10


def test_the_live_programme_is_open_with_thirty_eight_registered_across_channels_and_two_waiting(
    demo: DemoResult,
) -> None:
    result = demo
    live, now = result.live, timezone.now()
    assert live.registration_is_open()
    assert live.capacity == 38
    assert timedelta(days=13) < now - live.registration_opens_at <= timedelta(days=15)  # type: ignore[operator]
    assert timedelta(days=20) < live.registration_closes_at - now <= timedelta(days=22)  # type: ignore[operator]
    everyone = list(live.participants.order_by("registered_at", "id"))
    assert len(everyone) == 40
    # Eight registered on the first two days and are in the early group (see below).
    early = [p for p in everyone if p.status == Status.IN_GROUP]
    assert len(early) == len(people.LIVE_EARLY) == 8
    assert all(p.registered_at < live.registration_opens_at + timedelta(days=2) for p in early)  # type: ignore[operator]
    # Eighteen registered in the first days and were accepted: ready to be grouped. Of the later
    # ones, the first three were interviewed (the first accepted), the next five have a time booked.
    participants = [p for p in everyone if p.status != Status.IN_GROUP]
    assert [p.status for p in participants] == [Status.ACCEPTED] * 19 + [Status.INTERVIEWED] * 2 + [
        Status.INTERVIEW_BOOKED
    ] * 5 + [Status.REGISTERED] * 4 + [Status.WAITING_LIST] * 2
    assert [waiting_position(participant=p) for p in participants[30:]] == [1, 2]
    participants = everyone
    assert all(p.time_slots.exists() and p.theme_ranking for p in participants)
    assert all(live.registration_opens_at <= p.registered_at < now for p in participants)  # type: ignore[operator]
    assert {p.language for p in participants} == {"fi", "sv", "en"}
    channels = Counter(p.registration.channel.key for p in participants if p.registration.channel)
    assert len(channels) == 4 and sum(channels.values()) >= 12
    assert live.page.is_published
    # Everyone has answered the registration form and given the privacy consent there.
    registration = {"replaced_at__isnull": True, "form__purpose": Purpose.REGISTRATION}
    assert all(p.responses.filter(**registration).count() == 1 for p in participants)
    assert all(consents_current(participant=p)[ConsentItem.PRIVACY_NOTICE].given for p in participants)


def test_the_pilots_theme_wishes_put_goals_work_and_networks_on_top(demo: DemoResult) -> None:
    summary = needs_summary(programme=demo.pilot)
    assert summary.rankings >= 20
    assert [theme.key for theme in summary.themes[:3]] == ["goals", "work-and-time", "networks"]
    assert summary.themes[0].first_choices > summary.themes[-1].first_choices
    # Realistic, varied answers: several regions, both company sizes, free texts.
    pilot = list(demo.pilot.participants.all())
    assert len({tuple(p.theme_ranking) for p in pilot}) >= 15
    assert all(p.industry and p.region and p.years_in_business is not None for p in pilot)


def test_the_organisation_staff_and_people_are_fictitious(demo: DemoResult) -> None:
    result = demo
    org = result.organisation
    assert org.name.endswith("(demo)")
    assert org.time_zone == "Europe/Helsinki"
    assert org.support_email and org.support_phone
    names = {p.name for p in org.closed_periods.all()}
    assert any(n.startswith("Joulutauko") for n in names) and any(n.startswith("Kesätauko") for n in names)
    assert set(org.staff.values_list("role", flat=True)) == {Role.COORDINATOR, Role.FACILITATOR}
    assert org.staff.filter(role=Role.FACILITATOR).count() == 2
    emails = [u.email for u in result.people]
    assert len(emails) == 3 + 25 + 14
    assert all(e.endswith("@example.org") for e in emails)
    assert result.coordinator.check_password(DEMO_PASSWORD)
    assert not result.facilitators[0].has_usable_password()


def test_building_twice_keeps_the_demo() -> None:
    first = demo_build(reset=True)
    second = demo_build()
    assert first.created and not second.created
    assert (second.organisation.pk, second.pilot.pk, second.live.pk) == (
        first.organisation.pk,
        first.pilot.pk,
        first.live.pk,
    )
    assert Organisation.objects.filter(slug=DEMO_SLUG).count() == 1
    assert Participant.objects.count() == 65


def test_reset_deletes_the_demo_and_builds_it_anew(django_capture_on_commit_callbacks: Any) -> None:
    first = demo_build(reset=True)
    files = [Path(m.file.path) for m in Material.objects.filter(meeting__group__programme=first.pilot).exclude(file="")]
    assert files and all(path.exists() for path in files)
    other = Organisation.objects.create(name="Toinen organisaatio", slug="toinen")
    with django_capture_on_commit_callbacks(execute=True):
        rebuilt = demo_build(reset=True)
    # The old demo's uploaded materials went with it.
    assert not any(path.exists() for path in files)
    assert rebuilt.created
    assert rebuilt.organisation.pk != first.organisation.pk
    assert not Participant.objects.filter(programme=first.pilot.pk).exists()
    assert Participant.objects.count() == 65
    assert participant_status_counts(programme=rebuilt.pilot)[Status.COMPLETED] == 20
    assert Organisation.objects.filter(pk=other.pk).exists()


# --- step 3: interviews, consents, goals and the well-being questionnaire ---------


def test_everyone_in_the_pilot_booked_and_held_an_interview_and_has_a_record(demo: DemoResult) -> None:
    pilot, now = demo.pilot, timezone.now()
    tz = demo.organisation.tz
    staff = {demo.coordinator.pk, *(f.pk for f in demo.facilitators)}
    records = {r.participant_id: r for r in InterviewRecord.objects.filter(participant__programme=pilot)}
    assert len(records) == 25
    groups = {m.participant_id: m.group for g in pilot.groups.all() for m in g.memberships.all()}
    for p in pilot.participants.select_related("user"):
        booking = InterviewBooking.objects.select_related("slot").get(participant=p)
        assert booking.booked_at < booking.slot.starts_at < now and booking.no_show_at is None
        # Leaving releases a booking (core's rule), even one already held; the others keep theirs.
        assert booking.is_active or p.status in {Status.CANCELLED, Status.WITHDRAWN}
        local = booking.slot.starts_at.astimezone(tz)
        assert local.weekday() < 5 and 9 <= local.hour < 16, local
        record = records[p.pk]
        assert record.booking_id == booking.pk and record.interviewer_id in staff
        assert record.committed and record.platform_audio
        assert record.goal_business and record.goal_wellbeing and record.expectations
        assert booking.slot.starts_at < record.created_at < now
        agreed = {slot.key for slot in record.agreed_time_slots.all()}
        if p.pk in groups:
            assert agreed == {groups[p.pk].time_slot.key}
        # The agreed time is the group's (one left before the groups formed, free at both times).
        person = next(person for person in people.PILOT if person.email == p.user.email)
        assert agreed == ({person.group} if person.group else {"morning", "afternoon"})
        assert {slot.key for slot in p.time_slots.all()} == agreed
    # Varied goals, in each person's language.
    assert len({r.goal_business for r in records.values()}) >= 8
    assert len({r.goal_wellbeing for r in records.values()}) >= 8
    storm = next(r for r in records.values() if r.participant.language == "sv")
    assert storm.goal_business in people.GOALS_BUSINESS["sv"]


def test_at_the_interview_a_few_kept_their_email_and_one_declined_the_questionnaire(demo: DemoResult) -> None:
    current = {p: consents_current(participant=p) for p in demo.pilot.participants.all()}
    assert 2 <= sum(not c[ConsentItem.SHARE_EMAIL].given for c in current.values()) <= 8
    declined = [p for p, c in current.items() if not c[ConsentItem.WELLBEING_QUESTIONNAIRE].given]
    assert len(declined) == 1 and declined[0].status == Status.WITHDRAWN
    assert all(c[ConsentItem.WELLBEING_QUESTIONNAIRE].source == "interview" for c in current.values())


def test_the_pilot_has_baseline_answers_from_everyone_who_agreed_and_final_answers_from_the_completers(
    demo: DemoResult,
) -> None:
    pilot, now = demo.pilot, timezone.now()
    rounds = list(QuestionnaireRound.objects.filter(programme=pilot).order_by("opens_at"))
    assert [r.kind for r in rounds] == [RoundKind.BASELINE, RoundKind.FINAL, RoundKind.FINAL]
    assert all(r.is_closed() and r.closes_at < now and r.opens_at < r.closes_at for r in rounds)
    answered = RoundInvitation.objects.filter(round__programme=pilot, answered_at__isnull=False)
    baseline = answered.filter(round__kind=RoundKind.BASELINE)
    final = answered.filter(round__kind=RoundKind.FINAL)
    assert baseline.count() == 24  # everyone but the one who declined
    assert final.count() == 20
    assert set(final.values_list("participant__status", flat=True)) == {Status.COMPLETED}
    assert all(i.answered_at < now and i.response.submitted_at == i.answered_at for i in answered)  # type: ignore[union-attr]
    formed = min(m.joined_at for g in pilot.groups.all() for m in g.memberships.all())
    assert all(i.answered_at < formed for i in baseline)  # type: ignore[operator]


def test_the_completers_well_being_changed_in_a_realistic_mixed_way(demo: DemoResult) -> None:
    changes = []
    for p in demo.pilot.participants.filter(status=Status.COMPLETED):
        before_after = before_after_for_participant(participant=p)
        assert before_after is not None and before_after.before_at < before_after.after_at
        changes.append(before_after.who5_change)
    assert len(changes) == 20
    better = [c for c in changes if c > 0]  # type: ignore[operator]
    worse = [c for c in changes if c < 0]  # type: ignore[operator]
    assert len(better) >= 10 and 1 <= len(worse) <= 3 and changes.count(0) >= 3
    # "A little better": most changes are modest.
    assert all(abs(c) <= 24 for c in changes)  # type: ignore[arg-type]


def test_the_pilots_only_messages_are_its_meetings_sent_in_the_past(demo: DemoResult) -> None:
    now = timezone.now()
    groups = {g.pk: g for g in demo.pilot.groups.all()}
    emails = [p.email for p in people.PILOT]
    # Nothing else the pilot's services queued was kept: no mail about a round that ended months ago.
    assert set(Notification.objects.filter(recipient__in=emails).values_list("kind", flat=True)) == {
        "meetings.invitation",
        "meetings.reminder",
        "meetings.materials",
    }
    rows = list(Notification.objects.filter(organisation=demo.organisation, context__group_id__in=list(groups)))
    assert {row.kind for row in rows} == {
        "meetings.invitation",
        "meetings.reminder",
        "meetings.materials",
        "meetings.nudge",
    }
    assert {row.status for row in rows} == {NotificationStatus.SENT, NotificationStatus.SKIPPED}
    for row in rows:
        assert row.next_attempt_at is None and row.attempts == 1, row
        assert row.created_at <= row.due_at < now, row
        if row.status == NotificationStatus.SENT:
            assert row.due_at < row.sent_at < row.due_at + timedelta(minutes=1), row  # type: ignore[operator]
            assert row.rendered_subject and not row.last_error, row
    for group in groups.values():
        assert group.schedule_set_at is not None and group.video_link.startswith("https://")
        invitations = [r for r in rows if r.kind == "meetings.invitation" and r.context["group_id"] == group.pk]
        # Everyone in the group when the schedule was set (the one who cancelled later too), both facilitators.
        assert len(invitations) == group.memberships.count() + (1 if group.time_slot.key == "afternoon" else 0) + 2
        assert {r.due_at for r in invitations} == {group.schedule_set_at}
        assert all(r.status == NotificationStatus.SENT for r in invitations)
        for meeting in group.meetings.all():
            about = [r for r in rows if r.context.get("meeting_id") == meeting.pk]
            reminders = [r for r in about if r.kind == "meetings.reminder"]
            assert {r.due_at for r in reminders} == {meeting.starts_at - timedelta(hours=48)}
            nudges = [r for r in about if r.kind == "meetings.nudge"]
            assert len(nudges) == 2
            assert all(r.status == NotificationStatus.SKIPPED for r in nudges)
            assert {r.last_error for r in nudges} == {"The meeting is already held."}
            # The materials went to every member of the time, absentees too.
            materials = [r for r in about if r.kind == "meetings.materials"]
            assert all(r.status == NotificationStatus.SENT for r in materials)
            assert {r.due_at for r in materials} == {meeting.materials_sent_at}
            absent = meeting.attendance.exclude(state=AttendanceState.PRESENT)
            assert {a.participant.user.email for a in absent} <= {r.recipient for r in materials}
            assert len(materials) == meeting.attendance.count()
    # Reminders due after a person had left were skipped, as the sender does.
    skipped = [r for r in rows if r.kind == "meetings.reminder" and r.status == NotificationStatus.SKIPPED]
    leavers = {p.email for p in people.PILOT if p.outcome in {people.WITHDRAWN, people.CANCELLED_IN_GROUP}}
    assert {r.recipient for r in skipped} == leavers
    assert {r.last_error for r in skipped} == {
        "The person has left the programme (withdrawn).",
        "The person is no longer in the group.",
    }
    # Those of the meetings after their leaving: all five of the one who cancelled before the first.
    leaving = [p for p in people.PILOT if p.email in leavers]
    assert len(skipped) == sum(5 - p.withdrew_after if p.withdrew_after else 5 for p in leaving)


def test_each_pilot_meeting_has_its_agenda_attendance_materials_and_notes(demo: DemoResult) -> None:
    excused = 0
    talks = 0
    files = []
    for group in demo.pilot.groups.all():
        members = {m.participant_id: m.participant for m in group.memberships.select_related("participant__user")}
        for meeting in group.meetings.order_by("number"):
            kinds = [segment["kind"] for segment in meeting.agenda]
            assert sum(segment["minutes"] for segment in meeting.agenda) == meeting.length_minutes
            assert (SegmentKind.GROUND_RULES in kinds) == (meeting.number == 1) and SegmentKind.BREAK in kinds
            # Attendance for everyone in the group then: not for those who withdrew after an earlier meeting.
            expected = {
                pk
                for pk, p in members.items()
                if p.status == Status.COMPLETED or meeting.held_at < p.status_changes.get(to_status=p.status).at  # type: ignore[operator]
            }
            attendance = {a.participant_id: a for a in meeting.attendance.all()}
            assert set(attendance) == expected, meeting
            states = Counter(a.state for a in attendance.values())
            assert states[AttendanceState.PRESENT] >= len(attendance) - 3
            excused += states[AttendanceState.EXCUSED]
            for told in (a for a in attendance.values() if a.state == AttendanceState.EXCUSED):
                assert told.note and told.recorded_at < meeting.starts_at and told.recorded_by is None
            if meeting.expert_speaker:
                talks += 1
                assert meeting.expert_title and meeting.recording_url.startswith("https://example.org/")
                assert any(meeting.expert_title in segment["note"] for segment in meeting.agenda)
            materials = list(meeting.materials.all())
            assert {MaterialKind.LINK, MaterialKind.NOTE} <= {m.kind for m in materials}
            assert all(meeting.held_at < m.added_at < meeting.materials_sent_at for m in materials)  # type: ignore[operator]
            assert all(m.url.startswith("https://example.org/") for m in materials if m.kind == MaterialKind.LINK)
            files += [m for m in materials if m.kind == MaterialKind.FILE]
            assert meeting.notes and meeting.materials_sent == 1
    assert excused == 3 and talks == 4
    assert len(files) == 2
    for material in files:
        assert material.filename.endswith(".pdf") and material.content_type == "application/pdf"
        with material.file.open("rb") as handle:
            content = handle.read()
        assert content.startswith(b"%PDF-1.4") and content.rstrip().endswith(b"%%EOF")
        assert material.size == len(content)


def test_the_live_programme_has_an_early_group_whose_first_meeting_is_next_week(demo: DemoResult) -> None:
    live, now = demo.live, timezone.now()
    tz = demo.organisation.tz
    group = live.groups.get()
    members = [m.participant for m in group.memberships.select_related("participant__user")]
    assert sorted(p.user.email for p in members) == sorted(p.email for p in people.LIVE_EARLY)
    assert all(p.email.endswith("@example.org") for p in people.LIVE_EARLY)
    assert {p.language for p in members} == {"fi", "sv", "en"}
    assert all(history(p)[-2:] == [Status.ACCEPTED, Status.IN_GROUP] for p in members)
    assert group.lead_facilitator and group.co_facilitator and group.time_slot.key == "morning"
    # Those ready to be grouped are left for the coordinator to group.
    assert not live.participants.filter(status=Status.ACCEPTED, membership__isnull=False).exists()

    meetings = list(group.meetings.order_by("number"))
    assert len(meetings) == 5 and all(m.status == MeetingStatus.PLANNED and m.agenda for m in meetings)
    first = meetings[0].starts_at.astimezone(tz)
    assert first.date() == group.start_date and first.hour == 9
    closed = closed_periods(demo.organisation)
    days = (group.start_date - timezone.localdate(timezone=tz)).days
    # Next week, on a weekday that is no holiday; later only when no such day lets the schedule fit.
    assert days >= 5
    for offset in range(5, days):
        day = timezone.localdate(timezone=tz) + timedelta(days=offset)
        assert day.weekday() >= 5 or blocked(day, closed) or not fits(live, day, closed)

    rows = list(Notification.objects.filter(context__group_id=group.pk))
    invitations = [r for r in rows if r.kind == "meetings.invitation"]
    assert len(invitations) == 8 + 2
    assert all(r.status == NotificationStatus.SENT and r.sent_at < now and r.rendered_subject for r in invitations)  # type: ignore[operator]
    reminders = [r for r in rows if r.kind == "meetings.reminder"]
    assert len(reminders) == 5 * 10
    assert all(r.status == NotificationStatus.PENDING for r in reminders)
    starts = {m.pk: m.starts_at for m in meetings}
    assert all(r.due_at == starts[r.context["meeting_id"]] - timedelta(hours=48) > now for r in reminders)


def fits(programme: Programme, day: date, closed: list[Closed]) -> bool:
    try:
        plan(
            start_date=day,
            start_time=time(9),
            tz=programme.organisation.tz,
            count=programme.meeting_count,
            interval_days=programme.meeting_interval_days,
            rule=programme.move_rule,
            closed=closed,
        )
    except ValidationError:
        return False
    return True


def test_the_live_programme_has_booked_interviews_a_few_interviewed_and_free_times(demo: DemoResult) -> None:
    live, now = demo.live, timezone.now()
    tz = demo.organisation.tz
    held = InterviewBooking.objects.filter(participant__programme=live, cancelled_at__isnull=True).select_related(
        "slot"
    )
    upcoming = [b for b in held if b.slot.starts_at > now]
    assert len(upcoming) == 5 and len(held) == 8 + len(people.LIVE_READY) + len(people.LIVE_EARLY)
    for booking in upcoming:
        local = booking.slot.starts_at.astimezone(tz)
        assert booking.slot.starts_at - now < timedelta(days=15)
        assert local.weekday() < 5 and 9 <= local.hour < 16
    assert free_slots_query(programme=live).count() >= 5
    records = InterviewRecord.objects.filter(participant__programme=live)
    ready = len(people.LIVE_READY) + len(people.LIVE_EARLY)
    assert records.count() == 3 + ready and records.filter(committed=True).count() == 2 + ready


def test_the_readiness_view_counts_the_demo(demo: DemoResult) -> None:
    live = programme_readiness(programme=demo.live).total
    assert (live.without_booking, live.booked, live.interviewed, live.committed) == (4, 5, 29, 28)
    # Of the eighteen ready to be grouped, and of the early group's eight, every sixth has not answered the
    # baseline yet. The early group counts as taken in.
    assert (live.accepted, live.baseline, live.groups) == (19 + 8, 17 + 7, 3)
    pilot = programme_readiness(programme=demo.pilot)
    assert (pilot.total.interviewed, pilot.total.accepted, pilot.total.baseline) == (20, 20, 20)
    assert [row.accepted for row in pilot.rows] == [11, 9]  # completed in the morning and afternoon groups

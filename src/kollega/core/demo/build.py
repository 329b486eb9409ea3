"""Build the demo organisation through the same services the product uses.

Two programmes: the finished pilot, dated in the past so that it replays the
piloted round (25 registered, 2 cancelled, 23 started in two groups, 3
withdrawn, 20 completed), and a live programme dated relative to today, with
registration open, twelve places taken across four channels and two people on
the waiting list. Everyone registers through the registration form's own rules
(``registration_submit``), with answers whose theme ranking puts clarifying
goals, organising work and networks on top, as in the pilot. Dates are computed from today, so the demo looks current
whenever it is built.

Step 3 as well: in the pilot everyone booked an intake interview, was
interviewed (an interview record with goals and consents) and answered the
baseline well-being questionnaire if they agreed to it; those who completed
answered the final one, most a little better, some unchanged, two worse. In
the live programme a few applicants are interviewed (one accepted), some have
an interview booked in the next two weeks, and free times are left.

Meetings: each pilot group held its five meetings, with agendas from the
session templates, two expert talks with recordings, attendance (a few away,
some told in advance), materials and notes sent after each. In the live
programme, eight people who registered on the first days form an early
morning group whose first meeting is next week: its invitations are sent, its
reminders wait for their time.

A few services stamp their rows with the real "now" and have no way to be
told a past time (the interview record, questionnaire answers, invitations,
materials and messages). The pilot replays a past round, so those stamps are
moved back to the replayed time right after the service call (``_backdate``).
The pilot's meeting messages are kept in the outbox as the sender would have
left them (sent, or skipped when their reason had gone), each at its own past
time; the other messages its services queued are removed before the demo is
committed: nobody should get mail about a round that ended months ago.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.test.utils import override_settings
from django.utils import timezone

from kollega.accounts.models import User
from kollega.core import services
from kollega.core.demo import people
from kollega.core.demo.people import Person
from kollega.core.models import (
    ConsentItem,
    Organisation,
    Participant,
    ParticipantStatusChange,
    Programme,
    Role,
    Status,
)
from kollega.evaluation import services as evaluation
from kollega.evaluation.models import QuestionnaireRound, RoundInvitation, RoundKind
from kollega.evaluation.wellbeing import PEER_SUPPORT_ITEMS, WHO5_ITEMS
from kollega.grouping import proposals
from kollega.grouping.facilitators import group_facilitators_set
from kollega.grouping.models import Group, Proposal
from kollega.grouping.services import group_add_member, group_create
from kollega.grouping.themes import theme_plan_build
from kollega.interviews.models import InterviewRecord, InterviewSlot
from kollega.interviews.record_services import interview_record_save, participant_accept
from kollega.interviews.services import Pattern, booking_create, slot_create, slots_create_recurring
from kollega.meetings import messages, schedule
from kollega.meetings.links import jitsi_room
from kollega.meetings.models import AttendanceState, Material, MaterialKind, Meeting, SegmentKind
from kollega.meetings.services import (
    absence_tell,
    attendance_record,
    closed_periods,
    material_add,
    materials_send,
    meeting_create,
    meeting_details_set,
    meeting_mark_held,
    meeting_notes_set,
    schedule_generate,
    video_link_set,
)
from kollega.notifications.models import Notification, NotificationStatus
from kollega.notifications.rendering import render_notification
from kollega.notifications.sender import notification_send
from kollega.outreach import services as outreach
from kollega.recruitment.models import Source
from kollega.recruitment.services import registration_submit
from kollega.surveys.models import Response

DEMO_SLUG = "esimerkkila-demo"
DEMO_NAME = "Esimerkkilän yrityspalvelut (demo)"
PILOT_SLUG = "vertaisryhmat-pilotti"
LIVE_SLUG = "vertaisryhmat"
#: Those ready to be grouped, and twelve more; the last two wait. The early group's places come on top.
LIVE_CAPACITY = 30
#: The demo coordinator's password, printed by ``kollega demo`` so the password sign-in can be tried.
DEMO_PASSWORD = "vertaistuki-demo"  # noqa: S105 - a published demo password, refused in production
TIME_ZONE = "Europe/Helsinki"
PILOT_THEMES = 5  # the piloted round used the first five themes of the template, in order
INTERVIEW_MINUTES = 30
#: How the pilot's completers' WHO-5 changed from the baseline to the final answers (shuffled with a fixed seed).
PILOT_CHANGES = ("better",) * 13 + ("same",) * 5 + ("worse",) * 2
#: The live programme: applicants interviewed already (the first accepted), and those with a time booked.
LIVE_INTERVIEWED = 3
LIVE_BOOKED = 5
LIVE_EARLY_SEED = 2030
#: In the pilot, at which meetings of each group a member told in advance that they could not come.
TOLD_IN_ADVANCE = {people.MORNING: (3,), people.AFTERNOON: (2, 4)}
#: How often a pilot member was away from a meeting without telling in advance.
PILOT_ABSENT_SHARE = 0.07


@dataclass
class DemoResult:
    """What ``kollega demo`` prints links for."""

    organisation: Organisation
    coordinator: User
    facilitators: list[User]
    participant: User  # completed the pilot
    applicant: User  # registered to the live programme
    pilot: Programme
    live: Programme
    created: bool
    password: str = DEMO_PASSWORD
    people: list[User] = field(default_factory=list)


def demo_exists() -> bool:
    return Organisation.objects.filter(slug=DEMO_SLUG).exists()


def demo_build(*, reset: bool = False, today: date | None = None) -> DemoResult:
    """Build the demo, or return the one that exists; ``reset`` deletes it first and builds anew."""
    with transaction.atomic():
        if reset:
            demo_delete()
        elif demo_exists():
            return _existing()
        _Builder(today or timezone.localdate(timezone=ZoneInfo(TIME_ZONE))).build()
        result = _existing()
        result.created = True
        return result


def demo_delete() -> None:
    """Delete the demo organisation, everything under it, and the demo's people."""
    with transaction.atomic():
        org = Organisation.objects.filter(slug=DEMO_SLUG).first()
        if org is not None:
            # The materials' files go once the rows are gone for good.
            files = [
                material.file
                for material in Material.objects.filter(meeting__group__programme__organisation=org).exclude(file="")
            ]
            for file in files:
                transaction.on_commit(partial(file.storage.delete, file.name))
            for programme in Programme.objects.filter(organisation=org):
                # Removed in the order the protecting foreign keys need.
                Meeting.objects.filter(group__programme=programme).delete()
                Participant.objects.filter(programme=programme).delete()
                QuestionnaireRound.objects.filter(programme=programme).delete()
                Group.objects.filter(programme=programme).delete()
                programme.delete()
            org.delete()
        emails = [p.email for p in (*people.PILOT, *people.LIVE, *people.LIVE_READY, *people.LIVE_EARLY)]
        emails += [people.STAFF_COORDINATOR[1], *(email for _, email in people.STAFF_FACILITATORS)]
        User.objects.filter(email__in=emails, participations__isnull=True, staff_memberships__isnull=True).delete()


def _existing() -> DemoResult:
    org = Organisation.objects.get(slug=DEMO_SLUG)
    by_email = {u.email: u for u in User.objects.filter(email__in=_all_emails())}
    return DemoResult(
        organisation=org,
        coordinator=by_email[people.STAFF_COORDINATOR[1]],
        facilitators=[by_email[email] for _, email in people.STAFF_FACILITATORS],
        participant=by_email[people.PILOT[0].email],
        applicant=by_email[people.LIVE[0].email],
        pilot=Programme.objects.get(organisation=org, slug=PILOT_SLUG),
        live=Programme.objects.get(organisation=org, slug=LIVE_SLUG),
        created=False,
        people=list(by_email.values()),
    )


def _all_emails() -> list[str]:
    emails = [p.email for p in (*people.PILOT, *people.LIVE)]
    return [people.STAFF_COORDINATOR[1], *(email for _, email in people.STAFF_FACILITATORS), *emails]


def pilot_year(today: date) -> int:
    """The pilot's groups met January–May of the latest year whose May is over."""
    return today.year if today >= date(today.year, 6, 1) else today.year - 1


def first_weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


class _Builder:
    def __init__(self, today: date) -> None:
        self.today = today
        self.tz = ZoneInfo(TIME_ZONE)
        self.year = pilot_year(today)
        # Fixed seed: the same day builds the same demo.
        self.rng = random.Random(2021)
        # The questionnaire answers have their own seed, so they do not shift the rest of the demo.
        self.answers_rng = random.Random(2025)
        # The pilot's meetings (attendance, times of materials and messages) have their own seed too.
        self.meetings_rng = random.Random(2022)
        self.changes = list(PILOT_CHANGES)
        self.answers_rng.shuffle(self.changes)
        self.baseline: dict[str, tuple[list[int], list[int]]] = {}
        self.slot_starts: set[tuple[int, datetime]] = set()

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=self.tz)

    # --- organisation and staff ---------------------------------------------

    def build(self) -> None:
        org = services.organisation_create(
            name=DEMO_NAME,
            slug=DEMO_SLUG,
            time_zone=TIME_ZONE,
            support_email="vertaisryhmat@example.org",
            support_phone="+358 40 000 0000",
            support_hours="ma–pe klo 9–15",
            website="https://example.org/",
        )
        self.org = org
        name, email = people.STAFF_COORDINATOR
        self.coordinator = services.user_get_or_create(email=email, full_name=name)
        self.coordinator.set_password(DEMO_PASSWORD)
        self.coordinator.save(update_fields=["password"])
        services.staff_membership_add(organisation=org, user=self.coordinator, role=Role.COORDINATOR)
        self.facilitators = []
        for name, email in people.STAFF_FACILITATORS:
            user = services.user_get_or_create(email=email, full_name=name)
            services.staff_membership_add(organisation=org, user=user, role=Role.FACILITATOR, actor=self.coordinator)
            self.facilitators.append(user)
        for year in sorted({self.year - 1, self.year, self.today.year, self.today.year + 1}):
            services.closed_period_add(
                organisation=org,
                name=f"Joulutauko {year}–{year + 1}",
                start_date=date(year, 12, 21),
                end_date=date(year + 1, 1, 6),
                actor=self.coordinator,
            )
            services.closed_period_add(
                organisation=org,
                name=f"Kesätauko {year}",
                start_date=date(year, 6, 22),
                end_date=date(year, 8, 9),
                actor=self.coordinator,
            )
        last = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        self.build_pilot()
        # The pilot's meeting messages stay, as the sender left them; the rest it queued go.
        Notification.objects.filter(organisation=org, pk__gt=last).exclude(
            kind__in=messages.ALL_KINDS, status__in=[NotificationStatus.SENT, NotificationStatus.SKIPPED]
        ).delete()
        self.build_live()

    # --- the finished pilot -------------------------------------------------

    def build_pilot(self) -> None:
        y = self.year
        programme = services.programme_create_from_template(
            organisation=self.org,
            slug=PILOT_SLUG,
            title={
                "fi": f"Yksinyrittäjien vertaisryhmät – pilotti, kevät {y}",
                "sv": f"Kamratgrupper för ensamföretagare – pilot, våren {y}",
                "en": f"Peer groups for solo entrepreneurs – pilot, spring {y}",
            },
            actor=self.coordinator,
            registration_opens_at=self.at(date(y - 1, 9, 1), 9),
            registration_closes_at=self.at(date(y - 1, 11, 16), 0),
            capacity=25,
        )
        self.outreach(programme, people.CHANNELS)
        slots = {slot.key: slot for slot in programme.time_slots.all()}
        themes = list(programme.themes.order_by("order", "id")[:PILOT_THEMES])

        participants: dict[str, Participant] = {}
        accepted_at: dict[str, datetime] = {}
        interviewers = [self.coordinator, *self.facilitators]
        baseline: QuestionnaireRound | None = None
        for i, person in enumerate(people.PILOT):
            registered = self.at(
                date(y - 1, 9, 3) + timedelta(days=i * 3), self.rng.randint(8, 20), self.rng.randint(0, 59)
            )
            participant = self.register(programme, person, registered, heard=people.PILOT_HEARD[i], notify=False)
            booked = registered + timedelta(days=self.rng.randint(1, 3), hours=self.rng.randint(1, 5))
            day = self.weekday_on_or_after((booked + timedelta(days=self.rng.randint(4, 9))).date())
            slot = self.interview_slot(
                programme, interviewers, i, self.at(day, self.rng.choice([10, 12, 14])), published=registered
            )
            interviewed = slot.starts_at
            accepted = interviewed + timedelta(days=self.rng.randint(1, 2), hours=2)
            if baseline is None:
                # The baseline questionnaire opens when the first interview is booked.
                baseline = self.round_open(programme, RoundKind.BASELINE, booked)
            booking_create(slot=slot, participant=participant, actor=participant.user, now=booked)
            done = interviewed + timedelta(minutes=INTERVIEW_MINUTES + 10)
            self.move(participant, Status.INTERVIEWED, done, actor=slot.interviewer)
            self.interview_consents(participant, person, done)
            keys = [person.group] if person.group else [key for key in slots if person.slots in (key, people.BOTH)]
            self.interview_record(participant, person, slot.interviewer, keys, done)
            if person.wellbeing:
                before = self.baseline_values()
                self.baseline[person.email] = before
                self.answer(
                    baseline, participant, before, invited=done, at=done + timedelta(hours=self.rng.randint(1, 30))
                )
            self.move(participant, Status.ACCEPTED, accepted)
            participants[person.email] = participant
            accepted_at[person.email] = accepted
        assert baseline is not None
        self.round_close(baseline, self.at(date(y - 1, 12, 12), 16))

        leaver = next(p for p in people.PILOT if p.outcome == people.CANCELLED_ACCEPTED)
        self.move(
            participants[leaver.email],
            Status.CANCELLED,
            accepted_at[leaver.email] + timedelta(days=3),
            reason=people.CANCEL_REASONS[people.CANCELLED_ACCEPTED],
        )

        lead, co = self.facilitators
        formed = self.at(date(y - 1, 12, 10), 10)
        groups = self.pilot_groups(
            programme,
            formed,
            {
                # Tuesdays, January–April; Wednesdays, February–May.
                "morning": ("Aamupäiväryhmä", first_weekday_on_or_after(date(y, 1, 13), 1), lead, co),
                "afternoon": ("Iltapäiväryhmä", first_weekday_on_or_after(date(y, 2, 9), 2), co, lead),
            },
        )

        # The schedules were set, and everyone invited, the day after the groups were formed.
        invited = self.at(formed.date() + timedelta(days=1), 9, 30)
        for key, stale in groups.items():
            group = Group.objects.select_related(
                "programme__organisation", "time_slot", "lead_facilitator", "co_facilitator"
            ).get(pk=stale.pk)
            meetings = [
                meeting_create(
                    group=group,
                    number=number,
                    theme=theme,
                    starts_at=self.at(
                        group.start_date + timedelta(days=(number - 1) * programme.meeting_interval_days),
                        group.time_slot.start_time.hour,
                        group.time_slot.start_time.minute,
                    ),
                    actor=self.coordinator,
                )
                for number, theme in enumerate(themes, start=1)
            ]
            self.pilot_schedule(group, meetings, invited)
            members = [p for p in people.PILOT if p.group == key]
            for person in members:
                if person.outcome == people.CANCELLED_IN_GROUP:
                    self.move(
                        participants[person.email],
                        Status.CANCELLED,
                        meetings[0].starts_at - timedelta(days=16),
                        reason=people.CANCEL_REASONS[people.CANCELLED_IN_GROUP],
                    )
            for meeting in meetings:
                self.pilot_meeting(meeting, key, [(person, participants[person.email]) for person in members])
                for person in members:
                    if person.outcome == people.WITHDRAWN and person.withdrew_after == meeting.number:
                        self.move(
                            participants[person.email],
                            Status.WITHDRAWN,
                            meeting.starts_at + timedelta(days=self.rng.randint(4, 10)),
                            reason=people.WITHDRAW_REASON,
                        )
            self.final_round(programme, meetings[-1], [participants[p.email] for p in members])
            self.pilot_outbox(group, invited)

    def pilot_groups(
        self, programme: Programme, formed: datetime, details: dict[str, tuple[str, date, User, User]]
    ) -> dict[str, Group]:
        """The optimiser's proposal for the accepted pilot applicants, accepted as it came, with facilitators."""
        proposal = proposals.proposal_create(programme=programme, actor=self.coordinator, time_limit=10, run=False)
        proposal = proposals.proposal_run(proposal_id=proposal.pk)
        assert proposal.status == "optimal", proposal.conflicts
        by_slot = {spec["slot"]: spec["key"] for spec in proposal.groups}
        accepted = proposals.proposal_accept(
            proposal=proposal,
            details={
                by_slot[slot]: proposals.GroupDetails(name=name, weekday=start.weekday(), start_date=start)
                for slot, (name, start, _lead, _co) in details.items()
            },
            actor=self.coordinator,
            at=formed,
        )
        _backdate(
            Proposal,
            proposal.pk,
            created_at=formed - timedelta(minutes=20),
            started_at=formed - timedelta(minutes=20),
            finished_at=formed - timedelta(minutes=19),
            accepted_at=formed,
        )
        for slot, (_name, _start, lead, co) in details.items():
            group_facilitators_set(group=accepted[by_slot[slot]], lead=lead, co=co, actor=self.coordinator)
        return {
            people.MORNING if group.time_slot.key == "morning" else people.AFTERNOON: group
            for group in accepted.values()
        }

    # --- the pilot's meetings -----------------------------------------------------

    def pilot_schedule(self, group: Group, meetings: list[Meeting], invited: datetime) -> None:
        """The expert talks and the group's video room, then the invitations as they went out at ``invited``."""
        for meeting in meetings:
            talk = people.EXPERT_TALKS.get(meeting.theme.key) if meeting.theme else None
            if talk is None:
                continue
            speaker, title = talk
            meeting_details_set(
                meeting=meeting,
                actor=self.coordinator,
                expert_speaker=speaker,
                expert_title=title,
                agenda=[dict(s, note=title) if s["kind"] == SegmentKind.TALK else s for s in meeting.agenda],
            )
        video_link_set(group=group, link=jitsi_room(self.org), actor=self.coordinator)
        # Reminders are queued for the meetings after ``invited``: all of them.
        messages.invitations_queue(group, now=invited)
        _backdate(Group, group.pk, schedule_set_at=invited)

    def pilot_meeting(self, meeting: Meeting, key: str, members: list[tuple[Person, Participant]]) -> None:
        """One held meeting: who told in advance, held, attendance, the recording, materials, notes, and the email."""
        rng = self.meetings_rng
        lead = meeting.group.lead_facilitator
        held = meeting.ends_at + timedelta(minutes=5)
        theme = meeting.theme.key if meeting.theme else ""
        in_group = set(
            Participant.objects.filter(pk__in=[p.pk for _, p in members], status=Status.IN_GROUP).values_list(
                "pk", flat=True
            )
        )
        current = [(person, p) for person, p in members if p.pk in in_group]
        told: Participant | None = None
        if meeting.number in TOLD_IN_ADVANCE[key]:
            told = rng.choice([p for person, p in current if person.outcome == people.COMPLETED])
            absence_tell(
                meeting=meeting,
                participant=told,
                note=rng.choice(people.ABSENCE_NOTES),
                # After the reminder (two days before), a day before the meeting.
                now=meeting.starts_at - timedelta(days=1, hours=rng.randint(1, 8)),
            )
        meeting_mark_held(meeting=meeting, actor=lead, at=held)
        states = {}
        for person, participant in current:
            if told is not None and participant.pk == told.pk:
                continue
            # Those about to withdraw missed their last meeting; now and then someone else is away.
            leaving = person.outcome == people.WITHDRAWN and person.withdrew_after == meeting.number > 1
            away = leaving or rng.random() < PILOT_ABSENT_SHARE
            states[participant.pk] = AttendanceState.ABSENT if away else AttendanceState.PRESENT
        attendance_record(meeting=meeting, states=states, actor=lead, now=held + timedelta(minutes=2))
        talk = people.EXPERT_TALKS.get(theme)
        if talk is not None:
            meeting_details_set(
                meeting=meeting, actor=lead, recording_url=f"https://example.org/tallenteet/{key}-{meeting.number}"
            )
        added = held + timedelta(hours=rng.randint(1, 3), minutes=rng.randint(0, 59))
        title, url = people.MEETING_LINKS[theme]
        materials = [material_add(meeting=meeting, actor=lead, kind=MaterialKind.LINK, title=title, url=url)]
        title, text = people.MEETING_MEMOS[theme]
        materials.append(material_add(meeting=meeting, actor=lead, kind=MaterialKind.NOTE, title=title, text=text))
        if theme == people.WORKSHEET_THEME:
            upload = SimpleUploadedFile(
                people.WORKSHEET_FILENAME, worksheet_pdf(people.WORKSHEET_LINES), content_type="application/pdf"
            )
            materials.append(
                material_add(
                    meeting=meeting, actor=lead, kind=MaterialKind.FILE, title=people.WORKSHEET_TITLE, upload=upload
                )
            )
        for n, material in enumerate(materials):
            _backdate(Material, material.pk, added_at=added + timedelta(minutes=2 * n))
        meeting_notes_set(meeting=meeting, notes=people.MEETING_NOTES[theme], actor=lead)
        materials_send(meeting=meeting, actor=lead)
        _backdate(Meeting, meeting.pk, materials_sent_at=added + timedelta(minutes=15))

    def pilot_outbox(self, group: Group, invited: datetime) -> None:
        """The group's meeting messages as the sender left them, each at its own time.

        Invitations went out when the schedule was set, reminders at their due
        time (skipped for those who had left by then, as the sender does), the
        materials when a facilitator sent them. Every meeting was marked held
        in time, so the facilitators' nudges were skipped.
        """
        rng = self.meetings_rng
        rows = list(
            Notification.objects.filter(
                organisation=self.org, kind__in=messages.ALL_KINDS, context__group_id=group.pk
            ).select_related("organisation", "recipient_user")
        )
        invited_members = {int((row.context or {}).get("participant_id") or 0) for row in rows}
        left = {
            change.participant_id: change
            for change in ParticipantStatusChange.objects.filter(
                participant_id__in=invited_members, to_status__in=messages.GONE
            )
        }
        # Leaving before the first meeting (cancelling) also ends the membership.
        still_members = set(group.memberships.values_list("participant_id", flat=True))
        materials_sent = dict(Meeting.objects.filter(group=group).values_list("pk", "materials_sent_at"))
        for row in rows:
            context = row.context or {}
            created, due, skipped = invited, row.due_at, ""
            if row.kind == messages.KIND_INVITATION:
                due = invited
            elif row.kind == messages.KIND_REMINDER:
                member = int(context.get("participant_id") or 0)
                change = left.get(member)
                if change is not None and change.at <= due:
                    # The words of the sender's own check (kollega.meetings.messages).
                    skipped = (
                        f"The person has left the programme ({change.to_status})."
                        if member in still_members
                        else "The person is no longer in the group."
                    )
            elif row.kind == messages.KIND_NUDGE:
                skipped = "The meeting is already held."
            elif row.kind == messages.KIND_MATERIALS:
                sent = materials_sent.get(int(context.get("meeting_id") or 0))
                assert sent is not None, row
                created = due = sent
            else:
                continue
            at = due + timedelta(seconds=rng.randint(2, 40))
            fields: dict[str, object] = {
                "created_at": created,
                "due_at": due,
                "attempts": 1,
                "next_attempt_at": None,
                "claimed_at": at,
                "last_attempt_at": at,
            }
            if skipped:
                fields.update(status=NotificationStatus.SKIPPED, last_error=skipped)
            else:
                fields.update(
                    status=NotificationStatus.SENT, sent_at=at, rendered_subject=render_notification(row).subject
                )
            Notification.objects.filter(pk=row.pk).update(**fields)

    # --- interviews and questionnaires ------------------------------------------

    def weekday_on_or_after(self, day: date) -> date:
        """The day itself, or the Monday after a weekend."""
        return day if day.weekday() < 5 else day + timedelta(days=7 - day.weekday())

    def interview_slot(
        self, programme: Programme, interviewers: list[User], n: int, starts_at: datetime, *, published: datetime
    ) -> InterviewSlot:
        """A time published by one of the staff in turn; the next one, or an hour later, if that is taken."""
        for shift in range(12):
            start = starts_at + timedelta(hours=shift // len(interviewers))
            interviewer = interviewers[(n + shift) % len(interviewers)]
            if (interviewer.pk, start) not in self.slot_starts:
                break
        self.slot_starts.add((interviewer.pk, start))
        return slot_create(
            programme=programme,
            interviewer=interviewer,
            starts_at=start,
            ends_at=start + timedelta(minutes=INTERVIEW_MINUTES),
            actor=interviewer,
            now=min(published, start - timedelta(days=1)),
        )

    def interview_record(
        self, participant: Participant, person: Person, interviewer: User, keys: list[str], at: datetime
    ) -> InterviewRecord:
        """What the interviewer wrote down, with varied goals in the person's language."""
        lang = person.language
        record = interview_record_save(
            participant=participant,
            interviewer=interviewer,
            data={
                "platform_audio": True,
                "platform_video": self.rng.random() < 0.95,
                "platform_screen": self.rng.random() < 0.8,
                "committed": True,
                "agreed_time_slots": keys,
                "expectations": self.rng.choice(people.EXPECTATIONS[lang]),
                "extra_theme_wishes": self.rng.choice(people.OTHER_TOPICS[lang]),
                "goal_business": self.rng.choice(people.GOALS_BUSINESS[lang]),
                "goal_wellbeing": self.rng.choice(people.GOALS_WELLBEING[lang]),
                "staff_notes": self.rng.choice(people.STAFF_NOTES) if lang == "fi" else "",
            },
            actor=interviewer,
        )
        if at < timezone.now():
            _backdate(InterviewRecord, record.pk, created_at=at, updated_at=at)
        return record

    def round_open(
        self, programme: Programme, kind: str, opens: datetime, invite: list[Participant] | None = None
    ) -> QuestionnaireRound:
        """A questionnaire round that opened in the past. Open until a moment from now, so it can be answered."""
        round_ = evaluation.round_open(
            programme=programme,
            form=evaluation.wellbeing_form_ensure(programme=programme, actor=self.coordinator),
            kind=kind,
            participants=invite or [],
            opens_at=opens,
            closes_at=timezone.now() + timedelta(days=1),
            actor=self.coordinator,
        )
        _backdate(QuestionnaireRound, round_.pk, created_at=opens)
        RoundInvitation.objects.filter(round=round_).update(invited_at=opens)
        return round_

    def round_close(self, round_: QuestionnaireRound, at: datetime) -> None:
        evaluation.round_close(round=round_, actor=self.coordinator, at=at)
        _backdate(QuestionnaireRound, round_.pk, closes_at=at)

    def answer(
        self,
        round_: QuestionnaireRound,
        participant: Participant,
        values: tuple[list[int], list[int]],
        *,
        invited: datetime | None,
        at: datetime,
    ) -> None:
        """The participant answers the round (invited first, unless the round invited them when it opened)."""
        invitation = evaluation.round_invite(round=round_, participant=participant)
        assert invitation is not None, participant
        who5, peer = values
        raw = {
            **{key: str(value) for key, value in zip(WHO5_ITEMS, who5, strict=True)},
            **{key: str(value) for key, value in zip(PEER_SUPPORT_ITEMS, peer, strict=True)},
        }
        response = evaluation.round_answer(invitation=invitation, raw=raw, language=participant.language)
        if at < timezone.now():
            stamps: dict[str, datetime] = {"answered_at": at}
            if invited is not None:
                stamps["invited_at"] = invited
            _backdate(RoundInvitation, invitation.pk, **stamps)
            _backdate(Response, response.pk, submitted_at=at)

    def baseline_values(self) -> tuple[list[int], list[int]]:
        """WHO-5 items 0–5 around a middling level, and the work and peer support items 1–5 before the groups."""
        rng = self.answers_rng
        level = rng.choice([2, 2, 3, 3, 3, 4])
        who5 = [min(5, max(0, level + rng.choice([-1, 0, 0, 1]))) for _ in WHO5_ITEMS]
        # Goals, organised work, seeing changes, peers to turn to, feeling alone (worded the other way).
        peer = [rng.randint(2, 3), rng.randint(2, 3), rng.randint(2, 4), rng.randint(1, 3), rng.randint(3, 5)]
        return who5, peer

    def final_values(self, before: tuple[list[int], list[int]], change: str) -> tuple[list[int], list[int]]:
        """The final answers: a little better, unchanged or worse on WHO-5; peers and goals mostly better."""
        rng = self.answers_rng
        who5, peer = list(before[0]), list(before[1])
        steps = {"better": rng.randint(2, 5), "same": 0, "worse": -rng.randint(2, 4)}[change]
        sign = 1 if steps > 0 else -1
        for _ in range(abs(steps)):
            movable = [i for i, v in enumerate(who5) if 0 <= v + sign <= 5]
            if not movable:
                break
            who5[rng.choice(movable)] += sign
        if change != "worse":
            lift = {0: 1, 1: rng.randint(0, 1), 2: rng.randint(0, 1), 3: rng.randint(1, 2), 4: -rng.randint(0, 2)}
        else:
            lift = {0: 0, 1: -1, 2: 0, 3: 1, 4: 0}
        peer = [min(5, max(1, value + lift[i])) for i, value in enumerate(peer)]
        return who5, peer

    def final_round(self, programme: Programme, last: Meeting, members: list[Participant]) -> None:
        """The last meeting opens the group's final round; everyone who completed and agreed answers it."""
        opens = last.starts_at + timedelta(minutes=last.length_minutes + 10)
        completed = [
            p for p in members if Participant.objects.get(pk=p.pk).status not in {Status.WITHDRAWN, Status.CANCELLED}
        ]
        asked = [p for p in completed if p.user.email in self.baseline]
        round_ = self.round_open(programme, RoundKind.FINAL, opens, invite=asked)
        for participant in asked:
            after = self.final_values(self.baseline[participant.user.email], self.changes.pop())
            at = opens + timedelta(days=self.answers_rng.randint(0, 6), hours=self.answers_rng.randint(1, 10))
            self.answer(round_, participant, after, invited=None, at=at)
        self.round_close(round_, opens + timedelta(days=14))

    # --- the live programme -------------------------------------------------

    def build_live(self) -> None:
        opens = self.at(self.today - timedelta(days=14), 9)
        closes = self.at(self.today + timedelta(days=21), 16)
        starts = (closes + timedelta(days=42)).date()
        spring = starts.month <= 6
        season = {
            "fi": "kevät" if spring else "syksy",
            "sv": "våren" if spring else "hösten",
            "en": "spring" if spring else "autumn",
        }
        programme = services.programme_create_from_template(
            organisation=self.org,
            slug=LIVE_SLUG,
            title={
                "fi": f"Vertaisryhmät yksinyrittäjille – {season['fi']} {starts.year}",
                "sv": f"Kamratgrupper för ensamföretagare – {season['sv']} {starts.year}",
                "en": f"Peer groups for solo entrepreneurs – {season['en']} {starts.year}",
            },
            actor=self.coordinator,
            registration_opens_at=opens,
            registration_closes_at=closes,
            capacity=LIVE_CAPACITY + len(people.LIVE_EARLY),
        )
        self.outreach(programme, people.CHANNELS)
        # The early group registered on the first two days. They have a random sequence of their own,
        # so that the others' answers and times are what they were before the early group existed.
        early: list[tuple[Participant, Person]] = []
        with self.own_rng(LIVE_EARLY_SEED):
            step = timedelta(days=2) / len(people.LIVE_EARLY)
            for i, person in enumerate(people.LIVE_EARLY):
                registered = opens + step * i + timedelta(hours=self.rng.randint(0, 5), minutes=self.rng.randint(0, 59))
                participant = self.register(
                    programme, person, registered, link=person.link, heard=person.heard, notify=True
                )
                early.append((participant, person))
        # Those ready to be grouped registered in the first five days; the others are spread
        # over the days since, the last one yesterday.
        ready: list[tuple[Participant, Person]] = []
        step = timedelta(days=5) / len(people.LIVE_READY)
        for i, person in enumerate(people.LIVE_READY):
            registered = opens + step * i + timedelta(hours=self.rng.randint(0, 3), minutes=self.rng.randint(0, 59))
            participant = self.register(
                programme, person, registered, link=person.link, heard=person.heard, notify=True
            )
            ready.append((participant, person))
        step = timedelta(days=8) / len(people.LIVE)
        applicants: list[tuple[Participant, Person]] = []
        for i, person in enumerate(people.LIVE):
            registered = (
                opens
                + timedelta(days=5)
                + step * i
                + timedelta(hours=self.rng.randint(0, 6), minutes=self.rng.randint(0, 59))
            )
            participant = self.register(
                programme, person, registered, link=person.link, heard=person.heard, notify=True
            )
            applicants.append((participant, person))
        self.live_ready(programme, ready)
        self.live_interviews(programme, applicants)
        with self.own_rng(LIVE_EARLY_SEED + 1):
            self.live_ready(programme, early)
        self.live_early_group(programme, [participant for participant, _person in early])

    def live_early_group(self, programme: Programme, members: list[Participant]) -> None:
        """A morning group formed of the early ones, first meeting next week: invitations sent, reminders due.

        The invitations are delivered as the worker delivers them, but to
        Django's in-memory mail backend: the addresses are fictitious, and the
        outbox shows them sent. The reminders wait for their time.
        """
        slot = programme.time_slots.get(key="morning")
        accepted = ParticipantStatusChange.objects.filter(participant__in=members, to_status=Status.ACCEPTED)
        formed = max(change.at for change in accepted) + timedelta(hours=20)
        start = self.live_start_date(programme, slot.start_time)
        group = group_create(
            programme=programme,
            name=people.LIVE_EARLY_GROUP,
            time_slot=slot,
            weekday=start.weekday(),
            start_date=start,
            actor=self.coordinator,
        )
        lead, co = self.facilitators
        group = group_facilitators_set(group=group, lead=lead, co=co, actor=self.coordinator)
        for participant in members:
            group_add_member(group=group, participant=participant, actor=self.coordinator, at=formed)
        _backdate(Group, group.pk, created_at=formed)
        theme_plan_build(group=group, actor=self.coordinator)
        schedule_generate(group=group, actor=self.coordinator)
        invitations = Notification.objects.filter(
            kind=messages.KIND_INVITATION, context__group_id=group.pk, status=NotificationStatus.PENDING
        ).values_list("pk", flat=True)
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            for pk in list(invitations):
                notification_send(pk)

    def live_start_date(self, programme: Programme, start_time: time) -> date:
        """The first weekday 5–9 days from today (later only if none suits) on which the whole schedule fits."""
        closed = closed_periods(self.org)
        for offset in range(5, 120):
            day = self.today + timedelta(days=offset)
            if day.weekday() >= 5 or schedule.blocked(day, closed) is not None:
                continue
            try:
                schedule.plan(
                    start_date=day,
                    start_time=start_time,
                    tz=self.tz,
                    count=programme.meeting_count,
                    interval_days=programme.meeting_interval_days,
                    rule=programme.move_rule,
                    closed=closed,
                )
            except ValidationError:
                continue
            return day
        raise RuntimeError("No start date for the live programme's early group within four months.")

    def live_ready(self, programme: Programme, ready: list[tuple[Participant, Person]]) -> None:
        """Interviewed two to five days after registering, accepted the next day, most with the baseline answered."""
        slots = {slot.key: slot for slot in programme.time_slots.all()}
        interviewers = [self.coordinator, *self.facilitators]
        baseline: QuestionnaireRound | None = None
        latest = self.open_day(self.today - timedelta(days=3), back=True)
        for i, (participant, person) in enumerate(ready):
            registered = participant.registered_at
            day = min(self.open_day((registered + timedelta(days=self.rng.randint(2, 5))).date()), latest)
            day = max(day, self.open_day((registered + timedelta(days=2)).date()))
            slot = self.interview_slot(
                programme, interviewers, i, self.at(day, self.rng.choice([9, 11, 13, 15])), published=registered
            )
            booked = max(
                registered,
                min(registered + timedelta(hours=self.rng.randint(1, 6)), slot.starts_at - timedelta(days=1)),
            )
            booking_create(slot=slot, participant=participant, actor=participant.user, now=booked)
            done = slot.starts_at + timedelta(minutes=INTERVIEW_MINUTES + 10)
            self.move(participant, Status.INTERVIEWED, done, actor=slot.interviewer)
            self.interview_consents(participant, person, done)
            keys = [key for key in slots if person.slots in (key, people.BOTH)]
            self.interview_record(participant, person, slot.interviewer, keys, done)
            baseline = baseline or evaluation.baseline_round_for(programme=programme)
            if baseline is not None and person.wellbeing and i % 6 != 5:
                self.answer(baseline, participant, self.baseline_values(), invited=None, at=done + timedelta(hours=2))
            self.move(participant, Status.ACCEPTED, done + timedelta(days=1))

    def live_interviews(self, programme: Programme, applicants: list[tuple[Participant, Person]]) -> None:
        """The first few were interviewed in the past days (the first accepted); the next have a time booked."""
        registered = [(p, person) for p, person in applicants if p.status == Status.REGISTERED]
        now = timezone.now()
        interviewed = registered[:LIVE_INTERVIEWED]
        baseline = evaluation.baseline_round_for(programme=programme) if interviewed else None
        for n, (participant, person) in enumerate(interviewed):
            day = self.open_day(self.today - timedelta(days=6 - 2 * n), back=True)
            starts = self.at(day, 10 + n)
            slot = slot_create(
                programme=programme,
                interviewer=self.coordinator,
                starts_at=starts,
                ends_at=starts + timedelta(minutes=INTERVIEW_MINUTES),
                actor=self.coordinator,
                now=min(participant.registered_at, starts - timedelta(days=1)),
            )
            booked = min(participant.registered_at + timedelta(hours=20), starts - timedelta(days=1))
            booking_create(
                slot=slot, participant=participant, actor=participant.user, now=max(booked, participant.registered_at)
            )
            interview_record_save(
                participant=participant,
                interviewer=self.coordinator,
                data={
                    "platform_audio": True,
                    "platform_video": True,
                    "platform_screen": n != 1,
                    # The second one could not yet promise to come to every meeting.
                    "committed": n != 1,
                    "agreed_time_slots": [k for k in ("morning", "afternoon") if person.slots in (k, people.BOTH)],
                    "consents": {ConsentItem.WELLBEING_QUESTIONNAIRE: True},
                    "expectations": people.EXPECTATIONS[person.language][n % len(people.EXPECTATIONS[person.language])],
                    "goal_business": people.GOALS_BUSINESS[person.language][n],
                    "goal_wellbeing": people.GOALS_WELLBEING[person.language][n],
                },
                actor=self.coordinator,
            )
            if n == 0:
                participant_accept(participant=participant, actor=self.coordinator)
            if baseline is not None and n != 1:
                self.answer(baseline, participant, self.baseline_values(), invited=None, at=now)
            elif baseline is not None:
                evaluation.round_invite(round=baseline, participant=participant)
        # Free times for the next two weeks: the coordinator on Tuesday and Thursday mornings,
        # a facilitator on Monday and Wednesday afternoons.
        first, last = self.today + timedelta(days=1), self.today + timedelta(days=14)
        free: list[InterviewSlot] = []
        for interviewer, weekdays, hours in (
            (self.coordinator, frozenset({1, 3}), (9, 12)),
            (self.facilitators[0], frozenset({0, 2}), (13, 16)),
        ):
            free += slots_create_recurring(
                programme=programme,
                interviewer=interviewer,
                pattern=Pattern(
                    first_date=first,
                    last_date=last,
                    weekdays=weekdays,
                    day_start=time(hours[0]),
                    day_end=time(hours[1]),
                ),
                actor=self.coordinator,
                now=max(now, self.at(self.today, 23, 59)),
            )
        free.sort(key=lambda slot: slot.starts_at)
        for (participant, _person), slot in zip(
            registered[LIVE_INTERVIEWED : LIVE_INTERVIEWED + LIVE_BOOKED], free[1::3], strict=False
        ):
            booked = min(participant.registered_at + timedelta(hours=6), now)
            booking_create(
                slot=slot, participant=participant, actor=participant.user, now=max(booked, participant.registered_at)
            )

    @contextmanager
    def own_rng(self, seed: int) -> Iterator[None]:
        """Draw from a random sequence of its own within the block, leaving the shared one where it was."""
        shared, self.rng = self.rng, random.Random(seed)
        try:
            yield
        finally:
            self.rng = shared

    def open_day(self, day: date, *, back: bool = False) -> date:
        """The nearest weekday on which the organisation is open, going back or forward from ``day``."""
        closed = list(self.org.closed_periods.values_list("start_date", "end_date"))
        step = timedelta(days=-1 if back else 1)
        while day.weekday() >= 5 or any(start <= day <= end for start, end in closed):
            day += step
        return day

    # --- shared steps -------------------------------------------------------

    def outreach(self, programme: Programme, channels: tuple[tuple[str, str, dict[str, str]], ...]) -> None:
        """The programme's channels and its published page."""
        for key, kind, name in channels:
            outreach.channel_create(programme=programme, name=name, kind=kind, key=key, actor=self.coordinator)
        outreach.programme_page_get_or_create(programme=programme)
        outreach.programme_page_update(programme=programme, actor=self.coordinator, **people.PAGE_TEXTS)
        outreach.programme_page_publish(programme=programme, actor=self.coordinator)

    def register(
        self, programme: Programme, person: Person, at: datetime, *, link: str = "", heard: str = "", notify: bool
    ) -> Participant:
        """Register ``person`` through the form's rules with varied, realistic answers."""
        outcome = registration_submit(
            programme=programme,
            raw=self.answers(programme, person, heard or link),
            language=person.language,
            channel_key=link,
            source=Source.FORM,
            notify=notify,
            check_window=False,
            # A demo built "as of" a later day (tests) never dates anything past the real now.
            at=min(at, timezone.now()),
        )
        return outcome.participant

    def answers(self, programme: Programme, person: Person, heard: str) -> dict[str, object]:
        lang = person.language
        slots = [slot.key for slot in programme.time_slots.all()]
        rankable = [theme.key for theme in programme.themes.all() if theme.is_rankable]
        return {
            "name": person.full_name,
            "email": person.email,
            "phone": f"+358 40 {self.rng.randint(100, 999)} {self.rng.randint(1000, 9999)}"
            if self.rng.random() < 0.7
            else "",
            "company_name": person.company,
            "industry": person.industry,
            "years_in_business": str(person.years),
            "region": person.region,
            "company_size": person.company_size,
            "gender": person.gender,
            "time_slots": slots if person.slots == people.BOTH else [person.slots],
            "themes": self.ranking(rankable),
            "other_topics": self.rng.choice(people.OTHER_TOPICS[lang]),
            "expectations": self.rng.choice(people.EXPECTATIONS[lang]),
            "heard_from": heard,
            "privacy": "yes",
            "share_name": "yes" if "n" in person.shares else "",
            "share_company": "yes" if "c" in person.shares else "",
            "share_email": "yes" if "e" in person.shares else "",
        }

    def ranking(self, keys: list[str]) -> list[str]:
        """A weighted random order (most wanted first); some rank only their top three or four."""
        remaining = list(keys)
        order: list[str] = []
        while remaining:
            weights = [people.THEME_WEIGHTS.get(key, 1.0) for key in remaining]
            pick = self.rng.choices(remaining, weights=weights)[0]
            order.append(pick)
            remaining.remove(pick)
        return order[: self.rng.choice([3, 4, len(order), len(order)])]

    def interview_consents(self, participant: Participant, person: Person, at: datetime) -> None:
        choices = {
            ConsentItem.SHARE_NAME: "n" in person.shares,
            ConsentItem.SHARE_COMPANY: "c" in person.shares,
            ConsentItem.SHARE_EMAIL: "e" in person.shares,
            ConsentItem.WELLBEING_QUESTIONNAIRE: person.wellbeing,
        }
        for item, given in choices.items():
            services.consent_record(
                participant=participant,
                item=item,
                given=given,
                actor=self.coordinator,
                source="interview",
                at=min(at, timezone.now()),
            )

    def move(
        self, participant: Participant, to_status: str, at: datetime, *, actor: User | None = None, reason: str = ""
    ) -> None:
        services.participant_change_status(
            participant=participant,
            to_status=to_status,
            actor=actor or self.coordinator,
            reason=reason,
            at=at,
        )


def _backdate(model: type[models.Model], pk: int, **stamps: datetime) -> None:
    """Move a row's time stamps back to the replayed time (see the module's note)."""
    model._default_manager.filter(pk=pk).update(**stamps)


def worksheet_pdf(lines: tuple[str, ...]) -> bytes:
    """A one-page PDF with ``lines`` of text (Helvetica, Windows-1252), small and valid, made without a library."""
    text = ["BT", "/F1 12 Tf", "16 TL", "56 780 Td"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        text.append(f"({escaped}) '")
    text.append("ET")
    stream = "\n".join(text).encode("cp1252")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)

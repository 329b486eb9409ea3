"""Build the demo organisation through the same services the product uses.

Two programmes: the finished pilot, dated in the past so that it replays the
piloted round (25 registered, 2 cancelled, 23 started in two groups, 3
withdrawn, 20 completed), and a live programme dated relative to today, with
registration open, twelve places taken across four channels and two people on
the waiting list. Everyone registers through the registration form's own rules
(``registration_submit``), with answers whose theme ranking puts clarifying
goals, organising work and networks on top, as in the pilot. Dates are computed from today, so the demo looks current
whenever it is built.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from kollega.accounts.models import User
from kollega.core import services
from kollega.core.demo import people
from kollega.core.demo.people import Person
from kollega.core.models import ConsentItem, Organisation, Participant, Programme, Role, Status, TimeSlot
from kollega.grouping.models import Group
from kollega.grouping.services import group_add_member, group_create
from kollega.meetings.models import Meeting
from kollega.meetings.services import meeting_create, meeting_mark_held
from kollega.outreach import services as outreach
from kollega.recruitment.models import Source
from kollega.recruitment.services import registration_submit

DEMO_SLUG = "esimerkkila-demo"
DEMO_NAME = "Esimerkkilän yrityspalvelut (demo)"
PILOT_SLUG = "vertaisryhmat-pilotti"
LIVE_SLUG = "vertaisryhmat"
LIVE_CAPACITY = 12
#: The demo coordinator's password, printed by ``kollega demo`` so the password sign-in can be tried.
DEMO_PASSWORD = "vertaistuki-demo"  # noqa: S105 - a published demo password, refused in production
TIME_ZONE = "Europe/Helsinki"
PILOT_THEMES = 5  # the piloted round used the first five themes of the template, in order


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
            for programme in Programme.objects.filter(organisation=org):
                # Removed in the order the protecting foreign keys need.
                Meeting.objects.filter(group__programme=programme).delete()
                Participant.objects.filter(programme=programme).delete()
                Group.objects.filter(programme=programme).delete()
                programme.delete()
            org.delete()
        emails = [p.email for p in (*people.PILOT, *people.LIVE)]
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
        self.build_pilot()
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
        for i, person in enumerate(people.PILOT):
            registered = self.at(
                date(y - 1, 9, 3) + timedelta(days=i * 3), self.rng.randint(8, 20), self.rng.randint(0, 59)
            )
            participant = self.register(programme, person, registered, heard=people.PILOT_HEARD[i], notify=False)
            booked = registered + timedelta(days=self.rng.randint(1, 3), hours=self.rng.randint(1, 5))
            interviewed = self.at(
                (booked + timedelta(days=self.rng.randint(4, 9))).date(), self.rng.choice([10, 12, 14])
            )
            accepted = interviewed + timedelta(days=self.rng.randint(1, 2), hours=2)
            self.move(participant, Status.INTERVIEW_BOOKED, booked, actor=participant.user)
            self.move(participant, Status.INTERVIEWED, interviewed)
            self.interview_consents(participant, person, interviewed)
            self.move(participant, Status.ACCEPTED, accepted)
            participants[person.email] = participant
            accepted_at[person.email] = accepted

        leaver = next(p for p in people.PILOT if p.outcome == people.CANCELLED_ACCEPTED)
        self.move(
            participants[leaver.email],
            Status.CANCELLED,
            accepted_at[leaver.email] + timedelta(days=3),
            reason=people.CANCEL_REASONS[people.CANCELLED_ACCEPTED],
        )

        lead, co = self.facilitators
        groups = {
            people.MORNING: self.pilot_group(
                programme,
                "Aamupäiväryhmä",
                slots["morning"],
                first_weekday_on_or_after(date(y, 1, 13), 1),  # Tuesdays, January–April
                lead,
                co,
            ),
            people.AFTERNOON: self.pilot_group(
                programme,
                "Iltapäiväryhmä",
                slots["afternoon"],
                first_weekday_on_or_after(date(y, 2, 9), 2),  # Wednesdays, February–May
                co,
                lead,
            ),
        }
        formed = self.at(date(y - 1, 12, 10), 10)
        for n, person in enumerate(p for p in people.PILOT if p.group):
            group_add_member(
                group=groups[person.group],
                participant=participants[person.email],
                actor=self.coordinator,
                at=formed + timedelta(minutes=n),
            )

        for key, group in groups.items():
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
                meeting_mark_held(
                    meeting=meeting,
                    actor=group.lead_facilitator,
                    at=meeting.starts_at + timedelta(minutes=meeting.length_minutes + 5),
                )
                for person in members:
                    if person.outcome == people.WITHDRAWN and person.withdrew_after == meeting.number:
                        self.move(
                            participants[person.email],
                            Status.WITHDRAWN,
                            meeting.starts_at + timedelta(days=self.rng.randint(4, 10)),
                            reason=people.WITHDRAW_REASON,
                        )

    def pilot_group(self, programme: Programme, name: str, slot: TimeSlot, start: date, lead: User, co: User) -> Group:
        return group_create(
            programme=programme,
            name=name,
            time_slot=slot,
            weekday=start.weekday(),
            start_date=start,
            lead_facilitator=lead,
            co_facilitator=co,
            actor=self.coordinator,
        )

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
            capacity=LIVE_CAPACITY,
        )
        self.outreach(programme, people.CHANNELS)
        # Spread over the days since registration opened; the last one yesterday.
        step = timedelta(days=13) / len(people.LIVE)
        for i, person in enumerate(people.LIVE):
            registered = opens + step * i + timedelta(hours=self.rng.randint(0, 6), minutes=self.rng.randint(0, 59))
            self.register(programme, person, registered, link=person.link, heard=person.heard, notify=True)

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

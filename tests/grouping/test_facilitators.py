"""Facilitators for groups: who may be chosen, their load, clashes in their calendars, the page and partner settings."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kollega.accounts.models import User
from kollega.core.models import Organisation, Programme, Role, StaffMembership
from kollega.core.services import organisation_lend_facilitators, organisation_stop_lending, staff_membership_remove
from kollega.grouping.facilitators import (
    FacilitatorClashError,
    facilitator_choices,
    facilitator_clashes,
    facilitator_load,
    group_facilitators_set,
)
from kollega.grouping.models import Group
from kollega.grouping.services import group_create
from kollega.meetings.services import meeting_cancel, meeting_create
from tests.factories import make_group, make_organisation, make_programme, make_staff

pytestmark = pytest.mark.django_db

START = timezone.localdate() + timedelta(days=30)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def group_at(
    programme: Programme, *, start: date = START, slot: str = "morning", lead=None, co=None, name: str = ""
) -> Group:
    n = programme.groups.count() + 1
    return group_create(
        programme=programme,
        name=name or f"Group {n}",
        time_slot=programme.time_slots.get(key=slot),
        weekday=start.weekday(),
        start_date=start,
        lead_facilitator=lead,
        co_facilitator=co,
    )


@pytest.fixture
def home() -> Organisation:
    return make_organisation("Home")


@pytest.fixture
def programme(home: Organisation) -> Programme:
    return make_programme(home)


@pytest.fixture
def coordinator(home: Organisation) -> User:
    return make_staff(home, Role.COORDINATOR)


@pytest.fixture
def facilitator(home: Organisation) -> User:
    return make_staff(home, Role.FACILITATOR)


# --- who may be chosen -----------------------------------------------------------


def test_choices_are_our_staff_and_lending_partners_staff_but_no_one_else(home, programme, coordinator, facilitator):
    partner, stranger = make_organisation("Partner"), make_organisation("Stranger")
    partner_facilitator = make_staff(partner, Role.FACILITATOR)
    stranger_facilitator = make_staff(stranger, Role.FACILITATOR)
    # The partner lends to us: its staff can be chosen. We lending to the stranger gives us nothing.
    organisation_lend_facilitators(organisation=partner, partner_slug=home.slug, actor=None)
    organisation_lend_facilitators(organisation=home, partner_slug=stranger.slug, actor=None)

    choices = facilitator_choices(programme=programme)
    assert set(choices) == {coordinator, facilitator, partner_facilitator}
    assert stranger_facilitator not in choices

    organisation_stop_lending(organisation=partner, partner=home, actor=None)
    assert partner_facilitator not in facilitator_choices(programme=programme)


def test_a_facilitator_of_an_organisation_that_does_not_lend_is_refused_without_naming_them(programme, facilitator):
    outsider = make_staff(make_organisation("Elsewhere"), Role.FACILITATOR)
    group = group_at(programme)
    with pytest.raises(ValidationError) as caught:
        group_facilitators_set(group=group, lead=facilitator, co=outsider, actor=None)
    # Only the id the coordinator gave: not the account's name or address.
    assert caught.value.message_dict["co"] == [f"No facilitator with id {outsider.pk} can be chosen for this group."]
    assert outsider.full_name not in str(caught.value) and outsider.email not in str(caught.value)
    group.refresh_from_db()
    assert group.lead_facilitator is None and group.co_facilitator is None


def test_the_lead_and_the_co_facilitator_must_be_two_people(programme, facilitator):
    group = group_at(programme)
    with pytest.raises(ValidationError) as caught:
        group_facilitators_set(group=group, lead=facilitator, co=facilitator, actor=None)
    assert "two different people" in " ".join(caught.value.message_dict["co"])


def test_someone_already_facilitating_may_stay_after_their_organisation_stops_lending(home, programme, facilitator):
    partner = make_organisation("Partner")
    lent = make_staff(partner, Role.FACILITATOR)
    organisation_lend_facilitators(organisation=partner, partner_slug=home.slug, actor=None)
    group = group_at(programme)
    group_facilitators_set(group=group, lead=lent, co=None, actor=None)
    organisation_stop_lending(organisation=partner, partner=home, actor=None)
    # Choosing a co-facilitator does not throw out the lead who is already there.
    group_facilitators_set(group=group, lead=lent, co=facilitator, actor=None)
    group.refresh_from_db()
    assert (group.lead_facilitator, group.co_facilitator) == (lent, facilitator)


# --- clashes -------------------------------------------------------------------


def test_two_groups_at_the_same_slot_weekday_and_dates_clash_and_need_confirming(programme, facilitator):
    other_programme = make_programme(programme.organisation)
    busy = group_at(other_programme, lead=facilitator)
    group = group_at(programme)

    clashes = facilitator_clashes(group=group, user=facilitator)
    assert [c.group for c in clashes] == [busy]
    assert clashes[0].times == programme.meeting_count
    assert busy.name in clashes[0].message() and other_programme.name in clashes[0].message()

    with pytest.raises(FacilitatorClashError) as caught:
        group_facilitators_set(group=group, lead=facilitator, co=None, actor=None)
    assert busy.name in caught.value.messages[0]
    group.refresh_from_db()
    assert group.lead_facilitator is None

    group_facilitators_set(group=group, lead=facilitator, co=None, actor=None, confirm_clash=True)
    group.refresh_from_db()
    assert group.lead_facilitator == facilitator


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_giving_one_person_two_groups_at_once_get_one_clash_warning(programme, facilitator):
    assert connection.vendor == "postgresql"
    groups = [group_at(programme, name="Morning A"), group_at(programme, name="Morning B")]
    barrier = threading.Barrier(len(groups))

    def assign(group: Group) -> str:
        try:
            barrier.wait(timeout=30)
            group_facilitators_set(group=group, lead=facilitator, co=None, actor=None)
            return "assigned"
        except FacilitatorClashError:
            return "clash"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(groups)) as pool:
        outcomes = sorted(pool.map(assign, groups))

    assert outcomes == ["assigned", "clash"]
    assert Group.objects.filter(lead_facilitator=facilitator).count() == 1


@pytest.mark.parametrize(
    ("start", "slot"),
    [
        pytest.param(START + timedelta(days=1), "morning", id="another weekday"),
        pytest.param(START, "afternoon", id="another time of day"),
        pytest.param(START + timedelta(days=5 * 21), "morning", id="after the other group's last meeting"),
        pytest.param(START + timedelta(days=7), "morning", id="same weekday but alternate weeks"),
    ],
)
def test_no_clash_when_the_groups_never_meet_at_once(programme, facilitator, start, slot):
    group_at(programme, lead=facilitator)
    group = group_at(programme, start=start, slot=slot)
    assert facilitator_clashes(group=group, user=facilitator) == []
    group_facilitators_set(group=group, lead=facilitator, co=None, actor=None)
    group.refresh_from_db()
    assert group.lead_facilitator == facilitator


def test_scheduled_meetings_count_at_their_own_time_and_cancelled_ones_not_at_all(programme, facilitator):
    busy = group_at(programme, co=facilitator)
    group = group_at(programme)
    tz = programme.organisation.tz
    # The busy group's meetings were scheduled in the afternoon, except the first, later cancelled.
    for number in range(1, programme.meeting_count + 1):
        day = START + timedelta(days=21 * (number - 1))
        hour = 9 if number == 1 else 13
        meeting_create(group=busy, number=number, starts_at=datetime.combine(day, time(hour), tzinfo=tz))
    assert [c.times for c in facilitator_clashes(group=group, user=facilitator)] == [1]
    meeting_cancel(meeting=busy.meetings.get(number=1), actor=None)
    assert facilitator_clashes(group=group, user=facilitator) == []


def test_a_clash_with_another_organisations_group_names_only_its_weekday_and_time(home, programme, facilitator):
    partner = make_organisation("Partner")
    lent = make_staff(partner, Role.FACILITATOR)
    organisation_lend_facilitators(organisation=partner, partner_slug=home.slug, actor=None)
    partner_programme = make_programme(partner)
    theirs = group_at(partner_programme, lead=lent, name="Partner circle")
    ours = group_at(programme, lead=facilitator, name="Our circle")
    group_at(programme, co=lent, name="Our other circle")  # our own group at the same time is named

    messages = [c.message() for c in facilitator_clashes(group=ours, user=lent)]
    assert len(messages) == 2
    weekday = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[START.weekday()]
    other = next(m for m in messages if "another organisation" in m)
    assert f"also facilitates a group of another organisation ({weekday}, 09:00) at the same time" in other
    assert theirs.name not in other and partner_programme.name not in other
    assert any("Our other circle" in m and programme.name in m for m in messages)

    # The borrowing coordinator's page says the same, and the partner's group's name nowhere.
    client = client_for(make_staff(home, Role.COORDINATOR))
    save = reverse("facilitators:save", args=[programme.pk, ours.pk])
    data = {f"g{ours.pk}-lead": facilitator.pk, f"g{ours.pk}-co": lent.pk}
    refused = client.post(save, data)
    assert refused.status_code == 400
    assert "a group of another organisation" in refused.text
    assert theirs.name not in refused.text and partner_programme.name not in refused.text
    assert client.post(save, {**data, f"g{ours.pk}-confirm_clash": "on"}).status_code == 302
    page = client.get(reverse("facilitators:list", args=[programme.pk]))
    assert "a group of another organisation" in page.text and theirs.name not in page.text

    # Seen from the partner's group, ours are the other organisation's: unnamed likewise.
    own = [c.message() for c in facilitator_clashes(group=theirs, user=lent)]
    assert len(own) == 2 and all("a group of another organisation" in m for m in own)
    assert not any(ours.name in m or programme.name in m for m in own)


# --- leaving an organisation ---------------------------------------------------------


def test_a_lent_facilitator_who_leaves_the_lender_stops_facilitating_the_borrowers_groups(home, programme):
    partner = make_organisation("Partner")
    lent = make_staff(partner, Role.FACILITATOR)
    organisation_lend_facilitators(organisation=partner, partner_slug=home.slug, actor=None)
    ours = group_at(programme, lead=lent)
    theirs = group_at(make_programme(partner), start=START + timedelta(days=1), co=lent)

    staff_membership_remove(membership=StaffMembership.objects.get(user=lent, organisation=partner), actor=None)

    for group in (ours, theirs):
        group.refresh_from_db()
        assert (group.lead_facilitator, group.co_facilitator) == (None, None)
    plan = reverse("theme_plans:group", args=[programme.pk, ours.pk])
    assert client_for(lent).get(plan).status_code == 404


def test_leaving_one_organisation_keeps_the_groups_the_others_still_allow(home, programme):
    partner, third = make_organisation("Partner"), make_organisation("Third")
    person = make_staff(partner, Role.FACILITATOR)
    make_staff(third, Role.FACILITATOR, email=person.email)  # staff of a second organisation too
    organisation_lend_facilitators(organisation=partner, partner_slug=home.slug, actor=None)
    lent_group = group_at(programme, lead=person)
    own_group = group_at(make_programme(partner), start=START + timedelta(days=1), lead=person)
    third_group = group_at(make_programme(third), start=START + timedelta(days=2), co=person)

    # Leaving the third organisation: the partner's group and the group it lends them to stay theirs.
    staff_membership_remove(membership=StaffMembership.objects.get(user=person, organisation=third), actor=None)
    lent_group.refresh_from_db()
    own_group.refresh_from_db()
    third_group.refresh_from_db()
    assert lent_group.lead_facilitator == person and own_group.lead_facilitator == person
    assert third_group.co_facilitator is None


# --- load ------------------------------------------------------------------------


def test_load_counts_groups_and_meetings_in_every_programme(home, programme, facilitator, coordinator):
    elsewhere = make_programme(make_organisation("Other organisation"))
    led = make_group(programme, lead=facilitator, meetings=3)
    meeting_cancel(meeting=led.meetings.get(number=3), actor=None)
    make_group(elsewhere, co=facilitator)  # no meetings scheduled yet: its five planned ones count
    loads = {load.user: load for load in facilitator_load(programme=programme)}
    mine = loads[facilitator]
    assert (mine.groups_led, mine.groups_co, mine.groups) == (1, 1, 2)
    # Meetings 1–2 as scheduled, 3 cancelled, 4–5 not scheduled yet; and the other group's five.
    assert mine.meetings == 2 + 2 + elsewhere.meeting_count
    assert mine.organisation == "Home"
    assert (loads[coordinator].groups, loads[coordinator].meetings) == (0, 0)


# --- the page ------------------------------------------------------------------


def test_the_page_is_for_the_programmes_coordinators_only(home, programme, coordinator, facilitator):
    url = reverse("facilitators:list", args=[programme.pk])
    group = group_at(programme)
    save = reverse("facilitators:save", args=[programme.pk, group.pk])
    other_coordinator = make_staff(make_organisation("Other"), Role.COORDINATOR)
    for user in (other_coordinator, facilitator):
        client = client_for(user)
        assert client.get(url).status_code == 404
        assert client.post(save, {f"g{group.pk}-lead": facilitator.pk}).status_code == 404
    group.refresh_from_db()
    assert group.lead_facilitator is None
    assert client_for(coordinator).get(url).status_code == 200


def test_the_coordinator_assigns_facilitators_and_confirms_a_clash(home, programme, coordinator, facilitator):
    other = make_programme(home)
    busy = group_at(other, lead=facilitator)
    group = group_at(programme)
    client = client_for(coordinator)
    page = client.get(reverse("facilitators:list", args=[programme.pk]))
    assert group.name in page.text and "Morning 09:00–11:00" in page.text
    assert f"Lead facilitator of {group.name}" in page.text  # each select has its own label

    save = reverse("facilitators:save", args=[programme.pk, group.pk])
    refused = client.post(save, {f"g{group.pk}-lead": facilitator.pk, f"g{group.pk}-co": coordinator.pk})
    assert refused.status_code == 400
    assert "Assign anyway" in refused.text
    assert f"also facilitates {busy.name}" in refused.text
    group.refresh_from_db()
    assert group.lead_facilitator is None

    done = client.post(
        save,
        {f"g{group.pk}-lead": facilitator.pk, f"g{group.pk}-co": coordinator.pk, f"g{group.pk}-confirm_clash": "on"},
    )
    assert done.status_code == 302
    group.refresh_from_db()
    assert (group.lead_facilitator, group.co_facilitator) == (facilitator, coordinator)
    # The clash stays visible as a warning in words, and the load shows the two groups.
    page = client.get(reverse("facilitators:list", args=[programme.pk]))
    assert "Facilitators in two groups at the same time" in page.text
    assert f"also facilitates {busy.name}" in page.text


def test_the_page_shows_refusals_in_words(programme, coordinator, facilitator):
    group = group_at(programme)
    client = client_for(coordinator)
    save = reverse("facilitators:save", args=[programme.pk, group.pk])
    same = client.post(save, {f"g{group.pk}-lead": facilitator.pk, f"g{group.pk}-co": facilitator.pk})
    assert same.status_code == 400 and "must be two different people" in same.text
    unknown = client.post(save, {f"g{group.pk}-lead": "999999"})
    assert unknown.status_code == 400 and "Choose one of the people in the list" in unknown.text


def test_the_page_asks_the_database_the_same_number_of_times_however_many_groups(programme, coordinator, facilitator):
    client = client_for(coordinator)
    url = reverse("facilitators:list", args=[programme.pk])
    group_at(programme, lead=facilitator)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    second = make_staff(programme.organisation, Role.FACILITATOR)
    for days in (1, 2, 3, 4):
        make_group(programme, lead=second, co=facilitator, meetings=2, start=START + timedelta(days=days))
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


# --- partner organisations on the settings page ------------------------------------


def test_partners_are_added_by_address_name_and_removed(home, coordinator):
    partner = make_organisation("Kasvu")
    client = client_for(coordinator)
    settings_url = reverse("core:organisation_settings", args=[home.slug])
    add = reverse("core:partner_add", args=[home.slug])

    unknown = client.post(add, {"partner-partner": "no-such-organisation"})
    assert unknown.status_code == 400
    assert "No organisation has the address name “no-such-organisation”" in unknown.text
    own = client.post(add, {"partner-partner": home.slug})
    assert own.status_code == 400 and "Your own organisation" in own.text
    assert not home.lends_facilitators_to.exists()

    assert client.post(add, {"partner-partner": partner.slug.upper()}).status_code == 302
    assert list(home.lends_facilitators_to.all()) == [partner]
    page = client.get(settings_url)
    assert "Partner organisations that may ask our facilitators" in page.text and "Kasvu" in page.text
    again = client.post(add, {"partner-partner": partner.slug})
    assert again.status_code == 400 and "may already ask your facilitators" in again.text

    # The partner's coordinator sees who lends to them.
    assert (
        "Home" in client_for(make_staff(partner)).get(reverse("core:organisation_settings", args=[partner.slug])).text
    )

    remove = reverse("core:partner_remove", args=[home.slug, partner.pk])
    assert client.post(remove).status_code == 302
    assert not home.lends_facilitators_to.exists()


def test_only_the_organisations_coordinators_change_its_partners(home, facilitator):
    partner = make_organisation("Kasvu")
    other_coordinator = make_staff(partner)
    organisation_lend_facilitators(organisation=home, partner_slug=partner.slug, actor=None)
    for user in (facilitator, other_coordinator):
        client = client_for(user)
        assert client.post(reverse("core:partner_add", args=[home.slug]), {"partner-partner": "x"}).status_code == 404
        assert client.post(reverse("core:partner_remove", args=[home.slug, partner.pk])).status_code == 404
    assert list(home.lends_facilitators_to.all()) == [partner]

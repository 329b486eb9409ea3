"""Coordinator, facilitator and participant pages, and who may see what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kollega.accounts.models import User
from kollega.core.models import Participant, Programme, Role, Status, TimeSlot
from tests.factories import make_group, make_organisation, make_participant, make_programme, make_staff


def client_for(user: User | AnonymousUser) -> Client:
    client = Client()
    if isinstance(user, User):
        client.force_login(user)
    return client


@pytest.fixture
def two_orgs(db):
    org_a, org_b = make_organisation("Alfa"), make_organisation("Beta")
    coord_a, coord_b = make_staff(org_a), make_staff(org_b)
    prog_a, prog_b = make_programme(org_a), make_programme(org_b)
    return {
        "org_a": org_a,
        "org_b": org_b,
        "coord_a": coord_a,
        "coord_b": coord_b,
        "prog_a": prog_a,
        "prog_b": prog_b,
        "part_a": make_participant(prog_a),
        "part_b": make_participant(prog_b),
    }


def test_coordinator_sees_only_own_organisation(two_orgs) -> None:
    client = client_for(two_orgs["coord_a"])
    listing = client.get(reverse("core:programme_list"))
    assert listing.status_code == 200
    assert two_orgs["prog_a"].name in listing.text
    assert two_orgs["prog_b"].name not in listing.text
    own = [
        reverse("core:programme_detail", args=[two_orgs["prog_a"].pk]),
        reverse("core:programme_edit", args=[two_orgs["prog_a"].pk]),
        reverse("core:participant_list", args=[two_orgs["prog_a"].pk]),
        reverse("core:participant_detail", args=[two_orgs["part_a"].pk]),
        reverse("core:organisation_settings", args=[two_orgs["org_a"].slug]),
    ]
    other = [
        reverse("core:programme_detail", args=[two_orgs["prog_b"].pk]),
        reverse("core:programme_edit", args=[two_orgs["prog_b"].pk]),
        reverse("core:participant_list", args=[two_orgs["prog_b"].pk]),
        reverse("core:participant_detail", args=[two_orgs["part_b"].pk]),
        reverse("core:organisation_settings", args=[two_orgs["org_b"].slug]),
        reverse("core:theme_create", args=[two_orgs["prog_b"].pk]),
    ]
    for url in own:
        assert client.get(url).status_code == 200, url
    for url in other:
        assert client.get(url).status_code == 404, url
    # Writes to another organisation are refused just the same, and change nothing.
    response = client.post(
        reverse("core:participant_change_status", args=[two_orgs["part_b"].pk]),
        {"to_status": Status.CANCELLED, "reason": "x"},
    )
    assert response.status_code == 404
    two_orgs["part_b"].refresh_from_db()
    assert two_orgs["part_b"].status == Status.REGISTERED


def test_participants_and_facilitators_cannot_open_coordinator_pages(two_orgs) -> None:
    facilitator = make_staff(two_orgs["org_a"], Role.FACILITATOR)
    for user in (two_orgs["part_a"].user, facilitator):
        client = client_for(user)
        assert client.get(reverse("core:programme_list")).status_code == 404
        assert client.get(reverse("core:participant_detail", args=[two_orgs["part_a"].pk])).status_code == 404


def test_anonymous_is_sent_to_sign_in(two_orgs) -> None:
    response = Client().get(reverse("core:programme_detail", args=[two_orgs["prog_a"].pk]))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.django_db
def test_facilitator_sees_own_groups_only() -> None:
    org = make_organisation()
    programme = make_programme(org)
    lead_1, lead_2 = make_staff(org, Role.FACILITATOR), make_staff(org, Role.FACILITATOR)
    group_1 = make_group(programme, members=2, lead=lead_1)
    group_2 = make_group(programme, members=2, lead=lead_2, co=lead_1)
    group_3 = make_group(programme, members=2, lead=lead_2)
    page = client_for(lead_1).get(reverse("grouping:my_groups"))
    assert page.status_code == 200
    assert group_1.name in page.text and group_2.name in page.text
    assert group_3.name not in page.text
    stranger = Participant.objects.filter(membership__group=group_3).first()
    assert stranger is not None and stranger.user.full_name not in page.text


@pytest.mark.django_db
def test_participant_sees_own_programme_and_group_only() -> None:
    programme = make_programme()
    group_1 = make_group(programme, members=2, meetings=2)
    group_2 = make_group(programme, members=2)
    me = Participant.objects.filter(membership__group=group_1).first()
    other_group_member = Participant.objects.filter(membership__group=group_2).first()
    other_programme = make_programme()
    assert me is not None and other_group_member is not None
    page = client_for(me.user).get(reverse("core:participant_home"))
    assert page.status_code == 200
    assert programme.name in page.text and group_1.name in page.text
    assert group_2.name not in page.text and other_programme.name not in page.text
    assert other_group_member.user.full_name not in page.text
    # The home page sends a participant to their own page.
    assert client_for(me.user).get("/")["Location"] == reverse("core:participant_home")


@pytest.mark.django_db
def test_participant_list_filters_sort_and_page_stay_in_the_address() -> None:
    org = make_organisation()
    coordinator = make_staff(org)
    programme = make_programme(org)
    morning = TimeSlot.objects.get(programme=programme, key="morning")
    make_participant(programme, full_name="Aino Aamu", company_name="Aamukahvi Oy", time_slots=[morning])
    make_participant(programme, Status.INTERVIEWED, full_name="Bertta Ilta")
    client = client_for(coordinator)
    url = reverse("core:participant_list", args=[programme.pk])
    assert "Aino Aamu" in client.get(url, {"time_slot": "morning"}).text
    assert "Bertta Ilta" not in client.get(url, {"time_slot": "morning"}).text
    by_status = client.get(url, {"status": Status.INTERVIEWED})
    assert "Bertta Ilta" in by_status.text and "Aino Aamu" not in by_status.text
    assert "Aino Aamu" in client.get(url, {"q": "aamukahvi"}).text
    assert client.get(url, {"order": "-name"}).text.index("Bertta") < client.get(url, {"order": "-name"}).text.index(
        "Aino"
    )


@pytest.mark.django_db
def test_participant_list_queries_do_not_grow_with_participants(django_assert_num_queries) -> None:
    from kollega.accounts.models import User

    org = make_organisation()
    coordinator = make_staff(org)
    programme = make_programme(org)
    slots = list(programme.time_slots.all())

    def add(n: int, start: int) -> None:
        users = User.objects.bulk_create(
            [User(email=f"bulk{start + i}@example.org", full_name=f"Bulk {start + i}") for i in range(n)]
        )
        people = Participant.objects.bulk_create([Participant(programme=programme, user=u) for u in users])
        through = Participant.time_slots.through
        through.objects.bulk_create([through(participant_id=p.pk, timeslot_id=s.pk) for p in people for s in slots])

    client = client_for(coordinator)
    url = reverse("core:participant_list", args=[programme.pk])
    add(10, 0)
    client.get(url)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as at_10:
        assert client.get(url).status_code == 200
    add(990, 10)
    with CaptureQueriesContext(connection) as at_1000:
        response = client.get(url)
    assert response.status_code == 200
    assert "1000" in response.text.replace("\u00a0", "").replace(" ", "")
    assert len(at_1000) == len(at_10)


@pytest.mark.django_db
def test_programme_created_from_the_ui_and_settings_errors_shown() -> None:
    org = make_organisation()
    coordinator = make_staff(org)
    client = client_for(coordinator)
    response = client.post(
        reverse("core:programme_create"),
        {"organisation": org.pk, "template_key": "peer_group_model", "title_fi": "Kevään ryhmät", "slug": ""},
    )
    programme = Programme.objects.get(organisation=org)
    assert response["Location"] == reverse("core:programme_detail", args=[programme.pk])
    assert programme.slug == "kevaan-ryhmat" and programme.meeting_count == 5
    # An empty title is refused with the message next to the field.
    again = client.post(reverse("core:programme_create"), {"organisation": org.pk, "template_key": "peer_group_model"})
    assert again.status_code == 200 and "title in at least one language" in again.text
    # Settings: a largest group smaller than the smallest is refused, nothing saved.
    edit_url = reverse("core:programme_edit", args=[programme.pk])
    form = {
        "title_fi": "Kevään ryhmät",
        "slug": programme.slug,
        "meeting_count": 5,
        "meeting_interval_days": 21,
        "meeting_length_minutes": 120,
        "group_size_min": 8,
        "group_size_max": 6,
        "reminder_lead_hours": 48,
        "offer_hours": 72,
        "languages": ["fi", "en"],
    }
    bad = client.post(edit_url, form)
    assert bad.status_code == 200 and "largest group cannot be smaller" in bad.text
    programme.refresh_from_db()
    assert programme.group_size_max == 12
    form["group_size_max"] = 10
    assert client.post(edit_url, form).status_code == 302
    programme.refresh_from_db()
    assert programme.group_size_max == 10 and programme.languages == ["fi", "en"]


@pytest.mark.django_db
def test_bulk_status_change_asks_first_and_then_moves_all() -> None:
    org = make_organisation()
    coordinator = make_staff(org)
    programme = make_programme(org)
    people = [make_participant(programme, Status.INTERVIEWED) for _ in range(3)]
    client = client_for(coordinator)
    url = reverse("core:participant_list", args=[programme.pk])
    data = {"participants": [p.pk for p in people], "to_status": Status.ACCEPTED, "reason": ""}
    confirm = client.post(url, data)
    assert confirm.status_code == 200 and "Move 3 participants" in confirm.text
    assert all(Participant.objects.get(pk=p.pk).status == Status.INTERVIEWED for p in people)
    done = client.post(url, {**data, "confirm": "1"})
    assert done.status_code == 302
    assert all(Participant.objects.get(pk=p.pk).status == Status.ACCEPTED for p in people)


@pytest.mark.django_db
def test_status_change_form_shows_refusal() -> None:
    org = make_organisation()
    coordinator = make_staff(org)
    participant = make_participant(make_programme(org), Status.INTERVIEWED)
    response = client_for(coordinator).post(
        reverse("core:participant_change_status", args=[participant.pk]), {"to_status": Status.DECLINED, "reason": ""}
    )
    assert response.status_code == 400 and "Write down a reason" in response.text
    participant.refresh_from_db()
    assert participant.status == Status.INTERVIEWED


@pytest.mark.django_db
def test_closed_periods_are_added_and_checked() -> None:
    org = make_organisation()
    client = client_for(make_staff(org))
    url = reverse("core:closed_period_add", args=[org.slug])
    bad = client.post(url, {"period-name": "Joulu", "period-start_date": "2026-12-31", "period-end_date": "2026-12-20"})
    assert bad.status_code == 400 and org.closed_periods.count() == 0
    ok = client.post(url, {"period-name": "Joulu", "period-start_date": "2026-12-20", "period-end_date": "2027-01-06"})
    assert ok.status_code == 302 and org.closed_periods.get().name == "Joulu"


@pytest.mark.django_db
def test_participant_home_shows_next_meeting_first() -> None:
    programme = make_programme()
    group = make_group(programme, members=1, meetings=2, first_meeting_at=timezone.now() + timedelta(days=3))
    me = Participant.objects.get(membership__group=group)
    page = client_for(me.user).get(reverse("core:participant_home"))
    assert page.text.index("Your next meeting") < page.text.index(programme.name)


@pytest.mark.django_db
def test_registration_times_are_typed_in_the_organisations_time_zone() -> None:
    from kollega.core import services

    org = services.organisation_create(name="Stockholms företagare", time_zone="Europe/Stockholm")
    coordinator = make_staff(org)
    programme = make_programme(org)
    client = client_for(coordinator)
    form = {
        "title_fi": "Kevät", "slug": programme.slug, "meeting_count": 5, "meeting_interval_days": 21,
        "meeting_length_minutes": 120, "group_size_min": 6, "group_size_max": 12, "reminder_lead_hours": 48,
        "offer_hours": 72,
        "languages": ["fi", "sv"], "registration_opens_at": "2027-01-10T09:00",
    }  # fmt: skip
    assert client.post(reverse("core:programme_edit", args=[programme.pk]), form).status_code == 302
    programme.refresh_from_db()
    assert programme.registration_opens_at is not None
    assert programme.registration_opens_at.isoformat() == "2027-01-10T08:00:00+00:00"  # 09:00 in Stockholm, winter
    page = client.get(reverse("core:programme_edit", args=[programme.pk])).text
    assert 'value="2027-01-10T09:00"' in page

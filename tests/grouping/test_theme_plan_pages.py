"""A group's theme plan page: support from the members' wishes, the coordinator's choices, and who may see it."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from kollega.accounts.models import User
from kollega.core.models import Role, StaffMembership, Status
from kollega.core.services import organisation_lend_facilitators
from kollega.grouping.facilitators import group_facilitators_set
from kollega.grouping.models import Group, ThemePlanItem
from kollega.grouping.services import group_add_member
from kollega.grouping.themes import theme_plan_build
from tests.factories import make_group, make_organisation, make_participant, make_programme, make_staff

pytestmark = pytest.mark.django_db

PRICING = "Pricing, sales and marketing for a one-person business"
GOALS = "Clarifying personal and business goals"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def coordinator(group: Group) -> User:
    return make_staff(group.programme.organisation, Role.COORDINATOR)


@pytest.fixture
def facilitator(group: Group) -> User:
    return group.lead_facilitator


@pytest.fixture
def group() -> Group:
    """Three members who all want pricing and sales first; the rest of their wishes differ."""
    organisation = make_organisation()
    programme = make_programme(organisation)
    group = make_group(programme, lead=make_staff(organisation, Role.FACILITATOR))
    for ranking in (
        ["pricing-sales", "goals", "recovery"],
        ["pricing-sales", "recovery", "networks"],
        ["pricing-sales", "networks", "goals", "work-and-time"],
    ):
        member = make_participant(programme, Status.ACCEPTED, theme_ranking=ranking)
        group_add_member(group=group, participant=member, actor=None)
    theme_plan_build(group=group)
    return group


def url(group: Group) -> str:
    return reverse("theme_plans:group", args=[group.programme_id, group.pk])


def plan(group: Group) -> dict[int, tuple[str, bool]]:
    return {i.number: (i.theme.key, i.overridden) for i in ThemePlanItem.objects.filter(group=group)}


def theme_id(group: Group, key: str) -> int:
    return group.programme.themes.get(key=key).pk


def form_data(group: Group, **changes: str) -> dict[str, str]:
    """The plan form as the browser sends it: every meeting's select, with ``meeting_N=key`` changed."""
    data = {f"meeting_{i.number}": str(i.theme_id) for i in ThemePlanItem.objects.filter(group=group)}
    data.update({name: str(theme_id(group, key)) for name, key in changes.items()})
    return {**data, "action": "save"}


def test_the_page_shows_the_plan_and_every_themes_support(group, coordinator):
    page = client_for(coordinator).get(url(group))
    assert page.status_code == 200
    assert "Getting to know each other" in page.text  # meeting 1's fixed theme
    # Three first wishes: 9 points, in three members' top three, ranked by three.
    assert re.search(
        re.escape(PRICING) + r'</th>\s*<td class="num">9</td><td class="num">3</td><td class="num">3</td>', page.text
    )
    assert plan(group) == {
        2: ("goals", False),
        3: ("recovery", False),
        4: ("pricing-sales", False),
        5: ("networks", False),
    }
    assert "Not in the plan" in page.text  # the themes nobody chose most are listed too
    assert "The members' wishes" in page.text


def test_a_theme_chosen_by_hand_stays_when_the_plan_is_rebuilt_until_cleared(group, coordinator):
    client = client_for(coordinator)
    saved = client.post(url(group), form_data(group, meeting_2="work-and-time"))
    assert saved.status_code == 302
    assert plan(group)[2] == ("work-and-time", True)
    assert plan(group)[3] == ("recovery", False)  # the untouched meetings stay the members' choice

    assert client.post(url(group), {"action": "rebuild"}).status_code == 302
    assert plan(group) == {
        2: ("work-and-time", True),
        3: ("goals", False),
        4: ("pricing-sales", False),
        5: ("networks", False),
    }
    assert "The coordinator" in client.get(url(group)).text

    assert client.post(url(group), {"action": "clear"}).status_code == 302
    assert plan(group)[2] == ("goals", False)


def test_networks_placed_before_the_last_meeting_is_refused_in_words(group, coordinator):
    before = plan(group)
    response = client_for(coordinator).post(url(group), form_data(group, meeting_2="networks", meeting_5="goals"))
    assert response.status_code == 400
    assert "Networks supporting the entrepreneur is always the last meeting" in response.text
    assert plan(group) == before


def test_a_theme_chosen_for_two_meetings_is_refused_in_words(group, coordinator):
    before = plan(group)
    response = client_for(coordinator).post(url(group), form_data(group, meeting_2="recovery"))
    assert response.status_code == 400
    assert "is chosen for more than one meeting (2, 3)" in response.text
    assert plan(group) == before


def test_the_groups_facilitator_may_read_the_plan_but_not_change_it(group, facilitator):
    client = client_for(facilitator)
    page = client.get(url(group))
    assert page.status_code == 200
    assert PRICING in page.text and GOALS in page.text
    assert "<select" not in page.text and "Rebuild" not in page.text
    before = plan(group)
    assert client.post(url(group), form_data(group, meeting_2="work-and-time")).status_code == 403
    assert client.post(url(group), {"action": "clear"}).status_code == 403
    assert plan(group) == before


def test_others_do_not_find_the_page(group):
    other_facilitator = make_staff(group.programme.organisation, Role.FACILITATOR)
    other_coordinator = make_staff(make_organisation(), Role.COORDINATOR)
    for user in (other_facilitator, other_coordinator):
        assert client_for(user).get(url(group)).status_code == 404
    wrong_programme = reverse("theme_plans:group", args=[make_programme(group.programme.organisation).pk, group.pk])
    assert client_for(make_staff(group.programme.organisation)).get(wrong_programme).status_code == 404


def test_a_facilitator_who_is_no_longer_staff_anywhere_does_not_find_the_page(group, facilitator):
    # The assignment is still on the group (as if left behind), but the person has no staff role any more.
    StaffMembership.objects.filter(user=facilitator).delete()
    group.refresh_from_db()
    assert group.lead_facilitator == facilitator
    assert client_for(facilitator).get(url(group)).status_code == 404


def test_a_partners_facilitator_lent_to_the_group_reads_the_plan(group):
    partner = make_organisation()
    lent = make_staff(partner, Role.FACILITATOR)
    organisation_lend_facilitators(organisation=partner, partner_slug=group.programme.organisation.slug, actor=None)
    group_facilitators_set(group=group, lead=group.lead_facilitator, co=lent, actor=None)
    page = client_for(lent).get(url(group))
    assert page.status_code == 200 and PRICING in page.text and "<select" not in page.text

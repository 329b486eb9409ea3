"""Forming groups in Chromium: the coordinator runs the optimiser, moves a person with the keyboard, sees the
warning when a group gets too big, moves them back, accepts and assigns facilitators (confirming a clash); the
facilitator finds the groups on their own page. axe-core on every page the journey visits."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from kollega.accounts.services import sign_in_link_make
from kollega.core.models import Participant, Role, Status
from kollega.grouping.models import Group, Proposal, ProposalState
from kollega.grouping.proposals import proposal_create
from tests.browser.conftest import assert_accessible, axe, browser_type_launch_args  # noqa: F401
from tests.factories import make_accepted_applicants, make_organisation, make_programme, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_run_move_with_the_keyboard_see_the_warning_accept_and_assign_facilitators(
    page: Page,
    live_server,
    assert_accessible,  # noqa: F811
) -> None:
    organisation = make_organisation("Järvikylän Yrityspalvelut")
    coordinator = make_staff(organisation, Role.COORDINATOR)
    lead = make_staff(organisation, Role.FACILITATOR, full_name="Liisa Vetäjä")
    co = make_staff(organisation, Role.FACILITATOR, full_name="Pekka Tuki")
    programme = make_programme(organisation, group_size_min=3, group_size_max=5)
    make_accepted_applicants(programme, 10)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + sign_in_link_make(user=coordinator))
    page.goto(live_server.url + reverse("core:programme_detail", args=[programme.pk]))
    page.get_by_role("link", name="Forming groups").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forming groups")
    expect(page.get_by_text("10 accepted applicants are waiting for a group.")).to_be_visible()
    assert_accessible(page)

    # Run the optimiser with a short time limit and wait for its answer.
    page.get_by_label("Time limit in seconds").fill("2")
    page.get_by_role("button", name="Propose groups").click()
    expect(page.get_by_role("heading", name="Result")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", level=1)).to_have_text("Proposal 1")
    assert_accessible(page)
    proposal = Proposal.objects.get(programme=programme)
    assert proposal.state == ProposalState.DONE
    first, second = proposal.groups
    person = Participant.objects.get(
        pk=next(int(k) for k, v in sorted(proposal.assignment.items()) if v == second["key"])
    )
    name = person.display_name

    # Move one person to the other group with the keyboard: focus the select, choose, press the button.
    select = page.get_by_label(f"Move to… – {name}")
    select.focus()
    select.select_option(value=first["key"])
    page.get_by_role("button", name=f"Move {name}", exact=True).focus()
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(f"{first['name']} has 6 members; at most 5 are allowed.")
    expect(page.locator("#group-1")).to_contain_text("Needs attention:")
    expect(page.get_by_role("status").first).to_contain_text(f"{name} moved to {first['name']}.")
    assert_accessible(page)

    # And back again: the warning goes.
    select = page.get_by_label(f"Move to… – {name}")
    select.focus()
    select.select_option(value=second["key"])
    page.get_by_role("button", name=f"Move {name}", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"{name} moved to {second['name']}.")).to_be_visible()
    expect(page.get_by_text("These groups break the rules")).to_have_count(0)

    # Accept: the groups are created with the prefilled names and dates. Groups of one time slot are offered
    # different weekdays; the coordinator puts the second on the first one's weekday, and its date follows.
    page.get_by_role("link", name="Accept these groups").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accept the groups")
    assert_accessible(page)
    first_form = page.get_by_role("group", name=re.compile(rf"^{re.escape(first['name'])} "))
    second_form = page.get_by_role("group", name=re.compile(rf"^{re.escape(second['name'])} "))
    expect(first_form.get_by_label("Weekday")).to_have_value("1")  # Tuesday
    expect(second_form.get_by_label("Weekday")).to_have_value("2")
    second_form.get_by_label("Weekday").select_option(label="Tuesday")
    expect(second_form.get_by_label("First meeting")).to_have_value(
        first_form.get_by_label("First meeting").input_value()
    )
    page.get_by_role("button", name="Create the groups").click()
    expect(page.get_by_text("The groups were created: 10 people are now in 2 groups.")).to_be_visible()
    assert sorted(Group.objects.filter(programme=programme).values_list("name", flat=True)) == sorted(
        [first["name"], second["name"]]
    )
    assert not Participant.objects.filter(programme=programme, status=Status.ACCEPTED).exists()
    one, two = (Group.objects.select_related("time_slot").get(name=g["name"]) for g in (first, second))
    assert (one.weekday, one.start_date) == (two.weekday, two.start_date)

    # Facilitators: from the hub to the facilitators page, where everyone who may be chosen shows their load.
    page.get_by_role("link", name="Facilitators and theme plans").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Facilitators for groups")
    assert_accessible(page)
    meetings = str(programme.meeting_count)
    load = page.get_by_role("table", name="Facilitators' groups and meetings")

    def load_of(name: str) -> Locator:
        return load.locator("tr", has=page.get_by_role("rowheader", name=name, exact=True)).get_by_role("cell")

    expect(load_of("Liisa Vetäjä")).to_have_text([organisation.name, "0", "0", "0", "0"])
    page.get_by_label(f"Lead facilitator of {one.name}", exact=True).select_option(label="Liisa Vetäjä (groups: 0)")
    page.get_by_label(f"Co-facilitator of {one.name}", exact=True).select_option(label="Pekka Tuki (groups: 0)")
    page.get_by_role("button", name=f"Save the facilitators of {one.name}").click()
    expect(page.get_by_text(f"The facilitators of {one.name} were saved.")).to_be_visible()
    chosen = page.get_by_label(f"Lead facilitator of {one.name}", exact=True).locator("option:checked")
    expect(chosen).to_have_text("Liisa Vetäjä (groups: 1)")
    expect(page.get_by_label(f"Co-facilitator of {one.name}", exact=True).locator("option:checked")).to_have_text(
        "Pekka Tuki (groups: 1)"
    )
    expect(load_of("Liisa Vetäjä")).to_have_text([organisation.name, "1", "0", meetings, meetings])
    expect(load_of("Pekka Tuki")).to_have_text([organisation.name, "0", "1", meetings, meetings])
    expect(page.get_by_text("Facilitators in two groups at the same time")).to_have_count(0)
    one.refresh_from_db()
    assert (one.lead_facilitator_id, one.co_facilitator_id) == (lead.pk, co.pk)
    assert_accessible(page)

    # The same lead for the second group, which meets at the same times: nothing is saved until confirmed.
    page.get_by_label(f"Lead facilitator of {two.name}", exact=True).select_option(label="Liisa Vetäjä (groups: 1)")
    page.get_by_role("button", name=f"Save the facilitators of {two.name}").click()
    clash = (
        f"Liisa Vetäjä also facilitates {one.name} ({programme.name}) at the same time: {meetings} meetings overlap, "
        f"the first on {one.start_date.day}.{one.start_date.month}.{one.start_date.year} "
        f"at {one.time_slot.start_time:%H:%M}."
    )
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text(clash)
    expect(
        page.get_by_text(
            f"The facilitators chosen for {two.name} were not saved, because one of them would be in two groups "
            "meeting at the same time."
        )
    ).to_be_visible()
    expect(page.get_by_label(f"Lead facilitator of {two.name}", exact=True)).to_have_value(str(lead.pk))
    two.refresh_from_db()
    assert two.lead_facilitator_id is None
    assert_accessible(page)
    # Confirming is one button right under the warning (ticking "Assign anyway" and saving does the same).
    page.get_by_role("button", name=f"Save anyway – {two.name}").click()
    expect(page.get_by_text(f"The facilitators of {two.name} were saved.")).to_be_visible()
    expect(load_of("Liisa Vetäjä")).to_have_text(
        [organisation.name, "2", "0", str(2 * programme.meeting_count), str(2 * programme.meeting_count)]
    )
    # The clash stays in sight, for both groups, after it was confirmed.
    expect(page.locator("#clashes")).to_contain_text("Facilitators in two groups at the same time")
    expect(page.locator("#clashes")).to_contain_text(clash)
    expect(page.locator("#clashes").get_by_role("listitem")).to_have_count(2)
    two.refresh_from_db()
    assert (two.lead_facilitator_id, two.co_facilitator_id) == (lead.pk, None)
    assert_accessible(page)

    # A new run shows its progress while the optimiser works.
    waiting = proposal_create(programme=programme, actor=coordinator, time_limit=30, run=False)
    page.goto(live_server.url + reverse("proposals:detail", args=[programme.pk, waiting.number]))
    expect(page.get_by_text("Working out the groups… (up to 30 seconds)")).to_be_visible()
    expect(page.get_by_label("of at most 30 seconds")).to_be_visible()
    assert_accessible(page)

    # The lead facilitator signs in and finds both groups on their own page, with who facilitates them.
    page.goto(live_server.url + sign_in_link_make(user=lead))
    page.get_by_role("link", name="My groups").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My groups")
    expect(page.get_by_role("heading", level=2, name=one.name, exact=True)).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=two.name, exact=True)).to_be_visible()
    mine = page.get_by_role("region", name=one.name, exact=True)
    expect(mine).to_contain_text("Lead facilitator: Liisa Vetäjä · Co-facilitator: Pekka Tuki")
    expect(mine).to_contain_text("5 members")
    assert_accessible(page)


def test_dragging_a_person_onto_another_group_moves_them(
    page: Page,
    live_server,
    assert_accessible,  # noqa: F811
) -> None:
    organisation = make_organisation("Järvikylän Yrityspalvelut")
    coordinator = make_staff(organisation, Role.COORDINATOR)
    programme = make_programme(organisation, group_size_min=3, group_size_max=5)
    make_accepted_applicants(programme, 10)
    page.goto(live_server.url + sign_in_link_make(user=coordinator))
    page.goto(live_server.url + reverse("proposals:hub", args=[programme.pk]))
    page.get_by_label("Time limit in seconds").fill("1")
    page.get_by_role("button", name="Propose groups").click()
    expect(page.get_by_role("heading", name="Result")).to_be_visible(timeout=30_000)
    proposal = Proposal.objects.get(programme=programme)
    first, second = proposal.groups
    person = next(int(k) for k, v in sorted(proposal.assignment.items()) if v == second["key"])
    name = Participant.objects.get(pk=person).display_name

    page.evaluate("window.stillTheSamePage = true")
    page.locator(f"#person-{person}").drag_to(page.locator("#group-1"))
    # The groups are replaced in place (the page is not loaded again) and the result is read out.
    expect(page.locator("#proposal-announce")).to_have_text(f"{name} moved to {first['name']}.")
    assert page.evaluate("window.stillTheSamePage") is True
    expect(page.locator("#group-1")).to_contain_text(name)
    expect(page.get_by_role("alert")).to_contain_text("has 6 members; at most 5 are allowed.")
    proposal.refresh_from_db()
    assert proposal.assignment[str(person)] == first["key"]
    assert_accessible(page)
    # On a phone the groups stack and nothing is wider than the screen.
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
    page.goto(live_server.url + reverse("proposals:hub", args=[programme.pk]))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)

"""The public programme page, its privacy notice, QR code and poster."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kollega.core.models import Role
from kollega.outreach.models import ProgrammePage
from kollega.outreach.qr import qr_svg
from kollega.outreach.selectors import share_url
from kollega.outreach.services import programme_page_get_or_create
from tests.factories import make_organisation, make_participant, make_programme, make_staff
from tests.outreach_public.conftest import page_url, publish, register_url
from tests.recruitment.factories import make_channel


def _url(programme, name: str) -> str:
    return reverse(f"public:{name}", args=[programme.organisation.slug, programme.slug])


def test_the_published_page_tells_what_the_programme_is_and_offers_one_button(programme):
    response = Client().get(page_url(programme))
    assert response.status_code == 200
    text = response.content.decode()
    assert f"<h1>{programme.name}</h1>" in text
    assert "A peer group for solo entrepreneurs." in text
    assert "5 online meetings of 2 hours, every 3 weeks." in text  # the seeded commitment text
    assert "Morning 09:00–11:00" in text and "Afternoon 13:00–15:00" in text
    # The fixed first theme and the ones registrants rank.
    assert "Every group begins with:" in text
    assert "Getting to know each other" in text
    assert "Clarifying personal and business goals" in text
    assert "Free of charge." in text
    assert f'href="{_url(programme, "privacy")}"' in text
    assert text.count('class="button"') == 1
    assert f'href="{register_url(programme)}"' in text
    assert "tuki@testikyla.example.org" in text
    assert "noindex" not in text


def test_sharing_tags_describe_the_page_with_an_absolute_address(programme):
    text = Client().get(page_url(programme)).content.decode()
    absolute = share_url(programme=programme)
    assert absolute.startswith("http")
    assert f'<meta property="og:url" content="{absolute}">' in text
    assert f'<meta property="og:title" content="{programme.name}">' in text
    assert '<meta property="og:type" content="website">' in text
    assert '<meta property="og:description" content="A peer group for solo entrepreneurs.">' in text
    assert '<meta name="description" content="A peer group for solo entrepreneurs.">' in text
    assert '<meta property="og:locale" content="en_GB">' in text
    assert '<meta property="og:site_name" content="Testikylän Yrityspalvelut">' in text


def test_sharing_tags_follow_the_language(programme):
    client = Client()
    client.post(reverse("set_language"), {"language": "fi", "next": "/"})
    text = client.get(page_url(programme)).content.decode()
    assert '<meta property="og:locale" content="fi_FI">' in text
    assert 'content="Vertaisryhmä yksinyrittäjille."' in text
    assert '<html lang="fi">' in text


def test_an_unpublished_page_is_not_found_by_the_public_or_another_organisation(organisation):
    programme = make_programme(organisation)
    programme_page_get_or_create(programme=programme)
    stranger = make_staff(make_organisation("Muu Oy"), Role.COORDINATOR)
    participant = make_participant(programme)
    for user in (None, stranger, participant.user):
        client = Client()
        if user is not None:
            client.force_login(user)
        for name in ("programme", "privacy", "qr", "poster", "register"):
            assert client.get(_url(programme, name)).status_code == 404, (user, name)


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.FACILITATOR])
def test_the_organisations_staff_see_an_unpublished_page_as_a_preview(organisation, role):
    programme = make_programme(organisation)
    assert not ProgrammePage.objects.filter(programme=programme).exists()
    client = Client()
    client.force_login(make_staff(organisation, role))
    response = client.get(page_url(programme))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Preview: not published" in text
    assert '<meta name="robots" content="noindex, nofollow">' in text
    assert client.get(_url(programme, "qr")).status_code == 200


def test_not_yet_open_registration_says_when_it_opens_in_the_organisations_time(organisation):
    opens = datetime(2099, 3, 2, 8, 30, tzinfo=UTC)  # 10:30 in Helsinki (winter time)
    programme = publish(make_programme(organisation, registration_opens_at=opens))
    text = Client().get(page_url(programme)).content.decode()
    assert "Registration opens on 2.3.2099 at 10:30." in text
    assert register_url(programme) not in text


def test_closed_registration_says_so_and_has_no_button(organisation):
    closed = timezone.now() - timedelta(days=1)
    programme = publish(
        make_programme(organisation, registration_opens_at=closed - timedelta(days=30), registration_closes_at=closed)
    )
    text = Client().get(page_url(programme)).content.decode()
    assert "Registration closed on" in text
    assert "This programme takes no more registrations." in text
    assert register_url(programme) not in text


def test_a_full_programme_still_takes_registrations_to_the_waiting_list(programme):
    programme.capacity = 1
    programme.save(update_fields=["capacity"])
    make_participant(programme)
    text = Client().get(page_url(programme)).content.decode()
    assert "All places are taken." in text
    assert "Register for the waiting list" in text
    assert f'href="{register_url(programme)}"' in text


def test_the_register_button_keeps_the_channel_of_the_share_link(programme):
    make_channel(programme, "uutiskirje", "Newsletter")
    text = Client().get(page_url(programme) + "?c=uutiskirje").content.decode()
    assert f'href="{register_url(programme)}?c=uutiskirje"' in text
    # An unknown or hostile tag is ignored; the page still works.
    for tag in ("ei-ole", "<script>", "x" * 500):
        response = Client().get(page_url(programme), {"c": tag})
        assert response.status_code == 200
        assert f'href="{register_url(programme)}"' in response.content.decode()


def test_the_privacy_notice_has_its_own_page(programme):
    response = Client().get(_url(programme, "privacy"))
    assert response.status_code == 200
    assert "We use your data only to run the programme." in response.content.decode()


def test_the_qr_code_is_an_svg_of_the_channels_share_link(programme):
    channel = make_channel(programme, "kumppanit", "Partners")
    response = Client().get(_url(programme, "qr") + "?c=kumppanit")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    root = ET.fromstring(response.content)  # noqa: S314 — our own output
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox")
    tagged = share_url(programme=programme, channel=channel)
    assert tagged.endswith("?c=kumppanit")
    assert response.content == qr_svg(tagged, title=f"QR code: {tagged}")
    plain = Client().get(_url(programme, "qr"))
    assert plain.content == qr_svg(share_url(programme=programme), title=f"QR code: {share_url(programme=programme)}")


def test_the_poster_has_a_big_qr_code_and_the_address_in_letters(programme):
    make_channel(programme, "kirjasto", "Library")
    response = Client().get(_url(programme, "poster") + "?c=kirjasto")
    assert response.status_code == 200
    text = response.content.decode()
    assert f'src="{_url(programme, "qr")}?c=kirjasto"' in text
    assert share_url(programme=programme) + "?c=kirjasto" in text
    assert programme.name in text
    assert "Print the poster" in text


def test_a_programme_that_does_not_exist_is_not_found(programme):
    assert Client().get(reverse("public:programme", args=[programme.organisation.slug, "ei-ole"])).status_code == 404
    assert Client().get(reverse("public:programme", args=["ei-ole", programme.slug])).status_code == 404


def test_the_page_runs_a_fixed_number_of_queries(programme, django_assert_max_num_queries):
    client = Client()
    client.get(page_url(programme))
    with django_assert_max_num_queries(12):
        client.get(page_url(programme))

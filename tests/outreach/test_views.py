"""The coordinator's outreach pages: page texts and publishing, channels, the press kit; who may see them."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kollega.accounts.models import User
from kollega.core.models import Role
from kollega.outreach import services
from kollega.outreach.models import Channel, ProgrammePage
from kollega.recruitment.models import Registration
from tests.factories import make_organisation, make_participant, make_programme, make_staff

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def setup():
    org = make_organisation("Alfa")
    coordinator = make_staff(org)
    programme = make_programme(org, languages=["fi", "en"])
    channel = services.channel_create(programme=programme, name={"en": "Newsletter"}, kind="newsletter", actor=None)
    return {"org": org, "coordinator": coordinator, "programme": programme, "channel": channel}


def urls_of(programme, channel) -> list[str]:
    return [
        reverse("outreach:page", args=[programme.pk]),
        reverse("outreach:channels", args=[programme.pk]),
        reverse("outreach:channel_edit", args=[programme.pk, channel.pk]),
        reverse("outreach:channel_delete", args=[programme.pk, channel.pk]),
        reverse("outreach:press_kit", args=[programme.pk]),
    ]


def test_only_the_organisations_coordinators_reach_the_pages(setup) -> None:
    programme, channel = setup["programme"], setup["channel"]
    own = client_for(setup["coordinator"])
    for url in urls_of(programme, channel):
        assert own.get(url).status_code == 200, url
    outsider = make_staff(make_organisation("Beta"))
    facilitator = make_staff(setup["org"], Role.FACILITATOR)
    participant = make_participant(programme).user
    for user in (outsider, facilitator, participant):
        client = client_for(user)
        for url in urls_of(programme, channel):
            assert client.get(url).status_code == 404, (user, url)
        # Writes are refused just the same and change nothing.
        assert client.post(reverse("outreach:page_publish", args=[programme.pk])).status_code == 404
        assert (
            client.post(reverse("outreach:channel_active", args=[programme.pk, channel.pk]), {"active": "no"})
        ).status_code == 404
        assert client.post(reverse("outreach:channel_delete", args=[programme.pk, channel.pk])).status_code == 404
        assert (
            client.post(
                reverse("outreach:channels", args=[programme.pk]), {"name_en": "X", "kind": "other"}
            ).status_code
            == 404
        )
    channel.refresh_from_db()
    assert channel.active and Channel.objects.filter(programme=programme).count() == 1
    # A channel of another programme is not found under this programme's address.
    other = make_programme(setup["org"])
    stranger = services.channel_create(programme=other, name={"en": "Radio"}, kind="other", actor=None)
    assert own.get(reverse("outreach:channel_edit", args=[programme.pk, stranger.pk])).status_code == 404
    # Signed out: to sign in.
    response = Client().get(reverse("outreach:channels", args=[programme.pk]))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_page_texts_per_language_and_publishing(setup) -> None:
    programme = setup["programme"]
    client = client_for(setup["coordinator"])
    url = reverse("outreach:page", args=[programme.pk])
    page = client.get(url)
    assert "Texts in Finnish" in page.text and "Texts in English" in page.text
    assert "Texts in Swedish" not in page.text  # the programme is in Finnish and English only
    assert "The page is not published" in page.text
    assert "5 online meetings of 2 hours, every 3 weeks." in unescape(page.text)
    assert f"/p/{programme.organisation.slug}/{programme.slug}/" in page.text  # preview link
    # Publishing without a privacy notice says why not.
    response = client.post(reverse("outreach:page_publish", args=[programme.pk]), {"publish": "yes"}, follow=True)
    assert "The page was not published: Write the privacy notice in at least one language." in response.text
    # Write it, with a too long text elsewhere: nothing is saved and the message is next to the field.
    form = {f"{name}_{lang}": "" for name in ("summary", "privacy_notice") for lang in ("fi", "en")}
    form.update({"privacy_notice_fi": "Rekisterinpitäjä on Alfa.", "summary_en": "x" * 5001})
    response = client.post(url, form)
    assert response.status_code == 200
    assert "There is a problem" in response.text and "at most 5000 characters" in response.text
    assert ProgrammePage.objects.get(programme=programme).privacy_notice == {}
    form["summary_en"] = "Peer groups for solo entrepreneurs."
    response = client.post(url, form)
    assert response.status_code == 302
    stored = ProgrammePage.objects.get(programme=programme)
    assert stored.privacy_notice == {"fi": "Rekisterinpitäjä on Alfa."}
    assert stored.summary["en"] == "Peer groups for solo entrepreneurs." and "fi" not in stored.summary
    response = client.post(reverse("outreach:page_publish", args=[programme.pk]), {"publish": "yes"}, follow=True)
    assert "The page is published" in response.text and "Unpublish the page" in response.text
    response = client.post(reverse("outreach:page_publish", args=[programme.pk]), {"publish": "no"}, follow=True)
    assert "The page is not published" in response.text
    assert not ProgrammePage.objects.get(programme=programme).is_published


@override_settings(KOLLEGA_BASE_URL="https://kollega.example.fi")
def test_channels_add_list_take_out_of_use_and_delete(setup) -> None:
    programme, newsletter = setup["programme"], setup["channel"]
    client = client_for(setup["coordinator"])
    url = reverse("outreach:channels", args=[programme.pk])
    response = client.post(url, {"name_fi": "Kumppaniverkosto", "name_en": "", "kind": "partner_network", "key": ""})
    assert response.status_code == 302
    partners = Channel.objects.get(programme=programme, key="kumppaniverkosto")
    assert partners.name == {"fi": "Kumppaniverkosto"}
    # The same tag again: the message is next to the link tag field, and what was typed stays.
    again = client.post(url, {"name_fi": "Kumppaniverkosto", "kind": "partner_network", "key": ""})
    assert again.status_code == 200
    assert "already has the link tag “kumppaniverkosto”" in unescape(again.text)
    assert 'value="Kumppaniverkosto"' in again.text
    # The list: share links as read-only fields, QR codes, counts.
    Registration.objects.create(participant=make_participant(programme), channel=newsletter)
    listing = client.get(url).text
    share = f"https://kollega.example.fi/p/{programme.organisation.slug}/{programme.slug}/?c=newsletter"
    assert re.search(rf'<input id="share-newsletter" type="text" value="{re.escape(share)}" readonly', listing)
    assert f"/p/{programme.organisation.slug}/{programme.slug}/qr.svg?c=newsletter" in listing
    # A used channel has no delete button; asking anyway explains and offers to take it out of use.
    delete_url = reverse("outreach:channel_delete", args=[programme.pk, newsletter.pk])
    assert delete_url not in listing
    confirm = client.get(delete_url).text
    assert "cannot be deleted" in confirm and "Take out of use" in confirm
    refused = client.post(delete_url)
    assert refused.status_code == 200 and "has brought 1 registration" in refused.text
    assert Channel.objects.filter(pk=newsletter.pk).exists()
    response = client.post(
        reverse("outreach:channel_active", args=[programme.pk, newsletter.pk]), {"active": "no"}, follow=True
    )
    assert "is out of use" in unescape(response.text) and "Not in use" in response.text
    newsletter.refresh_from_db()
    assert not newsletter.active
    # An unused channel is deleted after one confirmation.
    partners_delete = reverse("outreach:channel_delete", args=[programme.pk, partners.pk])
    assert partners_delete in listing
    assert "This cannot be undone" in client.get(partners_delete).text
    assert Channel.objects.filter(pk=partners.pk).exists()  # asking changed nothing
    response = client.post(partners_delete)
    assert response.status_code == 302 and not Channel.objects.filter(pk=partners.pk).exists()


def test_channel_edit_keeps_the_tag_of_a_used_channel(setup) -> None:
    programme, channel = setup["programme"], setup["channel"]
    client = client_for(setup["coordinator"])
    url = reverse("outreach:channel_edit", args=[programme.pk, channel.pk])
    response = client.post(url, {"name_fi": "Uutiskirje", "name_en": "Newsletter", "kind": "newsletter", "key": "news"})
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.key == "news" and channel.name == {"fi": "Uutiskirje", "en": "Newsletter"}
    Registration.objects.create(participant=make_participant(programme), channel=channel)
    page = client.get(url).text
    assert "so its link tag stays" in page and "disabled" in page
    response = client.post(url, {"name_fi": "Uutiskirje", "name_en": "News", "kind": "newsletter", "key": "changed"})
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.key == "news" and channel.name["en"] == "News"
    # No name in any language is refused next to the field.
    response = client.post(url, {"name_fi": "", "name_en": "", "kind": "newsletter"})
    assert response.status_code == 200 and "Give the channel a name in at least one language." in response.text


def test_channel_list_queries_do_not_grow_with_channels_and_registrations(setup) -> None:
    programme = setup["programme"]
    client = client_for(setup["coordinator"])
    url = reverse("outreach:channels", args=[programme.pk])
    client.get(url)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(8):
        channel = services.channel_create(programme=programme, name={"en": f"Partner {n}"}, kind="other", actor=None)
        for _ in range(3):
            Registration.objects.create(participant=make_participant(programme), channel=channel)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200 and "Partner 7" in response.text
    assert len(many) == len(few)


@override_settings(KOLLEGA_BASE_URL="https://kollega.example.fi")
def test_press_kit_gives_texts_and_tagged_links_per_language(setup) -> None:
    programme = setup["programme"]
    services.channel_create(programme=programme, name={"en": "Press release"}, kind="press_release", actor=None)
    services.channel_create(programme=programme, name={"en": "LinkedIn"}, kind="social_media", actor=None)
    services.programme_page_update(programme=programme, actor=None, summary={"fi": "Vertaisryhmä " * 40, "en": ""})
    page = client_for(setup["coordinator"]).get(reverse("outreach:press_kit", args=[programme.pk]))
    text = unescape(page.text)
    base = f"https://kollega.example.fi/p/{programme.organisation.slug}/{programme.slug}/"
    assert "In Finnish" in text and "In English" in text and "In Swedish" not in text
    assert f"Read more and register: {base}?c=press-release" in text  # in English
    posts = re.findall(r'<textarea id="post-(\w+)" rows="4" readonly lang="\w+">(.*?)</textarea>', page.text, re.S)
    assert {lang for lang, _ in posts} == {"fi", "en"}
    for _lang, post in posts:
        post = unescape(post)
        assert len(post) <= 280 and post.endswith(f"{base}?c=linkedin")
    # The English summary is empty: the kit says so.
    assert "These texts are missing in this language and are left out: In short." in text
    # Each channel's own link, and the page's plain one.
    assert f"{base}?c=newsletter" in text and f'value="{base}"' in page.text
    assert "The programme page is not published yet" in text

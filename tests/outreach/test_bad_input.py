"""Whatever is posted to the outreach pages and the form editor, the answer is a page, never a server error."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from kollega.outreach import services
from kollega.outreach.models import Channel
from kollega.recruitment.selectors import registration_form
from kollega.surveys.models import QuestionType
from tests.factories import make_programme, make_staff

pytestmark = pytest.mark.django_db

text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["", " ", "\x00", "a" * 6000, "<script>alert(1)</script>", "-1", "1e9", "9" * 30, "|||", "other"]),
)
fields = st.sampled_from(
    [
        "type",
        "key",
        "text_fi",
        "text_en",
        "help_fi",
        "options",
        "options_source",
        "scale_min",
        "scale_max",
        "number_min",
        "number_max",
        "max_length",
        "consent_item",
        "show_if_question",
        "show_if_operator",
        "show_if_value",
        "required",
        "allow_partial",
        "name_fi",
        "name_en",
        "kind",
        "summary_fi",
        "privacy_notice_fi",
        "publish",
        "direction",
        "active",
    ]
)
payloads = st.dictionaries(fields, st.one_of(text, st.lists(text, max_size=3)), max_size=8)


@pytest.fixture
def world():
    programme = make_programme()
    coordinator = make_staff(programme.organisation)
    channel = services.channel_create(programme=programme, name={"en": "Newsletter"}, kind="newsletter", actor=None)
    form = registration_form(programme=programme)
    assert form is not None
    question = form.questions.get(key="company_size")
    keys = set(form.questions.values_list("key", flat=True))
    return {
        "programme": programme,
        "coordinator": coordinator,
        "channel": channel,
        "form": form,
        "q": question,
        "keys": keys,
    }


@given(data=payloads, which=st.integers(min_value=0, max_value=8))
def test_random_posts_get_a_page_not_a_server_error(world, data, which) -> None:
    programme, form, q, channel = world["programme"], world["form"], world["q"], world["channel"]
    urls = [
        reverse("outreach:page", args=[programme.pk]),
        reverse("outreach:page_publish", args=[programme.pk]),
        reverse("outreach:channels", args=[programme.pk]),
        reverse("outreach:channel_edit", args=[programme.pk, channel.pk]),
        reverse("outreach:channel_active", args=[programme.pk, channel.pk]),
        reverse("surveys:question_add", args=[form.pk]),
        reverse("surveys:question_add", args=[form.pk]) + f"?type={QuestionType.RATING_SCALE}",
        reverse("surveys:question_edit", args=[form.pk, q.pk]),
        reverse("surveys:question_move", args=[form.pk, q.pk]),
    ]
    client = Client(raise_request_exception=True)
    client.force_login(world["coordinator"])
    response = client.post(urls[which], data)
    assert response.status_code in (200, 302)
    assert Channel.objects.filter(pk=channel.pk).exists()


@given(
    kind=st.sampled_from(QuestionType.values),
    field=fields,
    value=st.one_of(text, st.lists(text, max_size=3)),
)
def test_one_bad_field_in_an_otherwise_good_question_is_answered_with_a_page(world, kind, field, value) -> None:
    form = world["form"]
    data = {
        "type": kind,
        "key": "extra",
        "text_en": "Extra?",
        "options": "a | A | A | A\nb | B | B | B",
        "scale_min": "1",
        "scale_max": "5",
        "consent_item": "share_name",
        "show_if_question": "company_size",
        "show_if_operator": "equals",
        "show_if_value": "solo",
        field: value,
    }
    client = Client(raise_request_exception=True)
    client.force_login(world["coordinator"])
    response = client.post(reverse("surveys:question_add", args=[form.pk]), data)
    assert response.status_code in (200, 302)
    # Each example starts from the default form again.
    form.questions.exclude(key__in=world["keys"]).delete()

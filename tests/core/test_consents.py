from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kollega.core import selectors, services
from kollega.core.models import ConsentItem
from tests.factories import make_participant, make_programme


@pytest.mark.django_db
def test_latest_decision_wins_and_history_stays() -> None:
    participant = make_participant(make_programme())
    t0 = timezone.now() - timedelta(days=3)
    services.consent_record(participant=participant, item=ConsentItem.SHARE_EMAIL, given=True, actor=None, at=t0)
    services.consent_record(
        participant=participant, item=ConsentItem.SHARE_EMAIL, given=False, actor=None, at=t0 + timedelta(days=1)
    )
    assert not selectors.consent_given(participant=participant, item=ConsentItem.SHARE_EMAIL)
    history = list(selectors.consent_history(participant=participant))
    assert [c.given for c in history] == [False, True]  # newest first, both kept
    current = selectors.consents_current(participant=participant)
    assert current[ConsentItem.SHARE_EMAIL].given is False


@pytest.mark.django_db
def test_each_item_is_separate() -> None:
    participant = make_participant(make_programme())
    services.consent_record(participant=participant, item=ConsentItem.SHARE_NAME, given=True, actor=None)
    services.consent_record(participant=participant, item=ConsentItem.SHARE_COMPANY, given=False, actor=None)
    assert selectors.consent_given(participant=participant, item=ConsentItem.SHARE_NAME)
    assert not selectors.consent_given(participant=participant, item=ConsentItem.SHARE_COMPANY)
    assert not selectors.consent_given(participant=participant, item=ConsentItem.SHARE_EMAIL)  # never asked


@pytest.mark.django_db
def test_a_decision_keeps_the_text_version_it_was_given_against() -> None:
    programme = make_programme()
    participant = make_participant(programme)
    first = services.consent_record(participant=participant, item=ConsentItem.PRIVACY_NOTICE, given=True, actor=None)
    assert first.text.version == 1
    new_text = services.consent_text_publish(
        programme=programme, item=ConsentItem.PRIVACY_NOTICE, text={"fi": "Uusi teksti"}, actor=None
    )
    assert new_text.version == 2
    first.refresh_from_db()
    assert first.text.version == 1
    second = services.consent_record(participant=participant, item=ConsentItem.PRIVACY_NOTICE, given=True, actor=None)
    assert second.text.version == 2


@pytest.mark.django_db
def test_text_from_another_programme_is_refused() -> None:
    participant = make_participant(make_programme())
    other_text = make_programme().consent_texts.get(item=ConsentItem.SHARE_NAME)
    with pytest.raises(ValidationError):
        services.consent_record(
            participant=participant, item=ConsentItem.SHARE_NAME, given=True, actor=None, text=other_text
        )
    assert participant.consents.count() == 0


@pytest.mark.django_db
def test_unknown_item_is_refused() -> None:
    participant = make_participant(make_programme())
    with pytest.raises(ValidationError):
        services.consent_record(participant=participant, item="sell_my_data", given=True, actor=None)


@pytest.mark.django_db
def test_group_sees_only_what_each_member_shares() -> None:
    from kollega.core.models import Participant
    from kollega.grouping.selectors import group_peer_list
    from tests.factories import make_group

    programme = make_programme()
    group = make_group(programme, members=2)
    open_one, private_one = Participant.objects.filter(membership__group=group).order_by("pk")
    for item in (ConsentItem.SHARE_NAME, ConsentItem.SHARE_COMPANY, ConsentItem.SHARE_EMAIL):
        services.consent_record(participant=open_one, item=item, given=True, actor=None)
    services.consent_record(participant=private_one, item=ConsentItem.SHARE_NAME, given=True, actor=None)
    services.consent_record(participant=private_one, item=ConsentItem.SHARE_NAME, given=False, actor=None)
    peers = group_peer_list(group=group)
    shown = {p.name: p for p in peers}
    assert open_one.user.full_name in shown
    assert private_one.user.full_name not in shown
    assert any(p.anonymous for p in peers)
    assert all(private_one.user.email not in (p.email, p.name) for p in peers)

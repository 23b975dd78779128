"""Listings filtered by phase filter in the database, before the page is cut: every match is found,
pages are full, and the filter agrees with the models' own current_phase() for every phase."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from participation.deliberations.models import Phase, Topic
from participation.elections.models import Election
from participation.elections.models import Phase as ElectionPhase
from portal.core.phases import in_phase


def topics_in_every_phase(community, now):
    """Topics whose dates slide a day at a time past now, so every phase has some (the last ones with
    and without implementation dates), interleaved by id so that a short page mixes phases."""
    day = timedelta(days=1)
    made = []
    for round_ in range(2):
        for offset in range(-6, 7):
            start = now + offset * day
            later = {"implementation_starts": start - day, "done_at": start} if round_ else {}
            made.append(
                Topic.objects.create(
                    community=community,
                    title=f"议题 {round_} {offset}",
                    description="-",
                    proposal_starts=start - 5 * day,
                    discussion_starts=start - 4 * day,
                    voting_starts=start - 3 * day,
                    voting_ends=start - 2 * day,
                    **later,
                )
            )
    return made


@pytest.mark.django_db
def test_the_database_filter_agrees_with_current_phase_for_every_phase(city):
    now = timezone.now()
    topics = topics_in_every_phase(city["a1"], now)
    for phase in Phase.values:
        expected = {t.pk for t in topics if t.current_phase(now) == phase}
        found = set(Topic.objects.filter(in_phase(Topic.PHASE_FIELDS, phase, now)).values_list("pk", flat=True))
        assert found == expected, phase
        assert expected, f"the fixture has no topic in {phase}"


@pytest.mark.django_db
def test_a_phase_filtered_page_is_full_and_the_cursor_reaches_every_match(city):
    now = timezone.now()
    topics = topics_in_every_phase(city["a1"], now)
    voting = {t.pk for t in topics if t.current_phase(now) == Phase.VOTING}
    client = Client(HTTP_HOST="localhost")
    seen, cursor = [], None
    while True:
        url = "/api/v1/deliberations?phase=voting&limit=1" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url).json()
        assert len(body["items"]) == 1, body  # a page of a filtered list is never short while matches remain
        seen += [item["id"] for item in body["items"]]
        assert all(item["phase"] == "voting" for item in body["items"])
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert set(seen) == voting and len(seen) == len(voting)


@pytest.mark.django_db
def test_the_election_filter_agrees_with_current_phase(city):
    now = timezone.now()
    day = timedelta(days=1)
    made = []
    for offset in range(-8, 2):  # every phase from announcement to counting, one day apart
        start = now + offset * day
        made.append(
            Election.objects.create(
                community=city["a1"],
                title=f"选举 {offset}",
                announcement="-",
                announced_at=start - 6 * day,
                voter_list_from=start - 5 * day,
                nominations_from=start - 4 * day,
                acceptance_from=start - 3 * day,
                candidates_from=start - 2 * day,
                voting_starts=start - day,
                voting_ends=start,
            )
        )
    for phase in ElectionPhase.values:
        expected = {e.pk for e in made if e.current_phase(now) == phase}
        query = in_phase(Election.PHASE_FIELDS, phase, now)
        assert set(Election.objects.filter(query).values_list("pk", flat=True)) == expected, phase

"""Who may vote, decided from verified memberships: per electorate kind, minimum age, households, floor area."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from participation.deliberations import ballots
from participation.deliberations.ballots import VoteRefused, cast_vote
from participation.deliberations.electorate import MembershipElectorate, electorate_for
from participation.deliberations.models import Ballot, Topic, VoterRoll
from portal.accounts.membership import born_on_or_before
from portal.accounts.models import Membership

from .conftest import close_voting


def first_option(topic, n=0):
    return topic.options.all()[n].pk


def years_ago(years, days=0):
    return born_on_or_before(years) + timedelta(days=days)


def test_all_residents_means_verified_members_of_this_community(city, make_topic, make_user, resident):
    topic = make_topic(city["a1"])
    member, elsewhere, outsider = resident(city["a1"]), resident(city["b1"]), make_user()
    pending = resident(city["a1"])
    Membership.objects.filter(user=pending).update(status=Membership.Status.PENDING)
    cast_vote(topic, member, first_option(topic))
    for account in (elsewhere, outsider, pending):
        with pytest.raises(VoteRefused, match="not verified"):
            cast_vote(topic, account, first_option(topic))
    assert VoterRoll.objects.get(topic=topic).voter_key == f"user:{member.pk}"
    assert electorate_for(topic).eligible_totals(topic) == (1, Decimal(0))


def test_household_one_vote_per_home(city, make_topic, resident, host_client):
    topic = make_topic(city["a1"], electorate=Topic.Electorate.HOUSEHOLD)
    husband = resident(city["a1"], area="88.5")
    home = Membership.objects.get(user=husband).home
    wife = resident(city["a1"], home=home)
    resident(city["a1"], area="60")  # another household, did not vote
    cast_vote(topic, husband, first_option(topic))
    with pytest.raises(VoteRefused, match="household"):
        cast_vote(topic, wife, first_option(topic, 1))
    roll = VoterRoll.objects.get(topic=topic)
    assert roll.voter_key == f"home:{home.pk}"
    assert Ballot.objects.get(topic=topic).weight == Decimal("88.50")
    assert electorate_for(topic).eligible_totals(topic) == (2, Decimal("148.50"))
    page = host_client("a1.localhost", wife).get(f"/deliberations/{topic.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Your household has already voted" in page.content.decode()


def test_member_without_a_home_cannot_vote_for_a_household(city, make_topic, make_user):
    topic = make_topic(city["a1"], electorate=Topic.Electorate.HOUSEHOLD)
    homeless = make_user()
    Membership.objects.create(user=homeless, community=city["a1"], status=Membership.Status.VERIFIED)
    with pytest.raises(VoteRefused, match="no home recorded"):
        cast_vote(topic, homeless, first_option(topic))


def test_representatives_only(city, make_topic, resident):
    topic = make_topic(city["a1"], electorate=Topic.Electorate.REPRESENTATIVES)
    representative, member = resident(city["a1"], representative=True), resident(city["a1"])
    with pytest.raises(VoteRefused, match="Only resident representatives"):
        cast_vote(topic, member, first_option(topic))
    cast_vote(topic, representative, first_option(topic))
    assert VoterRoll.objects.get(topic=topic).voter_key == f"user:{representative.pk}"
    assert electorate_for(topic).eligible_totals(topic) == (1, Decimal(0))


def test_homeowners_one_vote_per_home_weighted_by_floor_area(city, make_topic, resident):
    topic = make_topic(city["a1"], electorate=Topic.Electorate.HOMEOWNERS, secret=False)
    owner = resident(city["a1"], area="120", homeowner=True)
    co_owner = resident(city["a1"], home=Membership.objects.get(user=owner).home, homeowner=True)
    tenant = resident(city["a1"], area="45")
    resident(city["a1"], area="80", homeowner=True)
    resident(city["b1"], area="999", homeowner=True)  # another community
    with pytest.raises(VoteRefused, match="not recorded as a homeowner"):
        cast_vote(topic, tenant, first_option(topic))
    cast_vote(topic, owner, first_option(topic))
    with pytest.raises(VoteRefused, match="household"):
        cast_vote(topic, co_owner, first_option(topic))
    assert Ballot.objects.get(topic=topic).weight == Decimal("120.00")
    # Two homes, each counted once however many owners live there; the tenant's home does not count.
    assert electorate_for(topic).eligible_totals(topic) == (2, Decimal("200.00"))


def test_unknown_floor_area_counts_as_zero(city, make_topic, resident):
    topic = make_topic(city["a1"], electorate=Topic.Electorate.HOMEOWNERS)
    owner = resident(city["a1"], homeowner=True)  # the office has not recorded the area yet
    cast_vote(topic, owner, first_option(topic))
    assert Ballot.objects.get(topic=topic).weight == Decimal(0)
    assert electorate_for(topic).eligible_totals(topic) == (1, Decimal(0))


def test_minimum_age_boundary_birthday_today(city, make_topic, resident):
    topic = make_topic(city["a1"], min_age=18)
    eighteen_today = resident(city["a1"], born=years_ago(18))
    eighteen_tomorrow = resident(city["a1"], born=years_ago(18, days=1))
    unknown = resident(city["a1"], born=None)
    with pytest.raises(VoteRefused, match="aged 18 or over may vote on this topic.$"):
        cast_vote(topic, eighteen_tomorrow, first_option(topic))
    with pytest.raises(VoteRefused, match="your age is not known"):
        cast_vote(topic, unknown, first_option(topic))
    cast_vote(topic, eighteen_today, first_option(topic))
    assert electorate_for(topic).eligible_totals(topic) == (1, Decimal(0))


@pytest.mark.parametrize(
    ("today", "cutoff"),
    [
        (date(2026, 11, 25), date(2008, 11, 25)),
        (date(2028, 2, 29), date(2010, 2, 28)),  # nobody is born on 29 February 2010
        (date(2026, 3, 1), date(2008, 3, 1)),  # born 29 February 2008: 18 from 1 March 2026
    ],
)
def test_born_on_or_before(today, cutoff):
    assert born_on_or_before(18, today) == cutoff


def test_double_majority_uses_floor_area_of_all_eligible_homes(city, make_topic, resident):
    """Homeowners' decision: 4 homes (300 m²). Two large homes vote yes: half the homes, 2/3 of the area."""
    topic = make_topic(
        city["a1"],
        electorate=Topic.Electorate.HOMEOWNERS,
        majority=Topic.Majority.DOUBLE,
        double_participation="two_thirds",
        double_approval="more_than_half",
        secret=False,
    )
    big = [resident(city["a1"], area="100", homeowner=True) for _ in range(2)]
    for _ in range(2):
        resident(city["a1"], area="50", homeowner=True)
    for owner in big:
        cast_vote(topic, owner, first_option(topic))
    sealed = ballots.seal(close_voting(topic))
    assert (sealed.sealed_eligible_headcount, sealed.sealed_eligible_area) == (4, Decimal("300.00"))
    checks = {c["rule"]: c for c in sealed.sealed_result["checks"]}
    assert checks["participation_area"]["met"] and not checks["participation_headcount"]["met"]
    assert not sealed.sealed_result["passed"]


def test_eligibility_costs_one_query_per_voter(city, make_topic, resident, django_assert_num_queries):
    topic = make_topic(city["a1"], electorate=Topic.Electorate.HOMEOWNERS, min_age=18)
    owner = resident(city["a1"], area="70", homeowner=True, born=date(1970, 1, 1))
    neighbour = resident(city["a1"], area="80", homeowner=True, born=date(1980, 1, 1))
    electorate = MembershipElectorate()
    with django_assert_num_queries(2):  # the voter's membership, and the topic's buildings (once per topic)
        assert electorate.refusal(owner, topic) is None
        assert electorate.voter_key(owner, topic).startswith("home:")
        assert electorate.weight(owner, topic) == Decimal("70.00")
    with django_assert_num_queries(1):
        assert electorate.refusal(neighbour, topic) is None
        assert electorate.weight(neighbour, topic) == Decimal("80.00")


def test_eligible_members_agree_with_refusal(city, make_topic, resident, make_user):
    """The totals (one query) and the per-voter check must count the same people."""
    born = timezone.localdate() - timedelta(days=365 * 30)
    accounts = [
        resident(city["a1"], homeowner=True, area="50", born=born),
        resident(city["a1"], representative=True, born=years_ago(16)),
        resident(city["a1"], born=None),
        resident(city["a1"], homeowner=True, area="70", born=years_ago(18, days=1)),
        resident(city["b1"], homeowner=True, representative=True, born=born),
        make_user(),
    ]
    electorate = MembershipElectorate()
    for kind in Topic.Electorate.values:
        for min_age in (None, 18):
            topic = make_topic(city["a1"], electorate=kind, min_age=min_age)
            allowed = {u.pk for u in accounts if electorate.refusal(u, topic) is None}
            counted = set(electorate.eligible_members(topic).values_list("user_id", flat=True))
            assert allowed == counted, (kind, min_age)

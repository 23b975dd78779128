"""The decision rules, edge cases included. Pure: no database."""

from decimal import Decimal

import pytest

from participation.deliberations.tally import DOUBLE, OF_ELIGIBLE, SIMPLE, TWO_THIRDS, OptionInfo, Rules, Vote, tally

YES, NO, ABSTAIN = OptionInfo("1", "For"), OptionInfo("2", "Against"), OptionInfo("3", "Abstain", abstention=True)
OPTIONS = [YES, NO, ABSTAIN]


def votes(yes=0, no=0, abstain=0, weight=Decimal(0)):
    return [Vote("1", weight)] * yes + [Vote("2", weight)] * no + [Vote("3", weight)] * abstain


def check(result, rule):
    return next(c for c in result["checks"] if c["rule"] == rule)


def test_simple_majority_met_and_margin():
    result = tally(OPTIONS, votes(yes=6, no=4), Rules(SIMPLE), 100, Decimal(0))
    assert result["passed"] and result["leader"] == "1"
    c = check(result, "simple_majority")
    assert (c["met"], c["needed"], c["margin"]) == (True, "6", "0")


def test_simple_majority_exactly_half_is_not_enough():
    result = tally(OPTIONS, votes(yes=5, no=4, abstain=1), Rules(SIMPLE), 100, Decimal(0))
    c = check(result, "simple_majority")
    assert not result["passed"]
    assert (c["met"], c["needed"], c["margin"]) == (False, "6", "-1")


def test_tie_passes_nothing_and_says_tie():
    result = tally(OPTIONS, votes(yes=3, no=3), Rules(SIMPLE), 10, Decimal(0))
    assert result["tie"] and result["leader"] == "" and not result["passed"]
    assert check(result, "simple_majority")["reason"] == "tie"


def test_zero_votes_decides_nothing_even_with_two_thirds():
    result = tally(OPTIONS, [], Rules(TWO_THIRDS), 10, Decimal(0))
    c = check(result, "two_thirds_majority")
    assert not result["passed"] and c["reason"] == "no_votes" and c["needed"] == "1"
    assert result["counts"]["1"] == {"votes": "0", "area": "0.00"}


def test_exactly_two_thirds_passes_one_less_fails():
    at = tally(OPTIONS, votes(yes=20, no=10), Rules(TWO_THIRDS), 100, Decimal(0))
    assert at["passed"] and check(at, "two_thirds_majority")["margin"] == "0"
    below = tally(OPTIONS, votes(yes=19, no=10), Rules(TWO_THIRDS), 100, Decimal(0))
    c = check(below, "two_thirds_majority")
    assert not below["passed"] and (c["needed"], c["margin"]) == ("20", "-1")


def test_abstention_counts_as_cast_but_cannot_win():
    result = tally(OPTIONS, votes(yes=4, no=1, abstain=5), Rules(SIMPLE), 100, Decimal(0))
    assert result["leader"] == "1"
    assert not result["passed"]  # 4 of 10 cast
    only_abstain = tally(OPTIONS, votes(abstain=3), Rules(SIMPLE), 100, Decimal(0))
    assert only_abstain["leader"] == "" and check(only_abstain, "simple_majority")["reason"] == "no_leader"


def test_exactly_at_quorum_passes_one_below_fails():
    at = tally(OPTIONS, votes(yes=10), Rules(SIMPLE, quorum_percent=50), 20, Decimal(0))
    assert at["passed"] and check(at, "quorum")["margin"] == "0"
    below = tally(OPTIONS, votes(yes=9), Rules(SIMPLE, quorum_percent=50), 20, Decimal(0))
    q = check(below, "quorum")
    assert not below["passed"] and (q["met"], q["needed"], q["margin"]) == (False, "10", "-1")
    assert check(below, "simple_majority")["met"]  # the majority was there, the turnout was not


def test_quorum_rounds_up_to_whole_voters():
    result = tally(OPTIONS, votes(yes=4), Rules(SIMPLE, quorum_percent=30), 11, Decimal(0))  # 3.3 -> 4
    assert check(result, "quorum")["needed"] == "4" and result["passed"]


def test_quorum_without_electorate_is_missed_not_waved_through():
    result = tally(OPTIONS, votes(yes=3), Rules(SIMPLE, quorum_percent=50), 0, Decimal(0))
    assert check(result, "quorum")["reason"] == "no_electorate" and not result["passed"]


def homeowners(yes_areas, no_areas):
    return [Vote("1", Decimal(a)) for a in yes_areas] + [Vote("2", Decimal(a)) for a in no_areas]


DOUBLE_RULES = Rules(DOUBLE, double_participation="two_thirds", double_approval="more_than_half")


def test_double_majority_both_dimensions_pass():
    result = tally(OPTIONS, homeowners(["80"] * 5, ["80"] * 2), DOUBLE_RULES, 9, Decimal("720"))
    assert result["passed"]
    assert [c["met"] for c in result["checks"]] == [True, True, True, True]


def test_double_majority_headcount_passes_area_fails():
    # 4 small flats for, 3 large flats against: most people, not most area.
    result = tally(OPTIONS, homeowners(["50"] * 4, ["150"] * 3), DOUBLE_RULES, 9, Decimal("800"))
    assert check(result, "approval_headcount")["met"]
    area = check(result, "approval_area")
    assert not area["met"] and area["actual"] == "200.00" and area["needed"] == "325.00"
    assert area["margin"] == "-125.00" and area["strict"]
    assert not result["passed"]


def test_double_majority_area_passes_headcount_fails():
    # For: 3 large flats; Against 2 and Abstain 2 small ones. For leads, with 3 of 7 voters only.
    cast = homeowners(["200"] * 3, ["50"] * 2) + [Vote("3", Decimal("50"))] * 2
    result = tally(OPTIONS, cast, DOUBLE_RULES, 8, Decimal("1000"))
    assert result["leader"] == "1"
    assert check(result, "approval_area")["met"] and not check(result, "approval_headcount")["met"]
    assert check(result, "approval_headcount")["margin"] == "-1"
    assert not result["passed"]


def test_double_majority_headcount_leader_is_judged_on_area_too():
    # Against has more owners, For more area: neither passes both dimensions.
    result = tally(OPTIONS, homeowners(["300"] * 3, ["40"] * 4), DOUBLE_RULES, 8, Decimal("1100"))
    assert result["leader"] == "2"
    assert check(result, "approval_headcount")["met"] and not check(result, "approval_area")["met"]
    assert not result["passed"]


def test_double_majority_participation_of_eligible_exactly_two_thirds():
    # 6 of 9 owners (exactly 2/3) holding exactly 2/3 of 900 m².
    result = tally(OPTIONS, homeowners(["100"] * 6, []), DOUBLE_RULES, 9, Decimal("900"))
    head, area = check(result, "participation_headcount"), check(result, "participation_area")
    assert head["met"] and head["margin"] == "0"
    assert area["met"] and area["needed"] == "600.00" and area["margin"] == "0.00"
    less = tally(OPTIONS, homeowners(["100"] * 5 + ["99.99"], []), DOUBLE_RULES, 9, Decimal("900"))
    assert not check(less, "participation_area")["met"] and check(less, "participation_area")["margin"] == "-0.01"


def test_double_majority_three_quarters_of_all_eligible():
    rules = Rules(DOUBLE, double_approval="three_quarters", double_approval_base=OF_ELIGIBLE)
    result = tally(OPTIONS, homeowners(["100"] * 6, []), rules, 8, Decimal("800"))  # 6/8 = exactly 3/4
    assert check(result, "approval_headcount")["needed"] == "6" and result["passed"]
    result = tally(OPTIONS, homeowners(["100"] * 5, []), rules, 8, Decimal("800"))
    assert not result["passed"] and check(result, "approval_area")["margin"] == "-100.00"


def test_area_fractions_are_exact_not_float():
    # 1/2 of 0.03 is 0.015: 0.02 is more, 0.01 is not, whatever the display rounds to.
    rules = Rules(DOUBLE, double_approval="more_than_half")
    ok = tally(OPTIONS, [Vote("1", Decimal("0.02")), Vote("3", Decimal("0.01"))], rules, 2, Decimal("0.03"))
    assert check(ok, "approval_area")["met"]
    half = tally(OPTIONS, [Vote("1", Decimal("0.01")), Vote("3", Decimal("0.01"))], rules, 2, Decimal("0.02"))
    assert not check(half, "approval_area")["met"]  # exactly half is not "more than half"


def test_unknown_option_in_votes_is_an_error():
    with pytest.raises(ValueError):
        tally(OPTIONS, [Vote("99")], Rules(SIMPLE), 1, Decimal(0))

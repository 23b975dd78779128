"""The counting rules, table-driven: pure functions over posts and ballots (no database)."""

from decimal import Decimal

import pytest

from participation.elections import counting

CHAIR = {
    "key": "1",
    "name": "主任",
    "seats": "1",
    "candidates": [{"key": "c:1", "name": "甲"}, {"key": "c:2", "name": "乙"}],
}
MEMBERS = {
    "key": "2",
    "name": "委员",
    "seats": "2",
    "candidates": [{"key": f"c:{n}", "name": name} for n, name in ((3, "丙"), (4, "丁"), (5, "戊"))],
    "write_ins": {"w:9": "己"},
}


def ballots(*marks_per_ballot, weight="0"):
    """Each item: (chair marks, member marks)."""
    return [{"choices": {"1": list(a), "2": list(b)}, "weight": weight} for a, b in marks_per_ballot]


def row(result, post, key):
    return next(r for r in result["posts"][post]["rows"] if r["key"] == key)


RESIDENT_CASES = [
    # (name, eligible, ballots, expectations: [(post, key, status, reason)], valid)
    (
        "majority of ballots cast elects",
        5,
        ballots((["c:1"], ["c:3", "c:4"]), (["c:1"], ["c:3", "c:4"]), (["c:2"], ["c:3", "c:5"])),
        [
            (0, "c:1", "elected", counting.ELECTED),
            (0, "c:2", "not_elected", counting.BELOW),
            (1, "c:3", "elected", counting.ELECTED),
            (1, "c:4", "elected", counting.ELECTED),
            (1, "c:5", "not_elected", counting.BELOW),
        ],
        True,
    ),
    (
        "half of the electorate is not more than half: invalid, nobody elected",
        6,
        ballots((["c:1"], ["c:3"]), (["c:1"], ["c:3"]), (["c:1"], ["c:3"])),
        [(0, "c:1", "not_elected", counting.INVALID_ELECTION)],
        False,
    ),
    (
        "exactly half of ballots cast is not more than half",
        4,
        ballots((["c:1"], []), (["c:2"], []), (["c:1"], []), (["c:2"], [])),
        [(0, "c:1", "not_elected", counting.BELOW), (0, "c:2", "not_elected", counting.BELOW)],
        True,
    ),
    (
        "more pass than seats: most votes win",
        7,
        ballots(*[(["c:1"], ["c:3", "c:4"])] * 3, *[(["c:1"], ["c:3", "c:5"])] * 2, *[(["c:1"], ["c:4", "c:5"])] * 2),
        [
            (1, "c:3", "elected", counting.MOST_VOTES),
            (1, "c:4", "elected", counting.MOST_VOTES),
            (1, "c:5", "not_elected", counting.OUTVOTED),
        ],
        True,
    ),
    (
        "tie for the last seat: run-off",
        3,
        ballots((["c:1"], ["c:3", "c:4"]), (["c:1"], ["c:3", "c:5"]), (["c:1"], ["c:4", "c:5"])),
        [
            (1, "c:3", "runoff", counting.RUNOFF),
            (1, "c:4", "runoff", counting.RUNOFF),
            (1, "c:5", "runoff", counting.RUNOFF),
        ],
        True,
    ),
    (
        "a write-in can be elected",
        3,
        ballots((["c:1"], ["w:9"]), (["c:1"], ["w:9"]), (["c:1"], ["c:3"])),
        [(1, "w:9", "elected", counting.ELECTED), (1, "c:3", "not_elected", counting.BELOW)],
        True,
    ),
]


@pytest.mark.parametrize("name,eligible,entries,expected,valid", RESIDENT_CASES, ids=[c[0] for c in RESIDENT_CASES])
def test_residents_committee_rules(name, eligible, entries, expected, valid):
    result = counting.count([CHAIR, MEMBERS], entries, counting.Rules(), eligible, Decimal(0))
    assert result["valid"] is valid
    for post, key, status, reason in expected:
        found = row(result, post, key)
        assert (found["status"], found["reason"]) == (status, reason), found


def test_a_ballot_over_the_limit_is_invalid_for_that_post_only():
    entries = ballots((["c:1"], ["c:3", "c:4", "c:5"]), (["c:1"], ["c:3"]), (["abstain"], []), (["c:1", "abstain"], []))
    result = counting.count([CHAIR, MEMBERS], entries, counting.Rules(), 4, Decimal(0))
    chair, members = result["posts"]
    assert (chair["valid"], chair["invalid"], chair["abstain"], chair["blank"]) == ("2", "1", "1", "0")
    assert (members["valid"], members["invalid"], members["blank"]) == ("1", "1", "2")
    assert row(result, 0, "c:1")["votes"] == "2"  # the over-limit ballot still counts for the chair
    assert row(result, 1, "c:3")["votes"] == "1"


def test_a_second_round_elects_with_one_third():
    rules = counting.Rules(elected_with="one_third")
    entries = ballots((["c:1"], []), (["c:2"], []), (["c:2"], []), ([], []), ([], []), ([], []))
    result = counting.count([CHAIR], entries, rules, 6, Decimal(0))
    assert row(result, 0, "c:2")["status"] == "elected"  # 2 of 6 = one third, "at least"
    assert row(result, 0, "c:1")["status"] == "not_elected"


def test_empty_seats_are_left_for_a_second_round():
    entries = ballots((["c:1"], ["c:3"]), (["c:1"], ["c:4"]), (["c:1"], ["c:5"]))
    result = counting.count([CHAIR, MEMBERS], entries, counting.Rules(), 3, Decimal(0))
    assert result["posts"][1]["empty_seats"] == "2" and result["empty_seats"] == "2"


HOMEOWNER_CASES = [
    # (name, eligible owners, eligible area, ballots with weights, chair elected?, valid?)
    (
        "two thirds of owners and of area take part, both majorities",
        3,
        "300",
        [("c:1", "100"), ("c:1", "100")],
        True,
        True,
    ),
    ("two thirds of owners but not of the area", 3, "300", [("c:1", "50"), ("c:1", "50")], False, False),
    (
        "majority of owners but not of the area taking part",
        3,
        "300",
        [("c:1", "60"), ("c:1", "60"), ("c:2", "180")],
        False,
        True,
    ),
]


@pytest.mark.parametrize("name,owners,area,cast,elected,valid", HOMEOWNER_CASES, ids=[c[0] for c in HOMEOWNER_CASES])
def test_homeowners_double_majority(name, owners, area, cast, elected, valid):
    rules = counting.Rules(kind=counting.HOMEOWNERS, participation="two_thirds")
    entries = [{"choices": {"1": [mark]}, "weight": weight} for mark, weight in cast]
    result = counting.count([CHAIR], entries, rules, owners, Decimal(area))
    assert result["valid"] is valid
    assert [c["rule"] for c in result["checks"]] == ["participation_headcount", "participation_area"]
    assert (row(result, 0, "c:1")["status"] == "elected") is elected
    assert result["area_voted"] == str(sum(Decimal(w) for _m, w in cast).quantize(Decimal("0.01")))

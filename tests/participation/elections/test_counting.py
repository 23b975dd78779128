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


# Ties and the run-off (决选) ---------------------------------------------------------------------

TIE_CASES = [
    # (name, ballots, {key: (status, reason)}, runoffs: [(post key, seats, tied keys)], empty member seats)
    (
        "one above the cut, two tied for the last seat: a run-off for one seat between the two",
        ballots(*[(["c:1"], ["c:3", "c:4"])] * 2, *[(["c:1"], ["c:3", "c:5"])] * 2, (["c:1"], ["c:4", "c:5"])),
        {
            "c:3": ("elected", counting.MOST_VOTES),
            "c:4": ("runoff", counting.RUNOFF),
            "c:5": ("runoff", counting.RUNOFF),
        },
        [("2", "1", ["c:4", "c:5"])],
        "0",
    ),
    (
        "three tied for two seats: a run-off for both",
        ballots((["c:1"], ["c:3", "c:4"]), (["c:1"], ["c:3", "c:5"]), (["c:1"], ["c:4", "c:5"])),
        dict.fromkeys(("c:3", "c:4", "c:5"), ("runoff", counting.RUNOFF)),
        [("2", "2", ["c:3", "c:4", "c:5"])],
        "0",
    ),
    (
        "a tie that fits the seats is no tie: both elected",
        ballots(*[(["c:1"], ["c:3", "c:4"])] * 3, (["c:1"], ["c:5"])),
        {
            "c:3": ("elected", counting.ELECTED),
            "c:4": ("elected", counting.ELECTED),
            "c:5": ("not_elected", counting.BELOW),
        },
        [],
        "0",
    ),
    (
        "a tie below the threshold is no run-off: the seats stay empty for a second round",
        ballots((["c:1"], ["c:3"]), (["c:1"], ["c:4"]), (["c:1"], ["c:5"]), (["c:1"], [])),
        dict.fromkeys(("c:3", "c:4", "c:5"), ("not_elected", counting.BELOW)),
        [],
        "2",
    ),
    (
        "a write-in tied with a candidate goes to the run-off too",
        ballots(*[(["c:1"], ["c:3", "w:9"])] * 2, *[(["c:1"], ["c:3", "c:4"])] * 2, (["c:1"], ["w:9", "c:4"])),
        {
            "c:3": ("elected", counting.MOST_VOTES),
            "c:4": ("runoff", counting.RUNOFF),
            "w:9": ("runoff", counting.RUNOFF),
        },
        [("2", "1", ["c:4", "w:9"])],
        "0",
    ),
]


@pytest.mark.parametrize("name,entries,expected,ties,empty", TIE_CASES, ids=[c[0] for c in TIE_CASES])
def test_ties_for_the_last_seats(name, entries, expected, ties, empty):
    result = counting.count([CHAIR, MEMBERS], entries, counting.Rules(), len(entries), Decimal(0))
    for key, outcome in expected.items():
        found = row(result, 1, key)
        assert (found["status"], found["reason"]) == outcome, found
    assert [(t["post"], t["seats"], t["candidates"]) for t in result["runoffs"]] == ties
    assert result["runoff_seats"] == str(sum(int(seats) for _p, seats, _c in ties))
    assert result["posts"][1]["empty_seats"] == empty


RUNOFF = counting.Rules(elected_with=counting.MOST, write_ins=False)
TIED = {
    "key": "7",
    "name": "委员",
    "seats": "1",
    "candidates": [{"key": "c:4", "name": "丁"}, {"key": "c:5", "name": "戊"}],
}


def runoff_ballots(*marks, weight="0"):
    return [{"choices": {"7": list(m)}, "weight": weight} for m in marks]


RUNOFF_CASES = [
    # (name, seats, ballots, {key: (status, reason)}, runoff seats again, empty seats)
    (
        "the most votes win, however few",
        "1",
        runoff_ballots(["c:4"], ["c:4"], ["c:5"], [], [], []),
        {"c:4": ("elected", counting.MOST_VOTES), "c:5": ("not_elected", counting.OUTVOTED)},
        "0",
        "0",
    ),
    (
        "only one of the tied gets votes: elected by the most votes",
        "1",
        runoff_ballots(["c:5"], [], ["abstain"]),
        {"c:5": ("elected", counting.MOST_VOTES), "c:4": ("not_elected", counting.BELOW)},
        "0",
        "0",
    ),
    (
        "tied again: another run-off",
        "1",
        runoff_ballots(["c:4"], ["c:5"], []),
        {"c:4": ("runoff", counting.RUNOFF), "c:5": ("runoff", counting.RUNOFF)},
        "1",
        "0",
    ),
    (
        "nobody votes for the tied: the seat stays empty for a second round",
        "1",
        runoff_ballots([], ["abstain"]),
        {"c:4": ("not_elected", counting.BELOW), "c:5": ("not_elected", counting.BELOW)},
        "0",
        "1",
    ),
    (
        "a write-in is invalid in a run-off, for that post",
        "1",
        runoff_ballots(["w:9"], ["w:9"], ["c:4"]),
        {"c:4": ("elected", counting.MOST_VOTES)},
        "0",
        "0",
    ),
    (
        "two seats for two tied: both win",
        "2",
        runoff_ballots(["c:4", "c:5"], ["c:4"]),
        {"c:4": ("elected", counting.MOST_VOTES), "c:5": ("elected", counting.MOST_VOTES)},
        "0",
        "0",
    ),
]


@pytest.mark.parametrize("name,seats,entries,expected,again,empty", RUNOFF_CASES, ids=[c[0] for c in RUNOFF_CASES])
def test_the_runoff_is_won_by_the_most_votes(name, seats, entries, expected, again, empty):
    result = counting.count([{**TIED, "seats": seats}], entries, RUNOFF, len(entries), Decimal(0))
    post = result["posts"][0]
    for key, outcome in expected.items():
        found = row(result, 0, key)
        assert (found["status"], found["reason"]) == outcome, found
    assert (post["runoff_seats"], post["empty_seats"]) == (again, empty)
    assert all(r["key"] != "w:9" for r in post["rows"])  # an invalid mark is nobody's vote
    assert int(post["invalid"]) == sum(1 for e in entries if e["choices"]["7"] == ["w:9"])


def test_the_runoff_rules_travel_in_the_log_header_and_the_recount_agrees():
    """Recounting from the published header gives the run-off's result (no write-ins); first rounds'
    headers keep their old shape (no write_ins key), so logs sealed before run-offs verify as before."""
    assert counting.Rules().as_dict() == {
        "kind": "residents",
        "participation": "more_than_half",
        "elected_with": "more_than_half",
    }
    header = {"posts": [TIED], "rules": RUNOFF.as_dict(), "eligible_headcount": "3", "eligible_area": "0"}
    entries = runoff_ballots(["w:9"], ["c:5"], ["c:5"])
    assert counting.recount(header, entries) == counting.count([TIED], entries, RUNOFF, 3, Decimal(0))
    assert row(counting.recount(header, entries), 0, "c:5")["status"] == "elected"


def test_a_homeowners_runoff_keeps_the_double_majority():
    rules = counting.Rules(
        kind=counting.HOMEOWNERS, participation="two_thirds", elected_with="more_than_half", write_ins=False
    )
    entries = [
        {"choices": {"7": ["c:4"]}, "weight": "30"},
        {"choices": {"7": ["c:4"]}, "weight": "30"},
        {"choices": {"7": ["c:5"]}, "weight": "140"},
    ]
    result = counting.count([TIED], entries, rules, 3, Decimal("200"))
    # c:4 has most owners but not more than half of the area taking part; c:5 the area but not the owners
    assert [row(result, 0, k)["status"] for k in ("c:4", "c:5")] == ["not_elected", "not_elected"]
    assert result["posts"][0]["empty_seats"] == "1"

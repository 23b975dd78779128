"""Counting an election's ballots under its rules. Pure: no database, no clock.

The sealed result and the recount from the published log both call `count`, so they cannot disagree.
Each post is counted on its own: a ballot with more marks than the post has seats (or a mark that is
not a candidate of the post, or a mark beside "abstain") is invalid for that post only.

Legal defaults (城市居民委员会组织法, 民法典 第二百七十八条):
* residents' committee: valid when more than half of the electorate votes; a candidate is elected with
  more than half of the ballots cast; in a second round (另行选举), with at least one third;
* homeowners' committee: valid when owners of at least two thirds of the floor area AND at least two
  thirds of the owners vote; elected with more than half of the area AND of the owners taking part.
* When more candidates pass than there are seats, the most votes win; a tie for the last seats goes
  to a run-off (决选) among the tied (`runoffs` of the result: the post, its seats, the tied); seats
  nobody wins are left for a second round.
* a run-off lists the tied only (no write-ins) and the most votes win (at least one vote; the
  homeowners' double majority still applies); a new tie goes to another run-off.

Checks reuse the deliberations tally's exact headcount and area checks (integers, Fractions).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from participation.deliberations.tally import _area_check, _headcount_check, area_str

RESIDENTS = "residents"
HOMEOWNERS = "homeowners"
ABSTAIN = "abstain"

# The kinds of round (Election.RoundKind).
FIRST_ROUND = "first"
RUNOFF_ROUND = "runoff"
SECOND_ROUND = "second"
MOST = "most_votes"  # the run-off's threshold: at least one vote; among those, the most win

# name -> (share, strict): strict means "more than", otherwise "at least".
THRESHOLDS = {
    "more_than_half": (Fraction(1, 2), True),
    "two_thirds": (Fraction(2, 3), False),
    "one_third": (Fraction(1, 3), False),
    MOST: (Fraction(0), True),
}

# Why a person was or was not elected (the results page words them).
ELECTED = "elected"  # passed the threshold, and within the seats
MOST_VOTES = "most_votes"  # passed, more passed than seats, and among the most votes
RUNOFF = "runoff"  # tied for the last seats: a run-off decides
OUTVOTED = "outvoted"  # passed, but others with more votes took the seats
BELOW = "below_threshold"
INVALID_ELECTION = "election_invalid"  # too few took part: nobody is elected


@dataclass(frozen=True)
class Rules:
    kind: str = RESIDENTS
    participation: str = "more_than_half"
    elected_with: str = "more_than_half"
    write_ins: bool = True  # a run-off is among the tied only

    def as_dict(self) -> dict:
        rules = {"kind": self.kind, "participation": self.participation, "elected_with": self.elected_with}
        if not self.write_ins:  # absent when true: the headers of logs sealed before run-offs stay as they were
            rules["write_ins"] = False
        return rules


def percent(part, whole) -> str:
    """Share in percent to one decimal, exact until the rounding."""
    if not whole:
        return "0.0"
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return str(value)


def classify(marks, candidates: set, seats: int, write_ins: bool = True) -> str:
    """'blank', 'abstain', 'invalid' or 'valid' for one post's marks on one ballot."""
    if not marks:
        return "blank"
    if ABSTAIN in marks:
        return "abstain" if len(marks) == 1 else "invalid"
    if len(marks) > seats or len(set(marks)) != len(marks):
        return "invalid"
    for mark in marks:
        if mark.startswith("c:") and mark not in candidates:
            return "invalid"
        if not mark.startswith(("c:", "w:")) or (mark.startswith("w:") and not write_ins):
            return "invalid"
    return "valid"


def _participation(rules: Rules, ballots: int, area: Decimal, headcount: int, eligible_area: Decimal) -> list:
    share, strict = THRESHOLDS[rules.participation]
    checks = [_headcount_check("participation_headcount", ballots, headcount, share, strict)]
    if rules.kind == HOMEOWNERS:
        checks.append(_area_check("participation_area", area, eligible_area, share, strict))
    return checks


def _passes(rules: Rules, votes: int, area: Decimal, ballots: int, area_voted: Decimal) -> tuple[bool, str]:
    share, strict = THRESHOLDS[rules.elected_with]
    check = _headcount_check("elected_headcount", votes, ballots, share, strict)
    passed, needed = check["met"], check["needed"]
    if rules.kind == HOMEOWNERS:
        area_check = _area_check("elected_area", area, area_voted, share, strict)
        passed = passed and area_check["met"]
    return passed, needed


def count_post(post: dict, entries: list, rules: Rules, valid: bool, ballots: int, area_voted: Decimal) -> dict:
    """One post: invalid/blank/abstain, votes (and area) per person, who is elected and why."""
    seats = int(post["seats"])
    names = {c["key"]: c["name"] for c in post["candidates"]}
    names.update(post.get("write_ins", {}))
    tallies = {key: [0, Decimal(0)] for key in (c["key"] for c in post["candidates"])}
    kinds = {"valid": 0, "invalid": 0, "blank": 0, "abstain": 0}
    for entry in entries:
        marks = entry["choices"].get(post["key"], [])
        kind = classify(marks, set(names) - set(post.get("write_ins", {})), seats, rules.write_ins)
        kinds[kind] += 1
        if kind == "valid":
            for mark in marks:
                row = tallies.setdefault(mark, [0, Decimal(0)])
                row[0] += 1
                row[1] += Decimal(entry["weight"])
    rows = []
    for key, (votes, area) in tallies.items():
        passed, needed = _passes(rules, votes, area, ballots, area_voted)
        rows.append(
            {
                "key": key,
                "name": names.get(key, key),
                "write_in": key.startswith("w:"),
                "votes": votes,
                "area": area,
                "passed": passed and valid,
                "needed": needed,
            }
        )
    rows.sort(key=lambda r: (-r["votes"], r["key"]))
    passing = [r for r in rows if r["passed"]]
    elected = runoff = 0
    if len(passing) <= seats:
        for row in passing:
            row["status"], row["reason"] = "elected", (MOST_VOTES if rules.elected_with == MOST else ELECTED)
        elected = len(passing)
    else:
        cut = passing[seats - 1]["votes"]
        above = [r for r in passing if r["votes"] > cut]
        tied = [r for r in passing if r["votes"] == cut]
        for row in above:
            row["status"], row["reason"] = "elected", MOST_VOTES
        if len(above) + len(tied) <= seats:
            for row in tied:
                row["status"], row["reason"] = "elected", MOST_VOTES
            elected = len(above) + len(tied)
        else:
            for row in tied:
                row["status"], row["reason"] = "runoff", RUNOFF
            elected, runoff = len(above), seats - len(above)
        for row in passing:
            row.setdefault("status", "not_elected")
            row.setdefault("reason", OUTVOTED)
    for row in rows:
        if "status" not in row:
            row["status"], row["reason"] = "not_elected", (BELOW if valid else INVALID_ELECTION)
    return {
        "key": post["key"],
        "name": post["name"],
        "seats": str(seats),
        "valid": str(kinds["valid"]),
        "invalid": str(kinds["invalid"]),
        "blank": str(kinds["blank"]),
        "abstain": str(kinds["abstain"]),
        "elected": str(elected),
        "runoff_seats": str(runoff),
        "empty_seats": str(seats - elected - runoff),
        "runoff": [r["key"] for r in rows if r["status"] == "runoff"],
        "rows": [
            {
                "key": r["key"],
                "name": r["name"],
                "write_in": r["write_in"],
                "votes": str(r["votes"]),
                "area": area_str(r["area"]),
                "share": percent(r["votes"], ballots),
                "area_share": percent(r["area"], area_voted) if rules.kind == HOMEOWNERS else "",
                "needed": r["needed"],
                "status": r["status"],
                "reason": r["reason"],
            }
            for r in rows
        ],
    }


def count(posts: list, entries: list, rules: Rules, eligible_headcount: int, eligible_area: Decimal) -> dict:
    """posts: [{"key", "name", "seats", "candidates": [{"key", "name"}], "write_ins": {key: name}}];
    entries: [{"choices": {post key: [marks]}, "weight": area}] (the published log's entries)."""
    ballots = len(entries)
    area_voted = sum((Decimal(e["weight"]) for e in entries), Decimal(0))
    checks = _participation(rules, ballots, area_voted, eligible_headcount, Decimal(eligible_area))
    valid = all(c["met"] for c in checks)
    counted = [count_post(post, entries, rules, valid, ballots, area_voted) for post in posts]
    return {
        "rules": rules.as_dict(),
        "eligible_headcount": str(eligible_headcount),
        "eligible_area": area_str(eligible_area),
        "ballots": str(ballots),
        "area_voted": area_str(area_voted),
        "turnout": percent(ballots, eligible_headcount),
        "area_turnout": percent(area_voted, eligible_area) if rules.kind == HOMEOWNERS else "",
        "checks": checks,
        "valid": valid,
        "posts": counted,
        "empty_seats": str(sum(int(p["empty_seats"]) for p in counted)),
        "runoff_seats": str(sum(int(p["runoff_seats"]) for p in counted)),
        "runoffs": runoffs(counted),
    }


def runoffs(posts: list) -> list:
    """What a run-off decides: per post with a tie for its last seats, the seats and the tied (in order)."""
    return [
        {"post": p["key"], "name": p["name"], "seats": p["runoff_seats"], "candidates": p["runoff"]}
        for p in posts
        if int(p["runoff_seats"])
    ]


LOG_FORMAT = "portal-election-log/1"


def recount(header: dict, entries: list) -> dict:
    """The result from a published election log (registered with ballot_log for its format)."""
    return count(
        header["posts"],
        entries,
        Rules(**header["rules"]),
        int(header["eligible_headcount"]),
        Decimal(header["eligible_area"]),
    )

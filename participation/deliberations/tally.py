"""Counting ballots and applying a topic's decision rules. Pure: no database, no clock.

The live count and the recount from the published log both call `tally`, so they cannot disagree.
Every check is exact (integers, Decimals and Fractions, never floats) and says by how much it
was met or missed. Results are plain dicts of strings so they can be published as JSON and
compared byte for byte.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

SIMPLE = "simple"
TWO_THIRDS = "two_thirds"
DOUBLE = "double"

# name -> (share, strict): strict means "more than", otherwise "at least".
THRESHOLDS = {
    "more_than_half": (Fraction(1, 2), True),
    "two_thirds": (Fraction(2, 3), False),
    "three_quarters": (Fraction(3, 4), False),
}
OF_VOTING = "voting"
OF_ELIGIBLE = "eligible"

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Rules:
    """What a topic needs to pass. See the Topic model for what each field means to a worker."""

    majority: str = SIMPLE
    quorum_percent: int = 0  # share of eligible voters (headcount) that must vote; 0 = no quorum
    double_participation: str = ""  # THRESHOLDS key: share of eligible headcount AND area that must vote
    double_approval: str = "more_than_half"  # THRESHOLDS key for the winning option, headcount AND area
    double_approval_base: str = OF_VOTING  # approval counted against those voting, or all eligible

    def as_dict(self) -> dict:
        return {
            "majority": self.majority,
            "quorum_percent": self.quorum_percent,
            "double_participation": self.double_participation,
            "double_approval": self.double_approval,
            "double_approval_base": self.double_approval_base,
        }


@dataclass(frozen=True)
class OptionInfo:
    key: str
    label: str
    abstention: bool = False


@dataclass(frozen=True)
class Vote:
    option: str
    weight: Decimal = Decimal(0)


def area_str(value) -> str:
    return str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


_area = area_str


def _fraction_str(share: Fraction) -> str:
    return f"{share.numerator}/{share.denominator}"


def _headcount_check(rule, actual: int, base: int, share: Fraction, strict: bool, *, at_least_one=True) -> dict:
    """Whole voters: the number needed is an integer, so the margin is in voters."""
    needed = math.floor(share * base) + 1 if strict else math.ceil(share * base)
    if at_least_one:
        needed = max(needed, 1)
    return {
        "rule": rule,
        "unit": "voters",
        "met": actual >= needed,
        "actual": str(actual),
        "base": str(base),
        "threshold": _fraction_str(share),
        "strict": strict,
        "needed": str(needed),
        "margin": str(actual - needed),
        "reason": "",
    }


def _area_check(rule, actual: Decimal, base: Decimal, share: Fraction, strict: bool) -> dict:
    """Floor area: the bar is share x base exactly; it is shown rounded to the cent."""
    bar = share * Fraction(base)
    exact = Fraction(actual)
    met = (exact > bar if strict else exact >= bar) and exact > 0
    return {
        "rule": rule,
        "unit": "area",
        "met": met,
        "actual": _area(actual),
        "base": _area(base),
        "threshold": _fraction_str(share),
        "strict": strict,
        "needed": _area(Decimal(bar.numerator) / Decimal(bar.denominator)),
        "margin": _area(Decimal((exact - bar).numerator) / Decimal((exact - bar).denominator)),
        "reason": "",
    }


def _with_reason(check: dict, reason: str) -> dict:
    check["met"] = False
    check["reason"] = reason
    return check


def tally(
    options: Iterable[OptionInfo],
    votes: Iterable[Vote],
    rules: Rules,
    eligible_headcount: int,
    eligible_area: Decimal,
) -> dict:
    """Count `votes` one by one (the recount) and apply `rules`."""
    options = list(options)
    counts = {o.key: (0, Decimal(0)) for o in options}
    for vote in votes:
        if vote.option not in counts:
            raise ValueError(f"unknown option {vote.option!r}")
        number, area = counts[vote.option]
        counts[vote.option] = (number + 1, area + Decimal(vote.weight))
    return tally_counts(options, counts, rules, eligible_headcount, eligible_area)


def tally_counts(
    options: Iterable[OptionInfo],
    per_option: dict[str, tuple[int, Decimal]],
    rules: Rules,
    eligible_headcount: int,
    eligible_area: Decimal,
) -> dict:
    """Apply `rules` to (votes, area) per option key. Returns counts, the leading option and every check."""
    options = list(options)
    unknown = set(per_option) - {o.key for o in options}
    if unknown:
        raise ValueError(f"unknown options {sorted(unknown)!r}")
    counts = {o.key: {"votes": 0, "area": Decimal(0)} for o in options}
    for key, (number, area) in per_option.items():
        counts[key] = {"votes": int(number), "area": Decimal(area or 0)}
    voters = sum(c["votes"] for c in counts.values())
    area_voted = sum((c["area"] for c in counts.values()), Decimal(0))

    candidates = [o for o in options if not o.abstention]
    top = max((counts[o.key]["votes"] for o in candidates), default=0)
    leaders = [o.key for o in candidates if counts[o.key]["votes"] == top] if top else []
    leader = leaders[0] if len(leaders) == 1 else None
    tie = len(leaders) > 1

    checks = []
    if rules.quorum_percent:
        check = _headcount_check(
            "quorum", voters, eligible_headcount, Fraction(rules.quorum_percent, 100), False, at_least_one=False
        )
        checks.append(_with_reason(check, "no_electorate") if eligible_headcount == 0 else check)

    lead_votes = counts[leader]["votes"] if leader else top
    lead_area = counts[leader]["area"] if leader else Decimal(0)
    problem = "tie" if tie else ("no_votes" if voters == 0 else ("no_leader" if leader is None else ""))

    def approval(check):
        return _with_reason(check, problem) if problem else check

    if rules.majority == SIMPLE:
        checks.append(approval(_headcount_check("simple_majority", lead_votes, voters, Fraction(1, 2), True)))
    elif rules.majority == TWO_THIRDS:
        checks.append(approval(_headcount_check("two_thirds_majority", lead_votes, voters, Fraction(2, 3), False)))
    elif rules.majority == DOUBLE:
        if rules.double_participation:
            share, strict = THRESHOLDS[rules.double_participation]
            for check in (
                _headcount_check("participation_headcount", voters, eligible_headcount, share, strict),
                _area_check("participation_area", area_voted, eligible_area, share, strict),
            ):
                checks.append(_with_reason(check, "no_electorate") if eligible_headcount == 0 else check)
        share, strict = THRESHOLDS[rules.double_approval]
        if rules.double_approval_base == OF_ELIGIBLE:
            base_votes, base_area = eligible_headcount, eligible_area
        else:
            base_votes, base_area = voters, area_voted
        checks.append(approval(_headcount_check("approval_headcount", lead_votes, base_votes, share, strict)))
        checks.append(approval(_area_check("approval_area", lead_area, base_area, share, strict)))
    else:
        raise ValueError(f"unknown majority rule {rules.majority!r}")

    return {
        "rules": rules.as_dict(),
        "eligible_headcount": str(eligible_headcount),
        "eligible_area": _area(eligible_area),
        "voters": str(voters),
        "area_voted": _area(area_voted),
        "counts": {key: {"votes": str(c["votes"]), "area": _area(c["area"])} for key, c in counts.items()},
        "leader": leader or "",
        "tie": tie,
        "checks": checks,
        "passed": bool(leader) and all(c["met"] for c in checks),
    }

"""Results in plain words: which rule was met or missed, and by how much."""

from django.utils.translation import gettext as _

RULE_NAMES = {
    "quorum": lambda: _("Quorum (turnout of eligible voters)"),
    "simple_majority": lambda: _("Simple majority"),
    "two_thirds_majority": lambda: _("Two-thirds majority"),
    "participation_headcount": lambda: _("Participation by headcount"),
    "participation_area": lambda: _("Participation by floor area"),
    "approval_headcount": lambda: _("Approval by headcount"),
    "approval_area": lambda: _("Approval by floor area"),
}

REASONS = {
    "tie": lambda: _("the leading options are tied"),
    "no_votes": lambda: _("no votes were cast"),
    "no_leader": lambda: _("only abstentions were cast"),
    "no_electorate": lambda: _("nobody is registered as eligible, so it cannot be measured"),
}


def _amount(check, key) -> str:
    value = check[key].lstrip("-")
    return value if check["unit"] == "voters" else _("%(area)s m²") % {"area": value}


def describe(check: dict) -> str:
    rule = RULE_NAMES[check["rule"]]()
    if check["reason"]:
        return _("%(rule)s missed: %(reason)s.") % {"rule": rule, "reason": REASONS[check["reason"]]()}
    if check["unit"] == "voters":
        bar = _("at least %(n)s votes") % {"n": check["needed"]}
    elif check["strict"]:
        bar = _("more than %(amount)s") % {"amount": _amount(check, "needed")}
    else:
        bar = _("at least %(amount)s") % {"amount": _amount(check, "needed")}
    values = {"rule": rule, "actual": _amount(check, "actual"), "base": _amount(check, "base"), "bar": bar}
    if check["met"]:
        values["margin"] = _amount(check, "margin")
        return _("%(rule)s met: %(actual)s of %(base)s, %(bar)s needed; %(margin)s to spare.") % values
    values["margin"] = _amount(check, "margin")
    return _("%(rule)s missed: %(actual)s of %(base)s, %(bar)s needed; short by %(margin)s.") % values


def outcome(result: dict, labels: dict) -> str:
    if result["passed"]:
        return _("Decided: “%(option)s”.") % {"option": labels.get(result["leader"], result["leader"])}
    return _("No decision: not every rule was met.")


def client_wording(options: list, links: list | None = None) -> dict:
    """The same sentences as `describe`, `outcome` and the results table, in the current language, with
    their %(name)s placeholders, for the page's script to render a live tally (tally-live.js).

    `options` are (key, label) pairs in the table's order; `links` the (href, text) pairs under a sealed result.
    """
    return {
        "options": [{"key": key, "label": label} for key, label in options],
        "headings": [_("Option"), _("Votes"), _("Share of votes"), _("Floor area (m²)")],
        "rules": {rule: name() for rule, name in RULE_NAMES.items()},
        "reasons": {reason: text() for reason, text in REASONS.items()},
        "missed_because": _("%(rule)s missed: %(reason)s."),
        "at_least_votes": _("at least %(n)s votes"),
        "more_than": _("more than %(amount)s"),
        "at_least": _("at least %(amount)s"),
        "area": _("%(area)s m²"),
        "met": _("%(rule)s met: %(actual)s of %(base)s, %(bar)s needed; %(margin)s to spare."),
        "missed": _("%(rule)s missed: %(actual)s of %(base)s, %(bar)s needed; short by %(margin)s."),
        "decided": _("Decided: “%(option)s”."),
        "no_decision": _("No decision: not every rule was met."),
        "voted": _("%(voters)s voted"),
        "voted_of": _("%(voters)s voted of %(eligible)s eligible"),
        "sealed_links": [{"href": href, "text": text} for href, text in links or []],
    }

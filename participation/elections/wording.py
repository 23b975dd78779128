"""Results in words: why each person was or was not elected, the participation checks."""

from django.utils.translation import gettext as _

from . import counting

REASONS = {
    counting.ELECTED: lambda r: _("Elected: %(votes)s votes, at least the %(needed)s needed.") % r,
    counting.MOST_VOTES: lambda r: (
        _("Elected: more candidates passed than there are seats, and %(votes)s votes are among the most.") % r
    ),
    counting.RUNOFF: lambda r: _("Tied for the last seats with %(votes)s votes: a run-off decides.") % r,
    counting.OUTVOTED: lambda r: _("Not elected: passed the threshold, but others with more votes took the seats.") % r,
    counting.BELOW: lambda r: _("Not elected: %(votes)s votes, %(needed)s needed.") % r,
    counting.INVALID_ELECTION: lambda r: _("Not elected: too few voters took part, so the election is not valid.") % r,
}

CHECKS = {
    "participation_headcount": lambda c: _("Voters taking part: %(actual)s of %(base)s; %(needed)s needed.") % c,
    "participation_area": lambda c: (
        _("Floor area taking part: %(actual)s m² of %(base)s m²; %(needed)s m² needed.") % c
    ),
}


def described(result: dict) -> dict:
    posts = []
    for post in result["posts"]:
        rows = [{**row, "why": REASONS[row["reason"]](row)} for row in post["rows"]]
        posts.append({**post, "rows": rows})
    return {
        **result,
        "posts": posts,
        "runoffs": [
            {
                "name": post["name"],
                "seats": post["runoff_seats"],
                "candidates": [row["name"] for row in post["rows"] if row["status"] == "runoff"],
            }
            for post in posts
            if post.get("runoff_seats", "0") != "0"
        ],
        "checks": [{"met": c["met"], "text": CHECKS[c["rule"]](c)} for c in result["checks"]],
        "homeowners": result["rules"]["kind"] == counting.HOMEOWNERS,
    }


def marks(header: dict, choices: dict) -> list[str]:
    """A ballot's marks in words, for the voter who looks up their receipt."""
    words = []
    for post in header["posts"]:
        names = {c["key"]: c["name"] for c in post["candidates"]} | post.get("write_ins", {})
        chosen = choices.get(post["key"], [])
        if chosen == [counting.ABSTAIN]:
            text = _("abstained")
        elif not chosen:
            text = _("left blank")
        else:
            text = "、".join(names.get(m, m) for m in chosen)
        words.append(f"{post['name']}: {text}")
    return words

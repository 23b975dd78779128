"""Live turnout of an election over WebSockets: how many have voted, never for whom.

Partial results are never sent (nor shown): the count is made only when the log is sealed. The
payload's `voters` only grows, so a client keeps the newest when pushes arrive out of order.
"""

from portal.live.push import group_name, push


def election_group(election_id) -> str:
    return group_name("elections", "election", election_id)


def turnout_payload(election) -> dict:
    from .electorate import ListElectorate

    eligible, _area = ListElectorate().eligible_totals(election)
    voters = election.roll.count()
    return {
        "event": "turnout",
        "election": election.pk,
        "voters": voters,
        "eligible": eligible,
        "percent": round(100 * voters / eligible, 1) if eligible else 0,
        "sealed": bool(election.sealed_at),
    }


def marker(payload: dict) -> tuple[bool, int]:
    return bool(payload.get("sealed")), int(payload.get("voters", 0))


def turnout_changed(election) -> None:
    """Inside the transaction that stored a vote (or sealed the log): watchers get the turnout after it."""
    push(election_group(election.pk), lambda: turnout_payload(election))

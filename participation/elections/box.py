"""An election as a ballot box of the one ballots core (participation.deliberations.ballots)."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from participation.deliberations import ballot_log
from participation.deliberations.ballots import BallotBox, VoteRefused, lock_shared, register_box
from participation.deliberations.tally import area_str

from . import counting, live
from .electorate import ListElectorate
from .models import Ballot, BallotCommitment, Candidate, Election, LogEntry, VoteNonce, VoterListEntry, VoterRoll


def accepted(election) -> dict:
    """{post id: {candidate key: candidate}} of the accepted candidates, posts in order."""
    posts = election.posts.order_by("sort_order", "pk").prefetch_related(
        Prefetch(
            "candidates",
            queryset=Candidate.objects.filter(status=Candidate.Status.ACCEPTED).select_related("person"),
            to_attr="accepted",
        )
    )
    return {post: {c.key: c for c in post.accepted} for post in posts}


def normalise(election, choices: dict) -> dict:
    """The marks a voter made, as a ballot stores them: every post present, marks sorted, strings only.

    Raises VoteRefused for what cannot be a mark at all (a post or candidate of another election,
    a write-in number that is not on the voter list). Too many marks for a post are stored: the
    count treats that post of the ballot as invalid (as it would a paper ballot).
    """
    if not isinstance(choices, dict):
        raise VoteRefused(_("This ballot is incomplete. Reload the page."))
    by_post = accepted(election)
    keys = {str(post.pk): post for post in by_post}
    unknown = set(map(str, choices)) - set(keys)
    if unknown:
        raise VoteRefused(_("This ballot names a post of another election."))
    numbers = set()
    stored = {}
    for key, post in keys.items():
        marks = choices.get(key) or choices.get(int(key)) or []
        if not isinstance(marks, list | tuple) or not all(isinstance(m, str) for m in marks):
            raise VoteRefused(_("This ballot is incomplete. Reload the page."))
        for mark in marks:
            if mark == counting.ABSTAIN:
                continue
            if mark.startswith("c:"):
                if mark not in by_post[post]:
                    raise VoteRefused(_("Choose among the candidates of each post."))
            elif mark.startswith("w:") and election.is_runoff:
                raise VoteRefused(_("A run-off is among the tied candidates only: no one can be written in."))
            elif mark.startswith("w:") and mark[2:].isdigit() and len(mark) < 14:
                numbers.add(int(mark[2:]))
            else:
                raise VoteRefused(_("This ballot is incomplete. Reload the page."))
        stored[key] = sorted(marks)
    if numbers:
        found = set(
            VoterListEntry.objects.filter(election=election, number__in=numbers, struck=False).values_list(
                "number", flat=True
            )
        )
        missing = sorted(numbers - found)
        if missing:
            raise VoteRefused(
                _g("Voter number %(numbers)s is not an eligible person on this election's voter list.")
                % {"numbers": "、".join(map(str, missing))}
            )
    return stored


class ElectionBox(BallotBox):
    owner_model = Election
    field = "election"
    roll_model, ballot_model, commitment_model, log_model, nonce_model = (
        VoterRoll,
        Ballot,
        BallotCommitment,
        LogEntry,
        VoteNonce,
    )
    lock_key = 0x454C4543  # "ELEC"
    receipt_route = "elections:receipt"
    messages = {
        "not_open": _("Voting in this election is not open."),
        "already": _("A ballot has already been recorded for you (or your household) in this election."),
    }

    def lock_for_voting(self, pk, choice):
        return lock_shared(Election.objects.filter(pk=pk)), choice

    def content(self, locked, prepared, user, electorate) -> dict:
        return {"choices": normalise(locked, prepared)}

    def electorate(self, owner):
        return ListElectorate()

    def hashes(self, owner_pk) -> dict:
        rows = Ballot.objects.filter(election_id=owner_pk).values_list("pk", "choices", "weight", "receipt_hash")
        return {
            pk: ballot_log.ballot_hash({"choices": choices, "weight": weight, "receipt_hash": receipt})
            for pk, choices, weight, receipt in rows
        }

    def entry(self, ballot, seq: int) -> dict:
        return {
            "seq": seq,
            "choices": ballot.choices,
            "weight": str(ballot.weight),
            "receipt_hash": ballot.receipt_hash,
        }

    def header(self, owner) -> dict:
        return header(owner)

    def voted(self, owner) -> None:
        live.turnout_changed(owner)

    def sealed(self, owner) -> None:
        # The header names people (candidates, write-ins): frozen as sealed, so a later change of a
        # display name does not break the published log's genesis hash.
        owner.sealed_header = header(owner)
        Election.objects.filter(pk=owner.pk).update(sealed_header=owner.sealed_header)
        live.turnout_changed(owner)
        from . import phases

        phases.after_seal(owner)


def write_in_names(election) -> dict:
    """{"w:<number>": public name} of everyone written in on a ballot of the election."""
    numbers = set()
    for choices in Ballot.objects.filter(election=election).values_list("choices", flat=True):
        for marks in choices.values():
            numbers.update(int(m[2:]) for m in marks if m.startswith("w:"))
    entries = VoterListEntry.objects.filter(election=election, number__in=numbers).select_related("user")
    return {f"w:{e.number}": e.user.public_name for e in entries}


def header(election: Election) -> dict:
    if election.sealed_header:
        return election.sealed_header
    names = write_in_names(election)
    posts = []
    for post, candidates in accepted(election).items():
        posts.append(
            {
                "key": str(post.pk),
                "name": post.name,
                "seats": str(post.seats),
                "candidates": [{"key": key, "name": c.person.public_name} for key, c in candidates.items()],
                "write_ins": names,
            }
        )
    return {
        "format": counting.LOG_FORMAT,
        "election": election.pk,
        "community": election.community.slug,
        "title": election.title,
        "round": election.round,
        "round_kind": election.round_kind,
        "voting_starts": election.voting_starts.isoformat(),
        "voting_ends": election.voting_ends.isoformat(),
        "posts": posts,
        "rules": election.rules.as_dict(),
        "eligible_headcount": str(election.sealed_eligible_headcount),
        "eligible_area": area_str(election.sealed_eligible_area or 0),
    }


register_box(ElectionBox())
ballot_log.register_format(counting.LOG_FORMAT, counting.recount)

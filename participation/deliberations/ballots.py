"""Casting votes, sealing the ballot log when voting closes, and building the published document."""

import secrets
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from . import ballot_log, live, tally
from .electorate import electorate_for
from .models import Ballot, BallotCommitment, LogEntry, Option, Topic, VoteNonce, VoterRoll

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


class VoteRefused(Exception):
    """A vote that must not be stored; the message is for the voter."""


def new_receipt() -> str:
    """About 100 bits, grouped for reading aloud: XXXX-XXXX-XXXX-XXXX-XXXX."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(20))
    return "-".join(raw[i : i + 4] for i in range(0, 20, 4))


NONCE_LIFETIME = timedelta(days=1)


def issue_nonce(topic: Topic, user) -> str:
    VoteNonce.objects.filter(topic=topic, user=user, created_at__lt=timezone.now() - NONCE_LIFETIME).delete()
    nonce = secrets.token_urlsafe(24)
    VoteNonce.objects.create(nonce=nonce, topic=topic, user=user)
    return nonce


def lock_for_voting(topic_pk, option_id=None) -> Topic:
    """The topic, read under a lock that votes share and that seal() and edits of the topic exclude.

    On PostgreSQL this is FOR SHARE: votes on one topic run side by side (one vote per voter is
    the roll's unique constraint, a replayed nonce finds its row already deleted), while seal()
    (FOR UPDATE) and any UPDATE of the topic wait for the votes in flight, and votes that arrive
    meanwhile wait for them and then read the row as they left it (sealed_at set). Django's ORM
    has no FOR SHARE, hence the raw query. Elsewhere: FOR UPDATE where the database has it; SQLite
    runs write transactions one at a time (BEGIN IMMEDIATE).

    The same query answers whether `option_id` is an option of this topic: `chosen_option_id` is
    its id, or None.
    """
    chosen = Option.objects.filter(pk=option_id if str(option_id).isdigit() else None, topic=OuterRef("pk"))
    topics = Topic.objects.filter(pk=topic_pk).annotate(chosen_option_id=Subquery(chosen.values("pk"))).order_by()
    if connection.vendor != "postgresql":
        return topics.select_for_update().get()
    sql, params = topics.query.sql_with_params()
    locked = next(iter(Topic.objects.raw(f"{sql} FOR SHARE", params)), None)
    if locked is None:
        raise Topic.DoesNotExist
    return locked


def cast_vote(topic: Topic, user, option_id, *, channel=VoterRoll.Channel.ONLINE, recorded_by=None, nonce=None) -> str:
    """Store one vote and return the receipt code (shown once, stored only as a hash).

    Everything is checked under a lock on the topic's row that excludes seal() (see
    lock_for_voting); the unique constraint on the roll is the last word on double votes.
    """
    try:
        with transaction.atomic():
            locked = lock_for_voting(topic.pk, option_id)
            fresh = VoteNonce.objects.filter(
                nonce=nonce, topic=locked, user=user, created_at__gte=timezone.now() - NONCE_LIFETIME
            )
            if nonce is not None and not fresh.delete()[0]:
                raise VoteRefused(_("This vote form was already used or has expired. Reload the page and try again."))
            # sealed_at as well as the clock: a vote that waited for seal() must not follow it,
            # even from a server whose clock is behind.
            if locked.sealed_at or not locked.is_voting_open():
                raise VoteRefused(_("Voting on this topic is not open."))
            if locked.chosen_option_id is None:
                raise VoteRefused(_("Choose one of the options of this topic."))
            electorate = electorate_for(locked)
            refusal = electorate.refusal(user, locked)
            if refusal:
                raise VoteRefused(refusal)
            key = electorate.voter_key(user, locked)
            # No "has this key voted?" query: the unique constraint answers it (IntegrityError below).
            VoterRoll.objects.create(topic=locked, voter_key=key, channel=channel, recorded_by=recorded_by)
            receipt = new_receipt()
            ballot = Ballot.objects.create(
                topic=locked,
                option_id=locked.chosen_option_id,
                weight=electorate.weight(user, locked),
                receipt_hash=ballot_log.receipt_hash(receipt),
                voter_name="" if locked.secret else user.public_name,
            )
            commit(locked, ballot)
            live.tally_changed(locked)  # watchers get the tally once this commits
    except IntegrityError as error:
        raise VoteRefused(_("A vote has already been recorded for you (or your household) on this topic.")) from error
    return receipt


# The running commitment --------------------------------------------------------------------------

COMMITMENT_LOCK = 0x42414C4C  # pg_advisory_xact_lock(COMMITMENT_LOCK, topic id): one commitment at a time


def _ballot_hashes(topic_pk) -> dict:
    """{ballot id: ballot hash} of every ballot of the topic as the database holds it now."""
    rows = Ballot.objects.filter(topic_id=topic_pk).values_list(
        "pk", "option_id", "weight", "receipt_hash", "voter_name"
    )
    return {
        pk: ballot_log.ballot_hash({"option": option, "weight": weight, "receipt_hash": receipt, "voter": voter})
        for pk, option, weight, receipt, voter in rows
    }


def commit(topic: Topic, ballot: Ballot) -> BallotCommitment:
    """Write the commitment after `ballot`, in the vote's transaction.

    Votes run side by side under the topic's shared lock (lock_for_voting); only this step takes
    turns, under a transaction-level advisory lock on PostgreSQL (SQLite runs one writer at a time).
    Under READ COMMITTED each query after the lock sees every vote committed before it, so each
    commitment covers exactly the ballots of the votes before it plus this one.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [COMMITMENT_LOCK, topic.pk % 2**31])
    previous = BallotCommitment.objects.filter(topic_id=topic.pk).order_by("-pk").first()
    hashes = _ballot_hashes(topic.pk)
    own = hashes.pop(ballot.pk)
    salt = secrets.token_hex(16)
    return BallotCommitment.objects.create(
        topic_id=topic.pk,
        found=len(hashes),
        prior_digest=ballot_log.commitment(previous.salt if previous else "", hashes.values()),
        count=len(hashes) + 1,
        salt=salt,
        digest=ballot_log.commitment(salt, [*hashes.values(), own]),
    )


def running_commitment(topic: Topic) -> dict | None:
    """What is published while voting is open: the count and the digest, never the salt."""
    last = topic.commitments.order_by("-pk").first()
    return {"count": last.count, "digest": last.digest} if last else None


def _difference(found: int, expected: int, expected_digest: str, digest: str) -> str:
    """'deleted' / 'inserted' / 'changed' / '' for what was found against what the last commitment holds."""
    if found < expected:
        return "deleted"
    if found > expected:
        return "inserted"
    return "changed" if digest != expected_digest else ""


def _difference_message(kind: str, number: int, when: str) -> str:
    if kind == "deleted":
        return _g("%(n)s ballot(s) deleted outside the vote path %(when)s.") % {"n": number, "when": when}
    if kind == "inserted":
        return _g("%(n)s ballot(s) inserted outside the vote path %(when)s.") % {"n": number, "when": when}
    return _g("A ballot was changed outside the vote path %(when)s.") % {"when": when}


def commitment_problems(topic: Topic) -> list[str]:
    """Every change, deletion or insertion of ballots made outside the vote path since the first vote.

    Each vote's commitment records what that vote found before adding its own ballot; it must be
    exactly what the vote before it committed to. And the ballots now must be exactly what the
    last vote committed to. Works during the vote and after the seal.
    """
    problems = []
    expected_count, expected_digest = 0, ballot_log.commitment("", [])
    commitments = list(topic.commitments.order_by("pk"))
    vote = 0  # votes counted in commitment order (an adopted first commitment stands for the votes before it)
    for position, row in enumerate(commitments, start=1):
        vote += 1
        if row.origin == BallotCommitment.Origin.ADOPTED and position == 1:
            expected_count, expected_digest, vote = row.count, row.digest, row.count
            continue
        if row.origin != BallotCommitment.Origin.VOTE or row.count != row.found + 1:
            problems.append(_g("Commitment %(n)s was not written by a vote.") % {"n": position})
        kind = _difference(row.found, expected_count, expected_digest, row.prior_digest)
        if kind:
            number = abs(row.found - expected_count) or 1
            problems.append(_difference_message(kind, number, _g("before vote %(vote)s") % {"vote": vote}))
        expected_count, expected_digest = row.count, row.digest
    hashes = _ballot_hashes(topic.pk)
    if commitments:
        now_digest = ballot_log.commitment(commitments[-1].salt, hashes.values())
        kind = _difference(len(hashes), expected_count, expected_digest, now_digest)
        if kind:
            number = abs(len(hashes) - expected_count) or 1
            when = _g("after the last vote (vote %(vote)s)") % {"vote": vote}
            problems.append(_difference_message(kind, number, when))
    elif hashes:
        problems.append(_difference_message("inserted", len(hashes), _g("before any vote")))
    roll = topic.roll.count()
    if roll != len(hashes):
        problems.append(
            _g("%(ballots)s ballots but %(roll)s on the voter roll.") % {"ballots": len(hashes), "roll": roll}
        )
    return problems


def live_result(topic: Topic) -> dict:
    """The count so far, against today's electorate. The caller decides whether it may be shown."""
    if topic.sealed_at:
        return topic.sealed_result
    headcount, area = electorate_for(topic).eligible_totals(topic)
    per_option = {
        str(row["option_id"]): (row["votes"], row["area"])
        for row in topic.ballots.values("option_id").annotate(votes=Count("pk"), area=Sum("weight"))
    }
    return tally.tally_counts(topic.option_infos(), per_option, topic.rules, headcount, area)


def header(topic: Topic) -> dict:
    head = {
        "format": ballot_log.FORMAT,
        "topic": topic.pk,
        "community": topic.community.slug,
        "title": topic.title,
        "secret": topic.secret,
        "voting_starts": topic.voting_starts.isoformat(),
        "voting_ends": topic.voting_ends.isoformat(),
        "options": [{"key": o.key, "label": o.label, "abstention": o.abstention} for o in topic.option_infos()],
        "rules": topic.rules.as_dict(),
        "eligible_headcount": str(topic.sealed_eligible_headcount),
        "eligible_area": tally.area_str(topic.sealed_eligible_area),
    }
    buildings = [link.building.name for link in topic.voting_buildings.select_related("building")]
    if buildings:  # only then: the header (and genesis) of every other topic stays as it was
        head["buildings"] = sorted(buildings)
    return head


def _entry(ballot: Ballot, seq: int) -> dict:
    entry = {
        "seq": seq,
        "option": str(ballot.option_id),
        "weight": str(ballot.weight),
        "receipt_hash": ballot.receipt_hash,
    }
    if ballot.voter_name:
        entry["voter"] = ballot.voter_name
    return entry


def seal(topic: Topic, now=None) -> Topic:
    """Close the log once voting has ended: order, chain, count, freeze. Idempotent.

    The sealed log carries the last running commitment with its salt (see document()), so anyone
    can check that it holds exactly the ballots committed to during the vote; commitment_problems()
    tells what changed outside the vote path, and verify_ballots and the verify page report it.

    Chain order is the order of receipt hashes, which are random: it says nothing about when
    anyone voted, so the roll's times cannot be lined up with the log.
    """
    with transaction.atomic():
        locked = Topic.objects.select_for_update().select_related("community").get(pk=topic.pk)
        if locked.sealed_at or not locked.voting_closed(now):
            return locked
        headcount, area = electorate_for(locked).eligible_totals(locked)
        locked.sealed_eligible_headcount, locked.sealed_eligible_area = headcount, Decimal(area)
        prev = ballot_log.genesis(header(locked))
        entries, links = [], []
        for seq, ballot in enumerate(locked.ballots.order_by("receipt_hash"), start=1):
            entry = _entry(ballot, seq)
            chained = ballot_log.chain_hash(prev, entry)
            links.append(LogEntry(ballot=ballot, topic=locked, seq=seq, prev_hash=prev, chain_hash=chained))
            entries.append(entry)
            prev = chained
        LogEntry.objects.bulk_create(links)  # inserts only: ballots are append-only
        locked.log_head = prev
        locked.sealed_result = ballot_log.recount(header(locked), entries)
        locked.sealed_at = timezone.now()
        locked.save(
            update_fields=[
                "sealed_eligible_headcount",
                "sealed_eligible_area",
                "log_head",
                "sealed_result",
                "sealed_at",
            ]
        )
        live.topic_sealed(locked)  # the final result to watchers; participants notified
    return locked


def seal_if_due(topic: Topic) -> Topic:
    if topic.sealed_at or not topic.voting_closed():
        return topic
    return seal(topic)


def document(topic: Topic) -> dict:
    """The published log, exactly as stored: verification recomputes every hash from it."""
    head = header(topic)
    entries = []
    for link in topic.log_entries.select_related("ballot").order_by("seq"):
        entry = _entry(link.ballot, link.seq)
        entry["prev_hash"], entry["hash"] = link.prev_hash, link.chain_hash
        entries.append(entry)
    last = topic.commitments.order_by("-pk").first()
    return {
        "header": head,
        "genesis": ballot_log.genesis(head),
        "entries": entries,
        "head": topic.log_head,
        "roll_count": topic.roll.count(),
        "result": topic.sealed_result,
        "commitment": {"count": last.count, "digest": last.digest, "salt": last.salt} if last else None,
    }

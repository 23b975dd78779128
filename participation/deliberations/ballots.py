"""The one ballots core: casting votes, the running commitment, sealing the log, the published document.

It works on a *ballot box*: whatever people vote on, described by a `BallotBox` (which models hold its
roll, ballots, commitments, log entries and vote nonces, how a choice is checked and hashed, who may
vote, what the log's header holds and how it is recounted). A deliberation topic is one (`TopicBox`,
below); an election is another (`participation.elections.box`). The owner of a box (a Topic, an
Election) has the same few attributes: `sealed_at`, `is_voting_open()`, `voting_closed(now)`, the
related managers `roll`, `ballots`, `commitments`, `log_entries`, and the sealed fields
(`sealed_eligible_headcount`, `sealed_eligible_area`, `log_head`, `sealed_result`).
"""

import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, OuterRef, Subquery, Sum
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from . import ballot_log, live, tally
from .electorate import electorate_for
from .models import Ballot, BallotCommitment, LogEntry, Option, Topic, TopicBuilding, VoteNonce, VoterRoll

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


class VoteRefused(Exception):
    """A vote that must not be stored; the message is for the voter."""


def new_receipt() -> str:
    """About 100 bits, grouped for reading aloud: XXXX-XXXX-XXXX-XXXX-XXXX."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(20))
    return "-".join(raw[i : i + 4] for i in range(0, 20, 4))


NONCE_LIFETIME = timedelta(days=1)


def lock_shared(queryset):
    """The one row of `queryset`, read under a lock that votes share and that seal() and edits exclude.

    On PostgreSQL this is FOR SHARE: votes on one box run side by side (one vote per voter is the
    roll's unique constraint, a replayed nonce finds its row already deleted), while seal() (FOR
    UPDATE) and any UPDATE of the row wait for the votes in flight, and votes that arrive meanwhile
    wait for them and then read the row as they left it (sealed_at set). Django's ORM has no FOR
    SHARE, hence the raw query. Elsewhere: FOR UPDATE where the database has it; SQLite runs write
    transactions one at a time (BEGIN IMMEDIATE).
    """
    model = queryset.model
    if connection.vendor != "postgresql":
        return queryset.select_for_update().get()
    sql, params = queryset.order_by().query.sql_with_params()
    locked = next(iter(model.objects.raw(f"{sql} FOR SHARE", params)), None)
    if locked is None:
        raise model.DoesNotExist
    return locked


class BallotBox:
    """What the core needs of one kind of thing people vote on. Subclass it and `register_box` it.

    `field` is the name of the foreign key to the owner on each of the box's models; `lock_key` keeps
    its commitments' advisory locks apart from other kinds' (owner ids repeat across kinds).
    """

    owner_model = None
    field = ""
    roll_model = ballot_model = commitment_model = log_model = nonce_model = None
    lock_key = 0
    messages = {}
    receipt_route = ""  # the URL name of the receipt page, with the owner's pk as its one argument

    def of(self, owner) -> dict:
        return {self.field: owner}

    def lock_for_voting(self, pk, choice):
        """(the owner read under lock_shared, whatever `content` needs of the choice)."""
        raise NotImplementedError

    def content(self, locked, prepared, user, electorate) -> dict:
        """The ballot's fields for its choice (raises VoteRefused for a choice that cannot be stored)."""
        raise NotImplementedError

    def electorate(self, owner):
        raise NotImplementedError

    def hashes(self, owner_pk) -> dict:
        """{ballot id: ballot_log.ballot_hash} of every ballot of the owner as the database holds it now."""
        raise NotImplementedError

    def entry(self, ballot, seq: int) -> dict:
        raise NotImplementedError

    def ballot_hash(self, ballot) -> str:
        """ballot_log.ballot_hash of one ballot just stored (what hashes() gives for it)."""
        return ballot_log.ballot_hash(self.entry(ballot, 0))

    def header(self, owner) -> dict:
        raise NotImplementedError

    def voted(self, owner) -> None:
        """Inside the vote's transaction, after the ballot: live pushes and the like."""

    def sealed(self, owner) -> None:
        """Inside the seal's transaction."""


_boxes: dict = {}


def register_box(box: BallotBox) -> BallotBox:
    _boxes[box.owner_model] = box
    return box


def box_for(owner) -> BallotBox:
    return _boxes[type(owner)]


def box_named(field: str) -> BallotBox | None:
    """The registered box whose owners are called `field` ("topic", "election"), for commands."""
    return next((box for box in _boxes.values() if box.field == field), None)


def issue_nonce(owner, user) -> str:
    """The one-time token for `user`'s vote form on `owner`. An unspent one issued in the last half of its
    lifetime is handed out again (every view of the form would otherwise write a row): it still has half a
    day to live, and is spent by the first vote that carries it, as before."""
    box = box_for(owner)
    now = timezone.now()
    mine = box.nonce_model.objects.filter(**box.of(owner), user=user)
    fresh = mine.filter(created_at__gte=now - NONCE_LIFETIME / 2).order_by("-created_at")
    reused = fresh.values_list("nonce", flat=True).first()
    if reused is not None:
        return reused
    mine.filter(created_at__lt=now - NONCE_LIFETIME).delete()
    nonce = secrets.token_urlsafe(24)
    box.nonce_model.objects.create(nonce=nonce, **box.of(owner), user=user)
    return nonce


def lock_for_voting(topic_pk, option_id=None) -> Topic:
    """The topic under lock_shared; `chosen_option_id` says whether `option_id` is one of its options, and
    `limited_to_buildings` whether it has voting buildings (without them the electorate reads none)."""
    chosen = Option.objects.filter(pk=option_id if str(option_id).isdigit() else None, topic=OuterRef("pk"))
    return lock_shared(
        Topic.objects.filter(pk=topic_pk).annotate(
            chosen_option_id=Subquery(chosen.values("pk")),
            limited_to_buildings=Exists(TopicBuilding.objects.filter(topic=OuterRef("pk"))),
        )
    )


def cast_vote(owner, user, choice, *, channel="online", recorded_by=None, nonce=None, **roll_fields) -> str:
    """Store one vote and return the receipt code (shown once, stored only as a hash).

    Everything is checked under a lock on the owner's row that excludes seal() (see lock_shared);
    the unique constraint on the roll is the last word on double votes.
    """
    box = box_for(owner)
    try:
        with transaction.atomic():
            locked, prepared = box.lock_for_voting(owner.pk, choice)
            fresh = box.nonce_model.objects.filter(
                nonce=nonce, **box.of(locked), user=user, created_at__gte=timezone.now() - NONCE_LIFETIME
            )
            # One DELETE, not QuerySet.delete(): receivers that listen to every model's deletions (e.g. the
            # WeChat config's pre_delete) make Django fetch the row first. A nonce has no relations or signals.
            if nonce is not None and not fresh._raw_delete(fresh.db):
                raise VoteRefused(_("This vote form was already used or has expired. Reload the page and try again."))
            # sealed_at as well as the clock: a vote that waited for seal() must not follow it,
            # even from a server whose clock is behind.
            if locked.sealed_at or not locked.is_voting_open():
                raise VoteRefused(box.messages["not_open"])
            electorate = box.electorate(locked)
            content = box.content(locked, prepared, user, electorate)
            refusal = electorate.refusal(user, locked)
            if refusal:
                raise VoteRefused(refusal)
            key = electorate.voter_key(user, locked)
            # No "has this key voted?" query: the unique constraint answers it (IntegrityError below).
            box.roll_model.objects.create(
                **box.of(locked), voter_key=key, channel=channel, recorded_by=recorded_by, **roll_fields
            )
            receipt = new_receipt()
            ballot = box.ballot_model.objects.create(
                **box.of(locked),
                weight=electorate.weight(user, locked),
                receipt_hash=ballot_log.receipt_hash(receipt),
                **content,
            )
            commit(locked, ballot)
            box.voted(locked)  # watchers get the news once this commits
    except IntegrityError as error:
        raise VoteRefused(box.messages["already"]) from error
    return receipt


class TopicBox(BallotBox):
    """A deliberation topic: one option per ballot."""

    owner_model = Topic
    field = "topic"
    roll_model, ballot_model, commitment_model, log_model, nonce_model = (
        VoterRoll,
        Ballot,
        BallotCommitment,
        LogEntry,
        VoteNonce,
    )
    lock_key = 0x42414C4C
    receipt_route = "deliberations:receipt"
    messages = {
        "not_open": _("Voting on this topic is not open."),
        "already": _("A vote has already been recorded for you (or your household) on this topic."),
    }

    def lock_for_voting(self, pk, choice):
        return lock_for_voting(pk, choice), None

    def content(self, locked, prepared, user, electorate) -> dict:
        if locked.chosen_option_id is None:
            raise VoteRefused(_("Choose one of the options of this topic."))
        return {"option_id": locked.chosen_option_id, "voter_name": "" if locked.secret else user.public_name}

    def electorate(self, owner):
        return electorate_for(owner)

    def hashes(self, owner_pk) -> dict:
        rows = Ballot.objects.filter(topic_id=owner_pk).values_list(
            "pk", "option_id", "weight", "receipt_hash", "voter_name"
        )
        return {
            pk: ballot_log.ballot_hash({"option": option, "weight": weight, "receipt_hash": receipt, "voter": voter})
            for pk, option, weight, receipt, voter in rows
        }

    def entry(self, ballot, seq: int) -> dict:
        return _entry(ballot, seq)

    def header(self, owner) -> dict:
        return header(owner)

    def voted(self, owner) -> None:
        live.tally_changed(owner)

    def sealed(self, owner) -> None:
        live.topic_sealed(owner)  # the final result to watchers; participants notified


register_box(TopicBox())


# The receipt page (post/redirect/get) -------------------------------------------------------------

RECEIPT_COOKIE = "ballot_receipt"
RECEIPT_MAX_AGE = 300  # seconds from the vote to the receipt page: a redirect away, with room for a slow phone


def receipt_path(owner) -> str:
    return reverse(box_for(owner).receipt_route, args=[owner.pk])


def _receipt_salt(owner) -> str:
    return f"ballots.receipt.{box_for(owner).field}"


def hand_receipt(request, owner, receipt: str) -> HttpResponseRedirect:
    """The answer to a vote's POST: a 303 to the owner's receipt page, the receipt in a cookie for it alone.

    The code never appears in a URL (nor in the server's or a proxy's logs, nor the browser history):
    it travels in a cookie that is signed (a forged one is ignored), names the voter and the ballot
    box (another user's or another box's shows nothing), is sent only to the receipt page's path,
    is HttpOnly and SameSite=Lax, lives RECEIPT_MAX_AGE seconds and is deleted by the page that shows it.
    """
    path = receipt_path(owner)
    response = HttpResponseRedirect(path, status=303)
    response["Cache-Control"] = "no-store"
    response.set_signed_cookie(
        RECEIPT_COOKIE,
        f"{owner.pk}:{request.user.pk}:{receipt}",
        salt=_receipt_salt(owner),
        max_age=RECEIPT_MAX_AGE,
        path=path,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _handed_receipt(request, owner) -> str | None:
    """The receipt in the request's cookie, if it is genuine, fresh, this user's and this owner's."""
    value = request.get_signed_cookie(RECEIPT_COOKIE, None, salt=_receipt_salt(owner), max_age=RECEIPT_MAX_AGE)
    if not value or not request.user.is_authenticated:
        return None
    owner_pk, user_pk, receipt = (value.split(":", 2) + ["", ""])[:3]
    if owner_pk != str(owner.pk) or user_pk != str(request.user.pk) or not receipt:
        return None
    return receipt


def show_receipt(request, owner, template: str, context: dict):
    """The receipt page: the code once (from hand_receipt's cookie, deleted here); afterwards the page
    says it was shown once and where to verify a ballot. Never cached."""
    receipt = _handed_receipt(request, owner)
    response = render(request, template, {**context, "receipt": receipt})
    response["Cache-Control"] = "no-store"
    if request.COOKIES.get(RECEIPT_COOKIE):
        response.delete_cookie(RECEIPT_COOKIE, path=receipt_path(owner), samesite="Lax")
    return response


# The running commitment --------------------------------------------------------------------------

COMMITMENT_LOCK = TopicBox.lock_key  # pg_advisory_xact_lock(box lock key, owner id): one commitment at a time


def _ballot_hashes(topic_pk) -> dict:
    """{ballot id: ballot hash} of every ballot of the topic as the database holds it now."""
    return TopicBox().hashes(topic_pk)


def commit(owner, ballot):
    """Write the commitment after `ballot`, in the vote's transaction.

    Votes run side by side under the owner's shared lock (lock_shared); only this step takes
    turns, under a transaction-level advisory lock on PostgreSQL (SQLite runs one writer at a time).
    Under READ COMMITTED the previous commitment read after the lock is the last vote's, committed.

    A vote extends the previous commitment's multiset state by its own ballot: one row read, one
    hash and one multiplication, whatever the number of ballots. Only a vote with nothing to extend
    (the first, or the first after commitments written without a state) reads the ballots already
    there: none, for an honest first vote (one EXISTS query); otherwise every one, as votes did
    before, recording what it found against the previous commitment and starting the state from it.
    """
    box = box_for(owner)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [box.lock_key, owner.pk % 2**31])
    previous = owner.commitments.order_by("-pk").first()
    own = box.ballot_hash(ballot)
    if previous is not None and previous.state:
        found, prior_digest, state = previous.count, previous.digest, ballot_log.multiset_add(previous.state, [own])
    else:
        others = box.ballot_model.objects.filter(**box.of(owner)).exclude(pk=ballot.pk)
        hashes = box.hashes(owner.pk) if previous is not None or others.exists() else {ballot.pk: own}
        hashes.pop(ballot.pk, None)
        found = len(hashes)
        prior_digest = ballot_log.commitment(previous.salt if previous else "", hashes.values())
        state = ballot_log.multiset_add(ballot_log.EMPTY_STATE, [*hashes.values(), own])
    salt = secrets.token_hex(16)
    return box.commitment_model.objects.create(
        **box.of(owner),
        found=found,
        prior_digest=prior_digest,
        count=found + 1,
        salt=salt,
        digest=ballot_log.multiset_commitment(salt, found + 1, state),
        state=state,
    )


def _published(row) -> dict:
    published = {"count": row.count, "digest": row.digest, "salt": row.salt}
    if row.state:
        published["scheme"] = ballot_log.MULTISET
    return published


def running_commitment(owner) -> dict | None:
    """What is published while voting is open: the count and the digest, never the salt."""
    last = owner.commitments.order_by("-pk").first()
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


def commitment_problems(owner) -> list[str]:
    """Every change, deletion or insertion of ballots made outside the vote path since the first vote.

    Each vote's commitment records what that vote found before adding its own ballot; it must be
    exactly what the vote before it committed to. And the ballots now must be exactly what the
    last vote committed to. Works during the vote and after the seal.
    """
    box = box_for(owner)
    adopted = getattr(box.commitment_model, "Origin", BallotCommitment.Origin).ADOPTED
    problems = []
    expected_count, expected_digest = 0, ballot_log.commitment("", [])
    commitments = list(owner.commitments.order_by("pk"))
    vote = 0  # votes counted in commitment order (an adopted first commitment stands for the votes before it)
    read_at = 0  # the last vote that read every ballot (votes that extend a state do not)
    previous = None
    for position, row in enumerate(commitments, start=1):
        vote += 1
        origin = getattr(row, "origin", "vote")
        if origin == adopted and position == 1:
            expected_count, expected_digest, vote = row.count, row.digest, row.count
            previous = row
            continue
        if not (previous is not None and previous.state and row.state):
            read_at = vote
        forged = origin != "vote" or row.count != row.found + 1
        if row.state and ballot_log.multiset_commitment(row.salt, row.count, row.state) != row.digest:
            forged = True
        if forged:
            problems.append(_g("Commitment %(n)s was not written by a vote.") % {"n": position})
        kind = _difference(row.found, expected_count, expected_digest, row.prior_digest)
        if kind:
            number = abs(row.found - expected_count) or 1
            problems.append(_difference_message(kind, number, _g("before vote %(vote)s") % {"vote": vote}))
        expected_count, expected_digest = row.count, row.digest
        previous = row
    hashes = box.hashes(owner.pk)
    if commitments:
        now_digest = ballot_log.commitment_of(_published(commitments[-1]), hashes.values())
        kind = _difference(len(hashes), expected_count, expected_digest, now_digest)
        if kind:
            number = abs(len(hashes) - expected_count) or 1
            if read_at == vote:
                when = _g("after the last vote (vote %(vote)s)") % {"vote": vote}
            else:
                when = _g(
                    "after vote %(read)s (the votes after it extend the commitment without rereading the "
                    "ballots; the last vote is vote %(vote)s)"
                ) % {"read": read_at, "vote": vote}
            problems.append(_difference_message(kind, number, when))
    elif hashes:
        problems.append(_difference_message("inserted", len(hashes), _g("before any vote")))
    roll = owner.roll.count()
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


def seal(owner, now=None):
    """Close the log once voting has ended: order, chain, count, freeze. Idempotent.

    The sealed log carries the last running commitment with its salt (see document()), so anyone
    can check that it holds exactly the ballots committed to during the vote; commitment_problems()
    tells what changed outside the vote path, and verify_ballots and the verify page report it.

    Chain order is the order of receipt hashes, which are random: it says nothing about when
    anyone voted, so the roll's times cannot be lined up with the log.
    """
    box = box_for(owner)
    with transaction.atomic():
        locked = type(owner).objects.select_for_update().select_related("community").get(pk=owner.pk)
        if locked.sealed_at or not locked.voting_closed(now):
            return locked
        headcount, area = box.electorate(locked).eligible_totals(locked)
        locked.sealed_eligible_headcount, locked.sealed_eligible_area = headcount, Decimal(area)
        head = box.header(locked)
        prev = ballot_log.genesis(head)
        entries, links = [], []
        for seq, ballot in enumerate(locked.ballots.order_by("receipt_hash"), start=1):
            entry = box.entry(ballot, seq)
            chained = ballot_log.chain_hash(prev, entry)
            links.append(box.log_model(ballot=ballot, **box.of(locked), seq=seq, prev_hash=prev, chain_hash=chained))
            entries.append(entry)
            prev = chained
        box.log_model.objects.bulk_create(links)  # inserts only: ballots are append-only
        locked.log_head = prev
        locked.sealed_result = ballot_log.recount(head, entries)
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
        box.sealed(locked)
    return locked


def seal_if_due(owner):
    if owner.sealed_at or not owner.voting_closed():
        return owner
    return seal(owner)


def document(owner) -> dict:
    """The published log, exactly as stored: verification recomputes every hash from it."""
    box = box_for(owner)
    head = box.header(owner)
    entries = []
    for link in owner.log_entries.select_related("ballot").order_by("seq"):
        entry = box.entry(link.ballot, link.seq)
        entry["prev_hash"], entry["hash"] = link.prev_hash, link.chain_hash
        entries.append(entry)
    last = owner.commitments.order_by("-pk").first()
    return {
        "header": head,
        "genesis": ballot_log.genesis(head),
        "entries": entries,
        "head": owner.log_head,
        "roll_count": owner.roll.count(),
        "result": owner.sealed_result,
        "commitment": _published(last) if last else None,
    }

"""The election's workflow: the voter list and its objections, nominations and their co-signers,
acceptance, notifications at each phase, sealing, the result announcement and the second round.

Phases follow the dates a worker set (models.Phase). `advance(election)` does what a phase that has
begun needs (build the voter list, seal the log, tell the electorate) and is idempotent: the page,
the admin and `manage.py election_tick` (cron) all call it.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participation.deliberations import ballots
from portal.core.links import site_url
from portal.notifications.services import notify

from .electorate import members_for_list, next_number
from .models import Candidate, CandidateSupport, Election, Objection, Phase, Post, VoterListEntry


class Refused(Exception):
    """What a resident or worker asked cannot be done; the message says why."""


# The voter list ------------------------------------------------------------------------------------


def build_voter_list(election: Election) -> int:
    """Publish the voter list from today's verified memberships, once; returns the number of entries."""
    with transaction.atomic():
        locked = Election.objects.select_for_update().get(pk=election.pk)
        if locked.voter_list_built_at:
            return locked.voter_list.count()
        rows, seen = [], set()
        for member in members_for_list(locked).order_by("home__building__name", "home__room", "pk"):
            if member.user_id in seen:
                continue
            seen.add(member.user_id)
            rows.append(VoterListEntry(election=locked, number=len(rows) + 1, user=member.user, home=member.home))
        VoterListEntry.objects.bulk_create(rows)
        locked.voter_list_built_at = timezone.now()
        locked.save(update_fields=["voter_list_built_at"])
        election.voter_list_built_at = locked.voter_list_built_at
        return len(rows)


def on_list(election, user) -> VoterListEntry | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return VoterListEntry.objects.filter(election=election, user=user).first()


def raise_objection(election, user, kind, text, about_number=None) -> Objection:
    if not election.objections_open():
        raise Refused(_("Objections to the voter list are taken only while it is published, before the vote."))
    if Objection.objects.filter(election=election, author=user, status=Objection.Status.OPEN).count() >= 3:
        raise Refused(_("You have three objections waiting for an answer: wait for the committee's answer."))
    return Objection.objects.create(election=election, author=user, kind=kind, text=text, about_number=about_number)


def resolve_objection(objection: Objection, worker, status: str, resolution: str) -> None:
    """The worker's answer; an upheld objection adds the resident, or strikes the entry it is about."""
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=objection.election_id)
        objection.status, objection.resolution, objection.resolved_by = status, resolution, worker
        objection.save(update_fields=["status", "resolution", "resolved_by"])
        if status == Objection.Status.UPHELD and not election.sealed_at:
            if objection.kind == Objection.Kind.MISSING:
                entry = VoterListEntry.objects.filter(election=election, user=objection.author).first()
                if entry:
                    VoterListEntry.objects.filter(pk=entry.pk).update(struck=False)
                else:
                    from portal.accounts.membership import verified_membership

                    member = verified_membership(objection.author, election.community_id)
                    VoterListEntry.objects.create(
                        election=election,
                        number=next_number(election),
                        user=objection.author,
                        home=member.home if member else None,
                    )
            elif objection.about_number:
                VoterListEntry.objects.filter(election=election, number=objection.about_number).update(struck=True)
    url = site_url(election.community, reverse("elections:voter_list", args=[election.pk]))
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Your objection to the voter list of %(title)s was answered: %(status)s.") % {
            "title": election.title,
            "status": objection.get_status_display(),
        }
    notify(
        objection.author,
        "elections.objection",
        text,
        url,
        key=f"elections.objection.{objection.pk}.{status}",
        community=election.community,
    )


# Nominations ----------------------------------------------------------------------------------------


def nominate(election, post: Post, proposer, number: int, statement: str = "") -> Candidate:
    """A resident nominates a person on the voter list (by voter number); co-signers follow."""
    if election.current_phase() != Phase.NOMINATION:
        raise Refused(_("Nominations are taken only during the nomination phase."))
    if post.election_id != election.pk:
        raise Refused(_("Choose a post of this election."))
    if on_list(election, proposer) is None:
        raise Refused(_("Only people on the voter list may nominate."))
    entry = VoterListEntry.objects.filter(election=election, number=number, struck=False).first()
    if entry is None:
        raise Refused(_("Voter number %(n)s is not on the voter list: only a voter can be nominated.") % {"n": number})
    try:
        with transaction.atomic():
            return Candidate.objects.create(
                election=election,
                post=post,
                person=entry.user,
                source=Candidate.Source.RESIDENTS,
                proposer=proposer,
                status=Candidate.Status.COLLECTING,
                statement="",
            )
    except IntegrityError as error:
        raise Refused(_("This person is already nominated for this post.")) from error


def support(candidate: Candidate, user) -> int:
    """Co-sign a residents' nomination; returns the number of co-signers. Enough of them make it a nomination."""
    election = candidate.election
    if election.current_phase() != Phase.NOMINATION:
        raise Refused(_("Nominations are taken only during the nomination phase."))
    if candidate.status != Candidate.Status.COLLECTING:
        raise Refused(_("This nomination no longer collects co-signers."))
    if on_list(election, user) is None:
        raise Refused(_("Only people on the voter list may co-sign a nomination."))
    if user.pk in (candidate.proposer_id, candidate.person_id):
        raise Refused(_("The proposer and the nominee do not co-sign their own nomination."))
    try:
        with transaction.atomic():
            CandidateSupport.objects.create(candidate=candidate, user=user)
    except IntegrityError as error:
        raise Refused(_("You have already co-signed this nomination.")) from error
    with transaction.atomic():
        locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
        signed = locked.supporters.count()
        if locked.status == Candidate.Status.COLLECTING and signed >= election.cosigners_needed:
            locked.status = Candidate.Status.NOMINATED
            locked.save(update_fields=["status"])
            transaction.on_commit(lambda: tell_nominee(locked))
    return signed


def tell_nominee(candidate: Candidate) -> None:
    url = site_url(candidate.election.community, reverse("elections:detail", args=[candidate.election_id]))
    with translation.override(settings.LANGUAGE_CODE):
        text = _("You are nominated for %(post)s in %(title)s: accept or decline on the election page.") % {
            "post": candidate.post.name,
            "title": candidate.election.title,
        }
    notify(
        candidate.person,
        "elections.nominated",
        text,
        url,
        key=f"elections.nominated.{candidate.pk}",
        community=candidate.election.community,
    )


def answer_nomination(candidate: Candidate, user, accept: bool, statement: str = "") -> None:
    election = candidate.election
    if candidate.person_id != user.pk:
        raise Refused(_("Only the nominee can answer this nomination."))
    if election.current_phase() not in (Phase.NOMINATION, Phase.ACCEPTANCE):
        raise Refused(_("Nominations are answered before the candidate list is published."))
    if candidate.status not in (Candidate.Status.NOMINATED, Candidate.Status.ACCEPTED, Candidate.Status.DECLINED):
        raise Refused(_("This nomination is still collecting co-signers."))
    candidate.status = Candidate.Status.ACCEPTED if accept else Candidate.Status.DECLINED
    candidate.statement = statement if accept else ""
    candidate.save(update_fields=["status", "statement"])


def uncontested_posts(election) -> list[Post]:
    """Posts whose candidates do not outnumber their seats: elections are contested (差额) by default."""
    posts = []
    for post in election.posts.all():
        standing = post.candidates.exclude(status=Candidate.Status.DECLINED).exclude(status=Candidate.Status.COLLECTING)
        if standing.count() <= post.seats:
            posts.append(post)
    return posts


# Notifications, sealing, results --------------------------------------------------------------------

PHASE_TEXT = {
    Phase.ANNOUNCEMENT: gettext_lazy("%(title)s is announced: posts, seats and dates are on the election page."),
    Phase.VOTER_LIST: gettext_lazy("The voter list of %(title)s is published: check your entry and object if wrong."),
    Phase.NOMINATION: gettext_lazy("Nominations for %(title)s are open."),
    Phase.ACCEPTANCE: gettext_lazy("Nominees of %(title)s are asked to accept."),
    Phase.CANDIDATES: gettext_lazy("The candidates of %(title)s and their statements are published."),
    Phase.VOTING: gettext_lazy("Voting in %(title)s is open: vote online or at the polling station."),
    Phase.COUNTING: gettext_lazy("Voting in %(title)s has closed; the ballots are being counted."),
    Phase.RESULTS: gettext_lazy("The results of %(title)s are announced."),
}


def electorate_users(election):
    from django.contrib.auth import get_user_model

    if election.voter_list_built_at:
        ids = VoterListEntry.objects.filter(election=election, struck=False).values("user_id")
    else:
        ids = members_for_list(election).values("user_id")
    return get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("pk")


def notify_phase(election: Election, phase: str) -> int:
    url = site_url(election.community, reverse("elections:detail", args=[election.pk]))
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        text = str(PHASE_TEXT[Phase(phase)] % {"title": election.title})
        for user in electorate_users(election).iterator():
            key = f"elections.{election.pk}.{phase}"
            sent += notify(user, "elections.phase", text, url, key=key, community=election.community)
    return sent


def advance(election: Election, now=None) -> Election:
    """Do what the current phase needs; tell the electorate once per phase. Safe to call often."""
    phase = election.current_phase(now)
    order = [p for p, _start in election.phase_starts()]
    if order.index(phase) >= order.index(Phase.VOTER_LIST) and not election.voter_list_built_at:
        build_voter_list(election)
    if election.voting_closed(now) and not election.sealed_at:
        election = ballots.seal(election, now)
    if election.notified_phase != phase:
        updated = Election.objects.filter(pk=election.pk).exclude(notified_phase=phase).update(notified_phase=phase)
        election.notified_phase = phase
        if updated:
            from .tasks import notify_phase_task

            pk = election.pk
            transaction.on_commit(lambda: notify_phase_task.enqueue(pk, phase))
            if phase == Phase.ACCEPTANCE:  # the committee's nominees too are asked to accept (once each)
                nominees = election.candidates.filter(status=Candidate.Status.NOMINATED).select_related("post")
                for candidate in nominees:
                    transaction.on_commit(lambda c=candidate: tell_nominee(c))
    return election


def after_seal(election) -> None:
    """Inside the seal's transaction: nothing more than the turnout push (done by the box)."""


def announce_results(election: Election) -> None:
    if not election.sealed_at:
        raise Refused(_("The results are announced after voting has closed and the ballots are counted."))
    if election.results_announced_at:
        return
    election.results_announced_at = timezone.now()
    election.save(update_fields=["results_announced_at"])
    advance(election)


def next_round(election: Election, round_kind: str, worker=None) -> Election:
    """Open the round that follows an announced one, as an election of its own with the same voter list:
    a run-off (决选) among the candidates tied for the last seats of a post, for those seats; or a second
    round (另行选举) for the seats left empty, the runners-up its candidates. The worker then checks the
    dates (and, for a second round, the candidates) in the admin."""
    runoff = round_kind == Election.RoundKind.RUNOFF
    if round_kind not in (Election.RoundKind.RUNOFF, Election.RoundKind.SECOND):
        raise Refused(_("Choose a run-off or a second round."))
    result = election.sealed_result
    if not election.results_announced_at or not result:
        raise Refused(_("A run-off or a second round is opened after the results are announced."))
    if not result["valid"]:
        raise Refused(_("Too few took part: the whole election is held again, not a second round."))
    if runoff:
        seats = {p["key"]: int(p["runoff_seats"]) for p in result["posts"] if int(p["runoff_seats"])}
        if not seats:
            raise Refused(_("No tie for the last seats: there is no run-off."))
    else:
        seats = {p["key"]: int(p["empty_seats"]) for p in result["posts"] if int(p["empty_seats"])}
        if not seats:
            raise Refused(_("Every seat was filled or goes to a run-off: there is no second round."))
    if election.second_rounds.filter(round_kind=round_kind).exists():
        if runoff:
            raise Refused(_("A run-off of this election is already open."))
        raise Refused(_("A second round of this election is already open."))
    title = _("%(title)s (run-off)") if runoff else _("%(title)s (second round)")
    now = timezone.now()
    with transaction.atomic():
        again = Election.objects.create(
            community=election.community,
            kind=election.kind,
            electorate=election.electorate,
            title=title % {"title": election.title},
            announcement=election.announcement,
            round_kind=round_kind,
            second_round_of=election,
            announced_at=now,
            voter_list_from=now,
            nominations_from=now,
            acceptance_from=now,
            candidates_from=now,
            voting_starts=now + timedelta(days=7),
            voting_ends=now + timedelta(days=7, hours=10),
            cosigners_needed=election.cosigners_needed,
            participation=election.participation,
            elected_with=election.elected_with,
            second_round_elected_with=election.second_round_elected_with,
        )
        # The same voter list (the law keeps it for the later rounds).
        listed = list(election.voter_list.all())
        VoterListEntry.objects.bulk_create(
            VoterListEntry(election=again, number=e.number, user_id=e.user_id, home_id=e.home_id, struck=e.struck)
            for e in listed
        )
        Election.objects.filter(pk=again.pk).update(voter_list_built_at=now)
        candidates = {c.key: c for c in election.candidates.select_related("post")}
        # A person written in (另选他人) and tied stands in the run-off too: found by voter number.
        written_in = {f"w:{e.number}": e for e in listed if not e.struck}
        counted = {p["key"]: p for p in result["posts"]}
        for index, post in enumerate(election.posts.filter(pk__in=[int(k) for k in seats]).order_by("sort_order")):
            row_of = counted[str(post.pk)]
            new_post = Post.objects.create(election=again, name=post.name, seats=seats[str(post.pk)], sort_order=index)
            if runoff:  # the tied, and only them
                standing = [r for r in row_of["rows"] if r["status"] == "runoff"]
            else:  # runners-up, twice the seats at most (差额), from the candidates not elected
                standing = [r for r in row_of["rows"] if r["status"] != "elected" and r["key"] in candidates]
                standing = standing[: new_post.seats * 2]
            for row in standing:
                old = candidates.get(row["key"])
                person_id = old.person_id if old else getattr(written_in.get(row["key"]), "user_id", None)
                if person_id is None:
                    continue  # struck off the list since: no longer eligible
                Candidate.objects.create(
                    election=again,
                    post=new_post,
                    person_id=person_id,
                    source=Candidate.Source.COMMITTEE,
                    status=Candidate.Status.ACCEPTED,
                    statement=old.statement if old else "",
                )
    return again


def rounds(election: Election) -> list[Election]:
    """The first round of `election` and every round that followed it, in the order they were opened."""
    first = election
    while first.second_round_of_id:
        first = first.second_round_of
    found, frontier = [first], [first]
    while frontier:
        frontier = list(
            Election.objects.filter(second_round_of__in=frontier).select_related("community").order_by("pk")
        )
        found.extend(frontier)
    return found


def final_result(election: Election) -> dict:
    """Who the election (all its rounds) finally elected, per post, and what is still pending.

    {"posts": [{"name", "members": [{"name", "round_kind", "election"}]}], "rounds": [...], "pending": [...]}
    A run-off or second round counts once its results are announced; until then it is pending.
    """
    return final_from(rounds(election))


def final_from(chain: list[Election]) -> dict:
    """The final result of a first round and its later rounds (`rounds`), without a query."""
    posts: dict[str, dict] = {}
    pending = []
    for round_ in chain:
        if not (round_.results_announced_at and round_.sealed_result):
            if round_.second_round_of_id:
                pending.append(round_)
            continue
        for post in round_.sealed_result.get("posts", []):
            entry = posts.setdefault(post["name"], {"name": post["name"], "members": []})
            entry["members"].extend(
                {"name": row["name"], "round_kind": round_.round_kind, "election": round_}
                for row in post["rows"]
                if row["status"] == "elected"
            )
    return {"posts": list(posts.values()), "rounds": chain, "pending": pending}

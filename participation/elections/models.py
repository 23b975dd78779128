"""Elections (民主选举): the residents' committee (居民委员会) and the homeowners' committee (业主委员会).

An election is announced with its posts and seats, publishes its voter list for objections, takes
nominations (residents with co-signers, and the election committee), asks each nominee to accept,
publishes the candidates with their statements, votes, counts, announces, and, where seats stay
empty, runs a second round (另行选举) as an election of its own; a tie for the last seats goes to a
run-off (决选) among the tied, also an election of its own. Both are rounds (`round_kind`) that follow
an earlier round (`second_round_of`), made by phases.next_round.

The ballots are the ONE ballots core's (participation.deliberations.ballots, through the election's
ballot box in box.py): the roll (who voted) apart from the ballots (what was voted), receipts, the
running commitment, the hash-chained log sealed at the close, append-only tables. An election ballot
holds, per post, the marks the voter made (`choices`): counting (counting.py) decides what is valid.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from . import counting


class Phase(models.TextChoices):
    ANNOUNCEMENT = "announcement", _("Announcement")
    VOTER_LIST = "voter_list", _("Voter list published")
    NOMINATION = "nomination", _("Nomination")
    ACCEPTANCE = "acceptance", _("Candidates accept")
    CANDIDATES = "candidates", _("Candidate list published")
    VOTING = "voting", _("Voting")
    COUNTING = "counting", _("Counting")
    RESULTS = "results", _("Results announced")


class Election(ClusterableModel):
    """One round of an election of a committee in one community."""

    class Kind(models.TextChoices):
        RESIDENTS = counting.RESIDENTS, _("Residents' committee (居民委员会)")
        HOMEOWNERS = counting.HOMEOWNERS, _("Homeowners' committee (业主委员会)")

    class Electorate(models.TextChoices):
        # The values of deliberations' Topic.Electorate: the electorate is drawn by the same code.
        ALL = "all", _("Every adult resident with a verified membership")
        HOUSEHOLD = "household", _("One representative per household")
        REPRESENTATIVES = "representatives", _("Resident representatives")
        HOMEOWNERS = "homeowners", _("Homeowners (one vote per home, weighted by floor area)")

    class Threshold(models.TextChoices):
        MORE_THAN_HALF = "more_than_half", _("more than half")
        TWO_THIRDS = "two_thirds", _("at least two thirds")
        ONE_THIRD = "one_third", _("at least one third")

    class RoundKind(models.TextChoices):
        FIRST = counting.FIRST_ROUND, _("First round")
        RUNOFF = counting.RUNOFF_ROUND, _("Run-off (决选) among the tied")
        SECOND = counting.SECOND_ROUND, _("Second round (另行选举) for empty seats")

    community = models.ForeignKey(
        "regions.Community", on_delete=models.PROTECT, related_name="elections", verbose_name=_("community")
    )
    kind = models.CharField(_("committee"), max_length=20, choices=Kind.choices, default=Kind.RESIDENTS)
    title = models.CharField(_("title"), max_length=200)
    announcement = models.TextField(_("announcement"), help_text=_("The election announcement (选举公告)."))
    electorate = models.CharField(_("who votes"), max_length=20, choices=Electorate.choices, default="all")
    round_kind = models.CharField(_("round"), max_length=10, choices=RoundKind.choices, default=RoundKind.FIRST)
    second_round_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="second_rounds",
        verbose_name=_("follows the round"),
        help_text=_(
            "Set for a run-off (决选) of the seats an earlier round left tied, or a second round (另行选举) "
            "of the seats it left empty."
        ),
    )

    announced_at = models.DateTimeField(_("announced"), default=timezone.now)
    voter_list_from = models.DateTimeField(_("voter list published"))
    nominations_from = models.DateTimeField(_("nominations open"))
    acceptance_from = models.DateTimeField(_("candidates accept from"))
    candidates_from = models.DateTimeField(_("candidate list published"))
    voting_starts = models.DateTimeField(_("voting starts"))
    voting_ends = models.DateTimeField(_("voting ends"))
    results_announced_at = models.DateTimeField(_("results announced"), null=True, blank=True, editable=False)

    cosigners_needed = models.PositiveSmallIntegerField(
        _("co-signers for a residents' nomination"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("A resident nominates a candidate jointly with this many other voters (十人以上联名)."),
    )
    participation = models.CharField(
        _("valid when taking part"),
        max_length=20,
        choices=Threshold.choices,
        default="more_than_half",
        help_text=_("Share of the electorate that must vote (homeowners: of owners and of floor area)."),
    )
    elected_with = models.CharField(
        _("elected with"),
        max_length=20,
        choices=Threshold.choices,
        default="more_than_half",
        help_text=_("Share of the ballots cast a candidate needs (homeowners: of owners and area taking part)."),
    )
    second_round_elected_with = models.CharField(
        _("elected in a second round with"), max_length=20, choices=Threshold.choices, default="one_third"
    )

    # Frozen when voting closes (the ballots core's seal).
    sealed_at = models.DateTimeField(_("ballot log sealed"), null=True, blank=True, editable=False)
    sealed_eligible_headcount = models.PositiveIntegerField(null=True, blank=True, editable=False)
    sealed_eligible_area = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, editable=False)
    log_head = models.CharField(max_length=64, blank=True, editable=False)
    sealed_result = models.JSONField(null=True, blank=True, editable=False)
    sealed_header = models.JSONField(null=True, blank=True, editable=False)  # names frozen at the close
    voter_list_built_at = models.DateTimeField(_("voter list built"), null=True, blank=True, editable=False)
    notified_phase = models.CharField(max_length=20, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("community"),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("electorate")]),
        FieldPanel("title"),
        FieldPanel("announcement"),
        FieldRowPanel([FieldPanel("round_kind"), FieldPanel("second_round_of")]),
        InlinePanel("posts", label=_("Posts and seats"), min_num=1),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("announced_at"), FieldPanel("voter_list_from")]),
                FieldRowPanel([FieldPanel("nominations_from"), FieldPanel("acceptance_from")]),
                FieldRowPanel([FieldPanel("candidates_from"), FieldPanel("voting_starts"), FieldPanel("voting_ends")]),
            ],
            heading=_("Phases"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("cosigners_needed"),
                FieldPanel("participation"),
                FieldPanel("elected_with"),
                FieldPanel("second_round_elected_with"),
            ],
            heading=_("Rules"),
        ),
    ]

    secret = True  # elections are always by secret ballot (无记名投票)
    min_age = 18  # the right to vote and to stand (年满十八周岁)

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        ordering = ["-voting_starts"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(voting_starts__lt=models.F("voting_ends")), name="election_voting_window"
            )
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self._state.adding and self.kind == self.Kind.HOMEOWNERS:
            # The Civil Code's defaults for a homeowners' committee: owners of two thirds of the area and
            # two thirds of the owners take part; the homeowners vote, one vote per home.
            if self.participation == "more_than_half":
                self.participation = self.Threshold.TWO_THIRDS
            self.electorate = self.Electorate.HOMEOWNERS
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        present = [d for _phase, d in self.phase_starts() if d is not None]
        if any(a > b for a, b in zip(present, present[1:], strict=False)):
            raise ValidationError(_("The phase dates must follow each other in order."))
        if self.voting_starts and self.voting_ends and self.voting_starts >= self.voting_ends:
            raise ValidationError({"voting_ends": _("Voting must end after it starts.")})
        if (self.round_kind == self.RoundKind.FIRST) != (self.second_round_of_id is None):
            raise ValidationError(
                {"second_round_of": _("A run-off or a second round follows an earlier round; a first round does not.")}
            )
        if self.kind == self.Kind.HOMEOWNERS and self.electorate != self.Electorate.HOMEOWNERS:
            raise ValidationError({"electorate": _("A homeowners' committee is elected by the homeowners.")})

    # Phases -----------------------------------------------------------------

    # Each phase and the field holding the date it begins, in order (portal.core.phases filters by it).
    PHASE_FIELDS = [
        (Phase.ANNOUNCEMENT, "announced_at"),
        (Phase.VOTER_LIST, "voter_list_from"),
        (Phase.NOMINATION, "nominations_from"),
        (Phase.ACCEPTANCE, "acceptance_from"),
        (Phase.CANDIDATES, "candidates_from"),
        (Phase.VOTING, "voting_starts"),
        (Phase.COUNTING, "voting_ends"),
        (Phase.RESULTS, "results_announced_at"),
    ]

    def phase_starts(self) -> list[tuple[str, object]]:
        return [(phase, getattr(self, field)) for phase, field in self.PHASE_FIELDS]

    def current_phase(self, now=None) -> Phase:
        now = now or timezone.now()
        current = Phase.ANNOUNCEMENT
        for phase, start in self.phase_starts():
            if start is not None and start <= now:
                current = phase
        return Phase(current)

    def timeline(self, now=None) -> list[dict]:
        current = self.current_phase(now)
        return [
            {"phase": Phase(p), "label": Phase(p).label, "starts": s, "current": p == current}
            for p, s in self.phase_starts()
        ]

    def is_voting_open(self, now=None) -> bool:
        return self.current_phase(now) == Phase.VOTING

    def voting_closed(self, now=None) -> bool:
        return (now or timezone.now()) >= self.voting_ends

    @property
    def round(self) -> int:
        return 2 if self.second_round_of_id else 1

    @property
    def is_runoff(self) -> bool:
        return self.round_kind == self.RoundKind.RUNOFF

    @property
    def rules(self) -> counting.Rules:
        if self.round_kind == self.RoundKind.RUNOFF:
            # 决选: among the tied only, no write-ins; the most votes win (a new tie: another run-off). The
            # homeowners' committee keeps the Civil Code's double majority of those taking part.
            homeowners = self.kind == self.Kind.HOMEOWNERS
            return counting.Rules(
                kind=self.kind,
                participation=self.participation,
                elected_with=self.elected_with if homeowners else counting.MOST,
                write_ins=False,
            )
        second = self.round_kind == self.RoundKind.SECOND
        return counting.Rules(
            kind=self.kind,
            participation=self.participation,
            elected_with=self.second_round_elected_with if second else self.elected_with,
        )

    def objections_open(self, now=None) -> bool:
        return self.current_phase(now) in (Phase.VOTER_LIST, Phase.NOMINATION, Phase.ACCEPTANCE, Phase.CANDIDATES)


class Post(Orderable):
    """A post on the committee and its seats: 主任 1, 副主任 2, 委员 4."""

    election = ParentalKey(Election, on_delete=models.CASCADE, related_name="posts")
    name = models.CharField(_("post"), max_length=50)
    seats = models.PositiveSmallIntegerField(_("seats"), default=1, validators=[MinValueValidator(1)])

    panels = [FieldRowPanel([FieldPanel("name"), FieldPanel("seats")])]

    class Meta(Orderable.Meta):
        verbose_name = _("post")
        verbose_name_plural = _("posts")

    def __str__(self):
        return f"{self.name} ({self.seats})"


class VoterListEntry(models.Model):
    """One person on the election's voter list (选民名单), built from verified memberships when it is
    published; an upheld objection adds or strikes a person. Shown publicly with masked names only."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="voter_list")
    number = models.PositiveIntegerField(_("voter number"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    home = models.ForeignKey("accounts.Home", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    struck = models.BooleanField(_("struck off"), default=False)

    class Meta:
        verbose_name = _("voter list entry")
        verbose_name_plural = _("voter list")
        ordering = ["election", "number"]
        constraints = [
            models.UniqueConstraint(fields=["election", "user"], name="election_voter_once"),
            models.UniqueConstraint(fields=["election", "number"], name="election_voter_number_once"),
        ]

    def __str__(self):
        return f"{self.election_id} · {self.number}"

    @property
    def masked_name(self) -> str:
        from portal.accounts.masking import mask_name

        return mask_name(self.user.public_name)

    masked_name.fget.short_description = _("name")


class Objection(models.Model):
    """A resident's objection to the voter list (选民名单异议), resolved by a worker."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the election committee")
        UPHELD = "upheld", _("Upheld")
        REJECTED = "rejected", _("Rejected")

    class Kind(models.TextChoices):
        MISSING = "missing", _("I am missing from the list")
        WRONG = "wrong", _("Someone on the list should not be")

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="objections")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("objection"), max_length=10, choices=Kind.choices, default=Kind.MISSING)
    about_number = models.PositiveIntegerField(_("voter number it is about"), null=True, blank=True)
    text = models.TextField(_("details"), max_length=1000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(_("answer"), blank=True, help_text=_("Shown to the resident."))
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    created_at = models.DateTimeField(_("raised"), auto_now_add=True)

    panels = [FieldPanel("status"), FieldPanel("resolution")]

    class Meta:
        verbose_name = _("voter list objection")
        verbose_name_plural = _("voter list objections")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.election} · {self.get_kind_display()}"


class Candidate(models.Model):
    """A person nominated for a post: by residents (with co-signers) or by the election committee."""

    class Source(models.TextChoices):
        RESIDENTS = "residents", _("Residents, jointly")
        COMMITTEE = "committee", _("The election committee")

    class Status(models.TextChoices):
        COLLECTING = "collecting", _("Collecting co-signers")
        NOMINATED = "nominated", _("Nominated, waiting for acceptance")
        ACCEPTED = "accepted", _("Accepted: a candidate")
        DECLINED = "declined", _("Declined")

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidates")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="candidates", verbose_name=_("post"))
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    source = models.CharField(_("nominated by"), max_length=10, choices=Source.choices, default=Source.COMMITTEE)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NOMINATED)
    statement = models.TextField(_("statement"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [FieldPanel("election"), FieldPanel("post"), FieldPanel("voter_number"), FieldPanel("statement")]

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["post__sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["election", "post", "person"], name="candidate_once_per_post")]

    def validate_constraints(self, exclude=None):
        # `person` is set from the voter number in the admin form's clean(); check the constraint then.
        super().validate_constraints(exclude={"person"} | set(exclude or ()))

    def __str__(self):
        return f"{self.person.public_name} · {self.post.name}"

    @property
    def key(self) -> str:
        return f"c:{self.pk}"


class CandidateSupport(models.Model):
    """A voter co-signs a residents' nomination. Once per person: the database forbids a second."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="supporters")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["candidate", "user"], name="candidate_support_once")]

    def __str__(self):
        return f"{self.candidate_id} · {self.user_id}"


# The ballot box: the same shape as a deliberation topic's (see the ballots core) ------------------


class VoterRoll(models.Model):
    """Who voted, online, on paper at the polling station, or into the roving ballot box (流动票箱)."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("Paper ballot at the polling station")
        ROVING = "roving", _("Roving ballot box")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="roll")
    voter_key = models.CharField(max_length=120)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    voted_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    witnessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "voter_key"], name="election_roll_one_vote_per_key")]

    def __str__(self):
        return f"{self.election_id} · {self.voter_key}"


class Ballot(models.Model):
    """What was voted, per post. No voter, no time, no channel. Append-only in the database."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="ballots")
    choices = models.JSONField()  # {post id: sorted marks "c:<candidate>", "w:<voter number>", or ["abstain"]}
    weight = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(0))
    receipt_hash = models.CharField(max_length=64, unique=True)

    def __str__(self):
        return f"{self.election_id} · {self.receipt_hash[:8]}"


class LogEntry(models.Model):
    ballot = models.OneToOneField(Ballot, on_delete=models.PROTECT, primary_key=True, related_name="log_entry")
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="log_entries")
    seq = models.PositiveIntegerField()
    prev_hash = models.CharField(max_length=64)
    chain_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "seq"], name="election_log_unique_seq")]

    def __str__(self):
        return f"{self.election_id} #{self.seq}"


class BallotCommitment(models.Model):
    """The running commitment each vote writes (see deliberations.models.BallotCommitment)."""

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="commitments")
    origin = models.CharField(max_length=10, default="vote", editable=False)
    found = models.PositiveIntegerField()
    prior_digest = models.CharField(max_length=64)
    count = models.PositiveIntegerField()
    salt = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)
    state = models.TextField(null=True, editable=False)  # see deliberations.models.BallotCommitment

    def __str__(self):
        return f"{self.election_id} · {self.count}"


class VoteNonce(models.Model):
    nonce = models.CharField(max_length=64, primary_key=True)
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.nonce


APPEND_ONLY_TABLES = ("elections_ballot", "elections_logentry", "elections_ballotcommitment")

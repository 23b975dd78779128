"""Sunshine deliberations (阳光议事): topics, their options and phases, the voter roll and the ballots.

Secrecy: the voter roll (who voted) and the ballots (what was voted) share no key, no timestamp
and no insertion order. Both use random UUID primary keys; ballots carry no time at all and get
their place in the hash chain only when voting closes, in the order of their receipt hashes
(random), so neither the published log nor the admin can line a ballot up with a roll entry.

Trade-offs, chosen on purpose:
* No chain while voting is open: until the close, a ballot is protected by its voter's receipt
  (checkable in the published log) and by the count (ballots must equal roll entries), not by
  the chain. A chain in insertion order would publish the order of voting, and the roll's times
  would then re-link ballots to voters.
* Live counts of secret ballots are never shown (a count that moves after each vote tells what
  the last voter chose); see Topic.results_hidden_while_open.
* Ballots carry the floor area that counts for a double majority (the recount needs it). In a
  secret ballot an unusual floor area can point at its owner: workers choose open ballots for
  homeowners' decisions, or round areas in the register.
* Someone with direct database access can still read PostgreSQL's physical row order; this
  protects against what the portal shows and publishes, not against the database administrator.
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
from wagtail.fields import StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Orderable

from . import tally


class Phase(models.TextChoices):
    PROPOSAL = "proposal", _("Proposal")
    DISCUSSION = "discussion", _("Discussion")
    VOTING = "voting", _("Voting")
    DECIDED = "decided", _("Decided")
    CARRIED_OUT = "carried_out", _("Being carried out")
    DONE = "done", _("Done")


class Topic(ClusterableModel):
    """A matter the community decides: proposed, discussed, voted on, decided, carried out."""

    class Electorate(models.TextChoices):
        ALL = "all", _("All residents")
        HOUSEHOLD = "household", _("One vote per household")
        REPRESENTATIVES = "representatives", _("Resident representatives only")
        HOMEOWNERS = "homeowners", _("Homeowners")

    class Majority(models.TextChoices):
        SIMPLE = tally.SIMPLE, _("Simple majority (more than half of the votes cast)")
        TWO_THIRDS = tally.TWO_THIRDS, _("Two-thirds majority (at least two thirds of the votes cast)")
        DOUBLE = tally.DOUBLE, _("Double majority by headcount and floor area")

    class Threshold(models.TextChoices):
        MORE_THAN_HALF = "more_than_half", _("more than half")
        TWO_THIRDS = "two_thirds", _("at least two thirds")
        THREE_QUARTERS = "three_quarters", _("at least three quarters")

    class Base(models.TextChoices):
        VOTING = tally.OF_VOTING, _("of those voting")
        ELIGIBLE = tally.OF_ELIGIBLE, _("of all eligible")

    community = models.ForeignKey(
        "regions.Community", on_delete=models.PROTECT, related_name="topics", verbose_name=_("community")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))

    proposal_starts = models.DateTimeField(_("proposal starts"), default=timezone.now)
    discussion_starts = models.DateTimeField(_("discussion starts"))
    voting_starts = models.DateTimeField(_("voting starts"))
    voting_ends = models.DateTimeField(_("voting ends"))
    implementation_starts = models.DateTimeField(_("implementation starts"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    electorate = models.CharField(_("who may vote"), max_length=20, choices=Electorate.choices, default="all")
    min_age = models.PositiveSmallIntegerField(
        _("minimum age"),
        null=True,
        blank=True,
        help_text=_(
            "When set, only residents whose date of birth is known (from their ID number) and who are this old "
            "on the day they vote may vote."
        ),
    )
    # Topics opened before memberships existed keep their hand-filled voter register (see electorate.py).
    legacy_register = models.BooleanField(_("uses the voter register"), default=False, editable=False)

    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (percent of eligible voters who must vote)"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_("0 means no quorum."),
    )
    majority = models.CharField(_("decision rule"), max_length=20, choices=Majority.choices, default="simple")
    double_participation = models.CharField(
        _("double majority: participation of all eligible (headcount and area)"),
        max_length=20,
        choices=Threshold.choices,
        blank=True,
    )
    double_approval = models.CharField(
        _("double majority: approval (headcount and area)"),
        max_length=20,
        choices=Threshold.choices,
        default="more_than_half",
    )
    double_approval_base = models.CharField(
        _("double majority: approval counted"), max_length=10, choices=Base.choices, default="voting"
    )

    secret = models.BooleanField(
        _("secret ballot"),
        default=True,
        help_text=_("Secret ballots keep who voted apart from what was voted; results stay hidden until the close."),
    )
    hide_results_until_close = models.BooleanField(_("hide results until voting closes"), default=False)

    outcome = models.TextField(_("outcome"), blank=True, help_text=_("What was decided, in plain words."))

    # Frozen when voting closes (see ballots.seal).
    sealed_at = models.DateTimeField(_("ballot log sealed"), null=True, blank=True, editable=False)
    # Set once the eligible voters were told that voting opened (see notices.announce_due).
    opening_announced_at = models.DateTimeField(_("opening announced"), null=True, blank=True, editable=False)
    sealed_eligible_headcount = models.PositiveIntegerField(null=True, blank=True, editable=False)
    sealed_eligible_area = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, editable=False)
    log_head = models.CharField(max_length=64, blank=True, editable=False)
    sealed_result = models.JSONField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Moves when a row the topic page shows changes beside the topic's own (signals.topic_page_changed).
    page_version = models.PositiveIntegerField(default=0, editable=False)

    panels = [
        FieldPanel("community"),
        FieldPanel("title"),
        FieldPanel("description"),
        InlinePanel("documents", label=_("Documents")),
        InlinePanel("options", label=_("Options"), min_num=2),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("proposal_starts"), FieldPanel("discussion_starts")]),
                FieldRowPanel([FieldPanel("voting_starts"), FieldPanel("voting_ends")]),
                FieldPanel("schedule_change_reason"),
                FieldRowPanel([FieldPanel("implementation_starts"), FieldPanel("done_at")]),
            ],
            heading=_("Phases"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("electorate"),
                InlinePanel("voting_buildings", label=_("Only residents of these buildings")),
                FieldPanel("min_age"),
                FieldPanel("secret"),
                FieldPanel("hide_results_until_close"),
            ],
            heading=_("Who votes, and how"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("quorum_percent"),
                FieldPanel("majority"),
                FieldPanel("double_participation"),
                FieldPanel("double_approval"),
                FieldPanel("double_approval_base"),
            ],
            heading=_("Decision rule"),
        ),
        FieldPanel("outcome"),
        InlinePanel("updates", label=_("Implementation updates")),
    ]

    class Meta:
        verbose_name = _("deliberation topic")
        verbose_name_plural = _("deliberation topics")
        ordering = ["-voting_starts"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(voting_starts__lt=models.F("voting_ends")), name="topic_voting_window"
            )
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        dates = [
            self.proposal_starts,
            self.discussion_starts,
            self.voting_starts,
            self.voting_ends,
            self.implementation_starts,
            self.done_at,
        ]
        present = [d for d in dates if d is not None]
        if any(a > b for a, b in zip(present, present[1:], strict=False)):
            raise ValidationError(_("The phase dates must follow each other in order."))
        if self.voting_starts and self.voting_ends and self.voting_starts >= self.voting_ends:
            raise ValidationError({"voting_ends": _("Voting must end after it starts.")})

    # Phases -----------------------------------------------------------------

    # Each phase and the field holding the date it begins, in order (portal.core.phases filters by it).
    PHASE_FIELDS = [
        (Phase.PROPOSAL, "proposal_starts"),
        (Phase.DISCUSSION, "discussion_starts"),
        (Phase.VOTING, "voting_starts"),
        (Phase.DECIDED, "voting_ends"),
        (Phase.CARRIED_OUT, "implementation_starts"),
        (Phase.DONE, "done_at"),
    ]

    def phase_starts(self) -> list[tuple[str, object]]:
        """(phase, start) for every phase that has a date, in order."""
        starts = [(phase, getattr(self, field)) for phase, field in self.PHASE_FIELDS]
        return [(phase, start) for phase, start in starts if start is not None]

    def current_phase(self, now=None) -> Phase:
        now = now or timezone.now()
        current = Phase.PROPOSAL
        for phase, start in self.phase_starts():
            if start <= now:
                current = phase
        return Phase(current)

    def next_phase(self, now=None):
        """(phase, start) of what comes next, or None."""
        now = now or timezone.now()
        return next(((Phase(p), s) for p, s in self.phase_starts() if s > now), None)

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
    def results_hidden_while_open(self) -> bool:
        # A live count of a secret ballot would tell, vote by vote, what each new voter chose.
        return self.secret or self.hide_results_until_close

    def results_visible(self, now=None) -> bool:
        return self.voting_closed(now) or not self.results_hidden_while_open

    @property
    def rules(self) -> tally.Rules:
        return tally.Rules(
            majority=self.majority,
            quorum_percent=self.quorum_percent,
            double_participation=self.double_participation if self.majority == tally.DOUBLE else "",
            double_approval=self.double_approval,
            double_approval_base=self.double_approval_base,
        )

    @property
    def sitewide_key(self) -> tuple:
        """Everything of the topic deliberations/topic_detail.html shows everyone, for `{% sitewide with %}`: the
        fields of its row it shows and `page_version`, which the rows beside it move (its options, documents,
        buildings, updates, schedule changes, comments, proposal and co-signatures, and the names, documents,
        buildings and images those show: signals.py). The phase, which moves with the clock, the caller adds."""
        return (
            "topic",
            self.pk,
            self.page_version,
            self.title,
            self.description,
            *(getattr(self, field) for _phase, field in self.PHASE_FIELDS),
            self.electorate,
            self.legacy_register,
            self.secret,
            self.hide_results_until_close,
            self.majority,
            self.outcome,
            self.sealed_at,
        )

    def option_infos(self) -> list[tally.OptionInfo]:
        return [tally.OptionInfo(str(o.pk), o.label, o.is_abstention) for o in self.options.all()]


class Option(Orderable):
    topic = ParentalKey(Topic, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("label"), max_length=200)
    is_abstention = models.BooleanField(
        _("abstention"), default=False, help_text=_("Counts as a vote cast, but can never win.")
    )

    panels = [FieldPanel("label"), FieldPanel("is_abstention")]

    class Meta(Orderable.Meta):
        verbose_name = _("option")

    def __str__(self):
        return self.label


class TopicDocument(Orderable):
    """A document residents read before they vote (plan, budget, quotation), from the community's collection."""

    topic = ParentalKey(Topic, on_delete=models.CASCADE, related_name="documents")
    document = models.ForeignKey(
        "wagtaildocs.Document", on_delete=models.CASCADE, related_name="+", verbose_name=_("document")
    )

    panels = [FieldPanel("document")]

    class Meta(Orderable.Meta):
        verbose_name = _("document")

    def __str__(self):
        return self.document.title


class TopicBuilding(Orderable):
    """Limits who votes on a topic to the residents of some buildings (none: the whole community)."""

    topic = ParentalKey(Topic, on_delete=models.CASCADE, related_name="voting_buildings")
    building = models.ForeignKey(
        "accounts.Building", on_delete=models.PROTECT, related_name="+", verbose_name=_("building")
    )

    panels = [FieldPanel("building")]

    class Meta(Orderable.Meta):
        verbose_name = _("building that votes")
        verbose_name_plural = _("buildings that vote")
        constraints = [models.UniqueConstraint(fields=["topic", "building"], name="topic_building_once")]

    def __str__(self):
        return str(self.building)


class ScheduleChange(models.Model):
    """The end of voting moved after people voted: when, from when to when, and why. Shown on the topic."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="schedule_changes")
    changed_at = models.DateTimeField(_("changed"), auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    old_voting_ends = models.DateTimeField(_("voting was to end"))
    new_voting_ends = models.DateTimeField(_("voting now ends"))
    votes_cast = models.PositiveIntegerField(_("votes cast by then"))
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("schedule change")
        verbose_name_plural = _("schedule changes")
        ordering = ["changed_at"]

    def __str__(self):
        return f"{self.topic_id} · {self.new_voting_ends:%Y-%m-%d %H:%M}"

    @property
    def shortened(self) -> bool:
        return self.new_voting_ends < self.old_voting_ends


class VoterRegister(models.Model):
    """Who may vote on a topic, as a worker recorded it, with the household and floor area that count.

    Only for topics opened before memberships existed (Topic.legacy_register); every newer topic
    takes its voters from verified memberships (see electorate.py).
    """

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="register", verbose_name=_("topic"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name=_("resident"))
    household_key = models.CharField(
        _("household"), max_length=100, blank=True, help_text=_("e.g. building-unit-room; one vote per household.")
    )
    floor_area = models.DecimalField(
        _("floor area (m²)"), max_digits=10, decimal_places=2, default=Decimal(0), validators=[MinValueValidator(0)]
    )

    panels = [FieldPanel("topic"), FieldPanel("user"), FieldPanel("household_key"), FieldPanel("floor_area")]

    class Meta:
        verbose_name = _("voter register entry")
        verbose_name_plural = _("voter register")
        constraints = [models.UniqueConstraint(fields=["topic", "user"], name="register_one_row_per_user")]

    def __str__(self):
        return f"{self.topic} · {self.user}"


class VoterRoll(models.Model):
    """Who voted (online or on paper). One row per voter key per topic: the database forbids a second."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("Paper ballot")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="roll")
    voter_key = models.CharField(max_length=120)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    voted_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("voter roll entry")
        constraints = [models.UniqueConstraint(fields=["topic", "voter_key"], name="roll_one_vote_per_voter_key")]

    def __str__(self):
        return f"{self.topic_id} · {self.voter_key}"


class Ballot(models.Model):
    """What was voted. No voter, no time, no channel. Append-only in the database (see append_only.py):
    its place in the chain is a LogEntry written at the seal, never a change to this row."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="ballots")
    option = models.ForeignKey(Option, on_delete=models.PROTECT, related_name="+")
    weight = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(0))
    receipt_hash = models.CharField(max_length=64, unique=True)
    voter_name = models.CharField(max_length=100, blank=True)  # open ballots only

    def __str__(self):
        return f"{self.topic_id} · {self.receipt_hash[:8]}"


class LogEntry(models.Model):
    """A ballot's place in the hash chain, written once when the log is sealed. Append-only."""

    ballot = models.OneToOneField(Ballot, on_delete=models.PROTECT, primary_key=True, related_name="log_entry")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="log_entries")
    seq = models.PositiveIntegerField()
    prev_hash = models.CharField(max_length=64)
    chain_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["topic", "seq"], name="log_entry_unique_seq")]

    def __str__(self):
        return f"{self.topic_id} #{self.seq}"


class BallotCommitment(models.Model):
    """The running commitment written by each vote, in the vote's transaction. Append-only.

    `digest` = ballot_log.commitment(salt, every ballot's hash after this vote): a hash over the
    SORTED ballot hashes, so it says nothing about order; no time is stored. The vote also records
    what it found before adding its own ballot (`found`, and `prior_digest` over those ballots with
    the previous commitment's salt): an honest history has found == previous count and prior_digest
    == previous digest, so a ballot changed, deleted or inserted outside the vote path shows up at the
    next vote, and at the seal (see ballots.commitment_problems).

    Since issue 20 a vote no longer rereads every ballot: it extends the previous commitment's `state`
    (a multiset hash of the ballots, see ballot_log) by its own ballot, and records what it extended
    (found = the previous count, prior_digest = the previous digest). Only a vote with no state before
    it (the first vote, or the first after commitments without a state) reads every ballot, as before,
    and starts the state from them. The ballots are checked against the last state by
    ballots.commitment_problems (the verify page, verify_ballots), and against the published
    commitment by anyone once the log is sealed.

    Only the latest count and digest are published while voting is open; the salt of the last one is
    published with the sealed log, so anyone can check that the log is what was committed during
    the vote. The other salts stay here: with them, the successive digests and the published ballots,
    the order of voting could be worked out.
    """

    class Origin(models.TextChoices):
        VOTE = "vote", _("a vote")
        ADOPTED = "adopted", _("ballots cast before commitments existed")

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="commitments")
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.VOTE)
    found = models.PositiveIntegerField()
    prior_digest = models.CharField(max_length=64)
    count = models.PositiveIntegerField()
    salt = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)
    # The multiset hash of the ballots after this vote (hex); empty on commitments written before it existed.
    state = models.TextField(null=True, editable=False)

    class Meta:
        verbose_name = _("ballot commitment")
        # No unique count: after a deletion outside the vote path the next vote repeats a count, and
        # must still be stored (and the deletion reported), not refused.

    def __str__(self):
        return f"{self.topic_id} · {self.count}"


class VoteNonce(models.Model):
    """A one-time token put in each vote form; a replayed POST finds it already spent."""

    nonce = models.CharField(max_length=64, primary_key=True)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.nonce


class Comment(models.Model):
    """Discussion with a stance. Plain text, rendered escaped."""

    class Stance(models.TextChoices):
        FOR = "for", _("For")
        NEUTRAL = "neutral", _("Neutral")
        AGAINST = "against", _("Against")

    community = models.ForeignKey("regions.Community", on_delete=models.PROTECT, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    stance = models.CharField(_("stance"), max_length=10, choices=Stance.choices, default="neutral")
    body = models.TextField(_("comment"), max_length=2000)
    is_hidden = models.BooleanField(_("hidden"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("comment")

    def __str__(self):
        return f"{self.author} · {self.topic}"


class ImplementationUpdate(Orderable):
    """Progress on carrying out a decision, posted by workers."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        STALLED = "stalled", _("Stalled")
        DONE = "done", _("Done")

    topic = ParentalKey(Topic, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField(_("date"), default=timezone.localdate)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default="in_progress")
    percent_complete = models.PositiveSmallIntegerField(
        _("percent complete"), default=0, validators=[MaxValueValidator(100)]
    )
    spending = models.DecimalField(_("spent so far (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    photos = StreamField(
        [("photo", ImageChooserBlock(label=_("photo")))],
        blank=True,
        verbose_name=_("photos"),
        help_text=_("From the community's collection; give each image a description: it is the text read aloud."),
    )

    panels = [
        FieldRowPanel([FieldPanel("date"), FieldPanel("status"), FieldPanel("percent_complete")]),
        FieldPanel("spending"),
        FieldPanel("note"),
        FieldPanel("photos"),
    ]

    def images(self):
        return [block.value for block in self.photos if block.value is not None]

    class Meta(Orderable.Meta):
        verbose_name = _("implementation update")


# A decision without a quorum can be made by whoever turns up; a community chooses its own default.
DEFAULT_QUORUM_PERCENT = 50


class DeliberationSettings(models.Model):
    """How one community takes topics from its residents."""

    community = models.OneToOneField(
        "regions.Community",
        on_delete=models.CASCADE,
        related_name="deliberation_settings",
        verbose_name=_("community"),
    )
    residents_may_propose = models.BooleanField(_("residents may propose topics"), default=False)
    cosigners_needed = models.PositiveSmallIntegerField(
        _("co-signers needed"),
        default=10,
        validators=[MaxValueValidator(1000)],
        help_text=_("Other verified residents who must support a proposal before workers are asked to open it."),
    )

    default_quorum_percent = models.PositiveSmallIntegerField(
        _("default quorum (percent)"),
        default=DEFAULT_QUORUM_PERCENT,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "The quorum a new topic starts with: the share of eligible voters who must vote. Workers can "
            "change it per topic before anyone votes; 0 means no quorum."
        ),
    )

    panels = [
        FieldPanel("community"),
        FieldPanel("residents_may_propose"),
        FieldPanel("cosigners_needed"),
        FieldPanel("default_quorum_percent"),
    ]

    class Meta:
        verbose_name = _("deliberation settings")
        verbose_name_plural = _("deliberation settings")

    def __str__(self):
        return str(self.community)

    @classmethod
    def for_community(cls, community) -> "DeliberationSettings":
        return cls.objects.filter(community=community).first() or cls(community=community)


class Proposal(models.Model):
    """A topic a resident proposes; it collects co-signers, then a worker schedules and opens it."""

    class Status(models.TextChoices):
        COLLECTING = "collecting", _("Collecting co-signers")
        READY = "ready", _("Waiting for the community office")
        OPENED = "opened", _("Opened as a topic")
        DECLINED = "declined", _("Declined by the community office")

    community = models.ForeignKey(
        "regions.Community", on_delete=models.PROTECT, related_name="proposals", verbose_name=_("community")
    )
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("proposed by")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000)
    options = models.TextField(_("options"), help_text=_("One option per line."))
    # The setting when it was proposed: a later change does not move the goal under the co-signers.
    cosigners_needed = models.PositiveSmallIntegerField(_("co-signers needed"), editable=False)
    created_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    ready_at = models.DateTimeField(_("enough co-signers"), null=True, blank=True, editable=False)
    topic = models.OneToOneField(
        Topic,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="proposal",
        verbose_name=_("topic"),
    )
    declined_at = models.DateTimeField(_("declined"), null=True, blank=True, editable=False)
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True, editable=False)

    class Meta:
        verbose_name = _("resident proposal")
        verbose_name_plural = _("resident proposals")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    def option_labels(self) -> list[str]:
        return [line.strip() for line in self.options.splitlines() if line.strip()]

    @property
    def status(self) -> str:
        if self.topic_id:
            return self.Status.OPENED
        if self.declined_at:
            return self.Status.DECLINED
        return self.Status.READY if self.ready_at else self.Status.COLLECTING

    def get_status_display(self) -> str:
        return self.Status(self.status).label

    get_status_display.short_description = _("status")


class CoSignature(models.Model):
    """One verified resident supports a proposal. One per person: the database forbids a second."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="cosignatures")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("co-signature")
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="cosign_once_per_person")]

    def __str__(self):
        return f"{self.proposal_id} · {self.user_id}"

"""Social organisations' disclosure (社会组织信息公开): profile, finances, projects and major events.

Everything an organisation discloses is a Wagtail page or an inline of one, so it is versioned by
page revisions and goes through the community's moderation workflow before it is public. The
database rows of a page are its published version; drafts live only in revisions.
"""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Collection, Orderable, Page, PageLogEntry, Revision

from communities.pages.models import LISTED_FIELDS, PortalPage
from communities.regions.located import Located
from portal.accounts.actions import resident_action
from portal.core.page_cache import PageCacheMixin
from portal.core.sites import community_for_request

from .credit_code import normalise, validate_credit_code
from .forms import DisclosurePageForm

ORG_ID_PREFIX = "CN-USCI-"

INCOME_CATEGORIES = [
    ("donations", _("Donations")),
    ("membership_fees", _("Membership fees")),
    ("service_income", _("Service income")),
    ("sales", _("Sales income")),
    ("government_grants", _("Government grants")),
    ("investment_income", _("Investment income")),
    ("other_income", _("Other income")),
]
RESTRICTIONS = [("unrestricted", _("unrestricted")), ("restricted", _("restricted"))]
EXPENSE_CATEGORIES = [
    ("programme", _("Programme costs")),
    ("management", _("Management costs")),
    ("fundraising", _("Fundraising costs")),
    ("other_expenses", _("Other expenses")),
]


def amount_field(verbose_name):
    return models.DecimalField(
        verbose_name,
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )


class DisclosurePage(PortalPage):
    """A disclosed page: republishing it needs a change note, and its published history is public."""

    change_note = models.CharField(
        _("change note"),
        max_length=300,
        blank=True,
        help_text=_("Required when correcting a published version: what changed and why. Shown in the public history."),
    )

    base_form_class = DisclosurePageForm
    settings_panels = Page.settings_panels

    class Meta:
        abstract = True

    def published_history(self):
        """Every published version, newest first, with the change note it was published with."""
        entries = (
            PageLogEntry.objects.filter(page=self, action="wagtail.publish", revision__isnull=False)
            .select_related("revision")
            .order_by("-timestamp", "-pk")
        )
        return [
            {"timestamp": e.timestamp, "revision_id": e.revision_id, "note": e.revision.content.get("change_note", "")}
            for e in entries
        ]

    def published_revision(self, revision_id):
        """A revision of this page that was once published, or None: drafts are never shown."""
        published = PageLogEntry.objects.filter(page=self, action="wagtail.publish", revision_id=revision_id)
        if not published.exists():
            return None
        return Revision.page_revisions.filter(pk=revision_id, object_id=str(self.pk)).first()


class OrganisationIndexPage(PortalPage):
    """社会组织: the organisations serving one community."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["community_pages.CommunityHomePage"]
    subpage_types = ["community_organisations.OrganisationPage"]
    max_count_per_parent = 1
    template = "organisations/organisation_index_page.html"

    class Meta:
        verbose_name = _("organisation index")

    def community(self):
        return getattr(self.get_parent(), "community", None)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        community = self.community()
        organisations = organisations_for_communities([community.pk]) if community else OrganisationPage.objects.none()
        context["organisations"] = organisations.order_by("title")
        return context


class OrganisationPage(RoutablePageMixin, Located, DisclosurePage):
    """One social organisation's profile; its finances, major events and leaders are inlines."""

    class LegalForm(models.TextChoices):
        SOCIAL_GROUP = "social_group", _("Social group")
        SOCIAL_SERVICE_INSTITUTION = "social_service_institution", _("Social service institution")
        FOUNDATION = "foundation", _("Foundation")
        FILED_COMMUNITY_ORGANISATION = "filed_community_organisation", _("Filed community organisation")

    class RegistrationStatus(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Activities suspended")
        REVOKED = "revoked", _("Registration revoked")
        DEREGISTERED = "deregistered", _("Deregistered")

    class Grade(models.TextChoices):
        NONE = "", _("Not evaluated")
        A1 = "1A", "1A"
        A2 = "2A", "2A"
        A3 = "3A", "3A"
        A4 = "4A", "4A"
        A5 = "5A", "5A"

    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    english_name = models.CharField(_("English name"), max_length=200, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
        help_text=_("18 characters, as on the registration certificate."),
    )
    legal_form = models.CharField(_("legal form"), max_length=40, choices=LegalForm.choices)
    registration_authority = models.CharField(_("registration authority"), max_length=100)
    registration_date = models.DateField(_("registration date"))
    registration_status = models.CharField(
        _("registration status"), max_length=20, choices=RegistrationStatus.choices, default=RegistrationStatus.ACTIVE
    )
    charity_recognised_on = models.DateField(_("recognised as a charitable organisation on"), null=True, blank=True)
    public_fundraising_from = models.DateField(_("public-fundraising qualification from"), null=True, blank=True)
    public_fundraising_until = models.DateField(_("public-fundraising qualification until"), null=True, blank=True)
    supervising_unit = models.CharField(_("supervising unit"), max_length=100, blank=True)
    purpose = models.TextField(_("purpose"))
    scope = models.TextField(_("business scope"))
    legal_representative = models.CharField(_("legal representative"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    address = models.CharField(_("office address"), max_length=200, blank=True)
    charter = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("charter"),
    )
    evaluation_grade = models.CharField(
        _("evaluation grade"), max_length=2, choices=Grade.choices, default=Grade.NONE, blank=True
    )
    evaluation_valid_until = models.DateField(_("evaluation grade valid until"), null=True, blank=True)
    charity_platform_url = models.URLField(
        _("entry on the national charity information platform"),
        blank=True,
        help_text=_("The organisation's page on 慈善中国 (cszg.mca.gov.cn)."),
    )
    communities = ParentalManyToManyField(
        "regions.Community", blank=True, related_name="organisations", verbose_name=_("communities served")
    )

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("short_name"),
                FieldPanel("english_name"),
                FieldPanel("credit_code"),
                FieldPanel("legal_form"),
                FieldRowPanel([FieldPanel("registration_authority"), FieldPanel("registration_date")]),
                FieldPanel("registration_status"),
                FieldPanel("supervising_unit"),
                FieldPanel("legal_representative"),
            ],
            heading=_("Registration"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("charity_recognised_on"),
                FieldRowPanel([FieldPanel("public_fundraising_from"), FieldPanel("public_fundraising_until")]),
                FieldRowPanel([FieldPanel("evaluation_grade"), FieldPanel("evaluation_valid_until")]),
                FieldPanel("charity_platform_url"),
            ],
            heading=_("Charitable status and evaluation"),
        ),
        FieldPanel("purpose"),
        FieldPanel("scope"),
        FieldPanel("charter"),
        MultiFieldPanel(
            [FieldPanel("contact_phone"), FieldPanel("contact_email"), FieldPanel("address")], heading=_("Contact")
        ),
        Located.location_panel(),
        FieldPanel("communities", widget=forms.CheckboxSelectMultiple),
        InlinePanel("leaders", heading=_("Leaders"), label=_("leader")),
        InlinePanel("financial_reports", heading=_("Financial reports"), label=_("financial report")),
        InlinePanel("major_events", heading=_("Major events"), label=_("major event")),
        FieldPanel("change_note"),
    ]
    parent_page_types = ["community_organisations.OrganisationIndexPage"]
    subpage_types = ["community_organisations.ProjectPage"]
    template = "organisations/organisation_page.html"

    class Meta:
        verbose_name = _("social organisation")

    def __str__(self):
        return self.title

    @property
    def org_id(self):
        return ORG_ID_PREFIX + self.credit_code

    def clean(self):
        super().clean()
        self.credit_code = normalise(self.credit_code)
        errors = {}
        expected_category = {
            self.LegalForm.SOCIAL_GROUP: "51",
            self.LegalForm.SOCIAL_SERVICE_INSTITUTION: "52",
            self.LegalForm.FOUNDATION: "53",
        }.get(self.legal_form)
        if expected_category and len(self.credit_code) == 18 and not self.credit_code.startswith(expected_category):
            errors["credit_code"] = _(
                "A %(form)s registered with civil affairs has a code starting with %(prefix)s; this one starts with "
                "%(found)s."
            ) % {"form": self.get_legal_form_display(), "prefix": expected_category, "found": self.credit_code[:2]}
        if (
            self.public_fundraising_from
            and self.public_fundraising_until
            and self.public_fundraising_until < self.public_fundraising_from
        ):
            errors["public_fundraising_until"] = _("The qualification cannot end before it starts.")
        if self.public_fundraising_from and not self.charity_recognised_on:
            errors["charity_recognised_on"] = _(
                "Only a recognised charitable organisation can hold a public-fundraising qualification."
            )
        if errors:
            raise ValidationError(errors)

    def home_community(self):
        from communities.regions.models import Community

        return Community.objects.filter(root_page__in=self.get_ancestors()).first()

    def served_communities(self):
        from communities.regions.models import Community

        return Community.objects.filter(Q(organisations=self) | Q(root_page__in=self.get_ancestors())).distinct()

    def annual_reports(self):
        return self.financial_reports.filter(period=FinancialReport.Period.ANNUAL).order_by("year")

    def projects(self):
        return ProjectPage.objects.live().child_of(self).order_by("-start_date", "title")

    @property
    def sitewide_key(self) -> tuple:
        """The published version organisations/organisation_page.html shows, for `{% sitewide with page=page %}`:
        the profile is rendered once per published version. Its fields and its inlines (leaders, financial
        reports, major events: ParentalKey children, saved with the page when a revision is published) change
        only with a publish, which gives a new `live_revision_id` and `last_published_at`. The charter is a
        Document, which can be renamed or replaced without a publish: its title and URL are part of the key (the
        reports' documents cannot be, without reading the reports: a changed or deleted document they use moves
        the generation instead, `signals.referenced_document_changed`). A historic version adds its revision's
        id in the template; a preview is never memoised (SitewideNode)."""
        charter = (self.charter_id, self.charter.title, self.charter.url) if self.charter_id else None
        return ("organisation", self.pk, self.live_revision_id, self.last_published_at, charter)

    def leaders_in_order(self):
        return self.leaders.all()

    def reports_newest_first(self):
        """The financial reports, newest period first; read when the profile is rendered, not when it is reused."""
        reports = self.financial_reports.all().select_related("document")
        return sorted(reports, key=lambda r: (r.year, r.period), reverse=True)

    def events_newest_first(self):
        return sorted(self.major_events.all(), key=lambda e: e.occurred_on, reverse=True)

    def get_context(self, request, *args, **kwargs):
        # The leaders, reports and events are read by the template inside `{% sitewide %}` (the page's methods
        # above), only when this version is rendered; the projects change without this page's publish.
        context = super().get_context(request, *args, **kwargs)
        if self.pk and not getattr(request, "is_preview", False):
            context["projects"] = self.listed_projects()
        return context

    def listed_projects(self):
        """The projects as the profile lists them: what their links and lines show. Projects are this page's only
        children: without one (the tree's `numchild`) there is nothing to read."""
        if not self.numchild:
            return []
        return self.projects().only(*LISTED_FIELDS, "status", "start_date")

    @path("")
    def profile(self, request):
        return PageCacheMixin.serve(self, request)

    @path("finances/")
    def finances(self, request):
        from django.shortcuts import render

        from .charts import finance_charts

        return render(request, "organisations/organisation_finances.html", {"page": self, **finance_charts(self)})

    @path("questions/")
    @resident_action(
        "organisations.question",
        community=lambda page, request: community_for_request(request) or page.home_community(),
    )
    def questions_and_answers(self, request):
        from .questions import questions_page

        return questions_page(request, self)

    @path("history/")
    def history(self, request):
        from django.shortcuts import render

        return render(request, "organisations/history.html", {"page": self, "history": self.published_history()})

    @path("history/<id:revision_id>/")
    def historic_version(self, request, revision_id):
        from django.http import Http404
        from django.template.response import TemplateResponse

        revision = self.published_revision(revision_id)
        if revision is None:
            raise Http404
        old = revision.as_object()
        context = old.get_context(request)
        context.update({"page": old, "historic_revision": revision, "current_page": self, "projects": []})
        return TemplateResponse(request, self.template, context)


class OrganisationLeader(Orderable):
    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        VICE_CHAIR = "vice_chair", _("Vice-chair")
        SECRETARY_GENERAL = "secretary_general", _("Secretary-general")

    page = ParentalKey(OrganisationPage, on_delete=models.CASCADE, related_name="leaders")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    name = models.CharField(_("name"), max_length=50)
    term_start = models.DateField(_("term starts"), null=True, blank=True)
    term_end = models.DateField(_("term ends"), null=True, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("role"), FieldPanel("name")]),
        FieldRowPanel([FieldPanel("term_start"), FieldPanel("term_end")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("leader")


class FinancialReport(Orderable):
    """The activity statement (业务活动表) of one period, by the accounting system for non-profits."""

    class Period(models.TextChoices):
        ANNUAL = "annual", _("Annual")
        FIRST_HALF = "h1", _("First half-year")

    page = ParentalKey(OrganisationPage, on_delete=models.CASCADE, related_name="financial_reports")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1949), MaxValueValidator(2200)])
    period = models.CharField(_("period"), max_length=10, choices=Period.choices, default=Period.ANNUAL)
    donations_unrestricted = amount_field(_("donations, unrestricted"))
    donations_restricted = amount_field(_("donations, restricted"))
    membership_fees_unrestricted = amount_field(_("membership fees, unrestricted"))
    membership_fees_restricted = amount_field(_("membership fees, restricted"))
    service_income_unrestricted = amount_field(_("service income, unrestricted"))
    service_income_restricted = amount_field(_("service income, restricted"))
    sales_unrestricted = amount_field(_("sales income, unrestricted"))
    sales_restricted = amount_field(_("sales income, restricted"))
    government_grants_unrestricted = amount_field(_("government grants, unrestricted"))
    government_grants_restricted = amount_field(_("government grants, restricted"))
    investment_income_unrestricted = amount_field(_("investment income, unrestricted"))
    investment_income_restricted = amount_field(_("investment income, restricted"))
    other_income_unrestricted = amount_field(_("other income, unrestricted"))
    other_income_restricted = amount_field(_("other income, restricted"))
    total_income = amount_field(_("total income (stated)"))
    programme = amount_field(_("programme costs"))
    management = amount_field(_("management costs"))
    fundraising = amount_field(_("fundraising costs"))
    other_expenses = amount_field(_("other expenses"))
    total_expenses = amount_field(_("total expenses (stated)"))
    audited = models.BooleanField(_("audited"), default=False)
    auditor = models.CharField(_("auditor"), max_length=100, blank=True)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("report document"),
    )
    # Set when the version holding this report is first published; never edited by hand.
    disclosed_on = models.DateField(_("disclosed on"), null=True, blank=True, editable=False)

    panels = [
        FieldRowPanel([FieldPanel("year"), FieldPanel("period")]),
        *[
            FieldRowPanel([FieldPanel(f"{code}_unrestricted"), FieldPanel(f"{code}_restricted")])
            for code, _label in INCOME_CATEGORIES
        ],
        FieldPanel("total_income"),
        FieldRowPanel([FieldPanel(code) for code, _label in EXPENSE_CATEGORIES]),
        FieldPanel("total_expenses"),
        FieldRowPanel([FieldPanel("audited"), FieldPanel("auditor")]),
        FieldPanel("document"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("financial report")

    def __str__(self):
        return f"{self.year} {self.get_period_display()}"

    def income_lines(self):
        """(category, label, restriction, restriction label, amount) for every income line."""
        return [
            (code, label, restriction, r_label, getattr(self, f"{code}_{restriction}"))
            for code, label in INCOME_CATEGORIES
            for restriction, r_label in RESTRICTIONS
        ]

    def expense_lines(self):
        return [(code, label, getattr(self, code)) for code, label in EXPENSE_CATEGORIES]

    def income_sum(self):
        return sum((line[4] or Decimal("0") for line in self.income_lines()), Decimal("0"))

    def expense_sum(self):
        return sum((line[2] or Decimal("0") for line in self.expense_lines()), Decimal("0"))

    def clean(self):
        super().clean()
        errors = {}
        for total_field, lines_sum, what in [
            ("total_income", self.income_sum(), _("income")),
            ("total_expenses", self.expense_sum(), _("expense")),
        ]:
            stated = getattr(self, total_field) or Decimal("0")
            if lines_sum != stated:
                errors[total_field] = _(
                    "The %(what)s lines add up to %(sum)s, not the stated total %(stated)s: they differ by %(diff)s."
                ) % {
                    "what": what,
                    "sum": f"{lines_sum:.2f}",
                    "stated": f"{stated:.2f}",
                    "diff": f"{lines_sum - stated:+.2f}",
                }
        if self.audited and not self.auditor.strip():
            errors["auditor"] = _("Name the auditor of an audited report.")
        if errors:
            raise ValidationError(errors)


class MajorEvent(Orderable):
    """重大事项: asset changes, investments and related-party dealings, disclosed within 30 days."""

    class Kind(models.TextChoices):
        ASSET_CHANGE = "asset_change", _("Major asset change")
        INVESTMENT = "investment", _("Investment")
        RELATED_PARTY = "related_party", _("Related-party dealing")
        OTHER = "other", _("Other major event")

    page = ParentalKey(OrganisationPage, on_delete=models.CASCADE, related_name="major_events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    counterparty = models.CharField(_("counterparty"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    occurred_on = models.DateField(_("occurred on"))
    disclosed_on = models.DateField(_("disclosed on"), null=True, blank=True, editable=False)

    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("occurred_on")]),
        FieldPanel("title"),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("counterparty"), FieldPanel("amount")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("major event")


class ProjectPage(DisclosurePage):
    """A public-benefit project: budget against actual, and a progress update at least every quarter."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ONGOING = "ongoing", _("Ongoing")
        COMPLETED = "completed", _("Completed")
        SUSPENDED = "suspended", _("Suspended")

    class FundingSource(models.TextChoices):
        GOVERNMENT_PURCHASE = "government_purchase", _("Government purchase of services")
        DONATION = "donation", _("Donations")
        PUBLIC_FUNDRAISING = "public_fundraising", _("Public fundraising")
        OWN_FUNDS = "own_funds", _("Own funds")

    description = models.TextField(_("description"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    location = models.CharField(_("location in the community"), max_length=200, blank=True)
    target_group = models.CharField(_("target group"), max_length=200, blank=True)
    beneficiaries = models.PositiveIntegerField(_("beneficiaries"), default=0)
    budget = amount_field(_("budget (yuan)"))
    actual_spending = amount_field(_("actual spending (yuan)"))
    funding_source = models.CharField(_("funding source"), max_length=30, choices=FundingSource.choices)
    final_report = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("final report"),
    )
    final_summary = models.TextField(_("final report summary"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("status"), FieldPanel("funding_source")]),
        FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
        FieldPanel("location"),
        FieldRowPanel([FieldPanel("target_group"), FieldPanel("beneficiaries")]),
        FieldRowPanel([FieldPanel("budget"), FieldPanel("actual_spending")]),
        InlinePanel("updates", heading=_("Quarterly progress updates"), label=_("progress update")),
        MultiFieldPanel([FieldPanel("final_summary"), FieldPanel("final_report")], heading=_("Final report")),
        FieldPanel("change_note"),
    ]
    parent_page_types = ["community_organisations.OrganisationPage"]
    subpage_types = []
    template = "organisations/project_page.html"

    class Meta:
        verbose_name = _("project")

    def clean(self):
        super().clean()
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("A project cannot end before it starts.")})

    def organisation(self):
        return self.get_parent().specific

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["updates"] = sorted(self.updates.all(), key=lambda u: u.period_end, reverse=True)
        context["history"] = self.published_history() if self.pk else []
        return context


class ProjectUpdate(Orderable):
    page = ParentalKey(ProjectPage, on_delete=models.CASCADE, related_name="updates")
    period_end = models.DateField(_("period ends"), help_text=_("The last day of the quarter reported on."))
    summary = models.TextField(_("progress"))
    spent_to_date = amount_field(_("spent to date (yuan)"))
    beneficiaries_to_date = models.PositiveIntegerField(_("beneficiaries to date"), default=0)
    disclosed_on = models.DateField(_("disclosed on"), null=True, blank=True, editable=False)

    panels = [
        FieldRowPanel([FieldPanel("period_end"), FieldPanel("spent_to_date"), FieldPanel("beneficiaries_to_date")]),
        FieldPanel("summary"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("progress update")


class OrganisationAccess(models.Model):
    """The staff group and document collection of one organisation; kept out of page revisions."""

    page = models.OneToOneField(
        OrganisationPage, on_delete=models.CASCADE, related_name="access", verbose_name=_("organisation")
    )
    staff_group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="organisation_access", verbose_name=_("staff group")
    )
    collection = models.OneToOneField(
        Collection, on_delete=models.PROTECT, related_name="organisation_access", verbose_name=_("collection")
    )

    class Meta:
        verbose_name = _("organisation access")

    def __str__(self):
        return str(self.staff_group)


def organisations_for_communities(communities):
    """Live organisations that serve any of `communities` or sit under one of their sites."""
    from communities.regions.models import Community

    roots = Community.objects.filter(pk__in=communities).values_list("root_page__path", flat=True)
    under = Q(pk__in=[])
    for root_path in roots:
        under |= Q(path__startswith=root_path)
    return OrganisationPage.objects.live().filter(Q(communities__in=communities) | under).distinct()


class Question(models.Model):
    """A resident's question to an organisation: hidden until the community's staff approve it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    organisation = models.ForeignKey(
        OrganisationPage, on_delete=models.CASCADE, related_name="questions", verbose_name=_("organisation")
    )
    community = models.ForeignKey(
        "regions.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("author")
    )
    body = models.TextField(_("question"), max_length=1000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("answer"), max_length=3000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("question")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "status", "-created_at"])]

    def __str__(self):
        return self.body[:40]

from django.contrib.auth.models import Group
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Collection, Page, Site, Task

from themes.colours import validate_primary_colour
from themes.registry import BASE, get_theme, theme_choices

from .boundaries import validate_boundary

# A community's slug becomes a DNS label: lower-case letters, digits and inner hyphens.
slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    _("Use 1-50 lower-case letters, digits and hyphens, not starting or ending with a hyphen."),
    code="invalid_slug",
)


class Region(models.Model):
    """A node of the city > district > street tree. Communities hang under streets."""

    class Kind(models.TextChoices):
        CITY = "city", _("City")
        DISTRICT = "district", _("District")
        STREET = "street", _("Street")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=50, unique=True, validators=[slug_validator])
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    page = models.OneToOneField(Page, on_delete=models.PROTECT, related_name="region", verbose_name=_("page"))
    collection = models.OneToOneField(
        Collection, on_delete=models.PROTECT, related_name="region", verbose_name=_("collection")
    )
    editors_group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="edited_region", verbose_name=_("editors group")
    )
    boundary = models.JSONField(
        _("boundary"),
        null=True,
        blank=True,
        validators=[validate_boundary],
        help_text=_("GeoJSON Polygon or MultiPolygon, [longitude, latitude] in WGS84, inside the city. Empty: none."),
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="city", parent__isnull=True) | models.Q(parent__isnull=False),
                name="region_only_city_has_no_parent",
            )
        ]

    def __str__(self):
        return self.name


class Community(models.Model):
    """A neighbourhood community (社区): one Wagtail Site, one page subtree, one collection."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.CharField(_("slug"), max_length=50, unique=True, validators=[slug_validator])
    hostname = models.CharField(_("hostname"), max_length=255, unique=True)
    street = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="communities",
        limit_choices_to={"kind": Region.Kind.STREET},
        verbose_name=_("street"),
    )
    site = models.OneToOneField(Site, on_delete=models.PROTECT, related_name="community", verbose_name=_("site"))
    root_page = models.OneToOneField(
        Page, on_delete=models.PROTECT, related_name="community", verbose_name=_("home page")
    )
    collection = models.OneToOneField(
        Collection, on_delete=models.PROTECT, related_name="community", verbose_name=_("collection")
    )
    editors_group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="edited_community", verbose_name=_("editors group")
    )
    moderators_group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="moderated_community", verbose_name=_("moderators group")
    )
    population = models.PositiveIntegerField(
        _("population"),
        null=True,
        blank=True,
        help_text=_(
            "How many people live in the community (from the latest count); decision support compares "
            "participation and services with it."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    boundary = models.JSONField(
        _("boundary"),
        null=True,
        blank=True,
        validators=[validate_boundary],
        help_text=_("GeoJSON Polygon or MultiPolygon, [longitude, latitude] in WGS84, inside the city. Empty: none."),
    )

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["name"]

    def __str__(self):
        return self.name


@register_setting(icon="home")
class CommunitySettings(BaseSiteSetting):
    """What a community shows about itself. One row per Site (the city portal has one too)."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("logo"),
    )
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    address = models.CharField(_("office address"), max_length=200, blank=True)
    office_hours = models.CharField(_("office hours"), max_length=200, blank=True)
    theme = models.CharField(_("theme"), max_length=30, default=BASE, choices=theme_choices)
    primary_colour = models.CharField(
        _("primary colour"),
        max_length=7,
        blank=True,
        validators=[validate_primary_colour],
        help_text=_("Optional, e.g. #0b4f8a; empty uses the theme's colour. White text must be readable on it."),
    )

    panels = [
        FieldPanel("display_name"),
        FieldPanel("logo"),
        MultiFieldPanel(
            [
                FieldPanel("contact_phone"),
                FieldPanel("contact_email"),
                FieldPanel("address"),
                FieldPanel("office_hours"),
            ],
            heading=_("Contact"),
        ),
        MultiFieldPanel([FieldPanel("theme"), FieldPanel("primary_colour")], heading=_("Look")),
    ]

    class Meta:
        verbose_name = _("community settings")

    @property
    def theme_object(self):
        return get_theme(self.theme)

    @property
    def effective_primary_colour(self) -> str:
        return self.primary_colour or self.theme_object.primary


class SearchTerm(models.Model):
    """A word of community life the search segmenter must keep whole (an estate, a place, 网格员).

    Workers add the terms of their community; the segmenter is one for the whole city (a city-wide
    search must cut every text the same way), so a term helps every community's search."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="search_terms", verbose_name=_("community")
    )
    word = models.CharField(
        _("word"),
        max_length=30,
        validators=[
            RegexValidator(r"^[^\s]{2,30}$", _("One word of 2 to 30 characters, without spaces."), code="one_word")
        ],
    )
    note = models.CharField(_("note"), max_length=200, blank=True, help_text=_("What it is, for other workers."))
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("community term")
        verbose_name_plural = _("community terms")
        ordering = ["word"]
        constraints = [models.UniqueConstraint(fields=["community", "word"], name="search_term_once_per_community")]

    def __str__(self):
        return self.word


class CommunityApprovalTask(Task):
    """ONE workflow task for every community: the page's community's staff approve it.

    A page on this task may be approved by a user who acts for the community the page belongs to (the
    one scoping function, `communities.regions.scoping.communities_for`) and may publish the page
    (Wagtail's page permissions): the community's editors and the editors of its street, district and
    city; not its forum moderators, not an organisation's staff. Superusers approve everywhere.

    One task instead of one group-approval task per community: Wagtail's dashboard builds the states a
    user may review with one filter per active task, so its cost grew with the number of communities.
    """

    admin_form_fields = Task.admin_form_fields

    class Meta:
        verbose_name = _("community approval task")
        verbose_name_plural = _("community approval tasks")

    @classmethod
    def get_description(cls):
        return _("The staff of the page's community who may publish it approve it")

    def may_approve(self, obj, user) -> bool:
        from .approval import may_approve

        return may_approve(obj, user)

    def user_can_access_editor(self, obj, user):
        return self.may_approve(obj, user)

    def locked_for_user(self, obj, user):
        return not self.may_approve(obj, user)

    def user_can_lock(self, obj, user):
        return self.may_approve(obj, user)

    def user_can_unlock(self, obj, user):
        return False

    def get_actions(self, obj, user):
        if self.may_approve(obj, user):
            return [
                ("reject", _("Request changes"), True),
                ("approve", _("Approve"), False),
                ("approve", _("Approve with comment"), True),
            ]
        return []

    def start(self, workflow_state, user=None):
        obj = workflow_state.content_object
        locked_by = getattr(obj, "locked_by", None)
        if locked_by is not None and not self.may_approve(obj, locked_by):
            # As Wagtail's group approval does: a lock held by someone who cannot approve is lifted.
            obj.locked, obj.locked_by, obj.locked_at = False, None, None
            obj.save(update_fields=["locked", "locked_by", "locked_at"])
        return super().start(workflow_state, user=user)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        from .approval import reviewable_task_states

        return reviewable_task_states(self, user)

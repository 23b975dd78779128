"""The page explorer's site filter at city scale.

Wagtail's explorer filters by site with one checkbox per Site of the install: with one Site per
community that is hundreds of checkboxes (about 150 KB) on every explorer page, most of them sites the
user may not act for. Here the filter offers only the sites of the communities the user acts for (the
one scoping function, `portal.accounts.scoping.staff_communities`), as checkboxes while they are few
(`CHECKBOX_LIMIT`), and as a search by site name or host name beyond that (a city administrator).

The filterset is the one of a `PageViewSet` registered for `Page` (Wagtail's own way to customise the
page listings of every page type), so the explorer, its results and its filters all use it.
"""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Length, Substr
from django.forms import TextInput
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.pages.listing import ExplorableIndexView, GenericPageFilterSet, SiteFilter
from wagtail.admin.viewsets.pages import PageViewSet
from wagtail.models import Page, Site

from portal.accounts.scoping import staff_communities

from .child_counts import remember_child_counts

# Up to this many sites, checkboxes; more, a search field.
CHECKBOX_LIMIT = 20


def sites_for(user):
    """The Sites a user may act for: every Site for a superuser, else their communities' Sites."""
    if user.is_superuser:
        return Site.objects.all()
    return Site.objects.filter(pk__in=staff_communities(user).values("site"))


def under_sites(sites):
    """A condition on pages: under the root page of one of these sites (one query, any number of sites)."""
    return Exists(sites.filter(root_page__path=Substr(OuterRef("path"), 1, Length("root_page__path"))))


class SiteSearchFilter(django_filters.CharFilter):
    """Pages under the sites (among the user's) whose name or host name contains the text searched."""

    def filter(self, qs, value):
        value = (value or "").strip()
        if not value:
            return qs
        sites = sites_for(self.parent.request.user).filter(Q(site_name__icontains=value) | Q(hostname__icontains=value))
        return qs.filter(under_sites(sites))


class ScopedPageFilterSet(GenericPageFilterSet):
    site = SiteFilter(
        label=GenericPageFilterSet.base_filters["site"].label,  # Wagtail's, translated by Wagtail
        queryset=lambda request: sites_for(request.user).order_by("site_name", "hostname"),
        widget=GenericPageFilterSet.base_filters["site"].extra["widget"],
    )

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        if request is not None and sites_for(request.user).count() > CHECKBOX_LIMIT:
            search = SiteSearchFilter(
                label=_("Site (search by name or host name)"),
                widget=TextInput(attrs={"placeholder": _("Name or host name")}),
            )
            search.parent = self
            search.model = self._meta.model
            self.filters["site"] = search


class ScopedExplorableIndexView(ExplorableIndexView):
    base_filterset_class = ScopedPageFilterSet

    def paginate_queryset(self, queryset, page_size):
        paginated = super().paginate_queryset(queryset, page_size)
        remember_child_counts(paginated[2])  # each row's "Add child page" without a COUNT per section type
        return paginated


class ScopedPageViewSet(PageViewSet):
    """Wagtail's viewset for every page type, with the scoped site filter in its listings."""

    model = Page
    index_view_class = ScopedExplorableIndexView
    filterset_class = ScopedPageFilterSet

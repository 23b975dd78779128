"""The decision-support dashboard in the Wagtail admin (决策分析): one view for every level, scoped."""

from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin.localization import get_available_admin_languages
from wagtail.users.models import UserProfile

from portal.core.redirects import safe_next

from . import dashboard, export, query, rollup
from .forms import FilterForm


def _require_staff(request):
    if not query.scoped_community_ids(request.user):
        raise PermissionDenied


def _problems(form, error="") -> str:
    """An export's 400 reason: `error` and the form's errors, on one line."""
    return " ".join([error, *(str(e) for errors in form.errors.values() for e in errors)]).strip()


def _filters(form) -> dashboard.Filters:
    data = form.cleaned_data
    return dashboard.Filters(
        start=data["start"], end=data["end"], area=data["area_tuple"], category=data.get("category") or None
    )


def index(request):
    """The dashboard; ?export=csv&table=<key> gives one table, ?export=xlsx the workbook, ?print=1 a page
    for meetings. Bad filters are form errors (a 400 for an export), never a 500."""
    _require_staff(request)
    form = FilterForm(request.GET, request.user)
    exporting = request.GET.get("export")
    tables, error = [], ""
    if form.is_valid():
        filters = _filters(form)
        try:
            tables = dashboard.build(request.user, filters)
        except query.InsightsError as problem:
            error = str(problem)
    elif exporting:
        return HttpResponseBadRequest(_problems(form))
    if error and exporting:
        return HttpResponseBadRequest(error)
    if exporting == "csv":
        wanted = request.GET.get("table", "")
        table = next((t for t in tables if t.key == wanted), None)
        if table is None:
            return HttpResponseBadRequest(_("There is no table called %(key)s.") % {"key": wanted})
        return export.csv_response(
            table, f"insights-{table.key}-{form.cleaned_data['start']}-{form.cleaned_data['end']}"
        )
    if exporting == "xlsx":
        return export.xlsx_response(tables, f"insights-{form.cleaned_data['start']}-{form.cleaned_data['end']}")
    if exporting:
        return HttpResponseBadRequest(_("Unknown export format."))
    context = {
        "form": form,
        "tables": tables,
        "error": error,
        "querystring": _filters(form).querystring() if form.is_valid() else "",
        "today": rollup.today(),
    }
    template = "insights/admin/print.html" if request.GET.get("print") else "insights/admin/dashboard.html"
    return render(request, template, context, status=400 if (error or form.errors) else 200)


def items(request):
    """The items behind a number (a figure in an area), personal data masked by the figure's part; ?export=csv
    gives the same list as CSV (a 400 with the reason when it cannot be given)."""
    _require_staff(request)
    exporting = request.GET.get("export")
    if exporting not in (None, "csv"):
        return HttpResponseBadRequest(_("Unknown export format."))
    form = FilterForm(request.GET, request.user)
    figure_key = request.GET.get("figure", "")
    figure = query.registry.get(figure_key)
    context = {"form": form, "figure": figure, "columns": [], "rows": [], "error": ""}
    if figure is None or figure.items is None:
        context["error"] = _("There is no list of items for that figure.")
    elif form.is_valid():
        filters = _filters(form)
        try:
            community_ids = query.communities_in(request.user, filters.area)
            start, _end = rollup.day_bounds(filters.start)
            _start, end = rollup.day_bounds(filters.end)
            # The category filter cuts only the figures the dashboard cuts by it (a complaint category).
            dimension = filters.category if figure.filtered_by_category else None
            context["columns"], context["rows"] = figure.items(community_ids, start, end, dimension)
            context["querystring"] = filters.querystring()
        except query.InsightsError as problem:
            context["error"] = str(problem)
    status = 400 if (context["error"] or form.errors) else 200
    if exporting and status == 400:
        return HttpResponseBadRequest(_problems(form, context["error"]))
    if exporting:
        table = SimpleNamespace(columns=context["columns"], rows=context["rows"])
        data = form.cleaned_data
        return export.csv_response(table, f"insights-items-{figure.key}-{data['start']}-{data['end']}")
    return render(request, "insights/admin/items.html", context, status=status)


def admin_languages() -> list[str]:
    """The languages a user may choose for the admin: the project's (settings.LANGUAGES) that Wagtail has."""
    wagtail_has = dict(get_available_admin_languages())
    return [code for code, _name in settings.LANGUAGES if code in wagtail_has]


@require_POST
def language(request):
    """The dashboards' language switch: sets the user's Wagtail admin language (their profile's preferred
    language, as in their account settings), then back to `next` if it is a local URL, else the dashboard.
    An unknown language is a 400; Wagtail's admin URLs already require a logged-in admin user."""
    _require_staff(request)
    code = request.POST.get("language", "")
    if code not in admin_languages():
        return HttpResponseBadRequest(_("Unknown language."))
    profile = UserProfile.get_for_user(request.user)
    if profile.preferred_language != code:
        profile.preferred_language = code
        profile.save(update_fields=["preferred_language"])
    return HttpResponseRedirect(safe_next(request, default=reverse("insights_admin:index")))

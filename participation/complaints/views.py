"""Residents' pages: the complaint form, one's own complaint, and the public record (反光镜)."""

from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.paginator import Paginator
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F
from django.http import FileResponse, Http404, HttpResponseForbidden, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from communities.regions.models import Community, Region
from communities.regions.scoping import communities_for
from portal.accounts.actions import resident_action
from portal.core import sites
from portal.core.links import site_url

from . import cases, photos
from .forms import ComplaintForm, MirrorFilterForm, RatingForm
from .models import CaseState, Complaint, ComplaintEvent, ComplaintPhoto, ComplaintSettings
from .states import PUBLIC_STATES_EXCLUDED, TransitionError

SESSION_KEY = "complaints_submitted"  # references of complaints this browser submitted anonymously


def current_community(request) -> Community:
    community = sites.community_for_request(request)
    if community is None:
        raise Http404(_("Complaints are made on a community's own site."))
    return community


@resident_action(
    "complaints.submit",
    methods=("GET", "POST"),
    community=lambda request: current_community(request),
    options=lambda request: {"anonymous": ComplaintSettings.for_community(current_community(request)).allow_anonymous},
)
def complaint_new(request):
    community = current_community(request)
    complaint_settings = ComplaintSettings.for_community(community)
    if not request.user.is_authenticated and not complaint_settings.allow_anonymous:
        return redirect_to_login(request.get_full_path())
    form = ComplaintForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        community=community,
        complaint_settings=complaint_settings,
    )
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "coordinate_system"}
        reporter = request.user if request.user.is_authenticated else None
        complaint = cases.submit(community=community, reporter=reporter, **values)
        if reporter is None:
            request.session[SESSION_KEY] = [*request.session.get(SESSION_KEY, []), str(complaint.reference)]
        messages.success(request, _("Thank you. Your complaint is registered; follow it on this page."))
        return redirect("complaints:detail", reference=complaint.reference)
    # A browser cannot re-fill a file input: name the photos the resident must choose again.
    choose_again = [f.name for f in request.FILES.getlist("photos")] if form.is_bound else []
    context = {
        "form": form,
        "community": community,
        "photos_to_choose_again": choose_again,
        "map": pin_map(community),
    }
    return render(request, "complaints/complaint_form.html", context)


def pin_map(community) -> dict:
    """What the form's map (a progressive enhancement of the latitude and longitude fields) draws."""
    return {
        "boundary": community.boundary,
        "tiles": {"url": settings.PORTAL_MAP_TILE_URL, "attribution": settings.PORTAL_MAP_TILE_ATTRIBUTION},
        "bounds": list(settings.PORTAL_CITY_BOUNDS),
    }


def _may_follow(request, complaint: Complaint) -> bool:
    user = request.user
    if user.is_authenticated and complaint.reporter_id == user.pk:
        return True
    if complaint.reporter_id is None and str(complaint.reference) in request.session.get(SESSION_KEY, []):
        return True
    return user.is_authenticated and communities_for(user).filter(pk=complaint.community_id).exists()


def _own_complaint(request, reference) -> Complaint:
    community = current_community(request)
    complaint = get_object_or_404(
        Complaint.objects.select_related("category", "community"), reference=reference, community=community
    )
    if not _may_follow(request, complaint):
        raise Http404
    return complaint


def complaint_detail(request, reference):
    complaint = _own_complaint(request, reference)
    timeline = complaint.events.exclude(kind=ComplaintEvent.Kind.NOTE).select_related("author")
    is_reporter = request.user.is_authenticated and complaint.reporter_id == request.user.pk
    context = {
        "complaint": complaint,
        "timeline": timeline,
        "photos": complaint.photos.all(),
        "rating_form": RatingForm() if is_reporter and complaint.state == CaseState.CLOSED else None,
    }
    return render(request, "complaints/complaint_detail.html", context)


def serve_photo(photo: ComplaintPhoto, cache: str) -> FileResponse:
    try:
        opened = photo.image.open("rb")
    except FileNotFoundError:  # the row outlived its file (a restore without the private media)
        raise Http404 from None
    response = FileResponse(opened, content_type=photos.content_type(photo))
    response["Cache-Control"] = cache
    response["X-Content-Type-Options"] = "nosniff"
    return response


def complaint_photo(request, reference, photo_id):
    """A photo for the resident who raised the complaint and the staff who may act for its community."""
    complaint = _own_complaint(request, reference)
    photo = get_object_or_404(ComplaintPhoto, pk=photo_id, complaint=complaint)
    return serve_photo(photo, "private, max-age=3600")


def public_photo(request, photo_id):
    """A photo on 反光镜: only of a public complaint on the record, and not hidden by a worker."""
    photo = get_object_or_404(ComplaintPhoto.objects.select_related("complaint"), pk=photo_id)
    if not photos.is_public(photo):
        raise Http404
    return serve_photo(photo, "public, max-age=60")  # short: a worker may hide it


def signed_photo(request, token):
    """The city fetches photos (Open311 media_url) without an account: the signed, expiring URL is the key."""
    try:
        photo_id = photos.unsign(token)
    except signing.SignatureExpired:
        return HttpResponseForbidden(_("This photo link has expired."))
    except (signing.BadSignature, ValueError, TypeError):
        raise Http404 from None
    return serve_photo(get_object_or_404(ComplaintPhoto, pk=photo_id), "private, max-age=3600")


def complaint_rate(request, reference):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    complaint = _own_complaint(request, reference)
    if not (request.user.is_authenticated and complaint.reporter_id == request.user.pk):
        raise Http404
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            cases.rate(complaint, form.cleaned_data["rating"], form.cleaned_data["comment"])
        except TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Thank you for your rating."))
    else:
        messages.error(request, _("Choose satisfied or not satisfied."))
    return redirect("complaints:detail", reference=complaint.reference)


def my_complaints(request):
    """On a community site, what the user raised there; on the city site (the account menu), everywhere."""
    community = sites.community_for_request(request)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    mine = Complaint.objects.filter(reporter=request.user).select_related("category", "community__site")
    if community is not None:
        mine = mine.filter(community=community)
    for complaint in mine:
        path = reverse("complaints:detail", kwargs={"reference": complaint.reference})
        same_site = community is not None and complaint.community_id == community.pk
        complaint.link = path if same_site else site_url(complaint.community.site, path, request)
    return render(request, "complaints/my_complaints.html", {"complaints": mine, "community": community})


# --- 反光镜: the public record -----------------------------------------------------------------

HANDLING_TIME = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())


def public_complaints(communities):
    return Complaint.objects.filter(community__in=communities, public=True).exclude(state__in=PUBLIC_STATES_EXCLUDED)


# What complaints/_public_complaint.html shows of a complaint, its events and its photos (反光镜).
LISTED_FIELDS = ("kind", "description", "state", "created_at", "closed_at", "category__name", "community__name")
LISTED_EVENTS = ComplaintEvent.objects.exclude(kind=ComplaintEvent.Kind.NOTE).only(
    "complaint", "kind", "to_state", "text", "from_city", "created_at"
)
LISTED_PHOTOS = ComplaintPhoto.objects.filter(hidden_from_public=False).only("complaint", "width", "height")


def _with_public_records(complaints: list) -> list:
    """The complaints with their public events (`public_events`) and photos (`public_photos`): a query each for
    the whole list, without prefetch_related's machinery."""
    events, photos = defaultdict(list), defaultdict(list)
    if complaints:
        ids = [complaint.pk for complaint in complaints]
        for event in LISTED_EVENTS.filter(complaint__in=ids):
            events[event.complaint_id].append(event)
        for photo in LISTED_PHOTOS.filter(complaint__in=ids):
            photos[photo.complaint_id].append(photo)
    for complaint in complaints:
        complaint.public_events, complaint.public_photos = events[complaint.pk], photos[complaint.pk]
    return complaints


def _mirror(request, communities, title, scope_name):
    complaints = public_complaints(communities)
    filters = MirrorFilterForm(request.GET or None, categories=sites.site_fact(request, "mirror_categories"))
    listed, filtered = complaints, False
    if filters.is_valid():
        if filters.cleaned_data["category"]:
            listed, filtered = listed.filter(category=filters.cleaned_data["category"]), True
        if filters.cleaned_data["status"]:
            listed, filtered = listed.filter(state=filters.cleaned_data["status"]), True
    stats = list(
        complaints.values("category__name")
        # Counting and averaging skip NULLs: the open complaints (no closed_at) need no FILTER clause.
        .annotate(total=Count("pk"), finished=Count("closed_at"), average=Avg(HANDLING_TIME))
        .order_by("-total", "category__name")
    )
    paginator = Paginator(listed.select_related("category", "community").only(*LISTED_FIELDS), 20)
    if not filtered:  # every public complaint is in one category's row: no count query
        paginator.count = sum(row["total"] for row in stats)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = _with_public_records(list(page.object_list))
    context = {"page_obj": page, "stats": stats, "filters": filters, "title": title, "scope_name": scope_name}
    return render(request, "complaints/mirror.html", context)


def _mirror_scope(request):
    """(communities, scope name): a community site's own record; on the city's site, every community's."""
    community = sites.community_for_request(request)
    if community is not None:
        return [community], community.name
    site = sites.site_for_request(request)
    if site is None or not site.is_default_site:
        raise Http404(_("Complaints are made on a community's own site."))
    return Community.objects.all(), site.site_name


def mirror(request):
    communities, scope_name = _mirror_scope(request)
    return _mirror(request, communities, _("Mirror (反光镜)"), scope_name)


def mirror_item(request, pk):
    """One complaint of the public record (where search results link), masked as in the list."""
    communities, scope_name = _mirror_scope(request)
    queryset = public_complaints(communities).select_related("category", "community").only(*LISTED_FIELDS)
    [complaint] = _with_public_records([get_object_or_404(queryset, pk=pk)])
    return render(request, "complaints/mirror_item.html", {"complaint": complaint, "scope_name": scope_name})


def mirror_street(request, slug):
    street = get_object_or_404(Region, slug=slug, kind=Region.Kind.STREET)
    return _mirror(request, street.communities.all(), _("Mirror (反光镜)"), street.name)

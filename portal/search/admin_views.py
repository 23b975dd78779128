"""Staff search in the admin: every kind, visible to visitors or not, in the communities they act for."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from portal.accounts.scoping import staff_communities

from . import places, registry
from .query import SearchRequest
from .service import clean_query, search
from .text import highlight, parse_query

PER_PAGE = 20


def staff_search(request):
    community_ids = list(staff_communities(request.user).values_list("pk", flat=True))
    if not community_ids:
        raise PermissionDenied
    cleaned = clean_query(request.GET.get("q", ""))
    labels = registry.kind_labels()
    kind = request.GET.get("kind", "")
    try:
        page = min(max(int(request.GET.get("page", 1)), 1), 100)
    except ValueError:
        page = 1
    context = {"q": cleaned.text, "shortened": cleaned.shortened, "kinds": labels, "kind": kind, "results": None}
    parsed = parse_query(cleaned.text)
    if parsed:
        response = search(
            SearchRequest(
                query=parsed,
                scope="city",
                staff_communities=community_ids,
                kinds=[kind] if kind in labels else [],
                page=page,
                per_page=PER_PAGE,
            )
        )
        context.update(
            total=response.total,
            capped=response.capped,
            page=page,
            has_next=page * PER_PAGE < response.total,
            results=[
                {
                    "title": highlight(hit.title_prefix + hit.title, hit.terms, length=300),
                    "snippet": highlight(hit.text, hit.terms),
                    "kind_label": labels.get(hit.kind, hit.kind),
                    "community": getattr(places.place(hit.community_id), "community", ""),
                    "date": hit.date,
                    "public": hit.public,
                    "url": hit.admin_path or (getattr(places.place(hit.community_id), "root_url", "") + hit.path),
                }
                for hit in response.hits
            ],
        )
    return render(request, "search/admin/staff_search.html", context)

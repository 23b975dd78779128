"""Search the pages of the current site (the city site's root covers every community)."""

from urllib.parse import urlencode

from django.template.response import TemplateResponse
from wagtail.models import Page, Site

from portal.core.pagination import paginate

MAX_QUERY_LENGTH = 100
PER_PAGE = 10


def search(request):
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    site = Site.find_for_request(request)
    results = None
    if query and site is not None:
        pages = Page.objects.live().public().descendant_of(site.root_page, inclusive=True).search(query)
        results = paginate(request, pages, PER_PAGE)
    context = {"search_query": query, "results": results, "page_query_prefix": urlencode({"q": query}) + "&"}
    return TemplateResponse(request, "search/results.html", context)

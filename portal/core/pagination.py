from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator

PER_PAGE = 20


def paginate(request, queryset, per_page: int = PER_PAGE):
    """One page of a listing; a bad or out-of-range ?page= gives the nearest valid page."""
    paginator = Paginator(queryset, per_page)
    try:
        return paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)

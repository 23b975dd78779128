"""Elasticsearch 8 at city scale, through elasticsearch-dsl.

The index holds the same SearchDocument rows as the database backend:

* `title` and `body` hold the segmented words (our rjieba cut), analysed on whitespace; each has a
  `cjk` subfield analysed by Elasticsearch's built-in `cjk` analyzer (overlapping character
  bigrams), which finds a word that was cut differently (recall).
* kind, community, street, district, visibility and date are keyword/number/date fields for
  filters, facets (aggregations) and sorting; `key` ("kind:id") breaks ties for `search_after`.
* heading, text, path and the rest are stored, not indexed: what a result shows.

The portal searches an alias; `rebuild` fills a new index behind it and swaps the alias in one
request, so searching never stops during a rebuild.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from elasticsearch import Elasticsearch, NotFoundError, helpers
from elasticsearch_dsl import A, Boolean, Date, Document, Index, Keyword, Long, Q, Search, Text, analyzer

from ..query import DATE_RANGES, Hit, SearchResponse, bucket_starts, date_window

# The words are already cut and normalised by portal.search.text: split on spaces, nothing more.
WORDS = analyzer("portal_words", tokenizer="whitespace", filter=["lowercase"])
PRE, POST = "\ue000", "\ue001"  # private-use characters that never occur in our text
MARKED = re.compile(f"{PRE}(.*?){POST}")


class SearchItem(Document):
    key = Keyword()
    kind = Keyword()
    object_id = Keyword()
    community_id = Long()
    street_id = Long()
    district_id = Long()
    public = Boolean()
    visible_from = Date()
    visible_until = Date()
    date = Date()
    title = Text(analyzer=WORDS, fields={"cjk": Text(analyzer="cjk")})
    body = Text(analyzer=WORDS, fields={"cjk": Text(analyzer="cjk")})
    heading = Keyword(index=False, doc_values=False)
    title_prefix = Keyword(index=False, doc_values=False)
    text = Text(index=False)
    path = Keyword(index=False, doc_values=False)
    admin_path = Keyword(index=False, doc_values=False)


def index_definition(name: str) -> Index:
    index = Index(name)
    index.settings(number_of_shards=1, number_of_replicas=0, refresh_interval="1s")
    index.document(SearchItem)
    return index


def key_of(row) -> str:
    return f"{row.kind}:{row.object_id}"


def source_of(row) -> dict:
    return {
        "key": key_of(row),
        "kind": row.kind,
        "object_id": row.object_id,
        "community_id": row.community_id,
        "street_id": row.street_id,
        "district_id": row.district_id,
        "public": row.public,
        "visible_from": row.visible_from,
        "visible_until": row.visible_until,
        "date": row.date,
        "title": row.title,
        "body": row.body,
        "heading": row.heading,
        "title_prefix": row.title_prefix,
        "text": row.text,
        "path": row.path,
        "admin_path": row.admin_path,
    }


# --- queries --------------------------------------------------------------------------------------


def clause_query(clause):
    fields = ["title^3", "body"]
    if clause.is_phrase:
        return Q("multi_match", query=" ".join(clause.words), fields=fields, type="phrase")
    options = [Q("multi_match", query=clause.words[0], fields=fields)]
    options += [Q("multi_match", query=" ".join(alt), fields=fields, operator="and") for alt in clause.alternatives]
    return options[0] if len(options) == 1 else Q("bool", should=options, minimum_should_match=1)


def text_query(parsed):
    """Every clause in the words, or most of the query's character bigrams (the cjk subfields)."""
    words = Q("bool", must=[clause_query(c) for c in parsed.clauses])
    bigrams = Q(
        "multi_match",
        query=" ".join(c.surface for c in parsed.clauses),
        fields=["title.cjk^2", "body.cjk"],
        minimum_should_match="75%",
    )
    return Q("bool", should=[words, bigrams], minimum_should_match=1)


def scope_filters(request) -> list:
    filters = []
    if request.scope != "city":
        filters.append(Q("term", **{f"{request.scope}_id": request.scope_id}))
    if request.staff_communities is None:
        now = request.now.isoformat()
        filters += [
            Q("term", public=True),
            ~Q("range", visible_from={"gt": now}),
            ~Q("range", visible_until={"lte": now}),
        ]
    else:
        filters.append(Q("terms", community_id=list(request.staff_communities)))
    return filters


def chosen_filters(request) -> list:
    """The facets the searcher chose: applied after the aggregations (post_filter), so facet counts
    still show the other choices."""
    filters = []
    if request.kinds:
        filters.append(Q("terms", kind=list(request.kinds)))
    since, until = date_window(request.date_range, request.now)
    if since or until:
        bounds = {}
        if since:
            bounds["gte"] = since.isoformat()
        if until:
            bounds["lt"] = until.isoformat()
        filters.append(Q("range", date=bounds))
    if request.place:
        level, place_id = request.place
        filters.append(Q("term", **{f"{level}_id": place_id}))
    return filters


def build_search(request, using=None, index=None) -> Search:
    search = Search(using=using, index=index).query(
        Q("bool", must=[text_query(request.query)], filter=scope_filters(request))
    )
    chosen = chosen_filters(request)
    if chosen:
        search = search.post_filter(Q("bool", filter=chosen))
    if request.facets:
        search.aggs.bucket("kinds", A("terms", field="kind", size=50))
        if request.place_facet:
            search.aggs.bucket("places", A("terms", field=f"{request.place_facet}_id", size=200))
        starts = bucket_starts(request.now)
        ranges = [{"key": name, "from": start.isoformat()} for name, start in starts.items()]
        ranges.append({"key": "older", "to": starts["year"].isoformat()})
        search.aggs.bucket("dates", A("date_range", field="date", ranges=ranges))
    order = [{"date": {"order": "desc"}}, {"key": {"order": "asc"}}]
    search = search.sort(*([] if request.sort == "date" else ["_score"]), *order)
    search = search.highlight_options(pre_tags=[PRE], post_tags=[POST], fragment_size=120, number_of_fragments=3)
    search = search.highlight("title", "body", "title.cjk", "body.cjk")
    search = search.extra(track_total_hits=True, size=request.per_page)
    search = search.source(excludes=["title", "body"])
    paging = {"search_after": list(request.after)} if request.after else {"from_": request.offset}
    return search.extra(**paging)


def _marked_words(hit) -> set[str]:
    words = set()
    highlight = getattr(hit.meta, "highlight", None)
    if highlight is None:
        return words
    for fragments in highlight.to_dict().values():
        for fragment in fragments:
            words.update(w for w in MARKED.findall(fragment) if w.strip())
    return words


def _date(value):
    if isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def response_of(request, result) -> SearchResponse:
    hits = []
    for hit in result:
        terms = sorted(_marked_words(hit) | set(request.query.terms), key=lambda w: (-len(w), w))
        hits.append(
            Hit(
                kind=hit.kind,
                object_id=hit.object_id,
                community_id=hit.community_id,
                title=hit.heading,
                title_prefix=getattr(hit, "title_prefix", "") or "",
                text=getattr(hit, "text", "") or "",
                date=_date(hit.date),
                path=hit.path,
                admin_path=getattr(hit, "admin_path", "") or "",
                public=hit.public,
                terms=terms,
                score=hit.meta.score,
            )
        )
    response = SearchResponse(hits=hits, total=result.hits.total.value)
    if hits and len(hits) == request.per_page:
        response.cursor = list(result.hits[-1].meta.sort)
    aggregations = getattr(result, "aggregations", None)
    if request.facets and aggregations is not None:
        response.kinds = {b.key: b.doc_count for b in aggregations.kinds.buckets}
        if request.place_facet and "places" in aggregations:
            response.places = {int(b.key): b.doc_count for b in aggregations.places.buckets}
        response.dates = dict.fromkeys(DATE_RANGES, 0)
        response.dates.update({b.key: b.doc_count for b in aggregations.dates.buckets})
    return response


# --- the engine -----------------------------------------------------------------------------------


class ElasticEngine:
    name = "elasticsearch"

    def __init__(self, url: str, alias: str | None = None):
        self.client = Elasticsearch(url, request_timeout=settings.ELASTICSEARCH_TIMEOUT)
        self.alias = alias or settings.ELASTICSEARCH_INDEX

    # -- writing

    def ensure_index(self) -> None:
        """A first index behind the alias, when there is none (a fresh cluster)."""
        if not self.client.indices.exists_alias(name=self.alias):
            name = self.new_index_name()
            index_definition(name).create(using=self.client)
            self.client.indices.update_aliases(actions=[{"add": {"index": name, "alias": self.alias}}])

    def index(self, rows, target: str | None = None) -> None:
        if not rows:
            return
        if target is None:
            self.ensure_index()
        actions = (
            {"_op_type": "index", "_index": target or self.alias, "_id": key_of(row), "_source": source_of(row)}
            for row in rows
        )
        refresh = settings.ELASTICSEARCH_REFRESH if target is None else False
        helpers.bulk(self.client, actions, chunk_size=500, refresh=refresh or False)

    def remove(self, rows) -> None:
        if not rows:
            return
        actions = ({"_op_type": "delete", "_index": self.alias, "_id": key_of(row)} for row in rows)
        refresh = settings.ELASTICSEARCH_REFRESH or False
        helpers.bulk(self.client, actions, raise_on_error=False, raise_on_exception=False, refresh=refresh)

    def new_index_name(self) -> str:
        return f"{self.alias}-{timezone.now():%Y%m%d%H%M%S%f}"

    def indices_behind_alias(self) -> list[str]:
        try:
            return sorted(self.client.indices.get_alias(name=self.alias).body)
        except NotFoundError:
            return []

    def rebuild(self, rows_in_batches, progress=None) -> str:
        """Fill a new index from `rows_in_batches` (an iterable of lists of rows), then swap the alias
        to it and delete the old indices. Returns the new index's name."""
        name = self.new_index_name()
        index_definition(name).create(using=self.client)
        self.client.indices.put_settings(index=name, settings={"index": {"refresh_interval": "-1"}})
        for rows in rows_in_batches:
            self.index(rows, target=name)
            if progress:
                progress(len(rows))
        self.client.indices.put_settings(index=name, settings={"index": {"refresh_interval": "1s"}})
        self.client.indices.refresh(index=name)
        old = self.indices_behind_alias()
        actions = [{"remove": {"index": o, "alias": self.alias}} for o in old]
        actions.append({"add": {"index": name, "alias": self.alias}})
        self.client.indices.update_aliases(actions=actions)
        for o in old:
            self.client.indices.delete(index=o, ignore_unavailable=True)
        return name

    def finish_rebuild(self) -> None:
        pass

    # -- reading

    def search(self, request) -> SearchResponse:
        result = build_search(request, using=self.client, index=self.alias).execute()
        return response_of(request, result)

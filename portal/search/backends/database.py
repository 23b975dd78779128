"""Wagtail's database search backend (SQLite FTS5, PostgreSQL full-text search), with two changes.

* Title norms. Wagtail recomputes every entry's title norm (an average over the whole index) after
  each write: fine for a few thousand pages, a full-table scan per forum post at a million. This keeps
  the average in the cache for an hour and sets the norm of the written entries only; a rebuild still
  does the full refresh.
* SQLite ranking. Wagtail scores an AND of n terms as prod(1 + bm25) - 1; FTS5's bm25() is negative
  (lower is better), so with two or more terms the best matches sort last. Every term of a MATCH shares
  one bm25() anyway: score with it once, weighting the title column (FTS5 columns: autocomplete, body,
  title), and without Wagtail's title norm (bm25 normalises lengths itself). On PostgreSQL, one ts_rank
  per vector (title, body) for the whole query instead of one per word: the same order for a single
  word, a fraction of the work for long queries.
* PostgreSQL writes: one INSERT … SELECT FROM unnest() for a batch of rows (DatabaseEngine.index).
"""

from django.conf import settings
from django.core.cache import cache
from django.db.models import Avg, F
from django.db.models.functions import Length
from wagtail.search.backends.database import SearchBackend as wagtail_database_backend

AVERAGE_KEY = "portal.search.title_norm_average"
NARROW_STAFF_COMMUNITIES = 5  # a staff search over this many communities or fewer reads their documents first
TITLE_WEIGHT = 5.0


def _scaled(index_class):
    class ScaledIndex(index_class):
        _written = None

        def add_items(self, model, objs):
            objs = list(objs)
            self._written = (model, [str(obj.pk) for obj in objs])
            try:
                super().add_items(model, objs)
            finally:
                self._written = None

        def _title_average(self):
            return (
                self.entries.annotate(title_length=Length("title"))
                .filter(title_length__gt=0)
                .aggregate(Avg("title_length"))["title_length__avg"]
            )

        def _refresh_title_norms(self, full=False):
            if full:
                # Wagtail rewrites every entry; only those whose norm changes are written here.
                cache.delete(AVERAGE_KEY)
                average = self._title_average()
                if average is not None:
                    norm = average / F("title_length")
                    (
                        self.entries.annotate(title_length=Length("title"))
                        .filter(title_length__gt=0)
                        .exclude(title_norm=norm)
                        .update(title_norm=norm)
                    )
                return
            if self._written is None:
                cache.delete(AVERAGE_KEY)
                return super()._refresh_title_norms(full=full)
            average = cache.get(AVERAGE_KEY)
            if average is None:
                average = self._title_average() or 1.0
                cache.set(AVERAGE_KEY, average, 3600)
            from django.contrib.contenttypes.models import ContentType

            model, ids = self._written
            content_type = ContentType.objects.get_for_model(model)
            (
                self.entries.filter(content_type=content_type, object_id__in=ids)
                .annotate(title_length=Length("title"))
                .filter(title_length__gt=0)
                .update(title_norm=average / F("title_length"))
            )

    ScaledIndex.__name__ = f"Scaled{index_class.__name__}"
    return ScaledIndex


def _sqlite_ranked(compiler_class):
    from modelsearch.backends.database.sqlite.query import BM25, SQLiteFTSIndexEntry

    class TitleWeightedBM25(BM25):
        def as_sql(self, compiler, connection, function=None, template=None):
            return f"bm25({SQLiteFTSIndexEntry._meta.db_table}, 0.0, 1.0, {TITLE_WEIGHT})", []

    class RankedCompiler(compiler_class):
        def build_tsrank(self, vector, query, config=None, boost=1.0):
            return TitleWeightedBM25()

        def _build_rank_expression(self, vectors, config):
            # bm25 alone: it already weights the title and normalises each column by its length.
            # Wagtail multiplies in a title norm (the index's average title length / this title's),
            # which favoured short generic titles and made the order depend on when the average was taken.
            return TitleWeightedBM25()

    RankedCompiler.__name__ = f"Ranked{compiler_class.__name__}"
    return RankedCompiler


def _postgres_ranked(compiler_class):
    from django.contrib.postgres.search import SearchRank

    class RankedCompiler(compiler_class):
        def build_tsrank(self, vector, query, config=None, boost=1.0):
            # One ts_rank per vector for the whole query, instead of one per word and alternative.
            return SearchRank(vector, self.build_tsquery(query, config=config), weights=self.sql_weights) * boost

    RankedCompiler.__name__ = f"Ranked{compiler_class.__name__}"
    return RankedCompiler


def _documents_first(compiler_class):
    """The same search, phrased so that PostgreSQL cannot answer it from the GIN index on title || body:
    it then reads the few documents of a community and checks their entries (a nested loop on the
    entries' unique index), instead of reading every match in the city and dropping those of other
    communities, which it does when it underestimates a query's matches (phrases: 路灯坏了 is
    estimated at 449 matches and has 22,000). The vector gains an empty one (same value, not the indexed
    expression) whose rank counts zero times."""
    from django.contrib.postgres.search import SearchVectorField
    from django.db.models import Value
    from django.db.models.functions import Cast

    class DocumentsFirstCompiler(compiler_class):
        def get_index_vectors(self, search_query):
            return [*super().get_index_vectors(search_query), (Cast(Value(""), SearchVectorField()), 0.0)]

    DocumentsFirstCompiler.__name__ = f"DocumentsFirst{compiler_class.__name__}"
    return DocumentsFirstCompiler


def SearchBackend(params):  # noqa: N802 - Wagtail calls the backend's module attribute like a class
    backend = wagtail_database_backend(params)
    backend.index_class = _scaled(backend.index_class)
    if type(backend).__name__ == "SQLiteSearchBackend":
        backend.query_compiler_class = _sqlite_ranked(backend.query_compiler_class)
    elif type(backend).__name__ == "PostgresSearchBackend":
        backend.query_compiler_class = _postgres_ranked(backend.query_compiler_class)
        backend.documents_first_compiler_class = _documents_first(backend.query_compiler_class)
    return backend


# --- the portal's search over SearchDocument rows ----------------------------------------------------


def compile_query(parsed, operator: str = "and"):
    """The Wagtail query for parsed clauses: each clause a word (or its sub-words) or a phrase."""
    from wagtail.search.query import And, Or, Phrase, PlainText

    parts = []
    for clause in parsed.clauses:
        main = Phrase(" ".join(clause.words)) if clause.is_phrase else PlainText(clause.words[0])
        alternatives = [PlainText(" ".join(alt), operator="and") for alt in clause.alternatives]
        parts.append(Or([main, *alternatives]) if alternatives else main)
    if len(parts) == 1:
        return parts[0]
    return And(parts) if operator == "and" else Or(parts)


class DatabaseEngine:
    """Searches SearchDocument rows through Wagtail's database backend; facets with one GROUP BY."""

    name = "database"

    def __init__(self):
        from wagtail.search.backends import get_search_backend

        self.backend = get_search_backend("default")

    # -- writing

    def index(self, docs) -> None:
        from django.db import connection

        from ..models import SearchDocument

        if not docs:
            return
        if connection.vendor == "postgresql":
            self._postgres_add(docs)
        else:
            self.backend.get_index_for_model(SearchDocument).add_items(SearchDocument, docs)

    def _postgres_add(self, docs) -> None:
        """Wagtail's entries for many rows in one INSERT … SELECT FROM unnest(): the same columns, weights
        and config as Wagtail's PostgresIndex.add_items, without building Django expressions per row
        (which cost more than segmenting the text)."""
        from django.contrib.contenttypes.models import ContentType
        from django.db import connection
        from modelsearch.backends.database.postgres.weights import get_weight
        from wagtail.search.index import SearchField
        from wagtail.search.models import IndexEntry

        from ..models import SearchDocument

        fields = {f.field_name: f for f in SearchDocument.get_search_fields() if isinstance(f, SearchField)}
        config = self.backend.config or "simple"
        average = cache.get(AVERAGE_KEY)
        if average is None:
            average = self.backend.get_index_for_model(SearchDocument)._title_average() or 1.0
            cache.set(AVERAGE_KEY, average, 3600)
        table = IndexEntry._meta.db_table
        sql = f"""
            INSERT INTO {table}
                (content_type_id, object_id, title, autocomplete, body, title_norm, title_text, body_text)
            SELECT %(ct)s, x.id, setweight(to_tsvector(%(config)s::regconfig, x.t), %(tw)s), ''::tsvector,
                   setweight(to_tsvector(%(config)s::regconfig, x.b), %(bw)s),
                   COALESCE(%(average)s / NULLIF(length(to_tsvector(%(config)s::regconfig, x.t)), 0), 1.0), x.t, x.b
            FROM unnest(%(ids)s::text[], %(titles)s::text[], %(bodies)s::text[]) AS x(id, t, b)
            ON CONFLICT (content_type_id, object_id) DO UPDATE SET
                title = EXCLUDED.title, autocomplete = EXCLUDED.autocomplete, body = EXCLUDED.body,
                title_norm = EXCLUDED.title_norm, title_text = EXCLUDED.title_text, body_text = EXCLUDED.body_text
        """  # the table name is Wagtail's model's; every value is a parameter
        params = {
            "ct": ContentType.objects.get_for_model(SearchDocument).pk,
            "config": config,
            "tw": get_weight(fields["title"].boost),
            "bw": get_weight(fields["body"].boost),
            "average": float(average),
            "ids": [str(doc.pk) for doc in docs],
            "titles": [doc.title for doc in docs],
            "bodies": [doc.body for doc in docs],
        }
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    def remove(self, rows) -> None:
        from django.contrib.contenttypes.models import ContentType
        from wagtail.search.models import IndexEntry

        from ..models import SearchDocument

        if rows:
            content_type = ContentType.objects.get_for_model(SearchDocument)
            IndexEntry.objects.filter(content_type=content_type, object_id__in=[str(r.pk) for r in rows]).delete()

    def rebuild(self, rows_in_batches, progress=None) -> str:
        """Write every row's entry again (Wagtail's index is updated in place), then drop the entries
        of rows that are gone and recompute the title norms."""
        from django.contrib.contenttypes.models import ContentType
        from django.db import connection
        from django.db.models import CharField
        from django.db.models.functions import Cast
        from wagtail.search.models import IndexEntry

        from ..models import SearchDocument

        for rows in rows_in_batches:
            self.index(rows)
            if progress:
                progress(len(rows))
        content_type = ContentType.objects.get_for_model(SearchDocument)
        if connection.vendor == "postgresql":
            # An anti-join: Django's NOT IN (subquery) is quadratic once the ids no longer fit in work_mem,
            # and .delete() would fetch every stale entry first.
            with connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {IndexEntry._meta.db_table} e WHERE e.content_type_id = %s AND NOT EXISTS "
                    f"(SELECT 1 FROM {SearchDocument._meta.db_table} d "
                    "WHERE ((d.id)::varchar(50))::text = e.object_id)",
                    [content_type.pk],
                )
        else:
            existing = SearchDocument.objects.annotate(key=Cast("pk", CharField())).values("key")
            stale = IndexEntry.objects.filter(content_type=content_type).exclude(object_id__in=existing)
            stale._raw_delete(stale.db)
        self.backend.get_index_for_model(SearchDocument)._refresh_title_norms(full=True)
        return "database"

    # -- reading

    def search(self, request):
        response = self._search(request, "and")
        if response.total == 0 and len(request.query.clauses) > 1:
            response = self._search(request, "or")
            response.relaxed = True
        return response

    def _search(self, request, operator):
        """At most SEARCH_CANDIDATES matches are read, whatever the index's size: the first ones the
        database finds (no order: reading them in rank or date order would mean reading every match).
        They give the facet counts and, when no facet is chosen, the total; the page of results is
        ranked among them. More matches than that: the response says `capped` (the page shows
        "1,000+"), its counts are lower bounds and its relevance order is that of the candidates;
        a date-sorted page is still the newest of all matches."""
        from django.db import connection

        from ..models import SearchDocument
        from ..query import SearchResponse

        cap = settings.SEARCH_CANDIDATES
        query = compile_query(request.query, operator)
        base = scoped_documents(request)
        place_field = f"{request.place_facet}_id" if request.place_facet else None
        chosen_field = f"{request.place[0]}_id" if request.place else None
        extra = list(dict.fromkeys(f for f in (place_field, chosen_field) if f))

        # PostgreSQL scores each candidate as it reads it (ts_rank on the entry it has at hand), so the
        # ranking needs no second pass; SQLite's bm25() ranks in a second query (small indexes).
        scored = connection.vendor == "postgresql" and request.sort != "date"
        score = ["_score"] if scored else []
        # One community (or a worker's few): read its documents first, whatever the planner estimates.
        narrow = request.scope == "community" or (
            request.staff_communities is not None and len(request.staff_communities) <= NARROW_STAFF_COMMUNITIES
        )

        def candidates(documents):
            found = self._matched(query, documents, scored, narrow).values_list("pk", "kind", "date", *extra, *score)
            # (pk, kind, date, place facet id, chosen place id, score)
            return [
                (
                    *row[:3],
                    row[3 + extra.index(place_field)] if place_field else None,
                    row[3 + extra.index(chosen_field)] if chosen_field else None,
                    row[-1] if scored else None,
                )
                for row in found[: cap + 1]
            ]

        rows = candidates(base)
        capped = len(rows) > cap
        rows = rows[:cap]
        kinds, places, dates = ({}, {}, {}) if not request.facets else _count_facets(rows, request)
        wanted = _wanted(request)
        chosen, chosen_capped = [row for row in rows if wanted(row)], capped
        if capped and (request.kinds or request.date_range or request.place):
            # The candidates of the whole scope hold only some of the chosen facet's matches.
            chosen = candidates(filter_documents(base, request))
            chosen_capped = len(chosen) > cap
            chosen = chosen[:cap]
        total = len(chosen)
        ids = [row[0] for row in chosen]
        if not total:
            docs = []
        elif scored:
            ranked = sorted(chosen, key=lambda row: (-(row[5] or 0.0), -row[0]))  # Wagtail's order
            page = ranked[request.offset : request.offset + request.per_page]
            found = SearchDocument.objects.in_bulk([row[0] for row in page])
            docs = [found[row[0]] for row in page if row[0] in found]
            scores = {row[0]: row[5] for row in page}
            for doc in docs:
                doc._score = scores[doc.pk]
        else:
            if request.sort != "date":
                results = self.backend.search(query, SearchDocument.objects.filter(pk__in=ids))
            elif chosen_capped:
                results = self.backend.search(
                    query, filter_documents(base, request).order_by("-date"), order_by_relevance=False
                )
            else:
                results = SearchDocument.objects.filter(pk__in=ids).order_by("-date", "-pk")
            docs = list(results[request.offset : request.offset + request.per_page])
        terms = request.query.terms
        return SearchResponse(
            hits=[hit_of(doc, terms) for doc in docs],
            total=total,
            kinds=kinds,
            places=places,
            dates=dates,
            capped=chosen_capped,
            facets_capped=capped,
        )

    def _matched(self, query, documents, scored=False, narrow=False):
        """The documents matching `query` among `documents`, unordered; with their `_score` if `scored`.
        `narrow`: `documents` are few (one community's), read them first (PostgreSQL)."""
        compiler_class = getattr(self.backend, "documents_first_compiler_class", None)
        if narrow and compiler_class is not None:
            compiler = compiler_class(documents, query, order_by_relevance=scored)
            compiler.check()
        else:
            compiler = self.backend.search(query, documents, order_by_relevance=scored).query_compiler
        score_field = "_score" if scored else None
        return compiler.search(compiler.get_config(self.backend), None, None, score_field=score_field).order_by()


def _bucket(date, starts) -> str:
    for name, start in starts.items():  # newest first
        if date >= start:
            return name
    return "older"


def _count_facets(rows, request):
    """Kind, place and date counts of candidate rows (pk, kind, date, place facet id, chosen place id)."""
    from ..query import DATE_RANGES, bucket_starts

    starts = bucket_starts(request.now)
    kinds, places, dates = {}, {}, dict.fromkeys(DATE_RANGES, 0)
    for _pk, kind, date, place, _chosen, _score in rows:
        kinds[kind] = kinds.get(kind, 0) + 1
        dates[_bucket(date, starts)] += 1
        if request.place_facet and place is not None:
            places[place] = places.get(place, 0) + 1
    # The date facet counts "within the last N days": a week's items are in the month's count too.
    dates["month"] += dates["week"]
    dates["year"] += dates["month"]
    return kinds, places, dates


def _wanted(request):
    """Whether a candidate row is in the facets the searcher chose."""
    from ..query import bucket_starts

    starts = bucket_starts(request.now)
    buckets = _buckets_of(request.date_range)

    def wanted(row) -> bool:
        _pk, kind, date, _place, chosen_place, _score = row
        return (
            (not request.kinds or kind in request.kinds)
            and _bucket(date, starts) in buckets
            and (request.place is None or chosen_place == request.place[1])
        )

    return wanted


def _buckets_of(date_range: str) -> set[str]:
    order = ["week", "month", "year", "older"]
    if date_range in ("week", "month", "year"):
        return set(order[: order.index(date_range) + 1])
    if date_range == "older":
        return {"older"}
    return set(order)


def scoped_documents(request):
    """The documents this searcher may find in this scope (before the query and the facets)."""
    from django.db.models import Q

    from ..models import SearchDocument

    documents = SearchDocument.objects.all()
    if request.scope != "city":
        documents = documents.filter(**{f"{request.scope}_id": request.scope_id})
    if request.staff_communities is None:
        now = request.now
        documents = documents.filter(
            Q(visible_from__isnull=True) | Q(visible_from__lte=now),
            Q(visible_until__isnull=True) | Q(visible_until__gt=now),
            public=True,
        )
    else:
        documents = documents.filter(community_id__in=request.staff_communities)
    return documents


def filter_documents(documents, request):
    """The facets the searcher chose: kinds, a date range, a place."""
    from ..query import date_window

    if request.kinds:
        documents = documents.filter(kind__in=request.kinds)
    since, until = date_window(request.date_range, request.now)
    if since is not None:
        documents = documents.filter(date__gte=since)
    if until is not None:
        documents = documents.filter(date__lt=until)
    if request.place is not None:
        level, place_id = request.place
        documents = documents.filter(**{f"{level}_id": place_id})
    return documents


def hit_of(doc, terms):
    from ..query import Hit

    return Hit(
        kind=doc.kind,
        object_id=doc.object_id,
        community_id=doc.community_id,
        title=doc.heading,
        title_prefix=doc.title_prefix,
        text=doc.text,
        date=doc.date,
        path=doc.path,
        admin_path=doc.admin_path,
        public=doc.public,
        terms=terms,
        score=getattr(doc, "_score", None),
    )

"""The engine that answers searches: Wagtail's database backend, or Elasticsearch when
ELASTICSEARCH_URL is set. Both index SearchDocument rows and answer a SearchRequest."""

from functools import cache

from django.conf import settings


@cache
def _engine(url: str):
    if url:
        from .elastic import ElasticEngine

        return ElasticEngine(url)
    from .database import DatabaseEngine

    return DatabaseEngine()


def get_engine():
    return _engine(settings.ELASTICSEARCH_URL)

"""PostgreSQL: an index on the expression Wagtail's backend matches (title || body), so a search does not
read every entry; and one on the text form of a document's id, which Wagtail joins its entries on, so a
search joins the few entries it found to their documents instead of reading every document.
SQLite's FTS5 table needs nothing."""

from django.db import migrations

INDEX = "portal_search_entry_title_body"
ID_INDEX = "portal_search_doc_id_text"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON wagtailsearch_indexentry USING GIN ((title || body))"
        )
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {ID_INDEX} ON portal_search_searchdocument "
            "((((id)::character varying(50))::text))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        schema_editor.execute(f"DROP INDEX IF EXISTS {ID_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("portal_search", "0001_initial"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]

"""An index of Wagtail's pages by (depth, path): a page's children are the pages one level deeper whose path
starts with the page's, so with it they are one index range instead of a scan of every page at that depth (or,
on SQLite, of every page: Wagtail indexes neither column for this). The admin's explorer counts its rows'
children this way (portal/core/child_counts.py); at 700 communities the table holds 9,000+ pages."""

from django.db import migrations

INDEX = "portal_page_depth_path"


class Migration(migrations.Migration):
    dependencies = [("wagtailcore", "__first__")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON wagtailcore_page (depth, path)",
            f"DROP INDEX IF EXISTS {INDEX}",
        )
    ]

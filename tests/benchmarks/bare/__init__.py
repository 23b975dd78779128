"""A bare Wagtail page type (a title and a rich-text body, a minimal template): the floor any Wagtail
site pays before doing anything of its own. Installed only by tests.benchmarks.page_settings, so it is
never among a production site's page types."""

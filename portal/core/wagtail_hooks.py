from wagtail import hooks

from .admin_scoping import CommunityScopedSnippetDeleteBulkAction

# Registered after Wagtail's own snippet bulk delete (order 0), so it replaces it for scoped snippets.
hooks.register("register_bulk_action", CommunityScopedSnippetDeleteBulkAction, order=100)

from wagtail import hooks

from .admin_scoping import CommunityScopedSnippetDeleteBulkAction

# Registered after Wagtail's own snippet bulk delete (order 0), so it replaces it for scoped snippets.
hooks.register("register_bulk_action", CommunityScopedSnippetDeleteBulkAction, order=100)


@hooks.register("register_admin_viewset")
def register_scoped_page_viewset():
    # After Wagtail's base page viewset (order -1): the registry's entry for Page is this one.
    from .admin_explorer import ScopedPageViewSet

    return ScopedPageViewSet()

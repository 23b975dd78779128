"""What `portal` itself (and Wagtail under it) keeps that may name a person: registered for erasure."""

from wagtail.models import ModelLogEntry, PageLogEntry, Revision

from portal.notifications.models import Notification
from portal.search.models import SearchDocument

from . import erasure

# Wagtail's history: a log entry's label is the object's title at the time; a revision holds its content.
erasure.register_text(ModelLogEntry, ["label", "data"])
erasure.register_text(PageLogEntry, ["label", "data"])
erasure.register_text(Revision, ["object_str", "content"])
# Notifications to the person go; others' notifications that name them ("老王 replied") are redacted.
erasure.register_rows(Notification, own="recipient")
erasure.register_text(Notification, ["text"])
# The search rows are rebuilt from their (redacted) sources after commit; redacted now as well.
erasure.register_text(SearchDocument, ["heading", "title_prefix", "text"])

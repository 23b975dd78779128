"""The admin form of disclosed pages: corrections need a change note; report periods are unique; the
communities an organisation serves are chosen among those the editor acts for (the admin scoping mixin)."""

from django.utils.translation import gettext_lazy as _

from portal.core.admin_scoping import CommunityScopedFormMixin
from portal.core.page_forms import PortalPageForm


class DisclosurePageForm(CommunityScopedFormMixin, PortalPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A note already published describes the old correction: start the next one empty.
        if "change_note" in self.fields and self.live_change_note() is not None:
            if self.initial.get("change_note") == self.live_change_note():
                self.initial["change_note"] = ""

    def live_change_note(self):
        """The note of the published version, or None if the page was never published."""
        if not hasattr(self, "_live_note"):
            page = self.instance
            row = None
            if page.pk:
                row = (
                    type(page)
                    .objects.filter(pk=page.pk, first_published_at__isnull=False)
                    .values_list("change_note", flat=True)
                    .first()
                )
            self._live_note = row
        return self._live_note

    def clean(self):
        cleaned = super().clean()
        live_note = self.live_change_note()
        note = (cleaned.get("change_note") or "").strip()
        # Drafts and previews may go without a note; what is published or submitted for approval may not.
        going_public = any(key in self.data for key in ("action-publish", "action-submit"))
        if going_public and live_note is not None and (not note or note == live_note):
            self.add_error(
                "change_note",
                _("This page has been published: say what this new version corrects and why. The note is public."),
            )
        self.check_unique_report_periods()
        return cleaned

    def check_unique_report_periods(self):
        formset = self.formsets.get("financial_reports")
        if formset is None:
            return
        formset.is_valid()  # cleans the child forms so their data can be compared
        seen = set()
        for form in formset.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE"):
                continue
            key = (data.get("year"), data.get("period"))
            if key in seen:
                message = _("There is already a report for %(year)s, %(period)s.") % {"year": key[0], "period": key[1]}
                form.add_error("year", message)
                self.add_error(None, message)
            seen.add(key)

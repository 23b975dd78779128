"""The daily roll-up: one number per day, community, figure and dimension (a category, a bucket)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DailyFigure(models.Model):
    """A figure's value for one community on one day (a count of the day's events, or a level at its end).

    `dimension` splits a figure (a complaint category's code, a service kind; "" when the figure has none);
    `bucket` splits a duration figure into its histogram (the bucket's upper bound in hours; 0 otherwise).
    Rebuilt whole for a day by `portal.insights.rollup.rollup_day`; never edited by hand."""

    day = models.DateField(_("day"))
    community = models.ForeignKey(
        "regions.Community", on_delete=models.CASCADE, related_name="+", verbose_name=_("community")
    )
    figure = models.CharField(_("figure"), max_length=60)
    dimension = models.CharField(_("dimension"), max_length=100, blank=True, default="")
    bucket = models.PositiveIntegerField(_("bucket"), default=0)
    value = models.BigIntegerField(_("value"), default=0)

    class Meta:
        verbose_name = _("daily figure")
        verbose_name_plural = _("daily figures")
        constraints = [
            models.UniqueConstraint(
                fields=["figure", "day", "community", "dimension", "bucket"], name="insights_one_value_per_day"
            )
        ]
        indexes = [models.Index(fields=["day", "figure"])]

    def __str__(self):
        return f"{self.day} {self.figure} {self.community_id} {self.dimension} {self.bucket}: {self.value}"


class RolledUpDay(models.Model):
    """A day whose figures are in DailyFigure (a day missing here is computed live when asked for)."""

    day = models.DateField(_("day"), unique=True)
    rolled_up_at = models.DateTimeField(_("rolled up"), auto_now=True)

    class Meta:
        verbose_name = _("rolled-up day")
        verbose_name_plural = _("rolled-up days")

    def __str__(self):
        return str(self.day)

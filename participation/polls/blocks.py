"""The questions of a poll, as StreamField blocks: one block type per kind of question."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError


class QuestionBlock(blocks.StructBlock):
    key = blocks.RegexBlock(
        regex=r"^[a-z][a-z0-9_]{0,19}$",
        label=_("key"),
        help_text=_("A short name for this question, unique in the poll (e.g. q1); used by conditions and exports."),
        error_messages={"invalid": _("Use lower-case letters, digits and _ (start with a letter).")},
    )
    text = blocks.CharBlock(label=_("question"), max_length=300)
    help = blocks.CharBlock(label=_("explanation"), required=False, max_length=300)
    required = blocks.BooleanBlock(label=_("an answer is required"), required=False, default=True)
    show_if_key = blocks.CharBlock(
        label=_("show only if the question with this key ..."), required=False, max_length=20
    )
    show_if_values = blocks.CharBlock(
        label=_("... was answered with one of (separate with |)"), required=False, max_length=300
    )

    kind = None

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("show_if_key")) != bool(value.get("show_if_values")):
            raise StructBlockValidationError(
                {"show_if_values": ValidationError(_("A condition needs both a question key and answers."))}
            )
        return value

    class Meta:
        icon = "help"


class ChoicesMixin(blocks.StructBlock):
    choices = blocks.ListBlock(blocks.CharBlock(max_length=200), label=_("choices"), min_num=2)


class SingleChoiceBlock(QuestionBlock, ChoicesMixin):
    kind = "single_choice"

    class Meta:
        label = _("Single choice")
        icon = "radio-full"


class MultipleChoiceBlock(QuestionBlock, ChoicesMixin):
    min_choices = blocks.IntegerBlock(label=_("at least"), min_value=0, default=0)
    max_choices = blocks.IntegerBlock(label=_("at most (0: no limit)"), min_value=0, default=0)
    kind = "multiple_choice"

    def clean(self, value):
        value = super().clean(value)
        if value["max_choices"] and value["min_choices"] > value["max_choices"]:
            raise StructBlockValidationError(
                {"max_choices": ValidationError(_("'At most' must not be smaller than 'at least'."))}
            )
        return value

    class Meta:
        label = _("Multiple choice")
        icon = "tasks"


class RankingBlock(QuestionBlock, ChoicesMixin):
    kind = "ranking"

    class Meta:
        label = _("Ranking")
        icon = "list-ol"


class RatingBlock(QuestionBlock):
    scale_min = blocks.IntegerBlock(label=_("lowest"), default=1)
    scale_max = blocks.IntegerBlock(label=_("highest"), default=5)
    low_label = blocks.CharBlock(label=_("meaning of the lowest"), required=False, max_length=50)
    high_label = blocks.CharBlock(label=_("meaning of the highest"), required=False, max_length=50)
    kind = "rating"

    def clean(self, value):
        value = super().clean(value)
        if not value["scale_min"] < value["scale_max"] <= value["scale_min"] + 10:
            raise StructBlockValidationError(
                {"scale_max": ValidationError(_("The scale needs 2 to 11 points, lowest first."))}
            )
        return value

    class Meta:
        label = _("Rating scale")
        icon = "pick"


class ShortTextBlock(QuestionBlock):
    max_length = blocks.IntegerBlock(label=_("maximum length"), default=200, min_value=1, max_value=500)
    kind = "short_text"

    class Meta:
        label = _("Short text")
        icon = "pilcrow"


class LongTextBlock(QuestionBlock):
    max_length = blocks.IntegerBlock(label=_("maximum length"), default=2000, min_value=1, max_value=5000)
    kind = "long_text"

    class Meta:
        label = _("Long text")
        icon = "doc-full"


class MatrixBlock(QuestionBlock, ChoicesMixin):
    rows = blocks.ListBlock(blocks.CharBlock(max_length=200), label=_("rows"), min_num=1)
    kind = "matrix"

    class Meta:
        label = _("Matrix")
        icon = "table"


class QuestionsBlock(blocks.StreamBlock):
    single_choice = SingleChoiceBlock()
    multiple_choice = MultipleChoiceBlock()
    ranking = RankingBlock()
    rating = RatingBlock()
    short_text = ShortTextBlock()
    long_text = LongTextBlock()
    matrix = MatrixBlock()

    def clean(self, value):
        value = super().clean(value)
        keys = [child.value["key"] for child in value]
        duplicates = {k for k in keys if keys.count(k) > 1}
        if duplicates:
            raise ValidationError(_("Question keys must be unique: %(keys)s") % {"keys": ", ".join(sorted(duplicates))})
        for position, child in enumerate(value):
            condition = child.value.get("show_if_key")
            if condition and condition not in keys[:position]:
                raise ValidationError(
                    _("Question %(key)s depends on %(other)s, which must be an earlier question.")
                    % {"key": child.value["key"], "other": condition}
                )
        return value

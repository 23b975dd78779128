"""Questions as plain objects: the form fields they need, validation of answers, display conditions."""

from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.core.widgets import CheckboxSelectMultiple, RadioSelect, Select, Textarea, TextInput

TEXT_KINDS = {"short_text", "long_text"}


@dataclass
class Question:
    kind: str
    key: str
    text: str
    help: str = ""
    required: bool = True
    show_if_key: str = ""
    show_if_values: list[str] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)
    rows: list[str] = field(default_factory=list)
    min_choices: int = 0
    max_choices: int = 0
    scale_min: int = 1
    scale_max: int = 5
    low_label: str = ""
    high_label: str = ""
    max_length: int = 200

    @classmethod
    def from_block(cls, child) -> "Question":
        v = child.value
        return cls(
            kind=child.block_type,
            key=v["key"],
            text=v["text"],
            help=v.get("help") or "",
            required=bool(v.get("required")),
            show_if_key=v.get("show_if_key") or "",
            show_if_values=[s.strip() for s in (v.get("show_if_values") or "").split("|") if s.strip()],
            choices=list(v.get("choices") or []),
            rows=list(v.get("rows") or []),
            min_choices=v.get("min_choices") or 0,
            max_choices=v.get("max_choices") or 0,
            scale_min=v.get("scale_min") or 1,
            scale_max=v.get("scale_max") or 5,
            low_label=v.get("low_label") or "",
            high_label=v.get("high_label") or "",
            max_length=v.get("max_length") or 200,
        )

    @property
    def is_text(self) -> bool:
        return self.kind in TEXT_KINDS

    @property
    def scale(self) -> list[int]:
        return list(range(self.scale_min, self.scale_max + 1))

    def field_names(self) -> list[str]:
        if self.kind == "ranking":
            return [f"{self.key}__{i}" for i in range(len(self.choices))]
        if self.kind == "matrix":
            return [f"{self.key}__{i}" for i in range(len(self.rows))]
        return [self.key]

    def is_shown(self, answers: dict) -> bool:
        """A conditional question counts only if the earlier answer it depends on matches."""
        if not self.show_if_key:
            return True
        earlier = answers.get(self.show_if_key)
        given = earlier if isinstance(earlier, list) else [earlier]
        return any(str(g) in self.show_if_values for g in given if g is not None)

    def form_fields(self) -> dict[str, forms.Field]:
        """Fields that work without JavaScript; requiredness is checked in `answer_from`."""
        label, help_text = self.text, self.help
        options = [(c, c) for c in self.choices]
        if self.kind == "single_choice":
            return {
                self.key: forms.ChoiceField(
                    label=label, help_text=help_text, choices=options, widget=RadioSelect, required=False
                )
            }
        if self.kind == "multiple_choice":
            return {
                self.key: forms.MultipleChoiceField(
                    label=label,
                    help_text=help_text,
                    choices=options,
                    widget=CheckboxSelectMultiple,
                    required=False,
                )
            }
        if self.kind == "rating":
            scale = [(str(n), str(n)) for n in self.scale]
            return {
                self.key: forms.ChoiceField(
                    label=label, help_text=help_text, choices=scale, widget=RadioSelect, required=False
                )
            }
        if self.kind in TEXT_KINDS:
            widget = Textarea(attrs={"rows": 4}) if self.kind == "long_text" else TextInput
            return {
                self.key: forms.CharField(
                    label=label, help_text=help_text, max_length=self.max_length, widget=widget, required=False
                )
            }
        if self.kind == "ranking":
            positions = [("", "—")] + [(str(n), str(n)) for n in range(1, len(self.choices) + 1)]
            return {
                f"{self.key}__{i}": forms.ChoiceField(label=choice, choices=positions, widget=Select, required=False)
                for i, choice in enumerate(self.choices)
            }
        if self.kind == "matrix":
            return {
                f"{self.key}__{i}": forms.ChoiceField(label=row, choices=options, widget=RadioSelect, required=False)
                for i, row in enumerate(self.rows)
            }
        raise ValueError(f"unknown question kind {self.kind}")

    def answer_from(self, data: dict):
        """The answer in its stored form from cleaned form data, or None; raises ValidationError."""
        if self.kind in ("single_choice", "rating", "short_text", "long_text"):
            raw = data.get(self.key)
            value = (raw or "").strip() if isinstance(raw, str) else raw
            if value in (None, ""):
                return self._missing()
            return int(value) if self.kind == "rating" else value
        if self.kind == "multiple_choice":
            picked = [c for c in self.choices if c in (data.get(self.key) or [])]
            if not picked:
                return self._missing()
            if len(picked) < self.min_choices:
                raise ValidationError(_("Choose at least %(n)d.") % {"n": self.min_choices})
            if self.max_choices and len(picked) > self.max_choices:
                raise ValidationError(_("Choose at most %(n)d.") % {"n": self.max_choices})
            return picked
        if self.kind == "ranking":
            positions = [data.get(f"{self.key}__{i}") for i in range(len(self.choices))]
            if not any(positions):
                return self._missing()
            if not all(positions) or sorted(int(p) for p in positions) != list(range(1, len(self.choices) + 1)):
                raise ValidationError(
                    _("Give every choice a different place, from 1 to %(n)d.") % {"n": len(self.choices)}
                )
            return [choice for _, choice in sorted(zip((int(p) for p in positions), self.choices, strict=True))]
        if self.kind == "matrix":
            cells = {row: data.get(f"{self.key}__{i}") for i, row in enumerate(self.rows)}
            if not any(cells.values()):
                return self._missing()
            if self.required and not all(cells.values()):
                raise ValidationError(_("Answer every row."))
            return {row: value for row, value in cells.items() if value}
        raise ValueError(self.kind)

    def _missing(self):
        if self.required:
            raise ValidationError(_("This question needs an answer."))
        return None


def questions_of(stream) -> list[Question]:
    """The poll's questions; each conditional one knows the question it depends on (`condition`), so
    residents read that question's number and text, never its internal key."""
    questions = [Question.from_block(child) for child in stream]
    by_key = {question.key: (number, question) for number, question in enumerate(questions, 1)}
    for question in questions:
        question.condition_number, question.condition = by_key.get(question.show_if_key, (None, None))
    return questions


CHOICE_KINDS = {"single_choice", "multiple_choice", "rating"}


def _css_string(value: str) -> str:
    """A CSS string literal: quotes, backslashes and line ends escaped; nothing else can end it."""
    escaped = "".join(ch if ch.isalnum() or ch in " _-" else f"\\{ord(ch):x} " for ch in str(value))
    return f'"{escaped}"'


def conditional_css(questions: list[Question]) -> str:
    """CSS that hides a conditional question until an answer it depends on is ticked: works without
    JavaScript (`:has()`); browsers without `:has()` show every question, and the server ignores the
    answers (and requiredness) of a question whose condition is not met either way."""
    rules = []
    for question in questions:
        depends_on = getattr(question, "condition", None)
        if depends_on is None or depends_on.kind not in CHOICE_KINDS:
            continue
        target = f".poll-form .question[data-question={_css_string(question.key)}]"
        ticked = ", ".join(
            f"input[name={_css_string(depends_on.key)}][value={_css_string(value)}]:checked"
            for value in question.show_if_values
        )
        rules.append(f"{target} {{ display: none; }}")
        rules.append(
            f".poll-form:has({ticked}) .question[data-question={_css_string(question.key)}] {{ display: block; }}"
        )
    if not rules:
        return ""
    return "@supports selector(:has(*)) {\n" + "\n".join(rules) + "\n}"


def build_form_class(questions: list[Question]) -> type[forms.Form]:
    """A form with every question's fields; `clean` applies conditions and per-question rules."""
    fields = {}
    for question in questions:
        fields.update(question.form_fields())

    def clean(self):
        data = super(forms.Form, self).clean()
        answers = {}
        for question in questions:
            if not question.is_shown(answers):
                continue
            try:
                answer = question.answer_from(data)
            except ValidationError as error:
                self.add_error(question.field_names()[0], error)
                continue
            if answer is not None:
                answers[question.key] = answer
        self.answers = answers
        return data

    return type("PollForm", (forms.Form,), {**fields, "clean": clean})

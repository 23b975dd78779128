"""Results of a poll, computed from the stored answers (the same numbers for charts, tables and CSV)."""

from collections import Counter
from dataclasses import dataclass, field

from .models import Answer
from .questions import Question


@dataclass
class Bar:
    label: str
    count: int
    percent: float


@dataclass
class QuestionResult:
    question: Question
    answered: int
    bars: list[Bar] = field(default_factory=list)
    mean: float | None = None
    matrix: list[tuple[str, list[int]]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    pending_texts: int = 0


def _bars(labels, counter: Counter, base: int) -> list[Bar]:
    return [Bar(label, counter[label], round(100 * counter[label] / base, 1) if base else 0.0) for label in labels]


def question_result(question: Question, values: list, text_rows=None) -> QuestionResult:
    result = QuestionResult(question, answered=len(values))
    kind = question.kind
    if kind == "single_choice":
        result.bars = _bars(question.choices, Counter(values), len(values))
    elif kind == "multiple_choice":
        result.bars = _bars(question.choices, Counter(c for v in values for c in v), len(values))
    elif kind == "rating":
        labels = [str(n) for n in question.scale]
        result.bars = _bars(labels, Counter(str(v) for v in values), len(values))
        result.mean = round(sum(values) / len(values), 2) if values else None
    elif kind == "ranking":
        # Bars show how often each choice was put first; the mean place is in the table.
        result.bars = _bars(question.choices, Counter(v[0] for v in values if v), len(values))
        places = {c: [v.index(c) + 1 for v in values if c in v] for c in question.choices}
        result.matrix = [(c, [round(sum(p) / len(p), 2) if p else 0]) for c, p in places.items()]
    elif kind == "matrix":
        result.matrix = [
            (row, [sum(1 for v in values if v.get(row) == col) for col in question.choices]) for row in question.rows
        ]
    elif question.is_text and text_rows is not None:
        result.texts = [value for value, status in text_rows if status == Answer.TextStatus.APPROVED]
        result.pending_texts = sum(1 for _, status in text_rows if status == Answer.TextStatus.PENDING)
    return result


def poll_results(poll) -> tuple[int, list[QuestionResult]]:
    """(number of responses, one result per question)."""
    rows = Answer.objects.filter(response__poll=poll).values_list("question_key", "value", "text_status")
    by_key: dict[str, list] = {}
    text_by_key: dict[str, list] = {}
    for key, value, status in rows.iterator(chunk_size=5000):
        by_key.setdefault(key, []).append(value)
        text_by_key.setdefault(key, []).append((value, status))
    total = poll.responses.count()
    results = [
        question_result(q, by_key.get(q.key, []), text_by_key.get(q.key, []) if q.is_text else None)
        for q in poll.question_list
    ]
    return total, results

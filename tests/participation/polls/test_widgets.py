"""A poll's unbound widgets are rendered once per process (portal.core.widgets.BlankRenderedOnce), the same HTML as
Django's own; a widget with a value (a form sent back with errors) is rendered from it and not kept."""

from django import forms

from portal.core import widgets as questions


class Plain(forms.Form):
    choice = forms.ChoiceField(choices=[("甲", "甲"), ("乙", "乙")], widget=forms.RadioSelect, required=False)
    many = forms.MultipleChoiceField(choices=[("a", "a"), ("b", "b")], widget=forms.CheckboxSelectMultiple)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), help_text="说明")
    rank = forms.ChoiceField(choices=[("", "—"), ("1", "1")])


class Kept(forms.Form):
    choice = forms.ChoiceField(choices=[("甲", "甲"), ("乙", "乙")], widget=questions.RadioSelect, required=False)
    many = forms.MultipleChoiceField(choices=[("a", "a"), ("b", "b")], widget=questions.CheckboxSelectMultiple)
    text = forms.CharField(widget=questions.Textarea(attrs={"rows": 4}), help_text="说明")
    rank = forms.ChoiceField(choices=[("", "—"), ("1", "1")], widget=questions.Select)


def test_unbound_widgets_render_as_djangos_and_are_kept():
    questions.BlankRenderedOnce.rendered.clear()
    for name in ("choice", "many", "text", "rank"):
        assert str(Kept()[name]) == str(Plain()[name])
    kept = len(questions.BlankRenderedOnce.rendered)
    assert kept == 4
    assert str(Kept()["choice"]) == str(Plain()["choice"])
    assert len(questions.BlankRenderedOnce.rendered) == kept
    assert str(Kept(auto_id="f_%s")["choice"]) == str(Plain(auto_id="f_%s")["choice"])  # other ids: own entry
    assert len(questions.BlankRenderedOnce.rendered) == kept + 1


def test_a_widget_with_an_answer_is_rendered_from_it_and_not_kept():
    questions.BlankRenderedOnce.rendered.clear()
    data = {"choice": "乙", "many": ["b"], "text": "我家 13800138000", "rank": "1"}
    for name in ("choice", "many", "text", "rank"):
        assert str(Kept(data)[name]) == str(Plain(data)[name])
    assert 'value="乙" id="id_choice_1" checked' in str(Kept(data)["choice"])
    assert questions.BlankRenderedOnce.rendered == {}
    assert "checked" not in str(Kept()["choice"])  # the next visitor's blank form

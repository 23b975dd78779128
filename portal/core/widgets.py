"""Form widgets whose blank HTML is rendered once per process (polls' questions, 反光镜's filters)."""

from django import forms


class BlankRenderedOnce:
    """A widget whose HTML without a value (the unbound form every visitor of a poll, or of a list's filters,
    gets) is rendered once per process and reused: Django renders a radio button or checkbox through three
    templates, and a poll has dozens. The key is everything the HTML is made of (widget type, name, attributes,
    choices, the renderer); a widget with a value (a form sent back with errors, a chosen filter) is rendered as
    usual, so no one's answers are kept."""

    rendered: dict = {}
    MAX_KEPT = 4096

    def render(self, name, value, attrs=None, renderer=None):
        if value not in (None, "", []):
            return super().render(name, value, attrs, renderer)
        try:
            key = (
                type(self),
                name,
                self.is_required,
                tuple(sorted(self.build_attrs(self.attrs, attrs).items())),
                tuple(getattr(self, "choices", ())),
                type(renderer),
            )
            html = self.rendered.get(key)
        except TypeError:  # something unhashable: render as usual
            return super().render(name, value, attrs, renderer)
        if html is None:
            if len(self.rendered) >= self.MAX_KEPT:
                self.rendered.clear()
            html = self.rendered[key] = super().render(name, value, attrs, renderer)
        return html


class RadioSelect(BlankRenderedOnce, forms.RadioSelect):
    pass


class CheckboxSelectMultiple(BlankRenderedOnce, forms.CheckboxSelectMultiple):
    pass


class Select(BlankRenderedOnce, forms.Select):
    pass


class TextInput(BlankRenderedOnce, forms.TextInput):
    pass


class Textarea(BlankRenderedOnce, forms.Textarea):
    pass

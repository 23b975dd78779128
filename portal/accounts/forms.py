from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

from . import throttle
from .identity import normalise_id_number, validate_id_number
from .models import ROOM_VALIDATOR, Building
from .phone import normalise_phone, validate_mobile


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Mobile number or username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    def clean(self):
        login = self.cleaned_data.get("username")
        if login:
            ip = throttle.client_ip(self.request)
            message = throttle.lockout_message(login, ip)
            if message:
                throttle.register_failure(login, ip)  # an attempt during a lock counts, for the IP too
                raise forms.ValidationError(message, code="locked")
        return super().clean()


class AdminLoginForm(WagtailLoginForm):
    """Wagtail's admin login with its password field labelled: Wagtail leaves the label to the field's name,
    which reads "Password" in every language (WAGTAILADMIN_USER_LOGIN_FORM)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Password")


class PhoneField(forms.CharField):
    default_validators = [validate_mobile]

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Mobile number"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))
        super().__init__(**kwargs)

    def clean(self, value):
        return normalise_phone(super().clean(value))


class SignupPhoneForm(forms.Form):
    phone = PhoneField()
    consent = forms.BooleanField(
        label=_("I have read the privacy notice above and agree to it."),
        error_messages={"required": _("You need to agree to the privacy notice to create an account.")},
    )

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        if get_user_model().objects.filter(phone=phone).exists():
            raise forms.ValidationError(
                _("This mobile number already has an account. Log in, or reset your password."), code="registered"
            )
        return phone


class NewPasswordMixin(forms.Form):
    password1 = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_password2(self):
        one, two = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if one and two and one != two:
            raise forms.ValidationError(_("The two passwords are not the same."), code="password_mismatch")
        if two:
            password_validation.validate_password(two, self.user_for_password_check())
        return two

    def user_for_password_check(self):
        return None


class CodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Verification code"))
        kwargs.setdefault("max_length", 6)
        kwargs.setdefault("min_length", 6)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))
        super().__init__(**kwargs)


class SignupConfirmForm(NewPasswordMixin):
    code = CodeField()
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=40,
        help_text=_("Other residents see this name. Do not use your phone number."),
    )
    field_order = ["code", "display_name", "password1", "password2"]


class PhoneOnlyForm(forms.Form):
    phone = PhoneField()


class PasswordResetConfirmForm(NewPasswordMixin):
    code = CodeField()
    field_order = ["code", "password1", "password2"]


class ProfileForm(forms.ModelForm):
    """What a resident corrects about themselves. Changing the phone needs a new account (it is the login)."""

    class Meta:
        model = get_user_model()
        fields = ["display_name", "email"]


class MembershipApplicationForm(forms.Form):
    """A resident's application to join the community of the current site."""

    building = forms.ModelChoiceField(label=_("Building"), queryset=None, empty_label=_("Choose your building"))
    unit = forms.CharField(label=_("Unit"), max_length=10, required=False)
    room = forms.CharField(label=_("Room"), max_length=10, validators=[ROOM_VALIDATOR])
    real_name = forms.CharField(
        label=_("Real name (optional)"), max_length=40, required=False, widget=forms.TextInput({"autocomplete": "name"})
    )
    id_number = forms.CharField(
        label=_("ID number (optional)"),
        max_length=20,
        required=False,
        help_text=_("18 characters. Read the notice above first."),
        widget=forms.TextInput({"autocomplete": "off"}),
    )
    id_consent = forms.BooleanField(label=_("I agree to the ID number notice above."), required=False)

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = Building.objects.filter(community=community)
        self.fields["building"].error_messages["invalid_choice"] = _(
            "Choose one of this community's buildings. If yours is missing, ask the community office to add it."
        )

    def clean_id_number(self):
        number = normalise_id_number(self.cleaned_data["id_number"])
        if number:
            validate_id_number(number)
        return number

    def clean(self):
        data = super().clean()
        building, unit = data.get("building"), (data.get("unit") or "").strip()
        if building:
            units = building.unit_names()
            if units and unit not in units:
                self.add_error(
                    "unit", _("Building %(b)s has the units %(u)s.") % {"b": building, "u": ", ".join(units)}
                )
            elif not units and unit:
                self.add_error("unit", _("Building %(b)s has no units; leave this empty.") % {"b": building})
        data["unit"] = unit
        if data.get("id_number") and not data.get("id_consent"):
            self.add_error("id_consent", _("Agree to the ID number notice, or leave the ID number empty."))
        return data


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and personal data are erased and cannot be restored.")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not right."), code="wrong_password")
        return password

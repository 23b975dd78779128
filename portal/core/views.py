from django.http import HttpResponse
from django.templatetags.static import static
from django.views.decorators.cache import cache_control


def healthz(request):
    """Liveness probe; also the minimal Django view that benchmarks compare pages against."""
    return HttpResponse("ok", content_type="text/plain")


@cache_control(max_age=86400, public=True)
def favicon(request):
    """Browsers ask every host for /favicon.ico: send them to the theme's icon (never a 404)."""
    from django.shortcuts import redirect

    return redirect(static("themes/base/favicon.ico"), permanent=True)

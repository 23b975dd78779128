from django.http import HttpResponse


def healthz(request):
    """Liveness probe; also the minimal Django view that benchmarks compare pages against."""
    return HttpResponse("ok", content_type="text/plain")

"""The signed push endpoint: the city sends status updates instead of waiting for the poll.

Signature: hex HMAC-SHA256, with the shared secret, over `<timestamp>.<raw body>`, sent as
`X-Open311-Signature`; `X-Open311-Timestamp` is Unix seconds and must be within 5 minutes.
"""

import hashlib
import hmac
import re
import time

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from . import open311
from .updates import apply_updates

MAX_SKEW_SECONDS = 300
MAX_BODY_BYTES = 1024 * 1024  # a day of updates for a district is a few hundred kilobytes
TIMESTAMP_RE = re.compile(r"[0-9]{1,12}")
SIGNATURE_RE = re.compile(r"[0-9a-fA-F]{64}")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def _refuse(status: int, reason: str) -> JsonResponse:
    return JsonResponse({"error": reason}, status=status)


@csrf_exempt
def push_updates(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    secret = settings.OPEN311_PUSH_SECRET
    if not secret:
        return HttpResponse(status=404)
    timestamp = request.headers.get("X-Open311-Timestamp", "")
    signature = request.headers.get("X-Open311-Signature", "")
    if not timestamp or not signature:
        return _refuse(400, "X-Open311-Timestamp and X-Open311-Signature headers are required")
    if not TIMESTAMP_RE.fullmatch(timestamp):
        return _refuse(400, "X-Open311-Timestamp must be Unix seconds")
    if abs(time.time() - int(timestamp)) > MAX_SKEW_SECONDS:
        return _refuse(401, "timestamp outside the allowed 5 minutes")
    signature = signature.strip()
    if not SIGNATURE_RE.fullmatch(signature):  # also keeps non-ASCII text away from compare_digest
        return _refuse(401, "bad signature: expected 64 hexadecimal characters")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _refuse(400, "Content-Length must be a number")
    if length > MAX_BODY_BYTES:
        return _refuse(400, f"body larger than {MAX_BODY_BYTES} bytes")
    try:
        body = request.body
    except RequestDataTooBig:
        return _refuse(400, f"body larger than {MAX_BODY_BYTES} bytes")
    if len(body) > MAX_BODY_BYTES:
        return _refuse(400, f"body larger than {MAX_BODY_BYTES} bytes")
    if not hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.lower().encode()):
        return _refuse(401, "bad signature")
    fmt = "xml" if "xml" in request.content_type else "json"
    try:
        updates = open311.parse_updates(open311.parse_body(body, fmt))
    except (ValueError, UnicodeDecodeError) as exc:
        return _refuse(400, f"unreadable body: {exc}")
    return JsonResponse(apply_updates(updates))

"""CORS for the API and JSON for the answers Django gives before the API runs.

Anyone may read the API from a web page on another site: GET, HEAD and the preflight OPTIONS
are answered with ``Access-Control-Allow-Origin: *`` (never with credentials: the API reads no
cookies, and a token travels in the Authorization header, which the preflight allows).
A request refused before the API's own code runs (``core.http.UnusableInputMiddleware``'s 400
page, Django's 404 for an unknown path) is answered as the API's JSON error instead of HTML.
"""

from __future__ import annotations

import json

from django.http import HttpResponse

API_PREFIX = "/api/v1/"
CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}


class ApiCorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Headers"] = "Authorization, If-None-Match, If-Modified-Since"
            response["Access-Control-Max-Age"] = "86400"
        else:
            response = self.get_response(request)
            if response.status_code in CODES and not response.get("Content-Type", "").startswith("application/json"):
                response = _as_json(response)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Retry-After"
        return response


def _as_json(original: HttpResponse) -> HttpResponse:
    """The JSON error for ``original``'s status, keeping the headers the inner middleware set
    (Cache-Control, CSP, security headers) but the body's own."""
    response = _json_error(original.status_code)
    for name, value in original.items():
        if name.lower() not in ("content-type", "content-length"):
            response[name] = value
    return response


def _json_error(status: int) -> HttpResponse:
    body = {"error": {"code": CODES[status], "message": "This request cannot be answered.", "detail": None}}
    return HttpResponse(json.dumps(body), status=status, content_type="application/json; charset=utf-8")

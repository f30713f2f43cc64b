"""Requests the site refuses before any view sees them, and who sent a request."""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse


def client_address(request: HttpRequest) -> str:
    """The address of whoever sent the request (what the sign-in lockout counts by).

    Behind the one proxy the deployment names (DJANGO_TRUSTED_PROXIES), it is the address that
    proxy appended to X-Forwarded-For: the right-most entry, the only one a client cannot
    write. Anywhere else the header is ignored, since anyone can set it."""
    remote = request.META.get("REMOTE_ADDR", "")
    if remote in settings.TRUSTED_PROXIES:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        if forwarded[-1]:
            return forwarded[-1]
    return remote


def refuse_null_characters(get_response: Callable) -> Callable:
    """A NUL byte in a query or form parameter is a 400: no field takes one, and PostgreSQL text
    cannot hold one, so a lookup or save of it would otherwise be a server error."""

    def middleware(request: HttpRequest) -> HttpResponse:
        parameters = [request.GET] + ([request.POST] if request.method == "POST" else [])
        for query in parameters:
            for key, values in query.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    raise BadRequest(f"Null characters are not allowed (in {key[:30]!r}).")
        return get_response(request)

    return middleware

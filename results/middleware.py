"""Requests the site refuses before any view sees them."""

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse


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

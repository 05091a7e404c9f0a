"""Error pages: a clear message in the site's layout, JSON under /api/."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string


def _page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        code = {400: "bad_request", 403: "permission_denied", 404: "not_found"}.get(status, "error")
        return JsonResponse({"error": {"status": status, "code": code, "message": message}}, status=status)
    context = {"title": title, "message": message, "status": status}
    return render(request, "error.html", context, status=status)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return _page(request, 400, "Bad request", "The request could not be understood.")


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return _page(request, 403, "Not allowed", "You do not have access to this page.")


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return _page(request, 404, "Not found", "There is nothing here, or you cannot see it.")


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without a request context: the database or a context processor may be what failed."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "error": {
                    "status": 500,
                    "code": "server_error",
                    "message": "Something went wrong on our side.",
                }
            },
            status=500,
        )
    return HttpResponse(render_to_string("500.html"), status=500)

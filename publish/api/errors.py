"""API failures as JSON: 400 names the parameter and the reason, 404 says what was not found."""

from __future__ import annotations

from django.http import JsonResponse


class ApiError(Exception):
    status = 400

    def __init__(self, message: str, *, parameter: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.parameter = parameter

    def response(self) -> JsonResponse:
        body = {"error": "bad_request" if self.status == 400 else "not_found"}
        if self.parameter:
            body["parameter"] = self.parameter
        body["message"] = self.message
        return JsonResponse(body, status=self.status)


class BadParameter(ApiError):
    status = 400


class NotFound(ApiError):
    status = 404


def errors_from_form(errors: dict) -> BadParameter:
    """The first invalid parameter of a django form or filterset, as a BadParameter."""
    name, messages = next(iter(sorted(errors.items())))
    return BadParameter(f"{name}: {' '.join(messages)}", parameter=name)

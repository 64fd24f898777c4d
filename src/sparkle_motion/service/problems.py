"""Every error the service answers has one JSON shape: {code, message, details}.

Sparkle errors keep their stable codes; framework errors (an unknown route,
a malformed body, a wrong method) get the codes of the nearest family.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from sparkle_motion.errors import (
    AccessDenied,
    ArtifactNotFound,
    IdempotencyConflict,
    InputError,
    MissingInput,
    QuotaExceeded,
    RegistryError,
    SparkleError,
)
from sparkle_motion.service.models import ErrorBody

__all__ = ["ERROR_RESPONSES", "HttpProblem", "install_error_handlers", "problem_status"]

_FRAMEWORK_CODES = {404: "SM105", 401: "SM107", 403: "SM107", 409: "SM108", 429: "SM600"}

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in {
        401: "no API key, or an unknown one",
        403: "the key's role may not do this",
        404: "no such resource for this tenant",
        409: "the request conflicts with an earlier one",
        422: "the request is malformed",
        429: "the tenant is over a quota",
    }.items()
}


class HttpProblem(Exception):
    """A Sparkle error with the HTTP status it must be answered with."""

    def __init__(self, status_code: int, error: SparkleError) -> None:
        super().__init__(str(error))
        self.status_code = status_code
        self.error = error


def problem_status(error: SparkleError) -> int:
    if isinstance(error, AccessDenied):
        return 403
    if isinstance(error, MissingInput | ArtifactNotFound):
        return 404
    if isinstance(error, IdempotencyConflict):
        return 409
    if isinstance(error, InputError):
        return 422
    if isinstance(error, QuotaExceeded):
        return 429
    if isinstance(error, RegistryError):
        return 503
    return 500


def _body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return ErrorBody(code=code, message=message, details=details or {}).model_dump(mode="json")


def _sparkle(status_code: int, error: SparkleError) -> JSONResponse:
    details: dict[str, Any] = {}
    if error.where:
        details["where"] = error.where
    if error.hint:
        details["hint"] = error.hint
    headers = {"WWW-Authenticate": "Bearer"} if status_code == 401 else None
    return JSONResponse(
        _body(error.code, error.message, details), status_code=status_code, headers=headers
    )


def install_error_handlers(app: FastAPI) -> None:
    async def on_problem(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HttpProblem)
        return _sparkle(exc.status_code, exc.error)

    async def on_sparkle(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, SparkleError)
        return _sparkle(problem_status(exc), exc)

    async def on_validation(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {
                "loc": [str(part) for part in error.get("loc", ())],
                "msg": str(error.get("msg", "")),
                "type": str(error.get("type", "")),
            }
            for error in exc.errors()
        ]
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        where = ".".join(first["loc"])
        return JSONResponse(
            _body("SM100", f"{where}: {first['msg']}".lower(), {"errors": errors}),
            status_code=422,
        )

    async def on_http(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code = _FRAMEWORK_CODES.get(exc.status_code, "SM100" if exc.status_code < 500 else "SM000")
        return JSONResponse(
            _body(code, str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    async def on_crash(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(
            _body("SM000", f"internal error: {type(exc).__name__}"), status_code=500
        )

    app.add_exception_handler(HttpProblem, on_problem)
    app.add_exception_handler(SparkleError, on_sparkle)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_crash)

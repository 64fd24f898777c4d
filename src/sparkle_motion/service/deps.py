"""The dependencies routes declare: the service, and who is calling with which role."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from sparkle_motion.errors import AccessDenied
from sparkle_motion.service.problems import HttpProblem
from sparkle_motion.service.state import Service
from sparkle_motion.service.tenancy import Principal, authenticate

__all__ = ["Admin", "Operator", "ServiceDep", "Viewer"]

_bearer = HTTPBearer(auto_error=False, description="an API key: Authorization: Bearer KEY")


def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


ServiceDep = Annotated[Service, Depends(get_service)]


def _principal(
    request: Request,
    service: ServiceDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    try:
        principal = authenticate(
            service.settings.api_keys, credentials.credentials if credentials else None
        )
    except AccessDenied as exc:
        raise HttpProblem(401, exc) from None
    request.state.tenant_id = principal.tenant_id  # for the request log line
    return principal


def _viewer(principal: Annotated[Principal, Depends(_principal)]) -> Principal:
    return principal


def _operator(principal: Annotated[Principal, Depends(_principal)]) -> Principal:
    principal.require("operator")
    return principal


def _admin(principal: Annotated[Principal, Depends(_principal)]) -> Principal:
    principal.require("admin")
    return principal


Viewer = Annotated[Principal, Depends(_viewer)]
Operator = Annotated[Principal, Depends(_operator)]
Admin = Annotated[Principal, Depends(_admin)]

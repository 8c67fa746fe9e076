"""Who is asking, injected: the ``principal`` and ``viewer`` parameters every handler may declare.

Registered once on the app (grandrounds.server.app), so a controller or page
says what it needs in its signature instead of digging it out of the request:

- ``principal: CurrentPrincipal``: the signed-in person. Anyone else is answered 401
  (pages turn that into the sign-in redirect), exactly as ``current_principal``
  does. Guards run before dependencies are resolved, so a guarded route still
  answers 401/403 from its guard first.
- ``viewer: Viewer``: the signed-in person or None, for what anonymous
  visitors may see too.
- ``client_address: ClientAddress``: the caller's address as the server saw it
  (``request.client.host``; uvicorn puts the X-Forwarded-For address there only
  for proxies listed in ``FORWARDED_ALLOW_IPS``), for limits per client.

The annotations mark the parameters as dependencies explicitly (Litestar 3 will no
longer infer them from the name alone); injected names never appear as query
parameters in the OpenAPI document.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency, Provide

from accounts.principal import Principal
from grandrounds.web.auth import current_principal, viewer

CurrentPrincipal = NamedDependency[Principal]
"""A handler parameter ``principal: CurrentPrincipal``: the signed-in person, else 401."""

Viewer = NamedDependency[Principal | None]
"""A handler parameter ``viewer: Viewer``: the signed-in person, or None for anyone else."""


ClientAddress = NamedDependency[str]
"""A handler parameter ``client_address: ClientAddress``: the caller's address, "" when unknown."""


def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    return current_principal(request)


def provide_viewer(request: Request[Any, Any, Any]) -> Principal | None:
    return viewer(request)


def provide_client_address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else ""


# All read what the scope already holds: no I/O, so no worker thread.
DEPENDENCIES: dict[str, Provide] = {
    "principal": Provide(provide_principal, sync_to_thread=False),
    "viewer": Provide(provide_viewer, sync_to_thread=False),
    "client_address": Provide(provide_client_address, sync_to_thread=False),
}

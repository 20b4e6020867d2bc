"""FastAPI dependencies as ``Annotated`` aliases (the full-stack-fastapi-template habit).

::

    from app.deps import BackendDep, SettingsDep

    @router.get("/thing")
    def thing(backend: BackendDep, settings: SettingsDep): ...

Both read ``request.app.state``, filled by :func:`app.main.create_app` and its lifespan.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from graph.backend import Backend
from graph.config import Settings
from graph.errors import StoreError


def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    return request.app.state.settings


def get_backend(request: Request) -> Backend:
    """The open store (embedded or remote); 503 when the app has none."""
    backend = getattr(request.app.state, "backend", None)
    if backend is None:
        raise StoreError("the store is not open (the app was started without its lifespan)")
    return backend


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
BackendDep = Annotated[Backend, Depends(get_backend)]

__all__ = ["SettingsDep", "BackendDep", "get_app_settings", "get_backend", "Backend"]

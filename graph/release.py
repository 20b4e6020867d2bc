"""The release bundle of a build (dumps, ontology, catalogue, VoID: :mod:`graph.publish`),
kept in the build (``builds/{id}/release/``) or, for a remote store, beside its manifest:
written by ``wckg build --release`` (:func:`publish_from` the new store) or later by
:func:`make_release`; ``/downloads`` serves :func:`release_dir` as it is."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from .config import Settings
from .errors import StoreError
from .store import StoreLayout, open_backend

#: The release bundle's folder inside a build directory (embedded) or the store (remote).
RELEASE = "release"


def release_dir(settings: Settings) -> Path | None:
    """The release bundle of the current build; None when the build has none (made by
    ``wckg build``, or ``wckg build --release`` / ``wckg publish --into-store`` later)."""
    from .publish import is_bundle
    layout = StoreLayout(settings.store)
    where = layout.root if settings.backend == "remote" else layout.current_build()
    if where is None:
        return None
    path = where / RELEASE
    return path if is_bundle(path) else None


def publish_from(settings: Settings, store: ox.Store, out: Path, *, validate: bool = False) -> None:
    """The release bundle of a build's *store*, open in this process, into *out*."""
    from . import publish as pub
    from .memory import MemoryStore
    pub.publish(settings, out, backend=MemoryStore(store=store, settings=settings), validate=validate)


def make_release(settings: Settings, *, validate: bool = True) -> Path:
    """Write the release bundle of the current build into it (replacing an older one
    atomically) and return its folder. *validate*: the publishing gate (the project's
    files against the shapes) first; :func:`build` passes False, having validated."""
    from . import publish as pub
    layout = StoreLayout(settings.store)
    if settings.backend == "remote":
        out = layout.root / RELEASE
        backend = open_backend(settings)
        try:
            pub.publish(settings, out, backend=backend, validate=validate)
        finally:
            backend.close()
        return out
    current = layout.current_build()
    if current is None:
        raise StoreError(f"no store at {layout.root}", hint="run `wckg build` first")
    out = current / RELEASE
    # read in this process (a build never changes once made): no query workers needed
    store = ox.Store.read_only(str(layout.db(current)))
    try:
        publish_from(settings, store, out, validate=validate)
    finally:
        del store
    return out

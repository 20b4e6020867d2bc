"""Where the query workers hold the store: in memory when it fits, on disk otherwise.

The embedded store's query workers answer 2-10x faster from an in-memory copy of the build
than from RocksDB on disk (``BENCHMARKS.md``), at the price of one copy per worker. Which
one they use is decided per build, before the worker pools start, from the build manifest's
triple count and three settings:

* ``WCKG_IN_MEMORY``: ``true`` or ``false`` forces the choice; unset (or ``auto``, the
  default) chooses memory when the copies fit the budget;
* ``WCKG_MEMORY_BUDGET_MB``: the memory all copies may take together (one per worker of
  the ``site`` and ``public`` lanes; the health lane's one worker reads the files on disk);
* ``WCKG_WORKER_MEMORY_MB``: the memory cap of one worker (``RLIMIT_DATA``, set before the
  copy is made, :mod:`graph.sandbox`). A copy may take at most half of it, so that queries
  keep room; even ``WCKG_IN_MEMORY=true`` falls back to disk when the copy alone would not fit
  under the cap (a worker that reached its cap while copying would die and be restarted
  again and again).

The copy is made by the worker itself, after its sandbox is installed (it only reads
files): from the build's memory image ``builds/{id}/memory.nq.gz`` (N-Quads, written once
per build by the first worker that needs it, under a lock; 5 s to load at 1 M triples,
against 25-40 s to copy quad by quad from RocksDB; blank nodes keep their labels), or quad by quad from the store when the
image cannot be written. :func:`plan` is what the server reports in ``/-/health`` and what
``wckg serve`` prints at start.
"""
from __future__ import annotations

import fcntl
import gzip
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from .atomic import atomic_open

log = logging.getLogger("wckg.store")

#: Resident memory of an in-memory pyoxigraph store per quad, rounded up: 330-370 bytes
#: measured at 1 M synthetic quads (pyoxigraph 0.5); ~500 at the peak of loading, which the
#: rule "a copy takes at most half the worker's cap" leaves room for.
BYTES_PER_QUAD = 400
#: What a worker holds besides the copy (Python, pyoxigraph, rdflib imports).
BASE_MB = 64
#: The largest share of WCKG_WORKER_MEMORY_MB the copy may take (the rest is for queries).
COPY_SHARE_OF_CAP = 0.5
#: The memory image of a build, next to its manifest.
IMAGE_NAME = "memory.nq.gz"


def estimate_mb(triples: int) -> int:
    """The resident memory of one in-memory copy of *triples* quads, in MiB (rounded up)."""
    return BASE_MB + -(-max(0, int(triples)) * BYTES_PER_QUAD // 2**20)


@dataclass(frozen=True)
class Residency:
    """Where the query workers of one build hold the store, and why."""

    mode: str  # "memory" | "disk"
    reason: str
    triples: int
    estimate_mb: int  # one copy
    copies: int  # workers that would hold one
    budget_mb: int
    worker_cap_mb: int

    @property
    def in_memory(self) -> bool:
        return self.mode == "memory"

    def to_json(self) -> dict[str, Any]:
        return {"mode": self.mode, "reason": self.reason, "triples": self.triples,
                "copy_estimate_mb": self.estimate_mb, "copies": self.copies,
                "budget_mb": self.budget_mb, "worker_cap_mb": self.worker_cap_mb}

    def describe(self) -> str:
        """One line for people: ``in memory (…)`` or ``on disk (…)``."""
        return f"{'in memory' if self.in_memory else 'on disk'} ({self.reason})"


def plan(settings: Any, triples: int, copies: int) -> Residency:
    """Memory or disk for a build of *triples* quads served by *copies* workers."""
    est = estimate_mb(triples)
    cap = int(settings.worker_memory_mb or 0)
    budget = int(settings.memory_budget_mb)
    total = est * copies

    def out(mode: str, reason: str) -> Residency:
        return Residency(mode, reason, int(triples), est, copies, budget, cap)

    if settings.in_memory is False:
        return out("disk", "WCKG_IN_MEMORY=false")
    if cap and est > cap:
        why = (f"a copy needs ~{est} MiB, more than the {cap} MiB cap of a worker (WCKG_WORKER_MEMORY_MB): "
               "raise the cap to serve from memory")
        if settings.in_memory:
            log.warning("WCKG_IN_MEMORY=true, but %s; the workers read the store on disk", why)
        return out("disk", why)
    if settings.in_memory:
        return out("memory", f"WCKG_IN_MEMORY=true; {copies} copies of ~{est} MiB")
    if cap and est > cap * COPY_SHARE_OF_CAP:
        return out("disk", f"a copy needs ~{est} MiB, over half the {cap} MiB cap of a worker "
                           "(WCKG_WORKER_MEMORY_MB), which queries need too")
    if total > budget:
        return out("disk", f"{copies} copies of ~{est} MiB = {total} MiB, over the budget of {budget} MiB "
                           "(WCKG_MEMORY_BUDGET_MB)")
    return out("memory", f"{copies} copies of ~{est} MiB = {total} MiB, within the budget of {budget} MiB "
                         "(WCKG_MEMORY_BUDGET_MB)")


def for_store(settings: Any) -> Residency | None:
    """The plan for the current build of the embedded store of *settings* (None: no
    build, or a remote backend), with the worker counts of the settings."""
    if settings.backend != "embedded":
        return None
    # the manifest read here, not through graph.storebase (whose workers import this module)
    try:
        manifest = json.loads((Path(settings.store).expanduser() / "current" / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    return plan(settings, int(manifest.get("triples", 0)), settings.site_workers + settings.query_workers + settings.spare_workers)


# --------------------------------------------------------------------------------------
# In a worker: making the copy
# --------------------------------------------------------------------------------------

def load_copy(on_disk: Any, build_dir: Path) -> tuple[Any, str]:
    """An in-memory pyoxigraph store with every quad of *on_disk* (the build at
    *build_dir*, opened read-only), and how it was made. Runs in a sandboxed worker."""
    import pyoxigraph as ox
    image = build_dir / IMAGE_NAME
    try:
        made = _ensure_image(on_disk, image)
    except OSError as e:  # a read-only store directory, a full disk: copy quad by quad
        log.info("no memory image at %s (%s): copying the store quad by quad", image, e)
        mem = ox.Store()
        mem.bulk_extend(on_disk.quads_for_pattern(None, None, None, None))
        return mem, "copied from the store"
    mem = ox.Store()
    with gzip.open(image, "rb") as f:
        # parse + bulk_extend, not Store.load: load renames blank nodes, and every worker
        # would then name them differently (a blank node from one answer passed on to the
        # next query, which another worker may run, would match nothing)
        mem.bulk_extend(ox.parse(cast(IO[bytes], f), format=ox.RdfFormat.N_QUADS))
    return mem, "made the image and loaded it" if made else "loaded the image"


def _ensure_image(on_disk: Any, image: Path) -> bool:
    """Write the build's memory image unless it is there (one writer at a time, atomic);
    True when this call wrote it."""
    import pyoxigraph as ox
    if image.is_file():
        return False
    lock = image.with_name(image.name + ".lock")
    with open(lock, "a+b") as lf:
        fcntl.flock(lf, fcntl.LOCK_EX)  # another worker may be writing it: wait, then read its image
        try:
            if image.is_file():
                return False
            with atomic_open(image, "wb") as raw:
                with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) as gz:
                    on_disk.dump(gz, format=ox.RdfFormat.N_QUADS)
            return True
        finally:
            fcntl.flock(lf, fcntl.LOCK_UN)

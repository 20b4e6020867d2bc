"""Loading many RDF files into an empty store fast: parsing in worker processes, RocksDB's
bulk loader in this one (``wckg build`` from scratch, :func:`graph.build.build`).

Each worker takes a batch of files (a few MB of Turtle), loads every file of it into an
in-memory store with ``Store.load(..., to_graph=its graph)`` (one parse per file: labelled
blank nodes ``_:x`` are renamed per call, so the same label in two files is two nodes, as
:func:`graph.load.iter_quads` makes them) and dumps that store as one N-Quads file; this
process hands each N-Quads file to ``Store.bulk_load`` as it comes. Every step is in Rust:
no quad becomes a Python object (the quads of 3 M triples through ``bulk_extend`` cost as
much again as the bulk load itself). A file that does not parse is parsed again here with
:func:`graph.load.iter_quads`, which raises the error with its file, line and column.

The N-Quads files are written into the new build's temporary directory and removed as
soon as they are loaded: nothing outlives the build.
"""
from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

if TYPE_CHECKING:
    from .load import DataFile

#: Bytes of source files per batch: large enough that ``bulk_load`` calls are few (each has a
#: fixed cost: one call per file was 4.7x slower at 16k files), small enough that the first
#: batch is ready soon and a worker's in-memory store stays small.
BATCH_BYTES = 24 * 1024 * 1024
#: At most this many batches parsed ahead of the bulk loader (bounds the scratch disk).
AHEAD = 3

_FORMATS = {".ttl": "TURTLE", ".nt": "N_TRIPLES", ".trig": "TRIG", ".nq": "N_QUADS"}


def _batches(files: Sequence[DataFile]) -> list[list[int]]:
    """Indexes of *files* in batches of about BATCH_BYTES, in order."""
    out: list[list[int]] = [[]]
    size = 0
    for i, f in enumerate(files):
        try:
            n = f.path.stat().st_size
        except OSError:
            n = 0
        if out[-1] and size + n > BATCH_BYTES:
            out.append([])
            size = 0
        out[-1].append(i)
        size += n
    return [b for b in out if b]


def _convert(items: list[tuple[int, str, str, str]], rebase: tuple[str, str] | None, scratch: str) -> tuple[str, int | None]:
    """(In a worker.) *items* ``(index, path, graph IRI, format name)`` into one N-Quads file
    in *scratch*; returns its path and None, or ("", index of the first file that does not
    parse)."""
    mem = ox.Store()
    for index, path, graph, fmt_name in items:
        fmt = getattr(ox.RdfFormat, fmt_name)
        try:
            with open(path, "rb") as fh:
                data = fh.read()
            if rebase is not None:
                data = data.replace(rebase[0].encode(), rebase[1].encode())
            mem.load(data, format=fmt, to_graph=None if fmt.supports_datasets else ox.NamedNode(graph))
        except (SyntaxError, OSError, MemoryError, ValueError):
            return "", index
    fd, name = tempfile.mkstemp(prefix="bulk-", suffix=".nq", dir=scratch)
    with os.fdopen(fd, "wb") as out:
        mem.dump(out, format=ox.RdfFormat.N_QUADS)
    return name, None


def workers_for(cpus: int | None = None) -> int:
    """Parsing processes beside the bulk loader: every core but one, at least one, at most 4
    (the bulk loader itself uses several threads)."""
    return max(1, min(4, (cpus or os.cpu_count() or 1) - 1))


def load_files(store: ox.Store, files: Sequence[DataFile], base_iri: str, scratch: Path,
               progress: Callable[[str, int, int], None] | None = None, *, workers: int | None = None) -> None:
    """Every quad of *files* into *store* (a store being built), each triple file in its
    graph and with blank nodes of its own; *scratch*: a directory for the N-Quads batches
    (the build's temporary directory). Raises what :func:`graph.load.iter_quads` raises
    for a file that cannot be read or parsed."""
    from .load import iter_quads, rdf_format
    from .namespaces import WCID_DEFAULT
    if not files:
        return
    for f in files:
        rdf_format(f.path)  # an unknown extension: the same InputError as the quad reader's
    rebase = None if base_iri == WCID_DEFAULT else (WCID_DEFAULT, base_iri)

    def graph_of(f: DataFile) -> str:
        g = f.graph
        return base_iri + g[len(WCID_DEFAULT):] if rebase is not None and g.startswith(WCID_DEFAULT) else g

    batches = _batches(files)
    items = [[(i, str(files[i].path), graph_of(files[i]), _FORMATS[files[i].path.suffix.lower()]) for i in b]
             for b in batches]
    scratch.mkdir(parents=True, exist_ok=True)
    done = 0
    # one batch (the curated data) is parsed here, sparing the start of a process
    with _Workers(workers or workers_for(), len(batches) > 1) as pool:
        for k in range(len(batches)):
            pool.ask(k, items, rebase, str(scratch))
            name, bad = pool.answer(k)
            if bad is not None:
                # parsed again here: raises the error with its file, line and column; a file
                # that reads here after all (it changed meanwhile) is loaded quad by quad
                store.bulk_extend(q for i in batches[k] for q in iter_quads(files[i], base_iri=base_iri))
            else:
                try:
                    store.bulk_load(path=name, format=ox.RdfFormat.N_QUADS)
                finally:
                    os.unlink(name)
            done += len(batches[k])
            if progress:
                progress(f"loading {files[batches[k][-1]].path.name}", done, len(files))
    with contextlib.suppress(OSError):
        scratch.rmdir()


class _Workers:
    """Worker processes (``python -m graph.bulkload``, started with the interpreter running
    this one: no fork of a process holding RocksDB, no re-import of the caller's main
    module) converting batches in turn: batch k goes to worker k mod n, each answers in
    order, and at most AHEAD batches are asked ahead of the one awaited. Without processes
    (*spawn* false) or when one fails, a batch is converted here."""

    def __init__(self, n: int, spawn: bool):
        self.n = n if spawn else 0
        self.procs: list[subprocess.Popen] = []
        self.asked = 0

    def __enter__(self) -> _Workers:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(Path(__file__).resolve().parent.parent)] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
        for _ in range(self.n):
            self.procs.append(subprocess.Popen([sys.executable, "-m", "graph.bulkload"], stdin=subprocess.PIPE,
                                               stdout=subprocess.PIPE, env=env, text=True))
        return self

    def __exit__(self, *exc: object) -> None:
        for p in self.procs:
            with contextlib.suppress(OSError):
                assert p.stdin is not None
                p.stdin.close()
            if exc[0] is not None:
                p.kill()
            p.wait()

    def ask(self, k: int, items: list, rebase: tuple[str, str] | None, scratch: str) -> None:
        self._args = (items, rebase, scratch)
        while self.procs and self.asked < min(len(items), k + AHEAD):
            p = self.procs[self.asked % self.n]
            assert p.stdin is not None
            with contextlib.suppress(OSError):
                p.stdin.write(json.dumps([items[self.asked], rebase, scratch]) + "\n")
                p.stdin.flush()
            self.asked += 1

    def answer(self, k: int) -> tuple[str, int | None]:
        items, rebase, scratch = self._args
        if self.procs:
            p = self.procs[k % self.n]
            assert p.stdout is not None
            line = p.stdout.readline()
            if line:
                name, bad = json.loads(line)
                return name, bad
        return _convert(items[k], rebase, scratch)


def _serve() -> None:
    """(A worker process.) One JSON line ``[items, rebase, scratch]`` in, one line
    ``[path, bad index or null]`` out (see :func:`_convert`), until stdin closes."""
    for line in sys.stdin:
        items, rebase, scratch = json.loads(line)
        name, bad = _convert([tuple(i) for i in items], tuple(rebase) if rebase else None, scratch)
        sys.stdout.write(json.dumps([name, bad]) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    _serve()

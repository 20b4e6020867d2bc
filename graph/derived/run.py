"""A whole derivation: :func:`derive` drops the derived graph and computes it again."""
from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox

from ..namespaces import WCID_DEFAULT
from .registry import RDF_TYPE, REGISTRY, WC, graph_name
from .scans import SCANS
from .state import STATE


def derive(store: ox.Store, base_iri: str = WCID_DEFAULT, *, only: Iterable[str] | None = None,
           progress: Callable[[str, int, int], None] | None = None, state_dir: Path | None = None) -> dict[str, dict]:
    """Drop the derived graph of *store* and compute it again; per derivation, its triples
    and seconds. The triples are added in one bulk load per derivation."""
    g = graph_name(base_iri)
    with contextlib.suppress(Exception):
        store.remove_graph(g)
    names = list(only) if only is not None else list(REGISTRY)
    unknown = [n for n in names if n not in REGISTRY]
    if unknown:
        raise KeyError(f"no derivation named {', '.join(unknown)} (known: {', '.join(REGISTRY)})")
    report: dict[str, dict] = {}
    SCANS.clear()
    STATE.update(previous=None, out=state_dir)
    try:
        for i, name in enumerate(names, 1):
            if progress:
                progress(f"deriving {name}", i - 1, len(names))
            t0 = time.perf_counter()
            triples = list(REGISTRY[name].compute(store, base_iri))
            store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, g) for t in triples)
            report[name] = {"triples": len(triples), "seconds": round(time.perf_counter() - t0, 3)}
    finally:
        SCANS.clear()
        STATE.update(previous=None, out=None, tables=None)
    # the graph describes itself, as wcid:graph/metrics does
    store.add(ox.Quad(g, RDF_TYPE, ox.NamedNode(WC + "DerivedData"), g))
    from .. import entail
    entail.entail(store, base_iri)  # the RDFS entailments: a graph of their own
    return report

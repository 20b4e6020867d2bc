"""The incremental update: :class:`Update` replaces the derived triples of the subjects a
change affects (the package docstring says how a derivation takes part)."""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..namespaces import WCID_DEFAULT
from .registry import RDF_TYPE, REGISTRY, WC, Derivation, graph_name, incremental
from .scans import SCANS
from .state import STATE, carry_state


class Update:
    """The derived graph of *store* brought up to date after some source graphs changed,
    touching only the subjects the change affects (see the module docstring)::

        up = Update(store, base_iri)
        up.before(removed_quads)   # the store as it was, before the graphs are removed
        ...                        # remove the changed graphs, load the new files
        up.after(added_quads)      # the store as it is now
        report = up.apply()

    ``changed_iris`` then holds the IRIs of every derived triple removed or added (the
    label index counts derived links). Raises ValueError when a registered derivation is
    not incremental (the caller runs :func:`derive` instead)."""

    def __init__(self, store: ox.Store, base_iri: str = WCID_DEFAULT, *, previous_state: Path | None = None,
                 state_dir: Path | None = None):
        self.previous_state, self.state_dir = previous_state, state_dir
        self.tables: dict[str, Any] = {}  # the previous build's tables as this update changes them
        if not incremental():
            raise ValueError("not every derivation can be updated per subject: "
                             + ", ".join(n for n, d in REGISTRY.items() if not d.incremental))
        self.store, self.base_iri = store, base_iri
        # derivations read the source graphs only (scans.is_source): the previous build's
        # entailments stay while they run, and apply() replaces those of the changed subjects
        self.graph = graph_name(base_iri)
        self.entail_subjects: set | None = set()  # whose entailments change (None: every one's)
        self.entailed: dict = {}  # what apply() changed in the entailed graph
        self.subjects: dict[str, set | None] = {name: set() for name in REGISTRY}
        self.changed_iris: set[str] = set()
        # the quads that went and came, for a derivation that counts (STATE["change"] in apply)
        self.removed: list[ox.Quad] = []
        self.added: list[ox.Quad] = []

    def _collect(self, quads: Sequence[ox.Quad]) -> list[ox.Quad]:
        """The subjects *quads* affect, per derivation; returns the quads of the source graphs."""
        quads = [q for q in quads if q.graph_name != self.graph]
        if not quads:
            return quads
        from .. import entail
        found = entail.affected(quads)
        self.entail_subjects = None if found is None or self.entail_subjects is None else self.entail_subjects | found
        SCANS.clear()  # a scan of the store before the change must not answer after it
        STATE.update(previous=self.previous_state, out=self.state_dir, tables=self.tables)
        for name, d in REGISTRY.items():
            if self.subjects[name] is None:
                continue
            assert d.affected is not None
            found = d.affected(self.store, self.base_iri, quads)
            if found is None:
                self.subjects[name] = None
            else:
                self.subjects[name] |= found  # type: ignore[operator]
        SCANS.clear()
        STATE.update(previous=None, out=None, tables=None)
        return quads

    def before(self, removed: Sequence[ox.Quad]) -> None:
        self.removed += self._collect(removed)

    def after(self, added: Sequence[ox.Quad]) -> None:
        self.added += self._collect(added)

    def apply(self, progress: Callable[[str, int, int], None] | None = None) -> dict[str, dict]:
        """Replace the triples of the affected subjects, derivation by derivation (a
        derivation whose ``affected`` said "all" is recomputed whole); per derivation, the
        subjects updated, triples removed and added, and seconds."""
        report: dict[str, dict] = {}
        SCANS.clear()
        STATE.update(previous=self.previous_state, out=self.state_dir, tables=self.tables,
                     change=(self.removed, self.added))
        try:
            for i, (name, d) in enumerate(REGISTRY.items(), 1):
                if progress:
                    progress(f"updating derived {name}", i - 1, len(REGISTRY))
                t0 = time.perf_counter()
                subjects = self.subjects[name]
                old = self._old_triples(d, subjects)
                if subjects is None:
                    new = set(d.compute(self.store, self.base_iri))
                else:
                    assert d.compute_for is not None
                    new = set(d.compute_for(self.store, self.base_iri, subjects)) if subjects else set()
                gone, fresh = old - new, new - old
                for t in gone:
                    self.store.remove(ox.Quad(t.subject, t.predicate, t.object, self.graph))
                if fresh:
                    self.store.extend(ox.Quad(t.subject, t.predicate, t.object, self.graph) for t in fresh)
                if self.entail_subjects is not None:
                    self.entail_subjects |= {t.subject for t in gone | fresh}
                for t in gone | fresh:
                    for term in (t.subject, t.object):
                        if isinstance(term, ox.NamedNode):
                            self.changed_iris.add(term.value)
                report[name] = {"subjects": "all" if subjects is None else len(subjects), "removed": len(gone),
                                "added": len(fresh), "seconds": round(time.perf_counter() - t0, 3)}
            carry_state(self.previous_state, self.state_dir)
        finally:
            SCANS.clear()
            STATE.update(previous=None, out=None, tables=None, change=None)
        self.store.add(ox.Quad(self.graph, RDF_TYPE, ox.NamedNode(WC + "DerivedData"), self.graph))
        from .. import entail
        self.entailed = entail.update(self.store, self.base_iri, self.entail_subjects)
        return report

    def _old_triples(self, d: Derivation, subjects: set | None) -> set[ox.Triple]:
        out: set[ox.Triple] = set()
        for p in d.predicates:
            if subjects is None:
                out |= {q.triple for q in self.store.quads_for_pattern(None, p, None, self.graph)}
            else:
                for s in subjects:
                    out |= {q.triple for q in self.store.quads_for_pattern(s, p, None, self.graph)}
        return out

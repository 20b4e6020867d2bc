"""A draft's bookkeeping graph (``wcid:graph/{slug}/draft``: mentions, link candidates,
reviewable facts; docs/model.md §5) checked against ``ontology/drafts/wckg-draft-shapes.ttl``.

Curated data never holds these terms, so the shapes live outside ``ontology/shapes/`` and
only drafts are checked against them: the review queue refuses a draft that breaks them
(a hand-edited or foreign draft) before anything is queued, with the first findings named.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyshacl
from rdflib import Graph
from rdflib.namespace import SH

from ..config import Settings
from ..errors import InputError, Location

SHAPES_FILE = Path("drafts") / "wckg-draft-shapes.ttl"
SHOWN = 5


@dataclass(frozen=True)
class DraftFinding:
    focus: str
    path: str | None
    component: str
    message: str

    def __str__(self) -> str:
        where = f"{self.focus}" + (f" {self.path}" if self.path else "")
        return f"{where}: {self.message}"


@lru_cache(maxsize=4)
def _shapes(path: Path, _mtime: float) -> Graph:
    """The shapes at *path*, parsed once per modification time (*_mtime*: the cache key)."""
    g = Graph()
    g.parse(path, format="turtle")
    return g


def shapes(settings: Settings) -> Graph:
    path = settings.ontology_dir / SHAPES_FILE
    if not path.is_file():
        raise InputError(f"no draft shapes at {path}",
                         hint="set WCKG_ONTOLOGY_DIR to the folder that holds drafts/wckg-draft-shapes.ttl")
    return _shapes(path, path.stat().st_mtime)


def check(bookkeeping: Graph, settings: Settings) -> list[DraftFinding]:
    """Every violation of the draft shapes in *bookkeeping*, sorted; empty when it conforms."""
    conforms, report, _ = pyshacl.validate(bookkeeping, shacl_graph=shapes(settings), inference="none",
                                           advanced=False, allow_warnings=True)
    if conforms:
        return []
    assert isinstance(report, Graph)
    out = []
    for r in report.subjects(SH.resultSeverity, SH.Violation):
        path = report.value(r, SH.resultPath)
        out.append(DraftFinding(focus=_show(report.value(r, SH.focusNode)),
                                path=_show(path) if path is not None else None,
                                component=str(report.value(r, SH.sourceConstraintComponent)).rsplit("#", 1)[-1],
                                message=str(report.value(r, SH.resultMessage) or "does not conform")))
    return sorted(set(out), key=lambda f: (f.focus, f.path or "", f.component))


def ensure_conforms(bookkeeping: Graph, settings: Settings, where: str) -> None:
    """Raise :class:`InputError` naming the first findings when *bookkeeping* breaks the shapes."""
    findings = check(bookkeeping, settings)
    if findings:
        shown = "; ".join(str(f) for f in findings[:SHOWN])
        more = f" (and {len(findings) - SHOWN} more)" if len(findings) > SHOWN else ""
        raise InputError(f"the draft's bookkeeping graph breaks {len(findings)} draft shape constraint(s): "
                         f"{shown}{more}", location=Location(where),
                         hint="re-run `wckg extract` on the article, or fix the draft as "
                              "ontology/drafts/wckg-draft-shapes.ttl says (docs/model.md §5)")


def _show(term) -> str:
    return term.n3()


__all__ = ["DraftFinding", "check", "ensure_conforms", "shapes", "SHAPES_FILE"]

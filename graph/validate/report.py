"""The report of a validation run (:class:`ValidationReport`: text and JSON, grouped by
file) and how it names terms (prefixed names, literals as N3)."""
from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from ..findings import SEVERITIES, ValidationResult
from ..namespaces import PREFIXES, bind_prefixes


#: Progress callback: ``progress(done, total, what)``.
Progress = Callable[[int, int, str], None]


# --- report ------------------------------------------------------------------------------

@dataclass
class ValidationReport:
    """Every finding of one validation run."""

    results: list[ValidationResult] = field(default_factory=list)
    units: int = 0
    seconds: float = 0.0

    @property
    def conforms(self) -> bool:
        """True when there is no violation (warnings and infos do not count)."""
        return not self.violations

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Warning"]

    @property
    def infos(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Info"]

    def summary(self) -> str:
        v, w = len(self.violations), len(self.warnings)
        s = f"{v} violation{'s' * (v != 1)}, {w} warning{'s' * (w != 1)}"
        if self.infos:
            s += f", {len(self.infos)} info"
        return s + f" ({self.units} unit{'s' * (self.units != 1)} in {self.seconds:.2f} s)"

    def by_file(self) -> dict[str, list[ValidationResult]]:
        groups: dict[str, list[ValidationResult]] = defaultdict(list)
        for r in self.results:
            groups[str(r.file) if r.file is not None else "(no file)"].append(r)
        return dict(groups)

    def to_text(self, *, root: Path | None = None) -> str:
        """Plain text grouped by file: ``file:line  severity  focus  path  message  (shape)``."""
        lines: list[str] = []
        for fname, results in sorted(self.by_file().items()):
            shown = _relative(fname, root)
            lines.append(shown)
            for r in sorted(results, key=sort_key):
                loc = f"{shown}:{r.line}" if r.line else shown
                focus = compact(r.focus_node)
                parts = [loc, r.severity, focus, r.path or "-", r.message, f"({r.shape}; {r.constraint})"]
                lines.append("  " + "  ".join(parts))
            lines.append("")
        lines.append(("conforms: " if self.conforms else "does not conform: ") + self.summary())
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        return json.dumps({
            "conforms": self.conforms,
            "violations": len(self.violations),
            "warnings": len(self.warnings),
            "infos": len(self.infos),
            "units": self.units,
            "seconds": round(self.seconds, 3),
            "results": [r.to_dict() for r in sorted(self.results, key=sort_key)],
        }, ensure_ascii=False, indent=2)


def sort_key(r: ValidationResult):
    return (str(r.file or ""), r.line or 0, SEVERITIES.index(r.severity) if r.severity in SEVERITIES else 9,
            r.focus_node, r.path or "", r.constraint, r.value or "")


def _relative(fname: str, root: Path | None) -> str:
    if root is None or fname == "(no file)":
        return fname
    try:
        return str(Path(fname).resolve().relative_to(root.resolve()))
    except ValueError:
        return fname


# --- names -------------------------------------------------------------------------------

# Longest namespace first, so that an IRI gets the most specific prefix.
_NS_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def compact(iri: str) -> str:
    """``wc:AgreementShape`` for a term of a known namespace whose local part is a plain name;
    the full IRI otherwise (``wcid:event/x`` would not be a valid prefixed name)."""
    for prefix, ns in _NS_BY_LENGTH:
        if iri.startswith(ns):
            local = iri[len(ns):]
            if local and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", local) and prefix != "wcid":
                return f"{prefix}:{local}"
    return iri


def term_text(t) -> str | None:
    if t is None:
        return None
    if isinstance(t, Literal):
        return t.n3(namespace_manager=_NM)
    if isinstance(t, URIRef):
        return str(t)
    return f"_:{t}"


_NM_GRAPH = Graph()
bind_prefixes(_NM_GRAPH)
_NM = _NM_GRAPH.namespace_manager

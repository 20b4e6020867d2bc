"""Typed findings of validation: what the SHACL shapes and the Python checks report.

A finding is one :class:`ValidationResult`: its severity, the focus node, the property path
and value, an actionable message, the shape or check that found it, and where the focus node
is written (file and line). :mod:`graph.validate` collects them into a report; the checks of
:mod:`graph.checks` make them with :func:`finding`.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["SEVERITIES", "ValidationResult", "finding"]

#: Severities in the order a report lists them.
SEVERITIES = ("Violation", "Warning", "Info")


@dataclass(frozen=True)
class ValidationResult:
    """One finding."""

    severity: str            # "Violation" | "Warning" | "Info"
    focus_node: str
    path: str | None
    value: str | None
    message: str
    shape: str               # the NodeShape (compact IRI), with the property shape's sh:name in parentheses
    constraint: str          # e.g. "sh:MinCountConstraintComponent", "wc:EventDateNotAfterSource"
    graph: str | None        # the named graph the focus node came from
    file: Path | None = None
    line: int | None = None

    def location(self) -> str:
        if self.file is None:
            return "(no file)"
        return f"{self.file}:{self.line}" if self.line else str(self.file)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["file"] = str(self.file) if self.file is not None else None
        return d


def finding(check: str, focus: str, message: str, *, graph: str | None, path: str | None = None,
            value: str | None = None, severity: str = "Violation") -> ValidationResult:
    """A finding of a Python check (the check's IRI is both its shape and its constraint)."""
    if severity not in SEVERITIES:
        raise ValueError(f"unknown severity {severity!r}")
    return ValidationResult(severity=severity, focus_node=focus, path=path, value=value, message=message,
                            shape=check, constraint=check, graph=graph)

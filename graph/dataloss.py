"""The data-loss guard of ``wckg build`` (issue 17): a build that would drop every
statement of a graph the current store has, or most of a larger one, stops before the new
build is swapped in and names the files, unless ``--allow-removal`` confirms it.

An article file emptied or truncated by mistake, a checkout that lost a folder, an editor
that saved half a file: each used to build with exit 0 and silently drop what the site
published. Deleting an article's file on purpose is the same change seen from the store,
so it asks for the same confirmation.

The comparison is made on triple counts per named graph: the current build's manifest
(``graphs``) against the new store, after loading and before the swap, so it costs
nothing beyond the counts the build makes anyway. The metrics graph (recomputed or dropped
by ``--metrics``) is not guarded.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .errors import WckgError

#: A graph of at least this many triples that would keep fewer than :data:`KEEP_AT_LEAST`
#: of them counts as a loss (smaller graphs only when they would be emptied).
MIN_TRIPLES = 20
KEEP_AT_LEAST = 0.5


@dataclass(frozen=True)
class Loss:
    graph: str
    before: int
    after: int
    files: tuple[str, ...]

    def describe(self) -> str:
        where = ", ".join(self.files) or "(no file feeds it any more)"
        if self.after == 0:
            what = f"all {self.before} statements of {self.graph} would be dropped"
        else:
            what = f"{self.graph} would shrink from {self.before} to {self.after} statements"
        return f"{where}: {what}"


class DataLossError(WckgError):
    """The build would drop data the current store has; ``losses`` lists where."""

    def __init__(self, losses: list[Loss]):
        self.losses = losses
        lines = "\n".join(f"  {loss.describe()}" for loss in losses)
        super().__init__(f"the build would remove data the current store has, so the store was not changed:\n{lines}",
                         hint="check those files (an empty or cut-off file?); if the removal is intended, "
                              "run `wckg build --allow-removal`")


def find_losses(before: Mapping[str, int], after: Mapping[str, int],
                files_of: Mapping[str, Iterable[str]], *, ignore: Iterable[str] = ()) -> list[Loss]:
    """Graphs of *before* (graph → triples) that *after* empties, or cuts below
    :data:`KEEP_AT_LEAST` when they had at least :data:`MIN_TRIPLES`."""
    skip = set(ignore)
    out = []
    for graph, had in sorted(before.items()):
        if graph in skip or had <= 0:
            continue
        has = int(after.get(graph, 0))
        if has == 0 or (had >= MIN_TRIPLES and has < had * KEEP_AT_LEAST):
            out.append(Loss(graph, int(had), has, tuple(sorted(files_of.get(graph, ())))))
    return out


def files_by_graph(manifests: Iterable[Mapping[str, Mapping]], rebase) -> dict[str, set[str]]:
    """graph IRI (as the store names it) → the files that feed it, from file manifests
    (``{path: {"graph": iri, ...}}``); *rebase* maps a manifest's graph IRI to the store's."""
    out: dict[str, set[str]] = {}
    for manifest in manifests:
        for path, entry in manifest.items():
            out.setdefault(rebase(entry["graph"]), set()).add(path)
    return out


def check(before: Mapping[str, int], after: Mapping[str, int], old_files: Mapping[str, Mapping],
          new_files: Mapping[str, Mapping], rebase, *, ignore: Iterable[str] = ()) -> None:
    """Raise :class:`DataLossError` when the new build loses data (see :func:`find_losses`)."""
    new_by_graph = files_by_graph([new_files], rebase)
    old_by_graph = files_by_graph([old_files], rebase)
    files_of = {g: new_by_graph.get(g) or old_by_graph.get(g, set()) for g in set(before)}
    losses = find_losses(before, after, files_of, ignore=ignore)
    if losses:
        raise DataLossError(losses)


__all__ = ["DataLossError", "Loss", "find_losses", "check", "MIN_TRIPLES", "KEEP_AT_LEAST"]

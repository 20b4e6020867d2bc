"""Find the project's RDF files, parse them with locations in errors, and assemble the dataset.

Which file goes to which named graph (the core model's "Graphs and provenance"):

=================================  ==========================
``ontology/*.ttl``                 ``wcid:graph/ontology`` (wckg.ttl, metrics.ttl)
``ontology/shapes/*.ttl``          ``wcid:graph/ontology``
``ontology/vocab/*.ttl``           ``wcid:graph/reference`` (topics, statuses, kinds, posts)
``data/reference/*.ttl``           ``wcid:graph/reference``
``data/sources/{slug}.ttl``        ``wcid:graph/reference`` (the source document's metadata)
``data/articles/{slug}.ttl``       ``wcid:graph/{slug}`` (what that article states)
=================================  ==========================

The verbatim text of a source is ``data/sources/{slug}.txt``; it is not put in the graph
(it carries contact details and is the publisher's text), but the validator checks every
``wc:evidence`` against it and the web app shows it.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from .config import Settings
from .errors import InputError, Location, RdfSyntaxError
from .namespaces import GRAPH_ONTOLOGY, GRAPH_REFERENCE, WCID_DEFAULT, bind_prefixes, graph_iri
from .terms import to_oxigraph, to_rdflib  # noqa: F401  (re-exported)

Role = Literal["ontology", "shapes", "vocab", "reference", "source", "article"]

#: Extensions we read, and their pyoxigraph formats.
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
}


@dataclass(frozen=True)
class DataFile:
    """One RDF file of the project and the named graph it is loaded into."""

    path: Path
    graph: str
    role: Role

    @property
    def slug(self) -> str:
        return self.path.stem

    def sha256(self) -> str:
        return hashlib.sha256(read_input(self.path)).hexdigest()


def _ttl(folder: Path, problems: list[str] | None = None) -> list[Path]:
    """The ``*.ttl`` entries of *folder*, by name; why one of them cannot be read as a data
    file (:func:`file_problem`) goes to *problems*. One directory read: a regular file is
    known from the directory entry, without a stat (tens of thousands of articles)."""
    try:
        entries = [e for e in os.scandir(folder) if e.name.endswith(".ttl")]
    except (FileNotFoundError, NotADirectoryError):
        return []
    entries.sort(key=lambda e: e.name)
    if problems is not None:
        for e in entries:
            if not e.is_file(follow_symlinks=False) or not os.access(e.path, os.R_OK):
                problem = file_problem(Path(e.path))
                if problem:
                    problems.append(problem)
    return [Path(e.path) for e in entries]


def discover(settings: Settings) -> list[DataFile]:
    """Every RDF file of the project, in load order (ontology, reference, articles)."""
    onto = settings.ontology_dir
    data = settings.data_dir
    files: list[DataFile] = []
    odd: list[str] = []
    # wckg.ttl first, then the other vocabularies of the project (e.g. metrics.ttl)
    files += [DataFile(p, str(GRAPH_ONTOLOGY), "ontology")
              for p in sorted(_ttl(onto, odd), key=lambda p: (p.name != "wckg.ttl", p.name))]
    files += [DataFile(p, str(GRAPH_ONTOLOGY), "shapes") for p in _ttl(onto / "shapes", odd)]
    files += [DataFile(p, str(GRAPH_REFERENCE), "vocab") for p in _ttl(onto / "vocab", odd)]
    files += [DataFile(p, str(GRAPH_REFERENCE), "reference") for p in _ttl(data / "reference", odd)]
    files += [DataFile(p, str(GRAPH_REFERENCE), "source") for p in _ttl(data / "sources", odd)]
    files += [DataFile(p, graph_iri(p.stem), "article") for p in _ttl(data / "articles", odd)]
    if odd:
        raise InputError("; ".join(odd) if len(odd) == 1 else
                         f"{len(odd)} files cannot be read as RDF: " + "; ".join(odd),
                         hint="remove or fix them (a broken link, a folder or a pipe named like an RDF file)")
    if not files:
        raise InputError(f"no RDF files under {onto} or {data}",
                         hint="run from a checkout of the repository, or set WCKG_DATA_DIR and WCKG_ONTOLOGY_DIR")
    return files


def classify(path: Path, settings: Settings) -> DataFile:
    """The DataFile for a path given on the command line: its role from where it lies,
    else an article graph named after the file."""
    path = path.resolve()
    for f in discover(settings):
        if f.path.resolve() == path:
            return f
    return DataFile(path, graph_iri(_slugify(path.stem)), "article")


def _slugify(stem: str) -> str:
    import re
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "unnamed"


def file_problem(path: Path) -> str | None:
    """Why *path* cannot be read as a data file (one line naming it), or None. Checked
    without opening it: opening a FIFO would wait for a writer forever."""
    import stat
    try:
        st = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            return f"{path} is a symbolic link to a missing file ({os.readlink(path)})"
        return f"no such file: {path}"
    except OSError as e:
        return f"{path} cannot be read: {e.strerror}"
    if stat.S_ISDIR(st.st_mode):
        return f"{path} is a directory, not an RDF file"
    if not stat.S_ISREG(st.st_mode):
        return f"{path} is not a regular file (a pipe, socket or device)"
    if not os.access(path, os.R_OK):
        return f"{path} is not readable (permissions)"
    return None


def read_input(path: Path, *, what: str = "an RDF file", hint: str = "check the path") -> bytes:
    """The bytes of a file the user named; an :class:`InputError` that says why not (a
    FIFO or device is refused without being opened)."""
    problem = file_problem(path)
    if problem is not None:
        if problem.startswith("no such file"):
            raise InputError(problem, hint=hint)
        if problem.endswith("not an RDF file") and what != "an RDF file":
            problem = f"{path} is a directory, not {what}"
        raise InputError(problem)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"no such file: {path}", hint=hint) from None
    except IsADirectoryError:
        raise InputError(f"{path} is a directory, not {what}") from None
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror}") from None


def rdf_format(path: Path) -> ox.RdfFormat:
    try:
        return RDF_FORMATS[path.suffix.lower()]
    except KeyError:
        raise InputError(f"{path}: unknown RDF file type {path.suffix!r}",
                         hint="use one of " + ", ".join(RDF_FORMATS)) from None


def iter_quads(f: DataFile, *, base_iri: str = WCID_DEFAULT) -> Iterator[ox.Quad]:
    """Stream the quads of one file, in its named graph, parsed by pyoxigraph. Syntax
    errors carry file, line and column (:class:`RdfSyntaxError`). A deployment's own
    *base_iri* replaces the published ``https://w3id.org/wckg/id/`` in every IRI, graph
    names included. Blank nodes are renamed so that two files never share one."""
    fmt = rdf_format(f.path)
    graph = ox.NamedNode(f.graph if base_iri == WCID_DEFAULT else base_iri + f.graph[len(WCID_DEFAULT):]
                         if f.graph.startswith(WCID_DEFAULT) else f.graph)
    data = read_input(f.path)
    if base_iri != WCID_DEFAULT:
        data = data.replace(WCID_DEFAULT.encode(), base_iri.encode())
    try:
        for q in ox.parse(data, format=fmt, base_iri=None, rename_blank_nodes=True):
            yield q if fmt.supports_datasets else ox.Quad(q.subject, q.predicate, q.object, graph)
    except SyntaxError as e:
        raise RdfSyntaxError(_syntax_message(e), location=Location(f.path, e.lineno, e.offset),
                             hint="fix the syntax at that position (an undeclared prefix needs a @prefix line)") from None
    except MemoryError:
        # pyoxigraph's parser buffers one token at most 16 MiB long
        raise InputError(f"{f.path}: a literal or IRI longer than 16 MiB (the parser's limit)",
                         hint="move the long text out of the RDF (e.g. into data/sources/*.txt)") from None


def parse_quads(f: DataFile) -> list[ox.Quad]:
    """Every quad of one file (see :func:`iter_quads`)."""
    return list(iter_quads(f))


def _syntax_message(e: SyntaxError) -> str:
    msg = str(e.msg if hasattr(e, "msg") and e.msg else e)
    # pyoxigraph says "Parser error at line 3 between columns 7 and 11: <what>"; keep <what>.
    return msg.split(": ", 1)[1] if msg.startswith("Parser error") and ": " in msg else msg


def parse_graph(f: DataFile, base_iri: str = WCID_DEFAULT) -> Graph:
    """One file as an rdflib Graph (parsed by pyoxigraph for speed and precise errors), its
    IRIs in the deployment's *base_iri* (see :func:`iter_quads`)."""
    g = Graph(identifier=URIRef(f.graph))
    bind_prefixes(g)
    g.addN((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), g)
           for q in iter_quads(f, base_iri=base_iri))
    return g


def load_dataset(files: Sequence[DataFile], progress=None) -> Dataset:
    """Every file into an rdflib Dataset of named graphs (for validation and export)."""
    ds = Dataset()
    bind_prefixes(ds)
    for f in files:
        quads = parse_quads(f)
        ctx = ds.graph(URIRef(f.graph))
        ctx.addN((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), ctx) for q in quads)
        if progress:
            progress(f)
    return ds


def source_text(settings: Settings, slug: str) -> str:
    """The verbatim text of a source document (``data/sources/{slug}.txt``)."""
    path = settings.data_dir / "sources" / f"{slug}.txt"
    return read_input(path).decode("utf-8")


def iter_files(paths: Iterable[Path], settings: Settings) -> list[DataFile]:
    """Files named on the command line (folders expand to their RDF files)."""
    out: list[DataFile] = []
    for p in paths:
        if p.is_dir():
            out += [classify(q, settings) for q in sorted(p.rglob("*")) if q.suffix.lower() in RDF_FORMATS]
        else:
            if not p.exists():
                raise InputError(f"no such file: {p}", hint="check the path")
            out.append(classify(p, settings))
    return out

"""The class pages: :func:`list_classes` (every class of the ontology with its instance
counts, in hierarchy order) and :func:`describe_class` (one class and a page of its
instances)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import URIRef

from ..errors import ParameterError
from ..namespaces import RDFS, SKOS
from .common import PROLOGUE, Link, cache, class_ancestors, local_name, most_specific, pick_label, term_labels

@dataclass
class ClassSummary:
    iri: str
    label: str
    count: int                      # direct instances
    comment: str | None = None
    parents: list[Link] = field(default_factory=list)
    in_subclasses: int = 0          # instances of its subclasses (one with two types counts twice)


@dataclass
class ClassDescription:
    iri: str
    label: str
    comment: str | None
    superclasses: list[Link]
    subclasses: list[ClassSummary]
    instances: list[tuple[Link, str | None]]   # (instance, its most specific class label)
    total: int
    limit: int
    offset: int

    def to_json(self) -> dict:
        return {"iri": self.iri, "label": self.label, "comment": self.comment,
                "superclasses": [c.to_json() for c in self.superclasses],
                "subclasses": [{"iri": c.iri, "label": c.label, "count": c.count} for c in self.subclasses],
                "total": self.total, "limit": self.limit, "offset": self.offset,
                "instances": [{"iri": i.iri, "label": i.label, "class": k} for i, k in self.instances]}


_CLASSES = PROLOGUE + """
SELECT ?c ?label ?comment WHERE {
  ?c a owl:Class ; rdfs:label ?label .
  FILTER(isIRI(?c))
  OPTIONAL { ?c rdfs:comment ?comment }
}
"""
# Direct instance counts of every class, counted by the build (graph.derived.class_counts:
# 2.1 s over the whole graph at 1 M triples on disk, on every first view, when counted here).
_DIRECT_COUNTS = PROLOGUE + "SELECT ?k ?n WHERE { ?k wc:directInstanceCount ?n }"


def direct_counts(backend) -> dict[str, int]:
    """Class → number of resources stated to be of it directly (cached ~30 s)."""
    return cache.get(backend, "direct_counts",
                      lambda: {str(r["k"]): int(r["n"]) for r in backend.select(_DIRECT_COUNTS)})


def subclasses_of(backend, class_iri: str) -> list[str]:
    """Every subclass of *class_iri* (transitively), from the cached hierarchy."""
    return sorted(c for c, sups in class_ancestors(backend).items() if class_iri in sups)


def list_classes(backend, *, lang: str = "en") -> list[ClassSummary]:
    """Every labelled class of the ontology with its number of direct instances and of
    instances of its subclasses, in hierarchy order (each class after its parent)."""
    rows = backend.select(_CLASSES)
    counts = direct_counts(backend)
    info: dict[str, dict] = {}
    for r in rows:
        d = info.setdefault(str(r["c"]), {"labels": [], "comments": []})
        d["labels"].append(r["label"])
        if r.get("comment") is not None:
            d["comments"].append(r["comment"])
    ancestors = class_ancestors(backend)
    out = []
    for c, d in info.items():
        parents = [Link(p, pick_label(info[p]["labels"], lang)) for p in most_specific(
            [a for a in ancestors.get(c, ()) if a in info], ancestors)]
        out.append(ClassSummary(c, pick_label(d["labels"], lang) or local_name(c), counts.get(c, 0),
                                pick_label(d["comments"], lang), parents,
                                sum(counts.get(k, 0) for k, sups in ancestors.items() if c in sups)))
    # order: a depth-first walk of the labelled hierarchy, so subclasses follow their parent
    children: dict[str | None, list[ClassSummary]] = defaultdict(list)
    for cs in out:
        children[cs.parents[0].iri if cs.parents else None].append(cs)
    ordered: list[ClassSummary] = []

    def walk(parent: str | None, depth: int) -> None:
        for cs in sorted(children.get(parent, []), key=lambda c: c.label.casefold()):
            cs.depth = depth  # type: ignore[attr-defined]
            ordered.append(cs)
            walk(cs.iri, depth + 1)
    walk(None, 0)
    seen = {c.iri for c in ordered}
    ordered += [c for c in out if c.iri not in seen]  # cycles, if the ontology had any
    return ordered


_CLASS_META = PROLOGUE + """
SELECT ?c ?p ?o WHERE { ?c ?p ?o . VALUES ?p { rdfs:label rdfs:comment skos:definition rdf:type } }
"""


def _class_union(n: int) -> tuple[str, str]:
    """``{ ?x a ?k0 } UNION { ?x a ?k1 } ...`` for a class and its subclasses, each bound by
    the engine as a parameter (a list cannot be one parameter), and the variables to
    project (pyoxigraph substitutes projected variables only)."""
    names = [f"?k{i}" for i in range(n)]
    return " UNION ".join(f"{{ ?x a {k} }}" for k in names), " ".join(names)


def _class_count_query(n: int) -> str:
    union, ks = _class_union(n)
    return PROLOGUE + f"SELECT {ks} (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {union} }} GROUP BY {ks}"


def _class_page_query(n: int, limit: int, offset: int) -> str:
    """One page of the instances of a class and its *n* - 1 subclasses, by label, with
    their types. LIMIT and OFFSET take no variables in SPARQL: they are formatted in as
    the ints describe_class checked."""
    union, ks = _class_union(n)
    return PROLOGUE + f"""
SELECT {ks} ?x (MIN(?l0) AS ?label) (GROUP_CONCAT(DISTINCT STR(?type); separator=" ") AS ?types) WHERE {{
  {union}
  OPTIONAL {{ GRAPH ?tg {{ ?x a ?type }} FILTER(!STRENDS(STR(?tg), "/graph/entailed")) }}  # stated (graph.entail)
  OPTIONAL {{ ?x skos:prefLabel|rdfs:label|dcterms:title ?l0 . FILTER(LANG(?l0) = "" || LANGMATCHES(LANG(?l0), "en")) }}
}} GROUP BY {ks} ?x ORDER BY (!BOUND(?label)) LCASE(STR(?label)) ?x LIMIT {int(limit):d} OFFSET {int(offset):d}
"""


def describe_class(backend, class_iri: str, *, limit: int = 100, offset: int = 0,
                   lang: str = "en") -> ClassDescription | None:
    """A class: label, comment, super- and subclasses (with instance counts) and one page
    of its instances (direct or of a subclass), ordered by label. None when the store
    says nothing about the class and it has no instances."""
    if limit < 1 or limit > 1000:
        raise ParameterError("limit", f"must be between 1 and 1000, not {limit}")
    if offset < 0:
        raise ParameterError("offset", f"must be 0 or more, not {offset}")
    c = URIRef(class_iri)
    meta = backend.select(_CLASS_META, params={"c": c})
    subs = subclasses_of(backend, class_iri)
    classes = [class_iri, *subs]
    kparams = {f"k{i}": URIRef(k) for i, k in enumerate(classes)}
    count_rows = backend.select(_class_count_query(len(classes)), params=kparams)
    total = int(count_rows[0]["n"]) if count_rows else 0
    if not meta and total == 0:
        return None
    labels = term_labels(backend, lang)
    lab = pick_label([r["o"] for r in meta if r["p"] == RDFS.label], lang) or labels.get(class_iri) \
        or local_name(class_iri)
    comment = pick_label([r["o"] for r in meta if r["p"] in (RDFS.comment, SKOS.definition)], lang)
    ancestors = class_ancestors(backend)
    supers = [Link(a, labels.get(a)) for a in sorted(ancestors.get(class_iri, ()))]
    counts = direct_counts(backend)
    sub_summaries = [ClassSummary(k, labels.get(k) or local_name(k), counts.get(k, 0)) for k in subs]
    page = backend.select(_class_page_query(len(classes), limit, offset), params=kparams)
    instances = []
    for r in page:
        types = str(r.get("types") or "").split()
        spec = most_specific(types, ancestors)
        kind = (labels.get(spec[0]) or local_name(spec[0])) if spec else None
        instances.append((Link(str(r["x"]), str(r["label"]) if r.get("label") is not None else None), kind))
    return ClassDescription(class_iri, lab, comment, supers,
                            sorted(sub_summaries, key=lambda c: c.label.casefold()),
                            instances, total, limit, offset)

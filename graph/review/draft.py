"""A machine draft (``docs/model.md`` §5) read into reviewable facts.

A draft is a TriG file with one named graph ``wcid:graph/{slug}`` (the drafted facts, in
the shape curated data has) and one named graph ``wcid:graph/{slug}/draft`` (bookkeeping:
``wc:Mention`` nodes with link candidates, ``wc:DraftFact`` nodes). This module turns it
into :class:`Fact` objects a curator decides on:

* a **statement** fact is one link ``(s, p, o)`` of the facts graph with its
  ``wc:StatementEvidence`` nodes (and the blank-node tree below ``o``: an amount, a
  signature);
* a **resource** fact is what the draft says about one resource as a whole: every triple
  with that subject that is not a statement fact (type, labels, date, status, evidence).

The draft's ``wc:DraftFact`` nodes give the ids (``wc:factId``) and confidences; triples no
DraftFact covers get an implicit fact with an id derived from the statement (the same id
every time the same statement is drafted), so nothing in a draft lands unreviewed.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, SKOS
from rdflib.term import Node

from ..errors import InputError, Location
from ..load import _syntax_message
from ..namespaces import WC, WCID_DEFAULT, bind_prefixes
from ..terms import to_rdflib

GRAPH_PREFIX = WCID_DEFAULT + "graph/"
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

#: Classes of the draft's own bookkeeping: never landed.
BOOKKEEPING_CLASSES = {WC.Extraction, PROV.SoftwareAgent, PROV.Activity, WC.Mention, WC.DraftFact,
                       WC.LinkCandidate}
#: Predicates that only a machine draft carries: stripped when a fact lands.
DRAFT_ONLY_PREDICATES = {WC.confidence, PROV.wasGeneratedBy}


def statement_id(s, p, o) -> str:
    """A stable short id of a statement (or of a resource, ``statement_id(r, None, None)``)."""
    text = " ".join(_key(t) for t in (s, p, o) if t is not None)
    return hashlib.sha1(text.encode()).hexdigest()[:10]


def _key(t) -> str:
    if isinstance(t, Literal):
        return f'"{t}"@{t.language}' if t.language else f'"{t}"^^{t.datatype or ""}'
    return str(t)


@dataclass
class Evidence:
    """One quoted sentence for a fact."""

    quote: str
    begin: int | None = None
    end: int | None = None
    mention_text: str | None = None


@dataclass
class Candidate:
    iri: str
    score: float


@dataclass
class Mention:
    """A name in the article text and the resource it was linked to."""

    node: str
    text: str
    begin: int | None
    end: int | None
    refers_to: str | None
    status: str | None  # "existing" | "new"
    candidates: list[Candidate] = field(default_factory=list)


@dataclass
class Fact:
    """One reviewable fact of a draft."""

    id: str
    kind: str                      # "statement" | "resource"
    subject: URIRef | BNode
    predicate: URIRef | None = None
    object: object = None          # rdflib term (statement facts)
    confidence: float | None = None
    evidence: list[Evidence] = field(default_factory=list)
    triples: set = field(default_factory=set)   # what lands when accepted (before corrections)
    warnings: list[str] = field(default_factory=list)   # what the reviewer should know ("undated event")

    @property
    def resource(self):
        return self.subject if self.kind == "resource" else None


class Draft:
    """A parsed draft: the facts graph, the bookkeeping graph, facts and mentions."""

    def __init__(self, slug: str, facts_graph: Graph, draft_graph: Graph, path: Path | None = None):
        self.slug = slug
        self.path = path
        self.graph = facts_graph
        self.bookkeeping = draft_graph
        self.facts: dict[str, Fact] = {}
        self.mentions: list[Mention] = []
        self._statements: set = set()
        self._analyse()

    # ------------------------------------------------------------------ parsing
    @classmethod
    def parse(cls, data: bytes, *, where: str = "the draft", expected_slug: str | None = None) -> "Draft":
        """Parse TriG bytes; every problem is an :class:`InputError` saying where."""
        try:
            quads = list(ox.parse(data, format=ox.RdfFormat.TRIG, rename_blank_nodes=False))
        except SyntaxError as e:
            raise InputError(_syntax_message(e), location=Location(where, e.lineno, e.offset),
                             hint="a draft is TriG as `wckg extract` writes it (docs/model.md §5)") from None
        except ValueError as e:
            raise InputError(f"not a TriG draft: {e}", location=Location(where)) from None
        graphs: dict[str, list] = defaultdict(list)
        for q in quads:
            if isinstance(q.graph_name, ox.DefaultGraph):
                raise InputError("the default graph of a draft must be empty (facts go in wcid:graph/{slug})",
                                 location=Location(where))
            graphs[q.graph_name.value].append(q)
        facts_names = [g for g in graphs if g.startswith(GRAPH_PREFIX) and not g.endswith("/draft")]
        if len(facts_names) != 1:
            raise InputError(f"a draft has exactly one facts graph wcid:graph/{{slug}}; found "
                             f"{len(facts_names)} ({', '.join(sorted(facts_names)) or 'none'})",
                             location=Location(where), hint="see docs/model.md §5")
        name = facts_names[0]
        slug = name[len(GRAPH_PREFIX):]
        if not SLUG_RE.match(slug):
            raise InputError(f"the draft's graph name {name} does not end in a slug (lower-case ASCII, digits, hyphens)",
                             location=Location(where))
        if expected_slug is not None and slug != expected_slug:
            raise InputError(f"the draft is for {slug!r}, not {expected_slug!r}", location=Location(where))
        unknown = set(graphs) - {name, name + "/draft"}
        if unknown:
            raise InputError(f"unexpected graph(s) in the draft: {', '.join(sorted(unknown))}", location=Location(where))

        def as_graph(qs) -> Graph:
            g = Graph()
            bind_prefixes(g)
            for q in qs:
                g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
            return g
        return cls(slug, as_graph(graphs[name]), as_graph(graphs.get(name + "/draft", [])),
                   Path(where) if where != "the draft" else None)

    @classmethod
    def read(cls, path: Path, **kw) -> "Draft":
        from ..load import read_input
        return cls.parse(read_input(path, what="a draft (TriG)"), where=str(path), **kw)

    # ------------------------------------------------------------------ analysis
    def is_bookkeeping(self, node) -> bool:
        return any(t in BOOKKEEPING_CLASSES for t in self.graph.objects(node, RDF.type))

    def bnode_closure(self, node, seen=None) -> set:
        """Every triple of the blank-node tree below *node* (an amount, a signature)."""
        seen = seen if seen is not None else set()
        out: set[tuple] = set()
        if not isinstance(node, BNode) or node in seen or self.is_bookkeeping(node):
            return out
        seen.add(node)
        for p, o in self.graph.predicate_objects(node):
            if (node, p, o) in self._statements:
                continue  # a statement of its own (a signature's signatory): its own fact
            out.add((node, p, o))
            if p not in DRAFT_ONLY_PREDICATES:
                out |= self.bnode_closure(o, seen)
        return out

    def statement_evidence(self, s, p, o) -> list:
        """The wc:StatementEvidence nodes of one statement."""
        g = self.graph
        return [e for e in g.subjects(RDF.subject, s)
                if (e, RDF.type, WC.StatementEvidence) in g and (e, RDF.predicate, p) in g
                and (e, RDF.object, o) in g]

    def _evidence_of(self, nodes) -> list[Evidence]:
        out = []
        for e in nodes:
            quote = self.graph.value(e, WC.quote)
            if quote is None:
                continue
            b, en = self.graph.value(e, WC.beginIndex), self.graph.value(e, WC.endIndex)
            mt = self.graph.value(e, WC.mentionText)
            out.append(Evidence(str(quote), int(b) if b is not None else None, int(en) if en is not None else None,
                                str(mt) if mt is not None else None))
        return out

    # long: a draft's facts analysed in one pass
    def _analyse(self) -> None:
        g, bk = self.graph, self.bookkeeping
        evidence_nodes = set(g.subjects(RDF.type, WC.StatementEvidence))
        # statements: the (s, p, o) that evidence nodes are about, plus those DraftFacts name
        statements: set[tuple] = set()
        for e in evidence_nodes:
            s, p, o = g.value(e, RDF.subject), g.value(e, RDF.predicate), g.value(e, RDF.object)
            if s is not None and p is not None and o is not None and (s, p, o) in g:
                statements.add((s, p, o))
        declared: dict[tuple, tuple[str, float | None]] = {}
        for df in set(bk.subjects(RDF.type, WC.DraftFact)) | set(g.subjects(RDF.type, WC.DraftFact)):
            src = bk if (df, RDF.type, WC.DraftFact) in bk else g
            fid_node = src.value(df, WC.factId)
            conf_node = src.value(df, WC.confidence)
            about = src.value(df, WC.aboutResource)
            s, p, o = src.value(df, RDF.subject), src.value(df, RDF.predicate), src.value(df, RDF.object)
            key: tuple[Node, Node | None, Node | None]
            if about is not None:
                key = (about, None, None)
            elif s is not None and p is not None and o is not None:
                key = (s, p, o)
                if (s, p, o) in g:
                    statements.add(key)
            else:
                continue
            declared[key] = (str(fid_node) if fid_node is not None else statement_id(*key),
                             float(cast(Literal, conf_node)) if conf_node is not None else None)

        self._statements = statements
        covered: set = set()
        for s, p, o in sorted(statements, key=lambda t: tuple(_key(x) for x in t)):
            ev = self.statement_evidence(s, p, o)
            triples = {(s, p, o)} | self.bnode_closure(o)
            for e in ev:
                triples |= self.bnode_closure(e)
            fid, conf = declared.get((s, p, o), (statement_id(s, p, o), None))
            if conf is None:
                confs = [float(cast(Literal, c)) for e in ev for c in g.objects(e, WC.confidence)]
                conf = min(confs) if confs else None
            self._add(Fact(fid, "statement", s, p, o, conf, self._evidence_of(ev), triples))
            covered |= triples
        # resources: every other non-blank subject (blank ones hang below a statement or resource)
        by_subject: dict = defaultdict(set)
        for t in g:
            if t in covered or isinstance(t[0], BNode) or self.is_bookkeeping(t[0]):
                continue
            by_subject[t[0]].add(t)
        for s in sorted(by_subject, key=str):
            triples = set(by_subject[s])
            for t in list(triples):
                if t[1] not in DRAFT_ONLY_PREDICATES:
                    triples |= self.bnode_closure(t[2])
            fid, conf = declared.get((s, None, None), (statement_id(s, None, None), None))
            if conf is None:
                c = g.value(s, WC.confidence)
                conf = float(cast(Literal, c)) if c is not None else None
            ev = [Evidence(str(q)) for q in sorted(g.objects(s, WC.evidence), key=str)]
            warnings = []
            if (s, RDF.type, WC.Event) in g and (s, WC.date, None) not in g:
                warnings.append("undated: the article states no date for this event (none is guessed)")
            self._add(Fact(fid, "resource", s, None, None, conf, ev, triples, warnings))
        # mentions
        for m in sorted(set(bk.subjects(RDF.type, WC.Mention)), key=str):
            cands = []
            for c in bk.objects(m, WC.linkCandidate):
                iri, score = bk.value(c, WC.candidate), bk.value(c, WC.score)
                if iri is not None:
                    cands.append(Candidate(str(iri), float(cast(Literal, score)) if score is not None else 0.0))
            cands.sort(key=lambda c: (-c.score, c.iri))
            begin, end = bk.value(m, WC.beginIndex), bk.value(m, WC.endIndex)
            ref, st = bk.value(m, WC.refersTo), bk.value(m, WC.linkStatus)
            self.mentions.append(Mention(str(m), str(bk.value(m, WC.mentionText) or ""),
                                         int(cast(Literal, begin)) if begin is not None else None,
                                         int(cast(Literal, end)) if end is not None else None,
                                         str(ref) if ref is not None else None, str(st) if st is not None else None,
                                         cands))
        self.mentions.sort(key=lambda m: (m.begin if m.begin is not None else 1 << 60, m.text))

    def _add(self, fact: Fact) -> None:
        if fact.id in self.facts:  # two statements with one declared id: keep both, distinguishably
            fact.id = f"{fact.id}-{statement_id(fact.subject, fact.predicate, fact.object)[:4]}"
        self.facts[fact.id] = fact

    # ------------------------------------------------------------------ helpers
    def label(self, node) -> str:
        """A display label for *node* from the draft (prefLabel, else the IRI's last segment)."""
        if isinstance(node, Literal):
            return str(node)
        lab = self.graph.value(node, SKOS.prefLabel)
        if lab is not None:
            return str(lab)
        if isinstance(node, BNode):
            types = sorted(str(t).rsplit("#", 1)[-1].rsplit("/", 1)[-1] for t in self.graph.objects(node, RDF.type))
            owner = next((s for s, p in self.graph.subject_predicates(node) if not isinstance(s, BNode)), None)
            what = (types[0] if types else "node").lower()
            return f"{what} of {self.label(owner)}" if owner is not None else f"({what})"
        s = str(node)
        return s.rsplit("/", 1)[-1] if s.startswith(WCID_DEFAULT) else s

    def resources(self) -> set:
        """Subjects the draft describes as resources (resource facts)."""
        return {f.subject for f in self.facts.values() if f.kind == "resource"}

    def mention_for(self, iri: str, quote: str | None = None) -> Mention | None:
        """The mention linked to *iri* (the one inside *quote* when given)."""
        ms = [m for m in self.mentions if m.refers_to == iri and m.text]
        if quote is not None:
            inside = [m for m in ms if m.text in quote]
            if inside:
                return inside[0]
        return ms[0] if ms else None

"""Stage 5, RDF: the draft as TriG (docs/model.md §5).

- default graph empty;
- ``wcid:graph/{slug}``: the facts in the core model — every new resource typed with its
  specific and its core class, ``skos:prefLabel``, ``prov:wasDerivedFrom`` the source,
  ``wc:evidence`` (the verbatim sentences), ``wc:confidence``, ``prov:wasGeneratedBy`` the
  extraction; statements about resources already in the graph carry only what is new;
  one ``wc:StatementEvidence`` per statement (quote, offsets into the article body,
  ``wc:mentionText``, confidence; ``wc:inferred``/``wc:inferenceReason`` when inferred);
  and the article's ``wc:SourceDocument``;
- ``wcid:graph/{slug}/draft``: the bookkeeping — the ``wc:Extraction`` activity and the
  ``prov:SoftwareAgent`` ``wckg-extract`` with its version; the article body
  (``nif:isString`` on the source, so that review can land it verbatim); one ``wc:Mention``
  per mention (offsets, text, ``wc:refersTo``, ``wc:linkStatus`` existing|new,
  ``wc:linkCandidate`` [``wc:candidate``, ``wc:score``]); one ``wc:DraftFact`` per reviewable
  fact (``wc:factId``, ``rdf:subject``/``rdf:predicate``/``rdf:object`` or
  ``wc:aboutResource``, ``wc:confidence``); and the type and label of every existing
  resource the draft links to, so that the draft reads right on its own.

Blank nodes get identifiers derived from their content, and rdflib sorts its output, so
the same article gives byte-identical drafts.
"""
from __future__ import annotations

import hashlib
from decimal import Decimal

from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD, Namespace

from ..namespaces import OUTPUT_PREFIXES, WC, WCID_DEFAULT
from .article import Article
from .frames import Resource
from .gazetteer import norm
from .link import Entity
from .mentions import Mention
from .segment import Sentence

NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
_NS = {"wc": WC, "org": ORG, "dcterms": DCTERMS, "skos": SKOS, "schema": SCHEMA, "prov": PROV, "rdfs": RDFS}
#: statements that need their own evidence (docs/model.md §3): subject kinds → object kinds
EVIDENCED_SUBJECTS = {"event", "agreement", "programme", "membership", "participation", "claim", "organisation"}
EVIDENCED_OBJECTS = {"organisation", "state", "person", "place", "country", "basin", "programme", "policy"}


def curie(c: str) -> URIRef:
    p, local = c.split(":", 1)
    return URIRef(str(_NS[p]) + local)


def _bnode(*parts) -> BNode:
    return BNode("b" + hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:16])


def fact_id(s, p, o) -> str:
    """The stable short id of a drafted statement: the review's own scheme
    (:func:`graph.review.draft.statement_id`), so both sides name a fact alike."""
    try:
        from ..review.draft import statement_id
    except ImportError:  # pragma: no cover - review not installed
        return hashlib.sha1(" ".join(str(t) for t in (s, p, o) if t is not None).encode()).hexdigest()[:10]
    return statement_id(s, p, o)


class _Graph:
    """A named graph being written: a set of triples (rdflib's in-memory store is what made
    drafting slow, and nothing here needs to query it)."""

    def __init__(self, name: URIRef):
        self.name = name
        self.triples: set[tuple] = set()

    def add(self, triple: tuple) -> None:
        self.triples.add(triple)


class DraftQuads:
    """The two named graphs of a draft; :meth:`dataset` gives an rdflib Dataset of them."""

    def __init__(self, facts: _Graph, draft: _Graph):
        self.graphs = (facts, draft)

    def quads(self):
        for g in self.graphs:
            for s, p, o in g.triples:
                yield s, p, o, g.name

    def dataset(self) -> Dataset:
        ds = Dataset()
        for p, iri in OUTPUT_PREFIXES.items():
            ds.bind(p, iri, override=True, replace=True)
        ds.bind("nif", str(NIF))
        for g in self.graphs:
            ctx = ds.graph(g.name)
            for t in g.triples:
                ctx.add(t)
        return ds


# long: the draft's graphs section by section (source, bookkeeping, resources, mentions), sharing the IRIs minted
def write_draft(article: Article, sentences: list[Sentence], mentions: list[Mention], entities: list[Entity],
                resources: dict[str, Resource], *, tool_version: str, base: str = WCID_DEFAULT) -> DraftQuads:
    g_iri = URIRef(f"{base}graph/{article.slug}")
    facts = _Graph(g_iri)
    draft = _Graph(URIRef(f"{g_iri}/draft"))
    ds = DraftQuads(facts, draft)
    src = URIRef(f"{base}source/{article.slug}")
    activity = URIRef(f"{g_iri}/draft#extraction")
    agent = URIRef(f"{g_iri}/draft#wckg-extract")
    text = article.text
    lang = article.language

    # the source document
    facts.add((src, RDF.type, WC.SourceDocument))
    title = article.title or (sentences[0].text if sentences else article.slug)
    facts.add((src, DCTERMS.title, Literal(title, lang=lang)))
    facts.add((src, SKOS.prefLabel, Literal(title, lang=lang)))
    if article.published:
        facts.add((src, DCTERMS.issued, Literal(article.published.isoformat(), datatype=XSD.date)))
        if article.published_note:
            facts.add((src, SKOS.note, Literal(article.published_note, lang="en")))
    if article.publisher:
        facts.add((src, DCTERMS.publisher, Literal(article.publisher)))
    if article.url:
        facts.add((src, SCHEMA.url, URIRef(article.url)))
    facts.add((src, DCTERMS.language, Literal(lang)))
    facts.add((g_iri, PROV.wasDerivedFrom, src))

    # bookkeeping: activity and agent
    draft.add((activity, RDF.type, WC.Extraction))
    draft.add((activity, RDF.type, PROV.Activity))
    draft.add((activity, PROV.wasAssociatedWith, agent))
    draft.add((activity, PROV.used, src))
    draft.add((agent, RDF.type, PROV.SoftwareAgent))
    draft.add((agent, RDFS.label, Literal("wckg-extract")))
    draft.add((agent, SCHEMA.name, Literal("wckg-extract")))
    draft.add((agent, SCHEMA.softwareVersion, Literal(tool_version)))
    draft.add((src, NIF.isString, Literal(text)))

    def quote(i: int) -> tuple[str, int, int]:
        s = sentences[i]
        return s.text, s.start, s.end

    def conf(x: float) -> Literal:
        return Literal(Decimal(str(round(x, 2))), datatype=XSD.decimal)

    def evidence(subj: URIRef, pred: URIRef, obj: URIRef, sent: int, mention: str | None, c: float,
                 inferred: str | None = None) -> None:
        if sent < 0:
            return
        q, a, b = quote(sent)
        node = _bnode("se", subj, pred, obj, a)
        facts.add((node, RDF.type, WC.StatementEvidence))
        facts.add((node, RDF.subject, subj))
        facts.add((node, RDF.predicate, pred))
        facts.add((node, RDF.object, obj))
        facts.add((node, WC.quote, Literal(q)))
        facts.add((node, WC.beginIndex, Literal(a, datatype=XSD.nonNegativeInteger)))
        facts.add((node, WC.endIndex, Literal(b, datatype=XSD.nonNegativeInteger)))
        if mention and mention in q:
            facts.add((node, WC.mentionText, Literal(mention)))
        facts.add((node, WC.confidence, conf(c)))
        facts.add((node, PROV.wasDerivedFrom, src))
        if inferred:
            facts.add((node, WC.inferred, Literal(True)))
            facts.add((node, WC.inferenceReason, Literal(inferred, lang="en")))

    def draft_fact(subj, pred, obj, c: float) -> None:
        fid = fact_id(subj, pred, obj)
        node = _bnode("fact", fid)
        draft.add((node, RDF.type, WC.DraftFact))
        draft.add((node, WC.factId, Literal(fid)))
        if pred is None:
            draft.add((node, WC.aboutResource, subj))
        else:
            draft.add((node, RDF.subject, subj))
            draft.add((node, RDF.predicate, pred))
            draft.add((node, RDF.object, obj))
        draft.add((node, WC.confidence, conf(c)))

    kind_of = {iri: r.kind for iri, r in resources.items()}
    for iri, r in sorted(resources.items()):
        s = URIRef(iri)
        if r.new:
            for t in r.types:
                facts.add((s, RDF.type, curie(t)))
            if r.label:
                facts.add((s, SKOS.prefLabel, Literal(r.label, lang=lang)))
            for a in r.alt:
                facts.add((s, SKOS.altLabel, Literal(a, lang=lang)))
            facts.add((s, WC.confidence, conf(r.confidence)))
            draft_fact(s, None, None, r.confidence)
        elif r.kind in ("organisation", "person", "place", "country", "basin", "programme", "policy", "state", "event", "agreement"):
            # an existing resource: its type and label in the bookkeeping graph only
            for t in r.types:
                draft.add((s, RDF.type, curie(t)))
            entry = r.entity.entry if r.entity is not None else r.__dict__.get("entry")
            if entry is not None:
                draft.add((s, SKOS.prefLabel, Literal(entry.label, lang=lang)))
                for alt in entry.labels:
                    if alt != entry.label:
                        draft.add((s, SKOS.altLabel, Literal(alt, lang=lang)))
                # how this article writes it, when the graph spells it otherwise ("Nyssanbayev" for
                # "Nysanbayev"): a variant the reviewer sees beside the link, not a fact that lands
                known = {norm(x) for x in (entry.label, *entry.labels)}
                if r.entity is not None:
                    for written in sorted({r.entity.label, *r.entity.labels}):
                        if written and norm(written) not in known and not (r.entity.acronym and written == r.entity.acronym):
                            known.add(norm(written))
                            draft.add((s, SKOS.altLabel, Literal(written, lang=lang)))
            elif r.label:
                draft.add((s, SKOS.prefLabel, Literal(r.label, lang=lang)))
        has_statements = bool(r.links or r.literals or r.nodes)
        if r.new or has_statements:
            facts.add((s, PROV.wasDerivedFrom, src))
            facts.add((s, PROV.wasGeneratedBy, activity))
            for i in sorted(x for x in r.sents if x >= 0)[:4] if r.kind not in ("organisation", "person", "place", "country", "basin", "programme", "policy", "state") else sorted(x for x in r.sents if x >= 0)[:1]:
                facts.add((s, WC.evidence, Literal(sentences[i].text)))
        for lit in r.literals:
            if lit.lang:
                o = Literal(lit.value, lang=lit.lang)
            elif lit.datatype:
                o = Literal(str(lit.value), datatype=XSD[lit.datatype])
            else:
                o = Literal(lit.value)
            facts.add((s, curie(lit.pred), o))
            draft_fact(s, curie(lit.pred), o, r.confidence)
        for lk in r.links:
            p, o = curie(lk.pred), URIRef(lk.obj)
            facts.add((s, p, o))
            draft_fact(s, p, o, lk.confidence)
            ok = kind_of.get(lk.obj)
            if lk.sent >= 0 and (ok in EVIDENCED_OBJECTS or lk.pred in ("wc:signedAt",)) and r.kind in EVIDENCED_SUBJECTS | {"state"}:
                evidence(s, p, o, lk.sent, lk.mention, lk.confidence, lk.inferred)
        for k, node in enumerate(r.nodes):
            n = _bnode("node", iri, k, node.get("type"))
            if node["type"] == "wc:Signature":
                facts.add((s, WC.signature, n))
                facts.add((n, RDF.type, WC.Signature))
                sig_iri, sig_text = node["wc:signatory"]
                facts.add((n, WC.signatory, URIRef(sig_iri)))
                if "wc:onBehalfOf" in node:
                    ob, ob_text = node["wc:onBehalfOf"]
                    facts.add((n, WC.onBehalfOf, URIRef(ob)))
                if node.get("wc:postTitle"):
                    facts.add((n, WC.postTitle, Literal(node["wc:postTitle"], lang=lang)))
                draft_fact(s, WC.signature, n, 0.75)
            elif node["type"] == "wc:MonetaryAmount":
                facts.add((s, WC.amount, n))
                facts.add((n, RDF.type, WC.MonetaryAmount))
                facts.add((n, SCHEMA.value, Literal(str(node["schema:value"]), datatype=XSD.decimal)))
                facts.add((n, SCHEMA.currency, Literal(node["schema:currency"])))
                facts.add((n, WC.amountQualifier, URIRef(node["wc:amountQualifier"])))
                facts.add((n, WC.asWritten, Literal(node["wc:asWritten"])))
                draft_fact(s, WC.amount, n, 0.7)

    # mentions
    for m in mentions:
        e = m.entity
        if e is None or e.iri is None:
            continue
        node = _bnode("mention", m.start, m.end)
        draft.add((node, RDF.type, WC.Mention))
        draft.add((node, WC.beginIndex, Literal(m.start, datatype=XSD.nonNegativeInteger)))
        draft.add((node, WC.endIndex, Literal(m.end, datatype=XSD.nonNegativeInteger)))
        draft.add((node, WC.mentionText, Literal(text[m.start:m.end])))
        draft.add((node, WC.refersTo, URIRef(e.iri)))
        draft.add((node, WC.linkStatus, Literal(e.status)))
        draft.add((node, WC.confidence, conf(m.confidence)))
        draft.add((node, PROV.wasDerivedFrom, src))
        for cand, score in e.candidates[:5]:
            c = _bnode("cand", m.start, cand)
            draft.add((node, WC.linkCandidate, c))
            draft.add((c, WC.candidate, URIRef(cand)))
            draft.add((c, WC.score, Literal(Decimal(str(score)), datatype=XSD.decimal)))
    return ds


def serialize(ds: "DraftQuads | Dataset") -> bytes:
    """TriG bytes, deterministic for the same dataset: quads sorted (subjects grouped, the
    bookkeeping graph after the facts), written by pyoxigraph with the project's prefixes."""
    import pyoxigraph as ox

    from ..terms import to_oxigraph
    quads = []
    source = ds.quads() if isinstance(ds, DraftQuads) else ds.quads((None, None, None, None))
    for s, p, o, g in source:
        if g is None or str(g) == "urn:x-rdflib:default":
            continue
        gid = g.identifier if hasattr(g, "identifier") else g
        quads.append(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), ox.NamedNode(str(gid))))

    def key(q):
        return (str(q.graph_name), isinstance(q.subject, ox.BlankNode), str(q.subject), str(q.predicate), str(q.object))
    quads.sort(key=key)
    prefixes = {p: iri for p, iri in OUTPUT_PREFIXES.items()}
    prefixes["nif"] = str(NIF)
    return ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=prefixes)

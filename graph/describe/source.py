"""The page of a source article: :func:`describe_source` (metadata, the verbatim text with
contact details redacted (:func:`redact`) and the resources its graph mentions linked
(:func:`highlight`), and what it states)."""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import Literal, URIRef

from ..errors import InputError
from ..namespaces import DCTERMS, SKOS, WC
from .common import PROLOGUE, Link, class_ancestors, format_date, local_name, most_specific, pick_label, term_labels
from .entity import EntityDescription, describe

#: E-mail addresses.
EMAIL_RE = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
#: Telephone numbers: international (+7 …, 00 7 …), with an area code in brackets,
#: after a "tel/phone/fax" cue, or a Kazakh national number (8 7172 …); an "(ext. 187)"
#: that follows goes with it. Year ranges ("2020-2030") and dates do not match: each
#: form needs a + / 00 prefix, brackets, a cue, or the 10-digit national shape.
PHONE_RE = re.compile(
    r"(?:"
    r"(?:\+|\b00)\d{1,3}[\s.-]*(?:\(\s*\d{1,5}\s*\)[\s.-]*)?\d{1,4}(?:[\s.-]*\d{2,4}){1,4}"
    r"|\(\s*\d{3,5}\s*\)[\s.-]*\d{2,4}(?:[\s.-]+\d{2,4}){1,3}"
    r"|(?i:\b(?:tel|phone|telephone|fax|mob|mobile|тел|факс)\b\.?:?\s*)[\d(+][\d\s().-]{5,}\d"
    r"|\b8[\s-]?\(?7\d{2,3}\)?[\s-]?\d{2,3}[\s-]?\d{2}[\s-]?\d{2}\b"
    r")"
    r"(?:\s*\(?\s*(?i:ext|ext\.|доб)\.?\s*\d{1,5}\s*\)?)?"
)

EMAIL_PLACEHOLDER = "[e-mail removed]"
PHONE_PLACEHOLDER = "[phone number removed]"


def redact(text: str) -> str:
    """*text* with every e-mail address and telephone number replaced by a placeholder:
    the published graph holds no contact details, and the site shows none either."""
    text = EMAIL_RE.sub(EMAIL_PLACEHOLDER, text)
    return PHONE_RE.sub(PHONE_PLACEHOLDER, text)


@dataclass
class Segment:
    """A run of text; ``iri`` set when it names a resource (link it), ``placeholder`` when
    it stands for redacted contact details."""

    text: str
    iri: str | None = None
    label: str | None = None
    placeholder: bool = False


def highlight(text: str, names: Mapping[str, tuple[str, str]]) -> list[Segment]:
    """Split *text* into segments, marking every occurrence of a name of *names*
    (name → (iri, display label)). Longest names win; a name must stand as whole words;
    all-capital names (acronyms) match only in capitals, others in any case. Redaction
    placeholders come out as their own segments."""
    usable = sorted((n for n in names if len(n.strip()) >= 2), key=len, reverse=True)
    alternatives = []
    for n in usable:
        pat = re.escape(n.strip()).replace(r"\ ", r"\s+")
        alternatives.append(pat if _is_acronym(n) else f"(?i:{pat})")
    alternatives += [re.escape(EMAIL_PLACEHOLDER), re.escape(PHONE_PLACEHOLDER)]
    rx = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")
    folded = {_fold_space(n).casefold(): n for n in usable}
    exact = {_fold_space(n): n for n in usable}
    out: list[Segment] = []
    pos = 0
    for m in rx.finditer(text):
        if m.start() > pos:
            out.append(Segment(text[pos:m.start()]))
        found = m.group(0)
        if found in (EMAIL_PLACEHOLDER, PHONE_PLACEHOLDER):
            out.append(Segment(found, placeholder=True))
        else:
            key = exact.get(_fold_space(found)) or folded.get(_fold_space(found).casefold())
            iri, label = names[key] if key else (None, None)
            out.append(Segment(found, iri=iri, label=label))
        pos = m.end()
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out


def _is_acronym(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and len(name) <= 12


def _fold_space(s: str) -> str:
    return " ".join(s.split())


@dataclass
class SourceDescription:
    slug: str
    entity: EntityDescription
    title: str
    issued: str | None
    issued_display: str | None
    inferred_date: bool
    publisher: Link | None
    notes: list[str]
    graph: str | None
    paragraphs: list[list[Segment]] | None        # None: the text file is not available
    text_error: str | None
    mentioned: list[Link]
    statements: list[tuple[Link, str | None]]     # resources the article states (with class label)


# The article's graph is the named graph that says it is derived from the source.
_SOURCE_GRAPHS = PROLOGUE + """
SELECT DISTINCT ?src ?g WHERE { ?g prov:wasDerivedFrom ?src . FILTER EXISTS { GRAPH ?g { ?a ?b ?c } } }
"""
# Reference resources (organisations, people, places) list the articles that name them.
# (Label lookups as OPTIONALs per row: see "Query shapes" above.)
_NAMES = "OPTIONAL { ?e skos:prefLabel ?pref } OPTIONAL { ?e skos:altLabel ?alt }"
_NAMED_BY = PROLOGUE + f"""
SELECT ?src ?part ?e ?pref ?alt ?type WHERE {{
  ?e prov:wasDerivedFrom ?src . FILTER(isIRI(?e)) {_NAMES} BIND("named" AS ?part)
}}
"""
# With the article graph known, one query for the rest: "named" as above, "mention" every
# resource the graph mentions (objects of rdf:type, wc:status and org:role are kinds, not
# things the text names), "stated" the resources it states, with their types. Each branch
# starts from a pattern with a bound parameter: a branch that has to find the graph first
# made Oxigraph scan every quad of the store (2.3 s at 100 k triples against 45 ms).
_SOURCE_PAGE = PROLOGUE + f"""
SELECT ?src ?g ?part ?e ?pref ?alt ?type WHERE {{
  {{ ?e prov:wasDerivedFrom ?src . FILTER(isIRI(?e)) {_NAMES} BIND("named" AS ?part) }}
  UNION
  {{ GRAPH ?g {{ ?e ?p ?o }} FILTER(isIRI(?e)) {_NAMES} BIND("mention" AS ?part) }}
  UNION
  {{ GRAPH ?g {{ ?x ?q ?e }} FILTER(isIRI(?e) && ?q NOT IN (rdf:type, wc:status, org:role)) {_NAMES}
     BIND("mention" AS ?part) }}
  UNION
  {{ GRAPH ?g {{ ?e prov:wasDerivedFrom ?src }} OPTIONAL {{ GRAPH ?tg {{ ?e a ?type }} FILTER(!STRENDS(STR(?tg), "/graph/entailed")) }} OPTIONAL {{ ?e skos:prefLabel ?pref }}
     BIND("stated" AS ?part) }}
}}
"""


def describe_source(backend, settings, slug: str, *, lang: str = "en") -> SourceDescription | None:
    """The page of source article *slug*: its metadata, its verbatim text (contact details
    redacted; every resource the article's graph mentions linked where its name appears),
    and the resources it states. None when the store has no such source."""
    base = settings.base_iri
    iri = f"{base}source/{slug}"
    entity = describe(backend, iri, base=base, lang=lang)
    if entity is None:
        return None
    src = URIRef(iri)
    labels = term_labels(backend, lang)
    props = {g.iri: g for g in entity.properties}

    def first_text(p) -> str | None:
        g = props.get(str(p))
        return g.values[0].text if g and g.values and g.values[0].text is not None else None

    titles = props.get(str(DCTERMS.title))
    title = (pick_label([Literal(v.text, lang=v.lang) for v in titles.values if v.text], lang)
             if titles else None) or entity.label
    issued = first_text(DCTERMS.issued)
    inferred = (first_text(WC.inferred) or "").lower() in ("true", "1")
    pub_group = props.get(str(DCTERMS.publisher))
    publisher = None
    if pub_group and pub_group.values:
        v = pub_group.values[0]
        publisher = v.link if v.link else Link("", v.text)
    notes = [v.text for v in props[str(SKOS.note)].values if v.text] if str(SKOS.note) in props else []

    graphs = sorted(str(r["g"]) for r in backend.select(_SOURCE_GRAPHS, params={"src": src}))
    graph = next((g for g in graphs if g.startswith(base + "graph/")), graphs[0] if graphs else None)

    if graph:
        rows = backend.select(_SOURCE_PAGE, params={"src": src, "g": URIRef(graph)})
    else:
        rows = backend.select(_NAMED_BY, params={"src": src})

    names, mentioned, stated = _mentions(rows, iri, labels, class_ancestors(backend), lang)

    paragraphs, text_error = None, None
    try:
        from ..load import source_text
        text = redact(source_text(settings, slug))
        paragraphs = [highlight(p.strip(), names) for p in re.split(r"\n\s*\n", text) if p.strip()]
    except InputError as e:
        text_error = e.message
    return SourceDescription(
        slug=slug, entity=entity, title=title, issued=issued,
        issued_display=format_date(issued) if issued else None, inferred_date=inferred,
        publisher=publisher, notes=notes, graph=graph, paragraphs=paragraphs, text_error=text_error,
        mentioned=sorted((Link(e, lab) for e, lab in mentioned.items()), key=lambda lk: lk.text.casefold()),
        statements=stated)


def _mentions(rows: list, iri: str, labels: Mapping[str, str], ancestors: Mapping[str, set[str]],
              lang: str) -> tuple[dict[str, tuple[str, str]], dict[str, str], list[tuple[Link, str | None]]]:
    """From the source page's rows: every name to highlight (name → (IRI, label)), the
    resources the article mentions (IRI → label), and those it states with their kind."""
    names: dict[str, tuple[str, str]] = {}
    mentioned: dict[str, str] = {}
    prefs: dict[str, list] = defaultdict(list)
    for r in rows:
        if r.get("pref") is not None and r["pref"] not in prefs[str(r["e"])]:
            prefs[str(r["e"])].append(r["pref"])
    display = {e: pick_label(ls, lang) for e, ls in prefs.items()}
    types: dict[str, list[str]] = {}
    for r in rows:
        e = str(r["e"])
        if e == iri:
            continue
        if str(r["part"]) == "stated":
            ts = types.setdefault(e, [])
            if r.get("type") is not None and str(r["type"]) not in ts:
                ts.append(str(r["type"]))
            continue
        for name in (r.get("pref"), r.get("alt")):
            if name is None:
                continue
            label = display.get(e) or str(name)
            mentioned[e] = label
            names.setdefault(str(name), (e, label))
    stated: list[tuple[Link, str | None]] = []
    for x, ts in types.items():
        spec = most_specific(ts, ancestors)
        stated.append((Link(x, display.get(x)), (labels.get(spec[0]) or local_name(spec[0])) if spec else None))
    stated.sort(key=lambda t: (t[1] or "", t[0].text.casefold()))
    return names, mentioned, stated

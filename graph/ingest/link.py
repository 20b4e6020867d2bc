"""Stage 3, link: mentions → entities (one per real thing in the article) → IRIs.

Mentions are grouped into entities: same label, same acronym, an acronym that fits a
name ("EC-IFAS", "Executive Committee of the IFAS"), a spelling variant (``rapidfuzz``
ratio ≥ 90: "Chu-Talas Rivers Commission" / "Chu-Talas River Commission"), a short name
that ends a longer one ("Steering Committee"), a surname, an anaphor ("the Ministry").

Each entity is then linked to the graph: an exact label or acronym of the same kind
(score 1.0 / 0.95), else the best fuzzy label (token-sort ratio) when it reaches 0.92;
the candidates and their scores are kept for review. Otherwise a new IRI is minted by the
identifier rules (``organisation/{acronym or name}``, ``person/{name}``, ``place/{name}``;
a country office "UNDP in Tajikistan" becomes ``organisation/undp-tajikistan``,
``org:subOrganizationOf`` its parent).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from ..namespaces import WCID_DEFAULT
from .article import slugify
from .gazetteer import DEMONYMS, Entry, Gazetteer, is_acronym, norm
from .mentions import Mention, acronym_fits

#: kind of mention → kinds of gazetteer entries it may link to, and the IRI kind minted
LINK_KINDS = {
    "organisation": ({"organisation"}, "organisation"),
    "state": ({"state"}, "organisation"),
    "person": ({"person"}, "person"),
    "place": ({"place", "country", "basin"}, "place"),
    "country": ({"country", "place"}, "place"),
    "basin": ({"basin", "place"}, "place"),
    "programme": ({"programme"}, "programme"),
    "policy": ({"policy"}, "policy"),
}
GENERIC_SUFFIX = re.compile(r"\s+(project|programme|program|initiative|process)$", re.I)
LINK_THRESHOLD = 0.92


@dataclass
class Entity:
    key: str
    kind: str
    label: str
    labels: list[str] = field(default_factory=list)
    acronym: str | None = None
    mentions: list[Mention] = field(default_factory=list)
    iri: str | None = None
    status: str = "new"                     #: existing | new
    candidates: list[tuple[str, float]] = field(default_factory=list)
    entry: Entry | None = None
    parent: "Entity | str | None" = None    #: org:subOrganizationOf (country offices)
    country: str | None = None              #: place IRI
    confidence: float = 0.8

    @property
    def first(self) -> Mention:
        return min(self.mentions, key=lambda m: m.start)

    def mention_in(self, sent: int) -> Mention | None:
        for m in sorted(self.mentions, key=lambda m: m.start):
            if m.sent == sent:
                return m
        return None


def _nucleus_split(label: str) -> tuple[str, str]:
    m = re.match(r"^(.*?)\s+(?:of|for)\s+(?:the\s+)?(.*)$", label)
    return (m.group(1), m.group(2)) if m else (label, "")


def _same_thing(a: Entity, b: Entity) -> bool:
    if a.kind != b.kind and not ({a.kind, b.kind} <= {"place", "country", "basin"}):
        return False
    if a.acronym and b.acronym and a.acronym.replace("-", " ") == b.acronym.replace("-", " "):
        return True
    la, lb = norm(a.label), norm(b.label)
    if la == lb:
        return True
    for x, y in ((a, b), (b, a)):
        if x.acronym and norm(x.acronym) == norm(y.label):
            return True
        # "NEXUS project" and NEXUS
        core = GENERIC_SUFFIX.sub("", y.label)
        if x.acronym and core != y.label and core.replace("-", " ") == x.acronym.replace("-", " "):
            return True
        # "Executive Committee of the IFAS" / "Executive Committee of the International Fund ..."
        nx, cx = _nucleus_split(x.label)
        ny, cy = _nucleus_split(y.label)
        if cx and cy and norm(nx) == norm(ny) and is_acronym(cx) and acronym_fits(cx, cy):
            return True
    if a.kind in ("organisation", "programme", "policy") and len(la) > 8 and len(lb) > 8:
        if fuzz.ratio(la, lb) >= 90 and not word_clash(la, lb):
            return True
    return False


def word_clash(a: str, b: str) -> bool:
    """Two close names that differ by a word which is no spelling variant of the other
    ("Asian Development Bank" / "Eurasian Development Bank"): different things."""
    from difflib import SequenceMatcher
    wa, wb = norm(a).split(), norm(b).split()
    for op, i1, i2, j1, j2 in SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes():
        if op == "replace" and i2 - i1 == j2 - j1:
            if any(fuzz.ratio(x, y) < 80 for x, y in zip(wa[i1:i2], wb[j1:j2])):
                return True
    return False


# long: the grouping rules (variants and acronyms, short generic names, anaphors, labels) in the order they apply
def group(mentions: list[Mention]) -> list[Entity]:
    """Mentions → entities of the article."""
    entities: list[Entity] = []
    by_key: dict[tuple[str, str], Entity] = {}
    for m in sorted(mentions, key=lambda m: m.start):
        if m.antecedent is not None:
            continue
        kind = m.kind
        key = (kind if kind not in ("place", "country", "basin") else "place", norm(m.label))
        e = by_key.get(key)
        if e is None:
            e = Entity(key=norm(m.label), kind=kind, label=m.label, labels=[m.label], acronym=m.acronym,
                       confidence=m.confidence)
            by_key[key] = e
            entities.append(e)
        e.mentions.append(m)
        if m.acronym and not e.acronym:
            e.acronym = m.acronym
        m.entity = e
    # merge variants, acronyms, short forms
    merged = True
    while merged:
        merged = False
        for i, a in enumerate(entities):
            for b in entities[i + 1:]:
                if _same_thing(a, b):
                    keep, drop = (a, b) if len(a.label) >= len(b.label) else (b, a)
                    if drop.mentions[0].how in ("list",) and keep.mentions[0].how not in ("list",):
                        pass
                    for m in drop.mentions:
                        m.entity = keep
                    keep.mentions += drop.mentions
                    keep.labels += [lab for lab in drop.labels if lab not in keep.labels]
                    keep.acronym = keep.acronym or drop.acronym
                    keep.confidence = max(keep.confidence, drop.confidence)
                    entities.remove(drop)
                    merged = True
                    break
            if merged:
                break
    # a short generic name ending a longer organisation name of the article: "Steering Committee"
    orgs = [e for e in entities if e.kind == "organisation"]
    for e in list(orgs):
        words = norm(e.label).split()
        if len(words) <= 2 and not e.acronym:
            longer = [o for o in orgs if o is not e and norm(o.label).endswith(" " + norm(e.label))]
            if len(longer) == 1:
                o = longer[0]
                for m in e.mentions:
                    m.entity = o
                o.mentions += e.mentions
                entities.remove(e)
                orgs.remove(e)
    # anaphors and surnames follow their antecedent
    for m in mentions:
        if m.antecedent is not None and m.antecedent.entity is not None:
            m.entity = m.antecedent.entity
            m.entity.mentions.append(m)
    for e in entities:
        # the fullest name is the label; the others (and the acronym) are alternatives
        names = [m.label for m in e.mentions if m.how not in ("anaphor", "surname", "acronym")] or [e.label]
        best = max(names, key=lambda n: (len(n.split()) if e.kind != "person" else len(n), n[0].isupper(), -names.index(n)))
        e.label = best[0].upper() + best[1:] if e.kind == "organisation" else best
        e.labels = sorted({n for n in names} - {e.label})
    return entities


class Linker:
    """Links entities to the gazetteer and mints IRIs for new ones."""

    def __init__(self, gazetteer: Gazetteer, base: str = WCID_DEFAULT):
        self.gaz = gazetteer
        self.base = base
        self._choices: dict[frozenset, tuple[list[str], list[Entry]]] = {}
        self._postings: dict[frozenset, dict[str, list[int]]] = {}

    def choices(self, kinds: set[str]) -> tuple[list[str], list[Entry]]:
        k = frozenset(kinds)
        if k not in self._choices:
            labels, entries = [], []
            for e in self.gaz.entries.values():
                if e.kind in kinds and not e.__dict__.get("external"):
                    for lab in e.labels:
                        if not is_acronym(lab):
                            labels.append(norm(lab))
                            entries.append(e)
            postings: dict[str, list[int]] = {}
            for idx, lab in enumerate(labels):
                for w in set(lab.split(" ")):
                    if w not in _STOP:
                        postings.setdefault(w, []).append(idx)
            self._choices[k] = (labels, entries)
            self._postings[k] = postings
        return self._choices[k]

    def fuzzy(self, label: str, kinds: set[str], limit: int = 3, cutoff: float = 80):
        """Best fuzzy matches of *label* among the labels of *kinds*: only labels that share
        one of its two rarest words are compared (blocking keeps this fast on a large graph)."""
        labels, entries = self.choices(kinds)
        postings = self._postings[frozenset(kinds)]
        q = norm(label)
        words = sorted({w for w in q.split(" ") if w and w not in _STOP and w in postings},
                       key=lambda w: len(postings[w]))
        cand: set[int] = set()
        for w in words[:2]:
            cand.update(postings[w][:20000])
        if not cand:
            return []
        idxs = sorted(cand)
        sub = [labels[i] for i in idxs]
        return [(entries[idxs[j]], score) for _, score, j in
                process.extract(q, sub, scorer=fuzz.token_sort_ratio, limit=limit, score_cutoff=cutoff)]

    def link(self, entities: list[Entity]) -> None:
        used: set[str] = set()
        for e in entities:
            kinds, iri_kind = LINK_KINDS.get(e.kind, ({e.kind}, e.kind))
            cands: dict[str, tuple[float, Entry]] = {}
            for lab in [e.label, *e.labels]:
                for hit in self.gaz.lookup(lab, kinds):
                    cands[hit.iri] = max(cands.get(hit.iri, (0, hit)), (1.0, hit), key=lambda x: x[0])
            if e.acronym:
                for hit in self.gaz.lookup(e.acronym, kinds) + self.gaz.lookup(e.acronym.replace(" ", "-"), kinds):
                    if hit.iri not in cands:
                        cands[hit.iri] = (0.95, hit)
            if e.kind not in ("place", "country", "basin"):
                for lab in [e.label, *e.labels]:
                    if is_acronym(lab):
                        continue
                    for hit, score in self.fuzzy(lab, kinds):
                        sc = round(score / 100, 3)
                        if _countries_differ(lab, hit.label, self.gaz) or word_clash(lab, hit.label):
                            continue
                        if e.kind == "person" and sc < 0.95:
                            continue
                        if hit.iri not in cands or cands[hit.iri][0] < sc:
                            cands[hit.iri] = (sc, hit)
            ranked = sorted(cands.items(), key=lambda kv: (-kv[1][0], kv[0]))
            e.candidates = [(iri, sc) for iri, (sc, _) in ranked]
            if ranked and ranked[0][1][0] >= LINK_THRESHOLD:
                hit = ranked[0][1][1]
                e.iri, e.entry = hit.iri, hit
                e.status = "new" if hit.__dict__.get("external") else "existing"
                if e.kind in ("place", "country", "basin") and hit.kind in ("place", "country", "basin"):
                    e.kind = hit.kind if hit.kind != "place" or e.kind != "basin" else e.kind
                used.add(e.iri)
                continue
            e.status = "new"
            e.iri = self.mint(e, iri_kind, used)
            used.add(e.iri)

    def country_office(self, e: Entity, entities: list[Entity]) -> None:
        """"United Nations Development Programme in Tajikistan": a country office of a known organisation."""
        m = re.match(r"^(.*\S)\s+in\s+(?:the\s+)?([A-Z][\w ’'-]+)$", e.label)
        if not m or e.kind != "organisation":
            return
        country = self.gaz.lookup(m.group(2), {"country"})
        parent = self.gaz.lookup(m.group(1), {"organisation"})
        if not (country and parent):
            return
        e.parent = parent[0].iri
        e.country = country[0].iri

    def mint(self, e: Entity, iri_kind: str, used: set[str]) -> str:
        if iri_kind == "organisation" and e.parent and e.country:
            parent = e.parent if isinstance(e.parent, str) else e.parent.iri
            slug = f"{parent.rsplit('/', 1)[-1]}-{e.country.rsplit('/', 1)[-1]}"
        elif iri_kind == "organisation" and e.acronym and 2 <= len(e.acronym) <= 12:
            slug = slugify(e.acronym)
        else:
            slug = slugify(e.label)
        slug = slug or "unnamed"
        iri = f"{self.base}{iri_kind}/{slug}"
        n = 2
        while iri in used or (iri in self.gaz.entries and not self.gaz.entries[iri].__dict__.get("external")):
            if iri_kind == "organisation" and e.acronym and slug == slugify(e.acronym):
                slug = slugify(e.label)
                iri = f"{self.base}{iri_kind}/{slug}"
                continue
            iri = f"{self.base}{iri_kind}/{slug}-{n}"
            n += 1
        return iri


_STOP = {"of", "for", "the", "and", "in", "on", "to", "a", "an", "de", "republic"}


def _countries_differ(a: str, b: str, gaz: Gazetteer) -> bool:
    """"UNDP in Tajikistan" is not "UNDP in Kazakhstan", however alike the strings."""
    ca, cb = country_of(a, gaz), country_of(b, gaz)
    return bool(ca and cb and ca != cb) or bool(ca) != bool(cb) and bool(re.search(r"\bin\s+[A-Z]", a + " " + b))


def country_of(label: str, gaz: Gazetteer) -> str | None:
    """The country a name places itself in: "of Turkmenistan", "Tajik Ministry ..."."""
    for w in re.findall(r"[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)?", label):
        for cand in (w, w.split()[0]):
            hit = gaz.lookup(cand, {"country"})
            if hit:
                return hit[0].iri
            if cand in DEMONYMS:
                hit = gaz.lookup(DEMONYMS[cand], {"country"})
                if hit:
                    return hit[0].iri
    return None

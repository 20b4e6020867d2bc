"""Incremental derivation (graph.derived.Update): after adding, changing or removing an
article, the derived graph updated per affected subject equals a full derivation."""
from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from graph import derived
from graph.config import Settings
from graph.load import discover, iter_quads
from graph.terms import to_rdflib

WC = "https://w3id.org/wckg/ontology#"
WCID = "https://w3id.org/wckg/id/"
ORG = "http://www.w3.org/ns/org#"


def _settings() -> Settings:
    from graph.config import PROJECT_ROOT
    return Settings(_env_file=None, data_dir=PROJECT_ROOT / "data", ontology_dir=PROJECT_ROOT / "ontology")


class _States:
    """The state folders of successive builds (the participation table lives there)."""

    def __init__(self, root):
        self.root, self.n = root, 0

    def current(self):
        return self.root / str(self.n)

    def next(self):
        self.n += 1
        return self.current()


_STATES: dict[int, _States] = {}


@pytest.fixture()
def states(tmp_path) -> _States:
    return _States(tmp_path)


@pytest.fixture()
def store(states) -> ox.Store:
    s = ox.Store()
    s.bulk_extend(q for f in discover(_settings()) for q in iter_quads(f))
    derived.derive(s, state_dir=states.current())
    _STATES[id(s)] = states
    return s


def _derived_graph(store: ox.Store) -> Graph:
    g = Graph()
    for q in store.quads_for_pattern(None, None, None, derived.graph_name()):
        g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return g


def _full(store: ox.Store) -> Graph:
    copy = ox.Store()
    copy.bulk_extend(store)
    derived.derive(copy)
    return _derived_graph(copy)


def _change(store: ox.Store, *, remove: list[ox.Quad] = (), add: list[ox.Quad] = ()) -> dict:
    states = _STATES[id(store)]
    up = derived.Update(store, previous_state=states.current(), state_dir=states.next())
    up.before(list(remove))
    for q in remove:
        store.remove(q)
    store.extend(add)
    up.after(list(add))
    return up.apply()


def _article_graphs(store: ox.Store) -> list[ox.NamedNode]:
    rows = store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?e <%sorganiser> ?o } }" % WC)
    return sorted((r["g"] for r in rows), key=lambda g: g.value)


def test_every_registered_derivation_is_incremental():
    assert derived.incremental(), [n for n, d in derived.REGISTRY.items() if not d.incremental]


def test_removing_an_article_gives_the_full_derivation(store):
    g = _article_graphs(store)[0]
    quads = list(store.quads_for_pattern(None, None, None, g))
    before = _derived_graph(store)
    report = _change(store, remove=quads)
    after = _derived_graph(store)
    assert isomorphic(after, _full(store))
    assert not isomorphic(after, before), "removing an article with an organiser changes some count"
    assert report["partner-counts"]["subjects"] not in (0, "all")


def test_adding_an_article_back_restores_the_derived_graph(store):
    g = _article_graphs(store)[-1]
    original = _derived_graph(store)
    quads = list(store.quads_for_pattern(None, None, None, g))
    _change(store, remove=quads)
    _change(store, add=quads)
    assert isomorphic(_derived_graph(store), original)


def test_changing_participants_posts_units_and_types_gives_the_full_derivation(store):
    g = ox.NamedNode(WCID + "graph/test-change")
    orgs = sorted({q.subject for q in store.quads_for_pattern(None, ox.NamedNode(WC + "partnerCount"), None, None)},
                  key=lambda n: n.value)
    a, b, c = orgs[0], orgs[1], orgs[2]
    ev = ox.NamedNode(WCID + "event/test-meeting")
    person = ox.NamedNode(WCID + "person/test-person")
    post = ox.NamedNode(WCID + "membership/test-post")
    new_org = ox.NamedNode(WCID + "organisation/test-new")
    added = [
        ox.Quad(ev, derived.RDF_TYPE, ox.NamedNode(WC + "Meeting"), g),
        ox.Quad(ev, ox.NamedNode(WC + "organiser"), a, g),
        ox.Quad(ev, ox.NamedNode(WC + "participant"), person, g),
        ox.Quad(ev, ox.NamedNode(WC + "participant"), new_org, g),
        ox.Quad(post, ox.NamedNode(ORG + "member"), person, g),
        ox.Quad(post, ox.NamedNode(ORG + "organization"), b, g),
        ox.Quad(new_org, derived.RDF_TYPE, ox.NamedNode(WC + "Organisation"), g),
        ox.Quad(c, ox.NamedNode(ORG + "subOrganizationOf"), a, g),
    ]
    report = _change(store, add=added)
    assert report["partner-counts"]["subjects"] != "all"
    assert isomorphic(_derived_graph(store), _full(store))
    counts = {q.subject: int(q.object.value) for q in
              store.quads_for_pattern(None, ox.NamedNode(WC + "partnerCount"), None, derived.graph_name())}
    assert counts[new_org] >= 2  # a (organiser) and b (through the person's post)
    # then part of it goes again: the type of the new organisation and the unit relation
    _change(store, remove=[added[6], added[7]])
    assert isomorphic(_derived_graph(store), _full(store))


def test_a_changed_class_hierarchy_recomputes_the_whole_derivation(store):
    g = ox.NamedNode(WCID + "graph/ontology")
    q = ox.Quad(ox.NamedNode(WC + "Meeting"), derived.SUBCLASS, ox.NamedNode(WC + "Consultation"), g)
    report = _change(store, add=[q])
    assert report["most-specific-type"]["subjects"] == "all"
    assert isomorphic(_derived_graph(store), _full(store))


def test_without_the_previous_table_partner_counts_are_derived_whole(store):
    up = derived.Update(store)  # no state folders
    g = _article_graphs(store)[0]
    quads = list(store.quads_for_pattern(None, None, None, g))
    up.before(quads)
    for q in quads:
        store.remove(q)
    up.after([])
    assert up.apply()["partner-counts"]["subjects"] == "all"
    assert isomorphic(_derived_graph(store), _full(store))


def test_a_derivation_without_incremental_support_makes_updates_refuse(monkeypatch):
    monkeypatch.setitem(derived.REGISTRY, "plain", derived.Derivation("plain", "whole only", lambda s, b: []))
    assert not derived.incremental()
    with pytest.raises(ValueError, match="plain"):
        derived.Update(ox.Store())


def test_changes_the_summaries_depend_on_indirectly_give_the_full_derivation(store):
    """graph.derived.summaries: an agent's country, the date of the event an agreement was
    signed at, what was signed at a ceremony, a place's country: each changes the derived
    triples of other subjects than the changed one."""
    g = ox.NamedNode(WCID + "graph/test-summaries")
    rows = list(store.query(f"SELECT ?item ?agent WHERE {{ ?item <{WC}party> ?agent . ?item <{WC}signedAt> ?ev }} "
                            "ORDER BY ?item LIMIT 1", use_default_graph_as_union=True))
    assert rows, "the curated data has an agreement signed at an event"
    item, agent = rows[0]["item"], rows[0]["agent"]
    ev = ox.NamedNode(WCID + "event/test-ceremony")
    country = ox.NamedNode(WCID + "place/test-country")
    place = ox.NamedNode(WCID + "place/test-town")
    before = _derived_graph(store)
    added = [
        ox.Quad(country, derived.RDF_TYPE, ox.NamedNode(WC + "Country"), g),
        ox.Quad(agent, ox.NamedNode(WC + "country"), country, g),
        ox.Quad(agent, derived.RDF_TYPE, ox.NamedNode(WC + "State"), g),
        ox.Quad(ev, derived.RDF_TYPE, ox.NamedNode(WC + "SigningCeremony"), g),
        ox.Quad(ev, ox.NamedNode(WC + "date"), ox.Literal("1990-01-01", datatype=ox.NamedNode(
            "http://www.w3.org/2001/XMLSchema#date")), g),
        ox.Quad(ev, ox.NamedNode(WC + "location"), place, g),
        ox.Quad(item, ox.NamedNode(WC + "signedAt"), ev, g),
    ]
    _change(store, add=added[:3])  # the agent's country and type only: the item is not a changed subject
    assert isomorphic(_derived_graph(store), _full(store))
    assert not isomorphic(_derived_graph(store), before)
    _change(store, add=added[3:])
    assert isomorphic(_derived_graph(store), _full(store))
    _change(store, add=[ox.Quad(place, ox.NamedNode(WC + "country"), country, g)])  # the event's country
    assert (ev, ox.NamedNode(WC + "locatedInCountry"), country) in {
        (q.subject, q.predicate, q.object) for q in store.quads_for_pattern(ev, None, None, derived.graph_name())}
    assert isomorphic(_derived_graph(store), _full(store))
    _change(store, remove=added[1:3] + added[4:5])  # the agent's country and type, the ceremony's date
    assert isomorphic(_derived_graph(store), _full(store))


def test_a_new_label_of_an_agent_affects_none_of_its_items(store):
    """cooperation-intensity reads an agent's type and country only: a label of UNDP (an agent
    of many items) leaves their derived triples alone, and its country does not."""
    from graph.derived.summaries import _intensity_affected
    undp = ox.NamedNode(WCID + "organisation/undp")
    g = ox.NamedNode(WCID + "graph/test-label")
    label = ox.Quad(undp, ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel"), ox.Literal("Zebra"), g)
    assert _intensity_affected(store, WCID, [label]) == {undp}
    country = ox.Quad(undp, ox.NamedNode(WC + "country"), ox.NamedNode(WCID + "place/kazakhstan"), g)
    assert len(_intensity_affected(store, WCID, [country]) - {undp}) >= 2


def _involved(store: ox.Store, link: ox.NamedNode) -> set:
    return {q.object for q in store.quads_for_pattern(link, ox.NamedNode(WC + "involves"), None, derived.graph_name())}


def test_changed_roles_posts_and_types_update_involves_as_a_full_derivation(store):
    """graph.derived.involvement: a new role, a new post of someone who already takes part in
    a link (that link is no changed subject), a post's organisation and a type each update
    wc:involves for exactly the links they change, as a full derivation does."""
    g = ox.NamedNode(WCID + "graph/test-involves")
    rows = list(store.query(f"SELECT ?link ?person WHERE {{ ?link <{WC}participant> ?person . "
                            f"?person a <{WC}Person> }} ORDER BY ?link ?person LIMIT 1", use_default_graph_as_union=True))
    assert rows, "the curated data has a person taking part in something"
    link, attendee = rows[0]["link"], rows[0]["person"]
    orgs = sorted({q.object for q in store.quads_for_pattern(None, ox.NamedNode(WC + "organiser"), None, None)
                   if isinstance(q.object, ox.NamedNode)}, key=lambda n: n.value)
    a, b = orgs[0], orgs[1]
    ev = ox.NamedNode(WCID + "event/test-involves")
    person = ox.NamedNode(WCID + "person/test-involves")
    post, post2 = ox.NamedNode(WCID + "membership/test-involves"), ox.NamedNode(WCID + "membership/test-involves-2")
    new_org = ox.NamedNode(WCID + "organisation/test-involves")
    roles = [ox.Quad(ev, derived.RDF_TYPE, ox.NamedNode(WC + "Meeting"), g),
             ox.Quad(ev, ox.NamedNode(WC + "organiser"), a, g),
             ox.Quad(ev, ox.NamedNode(WC + "participant"), person, g)]
    posts = [ox.Quad(post, ox.NamedNode(ORG + "member"), person, g),
             ox.Quad(post, ox.NamedNode(ORG + "organization"), b, g)]
    report = _change(store, add=roles)
    assert _involved(store, ev) == {a, person}
    assert report["involvement"]["subjects"] not in (0, "all")
    assert isomorphic(_derived_graph(store), _full(store))
    _change(store, add=posts)  # the person's post: the event involves its organisation too
    assert _involved(store, ev) == {a, person, b}
    assert isomorphic(_derived_graph(store), _full(store))
    # a post of someone who attended an existing link, its organisation stated first, the member after
    before = _involved(store, link)
    _change(store, add=[ox.Quad(post2, ox.NamedNode(ORG + "organization"), new_org, g)])
    assert _involved(store, link) == before
    _change(store, add=[ox.Quad(post2, ox.NamedNode(ORG + "member"), attendee, g)])
    assert _involved(store, link) == before | {new_org}
    assert isomorphic(_derived_graph(store), _full(store))
    # a type changes no one's involvement (everyone counts, whatever their type) but stays consistent
    typed = ox.Quad(new_org, derived.RDF_TYPE, ox.NamedNode(WC + "Organisation"), g)
    report = _change(store, add=[typed])
    assert report["involvement"]["subjects"] == 0 and _involved(store, link) == before | {new_org}
    assert isomorphic(_derived_graph(store), _full(store))
    # and back: the post's organisation, then the role, go again
    _change(store, remove=[ox.Quad(post2, ox.NamedNode(ORG + "organization"), new_org, g), typed])
    assert _involved(store, link) == before
    _change(store, remove=[roles[2]])
    assert _involved(store, ev) == {a}
    assert isomorphic(_derived_graph(store), _full(store))


def _timeline_counts(store: ox.Store, subject: ox.NamedNode) -> dict[str, int]:
    return {q.predicate.value[len(WC):]: int(q.object.value)
            for q in store.quads_for_pattern(subject, None, None, derived.graph_name())
            if q.predicate.value.startswith(WC + "timeline")}


def test_changes_the_timeline_counts_depend_on_indirectly_give_the_full_derivation(store):
    """graph.derived.timeline counts per choice (a country, an organisation, a topic, a
    kind): an organisation's country changes the country's count without touching its items,
    a place's country likewise, a new kind class counts up its superclasses, and a removed
    date takes an item out of every count."""
    g = ox.NamedNode(WCID + "graph/test-timeline")
    country = ox.NamedNode(WCID + "place/test-timeland")
    town = ox.NamedNode(WCID + "place/test-town")
    org = ox.NamedNode(WCID + "organisation/test-timeline")
    ev = ox.NamedNode(WCID + "event/test-timeline")
    kind = ox.NamedNode(WC + "TestGathering")
    topic = ox.NamedNode(WCID + "topic/test-timeline")
    date = ox.Quad(ev, ox.NamedNode(WC + "date"), ox.Literal("1991-02-03", datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#date")), g)
    _change(store, add=[ox.Quad(country, derived.RDF_TYPE, ox.NamedNode(WC + "Country"), g),
                        ox.Quad(topic, derived.RDF_TYPE, ox.NamedNode("http://www.w3.org/2004/02/skos/core#Concept"), g),
                        ox.Quad(ev, derived.RDF_TYPE, ox.NamedNode(WC + "Meeting"), g), date,
                        ox.Quad(ev, ox.NamedNode(WC + "organiser"), org, g),
                        ox.Quad(ev, ox.NamedNode(WC + "topic"), topic, g)])
    assert _timeline_counts(store, org) == {"timelineOrganisationCount": 1}
    assert _timeline_counts(store, topic) == {"timelineTopicCount": 1}
    assert _timeline_counts(store, country) == {}
    assert isomorphic(_derived_graph(store), _full(store))
    _change(store, add=[ox.Quad(org, ox.NamedNode(WC + "country"), country, g)])  # the event is no changed subject
    assert _timeline_counts(store, country) == {"timelineCountryCount": 1}
    assert isomorphic(_derived_graph(store), _full(store))
    typed = ox.Quad(country, derived.RDF_TYPE, ox.NamedNode(WC + "Country"), g)
    _change(store, remove=[typed])  # no longer a country: none of its items counts for it
    assert _timeline_counts(store, country) == {}
    _change(store, add=[typed])
    assert _timeline_counts(store, country) == {"timelineCountryCount": 1}
    assert isomorphic(_derived_graph(store), _full(store))
    events = _timeline_counts(store, ox.NamedNode(WC + "Event"))["timelineKindCount"]
    _change(store, add=[ox.Quad(kind, derived.SUBCLASS, ox.NamedNode(WC + "Meeting"), g),
                        ox.Quad(ev, derived.RDF_TYPE, kind, g),
                        ox.Quad(ev, ox.NamedNode(WC + "location"), town, g),
                        ox.Quad(town, ox.NamedNode(WC + "country"), country, g)])
    assert _timeline_counts(store, kind) == {"timelineKindCount": 1}
    assert _timeline_counts(store, ox.NamedNode(WC + "Event"))["timelineKindCount"] == events + 1  # two stated kinds
    assert isomorphic(_derived_graph(store), _full(store))
    _change(store, remove=[date])
    assert _timeline_counts(store, org) == _timeline_counts(store, topic) == _timeline_counts(store, country) == {}
    assert isomorphic(_derived_graph(store), _full(store))

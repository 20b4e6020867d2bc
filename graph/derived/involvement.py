"""The derivation ``involvement``: ``?link wc:involves ?x`` for every event, agreement or
programme ?link and everyone taking part in it, in a role of :data:`.partners.PARTICIPATION_ROLES`
directly or through a person (any actor) holding a post there (``?actor (^org:member/
org:organization)? ?x``): the link → participant table that link-evidence starts from.

Whatever their type (:func:`.partners.participation` with ``organisations_only=False``):
link-evidence takes any two resources (a wc:State is not a wc:Organisation, a person may be
asked about), and this table answers for every pair exactly as its role patterns did. At
1 M triples that is 3 % more than the organisations alone; links with a single participant
(which no pair can share) are kept too, as they are 7 of 29 k.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import pyoxigraph as ox

from .partners import _Participation, participation
from .registry import WC, derivation
from .scans import link_triples

INVOLVES = ox.NamedNode(WC + "involves")


def _triples(links: Iterable[tuple]) -> Iterator[ox.Triple]:
    return link_triples(links, INVOLVES)


def _involvement_affected(store: ox.Store, base_iri: str, quads: Sequence[ox.Quad]) -> set | None:
    """The links whose participants may change with *quads*: a changed role, and every link
    of an actor whose posts changed (its org:member, or its membership's org:organization).
    Types play no part (everyone counts), nor does the class hierarchy."""
    return _Participation(store).links_changed_by(quads)


def _involvement_for(store: ox.Store, base_iri: str, subjects: set) -> Iterator[ox.Triple]:
    part = _Participation(store)
    return _triples((link, part.involved(link)) for link in subjects)


@derivation("involvement",
            "wc:involves: every resource taking part in an event, agreement or programme, in a role or "
            "through a person holding a post there (the links link-evidence starts from)",
            predicates=[WC + "involves"], affected=_involvement_affected, compute_for=_involvement_for)
def _involvement(store: ox.Store, base_iri: str) -> Iterator[ox.Triple]:
    return _triples(participation(store, organisations_only=False).items())

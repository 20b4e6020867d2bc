"""/ontology documents the terms of vocabulary 0.2 with examples from the re-curated seeds;
blank-node examples (a statement's evidence) are shown by the resource they belong to."""
from __future__ import annotations

import re


def _article(html: str, local: str) -> str:
    m = re.search(r'<article class="term" id="%s">(.*?)</article>' % re.escape(local), html, re.S)
    assert m, f"no term section for {local}"
    return m.group(1)


def test_new_terms_are_documented_with_examples(client):
    r = client.get("/ontology", headers={"Accept": "text/html"})
    assert r.status_code == 200
    html = r.text
    for local in ("StatementEvidence", "State", "Basin", "CountedClaim", "Participation", "MonetaryAmount",
                  "Signature", "quote", "beginIndex", "meetingOf", "ordinal", "participatingParty", "count",
                  "inferenceReason", "coChair"):
        _article(html, local)
    ev = _article(html, "StatementEvidence")
    # examples of the evidence nodes link to the statement's subject, not to a blank node id
    assert "(a node of it)" in ev
    assert re.search(r'href="/id/(event|agreement|programme|membership|participation|claim)/', ev)
    meeting_of = _article(html, "meetingOf")
    assert "Inter-ministerial Coordination Council" in meeting_of
    state = _article(html, "State")
    assert 'href="/id/organisation/state-kazakhstan"' in state

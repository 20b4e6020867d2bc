"""Mentions stage, pass 1 (discovery): capitalised runs cut into names and classed by their
head word, ``Name (ACR)`` acronyms, lists after "the following organizations:", bodies named
"the working group of X"."""
from __future__ import annotations

import re

from spacy.tokens import Doc

from .gazetteer import Gazetteer, is_acronym, norm
from .mention_vocab import (acronym_fits, compound_org, ADJ_SUFFIX, BASIN_HEADS, _cap, CONNECTORS, GENERIC_BODY, head_kind, LEADING_STRIP, LIST_CUES, Name, ORG_HEADS, POLICY_HEADS, POST_WORDS, PROGRAMME_HEADS, _strip_mods, _text)
from .segment import Sentence

GROUP_WORDS = {"representatives", "delegates", "delegation", "delegations", "members", "experts", "specialists",
               "staff", "participants", "heads", "officials", "employees", "students", "leaders", "leadership"}
#: a company by its legal form and quoted name: JSC "Kazakhstan Temir Zholy", LLP «Primus Capital»
QUOTED_COMPANY = re.compile(r"\b(JSC|LLP|LLC|RSE|SUE|NJSC|JSC NC|NC|PLC|CJSC|OJSC)\s+[\"“«]([A-Z][^\"“”«»]{2,80}?)[\"”»]")
QUOTED_NAME = re.compile(r"\b(project|programme|program|initiative|strategy|concept|law|code|plan|roadmap|convention)"
                         r"\s+[\"“«]([A-Z][^\"“”«»]{3,120}?)[\"”»]", re.I)


class NameDiscovery:
    """Discovery of the names an article uses (mixed into :class:`MentionFinder`)."""

    gaz: Gazetteer

    # -- pass 1: discovery -------------------------------------------------------------
    def discover(self, doc: Doc, sentences: list[Sentence], text: str) -> dict[str, Name]:
        names: dict[str, Name] = {}

        def add(label: str, kind: str, start: int, end: int, sent: int, acronym=None, how="name", conf=0.8):
            label = re.sub(r"\s+", " ", label).strip(" ,;:-–")
            if not label or len(label) < 2:
                return
            key = norm(label)
            if not key:
                return
            n = names.get(key)
            if n is None:
                names[key] = Name(label, kind, start, end, sent, acronym, how, conf)
            else:
                if acronym and not n.acronym:
                    n.acronym = acronym
                if n.kind in (None, "unknown") and kind:
                    n.kind = kind

        for s in sentences:
            if s.title_case:
                continue
            toks = doc[s.tok_start:s.tok_end]
            self._chunks(toks, s, add)
            self._lists(s, text, add)
            for qm in QUOTED_COMPANY.finditer(s.text):
                a = s.start + qm.start()
                add(text[a:s.start + qm.end()], "organisation", a, s.start + qm.end(), s.index, how="quoted", conf=0.75)
            for qm in QUOTED_NAME.finditer(s.text):
                # 'the pilot project "Smart Water Management in Central Asia"': a quoted name after its kind
                kind = "programme" if qm.group(1).lower() in PROGRAMME_HEADS else "policy"
                a = s.start + qm.start(2)
                add(qm.group(2), kind, a, a + len(qm.group(2)), s.index, how="quoted", conf=0.75)
            for m in GENERIC_BODY.finditer(s.text):
                # "the working group of the Kazakh National Policy Dialogue on water"
                rest = s.text[m.end():]
                tail = re.match(r"((?:[A-Z][\w’'-]*|of|for|on|the|and)(?:\s+(?:[A-Z][\w’'-]*|of|for|on|the|and|water|"
                                r"energy|environment|climate|health))*)", rest)
                if tail and tail.group(1).strip() and tail.group(1)[0].isupper():
                    body = re.sub(r"\s+(of|for|on|the|and)$", "", tail.group(1).strip())
                    start = s.start + m.start() + (len(m.group(1)) if m.group(1) else 0)
                    end = s.start + m.end() + len(body)
                    label = text[start:end]
                    label = label[0].upper() + label[1:]
                    add(label, "organisation", start, end, s.index, how="body", conf=0.7)
        self._expand_acronyms(doc, sentences, names, add)
        return names

    def _expand_acronyms(self, doc: Doc, sentences: list[Sentence], names: dict[str, Name], add) -> None:
        """An acronym the article uses without defining it ("the IFAS") whose expansion is part
        of a longer name it gives ("Executive Committee of the International Fund for Saving
        the Aral Sea") names that part."""
        defined = {n.acronym for n in names.values() if n.acronym} | {a for n in names.values() if n.acronym
                                                                        for a in re.split(r"[\s-]", n.acronym)}
        seen: set[str] = set()
        for s in sentences:
            for t in doc[s.tok_start:s.tok_end]:
                w = t.text
                if len(w) < 3 or not w.isupper() or not w.isalpha() or w in seen or self.gaz.lookup(w):
                    continue
                seen.add(w)
                if any(n.acronym == w for n in names.values()):
                    continue
                for n in list(names.values()):
                    if n.kind != "organisation":
                        continue
                    m = re.search(r"\b(?:of|for)\s+(?:the\s+)?([A-Z].*)$", n.label)
                    if m and acronym_fits(w, m.group(1)) and head_kind(m.group(1).split()) == "organisation":
                        start = n.start + n.label.find(m.group(1)) if n.label in _text(doc)[n.start:n.end] else n.start
                        add(m.group(1), "organisation", start, start + len(m.group(1)), n.sent, acronym=w, how="acronym", conf=0.7)
                        break
        del defined

    # long: a scanner over capitalised tokens: one loop around one cursor
    def _chunks(self, toks, s: Sentence, add) -> None:
        """Runs of capitalised tokens → names (see module docstring)."""
        n = len(toks)
        i = 0
        while i < n:
            if not _cap(toks[i]) or toks[i].text in ("(", ")"):
                i += 1
                continue
            j = i
            parts: list = []
            acr_at: list[tuple[int, str]] = []   # (len(parts) when the acronym was defined, acronym)
            while j < n:
                t = toks[j]
                low = t.text.lower()
                if _cap(t) or t.like_num and parts and (j + 1 < n and _cap(toks[j + 1])) :
                    parts.append(t)
                    j += 1
                    continue
                if t.text in ("-", "/", "«", "»", "’s", "'s") and parts and not t.whitespace_ and not parts[-1].whitespace_ \
                        and j + 1 < n and (_cap(toks[j + 1]) or (t.text == "-" and toks[j + 1].is_alpha
                                                 and not toks[j + 1].lower_.endswith("ed")
                                                 and toks[j + 1].lower_ not in ADJ_SUFFIX)):
                    parts.append(t)
                    parts.append(toks[j + 1])
                    j += 2
                    continue
                if t.text in ("'s", "’s") and parts and not parts[-1].whitespace_ and j + 1 < n and _cap(toks[j + 1]) \
                        and toks[j + 1].lower_ in ORG_HEADS | PROGRAMME_HEADS:
                    # "United Nations Children's Fund": a possessive inside a name
                    parts.append(t)
                    parts.append(toks[j + 1])
                    j += 2
                    continue
                if t.text in ("«", "»", "“", "”") and parts and (t.text in "»”" or (j + 1 < n and _cap(toks[j + 1]))):
                    parts.append(t)
                    j += 1
                    continue
                if low in CONNECTORS and parts and j + 1 < n and (_cap(toks[j + 1]) or (toks[j + 1].lower_ == "the" and j + 2 < n and _cap(toks[j + 2]))):
                    parts.append(t)
                    j += 1
                    continue
                if low == "after" and parts and parts[-1].lower_ == "named":
                    parts.append(t)
                    j += 1
                    continue
                if t.text == "(" and parts:
                    k = j + 1
                    inner = []
                    while k < n and toks[k].text != ")" and k - j <= 5:
                        inner.append(toks[k])
                        k += 1
                    if k < n and toks[k].text == ")" and inner:
                        acr = "".join(x.text_with_ws for x in inner).strip()
                        if is_acronym(acr) or (len(inner) == 1 and inner[0].text[:1].isupper() and len(acr) <= 12):
                            acr_at.append((len(parts), acr))
                            if k + 1 < n and _cap(toks[k + 1]) and toks[k + 1].lower_ not in ("the",):
                                parts.append(("PAREN", j, k))  # skipped in the label
                                j = k + 1
                                continue
                            j = k + 1
                            break
                    break
                break
            if j == i:
                i += 1
                continue
            self._emit(parts, acr_at, s, add)
            i = max(j, i + 1)

    # long: the trimming rules of one candidate name, in order, over one token list
    def _emit(self, parts: list, acr_at: list[tuple[int, str]], s: Sentence, add) -> None:
        # drop leading filler ("The", ordinals, prepositions, sentence-initial verbs)
        toks = [p for p in parts]
        offset = 0
        while toks and not isinstance(toks[0], tuple) and (toks[0].lower_ in LEADING_STRIP and toks[0].lower_ not in ("national", "regional") or toks[0].text in ("-", "/")):
            toks.pop(0)
            offset += 1
        # "Representatives of the FAO", "Delegation of the Ministry": the people, not part of the name
        while len(toks) > 2 and not isinstance(toks[0], tuple) and toks[0].lower_ in GROUP_WORDS and \
                not isinstance(toks[1], tuple) and toks[1].lower_ in ("of", "from"):
            k = 3 if not isinstance(toks[2], tuple) and toks[2].lower_ == "the" else 2
            toks = toks[k:]
            offset += k
        # "National"/"Regional" lead only stripped before a non-name (kept in "National Policy Dialogue")
        while toks and not isinstance(toks[-1], tuple) and (toks[-1].lower_ in CONNECTORS or toks[-1].text in ("-", "/", "’s", "'s")):
            toks.pop()
        real = [t for t in toks if not isinstance(t, tuple)]
        if not real:
            return
        acrs = [(pos - offset, a) for pos, a in acr_at]
        # "UNECE/World Health Organization ...": two names
        for k, t in enumerate(toks):
            if not isinstance(t, tuple) and t.text == "/" and 0 < k < len(toks) - 1:
                self._emit(toks[:k], [], s, add)
                self._emit(toks[k + 1:], [(p - k - 1, a) for p, a in acr_at if p > k], s, add)
                return
        # "... (UNECE) Convention on the Protection ...": the part after the acronym is a name of its own
        for k, t in enumerate(toks):
            if isinstance(t, tuple):
                before, after = [x for x in toks[:k] if not isinstance(x, tuple)], [x for x in toks[k + 1:] if not isinstance(x, tuple)]
                ak = head_kind([x.text for x in after])
                if ak in ("policy", "programme", "organisation") and (len(after) >= 3 or self.gaz.lookup(" ".join(x.text for x in after))):
                    self._emit_span(before, [(len(before), a) for p, a in acrs if p == len(before)], s, add)
                    self._emit(after, [], s, add)
                    return
        real = [t for t in toks if not isinstance(t, tuple)]
        words = [t.text for t in real]
        # split at a post word: "World Bank Regional Director for Central Asia", "Acting Chairman of the X"
        low = [w.lower() for w in words]
        for k, w in enumerate(low):
            if w in POST_WORDS and k > 0 and head_kind(words[:_strip_mods(low, k)]) in ("organisation", "programme") and (k + 1 >= len(low) or low[k + 1] in ("for", "of", "to") or low[k + 1] in POST_WORDS or _cap(real[k + 1])):
                self._emit_span(real[:_strip_mods(low, k)], [a for a in acrs if a[0] <= k], s, add)
                return
            if w in POST_WORDS and k + 2 < len(low) and low[k + 1] in ("of", "for", "to", "at") and all(x in POST_WORDS or x in ("acting", "deputy", "vice", "executive", "general", "first", "special", "senior") or x in ("of",) for x in low[:k]):
                rest = real[k + 2:]
                self._emit(rest, [(p - k - 2, a) for p, a in acrs if p > k + 1], s, add)
                return
        # split after a programme head followed by another name: "EU Water Initiative National Water Policy Dialogue"
        for k, w in enumerate(low[:-1]):
            if w in PROGRAMME_HEADS and k > 0 and real[k + 1].is_title and low[k + 1] not in CONNECTORS and low[k + 1] not in ORG_HEADS | POLICY_HEADS | PROGRAMME_HEADS:
                self._emit(real[:k + 1], [a for a in acrs if a[0] <= k + 1], s, add)
                self._emit(real[k + 1:], [(p - k - 1, a) for p, a in acrs if p > k + 1], s, add)
                return
        # split at "and" between two names of their own: "the World Bank and the Executive Committee"
        for k, w in enumerate(low):
            if w in ("and", "&") and 0 < k < len(low) - 1:
                left, right = real[:k], real[k + 1:]
                rw = [t.text for t in right]
                if rw and rw[0].lower() == "the":
                    rw = rw[1:]
                lk, rk = head_kind([t.text for t in left]), head_kind(rw)
                known = lambda ws: bool(ws) and (bool(self.gaz.lookup(" ".join(ws))) or (len(ws) == 1 and is_acronym(ws[0])))  # noqa: E731
                left_words = [t.text for t in left]
                inside_complement = any(x.lower() in ("of", "for") for x in left_words)
                left_ok = lk not in (None, "post", "event") or known(left_words)
                right_ok = rk not in (None, "post", "event") or known(rw) or (low[k + 1] == "the" and rw and is_acronym(rw[0]))
                if inside_complement and rk is None and not known(rw):
                    right_ok = False
                if left_ok and right_ok:
                    self._emit(left, [a for a in acrs if a[0] <= k], s, add)
                    self._emit(right, [(p - k - 1, a) for p, a in acrs if p > k], s, add)
                    return
        self._emit_span(real, acrs, s, add)

    # long: the trimming and typing rules of one name span, in order, over one token list
    def _emit_span(self, real, acrs, s: Sentence, add) -> None:
        if not real:
            return
        while real and (real[0].lower_ in LEADING_STRIP and real[0].lower_ not in ("national", "regional")):
            real = real[1:]
        while real and (real[-1].lower_ in CONNECTORS or real[-1].text in ("-", "/")):
            real = real[:-1]
        if not real:
            return
        doc = real[0].doc
        start, end = real[0].idx, real[-1].idx + len(real[-1].text)
        words = [t.text for t in real]
        kind = head_kind(words)
        label_parts = []
        prev_end = None
        for t in real:
            if prev_end is not None and t.idx > prev_end:
                between = _text(doc)[prev_end:t.idx]
                label_parts.append(" " if not re.search(r"\(", between) else " ")
            label_parts.append(t.text)
            prev_end = t.idx + len(t.text)
        label = re.sub(r"\s+", " ", "".join(label_parts)).strip()
        # a generic lower-case head right after the name: "Central Asia Nexus Dialogue project"
        nxt = doc[real[-1].i + 1] if real[-1].i + 1 < len(doc) else None
        if nxt is not None and nxt.lower_ in ("project", "programme", "program", "initiative") and kind in (None, "programme"):
            kind = "programme"
            label = f"{label} {nxt.text}"
            end = nxt.idx + len(nxt.text)
        acronym = acrs[-1][1] if acrs and acrs[-1][0] >= len(real) - 1 else None
        if acrs:
            # "European Union (EU) Water Initiative": the acronym names the part before it
            for pos, a in acrs:
                if 0 < pos < len(real):
                    sub = real[:pos]
                    sk = head_kind([t.text for t in sub])
                    sub_label = " ".join(t.text for t in sub)
                    add(sub_label, sk or "unknown", sub[0].idx, sub[-1].idx + len(sub[-1].text), s.index, acronym=a)
                elif pos >= len(real):
                    acronym = a
        if kind == "event":
            # "The Second Meeting of the Basin Council of the Ili River": the body is a name
            low = [t.lower_ for t in real]
            if "of" in low:
                k = low.index("of")
                self._emit(real[k + 1:], [(p - k - 1, a) for p, a in acrs if p > k], s, add)
            return
        if kind == "post":
            return
        if kind is None:
            known = self.gaz.lookup(label)
            if acronym:
                add(label, "unknown", start, end, s.index, acronym=acronym)
            elif known:
                pass  # matched in pass 2
            return
        if len(real) == 1 and real[0].lower_ in ORG_HEADS | PROGRAMME_HEADS | POLICY_HEADS | BASIN_HEADS \
                and not compound_org(real[0].lower_):
            return  # a bare head ("Ministry") is an anaphor, not a name
        if kind == "basin" and len(real) == 1:
            return
        add(label, kind, start, end, s.index, acronym=acronym)

    def _lists(self, s: Sentence, text: str, add) -> None:
        m = LIST_CUES.search(s.text)
        if not m:
            return
        body = s.text[m.end():]
        base = s.start + m.end()
        if m.group(2).lower().startswith("countr"):
            return
        body_end = len(body.rstrip(". "))
        pos = 0
        items = re.split(r",\s*|;\s*", body[:body_end])
        if items:
            last = re.split(r"\s+and\s+(?=[A-Z])", items[-1])
            items = items[:-1] + [x for x in last if x]
        for item in items:
            idx = body.find(item, pos)
            pos = idx + len(item)
            raw = item.strip()
            acr = None
            mm = re.match(r"^(.*?)\s*\(([^()]{2,16})\)\s*$", raw)
            if mm:
                raw, acr = mm.group(1).strip(), mm.group(2).strip()
            raw = re.sub(r"^(the|and)\s+", "", raw, flags=re.I)
            if not raw or not raw[0].isupper() or len(raw) > 120:
                continue
            start = base + idx + item.index(raw.split()[0]) if raw.split() else base + idx
            end = start + len(raw)
            if text[start:end] != raw:
                f = text.find(raw, s.start, s.end)
                if f < 0:
                    continue
                start, end = f, f + len(raw)
            kind = "country" if self.gaz.lookup(raw, {"country"}) else "organisation"
            if kind == "organisation":
                add(raw, "organisation", start, end, s.index, acronym=acr, how="list", conf=0.75)

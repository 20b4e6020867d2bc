"""Stage 1, segment: tokens and sentences with character offsets.

spaCy's blank English pipeline (no model weights) with its rule-based ``sentencizer``;
a line break always ends a sentence (titles, date lines and list items stand alone),
and typographic quotes glued to a word (``Jha“This``) are split off. When the setting
``WCKG_SPACY_MODEL`` names an installed spaCy package, that pipeline is used instead and
its named entities are offered to the mention stage as extra candidates.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.tokens import Doc
from spacy.util import compile_infix_regex

from ..errors import ConfigError


@dataclass(frozen=True)
class Sentence:
    """One sentence: ``text == article.text[start:end]``."""

    index: int
    start: int
    end: int
    text: str
    tok_start: int   #: first token index in the Doc
    tok_end: int     #: one past the last token index
    standalone: bool  #: a line of its own without final punctuation (title, date line, list item)
    title_case: bool  #: most of its words are capitalised (a headline)


_TITLE_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]{3,}")


def _is_title_case(text: str) -> bool:
    words = _TITLE_WORD.findall(text)
    if len(words) < 4:
        return False
    caps = sum(1 for w in words if w[0].isupper())
    return caps / len(words) >= 0.75


@lru_cache(maxsize=4)
def load_pipeline(model: str | None = None):
    """The spaCy pipeline: blank English + sentencizer, or the installed package *model*."""
    if model:
        try:
            nlp = spacy.load(model)
        except OSError:
            raise ConfigError(f"WCKG_SPACY_MODEL names {model!r}, which is not an installed spaCy pipeline (package or folder)",
                              hint="install it as a package, or unset WCKG_SPACY_MODEL to use the blank pipeline") from None
        if "sentencizer" not in nlp.pipe_names and "parser" not in nlp.pipe_names and "senter" not in nlp.pipe_names:
            nlp.add_pipe("sentencizer")
    else:
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
    infixes = list(nlp.Defaults.infixes) + [r"(?<=[\w.,])[“”«»\"](?=\w)", r"(?<=\w)[“”«»\"](?=[\w\s])"]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    return nlp


def segment(text: str, model: str | None = None) -> tuple[Doc, list[Sentence]]:
    """Tokens and sentences of *text* (offsets are Python string indices = code points)."""
    nlp = load_pipeline(model)
    doc = nlp(text)
    sentences: list[Sentence] = []

    def add(tok_start: int, tok_end: int) -> None:
        # trim whitespace tokens at both ends
        while tok_start < tok_end and doc[tok_start].is_space:
            tok_start += 1
        while tok_end > tok_start and doc[tok_end - 1].is_space:
            tok_end -= 1
        if tok_start >= tok_end:
            return
        start = doc[tok_start].idx
        end = doc[tok_end - 1].idx + len(doc[tok_end - 1].text)
        s_text = text[start:end]
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        standalone = (text[line_start:start].strip() == "" and text[end:line_end].strip() == ""
                      and not s_text.rstrip().endswith((".", "!", "?", ":", ";")))
        sentences.append(Sentence(len(sentences), start, end, s_text, tok_start, tok_end,
                                  standalone, _is_title_case(s_text) and standalone))

    for sent in doc.sents:
        begin = sent.start
        for t in sent:
            if t.is_space and "\n" in t.text:
                add(begin, t.i)
                begin = t.i + 1
            elif "\n" in t.whitespace_:
                add(begin, t.i + 1)
                begin = t.i + 1
        add(begin, sent.end)
    return doc, sentences

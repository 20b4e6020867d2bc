"""`wckg extract`: draft the facts an article states (TriG, docs/model.md §5)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..atomic import atomic_write
from ..errors import InputError
from .base import app, err
from .data_cmds import StoreOpt, settings_for


@app.command()
def extract(
    articles: Annotated[list[Path], typer.Argument(help="plain-text article(s) (UTF-8), optionally with a `# key: value` header")],
    output: Annotated[Path, typer.Option("-o", "--output", help="draft file (.trig), `-` for stdout, or a folder when several articles are given")],
    store: StoreOpt = None,
    title: Annotated[Optional[str], typer.Option(help="the article's title (overrides the header)")] = None,
    published: Annotated[Optional[str], typer.Option(help="publication date YYYY-MM-DD (overrides the header)")] = None,
    publisher: Annotated[Optional[str], typer.Option(help="who published it")] = None,
    url: Annotated[Optional[str], typer.Option(help="the article's address")] = None,
    language: Annotated[Optional[str], typer.Option(help="language tag of the text (default en)")] = None,
    slug: Annotated[Optional[str], typer.Option(help="identifier of the source (default: from the file name)")] = None,
) -> None:
    """Draft the facts an article states, linked to the graph: pure, deterministic, writes no store."""
    from ..ingest import Extractor, read_article
    from ..ingest.gazetteer import load_gazetteer
    settings = settings_for(store)
    several = len(articles) > 1
    if several and (str(output) == "-" or output.suffix):
        raise InputError(f"{len(articles)} articles need an output folder, not {output}",
                         hint="give -o a folder: one {name}.trig is written per article")
    if several and (title or slug or url or published):
        raise InputError("--title, --slug, --url and --published apply to one article", hint="run extract once per article")
    if not several and str(output) != "-" and output.suffix.lower() not in (".trig", ""):
        raise InputError(f"the draft is TriG: name the output file *.trig, not {output.name}")
    # read every article first: bad input stops before anything is written
    read = [read_article(p, title=title, published=published, publisher=publisher, url=url,
                         language=language, slug=slug) for p in articles]
    gazetteer, where = load_gazetteer(settings, require_store=store is not None)
    err.print(f"Linking names against {where} ({len(gazetteer.entries)} named resources).", markup=False)
    extractor = Extractor(gazetteer, model=getattr(settings, "spacy_model", None), base=settings.base_iri)
    for path, article in zip(articles, read):
        draft = extractor.extract(article)
        data = draft.trig(settings.base_iri)
        if str(output) == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            target = "stdout"
        else:
            target_path = output / f"{path.stem}.trig" if several or output.suffix == "" else output
            atomic_write(target_path, data)
            target = str(target_path)
        s = draft.summary()
        facts = ", ".join(f"{v} {k}" for k, v in s.items() if v)
        err.print(f"{path.name} → {target}: {facts}", markup=False)

"""Article input: header block, options, and every kind of bad input."""
from __future__ import annotations

from datetime import date

import pytest

from graph.errors import InputError
from graph.ingest.article import read_article, slugify

HEADER = """# source: https://example.org/news/2014/kz-mou
# published: 2014-09-08 (stated)
# title: Two agencies sign a memorandum
# captured-text: complete

Body line one.
Second line.
"""


def test_header_is_read_and_remarks_ignored(tmp_path):
    p = tmp_path / "07_example_kz-mou.txt"
    p.write_text(HEADER, encoding="utf-8")
    a = read_article(p)
    assert a.published == date(2014, 9, 8)
    assert a.title == "Two agencies sign a memorandum"
    assert a.url == "https://example.org/news/2014/kz-mou"
    assert a.text == "Body line one.\nSecond line.\n"
    assert a.slug == "07-example-kz-mou"
    assert a.header["captured-text"] == "complete"


def test_options_override_the_header(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text(HEADER, encoding="utf-8")
    a = read_article(p, title="Other", published="2015-01-02", slug="My Slug", publisher="UNECE")
    assert (a.title, a.published, a.slug, a.publisher) == ("Other", date(2015, 1, 2), "my-slug", "UNECE")


def test_a_published_value_that_is_no_date_means_unknown(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("# published: not stated in captured text; December 2013 (inferred)\n\nText.\n", encoding="utf-8")
    assert read_article(p).published is None


def test_no_header_keeps_the_whole_text(tmp_path):
    p = tmp_path / "plain.txt"
    p.write_text("# not a header line because no colon\nText.\n", encoding="utf-8")
    assert read_article(p).text.startswith("# not a header")


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary"),
    ("Привет".encode("cp1251"), "not UTF-8"),
    (b"<!DOCTYPE html><html><body><p>News</p></body></html>", "HTML"),
    (b"# published: 2014-02-30\n\nText.\n", "impossible publication date"),
    (b"# title: Only a header\n\n", "no text"),
])
def test_bad_input_is_an_input_error(tmp_path, content, message):
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    with pytest.raises(InputError) as e:
        read_article(p)
    assert message in str(e.value)
    assert e.value.exit_code == 2


def test_non_utf8_error_names_line_and_column(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_bytes(b"line one\nab\xe9c\n")
    with pytest.raises(InputError) as e:
        read_article(p)
    assert "bad.txt:2:3" in str(e.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_article(tmp_path / "nope.txt")


def test_slugify():
    assert slugify("Ministry of Énergie & Water (2020)") == "ministry-of-energie-water-2020"
    assert len(slugify("word " * 40)) <= 60


@pytest.mark.parametrize("body, expected", [
    ("Title line\n\nSeptember 8, 2014\n\nTashkent – Text.\n", date(2014, 9, 8)),
    ("Title\n\nPublication date: 21 November 2017\n\nText.\n", date(2017, 11, 21)),
    (" date 2025-04-10 Participants reviewed the work.\n", date(2025, 4, 10)),
    ("On Friday, 6 December, the group met. It adopted a plan for 2014.\n", None),
])
def test_a_date_line_of_the_body_is_the_publication_date(tmp_path, body, expected):
    p = tmp_path / "a.txt"
    p.write_text(body, encoding="utf-8")
    a = read_article(p)
    assert a.published == expected
    assert (a.published_note is not None) == (expected is not None)

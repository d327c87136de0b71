"""PDF articles (issue 16, item 1): briefed from the text layer through the library, the command
line and the bot; scans, passwords, damage, bombs and page floods get one clear message."""

from __future__ import annotations

import json
import time

import pytest

from bot.config import Settings
from bot.errors import InputError, NotAnArticle
from bot.pipeline import Briefer
from bot.web.decode import is_pdf
from bot.web.pdf import PdfLimits, extract_pdf
from tests.botharness import bot_settings, running_bot
from tests.conftest import EXAMPLES
from tests.fakebotapi import FakeBotAPI
from tests.pdfs import article_pdf, bomb_pdf, encrypted_pdf, make_pdf, scanned_pdf, text_stream
from tests.test_cli import briefbot

ARTICLE = (EXAMPLES / "desalination.en.txt").read_text()
INFO = {"Title": "Nova Marina opens its desalination plant", "Author": "Jane Roe",
        "CreationDate": "D:20250314093000+03'00'"}


@pytest.fixture(scope="module")
def article() -> bytes:
    return article_pdf(ARTICLE, INFO, pages=2)


def test_text_and_metadata_come_from_the_text_layer(article):
    pdf = extract_pdf(article)
    assert (pdf.title, pdf.author, pdf.published, pdf.pages) == (
        "Nova Marina opens its desalination plant", "Jane Roe", "2025-03-14", 2)
    assert "120,000 cubic" in pdf.text and "$310 million" in pdf.text


def test_a_word_broken_at_a_line_end_is_joined_again():
    pdf = extract_pdf(make_pdf([b"BT /F1 10 Tf 12 TL 50 700 Td (The desali-) Tj T* (nation plant opened.) Tj ET"]))
    assert "desalination plant" in pdf.text


def test_a_title_that_is_only_the_source_file_name_is_left_out():
    pdf = extract_pdf(article_pdf(ARTICLE, {"Title": "Microsoft Word - draft3.docx"}))
    assert pdf.title is None


def test_a_malformed_date_costs_the_date_not_the_brief():
    pdf = extract_pdf(article_pdf(ARTICLE, {"CreationDate": "yesterday", "Author": "Jane Roe"}))
    assert (pdf.published, pdf.author) == (None, "Jane Roe")


def test_a_pdf_is_known_by_its_header_not_its_name(article):
    assert is_pdf(article) and is_pdf(article, "notes.txt")
    assert is_pdf(b"junk before the header\n" + article, "x.pdf") and not is_pdf(b"junk\n" + article, "x.txt")
    assert not is_pdf(ARTICLE.encode(), "x.pdf")


def test_the_brief_credits_the_pdfs_metadata(briefer, article, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(article)
    brief = briefer.brief_file(path)
    source = brief.to_dict()["source"]
    assert (source["title"], source["author"], source["published"], source["language"]) == (
        "Nova Marina opens its desalination plant", "Jane Roe", "2025-03-14", "en")
    assert any("$310 million" in figure["value"] for figure in brief.to_dict()["figures"])
    assert briefer.brief_document(article, "x.pdf").headline == brief.headline
    assert briefer.brief_document(article, None).headline == brief.headline  # standard input: no name


@pytest.mark.parametrize("make, kind, message", [
    (scanned_pdf, NotAnArticle, "This PDF has no text layer (a scan?)"),
    (lambda: encrypted_pdf(article_pdf(ARTICLE), "secret"), InputError, "protected by a password"),
    (lambda: article_pdf(ARTICLE)[:400], InputError, "This PDF is damaged"),
    (lambda: b"%PDF-1.7\n" + b"\x00\xff garbage " * 200, InputError, "This PDF is damaged"),
    (lambda: make_pdf([]), InputError, "This PDF has no pages."),
    (lambda: bomb_pdf(), InputError, "more data than briefbot reads"),
    (lambda: make_pdf([b"BT /F1 10 Tf " + b"(ab) Tj " * 300_000 + b"ET"], compress=True), InputError,
     "more data than briefbot reads"),  # an operator flood (bench/pdf_limits.py)
])
def test_pdfs_that_cannot_be_briefed_say_why(briefer, make, kind, message):
    started = time.perf_counter()
    with pytest.raises(kind) as error:
        briefer.brief_document(make(), "upload.pdf")
    assert message in error.value.user_message()
    assert error.value.hint  # and what to do
    assert time.perf_counter() - started < 5  # a hostile PDF does not hold a worker


def test_the_scan_message_says_what_to_do(briefer):
    with pytest.raises(NotAnArticle) as error:
        briefer.brief_document(scanned_pdf(), "scan.pdf")
    assert "OCR" in error.value.user_message()


def test_a_pdf_with_only_an_owner_password_opens(briefer):
    locked = encrypted_pdf(article_pdf(ARTICLE), user_password="")
    assert "Coastal city" in briefer.brief_document(locked, "x.pdf").headline


def test_page_text_and_time_caps():
    many_pages = make_pdf([text_stream(["One page of a long report."])] * 8)
    with pytest.raises(InputError, match="has 8 pages; briefbot briefs articles of up to 5 pages"):
        extract_pdf(many_pages, PdfLimits(max_pages=5))
    with pytest.raises(InputError, match="more text than one article"):
        extract_pdf(article_pdf(ARTICLE), PdfLimits(max_text_chars=500))
    with pytest.raises(InputError, match="took longer than"):
        extract_pdf(many_pages, PdfLimits(max_seconds=0))


def test_the_deadline_holds_inside_one_slow_page():
    slow_page = make_pdf([b"BT /F1 10 Tf " + b"() Tj " * 99_000 + b"ET"], compress=True)
    stopped_after = 600.0
    for _ in range(2):  # the better of two: a busy machine slows some runs, never speeds one up
        started = time.perf_counter()
        with pytest.raises(InputError, match="took longer than 0.2 s"):
            extract_pdf(slow_page, PdfLimits(max_seconds=0.2))
        stopped_after = min(stopped_after, time.perf_counter() - started)
    started = time.perf_counter()
    with pytest.raises(NotAnArticle):  # the whole page, to the end: it holds no text
        extract_pdf(slow_page, PdfLimits(max_seconds=600))
    whole_page = time.perf_counter() - started
    # pypdf parses the page's content stream (about half the time) before the first operator is
    # visited; the deadline then cuts the visiting short. A ratio, so a busy machine cannot fail it.
    assert stopped_after < 0.9 * whole_page


def test_the_size_cap_holds_for_pdfs(article, tmp_path):
    small = Briefer(Settings(max_input_bytes=len(article) - 1))
    with pytest.raises(InputError, match="larger than"):
        small.brief_document(article, "x.pdf")


def test_a_file_named_pdf_that_is_not_one_is_named_for_it(briefer):
    with pytest.raises(InputError, match="named .pdf but is not a PDF"):
        briefer.brief_document(ARTICLE.encode(), "x.pdf")


def test_the_command_line_briefs_a_pdf_file_and_standard_input(article, tmp_path):
    path, scan = tmp_path / "report.pdf", tmp_path / "scan.pdf"
    path.write_bytes(article)
    scan.write_bytes(scanned_pdf())
    result = briefbot("brief", str(path), "-", str(scan), "--format", "json", stdin=article)
    assert result.returncode == 1  # the scan failed; the others are still briefed
    sources = [json.loads(line)["source"] for line in result.stdout.decode().splitlines()]
    assert [(s["author"], s["published"]) for s in sources] == [("Jane Roe", "2025-03-14")] * 2
    assert result.stderr.decode().splitlines() == [
        f"briefbot: {scan}: not an article: This PDF has no text layer (a scan?), so there is no text to brief. "
        "Run it through OCR first (for example `ocrmypdf scan.pdf text.pdf`), or send the article's text or link."]


def _upload(api: FakeBotAPI, chat_id: int, file_id: str, name: str, mime_type: str = "application/pdf") -> None:
    api.push({"message": {"message_id": 60, "date": 0, "chat": {"id": chat_id, "type": "private"},
                          "from": {"id": chat_id, "is_bot": False, "first_name": "R"},
                          "document": {"file_id": file_id, "file_unique_id": file_id, "file_name": name,
                                       "mime_type": mime_type, "file_size": len(api.files[file_id])}}})


def _replies(api: FakeBotAPI, chat_id: int) -> list[str]:
    return [c.params["text"] for c in api.sent(chat_id=chat_id) if c.method in ("sendMessage", "editMessageText")]


async def test_the_bot_briefs_an_uploaded_pdf_and_explains_a_scan(api, tmp_path, article):
    api.files["pdf1"] = article
    api.files["scan1"] = scanned_pdf()
    api.files["noname1"] = article
    async with running_bot(bot_settings(api, tmp_path)):
        _upload(api, 40, "pdf1", "report.pdf")
        await api.wait_for(lambda a: [t for t in _replies(a, 40) if "Key figures" in t])
        _upload(api, 41, "scan1", "scan.pdf")
        await api.wait_for(lambda a: [t for t in _replies(a, 41) if "no text layer" in t])
        _upload(api, 42, "noname1", "download")  # no .pdf in the name: its type and header say PDF
        await api.wait_for(lambda a: [t for t in _replies(a, 42) if "Key figures" in t])
    brief = next(t for t in _replies(api, 40) if "Key figures" in t)
    assert "$310 million" in brief and "Nova Marina" in brief
    assert not [t for t in _replies(api, 41) if "Key figures" in t or "went wrong" in t]

import pytest

from bot.config import Settings
from bot.core.facts.figures import extract_figures
from bot.core.text.normalize import ascii_digits
from bot.errors import InputError, NotAnArticle, UnsupportedSource
from bot.pipeline import Briefer
from tests.conftest import SHARED_DATA

CONTRACT_KEYS = {"source", "language", "headline", "points", "figures", "sources", "warnings", "engine"}


def figure_values(brief):
    return {f.normalized for f in brief.figures}


def test_english_example_keeps_figures_and_names_sources(briefer, examples):
    brief = briefer.brief_file(examples / "desalination.en.txt")
    assert brief.language == "en" and brief.warnings == []
    assert brief.headline == "Coastal city opens desalination plant after two dry summers"
    assert {"40000", "120000", "500000", "310000000", "35"} <= figure_values(brief)
    assert [c.name for c in brief.sources][:2] == ["Regional Water Authority", "Mayor Lina Haddad"]
    assert 1 <= len(brief.points) <= 4


def test_every_figure_in_a_brief_is_in_its_source(briefer, examples):
    text = (examples / "desalination.en.txt").read_text()
    source = {f.normalized for f in extract_figures(text, "en")}
    brief = briefer.brief_file(examples / "desalination.en.txt")
    shown = " ".join([brief.headline, *brief.points])
    assert {f.normalized for f in extract_figures(shown, "en") if f.kind != "code"} <= source
    assert figure_values(brief) <= source


def test_arabic_without_a_translator_stays_arabic_and_says_so(briefer, examples):
    brief = briefer.brief_file(examples / "desalination.ar.txt", to="en")
    assert brief.language == "ar"
    # the note is in the brief's language, the one its reader reads, from the catalogs (issue 11)
    assert any("لا يتوفر نموذج لترجمة العربية إلى الإنجليزية" in w for w in brief.warnings)
    assert not any("translation model" in w for w in brief.warnings)
    assert {"40000", "120000", "500000", "310000000", "35"} <= figure_values(brief)
    # Which 8 figures a brief lists follows the selector's ranking; the Arabic range
    # "ما بين ١٢ و١٥ في المئة" must be read as one figure whenever it is listed.
    every = Briefer(Settings().with_values({"max_figures": 20})).brief_file(examples / "desalination.ar.txt")
    assert "12-15" in figure_values(every)


def test_arabic_digits_western_or_indic_give_the_same_figures(briefer, examples):
    indic = (examples / "desalination.ar.txt").read_text()
    western = ascii_digits(indic)
    assert western != indic
    a, b = briefer.brief_text(indic), briefer.brief_text(western)
    assert [f.normalized for f in a.figures] == [f.normalized for f in b.figures]
    assert len(a.figures) >= 6


def test_html_page_gives_no_figure_from_menus_sidebars_or_footers(briefer, examples):
    brief = briefer.brief_file(examples / "desalination.html")
    furniture = {"7.7", "41", "777", "23", "9", "4321000", "99"}
    assert not figure_values(brief) & furniture
    shown = " ".join(brief.points)
    assert not {f.normalized for f in extract_figures(shown, "en")} & furniture
    assert brief.source.title == "Coastal city opens desalination plant after two dry summers"
    assert brief.source.site == "Gulf Harbour Times"
    assert brief.source.published == "2025-03-14"
    assert brief.source.url == "https://gulfharbourtimes.example/2025/03/14/nova-marina-desalination"
    assert brief.sources[0].name == "Gulf Harbour Times" and brief.sources[0].role == "outlet"


def test_json_contract_has_every_key(briefer, examples):
    data = briefer.brief_file(examples / "desalination.html").to_dict()
    assert CONTRACT_KEYS <= data.keys()
    assert {"url", "site", "title", "author", "published", "language"} <= data["source"].keys()
    assert all({"value", "context"} <= f.keys() for f in data["figures"])
    assert all("name" in s for s in data["sources"])


@pytest.mark.skipif(not (SHARED_DATA / "seed").exists(), reason="shared evaluation data not present")
def test_seed_article_figures_and_sources(briefer):
    brief = briefer.brief_file(SHARED_DATA / "seed" / "barran-iranian-general-killed.txt")
    assert {"140", "71", "18", "52", "12"} <= figure_values(brief)
    names = " · ".join(c.name for c in brief.sources)
    for expected in ("Syrian Observatory for Human Rights", "Iranian Student News Agency", "Syrian Ministry of Defense"):
        assert expected in names


@pytest.mark.parametrize("text", ["", "   \n ", "Too short to brief."])
def test_empty_or_short_text_is_refused_with_a_reason(briefer, text):
    with pytest.raises(InputError) as error:
        briefer.brief_text(text)
    assert error.value.user_message()


def test_unknown_target_language_is_refused(briefer, examples):
    with pytest.raises(InputError, match="not a language code"):
        briefer.brief_file(examples / "desalination.en.txt", to="xx")


def test_unsupported_file_type(briefer, tmp_path):
    path = tmp_path / "report.docx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(UnsupportedSource, match=".docx"):
        briefer.brief_file(path)


def test_page_without_an_article(briefer):
    page = "<html><body><nav>Home News Sport</nav><div id=app></div>" + "<script></script>" * 6 + "</body></html>"
    with pytest.raises(NotAnArticle, match="JavaScript"):
        briefer.brief_html(page)


def test_windows_1256_text_file_is_decoded(briefer, examples, tmp_path):
    path = tmp_path / "legacy.txt"
    path.write_bytes((examples / "desalination.ar.txt").read_text().encode("cp1256", errors="ignore"))
    assert briefer.brief_file(path).language == "ar"


def test_brief_of_a_link(server):
    import asyncio

    from bot.config import Settings
    from bot.pipeline import Briefer

    settings = Settings(fetch_allowlist="127.0.0.1", fetch_ports=f"80,443,{server.port}")

    async def go():
        briefer = Briefer(settings)
        try:
            return await briefer.abrief_url(server.url("/cp1256"), to="ar")
        finally:
            await briefer.aclose()

    brief = asyncio.run(go())
    assert brief.language == "ar" and brief.source.url == server.url("/cp1256")
    assert {"40000", "120000", "310000000"} <= figure_values(brief)


@pytest.mark.parametrize("page, cause", [
    ("<html><body><article><p>Gold prices rose sharply.</p><p>Subscribe to continue reading this story.</p>"
     "</article></body></html>", "paywall"),
    ("<html><body><div class=consent><p>We use cookies. Accept all to continue.</p></div></body></html>", "consent"),
])
def test_short_pages_say_why(briefer, page, cause):
    with pytest.raises(NotAnArticle, match=cause):
        briefer.brief_html(page)


def test_texts_and_files_beyond_an_article_are_refused_quickly(examples, tmp_path):
    from bot.config import Settings
    from bot.pipeline import Briefer

    briefer = Briefer(Settings(max_words=300, max_input_bytes=4000))
    long_text = (examples / "desalination.en.txt").read_text() * 2
    with pytest.raises(InputError, match="too long to brief"):
        briefer.brief_text(long_text)
    big = tmp_path / "big.html"
    big.write_bytes(b"<p>word</p>" * 1000)
    with pytest.raises(InputError, match="larger than"):
        briefer.brief_file(big)


class PairTranslator:
    """A translation model bound to one pair that marks what it translated; `lose` outputs
    are dropped from every answer, as a broken backend might."""

    name = "pair-translator"
    signature = "pair-translator"

    def __init__(self, source: str, target: str, lose: int = 0) -> None:
        self.source, self.target, self.lose = source, target, lose

    def translator_for(self, source: str, target: str) -> "PairTranslator":
        return PairTranslator(source, target, self.lose)

    def install_hint(self, source: str, target: str) -> None:
        return None

    def translate(self, texts: list[str], beam_size: int | None = None) -> list[str]:
        return [f"[{self.target}] {text}" for text in texts][:len(texts) - self.lose]


def test_a_translator_that_returns_too_few_outputs_is_an_error_not_lost_points(examples):
    from bot.pipeline import Briefer

    briefer = Briefer(translators=PairTranslator("", "", lose=1))
    brief = briefer.brief_file(examples / "desalination.ar.txt", to="en")
    complete = Briefer(translators=PairTranslator("", "")).brief_file(examples / "desalination.ar.txt", to="en")
    # the brief stays whole and in Arabic, and says why
    assert brief.language == "ar" and len(brief.points) == len(complete.points)
    assert not any(p.startswith("[en]") for p in brief.points)
    assert any("returned" in w and "translations for" in w and "in Arabic" in w for w in brief.warnings)
    assert complete.language == "en" and all(p.startswith("[en] ") for p in complete.points)


def test_a_translator_bound_to_another_pair_is_refused(examples):
    from bot.engines.apply import translate_brief
    from bot.engines.base import TranslationFailed
    from bot.pipeline import Briefer

    brief = Briefer().brief_file(examples / "desalination.ar.txt", to="ar")
    with pytest.raises(TranslationFailed, match="from French, not Arabic"):
        translate_brief(brief, PairTranslator("fr", "en"))
    assert brief.language == "ar" and brief.original is None


def test_the_briefer_closes_only_the_fetcher_it_made(server):
    import asyncio

    from bot.config import Settings
    from bot.pipeline import Briefer, fetch_policy
    from bot.web.fetch import SafeFetcher

    settings = Settings(fetch_allowlist="127.0.0.1", fetch_ports=f"80,443,{server.port}")

    class CountedFetcher(SafeFetcher):
        closes = 0

        async def close(self) -> None:
            self.closes += 1
            await super().close()

    async def go() -> tuple[int, bool]:
        shared = CountedFetcher(fetch_policy(settings))
        given, own = Briefer(settings, fetcher=shared), Briefer(settings)
        for briefer in (given, own):
            await briefer.abrief_url(server.url("/cp1256"), to="ar")
            await briefer.aclose()
        closed_by_briefer = shared.closes
        await shared.close()
        return closed_by_briefer, own.fetcher._session is None

    closed_by_briefer, own_closed = asyncio.run(go())
    assert closed_by_briefer == 0 and own_closed



def test_what_the_caller_knows_of_a_page_fills_only_what_the_page_does_not_say(briefer, examples):
    from bot.core.brief import SourceInfo

    paragraphs = (examples / "desalination.en.txt").read_text().split("\n\n")[1:]
    page = ("<html><head><title>Nova Marina opens its plant</title></head><body><article>"
            + "".join(f"<p>{p}</p>" for p in paragraphs) + "</article></body></html>")
    given = SourceInfo(title="A title the page contradicts", author="Desk reporter", site="Harbour Times")
    source = briefer.brief_html(page, source=given).source
    assert (source.title, source.author, source.site) == ("Nova Marina opens its plant", "Desk reporter",
                                                          "Harbour Times")


def test_the_keyword_options_and_the_options_dataclass_name_the_same_fields():
    from dataclasses import fields

    from bot.pipeline import BriefKeywords, BriefRequestOptions

    assert set(BriefKeywords.__annotations__) == {f.name for f in fields(BriefRequestOptions)}

"""Issue 11: a brief never shows a number that its source does not contain, and nothing cuts a
number in two. Each case seen on held-out CNN/DM and EASC articles is rebuilt here on text
written for the test; a property test then briefs random article-like texts."""

import re
import string

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.brief import SourceInfo
from bot.core.compose import compose_brief, headline_from
from bot.core.guard import written_numbers
from bot.core.text.document import Document, parse_plain_text
from bot.core.text.sentences import split_sentences


def numbers_not_in(shown: str, source: str) -> set[str]:
    """bench/facts.py's rule: numbers shown, by their digits, that are no number of the source."""
    return written_numbers(shown) - written_numbers(source)


def brief_of(text: str, language: str = "en"):
    return compose_brief(parse_plain_text(text, language), SourceInfo(language=language))


def shown_text(brief) -> list[str]:
    return [brief.headline, *brief.points, *(f.value for f in brief.figures), *(f.context for f in brief.figures)]


def test_a_headline_is_not_cut_at_the_comma_of_a_money_amount():
    lead = ("Veteran chef Ana Ruiz is selling her vast collection of copper pans in a £250,000 sale "
            "after deciding to close her restaurant by the old harbour.")
    headline = headline_from(lead)
    assert "£250,000" in headline
    assert not numbers_not_in(headline, lead)


def test_a_headline_main_clause_keeps_a_thousands_number_whole():
    lead = ("More than 40,000 volunteers have joined the clean-up along the coast, turning the beaches "
            "into an open-air workshop, organisers said.")
    assert headline_from(lead) == "More than 40,000 volunteers have joined the clean-up along the coast"


def test_an_arabic_headline_does_not_end_on_the_first_group_of_a_number():
    lead = ("مدينة الواحة هي أكبر مدن الإقليم الجنوبي إذ يبلغ عدد سكانها بدون القرى المحيطة بها "
            "حوالي 3,400,000 نسمة, وتبلغ مساحتها مع الضواحي 900 كيلومتر مربع.")
    headline = headline_from(lead)
    assert not re.search(r"\d$", headline.rstrip(" …")), headline
    assert not numbers_not_in(headline, lead)


def test_a_headline_cut_to_length_never_ends_on_a_number_without_its_noun():
    lead = ("The regional water board told farmers in the valley on Monday that repairs would cost "
            "about 2 000 000 euros over five years.")
    headline = headline_from(lead)
    assert headline.endswith(" …") and not re.search(r"\d …$", headline), headline
    assert "2 000" not in headline or "2 000 000" in headline


def test_clause_splitting_of_a_run_on_sentence_never_cuts_a_number():
    clauses = ", ".join(f"the team counted 12,500 birds on island {name}" for name in
                        ("Alda", "Brea", "Cova", "Dune", "Esk", "Fara", "Gale", "Hoy", "Iona", "Jura"))
    text = f"In the spring survey {clauses} and 3.5 per cent more than last year"
    pieces = split_sentences(text, "en")
    assert len(pieces) > 1
    for piece in pieces:
        assert not numbers_not_in(piece, text), piece
        assert not re.match(r"\d", piece), piece


def test_a_run_on_sentence_keeps_space_separated_thousands_together():
    words = " ".join(["word"] * 84)
    text = f"{words} and the town paid 2 500 000 francs for the bridge"
    joined = "|".join(split_sentences(text, "fr"))
    assert "2 500 000 francs" in joined


def test_the_final_check_repairs_a_headline_and_drops_a_point_a_splitter_cut():
    """A future splitting bug is simulated by a Document whose sentences cut '20,000' in two:
    the brief is checked against the text as given, so it shows neither fragment."""
    original = ("More than 20,000 volunteers joined the clean-up along the coast on Sunday. "
                "The organisers said 300 tonnes of plastic were collected. "
                "The council will fund a second day in June. "
                "Schools in the region took part for the first time.")
    document = Document(title=None, original=original, sentences=[
        "More than 20,", "000 volunteers joined the clean-up along the coast on Sunday.",
        "The organisers said 300 tonnes of plastic were collected.",
        "The council will fund a second day in June.", "Schools in the region took part for the first time."])
    brief = compose_brief(document, SourceInfo(language="en"))
    for text in shown_text(brief):
        assert not numbers_not_in(text, original), text
    assert not any(point.startswith("000") for point in brief.points)
    assert brief.headline and brief.points


def test_written_numbers_read_any_script_and_separators():
    assert written_numbers("٢٠٬٠٠٠ and ２０,０００ and 20,000 and 3.5") == {"20000", "35"}
    assert written_numbers("more than 20,000 fighters") == {"20000"}
    assert written_numbers("حوالي 2,100,000 نسمة") == {"2100000"}
    assert not numbers_not_in("at 10:30, 2-1", "at 10:30 it was 2-1")


def test_a_paragraph_ending_in_a_spaced_quote_mark_is_prose_not_furniture():
    """Daily Mail text closes a quote after a space: "… on April 9. '"."""
    text = ("Pension payments delayed for nurses\n\n"
            "Pension payments to 12,000 retired nurses were delayed by a computer fault last week.\n\n"
            "Treasury spokesman Tom Hale said: 'We know families are worried and we will pay everyone on April 9. '\n\n"
            "The fault has since been fixed, the department said.")
    document = parse_plain_text(text, "en")
    assert any(s.endswith("pay everyone on April 9. '") for s in document.sentences), document.sentences
    assert not any("Tom Hale" in line for line in document.furniture)
    brief = compose_brief(document, SourceInfo(language="en"))
    assert "Tom Hale" in [credit.name for credit in brief.sources]


words = st.sampled_from(["people", "were", "killed", "in", "the", "town", "of", "Alda", "said", "police",
                         "more", "than", "about", "and", "،", "قتل", "شخصا", "حوالي", "نسمة", "million",
                         "per cent", "km", "£", "$", "-", "–", "(", ")", ":", "'", "\"", "on", "March"])
numbers = (st.integers(0, 10**9).map(str) | st.from_regex(r"\d{1,3}(,\d{3}){1,3}", fullmatch=True)
           | st.from_regex(r"\d{1,3}\.\d{1,2}", fullmatch=True) | st.from_regex(r"\d{1,2}:\d{2}", fullmatch=True)
           | st.sampled_from(["١٢٬٥٠٠", "٣٫٥", "１２３", "2,100,000", "10-20"]))
tokens = words | numbers | st.text(string.ascii_letters + "ءابتثجحخ", min_size=1, max_size=6)
sentences = st.lists(tokens, min_size=1, max_size=40).map(" ".join).flatmap(
    lambda body: st.sampled_from([".", "!", "?", ",", ". '", "", "،"]).map(lambda end: body + end))
paragraphs = st.lists(sentences, min_size=1, max_size=4).map(" ".join)
articles = st.lists(paragraphs, min_size=1, max_size=6).map("\n\n".join)


@settings(max_examples=100, deadline=None)
@given(articles, st.sampled_from(["en", "ar", "fr", None]))
def test_every_number_a_brief_shows_is_a_number_of_its_source(text, language):
    document = parse_plain_text(text, language)
    if not document.sentences:
        return
    brief = compose_brief(document, SourceInfo(language=language))
    for shown in shown_text(brief):
        assert not numbers_not_in(shown, text), (shown, text)


def test_a_day_is_listed_once_with_or_without_its_year():
    text = ("Since September 11 the memorial has drawn 5 million visitors, the museum said.\n"
            "The attacks of September 11, 2001 changed the city and its skyline for good.\n"
            "About 3,000 people were killed in the attacks, officials said.")
    days = [f.normalized for f in brief_of(text).figures if f.kind == "date"]
    assert len([d for d in days if d.endswith("09-11")]) == 1, days


def test_the_default_brief_lists_up_to_twelve_key_figures():
    """bench/figure_ranking.py and bench/facts.py: recall of key figures passes 90% at 12, not at 8."""
    text = "Results of the count\n\n" + "\n".join(
        f"Town {name} counted {n},{n:03d} voters and {n + 7} polling stations on Sunday."
        for name, n in zip("ABCDEFGHIJKLMNOP", range(11, 27), strict=True))
    assert len(brief_of(text).figures) == 12

from bot.core.text.document import parse_plain_text
from bot.core.text.sentences import split_sentences


def test_english_abbreviations_and_decimals_do_not_split():
    text = 'Mr. Smith said the U.S. economy grew 2.5% in 2011. "We are done," he said. What now?'
    assert split_sentences(text, "en") == [
        "Mr. Smith said the U.S. economy grew 2.5% in 2011.",
        '"We are done," he said.',
        "What now?",
    ]


def test_arabic_splits_at_question_mark_not_comma_or_semicolon():
    text = "هل انتهت الحرب؟ لا، بل استمرت؛ وقال د. أحمد إن الخسائر بلغت ١٫٥ مليار دولار. وانتهى الاجتماع."
    assert split_sentences(text, "ar") == [
        "هل انتهت الحرب؟",
        "لا، بل استمرت؛ وقال د. أحمد إن الخسائر بلغت ١٫٥ مليار دولار.",
        "وانتهى الاجتماع.",
    ]


def test_closing_quotes_stay_with_their_sentence():
    text = "وقال الوزير: «الوضع صعب.» وأضاف أن ٣٫٥ مليون نزحوا."
    assert split_sentences(text, "ar") == ["وقال الوزير: «الوضع صعب.»", "وأضاف أن ٣٫٥ مليون نزحوا."]


def test_wrapped_lines_join_and_furniture_stays_out():
    text = (
        "Storm hits the coast\n\nMonday 3 Feb 2025 | 2 min read\nPhoto: waves (archive)\n\n"
        "The storm destroyed 300 homes on the northern coast and cut power\n"
        "to 12 villages, officials said. Repairs will take weeks.\n\nhttps://news.example/storm\n"
    )
    document = parse_plain_text(text, "en")
    assert document.title == "Storm hits the coast"
    assert document.url == "https://news.example/storm"
    assert document.sentences == [
        "The storm destroyed 300 homes on the northern coast and cut power to 12 villages, officials said.",
        "Repairs will take weeks.",
    ]
    assert "Monday 3 Feb 2025 | 2 min read" in document.furniture


def test_splitting_is_safe_across_threads():
    from concurrent.futures import ThreadPoolExecutor

    texts = [" ".join(f"Sentence {i} of text {n} is here." for i in range(40)) for n in range(8)]
    expected = [split_sentences(t, "en") for t in texts]
    with ThreadPoolExecutor(8) as pool:
        for _ in range(5):
            assert list(pool.map(lambda t: split_sentences(t, "en"), texts)) == expected

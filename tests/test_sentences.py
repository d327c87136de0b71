import pytest

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


# ---- issue 11: splitting real text -----------------------------------------------------

from bot.core.text.sentences import count_words  # noqa: E402


def test_arabic_full_stop_glued_to_the_next_word_ends_a_sentence():
    text = "ذهب الوفد في رحلة طويلة إلى نوح.و تعني الزيارة الكثير للطرفين.وقال أ.د.محمد إن عدد الزوار بلغ 2.5 ألف."
    assert split_sentences(text, "ar") == [
        "ذهب الوفد في رحلة طويلة إلى نوح.",
        "و تعني الزيارة الكثير للطرفين.",
        "وقال أ.د.محمد إن عدد الزوار بلغ 2.5 ألف.",
    ]


def test_text_without_any_full_stop_is_split_at_line_breaks():
    lines = [f"the council met on day {i} and voted on the plan for the new bridge over the river" for i in range(6)]
    document = parse_plain_text("\n".join(lines), "en")
    assert document.sentences == lines


def test_one_long_run_without_punctuation_is_cut_at_clause_breaks():
    clause = "the council met again and voted on the plan for the new bridge over the river"
    text = ", ".join([clause] * 40)  # about 640 words, no full stop, no line break
    pieces = split_sentences(text, "en")
    assert len(pieces) > 10
    assert all(count_words(p) <= 80 for p in pieces)
    assert " ".join(pieces).replace(",", "").split() == text.replace(",", "").split()


def test_a_run_without_clause_breaks_is_cut_between_words():
    text = " ".join(f"word{i}" for i in range(300))
    pieces = split_sentences(text, "en")
    assert len(pieces) >= 4 and " ".join(pieces) == text


THAI = ("กรุงเทพมหานครประกาศแผนสร้างสวนสาธารณะแห่งใหม่ริมแม่น้ำเจ้าพระยา "
        "โครงการนี้ใช้งบประมาณราว 500 ล้านบาทและจะแล้วเสร็จภายในสามปี "
        "ผู้ว่าราชการกล่าวว่าสวนแห่งนี้จะเปิดให้ประชาชนใช้ฟรีทุกวัน")


def test_thai_is_split_at_the_spaces_between_thai_words_not_around_digits():
    assert split_sentences(THAI, "th") == [
        "กรุงเทพมหานครประกาศแผนสร้างสวนสาธารณะแห่งใหม่ริมแม่น้ำเจ้าพระยา",
        "โครงการนี้ใช้งบประมาณราว 500 ล้านบาทและจะแล้วเสร็จภายในสามปี",
        "ผู้ว่าราชการกล่าวว่าสวนแห่งนี้จะเปิดให้ประชาชนใช้ฟรีทุกวัน",
    ]


def test_words_of_unspaced_scripts_are_counted_from_characters():
    chinese = "北京市政府今天宣布将在未来三年投资建设新的城市公园。"  # 25 characters, no spaces
    assert count_words(chinese) == 17  # 25 / 1.5, rounded up
    assert count_words(THAI) > 30       # one "word" per space would say 3
    assert count_words("Mr. Smith paid 2.5% - 10 dollars.") == 6


def test_chinese_sentences_split_at_full_width_stops():
    text = "市政府今天宣布了新计划。该计划将持续三年！你支持吗？"
    assert split_sentences(text, "zh") == ["市政府今天宣布了新计划。", "该计划将持续三年！", "你支持吗？"]


def test_portuguese_abbreviations_go_through_sentencex():
    text = "A Dra. Ana Lopes disse que as vendas subiram 3,5% em 2023. A empresa não comentou."
    assert split_sentences(text, "pt") == [
        "A Dra. Ana Lopes disse que as vendas subiram 3,5% em 2023.", "A empresa não comentou."]


# ---- issue 11: furniture, titles and datelines ----------------------------------------

PASTED = """Share this withEmailFacebookMessengerTwitterPinterestWhatsAppLinkedinCopy this link

18 March 2014

By Jane Roe

The event on 27
March drew 500 people to the square, organisers said. The mayor opened it with a short speech.
Police kept order all day."""


def test_share_bars_dates_bylines_and_fragments_are_never_a_title_or_a_sentence():
    document = parse_plain_text(PASTED, "en")
    assert document.title is None
    assert document.furniture == [
        "Share this withEmailFacebookMessengerTwitterPinterestWhatsAppLinkedinCopy this link",
        "18 March 2014", "By Jane Roe"]
    assert document.sentences[0] == "The event on 27 March drew 500 people to the square, organisers said."


def test_a_title_line_after_furniture_is_the_title_and_the_outlet_line_stays_furniture():
    text = ("Friday 5 Nov 2024 | 1 month ago\n\nHarbour Gazette\n\nNew ferry link opens between two islands\n\n"
            "The ferry carries 300 passengers a day between the islands. It runs every two hours.\n")
    document = parse_plain_text(text, "en")
    assert document.title == "New ferry link opens between two islands"
    assert document.outlet_line == "Harbour Gazette" and "Harbour Gazette" in document.furniture


@pytest.mark.parametrize("text, language, place, first", [
    ("Syria – On Thursday the council voted for the plan. It passed.", "en", "Syria",
     "On Thursday the council voted for the plan."),
    ("NOVA MARINA – The port reopened after 3 weeks of repairs. Ships queued.", "en", "NOVA MARINA",
     "The port reopened after 3 weeks of repairs."),
    ("(CNN) -- The port reopened after 3 weeks of repairs. Ships queued.", "en", "CNN",
     "The port reopened after 3 weeks of repairs."),
    ("МОСКВА, 14 марта. Правительство объявило о новых мерах. Они вступят в силу в апреле.", "ru",
     "МОСКВА, 14 марта", "Правительство объявило о новых мерах."),
    ("नई दिल्ली। सरकार ने आज नई योजना की घोषणा की। इससे 10 लाख लोगों को लाभ होगा।", "hi", "नई दिल्ली",
     "सरकार ने आज नई योजना की घोषणा की।"),
    ("دمشق - أعلنت الوزارة عن خطة جديدة للنقل. وستبدأ الخطة في الصيف.", "ar", "دمشق",
     "أعلنت الوزارة عن خطة جديدة للنقل."),
])
def test_datelines_are_cut_from_the_first_sentence_and_kept_as_places(text, language, place, first):
    document = parse_plain_text(text, language)
    assert document.sentences[0] == first
    assert document.datelines == [place]


def test_a_sentence_opening_with_a_name_and_a_lowercase_aside_keeps_it():
    document = parse_plain_text("Manchester United – who lost on Saturday – face Leeds next. Fans wait.", "en")
    assert document.sentences[0].startswith("Manchester United – who lost")
    assert document.datelines == []


def test_a_title_ending_in_a_number_is_still_a_title():
    document = parse_plain_text("Maker unveils Phone 16\n\nThe phone costs 900 dollars. It ships in May.", "en")
    assert document.title == "Maker unveils Phone 16"


def test_japanese_is_split_at_its_full_stops_and_counted_from_characters():
    text = "東京都は今日、新しい公園の計画を発表した。計画は三年間続く。"
    assert split_sentences(text, "ja") == ["東京都は今日、新しい公園の計画を発表した。", "計画は三年間続く。"]
    assert count_words(text) == 18  # 27 characters of kanji and kana, 1.5 to a word

from bot.core.select import select_sentences

ARTICLE = [
    "The river flooded the old town on Monday, forcing 2,000 residents from their homes.",
    "The weather office said it was the town's worst flood in forty years.",
    "Rescue teams evacuated residents of the old town by boat as the flood rose.",
    "Rescue teams evacuated residents of the old town by boat as the flood water rose.",
    "Local football results were mixed this weekend.",
    "A bakery on the high street celebrated its anniversary.",
    "Officials said the flood damage to the old town would cost millions to repair.",
    "The flood left the old town's residents without power, officials said.",
]


def test_returns_the_requested_count_in_reading_order():
    chosen = select_sentences(ARTICLE, 3, "en").chosen
    assert len(chosen) == 3 and chosen == sorted(chosen)


def test_prefers_on_topic_sentences_over_asides():
    chosen = select_sentences(ARTICLE, 4, "en").chosen
    assert 4 not in chosen and 5 not in chosen


def test_does_not_pick_near_duplicates_together():
    chosen = select_sentences(ARTICLE, 4, "en").chosen
    assert not {2, 3} <= set(chosen)


def test_short_article_keeps_everything():
    assert select_sentences(ARTICLE[:2], 5, "en").chosen == [0, 1]


def test_works_for_a_language_without_stop_words():
    sentences = ["Tulvavesi nousi vanhaan kaupunkiin maanantaina.", "Jalkapallo oli hauskaa.",
                 "Pelastajat evakuoivat vanhan kaupungin asukkaat tulvan takia."]
    assert len(select_sentences(sentences, 2, "fi").chosen) == 2

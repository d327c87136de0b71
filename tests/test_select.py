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


# Issue 11: out of sample the selector returned exactly LEAD's sentences. Here the opening
# sentences set the scene and the facts come later: the points must carry them.
SCENE_FIRST = [
    "The harbour town woke to grey skies and a cold wind on Tuesday.",
    "Cafes on the front opened late and few people were about.",
    "An old fisherman said he had seen nothing like it in his life.",
    "Children stayed home from school and played indoors.",
    "Waves broke through the sea wall at 3 places and the storm flooded 240 homes and 35 shops.",
    "The council said storm repairs to the sea wall and the flooded homes would cost 4.5 million euros.",
    "A shelter took in 120 people whose homes the storm had flooded.",
    "Gulls circled over the quay in the afternoon.",
]


def test_points_carry_the_articles_figures_rather_than_its_scene_setting():
    from bot.core.facts.figures import extract_figures

    counts = [len(extract_figures(s, "en")) for s in SCENE_FIRST]
    chosen = select_sentences(SCENE_FIRST, 4, "en", figure_counts=counts).chosen
    assert chosen != [0, 1, 2, 3]
    assert sum(counts[i] for i in chosen) > sum(counts[:4])


def test_ineligible_sentences_are_never_chosen():
    chosen = select_sentences(ARTICLE, 4, "en", eligible=[i % 2 == 1 for i in range(len(ARTICLE))]).chosen
    assert chosen and all(i % 2 == 1 for i in chosen)

from bot.core.brief import SourceInfo
from bot.core.compose import credits
from bot.core.facts.attributions import find_attributions


def names(sentences, language):
    return [a.name for a in find_attributions(sentences, language)]


def test_english_reporting_patterns():
    sentences = [
        "According to the Iranian Student News Agency (ISNA), clashes erupted.",
        "The Syrian Observatory for Human Rights reported 71 deaths.",
        "The Observatory noted gains in the west.",
        '"We will rebuild," said Mayor Lina Haddad.',
        "He said nothing more.",
    ]
    assert names(sentences, "en") == [
        "Iranian Student News Agency (ISNA)",
        "Syrian Observatory for Human Rights",
        "Mayor Lina Haddad",
    ]


def test_arabic_reporting_patterns():
    sentences = [
        "وقال المرصد السوري لحقوق الإنسان إن ٧١ قتلوا.",
        "وبحسب وكالة أنباء الطلبة الإيرانية، اندلعت اشتباكات.",
        "وأعلنت وزارة الدفاع السورية أن الهجوم بدأ.",
        "ووفقا لهيئة المياه الإقليمية، تنتج المحطة الكثير.",
        "وقالت الهيئة إن الكلفة كبيرة.",
    ]
    assert names(sentences, "ar") == [
        "المرصد السوري لحقوق الإنسان",
        "وكالة أنباء الطلبة الإيرانية",
        "وزارة الدفاع السورية",
        "هيئة المياه الإقليمية",
    ]


def test_outlet_comes_first():
    source = SourceInfo(url="https://www.example-news.com/a/1", site=None, language="en")
    found = credits(source, ["Police said 3 people died.", "According to Reuters, 3 died."], "en")
    assert [(c.name, c.role) for c in found] == [("example-news.com", "outlet"), ("Reuters", "cited")]

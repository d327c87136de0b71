import time

from bot.core.brief import SourceInfo
from bot.core.compose import credits
from bot.core.facts.attributions import find_attributions, outlet_in_furniture
from bot.core.facts.lexicon import MAX_SENTENCE_CHARS, tokenize


def names(sentences, language):
    return [a.name for a in find_attributions(sentences, language)]


def roles(sentences, language):
    return [(a.name, a.role) for a in find_attributions(sentences, language)]


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


def test_outlet_comes_first_then_named_then_generic():
    source = SourceInfo(url="https://www.example-news.com/a/1", site=None, language="en")
    found = credits(source, ["Police said 3 people died.", "According to Reuters, 3 died."], "en")
    assert [(c.name, c.role) for c in found] == [
        ("example-news.com", "outlet"), ("Reuters", "cited"), ("police", "generic")]


# ---- English false sources quoted by issue 11

def test_a_weekday_is_never_a_source():
    sentences = ["Officials met the family on Thursday and said the search would go on.",
                 "The club confirmed on Thursday that the coach had left."]
    assert all("Thursday" not in n for n in names(sentences, "en"))


def test_the_town_in_an_appositive_is_not_the_speaker():
    for sentence in ["His mother Lucy, 32, of Upminster, Essex, said she was proud of him.",
                     "His mother Lucy, 32, of Upminster said she was proud of him."]:
        assert names([sentence], "en") == ["Lucy"]


def test_the_person_talked_about_is_not_a_source():
    assert names(["Stancil said Lane deserved to die for what he had done."], "en") == ["Stancil"]


def test_names_stop_at_cue_words_weekdays_and_pronouns():
    sentences = ["The story ran in the New York Times According to police, two men were held.",
                 "The striker was sold to Dortmund on Wednesday He said the fee was fair."]
    found = names(sentences, "en")
    assert "New York Times According" not in found and not any("Dortmund" in n for n in found)
    assert ("police", "generic") in roles(sentences, "en")


def test_a_surname_merges_into_the_full_name():
    sentences = ["Wang Dongming, the plant's director, showed reporters around.",
                 "Mr Wang said output would double by 2026.",
                 "Wang added that 300 workers would be hired."]
    found = find_attributions(sentences, "en")
    assert [(a.name, a.sentences) for a in found] == [("Wang Dongming", (1, 2))]


def test_acronyms_and_back_references_merge_into_the_name():
    sentences = ["The Crown Prosecution Service (CPS) reviewed the files.",
                 "The CPS said 12 cases would be dropped.",
                 "The Syrian Observatory for Human Rights counted 40 dead, the Observatory said."]
    assert names(sentences, "en") == ["Crown Prosecution Service (CPS)", "Syrian Observatory for Human Rights"]


# ---- credited bodies the issue found missed

def test_agencies_bodies_and_generic_credits_are_found():
    sentences = ["Reuters reported that 4,000 people had left the city.",
                 "According to the UN refugee agency, 2 million people have fled.",
                 "The statistics office said prices rose 3% in May.",
                 "Police said three people were hurt."]
    assert roles(sentences, "en") == [("Reuters", "cited"), ("UN refugee agency", "cited"),
                                      ("statistics office", "generic"), ("police", "generic")]


def test_verb_first_and_appositive_speakers():
    sentences = ['"The site is stable," said Amal Karim, a spokeswoman for the Port Authority.',
                 "Jonah Reyes, of the Harbour Workers' Union, said pay talks had failed.",
                 "Professor Ana Silva of Lisbon University, who led the study, said 40% were at risk.",
                 "The crash killed two drivers, said the ministry."]
    assert names(sentences, "en") == ["Amal Karim", "Jonah Reyes", "Professor Ana Silva"]


# ---- Arabic false sources quoted by issue 11

def test_arabic_prepositions_pronouns_and_fragments_are_not_sources():
    sentences = [
        "وأشار إلى أن المشروع سيكتمل خلال عامين.",
        "وألقى الوزير كلمة أكد فيها أن الإصلاح بات ضرورة.",
        "وهي المبادئ التي أكد عليها جلالته في خطابه الأخير.",
        "وتتفاوت الأسعار حسب الموقع ونوعية المبنى في كل حي.",
        "وبحسب المرصد فقد اغتنم مقاتلو الكتائب المقاتلة انشغال القوات.",
    ]
    assert names(sentences, "ar") == []


def test_arabic_back_reference_resolves_to_the_full_name():
    sentences = ["وأفاد المرصد السوري لحقوق الإنسان بأن 20 مدنيا قتلوا.",
                 "وبحسب المرصد فقد اغتنم مقاتلو الكتائب المقاتلة انشغال القوات."]
    found = find_attributions(sentences, "ar")
    assert [(a.name, a.sentences) for a in found] == [("المرصد السوري لحقوق الإنسان", (0, 1))]


def test_arabic_people_after_titles_and_family_name_aliases():
    sentences = [
        "وأوضح المشرف العام على الحملة سامي العتيبي أن السباق مجاني.",
        "وقال العتيبي إن عدد المشاركين بلغ 500.",
        "وقال المتحدث الرسمي لوزارة الصحة الدكتور خالد بن محمد النعيمي إن الحملة نجحت.",
    ]
    found = find_attributions(sentences, "ar")
    assert [(a.name, a.sentences) for a in found] == [("سامي العتيبي", (0, 1)), ("خالد بن محمد النعيمي", (2,))]


def test_arabic_bodies_after_relative_verbs_reports_and_according():
    sentences = [
        "وجاء المنتخب في المركز الأول وفقا للإحصائيات التي أعلنتها الفيفا أمس.",
        "كشف تقرير لمصلحة الإحصاءات العامة عن ارتفاع الأسعار 3%.",
        "وقالت الشرطة إن 3 أشخاص أصيبوا.",
        "وقالت مصادر أمنية إن الهجوم فشل.",
    ]
    assert roles(sentences, "ar") == [("الفيفا", "cited"), ("مصلحة الإحصاءات العامة", "cited"),
                                      ("الشرطة", "generic"), ("مصادر أمنية", "generic")]


# ---- the outlet on its own line, and bounded work

def test_an_outlet_named_on_a_furniture_line_matches_the_host():
    lines = ["Friday 5 Nov 2024 |1 month ago", "Funeral of a fighter (archive)", "Harbour Press"]
    assert outlet_in_furniture(lines, "en.harbour.press") == "Harbour Press"
    assert outlet_in_furniture(["Share this", "Harbour Press"], "news.example.com") is None
    assert outlet_in_furniture(["Reuters"], None) == "Reuters"


def test_pathological_sentences_are_read_only_up_to_the_cap():
    huge = "March " * 15000
    assert tokenize(huge)[-1].end <= MAX_SENTENCE_CHARS
    started = time.perf_counter()
    assert names([huge], "en") == [] and names(["Mr. " * 5000], "en") == []
    assert names(["قال " * 15000], "ar") == []
    assert time.perf_counter() - started < 2  # was 73 s and 11 s before the cap and tokens


def test_pairs_relatives_outlets_told_and_quoted_as_saying():
    sentences = ["Mona Farah and Karim Aziz, who both said they were cheated, asked for refunds.",
                 "The blast was claimed by no one, but the Free Valley Front, which claimed an earlier attack, denied it.",
                 "One passenger told the Coastal Herald that the waves were 9 metres high.",
                 "A guard told WKRN that 20 people were inside.",
                 "Le Journal quoted Finance Minister Paul Dumas as saying 3 banks would merge.",
                 "Harbour Lines officials confirmed that 2 ships were late."]
    assert names(sentences, "en") == ["Mona Farah", "Karim Aziz", "Free Valley Front", "Coastal Herald", "WKRN",
                                      "Le Journal", "Finance Minister Paul Dumas", "Harbour Lines"]


def test_a_reporter_of_a_possessor_and_a_country_name_are_not_sources():
    sentences = ["CNN's Dana Reyes reported from the scene.",
                 "Migrants in the United states will reach 14.8 per cent, the data shows.",
                 "The agency's head, said the minister, would resign."]
    assert names(sentences, "en") == []


def test_arabic_quoted_bodies_relative_verbs_and_compound_names():
    sentences = [
        'إلى ذلك كشفت " الوطنية للتأمين " عن بيع 116 ألف سهم.',
        "وقال التقرير السنوي الذي أصدرته اللجنة الوطنية لحقوق الإنسان إن الأوضاع تحسنت.",
        "في غضون ذلك رفض رئيس لجنة النقل في البرلمان عبد الأحد جمال الدين، تعديل القانون.",
        "إذ أعلن عضو الهيئة البرلمانية للحزب مجدي بيضون خروجه عن توجيهات حزبه.",
        "وتعهد نائب رئيس الحزب محمد حبيب باستمرار التظاهرات.",
    ]
    assert names(sentences, "ar") == ["الوطنية للتأمين", "اللجنة الوطنية لحقوق الإنسان", "عبد الأحد جمال الدين",
                                      "مجدي بيضون", "محمد حبيب"]


def test_places_possessives_titles_and_common_nouns_are_not_sources():
    sentences = ["Mr Hale, from Little Haven, Pembrokeshire said his dog pulled him back.",
                 "Nothing beats the comfort provided by my little Bella.",
                 "Initial reports suggested the driver had fallen asleep.",
                 "Villagers from Tal Rama said that the road had no lights.",
                 "According to the leading UK retailer, sales rose 4%.",
                 "The Duke and Duchess of Kent have publicly insisted that they know nothing."]
    assert names(sentences, "en") == ["Mr Hale", "Duke and Duchess of Kent"]


def test_an_acronym_never_stretches_into_a_longer_caption_name():
    sentences = ["Yes this is the #ISIS State, one fighter wrote.", "ISIS has announced that nurses must speak English."]
    assert names(sentences, "en") == ["ISIS"]


def test_arabic_lists_particles_and_bare_family_names():
    sentences = [
        "وتشمل الخدمة التوزيع حسب الخرائط الرقمية وإنشاء الأنظمة وإدارة وتشغيل كامل المشروع.",
        "وقال رئيس الغرفة التجارية صالح كامل إن المنظمة لن تفيد الدول الفقيرة.",
        "وانتقد كامل السياسات الاقتصادية للدول.",
        "وأكدت المصادر حرص الحكومة على إجراء الانتخابات.",
        "وطبقا للمصادر فإن الحكومة اشترطت إعادة الأموال.",
        "وبنيت الأهرام في مئات الأعوام ـ كما قدر الخبراء ـ فهل هذا معقول؟",
        "وأعلن عضو الجمعية الوطنية راسم العوادي، تأييد اللائحة.",
    ]
    assert roles(sentences, "ar") == [("صالح كامل", "cited"), ("راسم العوادي", "cited"), ("المصادر", "generic")]


def test_resolving_costs_distinct_names_not_mentions():
    article = ["The ministry said 5 people died, according to Reuters.",
               "Mr Wang said so, and Wang Dongming agreed."] * 1500
    started = time.perf_counter()
    found = find_attributions(article, "en")
    assert [(a.name, len(a.sentences)) for a in found] == [("Reuters", 1500), ("Wang Dongming", 1500)]
    arabic = ["وقال المرصد إن 5 قتلوا بحسب الشرطة.", "وقال الدكتور خالد العلي إن العلي يعرف."] * 1500
    assert [a.name for a in find_attributions(arabic, "ar")] == ["خالد العلي", "الشرطة"]
    assert time.perf_counter() - started < 5  # was minutes: every mention scanned every name


def test_an_action_verb_and_a_title_phrase_are_not_credits():
    sentences = ["B.B. King, the King of the Blues, is 89.", '"I am better," King said.',
                 "Cheryl Smith agreed to drive her daughter to the show."]
    assert names(sentences, "en") == ["King"]

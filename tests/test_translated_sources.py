"""Issue 11: an Arabic brief translated to English names its sources in English too, the names
translated in the same batch as the headline, points and labels (one call to the model)."""

from bot import Briefer

ARTICLE = """مقتل العشرات في معارك ريف حلب

قال المرصد السوري لحقوق الإنسان إن 71 عنصرا من هيئة تحرير الشام قتلوا في المعارك يوم الخميس.
وأضاف المرصد أن 18 عنصرا من الجيش الوطني و52 من قوات النظام قتلوا أيضا في الاشتباكات.
وذكرت وكالة رويترز أن القتال امتد إلى 12 بلدة وقرية في ريف حلب الغربي خلال اليومين الماضيين.
وقالت مصادر محلية إن آلاف السكان نزحوا نحو الحدود التركية هربا من القصف المتواصل على المنطقة.
"""


class MarkingTranslator:
    """A model bound to one pair that marks what it translated and counts its calls."""

    name = signature = "marking-translator"

    def __init__(self, source: str = "", target: str = "", calls: list[int] | None = None) -> None:
        self.source, self.target = source, target
        self.calls = calls if calls is not None else []

    def translator_for(self, source: str, target: str) -> "MarkingTranslator":
        return MarkingTranslator(source, target, self.calls)

    def install_hint(self, source: str, target: str) -> None:
        return None

    def translate(self, texts: list[str], beam_size: int | None = None) -> list[str]:
        self.calls.append(len(texts))
        return [f"[{self.target}] {text}" for text in texts]


def test_cited_names_are_translated_with_the_rest_in_one_batch():
    translator = MarkingTranslator()
    brief = Briefer(translators=translator).brief_text(ARTICLE, to="en")
    assert brief.language == "en"
    cited = [credit.name for credit in brief.sources if credit.role != "outlet"]
    assert cited and all(name.startswith("[en] ") for name in cited), cited
    assert "[en] المرصد السوري لحقوق الإنسان" in cited
    names = {credit.name for credit in brief.sources}
    credited = [figure for figure in brief.figures if figure.source]
    assert credited and all(figure.source in names and figure.source.startswith("[en] ") for figure in credited)
    assert len(translator.calls) == 1  # headline, points, labels and names: one batch


def test_names_already_in_latin_letters_are_left_as_written():
    text = ARTICLE.replace("وذكرت وكالة رويترز", "وذكرت وكالة Reuters")
    brief = Briefer(translators=MarkingTranslator()).brief_text(text, to="en")
    written = [credit.name for credit in brief.sources if "Reuters" in credit.name]
    assert written and not any(name.startswith("[en]") for name in written), written

"""Sentence boundaries for languages pysbd lacks: sentencex against briefbot's own rules.

    python bench/sentences.py

The paragraphs below were written for this bench (news-like Portuguese, Ukrainian, Turkish
and Arabic with abbreviations, decimals, initials and glued full stops); each is given as
its gold sentences. A boundary is right when both splitters' pieces end at the same place
as a gold sentence; the table gives boundary precision, recall and F1 and the share of
paragraphs split exactly.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from sentencex import segment

from bot.core.text import sentences

GOLD: dict[str, list[list[str]]] = {
    "pt": [
        ["O Sr. Almeida disse que as vendas subiram 3,5% em 2023.", "A empresa não comentou."],
        ["A Dra. Beatriz Lopes chegou às 10h.", "Ela falou com a imprensa durante 20 min. e saiu."],
        ["O evento será na Av. Atlântica, n.º 12.", "A entrada é gratuita."],
        ["Segundo o Prof. Ramos, a obra custou R$ 2,3 milhões.", "A prefeitura confirmou o valor."],
        ["A reunião foi adiada p. ex. por falta de quórum.", "Uma nova data será marcada."],
        ["O Gen. Costa deixou o cargo.", "O Ministério da Defesa agradeceu os serviços prestados."],
        ["A Sra. Lima venceu a eleição com 54% dos votos.", "O resultado sai amanhã."],
        ["O texto cita o art. 5 da Constituição.", "Os juízes vão decidir em março."],
    ],
    "uk": [
        ["Проф. Іваненко сказав, що реформа почнеться восени.", "Міністерство це підтвердило."],
        ["Будинок стоїть на вул. Шевченка, 12.", "Його збудували у 1960-х."],
        ["Збитки оцінюють у 3,5 млн грн.", "Страхова компанія почала перевірку."],
        ["Засідання вів д-р Петренко.", "Воно тривало три години."],
        ["Ціни зросли на 5 % за рік, тобто т. зв. інфляція прискорилась.", "НБУ не змінив ставку."],
        ["Мер м. Києва відкрив новий міст.", "Рух ним почнеться завтра."],
        ["Про це йдеться у ст. 12 закону.", "Депутати голосуватимуть у четвер."],
        ["Учасники, напр. студенти, отримають знижку.", "Квитки вже в продажу."],
    ],
    "tr": [
        ["Dr. Yılmaz toplantıya katıldı.", "Bakanlık açıklama yapmadı."],
        ["Fiyatlar yüzde 4,5 arttı.", "Uzmanlar artışın süreceğini söylüyor."],
        ["Prof. Demir raporu sundu.", "Rapor 120 sayfa."],
        ["Toplantı vb. etkinlikler ertelendi.", "Yeni tarih açıklanacak."],
    ],
    "ar": [
        ["ذهب الوفد إلى نوح.", "و تعني الزيارة الكثير للطرفين."],
        ["قال د. أحمد إن الخسائر بلغت 1.5 مليار دولار.", "وانتهى الاجتماع مساء."],
        ["افتتح أ.د. محمد المؤتمر.", "وحضره 300 باحث."],
        ["بلغ عدد الزوار 2000 زائر في عام 2004.", "وقالت الوزارة إن العدد سيرتفع."],
    ],
}

Splitter = Callable[[str, str], list[str]]


def by_rules(text: str, language: str) -> list[str]:
    return [s.strip() for s in sentences._split_by_rules(text) if s.strip()]


def by_sentencex(text: str, language: str) -> list[str]:
    return [s.strip() for s in segment(language, text) if s.strip()]


def _ends(pieces: list[str]) -> set[int]:
    ends, position = set(), 0
    for piece in pieces:
        position += len(piece.replace(" ", ""))
        ends.add(position)
    return ends


def score(splitter: Splitter, language: str) -> tuple[float, float, float, float]:
    right = found = gold_total = exact = 0
    for gold in GOLD[language]:
        pieces = splitter(" ".join(gold), language)
        gold_ends, ends = _ends(gold), _ends(pieces)
        right += len(gold_ends & ends)
        found += len(ends)
        gold_total += len(gold_ends)
        exact += pieces == gold
    precision, recall = right / found, right / gold_total
    return precision, recall, 2 * precision * recall / (precision + recall), exact / len(GOLD[language])


def main() -> int:
    print("| language | splitter | boundary precision | recall | F1 | paragraphs exact |")
    print("| --- | --- | --- | --- | --- | --- |")
    for language in GOLD:
        for name, splitter in (("briefbot rules", by_rules), ("sentencex", by_sentencex)):
            p, r, f, e = score(splitter, language)
            print(f"| {language} | {name} | {p:.2f} | {r:.2f} | {f:.2f} | {e:.0%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

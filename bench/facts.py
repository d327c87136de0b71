"""Score the sources and key figures of briefs against hand-checked labels (issue 11).

    python bench/facts.py                        # facts/dev.jsonl + the seed article, markdown tables
    python bench/facts.py --details              # plus every miss, per article
    python bench/facts.py --json facts.json      # also write the metrics (and the misses) as JSON
    python bench/facts.py --data PATH --lang ar --points 4 --engine extractive

Each article is briefed through the public API only (`from bot import Briefer`), in its own
language (no translation), with the record's title and outlet when it has them. Scoring follows
../shared/data/facts/README.md:

- source precision: listed sources other than the outlet that name a gold source or an
  `acceptable` entry; recall: gold sources that some listed source names. Words are compared
  case-, diacritic- and Arabic-spelling-insensitively (alef/hamza/taa marbuta folded, prefixes
  و ب ل ف ك ال dropped); a listed source names a gold one when all its words are words of the gold
  name or alias, or it is that name with a title in front, or that name plus one word;
- key-figure recall: gold `value` equal to some figure's `normalized` (numbers as numbers, ranges
  by their ends, dates by their parts);
- labels verbatim: figures whose `context` is a span of the article (whitespace collapsed) holding
  the figure's `value` as written;
- points' coverage: gold key-figure texts found verbatim in the points, beside LEAD (the
  article's first words, as many as the points have);
- number fidelity: briefs whose every digit number (points, headline, figure values) is a number
  of the source, compared by its digits.

All shares are pooled over the articles of a language (micro averages). An article that raised
an error counts as a refusal: its gold sources and figures count as missed, it lists nothing.
The seed article is briefed as pasted text and checked against the issue's expectations.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bot import Briefer
from bot.config import Settings
from bot.core.brief import SourceInfo

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DATA = SHARED / "facts" / "dev.jsonl"
SEED = SHARED / "seed"
LANGUAGES = ("en", "ar")


def make_briefer(engine: str) -> Briefer:
    return Briefer(Settings().with_values({"engine": engine}))


# ---- words: how names are compared

_ARABIC_LETTER = re.compile(r"[\u0600-\u06FF]")
_FOLD = str.maketrans({"ة": "ه", "ى": "ي", "ٱ": "ا", "ـ": None})  # taa marbuta, alef maqsura, wasla, tatweel


def _fold(text: str) -> str:
    """Casefold and drop diacritics. NFKD splits أ إ آ ؤ ئ into a bare letter plus a combining
    hamza/madda, so dropping combining marks also folds the alef and hamza forms (and tashkeel)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_FOLD)


def _strip_arabic_prefixes(word: str) -> str:
    """Drop the clitics that glue onto Arabic words (و/ف, then ب/ل/ك, then ال; لل is ل + ال),
    so that والمنظمة, بالمنظمة and منظمة are one word. Applied to every word on both sides,
    so it only has to be consistent, not linguistically exact; a stem keeps 2+ letters."""
    if not _ARABIC_LETTER.search(word):
        return word
    for prefixes in (("و", "ف"), ("لل", "ب", "ل", "ك"), ("ال",)):
        for prefix in prefixes:
            if word.startswith(prefix) and len(word) - len(prefix) >= 2:
                word = word[len(prefix):]
                break
    return word


def words(text: str) -> list[str]:
    """The comparable words of a name: folded, split on anything that is not a letter or digit."""
    return [_strip_arabic_prefixes(w) for w in re.findall(r"\w+", _fold(text))]


def names(listed: str, gold: str) -> bool:
    """Whether a listed source names a gold name, by the README's three rules."""
    said, name = words(listed), words(gold)
    if not said or not name:
        return False
    if set(said) <= set(name):                        # "Mardas" for "Dimitris Mardas"
        return True
    if len(said) > len(name) and said[-len(name):] == name:   # "Deputy minister Dimitris Mardas"
        return True
    return len(said) == len(name) + 1 and _is_subsequence(name, said)   # "Dimitris Mardas said"


def _is_subsequence(short: list[str], long: list[str]) -> bool:
    remaining = iter(long)
    return all(word in remaining for word in short)


# ---- values: how figures are compared

@dataclass(frozen=True)
class Value:
    """A normalized figure value: a number, a range (lo, hi) or a date (year, month, day)."""

    kind: str                                   # number | range | date | text
    parts: tuple[float | int | None, ...]

    @classmethod
    def parse(cls, normalized: str) -> Value:
        s = normalized.strip()
        if m := re.fullmatch(r"--(\d{2})-(\d{2})", s):
            return cls("date", (None, int(m[1]), int(m[2])))
        if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", s):
            return cls("date", (int(m[1]), int(m[2]), int(m[3])))
        if (m := re.fullmatch(r"(\d{4})-(\d{2})", s)) and 1 <= int(m[2]) <= 12:
            return cls("date", (int(m[1]), int(m[2]), None))
        number = r"-?\d+(?:\.\d+)?"
        if re.fullmatch(number, s):
            return cls("number", (float(s),))
        if m := re.fullmatch(f"({number})-({number})", s):
            return cls("range", (float(m[1]), float(m[2])))
        return cls("text", (s,))

    def matches(self, other: Value) -> bool:
        """Gold (self) against a brief's value. A date must give every part the gold gives; a
        year the gold lacks (--MM-DD) may be present, since the brief can date it from context."""
        if self.kind != other.kind:
            return False
        if self.kind == "date":
            return all(g is None or g == b for g, b in zip(self.parts, other.parts, strict=True))
        return self.parts == other.parts


def value_equal(gold: str, normalized: str | None) -> bool:
    return normalized is not None and (gold == normalized or Value.parse(gold).matches(Value.parse(normalized)))


# ---- text spans and digits

def collapse(text: str) -> str:
    return " ".join(text.split())


_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_NUMBER = re.compile(r"\d+(?:[.,٫٬]\d+)*")


def digit_numbers(text: str) -> set[str]:
    """Numbers written with digits, reduced to their digits (Arabic-Indic and Persian digits
    converted), so that 2,500 / 2500 / ٢٥٠٠ are one number whatever the separators."""
    return {re.sub(r"\D", "", n) for n in _NUMBER.findall(text.translate(_DIGITS))}


# ---- one article

@dataclass
class ArticleScore:
    """Counts for one article (pooled later, per language) and its misses, for --details."""

    id: str
    lang: str
    refused: str | None = None                  # the error message, when briefing failed
    listed: int = 0                             # sources other than the outlet
    listed_right: int = 0
    gold_sources: int = 0
    gold_found: int = 0
    key_figures: int = 0
    figures_found: int = 0
    figures: int = 0
    labels_verbatim: int = 0
    points_cover: int = 0
    lead_cover: int = 0
    faithful: bool | None = None                # None when refused
    false_sources: list[str] = field(default_factory=list)
    missed_sources: list[str] = field(default_factory=list)
    missed_figures: list[str] = field(default_factory=list)
    bad_labels: list[str] = field(default_factory=list)
    unsupported_numbers: list[str] = field(default_factory=list)

    def has_misses(self) -> bool:
        return bool(self.refused or self.false_sources or self.missed_sources or self.missed_figures
                    or self.bad_labels or self.unsupported_numbers)


def score_article(record: dict[str, Any], brief: dict[str, Any]) -> ArticleScore:
    """Score one brief (its to_dict()) against one labelled record, as facts/README.md says."""
    score = ArticleScore(record["id"], record["lang"])
    article = collapse(record["text"])
    gold_names = {s["name"]: [s["name"], *s["aliases"]] for s in record["sources"]}
    acceptable = record["acceptable"]

    listed = [s["name"] for s in brief["sources"]]   # recall may credit the outlet too; precision may not
    cited = [s["name"] for s in brief["sources"] if s.get("role") != "outlet"]
    score.listed = len(cited)
    for name in cited:
        if any(names(name, g) for g in [*(n for ns in gold_names.values() for n in ns), *acceptable]):
            score.listed_right += 1
        else:
            score.false_sources.append(name)
    score.gold_sources = len(gold_names)
    for gold, forms in gold_names.items():
        if any(names(name, form) for name in listed for form in forms):
            score.gold_found += 1
        else:
            score.missed_sources.append(gold)

    figures = brief["figures"]
    score.key_figures = len(record["key_figures"])
    for key in record["key_figures"]:
        if any(value_equal(key["value"], f.get("normalized")) for f in figures):
            score.figures_found += 1
        else:
            score.missed_figures.append(f"{key['value']} ({key['text']!r}: {key['what']})"
                                        + _near_misses(key["text"], figures))
    score.figures = len(figures)
    for f in figures:
        context = collapse(f.get("context") or "")
        if context and f["value"] in context and context in article:
            score.labels_verbatim += 1
        else:
            score.bad_labels.append(f"{f['value']!r} in {f.get('context')!r}")

    points = [collapse(p) for p in brief["points"]]
    budget = sum(len(p.split()) for p in points)
    lead = " ".join(record["text"].split()[:budget])
    for key in record["key_figures"]:
        text = collapse(key["text"])
        score.points_cover += any(text in p for p in points)
        score.lead_cover += text in lead

    source_numbers = digit_numbers(" ".join(filter(None, [record["text"], record["title"], record["outlet"]])))
    shown = [brief["headline"], *brief["points"], *(f["value"] for f in figures)]
    score.unsupported_numbers = sorted(digit_numbers(" ".join(shown)) - source_numbers)
    score.faithful = not score.unsupported_numbers
    return score


def _near_misses(text: str, figures: list[dict[str, Any]]) -> str:
    """The brief's figures taken from a missed gold figure's words ('some three dozen' = 15 for
    'three dozen'; 27 and 28 from '27 و28'), so a miss reads as 'normalized wrong', not 'not found'."""
    def squeeze(s: str) -> str:  # spacing differs between a context and the article (و 28 / و28)
        return "".join(s.split()).casefold()

    gold = squeeze(text)
    near = [f for f in figures if gold in squeeze(f["value"])
            or (squeeze(f["value"]) in gold and gold in squeeze(f.get("context") or ""))]
    return "".join(f" [brief: {f['value']!r} = {f.get('normalized')}]" for f in near)


def refused(record: dict[str, Any], error: Exception) -> ArticleScore:
    score = ArticleScore(record["id"], record["lang"], refused=f"{type(error).__name__}: {error}")
    score.gold_sources = len(record["sources"])
    score.missed_sources = [s["name"] for s in record["sources"]]
    score.key_figures = len(record["key_figures"])
    score.missed_figures = [k["value"] for k in record["key_figures"]]
    return score


# ---- totals

def _share(numerator: int, denominator: int) -> dict[str, Any]:
    return {"share": numerator / denominator if denominator else None, "n": numerator, "of": denominator}


def totals(scores: list[ArticleScore]) -> dict[str, Any]:
    def total(name: str) -> int:
        return sum(getattr(s, name) for s in scores)

    briefed = [s for s in scores if s.refused is None]
    return {
        "articles": len(scores),
        "refusals": len(scores) - len(briefed),
        "source_precision": _share(total("listed_right"), total("listed")),
        "source_recall": _share(total("gold_found"), total("gold_sources")),
        "key_figure_recall": _share(total("figures_found"), total("key_figures")),
        "labels_verbatim": _share(total("labels_verbatim"), total("figures")),
        "points_coverage": _share(total("points_cover"), total("key_figures")),
        "lead_coverage": _share(total("lead_cover"), total("key_figures")),
        "number_fidelity": _share(sum(bool(s.faithful) for s in briefed), len(briefed)),
    }


ROWS = (
    ("source precision", "source_precision"),
    ("source recall", "source_recall"),
    ("key-figure recall", "key_figure_recall"),
    ("labels verbatim", "labels_verbatim"),
    ("points' coverage", "points_coverage"),
    ("LEAD coverage (same words)", "lead_coverage"),
    ("number fidelity (briefs)", "number_fidelity"),
)


def _cell(share: dict[str, Any]) -> str:
    percent = "–" if share["share"] is None else f"{100 * share['share']:.1f}%"
    return f"{percent} ({share['n']}/{share['of']})"


def metrics_table(metrics: dict[str, dict[str, Any]]) -> str:
    columns = list(metrics)
    lines = ["| metric | " + " | ".join(columns) + " |", "| --- |" + " --- |" * len(columns),
             "| articles | " + " | ".join(str(metrics[c]["articles"]) for c in columns) + " |",
             "| refusals | " + " | ".join(str(metrics[c]["refusals"]) for c in columns) + " |"]
    for label, key in ROWS:
        lines.append(f"| {label} | " + " | ".join(_cell(metrics[c][key]) for c in columns) + " |")
    return "\n".join(lines)


def details(scores: Iterable[ArticleScore]) -> str:
    """Per-article misses, grouped so that an engineer sees what to fix."""
    out = []
    for s in scores:
        if not s.has_misses():
            continue
        out.append(f"\n### {s.id} ({s.lang})")
        for label, items in (("refused", [s.refused] if s.refused else []),
                             ("false sources", s.false_sources), ("gold sources missed", s.missed_sources),
                             ("figure values missed", s.missed_figures), ("labels not verbatim", s.bad_labels),
                             ("numbers not in the source", s.unsupported_numbers)):
            if items:
                out.append(f"- {label}: " + " · ".join(items))
    return "\n".join(out)


# ---- the seed article (issue 11's own checks)

SEED_FIGURES = (("over 140 killed", "140"), ("71 HTS", "71"), ("18 National Army", "18"),
                ("52 Syrian army", "52"), ("12 towns and villages", "12"), ("10 km", "10"),
                ("ceasefire of 6 March 2020", "2020-03-06"))
SEED_CREDITED = ("71", "18", "52")
SEED_CREDIT = "Syrian Observatory for Human Rights"
SEED_OUTLET = "Barran Press"


@dataclass
class Check:
    what: str
    ok: bool
    got: str


def _is_km(figure: dict[str, Any]) -> bool:
    return figure.get("unit") == "km" or bool(re.search(r"\bkm\b|kilomet", figure["value"], re.IGNORECASE))


def seed_checks(brief: dict[str, Any]) -> list[Check]:
    figures = brief["figures"]
    checks = []
    for what, value in SEED_FIGURES:
        hits = [f for f in figures if value_equal(value, f.get("normalized"))
                and (what != "10 km" or _is_km(f))]
        checks.append(Check(f"figure {what} = {value}", bool(hits),
                            ", ".join(repr(f["value"]) for f in hits) or "not among figures"))
    for value in SEED_CREDITED:
        hits = [f for f in figures if value_equal(value, f.get("normalized"))]
        if not hits:
            checks.append(Check(f"{value} credited to {SEED_CREDIT}", False, "no such figure"))
        elif not any("source" in f for f in hits):
            checks.append(Check(f"{value} credited to {SEED_CREDIT}", False, "missing: figures[].source not in output"))
        else:
            credits = [f.get("source") for f in hits]
            ok = any(c and words(c) and names(c, SEED_CREDIT) for c in credits)
            checks.append(Check(f"{value} credited to {SEED_CREDIT}", ok, repr(credits)))
    outlets = [s["name"] for s in brief["sources"] if s.get("role") == "outlet"]
    outlet = outlets[0] if outlets else (brief["source"].get("site") or "")
    checks.append(Check(f"outlet {SEED_OUTLET}", words(outlet) == words(SEED_OUTLET), repr(outlet or None)))
    return checks


def seed_table(name: str, checks: list[Check]) -> str:
    lines = [f"Seed article `{name}`: {sum(c.ok for c in checks)}/{len(checks)} checks pass",
             "", "| check | ok | brief gives |", "| --- | --- | --- |"]
    lines += [f"| {c.what} | {'yes' if c.ok else 'NO'} | {c.got} |" for c in checks]
    return "\n".join(lines)


# ---- running it

def brief_record(briefer: Briefer, record: dict[str, Any], points: int) -> dict[str, Any]:
    info = SourceInfo(title=record.get("title"), site=record.get("outlet"))
    return briefer.brief_text(record["text"], to=record["lang"], points=points, source=info).to_dict()


def _seed_file(path: Path) -> Path | None:
    if path.is_file():
        return path
    texts = sorted(path.glob("*.txt")) if path.is_dir() else []
    return texts[0] if texts else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help=f"facts JSONL (default {DATA})")
    parser.add_argument("--seed", type=Path, default=SEED, help="seed article .txt or its folder")
    parser.add_argument("--lang", choices=LANGUAGES, default=None, help="one language only")
    parser.add_argument("--points", type=int, default=4)
    parser.add_argument("--engine", default="extractive")
    parser.add_argument("--details", action="store_true", help="list every miss, per article")
    parser.add_argument("--json", type=Path, default=None, help="write the metrics here")
    args = parser.parse_args(argv)

    if not args.data.is_file():
        print(f"facts.py: no data at {args.data}; pass --data PATH", file=sys.stderr)
        return 2
    records = [json.loads(line) for line in args.data.open(encoding="utf-8") if line.strip()]
    records = [r for r in records if args.lang in (None, r["lang"])]
    briefer = make_briefer(args.engine)

    scores = []
    for record in records:
        try:
            brief = brief_record(briefer, record, args.points)
        except Exception as error:  # noqa: BLE001 (a refusal is a result to report, whatever its class)
            scores.append(refused(record, error))
            continue
        scores.append(score_article(record, brief))

    groups = {lang: [s for s in scores if s.lang == lang] for lang in LANGUAGES}
    metrics = {lang: totals(group) for lang, group in groups.items() if group}
    metrics["all"] = totals(scores)
    print(f"Facts: {args.data.name}, engine {args.engine}, {args.points} points\n")
    print(metrics_table(metrics))

    refusals = [(s.id, s.refused) for s in scores if s.refused]
    if refusals:
        print("\nRefusals:")
        print("\n".join(f"- {i}: {message}" for i, message in refusals))

    seed: dict[str, Any] | None = None
    seed_path = _seed_file(args.seed)
    if seed_path is not None:
        try:
            brief = briefer.brief_text(seed_path.read_text(encoding="utf-8"), to="en", points=args.points).to_dict()
            checks = seed_checks(brief)
            print("\n" + seed_table(seed_path.name, checks))
            seed = {"file": seed_path.name, "checks": [asdict(c) for c in checks]}
        except Exception as error:  # noqa: BLE001 (same: report it, go on)
            print(f"\nSeed article {seed_path.name}: refused: {type(error).__name__}: {error}")
            seed = {"file": seed_path.name, "refused": f"{type(error).__name__}: {error}"}

    if args.details:
        print("\n## Misses per article" + (details(scores) or "\nnone"))
    if args.json:
        report = {"data": str(args.data), "engine": args.engine, "points": args.points, "metrics": metrics,
                  "seed": seed, "articles": [asdict(s) for s in scores]}
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

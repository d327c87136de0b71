"""One pass through an LLM server, then nothing unchecked: the model briefs and translates,
briefbot checks every number and every credited source it wrote against the article.

The model gets the article, the brief's language and length, and the facts briefbot
found (key figures as F1…, named sources as S1…) from the templates in prompts/.
Its answer is a JSON object; each sentence of it then passes two checks:

- figures (the figure guard): a number the article lacks is written back when it
  stands one for one in place of the article's figure in the sentence it came from,
  and the sentence is dropped otherwise;
- sources: whoever a sentence credits must be a source of the article (or, across
  languages, the model's rendering of a source id the prompt gave it); a sentence
  crediting anyone else is dropped.

Each repair is one warning. A server that fails, an answer that cannot be read or is
in the wrong language, a headline that fails its checks, or fewer than half the
points surviving: the extractive brief stays, with one warning saying why.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.core.brief import Brief, KeyFigure, OriginalText
from bot.core.facts.attributions import find_attributions
from bot.core.facts.figures import extract_figures, figures_match
from bot.core.guard import FigureCheck, check_figures, repair, unsupported_sentences
from bot.core.text.document import Document
from bot.engines.llm_server import ChatServer, ServerFailed
from bot.language import language_name

log = logging.getLogger(__name__)
SYSTEM_TEMPLATE, USER_TEMPLATE = "llm_system.txt", "llm_user.txt"
Detect = Callable[[str], "str | None"]


class Unusable(Exception):
    """The model's answer cannot become the brief; `str()` says why, for the one warning."""


@dataclass(frozen=True)
class Answer:
    headline: str
    points: list[str]
    figure_labels: dict[str, str] = field(default_factory=dict)  # F1 -> the figure's words in the brief's language
    source_names: dict[str, str] = field(default_factory=dict)   # S1 -> the source's name as the brief writes it


@dataclass(frozen=True)
class Verdict:
    """One generated sentence after the checks."""

    text: str | None            # as it may be shown; None: dropped
    warning: str | None = None  # for the brief's warnings: what was repaired or dropped
    reason: str | None = None   # why it was dropped, e.g. "held 300, which the article does not give"

    @classmethod
    def dropped(cls, check: str, reason: str) -> Verdict:
        return cls(None, f"{check}: a sentence the model wrote {reason}, and was left out.", reason)


@dataclass
class Checked:
    headline: str
    points: list[str]
    contexts: dict[int, str]  # index in brief.figures -> its context in the brief's language
    warnings: list[str]


# ---- the request ------------------------------------------------------------------

def answer_schema(points: int) -> dict[str, Any]:
    """The JSON schema the server is asked to follow (servers without schemas get `json_object`)."""
    labels = {"type": "object", "additionalProperties": {"type": "string"}}
    return {"type": "object", "required": ["headline", "points"],
            "properties": {"headline": {"type": "string"},
                           "points": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": points},
                           "figures": labels, "sources": labels}}


def brief_messages(prompts: Path, document: Document, brief: Brief, target: str) -> list[dict[str, str]]:
    """The system and user messages from prompts/llm_system.txt and prompts/llm_user.txt."""
    values = {
        "language": language_name(target), "language_code": target,
        "article_language": language_name(brief.language), "points": len(brief.points),
        "title": document.title or brief.headline, "article": document.text,
        "figures": "\n".join(_figure_line(i, f) for i, f in enumerate(brief.figures)) or "(none found)",
        "sources": "\n".join(f"S{i + 1}: {c.name} ({c.role})" for i, c in enumerate(brief.sources)) or "(none found)",
    }
    return [{"role": "system", "content": (prompts / SYSTEM_TEMPLATE).read_text(encoding="utf-8").format(**values)},
            {"role": "user", "content": (prompts / USER_TEMPLATE).read_text(encoding="utf-8").format(**values)}]


def _figure_line(index: int, figure: KeyFigure) -> str:
    credited = f" (according to {figure.source})" if figure.source else ""
    return f"F{index + 1}: {figure.value} — “{figure.context}”{credited}"


# ---- the answer --------------------------------------------------------------------

_THINKING = re.compile(r"<think>.*?</think>", re.DOTALL)
_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)(?:```|$)", re.DOTALL)


def parse_answer(text: str, finish_reason: str | None = None) -> Answer:
    """The JSON object of the answer: bare, inside a code fence, or amid a few words of prose."""
    text = _THINKING.sub("", text).strip()
    if not text:
        raise Unusable("the answer was empty")
    fenced = _FENCE.search(text)
    body = fenced.group(1) if fenced else text[text.find("{"):text.rfind("}") + 1] or text
    try:
        data = json.loads(body)
    except json.JSONDecodeError:
        cut = " (cut off: raise llm_max_tokens)" if finish_reason == "length" else ""
        raise Unusable(f"the answer was not valid JSON{cut}") from None
    if not isinstance(data, dict):
        raise Unusable("the answer was not a JSON object")
    headline, points = data.get("headline"), data.get("points")
    if not isinstance(headline, str) or not headline.strip() or not isinstance(points, list):
        raise Unusable("the answer had no headline or no points")
    kept = [p.strip() for p in points if isinstance(p, str) and p.strip()]
    if not kept:
        raise Unusable("the answer had no points")
    return Answer(headline.strip(), kept, _labels(data.get("figures")), _labels(data.get("sources")))


def _labels(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k).strip().upper(): v.strip() for k, v in value.items() if isinstance(v, str) and v.strip()}


# ---- the checks --------------------------------------------------------------------

class Verifier:
    """Checks generated sentences against one article and the brief briefbot made of it."""

    def __init__(self, document: Document, brief: Brief, source_language: str, target: str, answer: Answer) -> None:
        self.document = document
        self.source_language = source_language
        self.target = target
        title = [document.title] if document.title else []
        sentences = document.sentences
        self.article = " ".join(title + sentences)  # a title's figures are the article's too
        # Where a generated sentence may come from: a title or sentence, or two neighbours it merged.
        self.spans = title + sentences + [f"{a} {b}" for a, b in zip(sentences, sentences[1:], strict=False)]
        self.figures = extract_figures(self.article, source_language)
        names = [c.name for c in brief.sources] + [brief.source.site or ""]
        if source_language != target:  # the model's renderings of the ids it was given, and only those
            ids = {f"S{i + 1}" for i in range(len(brief.sources))}
            names += [name for key, name in answer.source_names.items() if key in ids]
        self.names = [n for n in (_plain(name) for name in names) if n]
        self.text = _plain(self.article)

    def check(self, sentences: list[str]) -> list[Verdict]:
        """Each sentence as it may be shown, repaired, or dropped with the reason."""
        unsupported = set(unsupported_sentences(sentences, self.article, self.source_language, self.target))
        verdicts = []
        for index, sentence in enumerate(sentences):
            stranger = next((name for name in self.credited(sentence) if not self.known(name)), None)
            if stranger:
                verdicts.append(Verdict.dropped("Source check", f"credited “{stranger}”, whom the article does not name"))
            elif index in unsupported:
                verdicts.append(self.repaired(sentence))
            else:
                verdicts.append(Verdict(sentence))
        return verdicts

    def credited(self, sentence: str) -> list[str]:
        """Named sources the sentence credits; "officials said" names no one, so it is not checked."""
        return [a.name for a in find_attributions([sentence], self.target) if a.role != "generic"]

    def known(self, name: str) -> bool:
        wanted = _plain(name)
        padded = f" {wanted} "
        return (not wanted or f" {wanted} " in f" {self.text} "
                or any(f" {n} " in padded or padded in f" {n} " for n in self.names))

    def repaired(self, sentence: str) -> Verdict:
        """A changed figure written back when exactly one reading of the article explains it."""
        fixes = {}
        for span in self.spans:
            check = check_figures(span, self.source_language, sentence, self.target)
            if check.invented and len(check.missing) == len(check.invented) and self.anchored(span, sentence, check):
                fixed = repair(span, self.source_language, sentence, self.target)
                # Only a rewrite of the changed figures will do; repair's other ways out (the span
                # given back, numbers cut out) are for translations, not for what a model made up.
                written_back = (fixed.note or "").startswith("changed figures")
                if written_back and check_figures(span, self.source_language, fixed.text, self.target).ok:
                    fixes[fixed.text] = fixed.note
        if len(fixes) == 1:
            text, note = next(iter(fixes.items()))
            return Verdict(text, f"Figure guard: {note}.")
        strange = [f.text for f in extract_figures(sentence, self.target)
                   if not any(figures_match(f, known) for known in self.figures)]
        return Verdict.dropped("Figure guard", f"held {', '.join(strange)}, which the article does not give")

    def anchored(self, span: str, sentence: str, check: FigureCheck) -> bool:
        """Whether the sentence tells of the span: it keeps one of the span's figures, or (in one
        language) most of its words are the span's. Else a "300 jobs" would borrow the "2 km" of
        an unrelated sentence."""
        if len(extract_figures(span, self.source_language)) > len(check.missing):
            return True
        if self.source_language != self.target:
            return False
        words = set(_WORD.findall(sentence.casefold()))
        return bool(words) and len(words & set(_WORD.findall(span.casefold()))) >= len(words) / 2

    def labels(self, figures: list[KeyFigure], answer: Answer) -> tuple[dict[int, str], list[str]]:
        """The model's translations of the key figures' contexts that keep their figure exactly."""
        if self.source_language == self.target:
            return {}, []  # contexts stay verbatim spans of the article
        accepted, refused = {}, 0
        for index, figure in enumerate(figures):
            label = answer.figure_labels.get(f"F{index + 1}")
            if not label:
                continue
            if check_figures(figure.context, self.source_language, label, self.target).ok:
                accepted[index] = label
            else:
                refused += 1
        warnings = [f"Figure guard: {refused} key figure label(s) the model translated changed their number "
                    "and are shown as the article has them."] if refused else []
        return accepted, warnings


_WORD = re.compile(r"[^\W\d_]{4,}")


def _plain(name: str) -> str:
    """Compared without case, brackets, punctuation or a leading 'the'."""
    name = re.sub(r"[^\w\s]", " ", name.casefold().replace("’", "'"))
    return re.sub(r"^the\s+", "", " ".join(name.split()))


def check_answer(answer: Answer, brief: Brief, document: Document, target: str, detect: Detect) -> Checked:
    """The answer with every sentence checked; raises Unusable when it cannot be the brief."""
    written = detect(" ".join([answer.headline, *answer.points]))
    if written and written != target:
        raise Unusable(f"it answered in {language_name(written)}, not {language_name(target)}")
    verifier = Verifier(document, brief, brief.language, target, answer)
    points = answer.points[:len(brief.points)]
    verdicts = verifier.check([answer.headline, *points])
    headline = verdicts[0]
    if headline.text is None:
        raise Unusable(f"its headline {headline.reason}")
    kept = [v.text for v in verdicts[1:] if v.text is not None]
    if 2 * len(kept) < len(points):
        raise Unusable(f"only {len(kept)} of the {len(points)} points it wrote passed the figure and source checks")
    contexts, label_notes = verifier.labels(brief.figures, answer)
    notes = [v.warning for v in verdicts if v.warning] + label_notes
    return Checked(headline.text, kept, contexts, notes)


# ---- the stage ---------------------------------------------------------------------

def server_failed(brief: Brief) -> bool:
    """Whether the brief is extractive because the LLM server failed: worth trying again, not keeping."""
    record = brief.engine.get("llm")
    return isinstance(record, dict) and "error" in record

def write_brief(brief: Brief, document: Document, server: ChatServer, prompts: Path, target: str,
                detect: Detect) -> None:
    """The model's checked brief in place of the extractive one; on any failure the
    extractive brief stays, with one warning naming the cause."""
    record: dict[str, Any] = {"model": server.model or None, "server": server.server}
    brief.engine["llm"] = record
    try:
        reply = server.complete(brief_messages(prompts, document, brief, target), answer_schema(len(brief.points)))
        record.update(model=server.model, prompt_tokens=reply.prompt_tokens, completion_tokens=reply.completion_tokens,
                      seconds=reply.seconds, attempts=reply.attempts, response_format=reply.response_format)
        checked = check_answer(parse_answer(reply.text, reply.finish_reason), brief, document, target, detect)
    except (ServerFailed, Unusable) as failure:
        record["error"] = str(failure)
        log.warning("LLM server %s gave no brief: %s", server.server, failure)  # the address, never the key
        brief.warnings.append(f"The LLM server wrote no brief: {failure}. This brief is extractive.")
        return
    if target != brief.language:
        brief.original = OriginalText(brief.language, brief.headline, list(brief.points))
    brief.headline, brief.points = checked.headline, checked.points
    for index, context in checked.contexts.items():
        brief.figures[index].context = context
    brief.language = target
    brief.warnings += checked.warnings
    brief.engine["summarizer"] = server.name

"""Select, then condense: the few sentences of an article a summary should rest on.

A small model summarising a whole article invents; given only the sentences that
carry the news (the lead, and the sentences behind the top positions and next
steps), it has less to get wrong and less to read. Pure functions over the text
and its analysis; summarise.py sends the selection to the model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from briefing.nlp.analyse import Analysis
from briefing.text import sentence_spans, words

# About 400 tokens of a subword tokenizer: the lead and a handful of key sentences.
SELECTION_TOKENS = 400
LEAD_SENTENCES = 2
TOP_POSITIONS = 3
TOP_STEPS = 2
# A lead is a sentence of news, not a byline, a dateline stub or a caption fragment.
MIN_LEAD_WORDS = 8


def select_sentences(
    text: str,
    analysis: Analysis,
    count_tokens: Callable[[Sequence[str]], list[int]],
    budget: int = SELECTION_TOKENS,
) -> list[str]:
    """The article's key sentences, in reading order, within `budget` tokens: the lead first,
    then the evidence of the most salient actors' positions and of the first next steps."""
    sentences = [text[start:end] for start, end in sentence_spans(text)]
    lead = [s for s in sentences if len(words(s)) >= MIN_LEAD_WORDS][:LEAD_SENTENCES] or sentences[:1]
    ranked: list[str] = list(lead)
    for actor in analysis.actors:
        if len(ranked) >= len(lead) + TOP_POSITIONS:
            break
        evidence = next((p.evidence for p in analysis.positions if p.actor == actor.name), None)
        if evidence is not None and evidence not in ranked:
            ranked.append(evidence)
    dated = sorted(analysis.next_steps, key=lambda step: step.date is None)
    for step in dated[:TOP_STEPS]:
        if step.evidence not in ranked:
            ranked.append(step.evidence)
    chosen: list[str] = []
    used = 0
    for sentence, size in zip(ranked, count_tokens(ranked), strict=True):
        if chosen and used + size > budget:
            continue
        chosen.append(sentence)
        used += size
    order = {sentence: index for index, sentence in enumerate(sentences)}
    return sorted(chosen, key=lambda sentence: order.get(sentence, len(order)))

"""What the measurements chose for each kind of model: what it summarises (the whole
article, or the key sentences to condense) and whether its summary leads or the article's
own lead does (README, "Summaries a reader can trust", has the figures behind each row).

A model the table does not know gets the defaults of its kind; the user's --input and
--summary flags always win.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SummaryDefaults:
    input: str  # whole | selected
    # True: the article's lead is the summary, and the model's sentences are added only where
    # the faithfulness guard passes them and they say something the lead does not.
    lead_first: bool


# Keyed by a fragment of the model's name (a hub id, a folder or a .gguf file).
MEASURED = {
    # 135M parameters: selected input is 2.3x faster with fewer false sentences, but what
    # is left still fails the guard's floors without the lead to stand on.
    "smollm2-135m": SummaryDefaults(input="selected", lead_first=True),
}
BY_BACKEND = {
    "chat": SummaryDefaults(input="selected", lead_first=False),
    # A model server runs chat models: the same prompts and the same defaults.
    "endpoint": SummaryDefaults(input="selected", lead_first=False),
    # Encoder-decoder summarisers (BART, Pegasus) were trained on whole articles.
    "seq2seq": SummaryDefaults(input="whole", lead_first=False),
    "extractive": SummaryDefaults(input="whole", lead_first=False),
}


def defaults_for(name: str, backend: str) -> SummaryDefaults:
    key = name.casefold()
    for fragment, defaults in MEASURED.items():
        if fragment in key:
            return defaults
    return BY_BACKEND.get(backend, BY_BACKEND["seq2seq"])

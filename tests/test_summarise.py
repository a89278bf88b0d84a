from __future__ import annotations

from briefing.article import Article
from briefing.models import load_model
from briefing.options import GenerationSettings, ModelSpec
from briefing.summarise import chunk_text, summarise_articles, tidy
from briefing.text import split_sentences

LONG = " ".join(f"Sentence number {i} reports a detail of the long story." for i in range(60))


def test_chunks_fit_the_budget_and_lose_nothing(fake_model) -> None:
    fake_model.max_input_tokens = 40
    model = load_model(ModelSpec(name="fake"))
    chunks = chunk_text(LONG, model)
    assert len(chunks) > 5
    assert all(n <= 40 for n in model.count_tokens(chunks))
    assert " ".join(chunks).split() == LONG.split()


def test_a_sentence_longer_than_the_budget_is_split_between_words(fake_model) -> None:
    fake_model.max_input_tokens = 25
    model = load_model(ModelSpec(name="fake"))
    giant = "word " * 5000
    chunks = chunk_text(giant, model)
    assert all(n <= 25 for n in model.count_tokens(chunks))
    assert sum(len(c.split()) for c in chunks) == 5000


def test_short_articles_go_out_whole_in_one_batched_call(fake_model) -> None:
    articles = [Article(text=f"Story {i} happened today. More detail.", source=f"{i}.txt") for i in range(5)]
    summaries = summarise_articles(articles, load_model(ModelSpec(name="fake")), GenerationSettings())
    assert fake_model.calls == 1
    assert [r.kind for r in fake_model.requests] == ["article"] * 5
    assert [s.text for s in summaries] == [f"Story {i} happened today." for i in range(5)]


def test_long_article_is_mapped_then_reduced(fake_model) -> None:
    fake_model.max_input_tokens = 60
    articles = [Article(text=LONG, source="long.txt", title="Long"), Article(text="Short one. Here.", source="s.txt")]
    summaries = summarise_articles(articles, load_model(ModelSpec(name="fake")), GenerationSettings())
    kinds = [r.kind for r in fake_model.requests]
    assert kinds.count("part") > 1 and "combine" in kinds and kinds.count("article") == 1
    # The map round carries both articles in a single call.
    assert fake_model.calls >= 2
    assert summaries[0].parts > 1 and "summarised in" in summaries[0].warnings[0]
    assert all(r.title == "Long" for r in fake_model.requests if r.kind != "article")
    assert summaries[1].text == "Short one."
    # Every part of the source reached the model in the map round.
    mapped = " ".join(r.text for r in fake_model.requests if r.kind == "part")
    assert split_sentences(mapped) == split_sentences(LONG)


def test_tidy_drops_a_sentence_cut_off_by_the_token_limit() -> None:
    assert tidy("The union will strike. The minister said that the") == "The union will strike."
    assert tidy("Only a fragment without end") == "Only a fragment without end"
    assert tidy("  Two   spaces.\nNew line. ") == "Two spaces. New line."

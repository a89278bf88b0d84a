"""The faithfulness guard keeps supported sentences and drops invented ones."""

from __future__ import annotations

from briefing.guard import guard_summaries
from briefing.text import split_sentences

SOURCE = (
    "France is to set out its own proposals for tackling the Channel migrant crisis.\n\n"
    "Gerald Darmanin said French Prime Minister Jean Castex would write to Boris Johnson on Tuesday.\n\n"
    "Home Secretary Priti Patel has been disinvited from a meeting in Calais on Sunday.\n\n"
    "Mr Johnson is due to hold talks with Belgian prime minister Alexander de Croo.\n\n"
    "A record 25,700 people have crossed the Channel in small boats this year."
)
ALIASES = ["Gerald Darmanin", "Darmanin", "Mr Darmanin", "Boris Johnson", "Johnson", "Mr Johnson"]


def guard(summary: str):  # type: ignore[no-untyped-def]
    (result,) = guard_summaries([summary], [SOURCE], [ALIASES])
    return result


def test_supported_summary_is_kept_whole() -> None:
    summary = (
        "Mr Darmanin said Jean Castex would write to Mr Johnson. A record 25,700 people crossed the Channel this year."
    )
    result = guard(summary)
    assert (result.text, result.dropped, result.replaced, result.warnings) == (summary, 0, False, ())


def test_the_belgian_prime_minister_in_calais_is_caught() -> None:
    # Every name is in the article, but the article never puts them together.
    result = guard(
        "France will meet the Belgian prime minister in Calais. Mr Johnson is due to hold talks with Alexander de Croo."
    )
    assert result.dropped == 1 and result.text == "Mr Johnson is due to hold talks with Alexander de Croo."
    assert "never links" in result.warnings[0] and "1 of 2" in result.warnings[0]


def test_invented_names_and_numbers_are_dropped() -> None:
    result = guard(
        "Angela Merkel backed the plan. Boris Johnson said 40,000 people crossed. Darmanin said Castex would write to Johnson."
    )
    assert result.dropped == 2
    assert "‘Angela Merkel’ not in the article" in result.warnings[0] and "‘40,000’" in result.warnings[0]


def test_too_little_left_falls_back_to_the_extractive_summary() -> None:
    result = guard("Germany will pay 500 million euros to Italy.")
    assert result.replaced and result.dropped == 1
    assert result.text.startswith("France is to set out its own proposals")
    assert all(sentence in SOURCE for sentence in split_sentences(result.text))


def test_a_wrong_title_on_a_real_name_is_caught() -> None:
    # Both "Prime Minister" and Darmanin are in the article, but never as one.
    result = guard(
        "The Prime Minister Gerald Darmanin called for talks. Home Secretary Priti Patel was disinvited from a meeting."
    )
    assert result.dropped == 1 and result.text == "Home Secretary Priti Patel was disinvited from a meeting."
    assert "never calls Gerald Darmanin ‘Prime Minister’" in result.warnings[0]

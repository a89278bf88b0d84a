"""Prompt templates are data files (`prompts/*.txt`) with `$name` placeholders.

Users can point `--prompts DIR` at a folder of their own; a file there replaces
the built-in file of the same name.
"""

from __future__ import annotations

import string
from importlib import resources
from pathlib import Path

from briefing.errors import PromptError


def load_template(name: str, user_dir: Path | None = None) -> str:
    """The text of prompt `name` (e.g. 'summarise_article.txt')."""
    if user_dir is not None and (user_dir / name).is_file():
        return (user_dir / name).read_text(encoding="utf-8")
    resource = resources.files("briefing").joinpath("prompts", name)
    if not resource.is_file():
        raise PromptError(f"prompt template {name!r} not found")
    return resource.read_text(encoding="utf-8")


def render(template: str, name: str, **values: str) -> str:
    """Fill a template; a placeholder nobody supplied is an error that names it."""
    try:
        return string.Template(template).substitute(values)
    except KeyError as exc:
        raise PromptError(f"prompt template {name!r} uses ${exc.args[0]}, which is not supplied") from None
    except ValueError as exc:
        raise PromptError(f"prompt template {name!r}: {exc}") from None


# The chat prompts: one system message, and one user template per kind of request.
CHAT_TEMPLATES = {
    "article": "summarise_article.txt",
    "part": "summarise_part.txt",
    "combine": "combine_summaries.txt",
    "selection": "condense_selection.txt",
}


class ChatPrompts:
    """The messages a chat model gets for each request, in-process or through a server:
    both read the same templates, so both are asked the same thing."""

    def __init__(self, user_dir: Path | None = None) -> None:
        self.system = load_template("system.txt", user_dir).strip()
        self.templates = {kind: load_template(name, user_dir) for kind, name in CHAT_TEMPLATES.items()}

    def messages(self, kind: str, title: str | None, text: str) -> list[dict[str, str]]:
        user = render(self.templates[kind], CHAT_TEMPLATES[kind], title=title or "(untitled)", text=text)
        return [{"role": "system", "content": self.system}, {"role": "user", "content": user}]

    def identity(self) -> object:
        return [self.system, self.templates]

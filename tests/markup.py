"""Parse HTML as a browser's tokenizer sees it, for tests that check what a page
would show or run."""

from __future__ import annotations

from html.parser import HTMLParser


class Markup(HTMLParser):
    """Elements, attributes, <style> contents and text, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.elements: list[tuple[str, dict[str, str]]] = []  # (tag, its attributes), in document order
        self.attributes: list[tuple[str, str, str]] = []
        self.styles: list[str] = []
        self.text: list[str] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.elements.append((tag, {name: value or "" for name, value in attrs}))
        self.attributes.extend((tag, name, value or "") for name, value in attrs)
        self._style = tag == "style"

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        (self.styles if self._style else self.text).append(data)


def parse(document: str) -> Markup:
    markup = Markup()
    markup.feed(document)
    markup.close()
    return markup


def hrefs(markup: Markup) -> list[str]:
    return [value for _, name, value in markup.attributes if name == "href"]

"""Saved web pages and Notion HTML exports (selectolax/lexbor): the main text and its headings.

Scripts, styles, forms, navigation, asides and site headers/footers are dropped; the page's
`<main>` or `<article>` is read when it has one. Only text comes out — nothing from the file
is ever rendered or run.
"""
from __future__ import annotations

import re

from . import Extracted, table_lines
from .text import decode_text

DROP = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
        "form", "button", "select", "input", "textarea", "nav", "aside")
BLOCKS = {"p", "div", "section", "article", "main", "header", "footer", "blockquote", "figure",
          "figcaption", "dl", "dt", "dd", "ul", "ol", "body", "html", "details", "summary", "address"}


def _text(node) -> str:
    return " ".join((node.text(deep=True, separator=" ") or "").split())


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.inline: list[str] = []

    def flush(self) -> None:
        text = " ".join(" ".join(self.inline).split())
        if text:
            self.lines += [text, ""]
        self.inline = []

    def block(self, *lines: str) -> None:
        self.flush()
        if self.lines and self.lines[-1]:
            self.lines.append("")  # a heading, table or code block never runs into a list
        self.lines += [*lines, ""]

    def walk(self, node) -> None:
        child = node.child
        while child is not None:
            self.visit(child)
            child = child.next

    def visit(self, node) -> None:
        tag = node.tag
        if tag == "-text":
            self.inline.append(node.text_content or "")
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            text = _text(node)
            if text:
                self.block("#" * int(tag[1]) + " " + text)
        elif tag == "li":
            self.flush()
            text = _text(node)
            if text:
                self.lines.append(f"- {text}")
        elif tag == "pre":
            self.block("```", (node.text(deep=True) or "").strip("\n"), "```")
        elif tag == "table":
            self.block(*_table(node))
        elif tag == "br":
            self.flush()
        elif tag in BLOCKS:
            self.flush()
            self.walk(node)
            self.flush()
        else:
            self.walk(node)  # inline elements: their text joins the current paragraph


def _table(node) -> list[str]:
    rows = []
    for tr in node.css("tr"):
        cells = [_text(c).replace("|", "\\|") for c in tr.iter() if c.tag in ("td", "th")]
        if cells:
            rows.append(cells)
    return table_lines(rows)


def html_to_text(html: str) -> str:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    tree.strip_tags(list(DROP))
    main = tree.css_first("main") or tree.css_first("article") or tree.css_first("[role=main]")
    if main is None:  # no marked main part: drop the site's own header and footer
        for node in tree.css("body > header, body > footer"):
            node.decompose()
    root = main or tree.body or tree.root
    w = _Writer()
    if main is not None and tree.css_first("title") is not None and not main.css_first("h1"):
        title = _text(tree.css_first("title"))
        if title:
            w.block(f"# {title}")
    if root is not None:
        w.visit(root)
    w.flush()
    return re.sub(r"\n{3,}", "\n\n", "\n".join(w.lines)).strip() + "\n"


def read(data: bytes, name: str) -> Extracted:
    text, _ = decode_text(data)
    return Extracted(html_to_text(text), "html")

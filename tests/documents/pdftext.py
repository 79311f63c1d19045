"""Reading back the text of a generated PDF with pikepdf, through each font's ToUnicode map.

WeasyPrint writes text as glyph codes of embedded font subsets, so the letters are found by
mapping each two-byte code through the font's ToUnicode CMap.
"""

from __future__ import annotations

import re

import pikepdf

_HEX_PAIR = re.compile(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_HEX_RANGE = re.compile(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


def _unicode_map(font: pikepdf.Dictionary) -> dict[int, str]:
    mapping: dict[int, str] = {}
    cmap = font.get("/ToUnicode")
    if cmap is None:
        return mapping
    text = cmap.read_bytes().decode("latin-1")
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for source, target in _HEX_PAIR.findall(block):
            mapping[int(source, 16)] = bytes.fromhex(target).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for first, last, target in _HEX_RANGE.findall(block):
            start = int(target, 16)
            for offset, code in enumerate(range(int(first, 16), int(last, 16) + 1)):
                mapping[code] = chr(start + offset)
    return mapping


def page_text(page: pikepdf.Page) -> str:
    fonts = page.obj.Resources.get("/Font", pikepdf.Dictionary())
    maps: dict[str, dict[int, str]] = {}
    current: dict[int, str] = {}
    pieces: list[str] = []
    for operands, operator in pikepdf.parse_content_stream(page):
        name = str(operator)
        if name == "Tf":
            key = str(operands[0])
            if key not in maps:
                maps[key] = _unicode_map(fonts[key])
            current = maps[key]
        elif name in ("Tj", "TJ"):
            items = operands[0] if name == "TJ" else [operands[0]]
            for item in items:
                if isinstance(item, pikepdf.String):
                    raw = bytes(item)
                    codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
                    pieces.append("".join(current.get(code, "") for code in codes))
        elif name == "ET":
            pieces.append("\n")
    return "".join(pieces)


def pdf_text(document: pikepdf.Pdf) -> str:
    return "\n".join(page_text(page) for page in document.pages)


def outline_titles(document: pikepdf.Pdf) -> list[str]:
    titles: list[str] = []
    with document.open_outline() as outline:
        stack = list(reversed(outline.root))
        while stack:
            item = stack.pop()
            titles.append(str(item.title))
            stack.extend(reversed(item.children))
    return titles

"""Tables for the PDF, laid out here rather than by fpdf2's `table()`.

fpdf2 breaks a cell's lines by adding one character at a time and shaping the whole line
again each time: with HarfBuzz on, a Khmer plan of ordinary size took seconds, one at every
field's limit minutes. Here each piece between two break opportunities (a space, or the
zero-width space `with_break_hints` puts between syllables) is shaped once, lines are
filled greedily, and each line is drawn shaped with one `cell()`. A row taller than a
page continues over several rows, which fpdf2's tables refuse to do.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF

LINE = 5.0
PADDING = 1.2
#: A row split over two pages leaves at least this many lines on the first.
MIN_ROW_LINES = 4
_PIECES = re.compile(r"[^ \u200b]*[ \u200b]*")
_TRAILING = " \u200b"
#: Kerning across pieces is not measured: keep this much room at the end of a line.
SLACK = 0.3


@dataclass(frozen=True)
class Cell:
    text: str
    bold: bool = False
    fill: tuple[int, int, int] | None = None
    align: str = "L"


def _width(pdf: FPDF, text: str) -> float:
    """The shaped width of a piece in the current font, remembered per document: a
    plan repeats its syllables and words, and shaping each again is what costs."""
    known: dict[tuple[str, str, float, str], float] = pdf.__dict__.setdefault("_widths", {})
    key = (pdf.font_family, pdf.font_style, pdf.font_size_pt, text)
    if key not in known:
        known[key] = pdf.get_string_width(text)
    return known[key]


def _split_long(pdf: FPDF, piece: str, width: float) -> list[str]:
    """A piece wider than its cell (a long address or number): cut between characters."""
    parts, current, used = [], "", 0.0
    for char in piece:
        size = _width(pdf, char)
        if current and used + size > width:
            parts.append(current)
            current, used = "", 0.0
        current += char
        used += size
    return [*parts, current]


def wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """The lines of `text` in a cell `width` wide (current font), breaking only at spaces
    and at zero-width spaces, each piece measured once."""
    lines: list[str] = []
    room = width - SLACK
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for piece in _PIECES.findall(paragraph):
            if not piece:
                continue
            word = piece.rstrip(_TRAILING)
            visible = _width(pdf, word) if word else 0.0
            size = visible + sum(_width(pdf, c) for c in piece[len(word) :])
            if line and used + visible > room:
                lines.append(line.rstrip(_TRAILING))
                line, used = "", 0.0
            if not line and visible > room:
                *full, piece = _split_long(pdf, piece, room)
                lines += full
                size = sum(_width(pdf, c) for c in piece)
            line += piece
            used += size
        lines.append(line.rstrip(_TRAILING))
    return lines


def paragraph(pdf: FPDF, text: str, height: float, width: float = 0) -> None:
    """Text across the page (or `width` from the current x), wrapped as in a table, one
    shaped line at a time; the cursor ends at the left margin below it."""
    x = pdf.get_x()
    width = width or pdf.w - pdf.r_margin - x
    for line in wrap(pdf, text, width):
        pdf.current_font_is_set_on_page = False  # see Table._draw
        pdf.set_x(x)
        pdf.cell(width, height, line, new_x="LMARGIN", new_y="NEXT")


def _height(lines: list[list[str]]) -> float:
    return max(map(len, lines)) * LINE + 2 * PADDING


class Table:
    """Rows drawn one after another across the page; the header row again on each page."""

    def __init__(self, pdf: FPDF, shares: Sequence[float], header: Sequence[Cell]) -> None:
        self.pdf = pdf
        self.widths = [pdf.epw * share / sum(shares) for share in shares]
        self.header = list(header)
        self._header_lines = self._lines(self.header)
        self._header_drawn = False

    def _lines(self, cells: Sequence[Cell]) -> list[list[str]]:
        found = []
        for cell, width in zip(cells, self.widths, strict=True):
            self.pdf.set_font(style="B" if cell.bold else "")
            found.append(wrap(self.pdf, cell.text, width - 2 * PADDING))
        self.pdf.set_font(style="")
        return found

    def _draw(self, cells: Sequence[Cell], lines: list[list[str]]) -> None:
        pdf, x, y = self.pdf, self.pdf.l_margin, self.pdf.get_y()
        height = _height(lines)
        for cell, cell_lines, width in zip(cells, lines, self.widths, strict=True):
            if cell.fill:
                pdf.set_fill_color(*cell.fill)
            pdf.rect(x, y, width, height, style="DF" if cell.fill else "D")
            pdf.set_font(style="B" if cell.bold else "")
            for n, text in enumerate(cell_lines):
                pdf.set_xy(x + PADDING, y + PADDING + n * LINE)
                # fpdf2 2.8.9 marks the page's font as set after a line that began in a
                # fallback font inside its own q/Q, so the next line in the same font
                # and style would be drawn without one (seen: a Khmer heading after "#").
                pdf.current_font_is_set_on_page = False
                pdf.cell(width - 2 * PADDING, LINE, text, align=cell.align)
            x += width
        pdf.set_font(style="")
        pdf.set_xy(pdf.l_margin, y + height)

    def _room(self) -> int:
        """Lines a row may still have on this page (below the headings if not yet drawn)."""
        header = 0.0 if self._header_drawn else _height(self._header_lines)
        free = self.pdf.page_break_trigger - self.pdf.get_y() - header - 2 * PADDING
        return int(free // LINE)

    def row(self, cells: Sequence[Cell]) -> None:
        """Draw a row; one taller than the room left on the page goes on over the next
        (with the headings again), as consecutive rows, rather than leaving a gap."""
        lines = self._lines(cells)
        start, count = 0, max(map(len, lines))
        while start < count:
            room = self._room()
            if room < min(count - start, MIN_ROW_LINES):
                self.pdf.add_page()
                self._header_drawn = False
                room = self._room()
            if not self._header_drawn:
                self._draw(self.header, self._header_lines)
                self._header_drawn = True
            part = [cell_lines[start : start + room] for cell_lines in lines]
            self._draw(cells, part)
            start += room

"""Fonts for the PDF reports, so that every name prints, whatever its script.

ReportLab embeds TrueType (``glyf``) fonts only and does no OpenType shaping, so:

- The faces come from pip packages, all Noto under the SIL Open Font License 1.1 (each
  package ships the licence): Noto Sans for Latin, Greek and Cyrillic (``fontpkg-noto-sans``),
  Noto Sans Arabic and Hebrew (``justmytype-intl-rtl``) and Noto Sans CJK (``noto-cjk-sans-otc``,
  one collection with a Japanese, Korean, Simplified and Traditional Chinese face).
- The Noto Sans faces are variable fonts and the CJK collection has CFF outlines, neither of
  which ReportLab can use as they are. fontTools cuts each face down to the characters a
  document uses, pins the weight (regular 400, bold 700) and turns CFF outlines into
  TrueType ones. A subset takes well under a second, where instancing a whole CJK face takes
  tens of seconds. Subsets are content-addressed (the PostScript name carries a digest of the
  characters) and cached, so the same text reuses one registered font.
- Text is split into runs by which face has the glyphs (by the face's cmap), and each run is
  set in its own face. Arabic is shaped into presentation forms (``arabic-reshaper``) and
  every line with right-to-left text is put in visual order (``python-bidi``).
- The CJK collection has one weight: bold CJK text is set in the regular weight.

A ``FontBook`` belongs to one document: it remembers which characters each face has been
asked for, so a document embeds one subset per face and weight. ``prepare`` it with the
document's variable text first; text it has not seen still works, at the cost of a further
subset.
"""

from __future__ import annotations

import hashlib
import io
import logging
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.metadata import files as dist_files
from importlib.resources import files
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi import get_display
from fontTools import subset as ft_subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont as FTFont
from fontTools.ttLib import newTable
from fontTools.varLib import instancer
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

# fontTools reports every table it subsets at INFO: not for the application log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

REGULAR = 400
BOLD = 700


@dataclass(frozen=True, slots=True)
class Face:
    """One font face from a package: where it is and what kind of outlines it has."""

    key: str
    package: str
    resource: str
    base_name: str  # the start of the PostScript names given to its subsets
    font_number: int = 0  # the face's index in a collection (.ttc)
    variable: bool = True  # has a weight axis; else one weight only
    cff: bool = False  # PostScript outlines, converted to TrueType when subset

    @property
    def path(self) -> Path:
        return Path(str(files(self.package).joinpath(self.resource)))


SANS = Face("sans", "fontpkg_noto_sans", "files/NotoSans[wdth,wght].ttf", "NotoSans")
ARABIC = Face(
    "arabic",
    "justmytype_intl_rtl",
    "fonts/ofl/notosansarabic/NotoSansArabic[wdth,wght].ttf",
    "NotoSansArabic",
)
HEBREW = Face(
    "hebrew",
    "justmytype_intl_rtl",
    "fonts/ofl/notosanshebrew/NotoSansHebrew[wdth,wght].ttf",
    "NotoSansHebrew",
)
_CJK = "NotoSansCJK-Regular.ttc"
CJK_JP = Face("cjk-jp", "noto_cjk_sans_otc", _CJK, "NotoSansCJKjp", 0, variable=False, cff=True)
CJK_KR = Face("cjk-kr", "noto_cjk_sans_otc", _CJK, "NotoSansCJKkr", 1, variable=False, cff=True)
CJK_SC = Face("cjk-sc", "noto_cjk_sans_otc", _CJK, "NotoSansCJKsc", 2, variable=False, cff=True)

FACES = (SANS, ARABIC, HEBREW, CJK_SC, CJK_JP, CJK_KR)

# Always in the main face, bold and regular: what labels, numbers and page footers use.
_BASE_CHARS = frozenset(
    [chr(c) for c in range(0x20, 0x7F)] + list("—–‑…·•‘’“”°×÷±≤≥€£¥§¶\u00a0\u00ad")
)
_NEUTRAL_CATEGORIES = frozenset({"Zs", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Nd", "Sm", "Sc"})

_register_lock = threading.Lock()


@cache
def coverage(face: Face) -> frozenset[int]:
    """The code points the face has glyphs for (read once per process)."""
    font = FTFont(str(face.path), fontNumber=face.font_number, lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def _cjk_face(text: str) -> Face:
    """Which CJK face draws Han characters: the language the rest of the text shows."""
    if any(_is_hangul(ord(c)) for c in text):
        return CJK_KR
    if any(_is_kana(ord(c)) for c in text):
        return CJK_JP
    return CJK_SC


def _is_hangul(cp: int) -> bool:
    return 0xAC00 <= cp <= 0xD7AF or 0x1100 <= cp <= 0x11FF or 0x3130 <= cp <= 0x318F


def _is_kana(cp: int) -> bool:
    return 0x3040 <= cp <= 0x30FF or 0x31F0 <= cp <= 0x31FF or 0xFF66 <= cp <= 0xFF9F


def _is_rtl(ch: str) -> bool:
    return unicodedata.bidirectional(ch) in ("R", "AL")


_reshaper = arabic_reshaper.ArabicReshaper(
    configuration={"delete_harakat": False, "support_ligatures": True}
)


def visual_line(line: str) -> str:
    """One line as it is drawn left to right: NFC, Arabic shaped, right-to-left reordered.

    Lines without right-to-left characters come back as they are (after NFC), so Latin, CJK
    and the rest are never touched by the bidi algorithm.
    """
    line = unicodedata.normalize("NFC", line)
    if not any(_is_rtl(c) for c in line):
        return line
    arabic = coverage(ARABIC)
    shaped = _reshaper.reshape(line)
    # A form the face lacks would print as a box: keep the plain letter instead.
    if any(ord(c) not in arabic and c not in line for c in shaped):
        shaped = line
    return str(get_display(shaped))


def split_runs(line: str) -> list[tuple[Face, str]]:
    """Cut a (visual) line into runs, each set in the first face that has its glyphs.

    Spaces, punctuation, digits and combining marks stay in the face of the run they are in,
    so a name in one script is one run. A character no face has falls to the main face,
    which prints its missing-glyph box.
    """
    cjk = _cjk_face(line)
    order = (SANS, ARABIC, HEBREW, cjk, CJK_SC, CJK_JP, CJK_KR)
    runs: list[tuple[Face, list[str]]] = []
    for ch in line:
        cp = ord(ch)
        current = runs[-1][0] if runs else None
        category = unicodedata.category(ch)
        if (
            current is not None
            and (category in _NEUTRAL_CATEGORIES or category.startswith("M"))
            and cp in coverage(current)
        ):
            face = current
        else:
            face = next((f for f in order if cp in coverage(f)), SANS)
        if face is current:
            runs[-1][1].append(ch)
        else:
            runs.append((face, [ch]))
    return [(face, "".join(chars)) for face, chars in runs]


def _clean(text: str) -> list[str]:
    """Lines of the text, with tabs and other control characters as spaces."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return ["".join(" " if unicodedata.category(c) == "Cc" else c for c in ln) for ln in lines]


def _weight(face: Face, bold: bool) -> int:
    return BOLD if bold and face.variable else REGULAR


@lru_cache(maxsize=128)
def subset_font(face: Face, weight: int, chars: frozenset[str]) -> tuple[str, bytes]:
    """A static TrueType font with just ``chars`` of the face at the weight: (name, bytes).

    The PostScript name ends in a digest of the face, weight and characters, so two subsets
    never share a name (ReportLab keys embedded fonts by it).
    """
    digest = hashlib.sha1(
        f"{face.key}/{weight}/".encode() + "".join(sorted(chars)).encode("utf-8", "surrogatepass")
    ).hexdigest()[:12]
    style = "Bold" if weight == BOLD else "Regular"
    name = f"{face.base_name}-{style}-{digest}"
    source = FTFont(str(face.path), fontNumber=face.font_number, lazy=True)
    try:
        return name, _static_subset(source, face, weight, chars, name)
    finally:
        source.close()


def _static_subset(source: Any, face: Face, weight: int, chars: frozenset[str], name: str) -> bytes:
    """Subset, pin the weight, convert the outlines and rename; the bytes of the result."""
    options = ft_subset.Options()
    options.layout_features = []  # ReportLab does no OpenType layout
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "VORG", "vhea", "vmtx"]
    options.hinting = False
    options.notdef_outline = True  # a missing glyph shows as a box, not as nothing
    options.name_IDs = ["*"]  # keep the copyright and licence records
    options.name_languages = ["*"]
    options.name_legacy = True
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(text="".join(chars))
    subsetter.subset(source)
    font = source
    if "fvar" in font:
        location = {
            axis.axisTag: (
                min(max(weight, axis.minValue), axis.maxValue)
                if axis.axisTag == "wght"
                else axis.defaultValue
            )
            for axis in font["fvar"].axes
        }
        font = instancer.instantiateVariableFont(font, location, inplace=True)
    if face.cff:
        _cff_to_glyf(font)
    names = font["name"]
    names.removeNames(nameID=6)
    names.setName(name, 6, 3, 1, 0x409)
    names.setName(name, 6, 1, 0, 0)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _cff_to_glyf(font: Any) -> None:
    """Replace CFF outlines by quadratic TrueType ones, in place."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for glyph_name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[glyph_name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf[glyph_name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


def _register(face: Face, weight: int, chars: frozenset[str]) -> str:
    name, data = subset_font(face, weight, chars)
    with _register_lock:
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, io.BytesIO(data)))
    return name


class FontBook:
    """The fonts of one document: per face and weight, the subset for the text seen so far."""

    def __init__(self, texts: Iterable[str] = ()) -> None:
        self._chars: dict[tuple[Face, int], frozenset[str]] = {}
        self._names: dict[tuple[Face, int], str] = {}
        self.prepare(texts)

    def prepare(self, texts: Iterable[str], bold: bool | None = None) -> None:
        """Make subsets for all these texts at once (both weights unless ``bold`` is given)."""
        wanted: dict[tuple[Face, int], set[str]] = {}
        weights = (False, True) if bold is None else (bold,)
        for key in ((SANS, REGULAR), (SANS, BOLD)):
            wanted.setdefault(key, set()).update(_BASE_CHARS)
        for text in texts:
            for line in _clean(text):
                for face, run in split_runs(visual_line(line)):
                    for b in weights:
                        wanted.setdefault((face, _weight(face, b)), set()).update(run)
        for (face, weight), chars in wanted.items():
            self._ensure(face, weight, chars)

    def _ensure(self, face: Face, weight: int, chars: Iterable[str]) -> str:
        key = (face, weight)
        have = self._chars.get(key, frozenset())
        need = have.union(chars, " ")
        if key not in self._names or need != have:
            self._names[key] = _register(face, weight, need)
            self._chars[key] = need
        return self._names[key]

    def font_name(self, bold: bool = False) -> str:
        """The main face's registered name (for styles, the canvas and chart labels)."""
        return self._ensure(SANS, _weight(SANS, bold), _BASE_CHARS)

    def runs(self, text: str, bold: bool = False) -> list[list[tuple[str, str]]]:
        """Per line, the (registered font name, visual text) runs that draw the text."""
        lines: list[list[tuple[str, str]]] = []
        for line in _clean(text):
            runs = []
            for face, run in split_runs(visual_line(line)):
                runs.append((self._ensure(face, _weight(face, bold), run), run))
            lines.append(runs)
        return lines

    def markup(self, text: str, bold: bool = False) -> str:
        """Paragraph markup for plain text: escaped, one ``<font>`` per run, lines as <br/>."""
        return "<br/>".join(
            "".join(f'<font name="{name}">{escape(run)}</font>' for name, run in line)
            for line in self.runs(text, bold)
        )

    def width(self, text: str, size: float, bold: bool = False) -> float:
        """The width of the widest line of the text, in points."""
        return max(
            (
                sum(pdfmetrics.stringWidth(run, name, size) for name, run in line)
                for line in self.runs(text, bold)
            ),
            default=0.0,
        )

    def fit(self, text: str, width: float, size: float, bold: bool = False) -> str:
        """The text, shortened with an ellipsis (in logical order) to fit one line of width."""
        text = " ".join(text.split())
        if self.width(text, size, bold) <= width:
            return text
        low, high = 0, len(text)
        while low < high:  # the longest prefix that fits with the ellipsis
            middle = (low + high + 1) // 2
            if self.width(text[:middle].rstrip() + "…", size, bold) <= width:
                low = middle
            else:
                high = middle - 1
        return text[:low].rstrip() + "…"

    def draw(
        self,
        canvas: Any,
        x: float,
        y: float,
        text: str,
        size: float,
        bold: bool = False,
        align: str = "left",
    ) -> None:
        """Draw one line on a canvas in its runs' fonts; ``align`` is left, right or centre."""
        line = self.runs(" ".join(text.split()), bold)[0]
        total = sum(pdfmetrics.stringWidth(run, name, size) for name, run in line)
        if align == "right":
            x -= total
        elif align == "centre":
            x -= total / 2
        for name, run in line:
            canvas.setFont(name, size)
            canvas.drawString(x, y, run)
            x += pdfmetrics.stringWidth(run, name, size)


def licence_files() -> list[Path]:
    """The OFL licence texts of the faces used, for an About box or a bundler's manifest."""
    found = [
        Path(str(files("fontpkg_noto_sans").joinpath("LICENSE"))),
        ARABIC.path.parent / "OFL.txt",
        HEBREW.path.parent / "OFL.txt",
    ]
    for entry in dist_files("noto-cjk-sans-otc") or ():
        if entry.name == "LICENSE":
            found.append(Path(str(entry.locate())))
    return [path for path in found if path.exists()]

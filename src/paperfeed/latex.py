"""Render the LaTeX found in titles and abstracts as readable Unicode (display only)."""

from __future__ import annotations

import re
import unicodedata

# Combining marks for the accent commands: \'e → é, \"u → ü, \c{c} → ç …
_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "b": "\u0331",
    "d": "\u0323",
}
# Letter-like commands: \ss, \o, \aa, \l …
_LETTERS = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "aa": "å",
    "AA": "Å",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
    "dh": "ð",
    "DH": "Ð",
    "th": "þ",
    "TH": "Þ",
}
_SYMBOLS = {
    # Greek
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",
    "varepsilon": "ε",
    "zeta": "ζ",
    "eta": "η",
    "theta": "θ",
    "vartheta": "ϑ",
    "iota": "ι",
    "kappa": "κ",
    "lambda": "λ",
    "mu": "μ",
    "nu": "ν",
    "xi": "ξ",
    "pi": "π",
    "varpi": "ϖ",
    "rho": "ρ",
    "varrho": "ϱ",
    "sigma": "σ",
    "varsigma": "ς",
    "tau": "τ",
    "upsilon": "υ",
    "phi": "ϕ",
    "varphi": "φ",
    "chi": "χ",
    "psi": "ψ",
    "omega": "ω",
    "Gamma": "Γ",
    "Delta": "Δ",
    "Theta": "Θ",
    "Lambda": "Λ",
    "Xi": "Ξ",
    "Pi": "Π",
    "Sigma": "Σ",
    "Upsilon": "Υ",
    "Phi": "Φ",
    "Psi": "Ψ",
    "Omega": "Ω",
    # relations and operators
    "times": "×",
    "cdot": "·",
    "cdots": "⋯",
    "ldots": "…",
    "dots": "…",
    "pm": "±",
    "mp": "∓",
    "div": "÷",
    "leq": "≤",
    "le": "≤",
    "geq": "≥",
    "ge": "≥",
    "neq": "≠",
    "ne": "≠",
    "approx": "≈",
    "sim": "∼",
    "simeq": "≃",
    "propto": "∝",
    "equiv": "≡",
    "ll": "≪",
    "gg": "≫",
    "in": "∈",
    "notin": "∉",
    "subset": "⊂",
    "subseteq": "⊆",
    "supset": "⊃",
    "supseteq": "⊇",
    "cup": "∪",
    "cap": "∩",
    "setminus": "∖",
    "emptyset": "∅",
    "varnothing": "∅",
    "infty": "∞",
    "partial": "∂",
    "nabla": "∇",
    "forall": "∀",
    "exists": "∃",
    "neg": "¬",
    "lnot": "¬",
    "wedge": "∧",
    "land": "∧",
    "vee": "∨",
    "lor": "∨",
    "oplus": "⊕",
    "otimes": "⊗",
    "circ": "∘",
    "star": "⋆",
    "ast": "∗",
    "sum": "∑",
    "prod": "∏",
    "int": "∫",
    "sqrt": "√",
    "to": "→",
    "rightarrow": "→",
    "leftarrow": "←",
    "Rightarrow": "⇒",
    "Leftarrow": "⇐",
    "leftrightarrow": "↔",
    "Leftrightarrow": "⇔",
    "mapsto": "↦",
    "implies": "⟹",
    "iff": "⟺",
    "uparrow": "↑",
    "downarrow": "↓",
    "langle": "⟨",
    "rangle": "⟩",
    "lceil": "⌈",
    "rceil": "⌉",
    "lfloor": "⌊",
    "rfloor": "⌋",
    "mid": "|",
    "vert": "|",
    "Vert": "‖",
    "|": "‖",
    "perp": "⊥",
    "top": "⊤",
    "bot": "⊥",
    "ell": "ℓ",
    "hbar": "ℏ",
    "Re": "ℜ",
    "Im": "ℑ",
    "aleph": "ℵ",
    "prime": "′",
    "degree": "°",
    "checkmark": "✓",
    # text symbols
    "textemdash": "—",
    "textendash": "–",
    "textquoteleft": "‘",
    "textquoteright": "’",
    "textquotedblleft": "“",
    "textquotedblright": "”",
    "textbullet": "•",
    "textdegree": "°",
    "textasciitilde": "~",
    "textbackslash": "\\",
    "textbar": "|",
    "textless": "<",
    "textgreater": ">",
    "texttimes": "×",
    "copyright": "©",
    "dag": "†",
    "ddag": "‡",
    "S": "§",
    "P": "¶",
    "pounds": "£",
    "euro": "€",
    "LaTeX": "LaTeX",
    "TeX": "TeX",
    "log": "log",
    "exp": "exp",
    "max": "max",
    "min": "min",
    "arg": "arg",
    "argmax": "argmax",
    "argmin": "argmin",
    "sup": "sup",
    "inf": "inf",
    "lim": "lim",
    "sin": "sin",
    "cos": "cos",
    "tanh": "tanh",
    "det": "det",
    "Pr": "Pr",
    "quad": " ",
    "qquad": " ",
    "enspace": " ",
    "newline": " ",
    "par": " ",
    "left": "",
    "right": "",
    "big": "",
    "Big": "",
    "bigg": "",
    "Bigg": "",
    "bigl": "",
    "bigr": "",
    "Bigl": "",
    "Bigr": "",
    "displaystyle": "",
    "textstyle": "",
    "noindent": "",
    "xspace": "",
    "relax": "",
    "limits": "",
    "nolimits": "",
    "centering": "",
    "footnotesize": "",
    "small": "",
    "normalsize": "",
    "large": "",
    "Large": "",
    "tiny": "",
}
_ESCAPES = {
    "%": "%",
    "&": "&",
    "$": "$",
    "#": "#",
    "_": "_",
    "{": "{",
    "}": "}",
    ",": " ",
    ";": " ",
    ":": " ",
    "!": "",
    " ": " ",
    "/": "",
    "-": "",
    "\\": " ",
}
# Commands whose argument is shown as is: \emph{x} → x
_KEEP_ARG = {
    "emph",
    "textit",
    "textbf",
    "texttt",
    "textsf",
    "textrm",
    "textsc",
    "textnormal",
    "textup",
    "textmd",
    "underline",
    "text",
    "mbox",
    "hbox",
    "mathrm",
    "mathit",
    "mathbf",
    "mathsf",
    "mathtt",
    "mathnormal",
    "operatorname",
    "boldsymbol",
    "bm",
    "url",
    "path",
    "textsuperscript",
    "textsubscript",
    "ensuremath",
    "hat",
    "widehat",
    "tilde",
    "widetilde",
    "bar",
    "overline",
    "vec",
    "dot",
    "ddot",
    "check",
    "acute",
    "grave",
    "breve",
    "mathring",
    "textcolor",
    "color",
}
# Commands whose argument is dropped: \cite{x}, \label{x} …
_DROP_ARG = {
    "cite",
    "citep",
    "citet",
    "citealp",
    "ref",
    "eqref",
    "label",
    "footnote",
    "thanks",
    "vspace",
    "hspace",
    "index",
}

_SCRIPT = {
    "mathcal": (0x1D49C, 0x1D4B6),
    "mathbb": (0x1D538, 0x1D552),
    "mathfrak": (0x1D504, 0x1D51E),
    "mathscr": (0x1D49C, 0x1D4B6),
}
# Letters that have their own code points outside the contiguous blocks.
_SCRIPT_HOLES = {
    "mathcal": {
        "B": "ℬ",
        "E": "ℰ",
        "F": "ℱ",
        "H": "ℋ",
        "I": "ℐ",
        "L": "ℒ",
        "M": "ℳ",
        "R": "ℛ",
        "e": "ℯ",
        "g": "ℊ",
        "o": "ℴ",
    },
    "mathbb": {"C": "ℂ", "H": "ℍ", "N": "ℕ", "P": "ℙ", "Q": "ℚ", "R": "ℝ", "Z": "ℤ"},
    "mathfrak": {"C": "ℭ", "H": "ℌ", "I": "ℑ", "R": "ℜ", "Z": "ℨ"},
}
_SCRIPT_HOLES["mathscr"] = _SCRIPT_HOLES["mathcal"]
_SUPER = str.maketrans("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ")
_SUB = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")


def _styled(kind: str, text: str) -> str:
    lower_base, upper_base = _SCRIPT[kind][1], _SCRIPT[kind][0]
    holes = _SCRIPT_HOLES.get(kind, {})
    out = []
    for ch in text:
        if ch in holes:
            out.append(holes[ch])
        elif "A" <= ch <= "Z":
            out.append(chr(upper_base + ord(ch) - ord("A")))
        elif "a" <= ch <= "z" and kind != "mathbb":
            out.append(chr(lower_base + ord(ch) - ord("a")))
        elif "a" <= ch <= "z":
            out.append(chr(0x1D552 + ord(ch) - ord("a")))
        else:
            out.append(ch)
    return "".join(out)


def _accent(mark: str, base: str) -> str:
    base = {"\\i": "i", "\\j": "j", "ı": "i", "ȷ": "j"}.get(base, base)
    if not base:
        return ""
    return unicodedata.normalize("NFC", base[0] + _ACCENTS[mark]) + base[1:]


class _Reader:
    """A tiny recursive-descent reader over LaTeX source."""

    def __init__(self, s: str) -> None:
        self.s = s
        self.i = 0
        self.depth = 0
        self.math = False

    def group(self) -> str | None:
        """Render the next ``{…}`` group (or a single token); None at end of input."""
        s = self.s
        while self.i < len(s) and s[self.i] in " \t\n":
            self.i += 1
        if self.i >= len(s):
            return None
        if s[self.i] == "{":
            self.i += 1
            return self.render(until="}")
        if s[self.i] == "\\":
            return self.command()
        ch = s[self.i]
        self.i += 1
        return ch

    def raw_group(self) -> str:
        """The verbatim text of the next ``{…}`` group (for \\url)."""
        s = self.s
        while self.i < len(s) and s[self.i] in " \t":
            self.i += 1
        if self.i >= len(s) or s[self.i] != "{":
            return ""
        depth, start = 0, self.i + 1
        while self.i < len(s):
            if s[self.i] == "{":
                depth += 1
            elif s[self.i] == "}":
                depth -= 1
                if depth == 0:
                    self.i += 1
                    return s[start : self.i - 1]
            self.i += 1
        return s[start:]

    def optional(self) -> None:
        if self.i < len(self.s) and self.s[self.i] == "[":
            end = self.s.find("]", self.i)
            self.i = len(self.s) if end < 0 else end + 1

    def command(self) -> str:
        s = self.s
        self.i += 1  # the backslash
        if self.i >= len(s):
            return "\\"
        ch = s[self.i]
        if not ch.isalpha():
            self.i += 1
            if ch in "([":
                self.math = True
                return ""
            if ch in ")]":
                self.math = False
                return ""
            if ch in _ACCENTS:
                return _accent(ch, self.group() or "")
            return _ESCAPES.get(ch, ch)
        start = self.i
        while self.i < len(s) and s[self.i].isalpha():
            self.i += 1
        name = s[start : self.i]
        # a space after a control word is part of it
        if name in _LETTERS or name in _SYMBOLS:
            if name in _LETTERS or (name.startswith("text") and not self.math):
                # TeX swallows the space after a control word: tokens\textemdash discrete
                while self.i < len(s) and s[self.i] == " ":
                    self.i += 1
            if self.i + 1 < len(s) and s[self.i : self.i + 2] == "{}":
                self.i += 2
            return _LETTERS.get(name) or _SYMBOLS[name]
        if len(name) == 1 and name in _ACCENTS:
            return _accent(name, self.group() or "")
        if name in _SCRIPT:
            return _styled(name, self.group() or "")
        if name in ("url", "path"):
            return self.raw_group()
        if name == "href":
            self.raw_group()
            return self.group() or ""
        if name in ("frac", "dfrac", "tfrac"):
            num, den = self.group() or "", self.group() or ""
            return f"{_paren(num)}/{_paren(den)}"
        if name in ("textcolor", "color"):
            self.group()  # the colour
            return self.group() or "" if name == "textcolor" else ""
        if name in _KEEP_ARG:
            self.optional()
            return self.group() or ""
        if name in _DROP_ARG:
            self.optional()
            self.group()
            return ""
        if name in ("begin", "end"):
            self.group()
            return " "
        if self.i < len(s) and s[self.i] == "{":
            return ""  # unknown command with an argument: show the argument only
        return name  # unknown command: keep its name readable (a macro like \ourmethod)

    def render(self, until: str = "") -> str:
        s = self.s
        out: list[str] = []
        self.depth += 1
        while self.i < len(s):
            ch = s[self.i]
            if until and ch == until:
                self.i += 1
                break
            if ch == "\\":
                out.append(self.command())
            elif ch == "{":
                self.i += 1
                out.append(self.render(until="}") if self.depth < 50 else "")
            elif ch == "}":
                self.i += 1
            elif ch == "$":
                self.i += 1
                self.math = not self.math
                if self.i < len(s) and s[self.i] == "$":
                    self.i += 1
            elif ch == "~":
                self.i += 1
                out.append(" ")
            elif ch in "^_" and self.math:
                self.i += 1
                arg = self.group() or ""
                table = _SUPER if ch == "^" else _SUB
                mapped = arg.translate(table)
                if all(c != a or c in " " for c, a in zip(mapped, arg, strict=True)) and arg:
                    out.append(mapped)
                else:
                    out.append(ch + (arg if len(arg) == 1 else "{" + arg + "}"))
            elif s.startswith("---", self.i):
                self.i += 3
                out.append("—")
            elif s.startswith("--", self.i):
                self.i += 2
                out.append("–")
            elif s.startswith("``", self.i):
                self.i += 2
                out.append("“")
            elif s.startswith("''", self.i):
                self.i += 2
                out.append("”")
            elif plain := _PLAIN.match(s, self.i):  # a run of characters no branch above wants
                out.append(plain.group())
                self.i = plain.end()
            else:
                out.append(ch)
                self.i += 1
        self.depth -= 1
        return "".join(out)


_PLAIN = re.compile(r"[^\\{}$~^_\-`']+")


def _paren(x: str) -> str:
    return x if len(x) <= 1 or x.isalnum() else f"({x})"


_ACTIVE = re.compile(r"[\\${}~]")


def latex_to_text(s: str) -> str:
    """Readable Unicode for LaTeX in a title or abstract: ``$\\mathcal{O}(n)$`` → ``𝒪(n)``.

    Display only: stored text keeps its LaTeX. Unknown commands keep their name; text
    without a backslash, ``$``, braces, ``~`` or ``--`` comes back unchanged.
    """
    if not s or not (_ACTIVE.search(s) or "--" in s or "``" in s or "''" in s):
        return s  # ^ and _ only count inside $…$, - ` ' only doubled: nothing to render
    try:
        out = _Reader(s).render()
    except RecursionError:
        return s
    return re.sub(r"[ \t]{2,}", " ", out).strip() if out != s else s


_MATH = re.compile(r"(\$\$.*?\$\$|\$[^$]*\$|\\\(.*?\\\)|\\\[.*?\\\])", re.S)


def decode_text_mode(s: str) -> str:
    """Decode accents, escapes and protective braces (BibTeX fields) but leave math as is:
    ``{\\"u}ber {BERT} $O(n)$`` → ``über BERT $O(n)$``."""
    if not s or not any(c in s for c in "\\{}~"):
        return s
    parts = _MATH.split(s)
    out = []
    for k, part in enumerate(parts):
        if k % 2:  # a math segment
            out.append(part)
        else:
            reader = _Reader(part)
            try:
                rendered = reader.render()
            except RecursionError:
                rendered = part
            out.append(rendered)
    return re.sub(r"[ \t]{2,}", " ", "".join(out)).strip()

"""LaTeX → readable Unicode for display."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperfeed.latex import decode_text_mode, latex_to_text


@pytest.mark.parametrize(
    ("src", "want"),
    [
        (r"$\mathcal{O}(n)$", "𝒪(n)"),
        (r"\emph{first} guarantee", "first guarantee"),
        (r"see \url{https://a.b/c_d~e}", "see https://a.b/c_d~e"),
        (r"{\"u}ber {\'e}t\'e na\"ive", "über été naïve"),
        (r"\c{c}a \ss{} \o{} {\L}ukasz \aa", "ça ß ø Łukasz å"),
        (r"$\alpha$-divergence and $\beta$", "α-divergence and β"),
        ("pages 10--20 --- done", "pages 10–20 — done"),
        ("Fig.~3", "Fig. 3"),
        (r"50\% of \$5 \& more", "50% of $5 & more"),
        (r"$x^2$ and $x_1$", "x² and x₁"),
        (r"$\mathbb{R}^d$", "ℝ^d"),
        (r"$\frac{1}{2}$", "1/2"),
        (r"as shown \cite{smith2020} here", "as shown here"),
        (r"\textbf{Bold} \textit{it} \texttt{code}", "Bold it code"),
        (r"$O(n \log n)$ vs $O(n^2)$", "O(n log n) vs O(n²)"),
        (r"snake_case stays", "snake_case stays"),
        (r"tokens\textemdash discrete", "tokens—discrete"),
        (r"\unknowncommand{x}", "x"),
        (r"our \method is fast", "our method is fast"),
        ("no latex here", "no latex here"),
        ("", ""),
    ],
)
def test_latex_to_text(src: str, want: str) -> None:
    assert latex_to_text(src) == want


def test_decode_text_mode_keeps_math() -> None:
    assert decode_text_mode(r"{\"U}ber {BERT} for $\mathcal{O}(n)$") == (
        r"Über BERT for $\mathcal{O}(n)$"
    )
    assert decode_text_mode("plain") == "plain"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("\\{}$^_~-'`\"abc eoO123()[]")), max_size=60))
def test_never_raises(s: str) -> None:
    assert isinstance(latex_to_text(s), str)
    assert isinstance(decode_text_mode(s), str)


def test_deep_nesting() -> None:
    s = "{" * 5000 + "x" + "}" * 5000
    assert "x" in latex_to_text(s) or latex_to_text(s) == s

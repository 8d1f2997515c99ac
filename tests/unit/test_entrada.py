"""Limits of what users type in (cobranca_addon/tools/entrada.py), without Odoo."""

import math

from hypothesis import given
from hypothesis import strategies as st

from .conftest import load_tool

entrada = load_tool("entrada")


def test_amounts():
    assert entrada.is_amount(0)
    assert entrada.is_amount(1234.56)
    assert entrada.is_amount(entrada.MAX_AMOUNT - 0.01)
    assert not entrada.is_amount(entrada.MAX_AMOUNT)
    assert not entrada.is_amount(-10.0)
    assert entrada.is_amount(-10.0, allow_negative=True)
    assert not entrada.is_amount(-entrada.MAX_AMOUNT, allow_negative=True)
    for wrong in (math.nan, math.inf, -math.inf, "10", None, True, [1], 1e300):
        assert not entrada.is_amount(wrong), wrong


def test_rates():
    assert entrada.is_rate(0)
    assert entrada.is_rate(2.5)
    assert not entrada.is_rate(100)
    assert not entrada.is_rate(-0.01)
    for wrong in (math.nan, math.inf, "1", None, False):
        assert not entrada.is_rate(wrong), wrong


def test_texts():
    assert entrada.is_short_text("", 10)
    assert entrada.is_short_text(None, 10)
    assert entrada.is_short_text("x" * 10, 10)
    assert not entrada.is_short_text("x" * 11, 10)
    assert entrada.shorten("abc", 10) == "abc"
    assert entrada.shorten("abcdefghijkl", 10) == "abcdefghi…"


@given(st.text(), st.integers(min_value=1, max_value=200))
def test_a_shortened_text_fits_and_keeps_its_start(text, limit):
    short = entrada.shorten(text, limit)
    assert len(short) <= limit
    if len(text) <= limit:
        assert short == text
    else:
        assert text.startswith(short[:-1])


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_an_accepted_amount_is_finite_and_bounded(value):
    if entrada.is_amount(value, allow_negative=True):
        assert math.isfinite(value)
        assert abs(value) < entrada.MAX_AMOUNT


def test_printable():
    assert entrada.printable("Mozilla\x00/5.0\x01\x7f\n", 512) == "Mozilla/5.0"
    assert entrada.printable(None, 10) == ""
    assert entrada.printable("é" * 20, 10) == "é" * 10


@given(st.text(), st.integers(min_value=0, max_value=600))
def test_a_printable_text_is_short_and_clean(text, limit):
    clean = entrada.printable(text, limit)
    assert len(clean) <= limit
    assert clean.isprintable()

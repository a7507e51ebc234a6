"""The claims' FFT convolution is scipy.signal.fftconvolve's, bit for bit."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from eventstudy.claims.tests import fft_convolve_full

arrays = st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=300).map(np.array)


@settings(max_examples=200, deadline=None)
@given(a=arrays, b=arrays)
def test_fft_convolve_full_is_scipys(a, b):
    expected = signal.fftconvolve(a, b, mode="full")
    got = fft_convolve_full(a, b)
    assert got.shape == expected.shape
    assert got.tobytes() == expected.tobytes()


def test_fft_convolve_full_on_a_passage_grid():
    """The shapes passage_probability_daily uses: a long density and a short kernel."""
    x = np.linspace(-6, 6, 4001)
    mass, kernel = np.exp(-(x**2) / 2), np.exp(-(np.linspace(-3, 3, 241) ** 2))
    assert fft_convolve_full(mass, kernel).tobytes() == signal.fftconvolve(mass, kernel).tobytes()

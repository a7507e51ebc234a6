"""The cross-event test battery: every test returns a :class:`TestResult`.

Input is an :class:`~eventstudy.engine.panel.AbnormalReturnPanel`; nothing here does I/O.

* :func:`aar_tests` / :func:`caar_tests` -- the whole battery as a tidy long frame;
  :func:`aar_caar_tests` both at once (one run of each test over days and windows).
* :func:`prepare` -- a :class:`PreparedPanel` that keeps the per-panel quantities (ranks,
  residual correlation, ...) so repeated battery calls on one panel compute them once.
* One public function per test (``patell(panel, 0)``, ``bmp(panel, (0, 4))``, ...), all with
  the signature ``test(panel, day_or_window, *, alternative, convention, **options)``.
* Defaults are the textbook formulas (METHODS.md); ``convention="estudy2"`` or the individual
  options documented in :func:`aar_tests` reproduce estudy2 0.10.
"""

from eventstudy.engine.stats._core import CONVENTIONS, OPTION_VALUES, TestResult, resolve_options
from eventstudy.engine.stats._prepared import PreparedPanel, prepare
from eventstudy.engine.stats.battery import (
    TEST_ALIASES,
    TEST_NAMES,
    aar_caar_tests,
    aar_tests,
    caar_tests,
    resolve_tests,
)
from eventstudy.engine.stats.correlation import (
    kp_factor,
    mean_residual_correlation,
    pairwise_mean_correlation,
    pooled_mean_correlation,
    residual_correlation_matrix,
)
from eventstudy.engine.stats.nonparametric import (
    binomial_sign_pvalue,
    corrado_rank,
    cz_rank,
    cz_sign,
    gen_sign,
    grank,
    grank_t,
    sign,
    signrank_pmf,
    wilcoxon,
)
from eventstudy.engine.stats.parametric import (
    bmp,
    brown_warner_1980,
    brown_warner_1985,
    csect_t,
    kp_bmp,
    kp_patell,
    lamb,
    patell,
    skew_t,
    skew_t_bootstrap,
    skewness_adjusted_t,
    wild_bootstrap,
)

__all__ = [
    "CONVENTIONS",
    "OPTION_VALUES",
    "TEST_ALIASES",
    "TEST_NAMES",
    "PreparedPanel",
    "TestResult",
    "aar_caar_tests",
    "aar_tests",
    "binomial_sign_pvalue",
    "bmp",
    "brown_warner_1980",
    "brown_warner_1985",
    "caar_tests",
    "corrado_rank",
    "csect_t",
    "cz_rank",
    "cz_sign",
    "gen_sign",
    "grank",
    "grank_t",
    "kp_bmp",
    "kp_factor",
    "kp_patell",
    "lamb",
    "mean_residual_correlation",
    "pairwise_mean_correlation",
    "patell",
    "pooled_mean_correlation",
    "prepare",
    "residual_correlation_matrix",
    "resolve_options",
    "resolve_tests",
    "sign",
    "signrank_pmf",
    "skew_t",
    "skew_t_bootstrap",
    "skewness_adjusted_t",
    "wilcoxon",
    "wild_bootstrap",
]

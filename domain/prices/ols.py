"""statsmodels OLS on a large numpy design, without the n × k decompositions.

`sm.OLS(y, X).fit()` computes the Moore–Penrose pseudo-inverse of X (an SVD of the n × k matrix,
and with method="qr" a QR *and* the pseudo-inverse): at 300,000 sales × 120 columns that is
8 s of a 9 s fit. The design here has full column rank (domain.prices.design drops collinear
columns first), so the normal equations give the same estimates: β = (X'X)⁻¹X'y by a Cholesky
factorisation of the k × k cross-product. The statsmodels model is then given what its `fit`
would have computed (normalized_cov_params = (X'X)⁻¹, rank, degrees of freedom; pinv_wexog =
(X'X)⁻¹X' only when HC1 needs it) and statsmodels' own `OLSResults` computes R², the residuals
and the robust covariances (cluster: statsmodels.stats.sandwich_covariance with its small-sample
correction; HC1). tests/test_price_index.py checks the result equals `sm.OLS(y, X).fit(...)`.
"""
from __future__ import annotations

import numpy as np
import scipy.linalg as sla
import statsmodels.api as sm
from statsmodels.regression.linear_model import OLSResults

__all__ = ["ols"]


def ols(y: np.ndarray, x: np.ndarray, *, cov_type: str = "nonrobust", groups: np.ndarray | None = None,
        gram: np.ndarray | None = None) -> OLSResults:
    """The statsmodels OLS results of y on the full-rank design x (`gram` = x'x if already known)."""
    n, k = x.shape
    g = x.T @ x if gram is None else gram
    factor = sla.cho_factor(g, lower=False, check_finite=False)
    ginv = sla.cho_solve(factor, np.eye(k), check_finite=False)
    beta = sla.cho_solve(factor, x.T @ y, check_finite=False)
    model = sm.OLS(y, x)
    model.normalized_cov_params = ginv
    model.wexog_singular_values = np.sqrt(np.clip(np.linalg.eigvalsh(g)[::-1], 0, None))
    model.rank = k
    model._df_model = float(k - model.k_constant)
    model.df_resid = float(n - k)
    if cov_type == "HC1":
        model.pinv_wexog = ginv @ x.T
    kwds = {"groups": groups} if cov_type == "cluster" else None
    # statsmodels' own default: Student t for the classical covariance, normal for the robust ones
    return OLSResults(model, beta, normalized_cov_params=ginv, cov_type=cov_type, cov_kwds=kwds,
                      use_t=cov_type == "nonrobust")

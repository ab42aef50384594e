"""Corruption errors: ImageNet-C's CE and mCE (Hendrycks & Dietterich, ICLR 2019)."""
import math
from typing import Dict, Mapping, Optional

ErrorTable = Mapping[str, Mapping[int, float]]


def corruption_errors(errors: ErrorTable, baseline: ErrorTable,
                      clean_error: Optional[float] = None,
                      baseline_clean_error: Optional[float] = None) -> Dict:
    """Corruption errors of a model, normalised by a baseline model's.

    ``CE_c = sum_s E_model(c, s) / sum_s E_baseline(c, s)`` and ``mCE = mean_c CE_c``. With
    the clean errors also the relative ones, which count only the drop from clean:
    ``rCE_c = sum_s (E_model(c, s) - E_model_clean) / sum_s (E_base(c, s) - E_base_clean)``
    (NaN where the baseline does not degrade at all).

    Args:
        errors (Mapping[str, Mapping[int, float]]): Error rate per corruption and severity.
        baseline (Mapping[str, Mapping[int, float]]): The baseline's, over at least the same
            corruptions and severities.
        clean_error (float, optional): The model's error on clean images.
        baseline_clean_error (float, optional): The baseline's.

    Returns:
        dict: ``ce`` (corruption -> CE), ``mce``; with both clean errors also
        ``relative_ce`` and ``relative_mce``. Any unit of error works (percent or fraction)
        as long as both tables use the same.

    Raises:
        ValueError: When the baseline lacks a (corruption, severity) the model has, or its
            errors for a corruption sum to zero.
    """
    if not errors:
        raise ValueError('no corruption errors to summarise')
    relative = clean_error is not None and baseline_clean_error is not None
    ce, relative_ce = {}, {}
    for corruption, by_severity in errors.items():
        missing = [s for s in by_severity if s not in baseline.get(corruption, {})]
        if missing:
            raise ValueError(f'the baseline has no error for {corruption} at severities '
                             f'{missing}: evaluate it on the same corruptions and severities')
        base = [baseline[corruption][s] for s in by_severity]
        if sum(base) == 0:
            raise ValueError(f'the baseline makes no error on {corruption}: CE is undefined')
        ce[corruption] = sum(by_severity.values()) / sum(base)
        if relative:
            drop = sum(base) - baseline_clean_error * len(base)
            relative_ce[corruption] = (
                (sum(by_severity.values()) - clean_error * len(base)) / drop
                if drop != 0 else math.nan)
    result = dict(ce=ce, mce=sum(ce.values()) / len(ce))
    if relative:
        result.update(relative_ce=relative_ce,
                      relative_mce=sum(relative_ce.values()) / len(relative_ce))
    return result

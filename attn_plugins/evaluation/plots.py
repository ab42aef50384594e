"""matplotlib plots of the evaluations (robustness, alignment, seeds, training curves) and
image grids."""
import math
from typing import Mapping, Optional, Sequence, Tuple

import numpy as np

from .scalars import step_label
from .tables import prepare_output


def _pyplot():
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    return plt


def _save(fig, path: str) -> str:
    fig.tight_layout()
    fig.savefig(prepare_output(path), dpi=100)
    _pyplot().close(fig)
    return path


def plot_corruption_accuracy(accuracy: Mapping[str, Mapping[str, Mapping[int, float]]],
                             path: str, clean: Optional[Mapping[str, float]] = None,
                             ylabel: str = 'accuracy (%)') -> str:
    """Accuracy against severity, one panel per corruption, one line per model.

    Args:
        accuracy (Mapping): ``{model: {corruption: {severity: accuracy}}}``.
        path (str): PNG to write.
        clean (Mapping[str, float], optional): ``{model: clean accuracy}``, drawn at
            severity 0.
        ylabel (str): Y-axis label.

    Returns:
        str: ``path``.
    """
    plt = _pyplot()
    corruptions = list(dict.fromkeys(c for table in accuracy.values() for c in table))
    columns = min(5, len(corruptions))
    rows = math.ceil(len(corruptions) / columns)
    fig, axes = plt.subplots(rows, columns, squeeze=False, sharey=True,
                             figsize=(2.8 * columns, 2.4 * rows))
    for ax, corruption in zip(axes.flat, corruptions):
        for model, table in accuracy.items():
            cells = sorted(table.get(corruption, {}).items())
            xs, ys = [s for s, _ in cells], [a for _, a in cells]
            if clean and model in clean:
                xs, ys = [0] + xs, [clean[model]] + ys
            ax.plot(xs, ys, marker='o', label=model)
        ax.set_title(corruption.replace('_', ' '), fontsize=9)
        ax.set_xticks(range(0, 6))
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(corruptions):]:
        ax.axis('off')
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel)
    for ax in axes[-1]:
        ax.set_xlabel('severity (0 = clean)')
    axes.flat[0].legend(fontsize=8)
    return _save(fig, path)


def plot_grouped_bars(values: Mapping[str, Mapping[str, float]], path: str, ylabel: str,
                      errors: Optional[Mapping[str, Mapping[str, float]]] = None,
                      title: Optional[str] = None) -> str:
    """Grouped bar chart: one group per category, one bar per series.

    Args:
        values (Mapping): ``{series: {category: value}}``, e.g. ``{model: {variant: acc}}``.
        path (str): PNG to write.
        ylabel (str): Y-axis label.
        errors (Mapping, optional): Same layout, error-bar half-lengths (e.g. std).
        title (str, optional): Figure title.

    Returns:
        str: ``path``.
    """
    plt = _pyplot()
    categories = list(dict.fromkeys(c for table in values.values() for c in table))
    width = 0.8 / max(1, len(values))
    fig, ax = plt.subplots(figsize=(max(4.0, 1.1 * len(categories) * max(1, len(values)) / 2 + 2),
                                    3.2))
    for i, (series, table) in enumerate(values.items()):
        xs = [j + (i - (len(values) - 1) / 2) * width for j in range(len(categories))]
        heights = [table.get(c, math.nan) for c in categories]
        yerr = [errors[series].get(c, 0.0) for c in categories] if errors else None
        ax.bar(xs, heights, width, yerr=yerr, label=series, capsize=2)
    ax.set_xticks(range(len(categories)))
    ax.set_xticklabels([c.replace('_', ' ') for c in categories], rotation=20)
    ax.set_ylabel(ylabel)
    ax.grid(axis='y', alpha=0.3)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return _save(fig, path)


def plot_alignment(summaries: Mapping[str, Mapping[str, float]], metrics: Sequence[str],
                   path: str) -> str:
    """Alignment metrics per model as bars (mean with a std error bar), one panel per metric.

    Args:
        summaries (Mapping): ``{model: summary}`` from
            :func:`attn_plugins.evaluation.alignment.summarise` (``<metric>`` and
            ``<metric>_std`` keys).
        metrics (Sequence[str]): Metrics to draw.
        path (str): PNG to write.

    Returns:
        str: ``path``.
    """
    plt = _pyplot()
    models = list(summaries)
    fig, axes = plt.subplots(1, len(metrics), squeeze=False,
                             figsize=(2.2 * len(metrics) + 0.35 * len(models) * len(metrics), 3.2))
    colours = plt.rcParams['axes.prop_cycle'].by_key()['color']
    for ax, metric in zip(axes[0], metrics):
        ax.bar(range(len(models)), [summaries[m][metric] for m in models],
               yerr=[summaries[m].get(f'{metric}_std', 0.0) for m in models], capsize=2,
               color=[colours[i % len(colours)] for i in range(len(models))])
        ax.set_xticks(range(len(models)))
        ax.set_xticklabels(models, rotation=45, ha='right', fontsize=8)
        lower = ' (lower is better)' if metric == 'kld' else ''
        ax.set_title(metric.upper() + lower, fontsize=9)
        ax.grid(axis='y', alpha=0.3)
    return _save(fig, path)


def plot_seed_comparison(values: Mapping[str, Mapping[str, Mapping[int, float]]], path: str,
                         baseline: Optional[str] = None, per_line: int = 5) -> str:
    """One panel per metric: each arm's seeds as dots, their mean as a bar with a std error
    bar; the baseline arm's mean as a dashed line across the panel.

    Args:
        values (Mapping): ``{metric: {arm: {seed: value}}}``.
        path (str): PNG to write.
        baseline (str, optional): The baseline arm.
        per_line (int): Panels side by side; more metrics wrap onto further lines, so a
            dozen metrics stay readable at a page's width. Defaults to 5.

    Returns:
        str: ``path``.
    """
    plt = _pyplot()
    metrics = list(values)
    arms = list(dict.fromkeys(a for table in values.values() for a in table))
    columns = max(1, min(per_line, len(metrics)))
    lines = math.ceil(len(metrics) / columns)
    fig, axes = plt.subplots(lines, columns, squeeze=False,
                             figsize=(1.2 + (0.55 * len(arms) + 0.8) * columns, 3.4 * lines))
    for ax in axes.flat[len(metrics):]:
        ax.axis('off')
    colours = plt.rcParams['axes.prop_cycle'].by_key()['color']
    for ax, metric in zip(axes.flat, metrics):
        for i, arm in enumerate(arms):
            seeds = list(values[metric].get(arm, {}).values())
            if not seeds:
                continue
            colour = colours[i % len(colours)]
            mean = float(np.mean(seeds))
            std = float(np.std(seeds, ddof=1)) if len(seeds) > 1 else 0.0
            ax.bar(i, mean, 0.6, color=colour, alpha=0.35, yerr=std, capsize=3)
            offsets = np.linspace(-0.15, 0.15, len(seeds)) if len(seeds) > 1 else [0.0]
            ax.scatter(i + np.asarray(offsets), seeds, color=colour, s=14, zorder=3)
            if arm == baseline:
                ax.axhline(mean, color=colour, linestyle='--', linewidth=0.8)
        seeds_all = [v for table in values[metric].values() for v in table.values()]
        low, high = min(seeds_all), max(seeds_all)
        pad = 0.15 * (high - low) if high > low else max(abs(high), 1.0) * 0.05
        ax.set_ylim(low - 3 * pad, high + pad)  # bars start below the lowest seed
        ax.set_xticks(range(len(arms)))
        ax.set_xticklabels(arms, rotation=30, ha='right', fontsize=8)
        ax.set_title(metric, fontsize=9)
        ax.grid(axis='y', alpha=0.3)
    return _save(fig, path)


def save_image_grid(rows: Sequence[Mapping[str, np.ndarray]], columns: Sequence[str],
                    path: str, captions: Optional[Sequence[str]] = None,
                    title: Optional[str] = None, per_line: int = 1,
                    panel_size: float = 1.6) -> str:
    """A grid of images: one group of panels per dict of ``rows``, one panel per column.

    Args:
        rows (Sequence[Mapping]): ``{column: (H, W, 3) uint8 BGR image}`` per row; a column
            missing from a row leaves its panel empty.
        columns (Sequence[str]): Keys to draw, left to right (titles of the first line).
        path (str): PNG to write.
        captions (Sequence[str], optional): One caption per row, under its last panel.
        title (str, optional): Figure title.
        per_line (int): Rows drawn side by side on one line of the figure, so that many
            rows make a compact picture rather than a tall strip. Defaults to 1.
        panel_size (float): Side of a panel in inches.

    Returns:
        str: ``path``.
    """
    plt = _pyplot()
    per_line = max(1, min(per_line, len(rows)))
    lines = math.ceil(len(rows) / per_line)
    width = len(columns) * per_line
    # A constrained layout keeps the title, column titles and captions apart.
    fig, axes = plt.subplots(lines, width, squeeze=False, layout='constrained',
                             figsize=(panel_size * width, (panel_size + 0.2) * lines))
    for ax in axes.flat:
        ax.axis('off')
    for index, row in enumerate(rows):
        line, group = divmod(index, per_line)
        for c, column in enumerate(columns):
            ax = axes[line][group * len(columns) + c]
            if column in row:
                ax.imshow(row[column][..., ::-1])
            if line == 0:
                ax.set_title(column.replace('_', ' '), fontsize=8)
            if captions is not None and c == len(columns) - 1 and captions[index]:
                ax.text(0.5, -0.04, captions[index], transform=ax.transAxes, ha='center',
                        va='top', fontsize=7)
    if title:
        fig.suptitle(title)
    fig.savefig(prepare_output(path), dpi=100)
    plt.close(fig)
    return path


def moving_average(values: Sequence[float], window: int) -> np.ndarray:
    """Trailing moving average: point ``i`` is the mean of ``values[max(0, i - window + 1):
    i + 1]`` (shorter windows at the start, so the curve keeps its length).

    Args:
        values (Sequence[float]): The curve.
        window (int): Points averaged; ``<= 1`` returns the values unchanged.

    Returns:
        np.ndarray: The smoothed curve, as float64.
    """
    values = np.asarray(values, dtype=np.float64)
    if window <= 1 or values.size == 0:
        return values
    # Window by window (not a running sum): a NaN spoils only the windows holding it.
    return np.array([values[max(0, i - window + 1):i + 1].mean() for i in range(values.size)])


def plot_scalar_curves(series: Mapping[str, Mapping[str, Sequence[Tuple[int, float]]]],
                       keys: Sequence[str], path: str, smooth: int = 0,
                       xlabels: Optional[Mapping[str, str]] = None) -> str:
    """Training curves: one panel per key, one line per run.

    Args:
        series (Mapping): ``{run name: scalars}``, scalars as :func:`read_scalars` returns.
        keys (Sequence[str]): Keys to draw, one panel each (a run without a key is left out
            of its panel).
        path (str): PNG to write.
        smooth (int): Moving-average window (:func:`moving_average`); above 1 the smoothed
            curve is drawn over the raw one, faded. Defaults to 0 (raw only).
        xlabels (Mapping[str, str], optional): X-axis label per key; by default
            :func:`step_label` (``iteration``, or ``epoch`` for ``val/`` keys of epoch-based
            runs).

    Returns:
        str: ``path``.

    Raises:
        ValueError: No keys, or a key no run has (the message lists those they have).
    """
    if not keys:
        raise ValueError('plot_scalar_curves: no keys to draw')
    missing = [key for key in keys if not any(key in scalars for scalars in series.values())]
    if missing:
        available = sorted({key for scalars in series.values() for key in scalars})
        raise ValueError(f'no run has {", ".join(missing)}; keys: {", ".join(available)}')
    plt = _pyplot()
    cells = len(keys) + 1  # the last cell holds the legend
    columns = min(3, cells)
    rows = math.ceil(cells / columns)
    fig, axes = plt.subplots(rows, columns, squeeze=False, figsize=(4.2 * columns, 3.0 * rows))
    colours = plt.rcParams['axes.prop_cycle'].by_key()['color']
    for ax, key in zip(axes.flat, keys):
        units = set()
        for i, (name, scalars) in enumerate(series.items()):
            if key not in scalars:
                continue
            units.add(step_label(scalars, key))
            steps = [step for step, _ in scalars[key]]
            values = [value for _, value in scalars[key]]
            style = dict(color=colours[i % len(colours)], markersize=3,
                         marker='o' if len(values) <= 30 else None)
            if smooth > 1:
                ax.plot(steps, values, color=style['color'], alpha=0.3, linewidth=1)
                values = moving_average(values, smooth)
            ax.plot(steps, values, **style)
        ax.set_title(key, fontsize=9)
        ax.set_xlabel(xlabels[key] if xlabels and key in xlabels else ' / '.join(sorted(units)))
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(keys):]:
        ax.axis('off')
    handles = [plt.Line2D([], [], color=colours[i % len(colours)]) for i in range(len(series))]
    axes.flat[len(keys)].legend(
        handles, list(series), loc='center', fontsize=8, frameon=False,
        title=f'moving average of {smooth} (raw: faded)' if smooth > 1 else None,
        title_fontsize=8)
    return _save(fig, path)

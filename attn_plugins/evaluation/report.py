"""The harness's statistics and reports: per-arm means over seeds, each arm's difference to
the baseline (95% interval, Welch t-test), the claims' verdicts with Holm's correction, the
mCE of the corruption results, and the markdown tables and plots written from them. Pure
functions of an experiment and its collected results, so tools read a ``results.json`` back
(:func:`read_report`) without running anything."""
import json
import math
import os.path as osp
import re
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple

from ..probes import claim_verdict, compare, holm_adjust, mean_std
from ..robustness import CORRUPTIONS, corruption_errors

if TYPE_CHECKING:  # the spec's type, for annotations only (the harness imports this module)
    from .harness import Experiment

#: Prefix of the wall-time metrics (``wall/train_min``, ...).
WALL = 'wall/'
#: Prefix of the metrics of a transfer (``transfer/<name>/<key>``).
TRANSFER = 'transfer/'
#: The verdict of a claim whose arm beats its baseline but not the trivial answer.
DEGENERATE = 'degenerate: no better than the trivial answer'
#: Verdict of a claim while a side has fewer seeds than the experiment runs, formatted with
#: the fewest seeds of the two sides and the seeds due.
PENDING = 'pending: {} of {} seeds'


def read_report(path: str) -> dict:
    """A report the harness wrote (:meth:`.harness.Harness.report`), for tools that read it back.

    Args:
        path (str): Its ``results.json``, or the folder holding it.

    Returns:
        dict: The report.

    Raises:
        FileNotFoundError: Naming the ``results.json`` that is not there.
    """
    if not path.endswith('.json'):
        path = osp.join(path, 'results.json')
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path} not found: give a results.json written by '
                                'tools/analysis/harness.py, or its folder')
    with open(path) as f:
        return json.load(f)


def add_mce(exp: 'Experiment', collected: Dict[str, Dict[int, dict]]) -> None:
    """Add ``corruption/mce`` to every run with a corruption result: its mCE over the 15
    benchmark corruptions against the baseline arm's errors averaged over its seeds."""
    base_runs = [r['corruption'] for r in collected.get(exp.baseline, {}).values()
                 if r.get('corruption')]
    if not base_runs:
        return

    def errors(result):
        return {c: {int(s): 100 - a for s, a in result['accuracy'][c].items()}
                for c in CORRUPTIONS}

    tables = [errors(r) for r in base_runs]
    baseline = {c: {s: sum(t[c][s] for t in tables) / len(tables) for s in tables[0][c]}
                for c in CORRUPTIONS}
    for runs in collected.values():
        for run in runs.values():
            if run.get('corruption'):
                run['metrics']['corruption/mce'] = corruption_errors(
                    errors(run['corruption']), baseline)['mce']


def summarise_experiment(exp: 'Experiment', collected: Dict[str, Dict[int, dict]]) -> dict:
    """Per metric and arm: the per-seed values, mean and std over seeds, and (for every arm
    but the baseline) the difference to the baseline with its 95% interval and Welch p.

    Args:
        exp (Experiment): The experiment.
        collected (dict): ``{arm: {seed: dict(metrics=..., corruption=...)}}``.

    Returns:
        dict: ``experiment``, ``description``, ``baseline``, ``seeds``, ``headline`` (the
        spec's metrics), ``metrics``: ``{metric: {arm: dict(values={seed: v}, mean, std, n,
        diff, ci_low, ci_high, t, df, p)}}`` and ``claims`` (:func:`judge_claims`).
    """
    add_mce(exp, collected)
    names = list(dict.fromkeys(m for runs in collected.values() for run in runs.values()
                               for m in run['metrics']))
    table = {}
    for metric in names:
        rows = {}
        for arm in exp.arms:
            values = {seed: run['metrics'][metric] for seed, run in
                      collected.get(arm.name, {}).items() if metric in run['metrics']}
            if not values:
                continue
            mean, std = mean_std(list(values.values()))
            rows[arm.name] = dict(values=values, mean=mean, std=std, n=len(values))
        base = rows.get(exp.baseline)
        for name, row in rows.items():
            if base is not None and name != exp.baseline:
                row.update(compare(list(row['values'].values()), list(base['values'].values())))
        table[metric] = rows
    return dict(experiment=exp.name, description=exp.description, baseline=exp.baseline,
                seeds=exp.seeds, headline=exp.metrics, metrics=table,
                claims=judge_claims(exp, table))


def judge_claims(exp: 'Experiment', table: Dict[str, Dict[str, dict]]) -> List[dict]:
    """Each claim of the spec with the measured difference and its verdict.

    A claim may name ``trivial``, the metric that scores a trivial answer on the same runs
    (the F1 of answering "present" everywhere, the whole image as the box, the centre bias
    as the saliency map): the arm is then also compared with it, and a claim reproduced
    against the baseline by an arm that does not beat the trivial answer (the 95% interval
    of arm - trivial wholly on the claimed side) gets the verdict :data:`DEGENERATE`.
    While either side has fewer seeds than are due (:func:`seeds_due`), the interval is
    shown but the verdict is :data:`PENDING`: a report of an unfinished experiment judges
    no claim on part of its seeds.

    The claims of one experiment are judged together, so each also gets ``p_holm``, its p
    after Holm's correction over the claims that have a p (:func:`holm_adjust`): a verdict
    rests on a 95% interval per claim, and of several claims one may clear it by chance.

    Args:
        exp (Experiment): The experiment (its ``claims``).
        table (dict): ``{metric: {arm: dict(values={seed: v}, ...)}}``.

    Returns:
        list[dict]: The claim's keys plus ``against`` (the baseline unless named), ``n``
        (seeds of the arm / of ``against``), ``diff``, ``ci_low``, ``ci_high``, ``p``,
        ``p_holm`` and ``verdict``; ``verdict`` is ``'not measured yet'`` (and there are no
        numbers) while a side has no value. With
        ``trivial``: ``trivial_mean`` and ``trivial_diff`` / ``trivial_ci_low`` /
        ``trivial_ci_high`` (arm - trivial answer, over the arm's seeds), while measured.
    """
    judged = []
    for claim in exp.claims:
        entry = dict(claim, against=claim.get('against', exp.baseline))
        rows = table.get(claim['metric'], {})
        arm, other = rows.get(claim['arm']), rows.get(entry['against'])
        if arm is None or other is None:
            entry['verdict'] = 'not measured yet'
            judged.append(entry)
            continue
        comparison = compare(list(arm['values'].values()), list(other['values'].values()))
        entry.update(comparison, n=[arm['n'], other['n']],
                     verdict=claim_verdict(comparison, claim['direction']))
        trivial = table.get(claim.get('trivial'), {}).get(claim['arm'])
        if trivial is not None:
            seeds = [s for s in arm['values'] if s in trivial['values']]
            versus = compare([arm['values'][s] for s in seeds],
                             [trivial['values'][s] for s in seeds])
            entry.update(trivial_mean=trivial['mean'], trivial_diff=versus['diff'],
                         trivial_ci_low=versus['ci_low'], trivial_ci_high=versus['ci_high'])
            if entry['verdict'] == 'reproduced' and \
                    claim_verdict(versus, claim['direction']) != 'reproduced':
                entry['verdict'] = DEGENERATE
        fewest, due = min(entry['n']), seeds_due(exp, claim['metric'])
        if fewest < due:
            entry['verdict'] = PENDING.format(fewest, due)
        judged.append(entry)
    measured = [claim for claim in judged if 'p' in claim]
    for claim, p_holm in zip(measured, holm_adjust([claim['p'] for claim in measured])):
        claim['p_holm'] = p_holm
    return judged


def seeds_due(exp: 'Experiment', metric: str) -> int:
    """How many seeds of each arm ``metric`` has once ``exp`` is finished.

    Args:
        exp (Experiment): The experiment.
        metric (str): A metric name.

    Returns:
        int: For a transfer's metrics (``transfer/<name>/...``) the number of that
        transfer's ``seeds``, for every other metric the experiment's.
    """
    for item in exp.transfer:
        if metric.startswith(f'{TRANSFER}{item["name"]}/'):
            return len(item['seeds'])
    return len(exp.seeds)


def claims_verdict(claims: Sequence[dict]) -> str:
    """One line for an experiment: how many of its claims each verdict got and, when several
    claims were tested and one has p < 0.05, how many of those stay below 0.05 after Holm's
    correction over the claims tested.

    Args:
        claims (Sequence[dict]): Judged claims (:func:`judge_claims`).

    Returns:
        str: e.g. ``'1 of 3 claims reproduced; 1 not at this scale; 1 contrary.'``

    Example:
        >>> claims_verdict([dict(verdict='reproduced', p=0.001, p_holm=0.003),
        ...                 dict(verdict='contrary', p=0.04, p_holm=0.08),
        ...                 dict(verdict='reproduced', p=0.02, p_holm=0.08)])
        "2 of 3 claims reproduced; 1 contrary. After Holm's correction over the 3 claims \
tested, 1 of the 3 claims with p < 0.05 stays below 0.05."
    """
    counts = {}
    for claim in claims:
        counts[claim['verdict']] = counts.get(claim['verdict'], 0) + 1
    others = [f'{n} {verdict}' for verdict, n in counts.items() if verdict != 'reproduced']
    noun = 'claim' if len(claims) == 1 else 'claims'
    line = '; '.join([f'{counts.get("reproduced", 0)} of {len(claims)} {noun} reproduced',
                      *others]) + '.'
    tested = [claim for claim in claims if not math.isnan(claim.get('p', math.nan))]
    below = [claim for claim in tested if claim['p'] < 0.05]
    if len(tested) > 1 and below:
        line += f" After Holm's correction over the {len(tested)} claims tested, "
        if len(below) == 1:
            p_holm = below[0]['p_holm']
            line += (f'the claim with p < 0.05 has p {_fmt_p(p_holm)}, '
                     f'{"still" if p_holm < 0.05 else "no longer"} below 0.05.')
        else:
            kept = sum(claim['p_holm'] < 0.05 for claim in below)
            line += (f'{kept} of the {len(below)} claims with p < 0.05 '
                     f'{"stays" if kept == 1 else "stay"} below 0.05.')
    return line


def _fmt(value: float, digits: int = 2) -> str:
    return 'n/a' if value is None or (isinstance(value, float) and math.isnan(value)) \
        else f'{value:.{digits}f}'


def _fmt_p(p: float) -> str:
    return f'{p:.1e}' if p < 0.001 else _fmt(p, 3)


def claim_cells(claim: dict) -> List[str]:
    """A judged claim's cells of a claims table: the paper's claim (direction), the metric,
    arm vs what, the difference [95% CI], p and p (Holm); the numbers empty while a side is
    not measured.

    Args:
        claim (dict): A judged claim (:func:`judge_claims`, or its JSON read back).

    Returns:
        list[str]: The six cells.
    """
    cells = [f'{claim["paper"]} ({claim["direction"]})', claim['metric'],
             f'{claim["arm"]} vs {claim["against"]}']
    if claim['verdict'] == 'not measured yet':
        return cells + ['', '', '']
    return cells + [f'{claim["diff"]:+.2f} [{_fmt(claim["ci_low"])}, {_fmt(claim["ci_high"])}]',
                    _fmt_p(claim['p']), _fmt_p(claim['p_holm'])]


def claims_overview(reports: Sequence[dict]) -> List[str]:
    """Every claim of several experiments in one table, each row linking its experiment's
    section, then a line counting the verdicts and, of the reproduced and contrary ones, those
    that keep p < 0.05 after Holm's correction within their experiment.

    Args:
        reports (Sequence[dict]): Reports (:func:`summarise_experiment`, or their JSON read
            back), in the order of their sections.

    Returns:
        list[str]: Markdown lines.
    """
    lines = ['| experiment | paper (direction) | metric | arm vs | diff [95% CI] | p | '
             'p (Holm) | verdict |', '|---|---|---|---|---|---|---|---|']
    counts, kept = {}, {}
    for report in reports:
        name = report['experiment']
        for claim in report.get('claims', []):
            lines.append(f'| [{name}](#{re.sub(r"[^a-z0-9_-]", "", name.lower())}) | '
                         + ' | '.join(claim_cells(claim)) + f' | **{claim["verdict"]}** |')
            verdict = claim['verdict']
            counts[verdict] = counts.get(verdict, 0) + 1
            if not math.isnan(claim.get('p_holm', math.nan)) and claim['p_holm'] < 0.05:
                kept[verdict] = kept.get(verdict, 0) + 1
    parts = [f'{n} {verdict}' + (f' ({kept.get(verdict, 0)} after Holm\'s correction)'
                                 if verdict in ('reproduced', 'contrary') else '')
             for verdict, n in sorted(counts.items(), key=lambda item: -item[1])]
    total = sum(counts.values())
    return lines + ['', f'{total} claims in {len(reports)} experiments: ' + '; '.join(parts)
                    + '.']


def report_metrics(report: dict) -> Tuple[List[str], List[str], List[str]]:
    """A report's metrics as its tables list them.

    Args:
        report (dict): The report (:func:`summarise_experiment`, or its JSON read back).

    Returns:
        tuple[list[str], list[str], list[str]]: The headline metrics measured (all metrics
        but the wall times when the spec names none), those not measured yet, and the
        wall-time stages (training first).
    """
    headline = report.get('headline') or [m for m in report['metrics']
                                           if not m.startswith(WALL)]
    stages = sorted((m for m in report['metrics'] if m.startswith(WALL)),
                    key=lambda m: (not m.startswith(f'{WALL}train'), m))
    return ([m for m in headline if m in report['metrics']],
            [m for m in headline if m not in report['metrics']], stages)


def plot_report(report: dict, path: str) -> Optional[str]:
    """The report's plot: a panel per headline metric measured, every seed of every arm.

    Args:
        report (dict): The report (:func:`summarise_experiment`, or its JSON read back).
        path (str): PNG to write.

    Returns:
        str | None: ``path``, or None (nothing written) while no headline metric is measured.
    """
    headline = report_metrics(report)[0]
    if not headline:
        return None
    from .plots import plot_seed_comparison
    return plot_seed_comparison({m: {arm: entry['values'] for arm, entry in
                                     report['metrics'][m].items()} for m in headline},
                                path, report['baseline'])


def summary_table(report: dict) -> List[str]:
    """The experiment in one table: a row per headline metric (then per wall-time stage), a
    column per arm, each cell the mean +- std over seeds and, off the baseline's column, the
    difference to the baseline with its 95% interval. A cell over fewer seeds than the
    experiment's says how many.

    Args:
        report (dict): The report (:func:`summarise_experiment`, or its JSON read back).

    Returns:
        list[str]: The table's markdown lines.
    """
    baseline, due = report['baseline'], len(report['seeds'])
    headline, _, stages = report_metrics(report)
    rows = headline + stages
    arms = list(dict.fromkeys(a for m in rows for a in report['metrics'][m]))

    def cell(metric, row):
        if row is None:
            return ''
        text = f'{_fmt(row["mean"])} ± {_fmt(row["std"])}'
        if row['n'] < due:
            text += f' (n={row["n"]})'
        if 'diff' in row and not metric.startswith(WALL):
            text += f'; {row["diff"]:+.2f} [{_fmt(row["ci_low"])}, {_fmt(row["ci_high"])}]'
        return text

    names = [f'{arm} (baseline)' if arm == baseline else arm for arm in arms]
    lines = ['| metric | ' + ' | '.join(names) + ' |', '|---|' + '---|' * len(arms)]
    for metric in rows:
        lines.append(f'| {metric} | ' + ' | '.join(
            cell(metric, report['metrics'][metric].get(arm)) for arm in arms) + ' |')
    return lines


def markdown_report(report: dict, level: int = 1, per_metric: bool = True) -> str:
    """results.md from a report (:func:`summarise_experiment`, or its JSON read back): the
    claims with their verdicts, then one table per headline metric (all metrics when the spec
    names none) and the wall times, or all of them in :func:`summary_table`'s one table.

    Args:
        report (dict): The report.
        level (int): Markdown heading level of the experiment's title (the sections one
            below), so the tables can sit inside another document.
        per_metric (bool): One table per metric, with every seed's value and the p-values
            (results.md); False gives the one summary table (the README).

    Returns:
        str: Markdown.
    """
    head, sub = '#' * level, '#' * (level + 1)
    baseline = report['baseline']
    lines = [f'{head} {report["experiment"]}\n']
    if report.get('description'):
        lines.append(report['description'].strip() + '\n')
    lines.append(f'Baseline: **{baseline}**; seeds {", ".join(map(str, report["seeds"]))}. '
                 'Difference = arm mean - baseline mean, with its 95% interval (Welch) and the '
                 'two-sided Welch t-test p-value; a claim\'s p (Holm) is its p after Holm\'s '
                 'correction over the claims tested.\n')
    if report.get('claims'):
        lines.append(f'**Verdict**: {claims_verdict(report["claims"])}\n')
        trivial = any('trivial' in claim for claim in report['claims'])
        lines += [f'\n{sub} Claims\n', '| paper | metric | arm vs | diff [95% CI] | p | '
                  'p (Holm) | ' + ('trivial answer: score; arm - it [95% CI] | ' if trivial
                                   else '')
                  + 'verdict |', '|---|---|---|---|---|---|' + '---|' * (1 + trivial)]
        for claim in report['claims']:
            versus = ''
            if 'trivial_mean' in claim:
                versus = (f'{claim["trivial"]} {_fmt(claim["trivial_mean"])}; '
                          f'{claim["trivial_diff"]:+.2f} [{_fmt(claim["trivial_ci_low"])}, '
                          f'{_fmt(claim["trivial_ci_high"])}]')
            lines.append('| ' + ' | '.join(claim_cells(claim)) + ' | '
                         + (f'{versus} | ' if trivial else '') + f'**{claim["verdict"]}** |')
    headline, missing, stages = report_metrics(report)
    not_measured = [f'\nNot measured yet: {", ".join(missing)}\n'] if missing else []
    if not per_metric:
        lines += [f'\n{sub} Summary\n', 'Mean ± std over seeds; beside each arm but the '
                  'baseline, its difference to the baseline [95% interval]; the wall-time rows per '
                  'run, in the unit their names give (time the machine gave other jobs counts '
                  'too).\n']
        return '\n'.join(lines + summary_table(report) + not_measured) + '\n'
    for metric in headline:
        lines += [f'\n{sub} {metric}\n', '| arm | mean ± std | per seed | diff vs baseline '
                  '[95% CI] | p |', '|---|---|---|---|---|']
        for arm, row in report['metrics'][metric].items():
            seeds = ', '.join(f'{s}: {_fmt(v)}' for s, v in row['values'].items())
            if arm == baseline:
                diff, p = '(baseline)', ''
            elif 'diff' in row:
                diff = (f'{row["diff"]:+.2f} [{_fmt(row["ci_low"])}, {_fmt(row["ci_high"])}]')
                p = _fmt_p(row['p'])
            else:
                diff, p = 'n/a', ''
            lines.append(f'| {arm} | {_fmt(row["mean"])} ± {_fmt(row["std"])} (n={row["n"]}) '
                         f'| {seeds} | {diff} | {p} |')
    lines += not_measured
    if stages:
        lines += [f'\n{sub} Wall time\n', 'Per run, mean ± std over seeds, read from the logs: '
                  'elapsed minutes of each stage (time the machine gave other jobs counts '
                  'too) and the median seconds per training iteration.\n',
                  '| arm | ' + ' | '.join(m[len(WALL):] for m in stages) + ' |',
                  '|---|' + '---|' * len(stages)]
        arms = list(dict.fromkeys(a for m in stages for a in report['metrics'][m]))
        for arm in arms:
            cells = [report['metrics'][m].get(arm) for m in stages]
            lines.append(f'| {arm} | ' + ' | '.join(
                '' if row is None else f'{_fmt(row["mean"])} ± {_fmt(row["std"])}'
                for row in cells) + ' |')
    return '\n'.join(lines) + '\n'

"""Compare one arm of a harness report with an arm of another (or the same) report.

Two sets of the same trainings (e.g. MoCo v2 trained again on another machine), or two arms
that no spec puts side by side: per metric, each side's mean +- std over its seeds and the
difference (second - first) with its 95% Welch interval and two-sided Welch p-value, the
statistics of the harness (attn_plugins.probes.compare). Each side is RESULTS:ARM, RESULTS
being a results.json or the folder holding it.

Examples:
    # the evidence run's MoCo v2 against mocov2-vs-random's set of the same trainings
    python tools/analysis/compare_arms.py \\
        results/mocov2_vs_random_caltech101/100e_64px:mocov2 \\
        results/mocov2_vs_teacher_attn_caltech101:mocov2 --metrics linear/top1 knn/top1
    # every metric the two arms share, as JSON too
    python tools/analysis/compare_arms.py A/results.json:cast B/results.json:cast --out d.json
"""
import argparse
import json
import math


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0], epilog=__doc__.split('\n\n', 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('first', metavar='RESULTS:ARM', help='the reference side')
    parser.add_argument('second', metavar='RESULTS:ARM', help='the side compared with it')
    parser.add_argument('--metrics', nargs='+',
                        help='metrics to compare (default: every metric both arms have)')
    parser.add_argument('--out', help='also write the comparison as JSON here')
    return parser.parse_args(argv)


def arm_values(side: str) -> dict:
    """``{metric: [one value per seed]}`` of ``RESULTS:ARM``."""
    path, sep, arm = side.rpartition(':')
    if not sep or not arm:
        raise SystemExit(f'[compare_arms] {side!r}: expected RESULTS:ARM')
    from attn_plugins.evaluation.report import read_report
    try:
        metrics = read_report(path)['metrics']
    except FileNotFoundError as error:
        raise SystemExit(f'[compare_arms] {error}')
    values = {metric: list(rows[arm]['values'].values())
              for metric, rows in metrics.items() if arm in rows}
    if not values:
        arms = sorted({a for rows in metrics.values() for a in rows})
        raise SystemExit(f'[compare_arms] {path} has no arm {arm!r}; its arms: {arms}')
    return values


def main(argv=None) -> dict:
    args = parse_args(argv)
    from attn_plugins.probes import compare, mean_std

    first, second = arm_values(args.first), arm_values(args.second)
    metrics = args.metrics or [m for m in first if m in second]
    absent = [m for m in metrics if m not in first or m not in second]
    if absent:
        raise SystemExit(f'[compare_arms] not measured on both sides: {absent}')
    rows = {}
    print(f'| metric | {args.first} | {args.second} | second - first [95% CI] | p |')
    print('|---|---|---|---|---|')
    for metric in metrics:
        a, b = first[metric], second[metric]
        (mean_a, std_a), (mean_b, std_b) = mean_std(a), mean_std(b)
        rows[metric] = dict(first=a, second=b, **compare(b, a))
        row = rows[metric]
        interval = ('n/a' if math.isnan(row['ci_low'])
                    else f'[{row["ci_low"]:.2f}, {row["ci_high"]:.2f}]')
        print(f'| {metric} | {mean_a:.2f} ± {std_a:.2f} (n={len(a)}) | {mean_b:.2f} ± '
              f'{std_b:.2f} (n={len(b)}) | {row["diff"]:+.2f} {interval} | {row["p"]:.3g} |')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(dict(first=args.first, second=args.second, metrics=rows), f, indent=1)
    return rows


if __name__ == '__main__':
    main()

"""Write the README's results section from the harness's result folders.

Each RESULT_DIR holds a harness run's results.json (and results.png): the folder under
results/ where an experiment's small output files are committed, or its work dir. The section
gets, per experiment and in the order given, its title and description, the claims table with
the verdicts, one summary table (a row per headline metric and wall-time stage, a column per
arm: mean +- std over seeds and the difference to the baseline with its 95% interval), a link
to the folder's results.md (every seed's value and the p-values), the command that regenerates
it, and its plot. It replaces whatever stands between the two marker lines of the README

    <!-- results:begin -->
    <!-- results:end -->

so a rerun after new seeds replaces the numbers instead of adding beside them; the rest of the
README is left as it is. Before the experiments, one table lists every claim of them all
with its verdict.

Examples:
    python tools/analysis/results_readme.py results/mocov2_vs_random_caltech101/100e_64px \\
        results/cast_vs_crop_vs_mocov2_caltech101
    python tools/analysis/results_readme.py DIR --readme OTHER.md --check
"""
import argparse
import os.path as osp
import re
import sys

BEGIN = '<!-- results:begin -->'
END = '<!-- results:end -->'
#: The heading of the table of every claim, first in the section.
OVERVIEW = 'Every claim tested'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0], epilog=__doc__.split('\n\n', 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('result_dirs', nargs='+', metavar='RESULT_DIR',
                        help='folders with a harness results.json')
    parser.add_argument('--readme', default='README.md', help='default: %(default)s')
    parser.add_argument('--level', type=int, default=3,
                        help='heading level of each experiment (default: %(default)s)')
    parser.add_argument('--check', action='store_true',
                        help='write nothing; exit 1 if the section is not what the folders give')
    return parser.parse_args(argv)


def experiment_section(result_dir: str, report: dict, readme_dir: str, level: int) -> str:
    """One experiment's part of the section."""
    from attn_plugins.evaluation.report import markdown_report

    text = markdown_report(report, level=level, per_metric=False).rstrip('\n') + '\n'
    relative = osp.relpath(result_dir, readme_dir)
    text += f'\nFiles: `{relative}/`'
    if osp.isfile(osp.join(result_dir, 'results.md')):
        text += f' (every seed and p-value: [results.md]({relative}/results.md))'
    text += '.'
    if report.get('command'):
        text += f' Regenerate: `{report["command"]}`.'
    text += '\n'
    if osp.isfile(osp.join(result_dir, 'results.png')):
        text += f'\n![{report["experiment"]}]({relative}/results.png)\n'
    return text


def replace_section(readme: str, section: str, readme_path: str) -> str:
    """``readme`` with the text between the marker lines replaced by ``section`` (a marker
    quoted inside a line of prose is not a marker line)."""
    begin = [m.start() for m in re.finditer(f'^{re.escape(BEGIN)}$', readme, re.MULTILINE)]
    end = [m.start() for m in re.finditer(f'^{re.escape(END)}$', readme, re.MULTILINE)]
    if len(begin) != 1 or len(end) != 1 or begin[0] > end[0]:
        raise ValueError(f'{readme_path} needs one line {BEGIN} and, after it, one line {END} '
                         'around the results section')
    return f'{readme[:begin[0]]}{BEGIN}\n{section.strip()}\n{readme[end[0]:]}'


def overview_section(reports, level: int) -> str:
    """Every claim of the experiments in one table, before their sections."""
    from attn_plugins.evaluation.report import claims_overview

    return '\n'.join([f'{"#" * level} {OVERVIEW}\n',
                      'One row per claim the experiments below test, each judged as in '
                      'its section; p (Holm) corrects its p-value over its own experiment\'s '
                      'claims.\n', *claims_overview(reports)]) + '\n'


def main(argv=None) -> int:
    args = parse_args(argv)
    from attn_plugins.evaluation.report import read_report

    readme_dir = osp.dirname(osp.abspath(args.readme))
    try:
        reports = [read_report(d) for d in args.result_dirs]
    except FileNotFoundError as error:
        raise SystemExit(f'[results_readme] {error}')
    section = '\n'.join([overview_section(reports, args.level)] + [
        experiment_section(d, report, readme_dir, args.level)
        for d, report in zip(args.result_dirs, reports)])
    with open(args.readme) as f:
        readme = f.read()
    try:
        updated = replace_section(readme, section, args.readme)
    except ValueError as error:
        raise SystemExit(f'[results_readme] {error}')
    if args.check:
        if updated != readme:
            print(f'{args.readme}: the results section differs from {args.result_dirs}')
            return 1
        return 0
    with open(args.readme, 'w') as f:
        f.write(updated)
    print(f'{args.readme}: results section written from {len(args.result_dirs)} experiment(s)')
    return 0


if __name__ == '__main__':
    sys.exit(main())

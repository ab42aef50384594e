"""Time `import attn_plugins`, its pure-torch core and `tools/train.py --help`, optionally
against an earlier revision of the repository.

Each measurement is a fresh Python process (median over --repeats runs); with --compare REV
the revision is checked out into a temporary git worktree and both trees are measured in
turn, so load on the machine hits both alike.

Examples:
    python tools/benchmarks/bench_imports.py
    # before/after the lazy registration
    python tools/benchmarks/bench_imports.py --compare 8641433 --repeats 5
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from os import path as osp

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

COMMANDS = {
    'import attn_plugins': ['-c', 'import attn_plugins'],
    'import attn_plugins.saliency': ['-c', 'import attn_plugins.saliency'],
    'import attn_plugins.attention': ['-c', 'import attn_plugins.attention'],
    'import attn_plugins.vars': ['-c', 'import attn_plugins.vars'],
    'tools/train.py --help': ['tools/train.py', '--help'],
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0], epilog=__doc__.split('\n\n', 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--compare', metavar='REV', help='also measure this git revision')
    parser.add_argument('--repeats', type=int, default=3, help='runs per command')
    return parser.parse_args(argv)


def seconds(tree, command):
    """Wall seconds of one fresh interpreter running ``command`` with ``tree`` first on
    the module search path."""
    env = {**os.environ, 'PYTHONPATH': tree}
    start = time.perf_counter()
    subprocess.run([sys.executable, *command], cwd=tree, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main(argv=None):
    args = parse_args(argv)
    trees = {'this tree': REPO_ROOT}
    with tempfile.TemporaryDirectory() as tmp:
        if args.compare:
            before = osp.join(tmp, 'before')
            subprocess.run(['git', '-C', REPO_ROOT, 'worktree', 'add', '--detach', before,
                            args.compare], check=True, capture_output=True)
            trees = {args.compare: before, **trees}
        try:
            times = {(name, label): [] for name in COMMANDS for label in trees}
            for _ in range(args.repeats):
                for name, command in COMMANDS.items():
                    for label, tree in trees.items():
                        times[name, label].append(seconds(tree, command))
        finally:
            if args.compare:
                subprocess.run(['git', '-C', REPO_ROOT, 'worktree', 'remove', '--force',
                                before], check=True)
    labels = list(trees)
    print(f'median wall seconds over {args.repeats} fresh processes')
    print(f'| command | {" | ".join(labels)} |' + (' ratio |' if len(labels) == 2 else ''))
    print('|---' * (len(labels) + 1 + (len(labels) == 2)) + '|')
    for name in COMMANDS:
        medians = [statistics.median(times[name, label]) for label in labels]
        row = f'| `{name}` | ' + ' | '.join(f'{m:.2f}' for m in medians) + ' |'
        if len(labels) == 2:
            row += f' {medians[0] / medians[1]:.1f}x |'
        print(row)


if __name__ == '__main__':
    main()

"""Command-line options the tools share, importable without torch or an OpenMMLab runner.

A tool builds its parser from these and imports the heavy modules only after parsing, so
``tools/*.py --help`` answers at once. The only import beyond the standard library is
mmengine's ``DictAction`` (``mmengine.config``, no torch) for ``--cfg-options``. The options
are acted on by :mod:`attn_plugins.engine.launch`, :mod:`attn_plugins.engine.transfer` and
:mod:`attn_plugins.evaluation.eval_loop`.
"""
import argparse

from mmengine.config import DictAction

from .defaults import MIN_PRETRAINED_MATCH

LAUNCHERS = ('none', 'pytorch', 'slurm', 'mpi')


def add_launch_args(parser: argparse.ArgumentParser) -> None:
    """Add the arguments every tool that builds a runner shares."""
    parser.add_argument('--work-dir', help='folder for logs and checkpoints '
                        '(default: ./work_dirs/<config name>)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction, metavar='KEY=VALUE',
        help='override config keys, e.g. train_dataloader.batch_size=8 '
        '"train_dataloader.dataset.data_root=/data/bsds500/"; lists as key="[a,b]"')
    parser.add_argument('--launcher', choices=LAUNCHERS, default='none',
                        help='job launcher (dist_train.sh and slurm_train.sh set it)')
    # torch.distributed.launch passes --local-rank; torchrun sets LOCAL_RANK instead.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0,
                        help=argparse.SUPPRESS)


def add_transfer_args(parser: argparse.ArgumentParser) -> None:
    """Add ``--pretrained``, ``--pretrained-prefix`` and ``--pretrained-min-match`` to a
    training tool's parser."""
    parser.add_argument(
        '--pretrained', metavar='CHECKPOINT',
        help='transfer: initialise the backbone (and the shared res5 head of a C4 detector) '
        'from the weights under --pretrained-prefix in CHECKPOINT, e.g. a MoCo or CAST '
        'pretraining checkpoint')
    parser.add_argument(
        '--pretrained-prefix', default='backbone.', metavar='PREFIX',
        help="key prefix of the backbone weights in CHECKPOINT (default: 'backbone.'; "
        "'' for a slim checkpoint from tools/export_backbone.py)")
    parser.add_argument(
        '--pretrained-min-match', type=float, default=MIN_PRETRAINED_MATCH, metavar='SHARE',
        help='fail unless the checkpoint fills at least this share of the backbone\'s '
        'tensors by name and shape (default: %(default)s; 0 turns the check off)')


def add_evaluation_args(parser: argparse.ArgumentParser, baseline_help: str) -> None:
    """The command-line options every robustness tool shares: the model, an optional
    baseline model, which split and metric to score, and where to run.

    Args:
        parser (argparse.ArgumentParser): The tool's parser.
        baseline_help (str): Help text of ``--baseline`` (what the baseline is for).
    """
    parser.add_argument('config', help='classifier config (its test set and metric are used)')
    parser.add_argument('checkpoint', help='checkpoint of the model')
    parser.add_argument('--name', help='model name in the tables (default: config name)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, metavar='KEY=VALUE',
                        help='overrides of the model config')
    parser.add_argument('--baseline', nargs=2, metavar=('CONFIG', 'CHECKPOINT'),
                        help=baseline_help)
    parser.add_argument('--baseline-name', default='baseline', help='default: %(default)s')
    parser.add_argument('--baseline-cfg-options', nargs='+', action=DictAction,
                        metavar='KEY=VALUE', help='overrides of the baseline config')
    parser.add_argument('--split', default='test', choices=['test', 'val'],
                        help='use <split>_dataloader and <split>_evaluator '
                        '(default: %(default)s)')
    parser.add_argument('--metric-key', help='metric to report (default: the top-1 accuracy)')
    parser.add_argument('--num-workers', type=int, default=0,
                        help='dataloader workers (default: %(default)s)')
    parser.add_argument('--device', default='cpu', help='default: %(default)s')

"""Training curves from mmengine's ``vis_data/scalars.json``: find the file of a work
directory and read its series."""
import glob
import json
import os
import os.path as osp
import warnings
from typing import Dict, List, Mapping, Sequence, Tuple


# Training curves from mmengine's LocalVisBackend (``<work_dir>/<timestamp>/vis_data/``).
# LoggerHook writes one JSON object per line to ``scalars.json``: a training line every
# ``logger.interval`` iterations with ``step`` = ``iter`` = the iteration (and ``epoch`` under
# epoch-based loops), and a line per validation with the metrics, ``time`` and ``data_time``
# and no ``iter``, whose ``step`` is the epoch (``LoggerHook(log_metric_by_epoch=True)``,
# the default) or the iteration (``log_metric_by_epoch=False``, e.g. mmseg's schedules).
# Evaluation hooks that call ``visualizer.add_scalars`` themselves write lines without
# ``iter`` too. The two kinds of step are not converted into each other (the iteration
# at the end of an epoch is not in the file): lines without ``iter`` are read under a
# ``val/`` prefix, mmengine's own name for them with ``log_processor.log_with_hierarchy``.
Scalars = Dict[str, List[Tuple[int, float]]]
SCALARS_FILE = osp.join('vis_data', 'scalars.json')
_TRAIN_ONLY = ('step', 'iter')  # bookkeeping: ``iter`` repeats ``step`` on training lines
_NO_SCALARS_HINT = ("train with mmengine's LocalVisBackend, the default of "
                    "configs/_base_/default_runtime.py: visualizer = dict(vis_backends="
                    "[dict(type='LocalVisBackend')])")


def find_scalars_file(path: str) -> str:
    """The ``scalars.json`` of a run: ``path`` itself, ``<path>/vis_data/scalars.json`` (a
    timestamp folder) or that of the newest ``<path>/<timestamp>/`` (a work dir).

    A work dir holds one timestamp folder per start of ``tools/train.py`` (a resumed run
    gets a new one, holding the lines written after the resume); the newest is the last by
    name (mmengine's ``%Y%m%d_%H%M%S``), then by modification time. Folders without
    ``vis_data/scalars.json`` (e.g. of ``tools/test.py``) are skipped.

    Args:
        path (str): A work dir, a timestamp folder or a ``scalars.json`` file.

    Returns:
        str: The ``scalars.json`` path.

    Raises:
        FileNotFoundError: No ``scalars.json`` there; the message names the paths searched.
    """
    if osp.isfile(path):
        return path
    if not osp.isdir(path):
        raise FileNotFoundError(f'no such work dir or scalars file: {path}')
    direct = osp.join(path, SCALARS_FILE)
    if osp.isfile(direct):
        return direct
    runs = [osp.join(path, name, SCALARS_FILE) for name in os.listdir(path)]
    runs = [run for run in runs if osp.isfile(run)]
    if not runs:
        deeper = sorted({osp.dirname(osp.dirname(osp.dirname(run))) for run in
                         glob.glob(osp.join(path, '*', '*', SCALARS_FILE))})
        hint = (f'work dirs below it: {", ".join(deeper)}' if deeper else _NO_SCALARS_HINT)
        raise FileNotFoundError(
            f'no training scalars under {path}: searched {direct} and '
            f'{osp.join(path, "<timestamp>", SCALARS_FILE)}; {hint}')
    return max(runs, key=lambda run: (osp.basename(osp.dirname(osp.dirname(run))),
                                      osp.getmtime(run)))


def read_scalars(work_dir_or_file: str) -> Scalars:
    """The scalars mmengine's ``LocalVisBackend`` logged for a run, as curves.

    Training lines (those with ``iter``) give their keys as written (``loss``, ``lr``,
    ``loss_moco``, ``epoch``, ``time``; a ``train/`` prefix from
    ``log_processor.log_with_hierarchy`` is dropped), with ``step`` the iteration. Lines
    without ``iter`` (validation, evaluation hooks) give ``val/<key>`` (``val/saliency/nss``,
    ``val/time``), with ``step`` as written: the epoch under epoch-based loops, unless
    ``LoggerHook(log_metric_by_epoch=False)``; iteration-based loops with the default
    ``log_metric_by_epoch=True`` write step 0 for every validation (a warning says so).
    Non-numeric values are skipped; an unfinished last line (no newline yet: a run still
    writing) is ignored.

    Args:
        work_dir_or_file (str): A work dir (its newest ``<timestamp>/vis_data/scalars.json``
            is read), a timestamp folder or the ``scalars.json`` file.

    Returns:
        dict[str, list[tuple[int, float]]]: ``{key: [(step, value), ...]}`` in file order.

    Raises:
        FileNotFoundError: No ``scalars.json`` found (the message names where it looked).
        ValueError: A line other than the last is not a JSON object.
    """
    path = find_scalars_file(work_dir_or_file)
    with open(path) as f:
        lines = [(number, line) for number, line in enumerate(f, 1) if line.strip()]
    scalars: Scalars = {}
    val_steps = []
    for i, (number, line) in enumerate(lines):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            if i == len(lines) - 1 and not line.endswith('\n'):
                break  # being written by a running training
            raise ValueError(f'{path}:{number}: not a JSON line ({error})') from None
        if not isinstance(record, dict) or 'step' not in record:
            raise ValueError(f'{path}:{number}: expected a JSON object with a "step" key, as '
                             'mmengine LocalVisBackend writes')
        train = 'iter' in record
        if not train:
            val_steps.append(record['step'])
        for key, value in record.items():
            if key in _TRAIN_ONLY or isinstance(value, bool) or \
                    not isinstance(value, (int, float)):
                continue
            if train:
                key = key[len('train/'):] if key.startswith('train/') else key
            elif not key.startswith('val/'):
                key = f'val/{key}'
            scalars.setdefault(key, []).append((int(record['step']), float(value)))
    if len(val_steps) > 1 and not any(val_steps) and 'epoch' not in scalars:
        warnings.warn(
            f'{path}: every validation line has step 0, as LoggerHook writes for an '
            'iteration-based loop with log_metric_by_epoch=True; set '
            'default_hooks.logger.log_metric_by_epoch=False to log them by iteration')
    return scalars


def step_label(scalars: Mapping[str, Sequence], key: str) -> str:
    """What the steps of ``key`` count in ``scalars`` from :func:`read_scalars`:
    ``'iteration'`` for training keys; for ``val/`` keys ``'epoch'`` if the run logged by
    epoch (its training lines carry ``epoch``), else ``'iteration'``."""
    if key.startswith('val/') and 'epoch' in scalars:
        return 'epoch'
    return 'iteration'

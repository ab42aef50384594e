"""A seeded method-vs-baseline harness: every (arm, seed) pretraining through
``tools/train.py``, every checkpoint through ``tools/analysis/ssl_eval.py`` (and optionally the
config's own test set through ``tools/test.py``), then per-arm statistics over seeds and the
difference of each arm to the baseline arm with a 95% interval and a Welch t-test (those
statistics, the claims' verdicts and the tables are :mod:`attn_plugins.evaluation.report`).

An experiment is a small Python spec (read with mmengine's ``Config``, so ``_base_``
inheritance works: a full-scale spec can inherit its CPU sibling)::

    name = 'cast-vs-mocov2_cpu'
    baseline = 'mocov2'                       # the arm every other is compared with
    seeds = [0, 1, 2]                          # randomness.seed of each training
    cfg_options = dict(train_cfg=dict(max_epochs=30))   # the scale, applied to every arm
    arms = [
        dict(name='mocov2', config='configs/cast/mocov2_..._cpu.py'),
        dict(name='cast', config='configs/cast/cast-mocov2_..._cpu.py',
             cfg_options={'model.loss_weight': 0.5}),          # arm-specific overrides
        dict(name='random', config='configs/...', checkpoint='random'),  # no training
    ]
    evaluation = dict(tasks=['linear', 'knn'], args=['--size', '112'], test=False)
    metrics = ['linear/top1', 'knn/top1']      # headline columns of the table and plot
    prerequisites = [dict(name='teacher', command=['tools/train.py', 'T.py'],
                          creates='work_dirs/T/epoch_10.pth')]   # run once, before all
    train_pool = 'work_dirs/experiments/trainings'   # optional: trainings shared by specs
    results_dir = 'results/cast_vs_mocov2'     # optional: kept results, committed (below)
    claims = [dict(arm='cast', metric='linear/top1', direction='higher',   # optional
                   paper='CAST beats MoCo on ImageNet linear')]   # against='<arm>' too
    transfer = [dict(name='bccd-det',                 # optional: downstream fine-tuning
                     config='configs/benchmarks/mmdetection/faster-rcnn_..._cpu.py',
                     seeds=[0])]                      # which runs (default: every seed)

Helper variables of a spec start with ``_`` (``_teacher = 'configs/...'``); any other
unknown name is an error, so a typo cannot pass silently.

Each run lives in ``<work_dir>/<arm>/seed<S>/``: ``run.json`` (its settings: a rerun with
other settings stops instead of mixing results), ``train/`` (the training work dir; a run
killed mid-training resumes from its last checkpoint), ``train_done.json``, ``eval/`` (the
ssl_eval output, resumable per task), ``test_metrics.json`` and ``transfer/<name>/`` (each
transfer: the downstream config trained from the run's checkpoint with ``--pretrained``, or
from scratch for a random arm, seeded by the run's seed, then tested; its metrics become
``transfer/<name>/<key>``). Whatever is done is skipped.

With a ``train_pool`` (spec key or ``--train-pool``) the trainings live there instead, one
folder per distinct training (config, overrides, seed, training script) named
``<config stem>-<hash>``: experiments at one scale that share an arm (the MoCo v2 baseline of
several comparisons) train it once, and each evaluates it its own way in its run folder;
an evaluation with the same settings as one another experiment ran on that checkpoint is
copied from that run folder (``<pool>/evals/`` notes where each is), not run again. A
run folder that already holds a training from before keeps using it. A prerequisite without
``creates`` runs every time (for commands that skip their own finished work).

With a ``results_dir`` (spec key or ``--results-dir``; a folder in the repository) the
results outlive the work dir: every finished run (evaluated, tested and transferred as the
spec asks) is kept as ``<results_dir>/runs/<arm>/seed<S>.json`` (its metrics, wall times and
corruption accuracies, with what they depend on: the run's settings, the digests of its
configs and its transfers' settings), and the report is written there too. On another
machine, or after the work dir is gone, a kept run whose settings still match is not run
again and counts in the report; one whose settings changed (an edited config) runs again and
replaces its record. So an experiment longer than one machine's life is finished run by run,
committing the folder in between. A run this experiment has not kept, but another experiment
whose results dir sits beside this one (under the same parent folder) kept with the same key
(the same training, evaluation and transfers, so the same results), is not run again either:
its record is copied here, with ``copied_from`` naming the original.
"""
import fcntl
import functools
import glob
import hashlib
import json
import logging
import os
import os.path as osp
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
from mmengine.config import Config
from mmengine.logging import print_log

from .report import TRANSFER, WALL, markdown_report, plot_report, summarise_experiment

#: The repository root: relative paths in specs (configs, scripts, prerequisites) are
#: relative to it, and every command runs there.
REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SPEC_KEYS = {'name', 'description', 'baseline', 'seeds', 'cfg_options', 'arms', 'evaluation',
             'metrics', 'prerequisites', 'train_script', 'eval_script', 'test_script',
             'train_pool', 'claims', 'transfer', 'results_dir'}
CLAIM_KEYS = {'arm', 'metric', 'direction', 'paper', 'against', 'trivial'}
#: An iteration-based transfer saves a checkpoint at least this often, so one killed with
#: its machine resumes near where it stopped. Saving changes nothing a training computes, so
#: it is not part of the transfer's settings (transfers kept before stay valid).
TRANSFER_CHECKPOINT_ITERS = 50
TRANSFER_KEYS = {'name', 'config', 'cfg_options', 'seeds'}
ARM_KEYS = {'name', 'config', 'cfg_options', 'checkpoint', 'eval_config'}


@dataclass
class Arm:
    """One arm of an experiment.

    Attributes:
        name (str): Its name in tables and folders.
        config (str): Training config (also evaluated unless ``eval_config``).
        cfg_options (dict): Overrides for this arm (after the experiment's).
        checkpoint (str, optional): ``'random'``: no training, the config's random
            initialisation seeded by the run's seed.
        eval_config (str, optional): Config whose backbone ssl_eval builds, if not ``config``.
    """

    name: str
    config: str
    cfg_options: Dict = field(default_factory=dict)
    checkpoint: Optional[str] = None
    eval_config: Optional[str] = None


@dataclass
class Experiment:
    """A parsed experiment spec (see the module docstring)."""

    name: str
    arms: List[Arm]
    baseline: str
    seeds: List[int]
    cfg_options: Dict = field(default_factory=dict)
    tasks: List[str] = field(default_factory=list)
    eval_args: List[str] = field(default_factory=list)
    test: bool = False
    metrics: List[str] = field(default_factory=list)
    prerequisites: List[Dict] = field(default_factory=list)
    train_script: str = 'tools/train.py'
    eval_script: str = 'tools/analysis/ssl_eval.py'
    test_script: str = 'tools/test.py'
    description: str = ''
    train_pool: Optional[str] = None
    results_dir: Optional[str] = None
    claims: List[Dict] = field(default_factory=list)
    transfer: List[Dict] = field(default_factory=list)

    def arm(self, name: str) -> Arm:
        """The arm called ``name``."""
        for arm in self.arms:
            if arm.name == name:
                return arm
        raise KeyError(name)


def flatten_options(options: Mapping, prefix: str = '') -> Dict[str, object]:
    """Nested dicts to dotted keys (``dict(a=dict(b=1))`` -> ``{'a.b': 1}``); dotted keys
    already given stay as they are.

    Example:
        >>> flatten_options({'train_cfg': {'max_epochs': 30}, 'model.queue_len': 512})
        {'train_cfg.max_epochs': 30, 'model.queue_len': 512}
    """
    flat = {}
    for key, value in options.items():
        if isinstance(value, Mapping) and value:
            flat.update(flatten_options(value, f'{prefix}{key}.'))
        else:
            flat[f'{prefix}{key}'] = value
    return flat


def load_experiment(path: str, cfg_options: Optional[Mapping] = None,
                    seeds: Optional[Sequence[int]] = None,
                    arms: Optional[Sequence[str]] = None) -> Experiment:
    """Read and check an experiment spec.

    Args:
        path (str): The spec file (Python, read by mmengine's ``Config``).
        cfg_options (Mapping, optional): Extra overrides for every arm (re-scaling from the
            command line), applied after the spec's ``cfg_options``.
        seeds (Sequence[int], optional): Replace the spec's seeds.
        arms (Sequence[str], optional): Keep only these arms (the baseline is always kept).

    Returns:
        Experiment: The experiment.

    Raises:
        FileNotFoundError: When the spec or a config it names does not exist.
        ValueError: For unknown keys, a missing baseline arm, duplicate arm names, no seeds.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'experiment spec not found: {path}')
    spec = Config.fromfile(path).to_dict()
    # Names starting with '_' are the spec's own helper variables (and mmengine's _base_).
    unknown = sorted(k for k in set(spec) - SPEC_KEYS if not k.startswith('_'))
    if unknown:
        raise ValueError(f'{path}: unknown keys {unknown}; a spec holds {sorted(SPEC_KEYS)}')
    for key in ('name', 'arms', 'baseline', 'seeds'):
        if key not in spec:
            raise ValueError(f'{path}: the spec has no {key!r}')
    parsed = []
    for entry in spec['arms']:
        bad = sorted(set(entry) - ARM_KEYS)
        if bad or 'name' not in entry or 'config' not in entry:
            raise ValueError(f'{path}: arm {entry.get("name")!r} has unknown keys {bad} or no '
                             f'name / config; an arm holds {sorted(ARM_KEYS)}')
        arm = Arm(**{k: v for k, v in entry.items()})
        arm.cfg_options = flatten_options(arm.cfg_options or {})
        for config in filter(None, (arm.config, arm.eval_config)):
            if not osp.isfile(osp.join(REPO_ROOT, config)):
                raise FileNotFoundError(f'{path}: arm {arm.name!r}: config not found: {config}')
        if arm.checkpoint not in (None, 'random'):
            raise ValueError(f'{path}: arm {arm.name!r}: checkpoint must be "random" or unset')
        parsed.append(arm)
    names = [arm.name for arm in parsed]
    if len(set(names)) != len(names):
        raise ValueError(f'{path}: arm names must be unique, got {names}')
    if spec['baseline'] not in names:
        raise ValueError(f'{path}: baseline {spec["baseline"]!r} is not one of the arms {names}')
    if arms:
        missing = sorted(set(arms) - set(names))
        if missing:
            raise ValueError(f'--arms: no arm named {missing}; the arms are {names}')
        parsed = [a for a in parsed if a.name in arms or a.name == spec['baseline']]
    evaluation = spec.get('evaluation', {})
    options = flatten_options(spec.get('cfg_options') or {})
    options.update(flatten_options(cfg_options or {}))
    exp = Experiment(
        name=spec['name'], arms=parsed, baseline=spec['baseline'],
        seeds=list(seeds if seeds is not None else spec['seeds']), cfg_options=options,
        tasks=list(evaluation.get('tasks', [])), eval_args=[str(a) for a in
                                                           evaluation.get('args', [])],
        test=bool(evaluation.get('test', False)), metrics=list(spec.get('metrics', [])),
        prerequisites=list(spec.get('prerequisites', [])),
        description=spec.get('description', ''),
        claims=list(spec.get('claims', [])),
        **{k: spec[k] for k in ('train_script', 'eval_script', 'test_script', 'train_pool',
                                'results_dir') if k in spec})
    all_names = set(names)
    for claim in exp.claims:
        bad = sorted(set(claim) - CLAIM_KEYS)
        missing = sorted({'arm', 'metric', 'direction', 'paper'} - set(claim))
        if bad or missing:
            raise ValueError(f'{path}: claim {claim!r}: unknown keys {bad}, missing {missing}; '
                             f'a claim holds {sorted(CLAIM_KEYS)}')
        for key in ('arm', 'against'):
            if key in claim and claim[key] not in all_names:
                raise ValueError(f'{path}: claim {claim["paper"]!r}: {key} {claim[key]!r} is '
                                 f'not one of the arms {names}')
        if claim['direction'] not in ('higher', 'lower'):
            raise ValueError(f'{path}: claim {claim["paper"]!r}: direction must be "higher" '
                             f'or "lower", got {claim["direction"]!r}')
    if not exp.seeds:
        raise ValueError(f'{path}: no seeds')
    for entry in spec.get('transfer', []):
        bad = sorted(set(entry) - TRANSFER_KEYS)
        if bad or 'name' not in entry or 'config' not in entry:
            raise ValueError(f'{path}: transfer {entry.get("name")!r} has unknown keys {bad} '
                             f'or no name / config; a transfer holds {sorted(TRANSFER_KEYS)}')
        if not osp.isfile(osp.join(REPO_ROOT, entry['config'])):
            raise FileNotFoundError(f'{path}: transfer {entry["name"]!r}: config not found: '
                                    f'{entry["config"]}')
        unknown_seeds = sorted(set(entry.get('seeds', [])) - set(spec['seeds']))
        if unknown_seeds:
            raise ValueError(f'{path}: transfer {entry["name"]!r}: seeds {unknown_seeds} are '
                             f'not the spec\'s seeds {spec["seeds"]}')
        # The downstream config builds its own backbone: an arm's backbone overrides would
        # not reach it, and its weights would load into another architecture.
        for arm in exp.arms:
            changed = sorted(k for k in dict(exp.cfg_options, **arm.cfg_options)
                             if k.startswith('model.backbone'))
            if changed:
                raise ValueError(f'{path}: transfer {entry["name"]!r}: arm {arm.name!r} '
                                 f'overrides the backbone ({", ".join(changed)}), which the '
                                 'downstream config would not build; give the arm a config '
                                 'of its own')
        exp.transfer.append(dict(
            name=entry['name'], config=entry['config'],
            cfg_options=flatten_options(entry.get('cfg_options') or {}),
            seeds=[s for s in exp.seeds if s in entry.get('seeds', exp.seeds)]))
    names = [t['name'] for t in exp.transfer]
    if len(set(names)) != len(names):
        raise ValueError(f'{path}: transfer names must be unique, got {names}')
    if not exp.tasks and not exp.test and not exp.transfer:
        raise ValueError(f'{path}: evaluation has no tasks, test=False and no transfer: '
                         'nothing to compare')
    return exp


def format_option(value) -> str:
    """A config value as mmengine's ``--cfg-options`` parser (``DictAction``) reads it.

    Example:
        >>> [format_option(v) for v in (None, True, 0.5, 'x', [1, 2], (3, ))]
        ['None', 'True', '0.5', 'x', '[1,2]', '(3,)']
    """
    if isinstance(value, (list, tuple)):
        inner = ','.join(format_option(v) for v in value)
        return f'[{inner}]' if isinstance(value, list) else f'({inner},)'
    if isinstance(value, Mapping):
        raise ValueError(f'cannot pass the dict {value!r} as one --cfg-options value; give its '
                         'keys as dotted keys (a.b=...)')
    return str(value)


def _options_args(options: Mapping) -> List[str]:
    return [f'{key}={format_option(value)}' for key, value in options.items()]


def _stored_settings(path: str, settings: Mapping) -> dict:
    """``settings`` as JSON round-trips them, written to ``path`` the first time; a later
    call with other settings stops instead of mixing results."""
    settings = json.loads(json.dumps(settings))
    if osp.isfile(path):
        with open(path) as f:
            stored = json.load(f)
        if stored != settings:
            changed = sorted(k for k in settings if stored.get(k) != settings[k])
            raise RuntimeError(
                f'[harness] {osp.dirname(path)} was run with other settings '
                f'({", ".join(changed)} differ): give another --work-dir for the new '
                'settings, or delete that folder to redo it')
    else:
        os.makedirs(osp.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            json.dump(settings, f, indent=1)
    return settings


@functools.lru_cache(maxsize=None)  # one parse per config and process, not one per run
def config_digest(config: str) -> str:
    """A short hash of a config's resolved values (its bases followed; the repository's
    location left out), so an edited config is not taken for the one a result came from.

    Args:
        config (str): The config, relative to the repository root or absolute.

    Returns:
        str: 12 hex digits.
    """
    values = Config.fromfile(osp.join(REPO_ROOT, config)).to_dict()
    text = json.dumps(values, sort_keys=True, default=repr).replace(REPO_ROOT, '<repo>')
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def _numeric_metrics(path: str, prefix: str) -> Dict[str, float]:
    """The numbers of a metrics JSON file (``tools/test.py --out-item metrics``) under
    ``prefix``; nothing when the file does not exist."""
    if not osp.isfile(path):
        return {}
    with open(path) as f:
        return {f'{prefix}{k}': v for k, v in json.load(f).items()
                if isinstance(v, (int, float))}


#: The time stamp that starts a line of an mmengine log file (``2026/12/04 02:58:46 - ...``).
_LOG_STAMP = re.compile(r'^(\d{4})/(\d\d)/(\d\d) (\d\d):(\d\d):(\d\d) - mmengine')
#: The iteration time of a training log line (``Epoch(train) [1][25/95] ... time: 0.5172``).
_TRAIN_TIME = re.compile(r'\(train\).* time: ([0-9.]+)')
#: Where a training log line is (``Epoch(train) [16][25/95]``, ``Iter(train) [25/300]``).
_TRAIN_PROGRESS = re.compile(r'\(train\)\s*((?:\[\s*[0-9/]+\])+)')
#: The hook ``--channels-last`` adds, as the config dump at the top of a Runner's log shows it.
_CHANNELS_LAST_HOOK = "type='ChannelsLastHook'"


def runner_log_attempts(work_dir: str) -> List[dict]:
    """The runs of the mmengine Runners of a work dir, oldest first, read from their logs.

    Each run of a Runner logs to ``<work_dir>/<YYYYmmdd_HHMMSS>/<YYYYmmdd_HHMMSS>.log``, which
    starts with the dump of its config. A run's elapsed time is its last stamped line's time
    minus its first's: a killed run counts up to its last line, and time the machine spent on
    other jobs (or paused) counts too.

    Args:
        work_dir (str): The work dir.

    Returns:
        list[dict]: Per run with a stamped log: ``log`` (its folder name), ``minutes``
        (elapsed), ``iteration_s`` (the logged training iteration times, a list),
        ``channels_last`` (whether its config has the ``ChannelsLastHook``) and, when it
        logged training lines, ``trained`` (its first and last, e.g. ``'[16][25/95] to
        [100][95/95]'``).
    """
    pattern = osp.join(glob.escape(work_dir), '[0-9]' * 8 + '_' + '[0-9]' * 6, '*.log')
    attempts = []
    for path in sorted(glob.glob(pattern)):
        with open(path, errors='replace') as f:
            text = f.read()
        lines = text.splitlines()
        stamps = [m.groups() for m in map(_LOG_STAMP.match, lines) if m]
        if not stamps:
            continue
        first, last = (datetime(*map(int, s)) for s in (stamps[0], stamps[-1]))
        progress = [re.sub(r'\s+', '', m.group(1)) for m in map(_TRAIN_PROGRESS.search, lines)
                    if m]
        attempt = dict(log=osp.basename(osp.dirname(path)),
                       minutes=(last - first).total_seconds() / 60,
                       iteration_s=[float(m.group(1)) for m in map(_TRAIN_TIME.search, lines)
                                    if m],
                       channels_last=_CHANNELS_LAST_HOOK in text)
        if progress:
            attempt['trained'] = f'{progress[0]} to {progress[-1]}'
        attempts.append(attempt)
    return attempts


def runner_log_times(work_dir: str, attempts: str = 'all') -> Optional[Dict[str, float]]:
    """How long the mmengine Runners of a work dir took (:func:`runner_log_attempts`). The
    median of the logged training iteration times is the robust cost of one step.

    Args:
        work_dir (str): The work dir.
        attempts (str): ``'all'`` sums the runs (a training resumed after a kill), ``'last'``
            takes the latest only (a test, which reruns whole).

    Returns:
        dict | None: ``minutes`` (elapsed) and, when training lines were logged,
        ``iteration_s`` (median seconds per training iteration); None without a stamped log.
    """
    if attempts not in ('all', 'last'):
        raise ValueError(f"attempts must be 'all' or 'last', got {attempts!r}")
    runs = runner_log_attempts(work_dir)
    if not runs:
        return None
    if attempts == 'last':
        runs = runs[-1:]
    times = [t for run in runs for t in run['iteration_s']]
    return dict(minutes=sum(run['minutes'] for run in runs),
                **({'iteration_s': float(np.median(times))} if times else {}))


class Harness:
    """Runs an experiment's trainings and evaluations, skipping what is done, and writes the
    comparison.

    Args:
        experiment (Experiment): The experiment.
        work_dir (str): Its folder (runs, results, plot).
        python (str): Interpreter of the subprocesses.
        env (dict, optional): Extra environment variables of the subprocesses.
        cache_dir (str, optional): ssl_eval's feature cache (default ``<work_dir>/cache``).
        train_pool (str, optional): Folder of trainings shared between experiments (default:
            the spec's ``train_pool``; none: each run trains in its own folder).
        results_dir (str, optional): Folder where finished runs and the report are kept
            (default: the spec's ``results_dir``; none: the work dir only).
        command (str, optional): The command line that runs the experiment, stored in
            ``results.json`` so a table says how to regenerate it.
        channels_last (bool): Train the arms with ``--channels-last`` (the same float32 maths
            in another memory layout, so not part of a run's key); each kept record notes the
            layout its training's logs show.
    """

    def __init__(self, experiment: Experiment, work_dir: str, python: str = sys.executable,
                 env: Optional[Dict[str, str]] = None, cache_dir: Optional[str] = None,
                 train_pool: Optional[str] = None, command: Optional[str] = None,
                 results_dir: Optional[str] = None, channels_last: bool = False) -> None:
        self.exp = experiment
        self.channels_last = channels_last
        self.command = command
        self.work_dir = osp.abspath(work_dir)
        pool = train_pool or experiment.train_pool
        self.train_pool = None if pool is None else osp.join(REPO_ROOT, pool)
        kept = results_dir or experiment.results_dir
        self.results_dir = None if kept is None else osp.join(REPO_ROOT, kept)
        self.python = python
        self.env = dict(os.environ, **(env or {}))
        self.env['PYTHONPATH'] = os.pathsep.join(filter(None, [REPO_ROOT,
                                                               self.env.get('PYTHONPATH')]))
        self.cache_dir = cache_dir or osp.join(self.work_dir, 'cache')

    # -- commands ------------------------------------------------------------------------
    def _script(self, script: str) -> str:
        return script if osp.isabs(script) else osp.join(REPO_ROOT, script)

    def _run(self, args: Sequence[str], what: str, log_path: str) -> None:
        """Run ``python args`` in the repository root; its output goes to ``log_path``."""
        command = [self.python, *map(str, args)]
        print_log(f'[harness] {what}: {" ".join(command)}', logger='current')
        os.makedirs(osp.dirname(log_path), exist_ok=True)
        start = time.time()
        with open(log_path, 'a') as log:
            proc = subprocess.run(command, cwd=REPO_ROOT, env=self.env, stdout=log,
                                  stderr=subprocess.STDOUT)
        if proc.returncode != 0:
            raise RuntimeError(f'[harness] {what} failed (exit status {proc.returncode}); see '
                               f'{log_path}. Rerun the same command to resume: finished runs '
                               'are skipped.')
        print_log(f'[harness] {what}: done in {time.time() - start:.0f}s', logger='current')

    def run_dir(self, arm: Arm, seed: int) -> str:
        """Folder of one (arm, seed) run."""
        return osp.join(self.work_dir, arm.name, f'seed{seed}')

    def settings(self, arm: Arm, seed: int) -> dict:
        """What a run's result depends on; stored in ``run.json``."""
        options = dict(self.exp.cfg_options, **arm.cfg_options)
        options['randomness.seed'] = seed
        return dict(config=arm.config, checkpoint=arm.checkpoint, cfg_options=options,
                    train_script=self.exp.train_script, eval_config=arm.eval_config,
                    tasks=self.exp.tasks, eval_args=self.exp.eval_args, test=self.exp.test)

    def _check_settings(self, arm: Arm, seed: int) -> dict:
        return _stored_settings(osp.join(self.run_dir(arm, seed), 'run.json'),
                                self.settings(arm, seed))

    def prerequisites(self, done: Optional[set] = None) -> None:
        """Run each prerequisite whose ``creates`` path does not exist yet (or that has none).

        Args:
            done (set, optional): Commands (tuples) another experiment of this process has
                run already: they are not run again. This experiment's are added to it.
        """
        for item in self.exp.prerequisites:
            command = tuple(item['command'])
            if done is not None and command in done:
                continue
            creates = item.get('creates') and osp.join(REPO_ROOT, item['creates'])
            if creates and osp.exists(creates):
                continue
            self._run([self._script(command[0]), *command[1:]],
                      f'prerequisite {item["name"]}',
                      osp.join(self.work_dir, 'logs', f'prerequisite_{item["name"]}.log'))
            if creates and not osp.exists(creates):
                raise RuntimeError(f'[harness] prerequisite {item["name"]} finished but did not '
                                   f'create {item["creates"]}')
            if done is not None:
                done.add(command)

    def training_key(self, arm: Arm, seed: int) -> str:
        """Name of a training in the pool: the config's stem and a hash of all it depends on."""
        settings = self.settings(arm, seed)
        training = {k: settings[k] for k in ('config', 'cfg_options', 'train_script')}
        digest = hashlib.sha1(json.dumps(training, sort_keys=True).encode()).hexdigest()
        return f'{osp.splitext(osp.basename(arm.config))[0]}-{digest[:12]}'

    def training_dirs(self, arm: Arm, seed: int) -> Tuple[str, str]:
        """The training work dir of one run and its ``train_done.json``.

        In the run folder (``<run>/train``, ``<run>/train_done.json``) without a pool, or when
        the run folder already holds a training; otherwise ``<pool>/<key>`` with the marker
        inside it.
        """
        run_dir = self.run_dir(arm, seed)
        own = osp.join(run_dir, 'train'), osp.join(run_dir, 'train_done.json')
        if self.train_pool is None or osp.isdir(own[0]) or osp.isfile(own[1]):
            return own
        pooled = osp.join(self.train_pool, self.training_key(arm, seed))
        return pooled, osp.join(pooled, 'train_done.json')

    def is_trained(self, arm: Arm, seed: int) -> bool:
        """Whether the run needs no (more) training."""
        return arm.checkpoint == 'random' or osp.isfile(self.training_dirs(arm, seed)[1])

    def train(self, arm: Arm, seed: int, settings: dict) -> str:
        """Train one run unless done; returns its checkpoint (or ``'random'``)."""
        if arm.checkpoint == 'random':
            return 'random'
        train_dir, done = self.training_dirs(arm, seed)
        os.makedirs(train_dir, exist_ok=True)
        # Two harnesses sharing a pool wait for each other instead of training one run twice.
        with open(f'{train_dir}.lock', 'w') as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not osp.isfile(done):
                self._train(arm, seed, settings, train_dir, done)
        with open(done) as f:
            finished = json.load(f)
        # Trainings are named by config path: one whose file changed since is not reused.
        digest = config_digest(arm.config)
        if finished.get('config_digest', digest) != digest:
            raise RuntimeError(f'[harness] {train_dir} was trained from another version of '
                               f'{arm.config}: delete it (and {done}) to train again')
        return finished['checkpoint']

    def _train(self, arm: Arm, seed: int, settings: dict, train_dir: str, done: str) -> None:
        checkpoint = self._train_config(
            arm.config, train_dir, settings['cfg_options'], f'train {arm.name} seed {seed}',
            osp.join(self.run_dir(arm, seed), 'train.log'),
            ['--channels-last'] if self.channels_last else [])
        with open(done, 'w') as f:
            json.dump(dict(checkpoint=checkpoint, config_digest=config_digest(arm.config)), f)

    def _train_config(self, config: str, train_dir: str, options: Mapping, what: str,
                      log_path: str, extra_args: Sequence[str] = ()) -> str:
        """Train ``config`` in ``train_dir`` (resuming a killed training from its last
        checkpoint) and return that last checkpoint."""
        args = [self._script(self.exp.train_script), osp.join(REPO_ROOT, config),
                '--work-dir', train_dir, '--cfg-options', *_options_args(options), *extra_args]
        last = osp.join(train_dir, 'last_checkpoint')
        if osp.isfile(last):
            args.append('--resume')  # killed mid-training: continue from its last checkpoint
        self._run(args, what, log_path)
        if not osp.isfile(last):
            raise RuntimeError(f'[harness] {what} left no {last}: is a CheckpointHook '
                               'configured?')
        with open(last) as f:
            return f.read().strip()

    def evaluate(self, arm: Arm, seed: int, checkpoint: str) -> None:
        """ssl_eval (and the config's test set when ``test``) of one run, unless done."""
        run_dir = self.run_dir(arm, seed)
        config = osp.join(REPO_ROOT, arm.eval_config or arm.config)
        if self.exp.tasks and not osp.isfile(osp.join(run_dir, 'eval_done.json')):
            out_dir = osp.join(run_dir, 'eval')
            args = [self._script(self.exp.eval_script), config, checkpoint, '--out-dir',
                    out_dir, '--cache-dir', self.cache_dir, '--name',
                    f'{arm.name} seed {seed}', '--tasks', *self.exp.tasks, *self.exp.eval_args]
            if checkpoint == 'random':
                args += ['--init-seed', str(seed)]
            options = dict(self.exp.cfg_options, **arm.cfg_options)
            if options:  # the backbone the arm trained (e.g. a depth override)
                args += ['--cfg-options', *_options_args(options)]
            record = self._eval_record(config, checkpoint, args)
            source = self._evaluated_elsewhere(record, out_dir)
            if source is not None:  # ssl_eval is deterministic: its output serves every spec
                shutil.rmtree(out_dir, ignore_errors=True)
                shutil.copytree(source, out_dir)
                print_log(f'[harness] evaluate {arm.name} seed {seed}: the same evaluation is '
                          f'in {source}; copied', logger='current')
            else:
                self._run(args, f'evaluate {arm.name} seed {seed}',
                          osp.join(run_dir, 'eval.log'))
            with open(osp.join(run_dir, 'eval_done.json'), 'w') as f:
                json.dump(dict(checkpoint=checkpoint, copied_from=source), f)
            if record is not None and source is None:
                os.makedirs(osp.dirname(record), exist_ok=True)
                with open(record, 'w') as f:
                    json.dump(dict(eval_dir=out_dir), f)
        test_out = osp.join(run_dir, 'test_metrics.json')
        if self.exp.test and checkpoint != 'random' and not osp.isfile(test_out):
            options = dict(self.exp.cfg_options, **arm.cfg_options)
            args = [self._script(self.exp.test_script), config, checkpoint, '--work-dir',
                    osp.join(run_dir, 'test'), '--out', test_out, '--out-item', 'metrics']
            if options:
                args += ['--cfg-options', *_options_args(options)]
            self._run(args, f'test {arm.name} seed {seed}', osp.join(run_dir, 'test.log'))

    def _eval_record(self, config: str, checkpoint: str, args: Sequence[str]) -> Optional[str]:
        """Where the pool notes which run folder holds ssl_eval's output for these settings:
        ``<pool>/evals/<hash>.json`` (None without a pool). The hash covers ssl_eval's
        arguments but the output folder, run name and cache, the eval config's digest and,
        for a trained checkpoint, the file's size and time, so a retrained one is evaluated
        anew."""
        if self.train_pool is None:
            return None
        per_run = {'--out-dir', '--name', '--cache-dir'}
        kept = [a for i, a in enumerate(args)
                if a not in per_run and (i == 0 or args[i - 1] not in per_run)]
        stamp = None
        if checkpoint != 'random':
            stat = os.stat(checkpoint)
            stamp = [stat.st_size, stat.st_mtime_ns]
        text = json.dumps(dict(args=kept, config_digest=config_digest(config),
                               checkpoint=stamp)).replace(REPO_ROOT, '<repo>')
        digest = hashlib.sha1(text.encode()).hexdigest()[:16]
        return osp.join(self.train_pool, 'evals', f'{digest}.json')

    @staticmethod
    def _evaluated_elsewhere(record: Optional[str], out_dir: str) -> Optional[str]:
        """The finished ssl_eval output folder ``record`` names, or None when there is none
        (no record, or its run folder is gone or unfinished)."""
        if record is None or not osp.isfile(record):
            return None
        with open(record) as f:
            source = json.load(f)['eval_dir']
        finished = (osp.isfile(osp.join(source, 'results.json'))
                    and osp.isfile(osp.join(osp.dirname(source), 'eval_done.json')))
        return source if finished and osp.abspath(source) != osp.abspath(out_dir) else None

    def transfer_dir(self, arm: Arm, seed: int, name: str) -> str:
        """Folder of one run's transfer ``name``."""
        return osp.join(self.run_dir(arm, seed), 'transfer', name)

    @staticmethod
    def transfer_settings(item: Mapping) -> dict:
        """What a transfer's result depends on, besides the pretrained checkpoint."""
        return dict(config=item['config'], config_digest=config_digest(item['config']),
                    cfg_options=item['cfg_options'])

    @staticmethod
    def checkpoint_options(config: str) -> Dict[str, int]:
        """``--cfg-options`` that make an iteration-based training save a checkpoint every
        :data:`TRANSFER_CHECKPOINT_ITERS` iterations, where it would save more rarely.

        Args:
            config (str): The downstream config, relative to the repository root.

        Returns:
            dict: ``{'default_hooks.checkpoint.interval': 50}``, or empty for a config
            without a CheckpointHook, an epoch-based one, or one that saves as often already.
        """
        hook = Config.fromfile(osp.join(REPO_ROOT, config)).get('default_hooks', {}).get(
            'checkpoint')
        if not hook or hook.get('by_epoch', True) or \
                0 < hook.get('interval', -1) <= TRANSFER_CHECKPOINT_ITERS:
            return {}
        return {'default_hooks.checkpoint.interval': TRANSFER_CHECKPOINT_ITERS}

    def transfer(self, arm: Arm, seed: int, checkpoint: str) -> None:
        """Each of the spec's transfers that covers ``seed``, unless done: the downstream
        config trained from the run's checkpoint (``--pretrained``; from its own random
        initialisation for a random arm), seeded by ``seed``, saving a checkpoint often
        (:meth:`checkpoint_options`; the spec's ``cfg_options`` win), then tested with
        ``tools/test.py``; the metrics go to ``transfer/<name>/metrics.json``."""
        for item in self.exp.transfer:
            if seed not in item['seeds']:
                continue
            out_dir = self.transfer_dir(arm, seed, item['name'])
            _stored_settings(osp.join(out_dir, 'settings.json'),
                             dict(self.transfer_settings(item), pretrained=checkpoint))
            metrics_path = osp.join(out_dir, 'metrics.json')
            if osp.isfile(metrics_path):
                continue
            options = dict(item['cfg_options'], **{'randomness.seed': seed})
            what = f'transfer {item["name"]} {arm.name} seed {seed}'
            done = osp.join(out_dir, 'train_done.json')
            if not osp.isfile(done):  # a failed test does not train again
                trained = self._train_config(
                    item['config'], osp.join(out_dir, 'train'),
                    dict(self.checkpoint_options(item['config']), **options), what,
                    osp.join(out_dir, 'train.log'),
                    [] if checkpoint == 'random' else ['--pretrained', checkpoint])
                with open(done, 'w') as f:
                    json.dump(dict(checkpoint=trained), f)
            with open(done) as f:
                trained = json.load(f)['checkpoint']
            self._run([self._script(self.exp.test_script), osp.join(REPO_ROOT, item['config']),
                       trained, '--work-dir', osp.join(out_dir, 'test'), '--out',
                       metrics_path, '--out-item', 'metrics', '--cfg-options',
                       *_options_args(options)], f'test {what}', osp.join(out_dir, 'test.log'))

    def run(self) -> dict:
        """Prerequisites, then every (arm, seed) run (:meth:`run_one`), then the report.

        Returns:
            dict: The report (see :func:`summarise_experiment`).
        """
        self.prerequisites()
        runs = [(arm, seed) for seed in self.exp.seeds for arm in self.exp.arms]
        start = time.time()
        for index, (arm, seed) in enumerate(runs):
            if self.run_one(arm, seed):
                elapsed = time.time() - start
                print_log(f'[harness] {index + 1}/{len(runs)} runs done (elapsed '
                          f'{elapsed:.0f}s, ETA '
                          f'{elapsed / (index + 1) * (len(runs) - index - 1):.0f}s)',
                          logger='current')
        return self.report()

    def run_one(self, arm: Arm, seed: int) -> bool:
        """Train, evaluate and transfer one run, skipping what is done, unless it is kept;
        keep it when there is a results dir.

        Returns:
            bool: False when the run was kept and nothing ran.
        """
        twin = self.adopt_twin(arm, seed)
        if self.kept(arm, seed) is not None:
            print_log(f'[harness] {arm.name} seed {seed}: kept in '
                      f'{self.record_path(arm, seed)}'
                      + (f' (copied from {twin})' if twin else ''), logger='current')
            return False
        settings = self._check_settings(arm, seed)
        checkpoint = self.train(arm, seed, settings)
        self.evaluate(arm, seed, checkpoint)
        self.transfer(arm, seed, checkpoint)
        if self.results_dir is not None:
            self.keep(arm, seed)
        return True

    # -- results -------------------------------------------------------------------------
    def is_finished(self, arm: Arm, seed: int) -> bool:
        """Whether the run's work dir holds every result the spec asks for: the evaluation,
        the test (of a trained arm) and each transfer that covers ``seed``."""
        run_dir = self.run_dir(arm, seed)
        if self.exp.tasks and not osp.isfile(osp.join(run_dir, 'eval_done.json')):
            return False
        if (self.exp.test and arm.checkpoint != 'random'
                and not osp.isfile(osp.join(run_dir, 'test_metrics.json'))):
            return False
        return all(osp.isfile(osp.join(self.transfer_dir(arm, seed, item['name']),
                                       'metrics.json'))
                   for item in self.exp.transfer if seed in item['seeds'])

    def run_results(self, arm: Arm, seed: int) -> Optional[dict]:
        """One run's results in its work dir, or None when it has none.

        Returns:
            dict | None: ``metrics`` (ssl_eval's headline numbers, ``test/<key>``,
            ``transfer/<name>/<key>`` and the ``wall/...`` times) and ``corruption`` (the raw
            corruption result, or None).
        """
        run_dir = self.run_dir(arm, seed)
        metrics, corruption = {}, None
        path = osp.join(run_dir, 'eval', 'results.json')
        if osp.isfile(path) and osp.isfile(osp.join(run_dir, 'eval_done.json')):
            with open(path) as f:
                report = json.load(f)
            metrics.update(report['metrics'])
            corruption = report['tasks'].get('corruption')
        metrics.update(_numeric_metrics(osp.join(run_dir, 'test_metrics.json'), 'test/'))
        for item in self.exp.transfer:
            metrics.update(self._transfer_metrics(arm, seed, item))
        if not metrics:
            return None
        metrics.update(self._wall_times(arm, seed))
        return dict(metrics=metrics, corruption=corruption)

    def record_path(self, arm: Arm, seed: int) -> str:
        """Where a finished run is kept (needs a ``results_dir``)."""
        return osp.join(self.results_dir, 'runs', arm.name, f'seed{seed}.json')

    def record_key(self, arm: Arm, seed: int) -> dict:
        """What a kept run's results depend on: its settings, the digests of its configs and
        the settings of its transfers."""
        configs = {c: config_digest(c) for c in filter(None, (arm.config, arm.eval_config))}
        transfers = {item['name']: self.transfer_settings(item) for item in self.exp.transfer
                     if seed in item['seeds']}
        return json.loads(json.dumps(dict(self.settings(arm, seed), config_digests=configs,
                                          transfers=transfers)))

    def keep(self, arm: Arm, seed: int) -> None:
        """Write a finished run's results, with their key, to :meth:`record_path` (nothing
        for a run without results: a random arm of a spec that only tests), with the memory
        layout its training ran in, read from the training's logs (``channels_last``: true,
        false, or ``'mixed'`` with the ``training_attempts`` that say which epochs ran in
        which; trained arms only)."""
        results = self.run_results(arm, seed)
        if results is None:
            return
        if arm.checkpoint != 'random':
            attempts = [a for a in runner_log_attempts(self.training_dirs(arm, seed)[0])
                        if 'trained' in a]
            layouts = {a['channels_last'] for a in attempts}
            if len(layouts) == 1:
                results['channels_last'] = layouts.pop()
            elif layouts:  # resumed in another layout than it started in
                results['channels_last'] = 'mixed'
                results['training_attempts'] = [
                    {k: a[k] for k in ('log', 'channels_last', 'trained')} for a in attempts]
        path = self.record_path(arm, seed)
        os.makedirs(osp.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            json.dump(dict(key=self.record_key(arm, seed), **results), f, indent=1)

    def twin_record(self, arm: Arm, seed: int) -> Optional[str]:
        """Another experiment's record of this very run: a record in a results dir beside
        this one (``<parent>/**/runs/<arm>/seed<S>.json``, any arm name) whose key equals
        this run's, so its training, evaluation and transfers are this run's.

        Returns:
            str | None: The first such record's path (in sorted order), or None.
        """
        if self.results_dir is None:
            return None
        key, own = self.record_key(arm, seed), osp.abspath(self.record_path(arm, seed))
        pattern = osp.join(osp.dirname(osp.abspath(self.results_dir)), '**', 'runs', '*',
                           f'seed{seed}.json')
        for path in sorted(glob.glob(pattern, recursive=True)):
            if osp.abspath(path) == own:
                continue
            with open(path) as f:
                if json.load(f).get('key') == key:
                    return path
        return None

    def adopt_twin(self, arm: Arm, seed: int) -> Optional[str]:
        """Copy :meth:`twin_record` to this run's :meth:`record_path` (with ``copied_from``,
        relative to the repository where it lies inside it) when this experiment has no
        record of the run yet.

        Returns:
            str | None: The path copied from, or None when nothing was copied.
        """
        if self.results_dir is None or osp.isfile(self.record_path(arm, seed)):
            return None
        twin = self.twin_record(arm, seed)
        if twin is None:
            return None
        with open(twin) as f:
            record = json.load(f)
        source = osp.abspath(twin)
        if source.startswith(REPO_ROOT + os.sep):
            source = osp.relpath(source, REPO_ROOT)
        record['copied_from'] = source
        os.makedirs(osp.dirname(self.record_path(arm, seed)), exist_ok=True)
        with open(self.record_path(arm, seed), 'w') as f:
            json.dump(record, f, indent=1)
        return twin

    def kept(self, arm: Arm, seed: int) -> Optional[dict]:
        """The kept results of a run (as :meth:`run_results` gives them), or None; see
        :meth:`kept_record`."""
        found = self.kept_record(arm, seed)
        return None if found is None else found[1]

    def kept_record(self, arm: Arm, seed: int) -> Optional[Tuple[str, dict]]:
        """The record a run's kept results come from, when its own record, or else its
        :meth:`twin_record`, exists and its key matches the current settings.

        Returns:
            tuple[str, dict] | None: The record's path and the results in it (as
            :meth:`run_results` gives them), or None.
        """
        if self.results_dir is None:
            return None
        path = self.record_path(arm, seed)
        if not osp.isfile(path):
            path = self.twin_record(arm, seed)
            if path is None:
                return None
        with open(path) as f:
            record = json.load(f)
        key = self.record_key(arm, seed)
        if record.get('key') != key:
            changed = sorted(k for k in key if record.get('key', {}).get(k) != key[k])
            print_log(f'[harness] {path} was made with other settings ({", ".join(changed)} '
                      'differ): not counted; running the experiment runs it again',
                      logger='current', level=logging.WARNING)
            return None
        return path, dict(metrics=record['metrics'], corruption=record.get('corruption'))

    def collect(self) -> Dict[str, Dict[int, dict]]:
        """``{arm: {seed: results}}`` of every run with results (:meth:`run_results`): from
        the work dir when the run is finished there, else its kept record, else whatever
        part of it the work dir holds."""
        collected: Dict[str, Dict[int, dict]] = {}
        for arm in self.exp.arms:
            for seed in self.exp.seeds:
                results = None if self.is_finished(arm, seed) else self.kept(arm, seed)
                results = results or self.run_results(arm, seed)
                if results:
                    collected.setdefault(arm.name, {})[seed] = results
        return collected

    def _wall_times(self, arm: Arm, seed: int) -> Dict[str, float]:
        """The run's costs as ``wall/...`` metrics: elapsed minutes of its training (every
        attempt; shared with the experiments that pool it) with the median seconds per
        training iteration, of ssl_eval (its own count), of the test (latest attempt) and of
        each transfer (training plus latest test)."""
        run_dir = self.run_dir(arm, seed)
        wall = {}
        if arm.checkpoint != 'random':
            logged = runner_log_times(self.training_dirs(arm, seed)[0]) or {}
            wall['train_min'] = logged.get('minutes')
            wall['train_s_per_iter'] = logged.get('iteration_s')
        path = osp.join(run_dir, 'eval', 'results.json')
        if osp.isfile(path):
            with open(path) as f:
                seconds = json.load(f).get('seconds')
            wall['eval_min'] = None if seconds is None else seconds / 60
        if self.exp.test:
            wall['test_min'] = (runner_log_times(osp.join(run_dir, 'test'), attempts='last')
                                or {}).get('minutes')
        for item in self.exp.transfer:
            out_dir = self.transfer_dir(arm, seed, item['name'])
            parts = [runner_log_times(osp.join(out_dir, 'train')),
                     runner_log_times(osp.join(out_dir, 'test'), attempts='last')]
            if None not in parts:
                wall[f'transfer/{item["name"]}_min'] = sum(p['minutes'] for p in parts)
        return {f'{WALL}{key}': value for key, value in wall.items() if value is not None}

    def _transfer_metrics(self, arm: Arm, seed: int, item: Mapping) -> Dict[str, float]:
        """A finished transfer's metrics, when it ran with the spec's current settings."""
        out_dir = self.transfer_dir(arm, seed, item['name'])
        path = osp.join(out_dir, 'settings.json')
        if not osp.isfile(path):
            return {}
        with open(path) as f:
            stored = json.load(f)
        current = json.loads(json.dumps(self.transfer_settings(item)))
        if any(stored.get(k) != v for k, v in current.items()):
            print_log(f'[harness] {out_dir} ran with other transfer settings: left out of '
                      'the report', logger='current', level=logging.WARNING)
            return {}
        return _numeric_metrics(osp.join(out_dir, 'metrics.json'), f'{TRANSFER}{item["name"]}/')

    def report(self) -> dict:
        """Write ``results.json``, ``results.md`` and ``results.png`` from what is done, into
        the work dir and the results dir."""
        report = summarise_experiment(self.exp, self.collect())
        if self.command:
            report['command'] = self.command
        markdown = markdown_report(report)
        folders = list(filter(None, (self.work_dir, self.results_dir)))
        for folder in folders:
            os.makedirs(folder, exist_ok=True)
            with open(osp.join(folder, 'results.json'), 'w') as f:
                json.dump(report, f, indent=1)
            with open(osp.join(folder, 'results.md'), 'w') as f:
                f.write(markdown)
        plot = plot_report(report, osp.join(folders[0], 'results.png'))  # drawn once
        for folder in folders[1:] if plot else []:
            shutil.copyfile(plot, osp.join(folder, 'results.png'))
        print(markdown)
        return report


def run_together(harnesses: Sequence[Harness]) -> List[dict]:
    """Run experiments that share trainings (through one train pool) one training at a time,
    one experiment after another in the order given: each experiment runs its seeds (each
    seed's arms in order), and every other experiment with that arm and seed runs it at once
    (the first trains it, the others evaluate and transfer the pooled checkpoint). So the
    first experiment has all its seeds, and with them its claims, before the next one's own
    trainings start, and a machine that stops between trainings leaves every experiment's
    evaluation of the finished trainings done (and kept).

    Args:
        harnesses (Sequence[Harness]): One per experiment, first to finish first.

    Returns:
        list[dict]: Each experiment's report.
    """
    done = set()  # specs often share one prerequisite (e.g. the teacher's maps)
    for harness in harnesses:
        harness.prerequisites(done)
    # every (seed, arm) once, in the first experiment's order, then the next one's new runs
    runs = dict.fromkeys((seed, arm.name) for harness in harnesses
                         for seed in harness.exp.seeds for arm in harness.exp.arms)
    for seed, name in runs:
        for harness in harnesses:
            if seed in harness.exp.seeds and name in [a.name for a in harness.exp.arms]:
                harness.run_one(harness.exp.arm(name), seed)
    return [harness.report() for harness in harnesses]

"""Config loading and launch set-up shared by ``tools/train.py`` and ``tools/test.py``.

The tools run configs of any OpenMMLab 2.x scope (mmpretrain, mmdet, mmseg): the config's
``default_scope`` picks the registries, mmengine's ``Runner`` does the rest.
"""
import copy
import os
import os.path as osp
from importlib.util import find_spec
from typing import Optional, Union

import torch
import torch.distributed as torch_dist
from mmengine.config import Config
from mmengine.registry import RUNNERS
from mmengine.runner import Runner


def load_config(path: str, cfg_options: Optional[dict] = None) -> Config:
    """Read a config file and apply ``--cfg-options`` overrides.

    Args:
        path (str): Config file.
        cfg_options (dict, optional): Dotted keys to values, merged last.

    Returns:
        Config: The merged config.

    Raises:
        FileNotFoundError: If ``path`` is not a file.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'config file not found: {path} (paths are relative to {os.getcwd()})')
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


def set_work_dir(cfg: Config, work_dir: Optional[str], config_path: str) -> None:
    """Work dir priority: command line > config > ``./work_dirs/<config name>``."""
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(config_path))[0])


#: ``--<flag>`` -> (mmengine backend, the package it writes through)
VIS_BACKENDS = {
    'tensorboard': ('TensorboardVisBackend', 'tensorboard'),
    'wandb': ('WandbVisBackend', 'wandb'),
}


def add_vis_backend(cfg: Config, name: str, init_kwargs: Optional[dict] = None) -> None:
    """Also log to TensorBoard or Weights & Biases: append mmengine's backend to the
    visualizer's backends.

    The other backends stay (``LocalVisBackend`` keeps writing ``vis_data/scalars.json`` for
    ``tools/analysis/plot_curves.py``); a config without a visualizer gets mmengine's
    default one, ``LocalVisBackend`` included. TensorBoard's event files land beside
    ``scalars.json``, in ``<work_dir>/<timestamp>/vis_data/``. Adding a backend twice is a
    no-op.

    Args:
        cfg (Config): The config, changed in place.
        name (str): A key of :data:`VIS_BACKENDS`: ``'tensorboard'`` or ``'wandb'``.
        init_kwargs (dict, optional): ``init_kwargs`` of ``WandbVisBackend`` (``wandb.init``
            arguments: project, name, ...).

    Raises:
        ValueError: ``name`` is not a known backend.
        SystemExit: The package the backend writes through is not installed.
    """
    if name not in VIS_BACKENDS:
        raise ValueError(f'unknown visualizer backend {name!r}; one of {sorted(VIS_BACKENDS)}')
    backend_type, package = VIS_BACKENDS[name]
    if find_spec(package) is None:
        raise SystemExit(f'--{name} needs the {package} package, which is not installed '
                         f'here: pip install {package} (or drop --{name}; the scalars '
                         'are still in <work_dir>/<timestamp>/vis_data/scalars.json)')
    visualizer = cfg.get('visualizer') or dict(type='Visualizer')
    backends = visualizer.get('vis_backends')
    backends = [dict(type='LocalVisBackend')] if backends is None else list(backends)
    if not any(backend.get('type') == backend_type for backend in backends):
        backend = dict(type=backend_type)
        if init_kwargs:
            backend['init_kwargs'] = dict(init_kwargs)
        backends.append(backend)
    visualizer['vis_backends'] = backends  # a new list: the config's own is left as it was
    cfg.visualizer = visualizer


def setup_launcher(cfg: Config, launcher: str, local_rank: int = 0) -> None:
    """Record the launcher in ``cfg``; make distributed runs work on CPU-only machines.

    mmengine's launcher assumes GPUs: it calls ``torch.cuda.set_device`` and wraps the
    model in DDP with ``device_ids=[LOCAL_RANK]``. Without CUDA we start the process group
    with gloo ourselves (mmengine then skips its own initialisation) and let DDP run on CPU
    (``device_ids=None``). With CUDA nothing changes.

    Args:
        cfg (Config): The config, changed in place.
        launcher (str): One of ``'none'``, ``'pytorch'``, ``'slurm'``, ``'mpi'``.
        local_rank (int): ``--local-rank`` from torch.distributed.launch; LOCAL_RANK wins.
    """
    os.environ.setdefault('LOCAL_RANK', str(local_rank))
    cfg.launcher = launcher
    if launcher == 'none' or torch.cuda.is_available():
        return
    if launcher != 'pytorch':
        raise RuntimeError(
            f'--launcher {launcher} without a CUDA GPU is not supported; use '
            'tools/dist_train.sh (torchrun, --launcher pytorch) for CPU processes')
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})['backend'] = 'gloo'
    if not torch_dist.is_initialized():
        torch_dist.init_process_group(backend='gloo')
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel',
        broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper


def build_runner(cfg: Config) -> Runner:
    """Build the default runner, or ``cfg.runner_type`` from the registry if set."""
    if 'runner_type' in cfg:
        return RUNNERS.build(cfg)
    return Runner.from_cfg(cfg)


def build_model(cfg: Config) -> torch.nn.Module:
    """Build ``cfg.model`` in the config's scope, as mmengine's ``Runner`` builds it.

    Args:
        cfg (Config): A loaded config.

    Returns:
        nn.Module: The model with its initial weights (``init_weights`` is not called, so no
        ``init_cfg`` checkpoint is fetched).
    """
    from mmengine.registry import MODELS, init_default_scope

    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    model_cfg = copy.deepcopy(cfg.model)
    if cfg.get('data_preprocessor') is not None:
        # As mmengine's Runner: a top-level data_preprocessor (mmpretrain's dataset bases
        # put normalisation there) fills in a model without one.
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    return MODELS.build(model_cfg)


def load_model(config: Union[str, Config], checkpoint: Optional[str] = None,
               cfg_options: Optional[dict] = None, device: str = 'cpu') -> torch.nn.Module:
    """Build ``cfg.model`` and load a checkpoint into it strictly, for inference tools.

    The checkpoint must fit the model: :func:`attn_plugins.engine.checkpoint.load_weights`
    raises, naming the missing and unexpected keys, if it belongs to another architecture.

    Args:
        config (str | Config): Config file, or a loaded config.
        checkpoint (str, optional): Checkpoint file; ``None`` keeps the initial weights.
        cfg_options (dict, optional): Config overrides.
        device (str): Where the model goes.

    Returns:
        nn.Module: The model, in eval mode.

    Raises:
        FileNotFoundError: If the config or the checkpoint does not exist.
        ValueError: If the checkpoint does not fit the model.
    """
    from .checkpoint import load_weights

    if isinstance(config, Config):
        cfg = copy.deepcopy(config)
        if cfg_options:
            cfg.merge_from_dict(cfg_options)
    else:
        cfg = load_config(config, cfg_options)
    model = build_model(cfg)
    if checkpoint is not None:
        load_weights(model, checkpoint)
    model.to(device)
    model.eval()
    return model

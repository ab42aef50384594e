"""ChannelsLastHook: the model and its images in the channels-last layout, the same training
step (loss and gradients) as the contiguous model to float32 rounding, and the hook reachable
from every scope's configs and from tools/train.py --channels-last."""
import copy
from types import SimpleNamespace

import pytest
import torch
from mmengine.config import Config

import attn_plugins  # noqa: F401  (registers the scopes)
from attn_plugins.engine.memory_format import ChannelsLastHook, to_channels_last
from tests.conftest import REPO_ROOT, load_tool

MOCO_CPU = 'configs/mocov2/mocov2_resnet18_1xb64-coslr-100e_caltech101-unlabelled_cpu.py'
# The experiments' MoCo v2 with 8 base channels and 16-d keys: the same layers, small.
TINY = dict(model=dict(queue_len=16, feat_dim=16,
                       backbone=dict(stem_channels=8, base_channels=8),
                       neck=dict(in_channels=64, hid_channels=32, out_channels=16)))


def is_channels_last(tensor):
    """Channels-last, and not also contiguous unless its layout is ambiguous (1x1 kernels)."""
    return tensor.is_contiguous(memory_format=torch.channels_last) and (
        tensor.shape[-2:] == (1, 1) or not tensor.is_contiguous())


def test_to_channels_last_converts_the_4d_tensors_of_a_structure_only():
    images = torch.arange(2 * 3 * 4 * 5, dtype=torch.float32).reshape(2, 3, 4, 5)
    labels = torch.tensor([1, 2])
    out = to_channels_last(dict(inputs=[images, images + 1], labels=labels, name='batch'))
    assert all(is_channels_last(t) for t in out['inputs'])
    assert torch.equal(out['inputs'][0], images) and torch.equal(out['inputs'][1], images + 1)
    assert out['labels'] is labels and out['name'] == 'batch'
    assert isinstance(to_channels_last((images,)), tuple)


def batch(generator):
    """What the dataloader gives MoCo v2 (default_collate): two batches of uint8 views and
    the samples."""
    from mmpretrain.structures import DataSample

    views = [torch.randint(0, 256, (4, 3, 32, 32), generator=generator, dtype=torch.uint8)
             for _ in range(2)]
    return dict(inputs=views, data_samples=[DataSample() for _ in range(4)])


def train_step_gradients(model, data):
    model.zero_grad()
    data = model.data_preprocessor(data, True)
    loss, _ = model.parse_losses(model(**data, mode='loss'))
    loss.backward()
    return loss.detach(), {n: p.grad.clone() for n, p in model.named_parameters()
                           if p.grad is not None}


def test_hook_gives_the_contiguous_models_training_step_in_channels_last():
    from attn_plugins.engine.launch import load_model

    torch.manual_seed(0)
    contiguous = load_model(str(REPO_ROOT / MOCO_CPU), cfg_options=TINY).train()
    converted = copy.deepcopy(contiguous)
    ChannelsLastHook().before_run(SimpleNamespace(model=converted))

    convs = [p for p in converted.parameters() if p.dim() == 4]
    assert convs and all(is_channels_last(p) for p in convs)
    data = batch(torch.Generator().manual_seed(1))
    inputs = converted.data_preprocessor(copy.deepcopy(data), True)['inputs']
    assert all(is_channels_last(view) for view in inputs)

    loss, grads = train_step_gradients(contiguous, copy.deepcopy(data))
    loss_cl, grads_cl = train_step_gradients(converted, copy.deepcopy(data))
    assert loss_cl.item() == pytest.approx(loss.item(), rel=1e-5)
    assert grads.keys() == grads_cl.keys() and len(grads) > 10
    for name in grads:  # float32 sums in another order: ~1e-5 of the gradient's scale
        scale = grads[name].abs().max().item()
        torch.testing.assert_close(grads_cl[name], grads[name], rtol=1e-4, atol=1e-4 * scale,
                                   msg=lambda message, name=name: f'{name}: {message}')


def test_hook_refuses_a_wrapped_model_naming_the_wrapper():
    model = torch.nn.DataParallel(torch.nn.Conv2d(3, 4, 3))  # an mmengine model wrapper
    with pytest.raises(RuntimeError, match='DataParallel'):
        ChannelsLastHook().before_run(SimpleNamespace(model=model))


@pytest.mark.parametrize('scope', ['mmpretrain', 'mmdet', 'mmseg'])
def test_every_scope_builds_the_hook_by_name(scope):
    import importlib

    from mmengine.registry import DefaultScope

    hooks = importlib.import_module(f'{scope}.registry').HOOKS
    with DefaultScope.overwrite_default_scope(scope):
        assert isinstance(hooks.build(dict(type='ChannelsLastHook')), ChannelsLastHook)


def test_train_flag_adds_the_hook_once():
    train_tool = load_tool('train')
    config = str(REPO_ROOT / MOCO_CPU)
    for in_config in ([], [dict(type='ChannelsLastHook')]):  # the flag, or flag and config
        cfg = Config.fromfile(config)
        cfg.custom_hooks = in_config
        hooks = train_tool.merge_args(cfg, train_tool.parse_args([config, '--channels-last']))
        assert [h['type'] for h in hooks.custom_hooks] == ['ChannelsLastHook']
    plain = train_tool.merge_args(Config.fromfile(config), train_tool.parse_args([config]))
    assert 'ChannelsLastHook' not in [h['type'] for h in plain.get('custom_hooks', [])]


def test_harness_reads_the_flag_from_the_config_dump_the_runner_logs():
    """The harness tells a training attempt's layout by the hook in the config dump at the
    top of its log (the Runner logs ``cfg.pretty_text``): present with the flag only."""
    from attn_plugins.evaluation.harness import _CHANNELS_LAST_HOOK

    train_tool = load_tool('train')
    config = str(REPO_ROOT / MOCO_CPU)
    for flag, expected in (([], False), (['--channels-last'], True)):
        cfg = train_tool.merge_args(Config.fromfile(config),
                                    train_tool.parse_args([config, *flag]))
        assert (_CHANNELS_LAST_HOOK in cfg.pretty_text) is expected

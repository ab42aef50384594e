"""Strict checkpoint loading for inference: load_weights, load_model, gen_saliency, the hook."""
import logging
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmpretrain.registry import HOOKS

from attn_plugins.engine import load_weights
from attn_plugins.engine.launch import build_model, load_model
from tests.conftest import REPO_ROOT, load_tool, run_tool

TEACHER_CPU = 'configs/saliency_teacher/saliency-teacher_resnet18_1xb16-adam-10e_osie-128x96_cpu.py'
VARS_CLS_CPU = 'configs/vars/vars-d_vit-small-p16_8xb128-300e_in1k_cpu.py'


def randomised(model):
    """``model`` with every float tensor redrawn, so a loaded copy is told from a fresh one."""
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for value in model.state_dict().values():
            if value.is_floating_point():
                value.copy_(torch.randn(value.shape, generator=generator))
    return model


def save(state_dict, path):
    torch.save(dict(meta=dict(iter=1), state_dict=state_dict), path)
    return str(path)


@pytest.fixture(scope='module')
def teacher_checkpoint(tmp_path_factory):
    """A teacher's weights (random, not the initial ones), saved as mmengine saves them."""
    model = randomised(build_model(Config.fromfile(REPO_ROOT / TEACHER_CPU)))
    path = save(model.state_dict(), tmp_path_factory.mktemp('teacher') / 'teacher.pth')
    return path, model.state_dict()


@pytest.fixture(scope='module')
def vars_checkpoint(tmp_path_factory):
    """A VARS-D ViT classifier checkpoint: another architecture than the teacher."""
    model = build_model(Config.fromfile(REPO_ROOT / VARS_CLS_CPU))
    return save(model.state_dict(), tmp_path_factory.mktemp('vars') / 'vars_cls.pth')


def test_load_model_loads_every_tensor_of_a_matching_checkpoint(teacher_checkpoint):
    path, expected = teacher_checkpoint
    model = load_model(str(REPO_ROOT / TEACHER_CPU), path)
    state = model.state_dict()
    assert sorted(state) == sorted(expected)
    for key, value in expected.items():
        assert torch.equal(state[key], value), key
    assert not model.training


def test_another_architecture_fails_naming_file_and_keys(vars_checkpoint):
    with pytest.raises(ValueError) as error:
        load_model(str(REPO_ROOT / TEACHER_CPU), vars_checkpoint)
    message = str(error.value)
    assert vars_checkpoint in message and 'SaliencyTeacher' in message
    # A sample of each side: the teacher's ResNet keys missing, the ViT's keys unknown.
    assert 'missing from the checkpoint (e.g. backbone.conv1.weight' in message
    assert 'unknown to the model (e.g. ' in message
    assert 'backbone.patch_embed.projection.weight' in message


def test_shapes_are_checked(tmp_path, teacher_checkpoint):
    _, expected = teacher_checkpoint
    wider = dict(expected)
    wider['decoder.readout.weight'] = torch.zeros(
        (2, *expected['decoder.readout.weight'].shape[1:]))
    path = save(wider, tmp_path / 'wider.pth')
    with pytest.raises(ValueError, match=r'1 differ in shape \(size mismatch for '
                                         r'decoder\.readout\.weight'):
        load_model(str(REPO_ROOT / TEACHER_CPU), path)


def test_tolerated_keys_and_the_wrapper_prefix(tmp_path, teacher_checkpoint):
    """Preprocessor buffers and BN counters may differ; a 'module.' prefix is removed."""
    _, expected = teacher_checkpoint
    state = {f'module.{key}': value for key, value in expected.items()
             if not key.endswith('num_batches_tracked')}
    state['module.data_preprocessor.mean'] = torch.zeros(3)
    path = save(state, tmp_path / 'wrapped.pth')
    model = build_model(Config.fromfile(REPO_ROOT / TEACHER_CPU))
    report = load_weights(model, path)
    assert report['tolerated_unexpected'] == ['data_preprocessor.mean']
    assert report['tolerated_missing'] == []  # torch's BatchNorm fills in its counter itself
    assert torch.equal(model.state_dict()['backbone.conv1.weight'],
                       expected['backbone.conv1.weight'])
    # One more missing key is no longer tolerated.
    del state['module.decoder.readout.weight']
    with pytest.raises(ValueError, match=r'1 of the model\'s \d+ tensors are missing from the '
                                         r'checkpoint \(e\.g\. decoder\.readout\.weight\)'):
        load_weights(build_model(Config.fromfile(REPO_ROOT / TEACHER_CPU)),
                     save(state, tmp_path / 'short.pth'))


def test_gen_saliency_refuses_a_vars_checkpoint_as_teacher(tmp_path, vars_checkpoint):
    gen_saliency = load_tool('gen_saliency')
    images = tmp_path / 'images'
    images.mkdir()
    cv2.imwrite(str(images / 'a.jpg'), np.zeros((24, 32, 3), np.uint8))
    with pytest.raises(ValueError, match=r'vars_cls\.pth does not fit the SaliencyTeacher'):
        gen_saliency.main([str(REPO_ROOT / TEACHER_CPU), vars_checkpoint, '--images',
                           str(images), '--out-dir', str(tmp_path / 'maps'),
                           '--num-workers', '0'])
    assert not (tmp_path / 'maps').exists()  # nothing labelled by a random teacher


def test_online_teacher_hook_refuses_a_vars_checkpoint(vars_checkpoint):
    hook = HOOKS.build(dict(type='OnlineTeacherHook', teacher=str(REPO_ROOT / TEACHER_CPU),
                            checkpoint=vars_checkpoint))
    runner = SimpleNamespace(model=torch.nn.Linear(1, 1), logger=logging.getLogger('test'))
    with pytest.raises(ValueError, match='does not fit the SaliencyTeacher'):
        hook.before_run(runner)
    assert hook.teacher is None


def test_test_tool_refuses_a_checkpoint_of_another_model(tmp_path, vars_checkpoint):
    proc = run_tool(['tools/test.py', REPO_ROOT / TEACHER_CPU, vars_checkpoint, '--work-dir',
                     tmp_path / 'work'], check=False)
    assert proc.returncode != 0
    assert 'ValueError: checkpoint ' in proc.stderr
    assert 'vars_cls.pth does not fit the SaliencyTeacher' in proc.stderr

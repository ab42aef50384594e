"""Every model the package registers answers `attention_maps(inputs)`, and evaluation asks
the model instead of importing the method packages."""
import ast
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

import attn_plugins  # noqa: F401
from attn_plugins.attention import contrastive_grad_cam, top_class_grad_cam
from attn_plugins.evaluation import model_attention
from tests.conftest import REPO_ROOT
from tests.test_teacher.test_models import (CLS_CPU, MOCO_CPU, SIMCLR_BASELINE_CPU,
                                            SIMCLR_CPU, TEACHER_CPU, build)

METHOD_PACKAGES = ('teacher', 'cast', 'atcon', 'vars')


def test_evaluation_imports_no_method_package():
    for path in sorted((Path(REPO_ROOT) / 'attn_plugins' / 'evaluation').glob('*.py')):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ''
                top = module.split('.')[0] if node.level == 2 else (
                    module.split('.')[1] if module.startswith('attn_plugins.') else '')
                assert top not in METHOD_PACKAGES, f'{path.name} imports {module}'


def test_every_registered_model_answers_attention_maps():
    init_default_scope('mmpretrain')
    ours = [cls for name, cls in MODELS.module_dict.items()
            if cls.__module__.startswith('attn_plugins.') and isinstance(cls, type)
            and issubclass(cls, BaseModel) and hasattr(cls, 'loss')]
    assert {cls.__name__ for cls in ours} >= {
        'GuidedMoCo', 'GuidedMoCoV3', 'GuidedBYOL', 'GuidedSimCLR', 'GuidedImageClassifier',
        'SaliencyTeacher', 'ATCONClassifier'}
    assert [cls.__name__ for cls in ours if not callable(getattr(cls, 'attention_maps', None))] \
        == []


def hand_grad_cam(activations, score):
    """Grad-CAM written out: channel weights are the spatial mean of d score / d A."""
    grads, = torch.autograd.grad(score.sum(), activations)
    return F.relu((grads.mean(dim=(2, 3), keepdim=True) * activations).sum(dim=1))


def test_contrastive_grad_cam_is_grad_cam_of_query_dot_key():
    model = build(MOCO_CPU, attention_losses=None).eval()
    inputs = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        keys = F.normalize(model.encoder_k(inputs)[0], dim=1)
    feats = model.backbone(inputs.requires_grad_())
    queries = F.normalize(model.neck(feats[-1:])[0], dim=1)
    expected = hand_grad_cam(feats[-1], (queries * keys).sum(dim=1))
    torch.testing.assert_close(contrastive_grad_cam(model, inputs), expected)
    # the headless student answers with it
    torch.testing.assert_close(model.attention_maps(inputs), expected)


def test_top_class_grad_cam_explains_the_arg_max_logit():
    model = build(CLS_CPU, attention_losses=None).eval()
    inputs = torch.randn(2, 3, 32, 32)
    feats = model.backbone(inputs.requires_grad_())
    logits = model.head(model.neck(feats[-1:]))
    expected = hand_grad_cam(feats[-1], logits.max(dim=1).values)
    torch.testing.assert_close(top_class_grad_cam(model, inputs), expected)
    torch.testing.assert_close(model.attention_maps(inputs), expected)


@pytest.mark.parametrize('config', [MOCO_CPU, SIMCLR_CPU, CLS_CPU])
def test_students_with_a_head_answer_with_its_prediction(config):
    model = build(config).eval()
    inputs = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        predicted = torch.stack([s.pred_saliency for s in model(inputs, mode='predict')])
    torch.testing.assert_close(model.attention_maps(inputs), predicted)
    # evaluation scales the model's answer to [0, 1] per image
    low = predicted.flatten(1).min(dim=1).values[:, None, None]
    high = predicted.flatten(1).max(dim=1).values[:, None, None]
    torch.testing.assert_close(model_attention(model, inputs), (predicted - low) / (high - low),
                               atol=1e-5, rtol=1e-4)


def test_teacher_answers_with_its_predicted_saliency():
    teacher = build(TEACHER_CPU).eval()
    inputs = torch.randn(2, 3, 48, 64)
    with torch.no_grad():
        predicted = torch.stack([s.pred_saliency for s in teacher(inputs, mode='predict')])
    torch.testing.assert_close(teacher.attention_maps(inputs), predicted)


def test_simclr_without_a_momentum_encoder_explains_query_dot_online_key():
    """No momentum encoder: the key is the online encoder's own embedding of the image."""
    model = build(SIMCLR_BASELINE_CPU).eval()
    inputs = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        keys = F.normalize(model.neck(model.backbone(inputs))[0], dim=1)
    feats = model.backbone(inputs.clone().requires_grad_())
    queries = F.normalize(model.neck(feats[-1:])[0], dim=1)
    expected = hand_grad_cam(feats[-1], (queries * keys).sum(dim=1))
    torch.testing.assert_close(model.attention_maps(inputs), expected)


def layer_output(model, layer, inputs):
    """The backbone's outputs and ``layer``'s output, read with a plain forward hook."""
    kept = []
    handle = model.get_submodule(layer).register_forward_hook(
        lambda module, args, output: kept.append(output))
    try:
        feats = model.backbone(inputs.clone().requires_grad_())
    finally:
        handle.remove()
    return feats, kept[0]


def test_contrastive_grad_cam_on_an_inner_layer_explains_the_same_score():
    """The layer CAST's Caltech-101 configs train (layer3), read the same way for any model:
    Grad-CAM of query . key on that layer's output, also when the model has a head."""
    torch.manual_seed(0)
    model = build(MOCO_CPU).eval()  # with a teacher-attention head: it answers with that
    with torch.no_grad():  # keys unlike the queries, so query . key has a real gradient
        for param in model.encoder_k.parameters():
            param.add_(0.05 * torch.randn_like(param))
    inputs = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        keys = F.normalize(model.encoder_k(inputs)[0], dim=1)
    feats, layer3 = layer_output(model, 'backbone.layer3', inputs)
    queries = F.normalize(model.neck(feats[-1:])[0], dim=1)
    expected = hand_grad_cam(layer3, (queries * keys).sum(dim=1))
    assert expected.shape == (2, 4, 4) and (expected.flatten(1).std(dim=1) > 0).all()
    torch.testing.assert_close(contrastive_grad_cam(model, inputs, layer='backbone.layer3'),
                               expected)
    low = expected.flatten(1).min(dim=1).values[:, None, None]
    high = expected.flatten(1).max(dim=1).values[:, None, None]
    torch.testing.assert_close(model_attention(model, inputs, 'backbone.layer3'),
                               (expected - low) / (high - low), atol=1e-5, rtol=1e-4)
    # naming the last stage gives the last stage's map, not the head's prediction
    headless = build(MOCO_CPU, attention_losses=None).eval()
    headless.load_state_dict(model.state_dict(), strict=False)
    torch.testing.assert_close(model_attention(model, inputs, 'backbone'),
                               model_attention(headless, inputs))


def test_top_class_grad_cam_on_an_inner_layer():
    model = build(CLS_CPU, attention_losses=None).eval()
    inputs = torch.randn(2, 3, 64, 64)
    feats, layer2 = layer_output(model, 'backbone.layer2', inputs)
    logits = model.head(model.neck(feats[-1:]))
    expected = hand_grad_cam(layer2, logits.max(dim=1).values)
    assert layer2.shape[2:] != feats[-1].shape[2:]  # a finer grid than the last stage's
    torch.testing.assert_close(top_class_grad_cam(model, inputs, 'backbone.layer2'), expected)
    torch.testing.assert_close(model.grad_cam_maps(inputs, 'backbone.layer2'), expected)


@pytest.mark.parametrize('layer, message', [('neck', "'neck' ran 0 times"),
                                            ('backbone.layer9', 'no submodule named')])
def test_a_grad_cam_layer_outside_the_backbone_pass_is_refused(layer, message):
    model = build(MOCO_CPU, attention_losses=None).eval()
    with pytest.raises(ValueError, match=message):
        contrastive_grad_cam(model, torch.randn(1, 3, 32, 32), layer=layer)

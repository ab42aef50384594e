"""SaliencyTeacher and the students, built from the CPU configs, on synthetic batches."""
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from attn_plugins.saliency import cc, kld, nss
from tests.conftest import REPO_ROOT

TEACHER_CPU = 'configs/saliency_teacher/saliency-teacher_resnet18_1xb16-adam-10e_osie-128x96_cpu.py'
STUDENTS = 'configs/teacher_attention/'
SIMCLR_CPU = STUDENTS + 'simclr-teacher-attn_resnet18_1xb32-coslr-10e_bsds-osie_cpu.py'
SIMCLR_BASELINE_CPU = STUDENTS + 'simclr_resnet18_1xb32-coslr-10e_bsds-osie_cpu.py'
MOCO_CPU = STUDENTS + 'mocov2-teacher-attn_resnet18_1xb32-coslr-10e_bsds-osie_cpu.py'
CLS_CPU = STUDENTS + 'supervised-teacher-attn_resnet18_1xb32-coslr-10e_bccd-crops_cpu.py'


def build(config, **overrides):
    init_default_scope('mmpretrain')
    cfg = Config.fromfile(REPO_ROOT / config)
    model_cfg = cfg.model
    model_cfg.update(overrides)
    if 'data_preprocessor' not in model_cfg and 'data_preprocessor' in cfg:
        model_cfg['data_preprocessor'] = cfg.data_preprocessor
    torch.manual_seed(0)
    return MODELS.build(model_cfg)


def blob(height, width, row, col, sigma=3.0):
    rows, cols = np.mgrid[:height, :width]
    return np.exp(-((rows - row) ** 2 + (cols - col) ** 2) / (2 * sigma ** 2)).astype(np.float32)


def two_view_batch(batch=4, size=32, with_maps=True):
    generator = torch.Generator().manual_seed(1)
    inputs = [torch.randint(0, 256, (batch, 3, size, size), generator=generator).float()
              for _ in range(2)]
    samples = []
    for i in range(batch):
        sample = DataSample()
        if with_maps:
            maps = np.stack([blob(size, size, 8 + i, 20 - i), blob(size, size, 20, 6 + i)])
            sample.set_field(torch.from_numpy(maps), 'saliency')  # (V, H, W)
        samples.append(sample)
    return inputs, samples


def test_teacher_losses_are_the_metrics_of_its_prediction():
    teacher = build(TEACHER_CPU)
    images = torch.randint(0, 256, (2, 3, 48, 64)).float()
    samples = []
    for i in range(2):
        fixation_map = np.zeros((48, 64), np.float32)
        fixation_map[[10 + i, 30, 40], [12, 50 - i, 33]] = 1
        sample = DataSample()
        sample.set_field(torch.from_numpy(fixation_map), 'fixation_map')
        sample.set_field(torch.from_numpy(blob(48, 64, 20, 30 + i) + 0.01), 'fixation_density')
        samples.append(sample)
    data = teacher.data_preprocessor(dict(inputs=images, data_samples=samples), True)
    losses = teacher(data['inputs'], data['data_samples'], mode='loss')
    assert set(losses) == {'loss_kld', 'loss_cc', 'loss_nss'}
    predictions = teacher(data['inputs'], [DataSample() for _ in range(2)], mode='predict')
    maps = [p.pred_saliency.detach().numpy() for p in predictions]
    assert maps[0].shape == (48, 64) and np.isclose(maps[0].sum(), 1, atol=1e-5)
    for name, metric, truth, sign in (('loss_kld', kld, 'fixation_density', 1),
                                      ('loss_cc', cc, 'fixation_density', -1),
                                      ('loss_nss', nss, 'fixation_map', -1)):
        expected = np.mean([metric(m, s.get(truth).numpy()) for m, s in zip(maps, samples)])
        assert losses[name].item() == pytest.approx(sign * expected, rel=1e-4, abs=1e-6)
    scaled = teacher.saliency_maps(images.to(torch.uint8))
    assert scaled.shape == (2, 48, 64)
    assert torch.allclose(scaled.flatten(1).amax(1), torch.ones(2))
    with pytest.raises(ValueError, match='loss_weights'):
        build(TEACHER_CPU, loss_weights=dict(bce=1.0))


@pytest.mark.parametrize('config', [SIMCLR_CPU, MOCO_CPU])
def test_contrastive_students_log_both_attention_terms_and_learn(config):
    model = build(config, **({'queue_len': 64} if 'mocov2' in config else {}))
    inputs, samples = two_view_batch()
    data = model.data_preprocessor(dict(inputs=inputs, data_samples=samples), True)
    losses = model(data['inputs'], data['data_samples'], mode='loss')
    algorithm = 'loss_moco' if 'mocov2' in config else 'loss_simclr'
    assert set(losses) == {algorithm, 'loss_attn_kld', 'loss_attn_nss'}
    assert all(torch.isfinite(v) for v in losses.values())
    sum(losses.values()).backward()
    head_grad = model.attention_losses.teacher.attn_head.layers[0].weight.grad
    backbone_grad = model.backbone.layer2[0].conv1.weight.grad  # the head's stage
    assert head_grad.abs().sum() > 0 and backbone_grad.abs().sum() > 0
    predictions = model(data['inputs'][0], None, mode='predict')
    assert predictions[0].pred_saliency.shape == (4, 4)  # stage 2 of a 32 px view


def test_each_view_is_scored_against_its_own_map():
    """SimCLR interleaves its views in one batch: the head's prediction of sample n, view v
    is compared with map v of sample n (written out: the head on each view alone, BatchNorm
    in eval mode so the batch split does not matter)."""
    model = build(SIMCLR_CPU).eval()
    inputs, samples = two_view_batch(batch=3)
    data = model.data_preprocessor(dict(inputs=inputs, data_samples=samples), True)
    head = model.attention_losses.teacher.attn_head
    losses = model(data['inputs'], data['data_samples'], mode='loss')
    with torch.no_grad():
        predictions = [head(model.backbone.layer2(model.backbone.layer1(
            model.backbone.maxpool(model.backbone.relu(model.backbone.norm1(
                model.backbone.conv1(view))))))) for view in data['inputs']]
    maps = torch.stack([s.saliency for s in samples])  # (N, V, H, W)
    terms = head.prediction_loss(torch.cat(predictions), torch.cat([maps[:, 0], maps[:, 1]]))
    assert losses['loss_attn_kld'].item() == pytest.approx(terms.kld.item(), rel=1e-5)
    assert losses['loss_attn_nss'].item() == pytest.approx(terms.nss.item(), rel=1e-5)
    swapped = head.prediction_loss(torch.cat(predictions), torch.cat([maps[:, 1], maps[:, 0]]))
    assert abs(swapped.kld.item() - terms.kld.item()) > 1e-4
    single = DataSample()
    single.set_field(torch.rand(32, 32), 'saliency')
    with pytest.raises(ValueError, match='SaliencyMultiView'):
        model([view[:1] for view in data['inputs']], [single], mode='loss')


def test_moco_student_enqueues_keys_of_the_projection():
    model = build(MOCO_CPU, queue_len=64)
    inputs, samples = two_view_batch()
    data = model.data_preprocessor(dict(inputs=inputs, data_samples=samples), True)
    model(data['inputs'], data['data_samples'], mode='loss')
    assert int(model.queue_ptr) == 4
    keys = model.encoder_k(data['inputs'][1])
    assert len(keys) == 1 and keys[0].shape == (4, 128)


def test_baseline_without_the_loss_is_plain_contrastive():
    model = build(SIMCLR_BASELINE_CPU)
    assert len(model.attention_losses) == 0
    inputs, samples = two_view_batch(with_maps=False)
    data = model.data_preprocessor(dict(inputs=inputs, data_samples=samples), True)
    losses = model(data['inputs'], data['data_samples'], mode='loss')
    assert set(losses) == {'loss_simclr'}


def test_classifier_adds_attention_to_its_predictions():
    model = build(CLS_CPU)
    inputs = [torch.randint(0, 256, (3, 32, 32), dtype=torch.uint8) for _ in range(2)]
    samples = []
    for i in range(2):
        sample = DataSample().set_gt_label(i)
        sample.set_field(torch.from_numpy(blob(32, 32, 10, 10 + 5 * i)), 'saliency')
        samples.append(sample)
    data = model.data_preprocessor(dict(inputs=inputs, data_samples=samples), True)
    losses = model(data['inputs'], data['data_samples'], mode='loss')
    assert set(losses) == {'loss_cls', 'loss_attn_kld', 'loss_attn_nss'}
    predictions = model(data['inputs'], data['data_samples'], mode='predict')
    assert predictions[0].pred_label.shape == (1, )
    assert predictions[0].pred_saliency.shape == (8, 8)

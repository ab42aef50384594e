"""Attention alignment: a perfect model beats center bias on every metric; model_attention
reads each kind of model the documented way; VARS attention maps against independent
computations."""
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.model import ImgDataPreprocessor
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

from attn_plugins.evaluation import SALIENCY_METRICS, model_attention
from attn_plugins.evaluation.alignment import (attention_scores, center_bias_scores,
                                               load_ground_truth, summarise)
from attn_plugins.saliency import fixation_density, minmax_scale
from attn_plugins.vars import VARSAttention, sparse_code_attention
from tests.conftest import REPO_ROOT

VARS_CPU = 'configs/vars/vars-d_vit-small-p16_8xb128-300e_in1k_cpu.py'
TEACHER_CPU = 'configs/saliency_teacher/saliency-teacher_resnet18_1xb16-adam-10e_osie-128x96_cpu.py'
STUDENT_CPU = ('configs/teacher_attention/'
               'supervised-teacher-attn_resnet18_1xb32-coslr-10e_bccd-crops_cpu.py')


class PerfectModel(torch.nn.Module):
    """Its attention is the grey level of its input, and its inputs are fixation densities
    drawn as images: its attention is the ground truth."""

    def __init__(self):
        super().__init__()
        self.data_preprocessor = ImgDataPreprocessor()

    def attention_maps(self, inputs):
        return inputs.mean(dim=1)


def draw_density(sample):
    """The sample with its image replaced by its fixation density as an 8-bit grey image."""
    density = sample['fixation_density']
    grey = np.round(255 * density / density.max()).astype(np.uint8)
    return dict(sample, img=np.repeat(grey[..., None], 3, axis=2))


def synthetic_samples(count=4, shape=(60, 80)):
    """Fixations clustered off the center, where the center bias is wrong."""
    rng = np.random.RandomState(0)
    samples = []
    for i in range(count):
        fixation_map = np.zeros(shape, np.float32)
        row, col = (12, 15) if i % 2 else (45, 62)
        fixation_map[np.clip(rng.normal(row, 4, 15).astype(int), 0, shape[0] - 1),
                     np.clip(rng.normal(col, 5, 15).astype(int), 0, shape[1] - 1)] = 1
        samples.append(dict(fixation_map=fixation_map,
                            fixation_density=fixation_density(fixation_map, sigma_px=4)))
    return samples


def assert_beats_center_bias(samples, size):
    metrics = tuple(SALIENCY_METRICS)
    perfect = summarise(attention_scores(PerfectModel(), samples, size, metrics,
                                         progress=False), metrics)
    baseline = summarise(center_bias_scores(samples, metrics), metrics)
    for name in ('nss', 'cc', 'sim', 'auc_judd'):
        assert perfect[name] > baseline[name], name
    assert perfect['kld'] < baseline['kld']
    assert perfect['cc'] > 0.95  # only the 8-bit drawing and the resizing stand between


def test_perfect_model_beats_center_bias_on_every_metric():
    assert_beats_center_bias([draw_density(s) for s in synthetic_samples()], size=48)


def test_perfect_model_beats_center_bias_on_osie_fixations(shared_data):
    samples = load_ground_truth(osie=str(shared_data('osie')), split='val', max_images=4)
    assert len(samples) == 4 and all(s['fixation_map'].shape == (600, 800) for s in samples)
    assert_beats_center_bias([draw_density(s) for s in samples], size=96)


def test_load_ground_truth_errors(tmp_path):
    with pytest.raises(ValueError, match='exactly one ground truth'):
        load_ground_truth()
    with pytest.raises(ValueError, match='exactly one ground truth'):
        load_ground_truth(osie='a', masks='b')


def build(config):
    init_default_scope('mmpretrain')
    cfg = Config.fromfile(REPO_ROOT / config)
    model_cfg = cfg.model
    if 'data_preprocessor' not in model_cfg and 'data_preprocessor' in cfg:
        model_cfg['data_preprocessor'] = cfg.data_preprocessor
    torch.manual_seed(0)
    model = MODELS.build(model_cfg)
    model.eval()
    return model


def test_attention_heads_give_their_predicted_map():
    inputs = torch.randn(2, 3, 32, 32)
    student = build(STUDENT_CPU)
    teacher_loss = student.attention_losses.teacher
    stage = dict(student.backbone.named_children())[teacher_loss.layer.split('.')[-1]]
    features = []
    handle = stage.register_forward_hook(lambda _m, _i, out: features.append(out))
    student.backbone(inputs)
    handle.remove()
    expected = minmax_scale(teacher_loss.attn_head(features[0]))
    torch.testing.assert_close(model_attention(student, inputs), expected.detach())
    teacher = build(TEACHER_CPU)
    expected = minmax_scale(teacher.log_density(inputs).exp())
    torch.testing.assert_close(model_attention(teacher, inputs), expected.detach())


def test_vars_classifier_gives_its_backbones_class_token_attention():
    model = build(VARS_CPU)
    inputs = torch.randn(2, 3, 32, 48)
    maps = model_attention(model, inputs)
    assert maps.shape == (2, 8, 12)  # 4x4 patches
    torch.testing.assert_close(maps, minmax_scale(model.backbone.attention_maps(inputs)))


def _last_mixer_input(backbone, inputs):
    """What the last layer's token mixer receives in a plain forward pass."""
    seen = {}
    handle = backbone.layers[-1].attn.register_forward_hook(
        lambda module, args, kwargs, out: seen.update(x=args[0], kwargs=kwargs),
        with_kwargs=True)
    backbone(inputs)
    handle.remove()
    return seen['x'], seen['kwargs']


def test_vars_attention_map_is_the_sparse_code_attention_of_the_last_layer():
    backbone = build(VARS_CPU).backbone
    inputs = torch.randn(2, 3, 32, 32)
    x, kwargs = _last_mixer_input(backbone, inputs)
    _, parts = backbone.layers[-1].attn(x, return_codes=True, **kwargs)
    expected = sparse_code_attention(parts['codes'], parts['dictionary'], query_index=0)
    maps = backbone.attention_maps(inputs)
    torch.testing.assert_close(maps, expected[:, 1:].reshape(2, 8, 8))
    assert (maps >= 0).all()  # VARS-D: non-negative dictionary


def test_self_attention_map_is_the_class_token_softmax_row():
    init_default_scope('mmpretrain')
    backbone = MODELS.build(dict(type='VARSVisionTransformer', img_size=32, patch_size=8,
                                 attn_cfgs=None, arch=dict(embed_dims=32, num_layers=2,
                                                           num_heads=2,
                                                           feedforward_channels=64)))
    backbone.eval()
    inputs = torch.randn(2, 3, 32, 32)
    x, _ = _last_mixer_input(backbone, inputs)
    attn = backbone.layers[-1].attn
    seen = {}
    handle = attn.proj.register_forward_hook(lambda m, args, out: seen.update(mixed=args[0]))
    attn(x)
    handle.remove()
    # Each head's class-token row of softmax(q k^T / sqrt(d)) (d = 16), checked by what it
    # must reproduce: the class token's attention output is that row times the values.
    q, k, v = (attn.qkv(x)[..., i * 32:(i + 1) * 32].reshape(2, 17, 2, 16).transpose(1, 2)
               for i in range(3))  # each (B, heads, N, d)
    rows = ((q[:, :, :1] @ k.transpose(-2, -1)) / 4).softmax(-1)[:, :, 0]  # (B, heads, N)
    torch.testing.assert_close(torch.einsum('bhn,bhnd->bhd', rows, v),
                               seen['mixed'][:, 0].reshape(2, 2, 16))
    maps = backbone.attention_maps(inputs)
    assert maps.shape == (2, 4, 4)
    torch.testing.assert_close(maps, rows.mean(dim=1)[:, 1:].reshape(2, 4, 4))


def test_sparse_code_attention_reduces_to_linear_attention_and_drops_inactive_atoms():
    torch.manual_seed(0)
    attn = VARSAttention(16, num_heads=2)
    _, parts = attn(torch.randn(1, 9, 16), return_codes=True)
    dictionary = parts['dictionary']  # (1, heads, N, m)
    uniform = torch.ones_like(parts['codes']) / parts['codes'].shape[-1] ** 0.5  # unit rows
    linear = (dictionary @ dictionary.transpose(-2, -1))[:, :, 0].mean(dim=1)  # row of D D^T
    torch.testing.assert_close(sparse_code_attention(uniform, dictionary, 0), linear)
    # Atoms whose codes are zero contribute nothing; the query defaults to the token mean.
    sparse = uniform.clone()
    sparse[:, :, ::2] = 0
    kept = dictionary[..., 1::2]
    expected = (kept.mean(dim=2, keepdim=True) @ kept.transpose(-2, -1))[:, :, 0].mean(dim=1)
    torch.testing.assert_close(sparse_code_attention(sparse, dictionary), expected)
    with pytest.raises(ValueError, match='do not match'):
        sparse_code_attention(parts['codes'][:, :, :3], dictionary)


def write_mit_layout(root, count=3, shape=(48, 64)):
    """Images with MIT-style fixation maps (<stem>_fixPts.png) and densities (_fixMap.png)."""
    import cv2

    rng = np.random.RandomState(5)
    (root / 'stimuli').mkdir(parents=True)
    (root / 'maps').mkdir()
    truth = []
    for i in range(count):
        cv2.imwrite(str(root / 'stimuli' / f'im{i}.png'),
                    rng.randint(0, 255, (*shape, 3)).astype(np.uint8))
        fixations = np.zeros(shape, np.float32)
        fixations[rng.randint(0, shape[0], 12), rng.randint(0, shape[1], 12)] = 1
        density = fixation_density(fixations, sigma_px=3 + i)
        grey = np.round(255 * density / density.max()).astype(np.uint8)
        cv2.imwrite(str(root / 'maps' / f'im{i}_fixPts.png'), (fixations * 255).astype(np.uint8))
        cv2.imwrite(str(root / 'maps' / f'im{i}_fixMap.png'), grey)
        truth.append((fixations, grey.astype(np.float64) / 255))
    return truth


def test_fixation_and_density_maps_give_the_true_scores(tmp_path):
    from attn_plugins.saliency import (cc, center_bias, kld, nss, relative_fixations,
                                       shuffled_auc, shuffled_negatives)

    truth = write_mit_layout(tmp_path)
    samples = load_ground_truth(fixation_maps=str(tmp_path), img_dir='stimuli',
                                fixation_dir='maps', fixation_suffix='_fixPts.png',
                                density_suffix='_fixMap.png')
    metrics = ('nss', 'cc', 'kld', 'sauc', 'info_gain')
    scores = center_bias_scores(samples, metrics)
    relative = [relative_fixations(np.nonzero(f)[1], np.nonzero(f)[0], f.shape)
                for f, _ in truth]
    for index, (fixations, density) in enumerate(truth):
        prior = center_bias(fixations.shape)
        # the densities are read back from 8-bit files as float32: agree to ~1e-7
        assert scores[index]['nss'] == pytest.approx(nss(prior, fixations), abs=1e-6)
        assert scores[index]['cc'] == pytest.approx(cc(prior, density), abs=1e-6)
        assert scores[index]['kld'] == pytest.approx(kld(prior, density), abs=1e-6)
        negatives = shuffled_negatives(relative, index, fixations.shape)
        assert scores[index]['sauc'] == pytest.approx(shuffled_auc(prior, fixations, negatives))
        assert scores[index]['info_gain'] == pytest.approx(0, abs=1e-9)


def test_a_density_given_as_a_mask_is_refused(tmp_path):
    write_mit_layout(tmp_path)
    # the density maps, named as masks of the images (same stem)
    (tmp_path / 'masks').mkdir()
    for path in (tmp_path / 'maps').glob('*_fixMap.png'):
        path.rename(tmp_path / 'masks' / path.name.replace('_fixMap', ''))
    with pytest.raises(ValueError, match=r'im0\.png is not a binary mask: .* between 10% and '
                       r'90% grey'):
        load_ground_truth(masks=str(tmp_path), img_dirs=['stimuli'], saliency_dir='masks')

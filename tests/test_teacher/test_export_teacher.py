"""tools/export_teacher.py and attn_plugins.teacher.build: the shipped-teacher format."""
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

from attn_plugins.teacher.build import build_teacher, teacher_input_size
from tests.conftest import REPO_ROOT, load_tool

LEAN = ('configs/saliency_teacher/'
        'saliency-teacher_resnet18-w16_1xb16-adam-15e_osie-scene-128x96_cpu.py')
WIDE = 'configs/saliency_teacher/saliency-teacher_resnet18_1xb16-adam-10e_osie-128x96_cpu.py'


export_teacher = load_tool('export_teacher')


def trained_like(config, path):
    """A teacher of ``config`` with image-dependent maps, saved as a checkpoint."""
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(REPO_ROOT / config).model)
    torch.nn.init.normal_(model.decoder.readout.weight, std=0.5)
    torch.save(dict(state_dict=model.state_dict(), meta=dict(epoch=1)), path)
    return model.eval()


def test_export_writes_fp16_weights_only_and_the_same_teacher(tmp_path):
    model = trained_like(LEAN, tmp_path / 'epoch_1.pth')
    result = export_teacher.export_teacher(str(REPO_ROOT / LEAN), str(tmp_path / 'epoch_1.pth'),
                                           str(tmp_path / 'out'))
    assert result['bytes'] < 2 * 2**20
    state = torch.load(result['weights'], weights_only=True)  # a plain tensor dict
    floats = [v for v in state.values() if v.is_floating_point()]
    assert floats and all(v.dtype == torch.float16 for v in floats)
    exported = Config.fromfile(result['config'])
    assert teacher_input_size(exported) == (128, 96)
    assert 'checkpoint sha256' in open(result['config']).read()

    teacher, _ = build_teacher(result['config'], result['weights'])
    images = torch.randint(0, 256, (3, 3, 96, 128)).float()
    with torch.no_grad():
        expected = model.saliency_maps(images)
        got = teacher.saliency_maps(images)
    # fp16 weights: the maps (max 1) agree to about 1e-3
    torch.testing.assert_close(got, expected, atol=5e-3, rtol=0)
    assert torch.corrcoef(torch.stack([got.flatten(), expected.flatten()]))[0, 1] > 0.999


def test_export_refuses_a_teacher_over_2_mb_and_a_foreign_checkpoint(tmp_path):
    trained_like(WIDE, tmp_path / 'wide.pth')
    with pytest.raises(ValueError, match='ships at most 2 MB'):
        export_teacher.export_teacher(str(REPO_ROOT / WIDE), str(tmp_path / 'wide.pth'),
                                      str(tmp_path / 'out'))
    assert not (tmp_path / 'out' / 'default_teacher.pth').exists()
    with pytest.raises(ValueError, match='missing|unexpected|size mismatch'):
        export_teacher.export_teacher(str(REPO_ROOT / LEAN), str(tmp_path / 'wide.pth'),
                                      str(tmp_path / 'out'))


def test_build_teacher_arguments():
    with pytest.raises(ValueError, match='brings its own weights'):
        build_teacher('default', 'some.pth')
    with pytest.raises(FileNotFoundError, match='teacher config not found'):
        build_teacher('no/such/config.py', 'x.pth')


def test_gen_saliency_takes_one_teacher(capsys):
    gen_saliency = load_tool('gen_saliency')
    for argv in (['--teacher', 'default', 'cfg.py', 'ckpt.pth', '--out-dir', 'x',
                  '--images', 'y'], ['--out-dir', 'x', '--images', 'y']):
        with pytest.raises(SystemExit):
            gen_saliency.parse_args(argv)
    err = capsys.readouterr().err
    assert 'not both' in err and 'CONFIG CHECKPOINT, or --teacher default' in err


def test_the_shipped_teacher_loads_weights_only_and_keeps_its_recorded_scores(shared_data):
    """Its held-out scores on every 10th image of OSIE and Scene (recorded when it was
    exported, results/saliency_baselines/val_every10_default_teacher.json) come back."""
    import json

    from attn_plugins.teacher import default_teacher_files

    config, weights = default_teacher_files()
    state = torch.load(weights, weights_only=True)
    assert all(v.dtype == torch.float16 for v in state.values() if v.is_floating_point())
    assert sum(v.numel() * v.element_size() for v in state.values()) < 2 * 2**20

    data = shared_data('osie').parent
    shared_data('scene_saliency')
    tool = load_tool('analysis/saliency_baselines')
    recorded = json.loads((REPO_ROOT / 'results' / 'saliency_baselines' /
                           'val_every10_default_teacher.json').read_text())
    results = tool.main(['--data-root', str(data), '--every', '10', '--methods',
                         '--teacher', 'default-teacher', 'default', 'none'])
    for name in ('osie', 'scene'):
        got = results['datasets'][name]['summary']['default-teacher']
        want = recorded['datasets'][name]['summary']['default-teacher']
        for metric in ('nss', 'cc', 'auc_judd'):
            assert got[metric]['mean'] == pytest.approx(want[metric]['mean'], abs=1e-4)
        # and it beats the centre bias there
        centre = recorded['datasets'][name]['summary']['center_bias']
        assert got['nss']['mean'] > centre['nss']['mean']


def test_cross_dataset_study_skips_trained_teachers_and_scores_both_splits(tmp_path,
                                                                            shared_data):
    import json

    from tests.conftest import run_tool

    shared_data('osie'), shared_data('scene_saliency')
    work = tmp_path / 'cross'
    (work / 'osie').mkdir(parents=True)
    trained_like(LEAN, work / 'osie' / 'epoch_15.pth')  # a finished run is not redone
    out = tmp_path / 'cross.json'
    proc = run_tool(['tools/analysis/teacher_cross_dataset.py', '--train-sets', 'osie',
                     '--every', '50', '--work-dir', work, '--out', out], timeout=600)
    assert '[cross] osie: trained already' in proc.stdout
    assert not list(work.glob('osie/2*'))  # no training log: nothing was trained
    held_out = json.loads(out.read_text())['held_out']
    assert set(held_out) == {'osie', 'scene'}
    for scores in held_out.values():
        assert set(scores) == {'center_bias', 'trained on osie'}
        assert scores['center_bias']['info_gain']['mean'] == pytest.approx(0, abs=1e-6)

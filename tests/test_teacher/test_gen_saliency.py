"""tools/gen_saliency.py: maps the datasets read, resumable, robust to bad images."""
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import DATASETS, MODELS

from attn_plugins.saliency import resize_map
from tests.conftest import REPO_ROOT, load_tool

TEACHER_CPU = 'configs/saliency_teacher/saliency-teacher_resnet18_1xb16-adam-10e_osie-128x96_cpu.py'


gen_saliency = load_tool('gen_saliency')


@pytest.fixture(scope='module')
def teacher(tmp_path_factory):
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(REPO_ROOT / TEACHER_CPU).model)
    torch.nn.init.normal_(model.decoder.readout.weight, std=0.5)  # image-dependent maps
    path = tmp_path_factory.mktemp('teacher') / 'teacher.pth'
    torch.save(dict(state_dict=model.state_dict()), path)
    return path, model.eval()


def make_images(folder, count, shape=(30, 40)):
    """``count`` random JPEGs, half of them in a subfolder (the scan is recursive)."""
    rng = np.random.RandomState(0)
    paths = []
    for i in range(count):
        sub = folder / ('a' if i % 2 else 'b')
        sub.mkdir(parents=True, exist_ok=True)
        path = sub / f'img{i:03d}.jpg'
        cv2.imwrite(str(path), rng.randint(0, 255, (*shape, 3), np.uint8))
        paths.append(path)
    return paths


def snapshot(folder):
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.iterdir()}


def args(teacher_path, images, out, *extra):
    return [str(REPO_ROOT / TEACHER_CPU), str(teacher_path), '--images', str(images),
            '--out-dir', str(out), '--num-workers', '0', *extra]


def assert_complete(out, images):
    """Every image has a readable map of its own size, and nothing else is in the folder."""
    assert sorted(p.name for p in out.iterdir()) == sorted(f'{p.stem}.png' for p in images)
    for image in images:
        saliency = cv2.imread(str(out / f'{image.stem}.png'), cv2.IMREAD_UNCHANGED)
        assert saliency is not None and saliency.dtype == np.uint8
        assert saliency.shape == cv2.imread(str(image)).shape[:2] and saliency.max() == 255


def test_maps_are_the_teachers_and_the_dataset_reads_them(tmp_path, teacher):
    teacher_path, model = teacher
    images = make_images(tmp_path / 'images', 3)
    out = tmp_path / 'maps'
    assert gen_saliency.main(args(teacher_path, tmp_path / 'images', out)) == 0
    assert_complete(out, images)
    image = cv2.imread(str(images[0]))
    resized = torch.from_numpy(cv2.resize(image, (128, 96), interpolation=cv2.INTER_LINEAR))
    expected = resize_map(model.saliency_maps(resized.permute(2, 0, 1)[None])[0], (30, 40))
    expected = (expected / expected.max()).numpy()
    written = cv2.imread(str(out / f'{images[0].stem}.png'), cv2.IMREAD_UNCHANGED) / 255.0
    assert np.abs(written - expected).max() <= 0.5 / 255 + 1e-6
    dataset = DATASETS.build(dict(
        type='SaliencyImageFolder', img_dirs=str(tmp_path / 'images'), saliency_dir=str(out),
        pipeline=[dict(type='LoadImageFromFile'), dict(type='LoadSaliencyMap')]))
    sample = dataset[0]
    assert len(dataset) == 3 and sample['saliency'].shape == sample['img'].shape[:2]


def test_crash_mid_write_then_restart_finishes_without_redoing(tmp_path, teacher, monkeypatch,
                                                                capsys):
    teacher_path, _ = teacher
    images = make_images(tmp_path / 'images', 12)
    out = tmp_path / 'maps'
    real_replace, calls = os.replace, []

    def crash_on_the_sixth(src, dst):
        calls.append(dst)
        if len(calls) == 6:
            raise KeyboardInterrupt  # the job is stopped between writing and renaming
        real_replace(src, dst)

    monkeypatch.setattr(gen_saliency.os, 'replace', crash_on_the_sixth)
    with pytest.raises(KeyboardInterrupt):
        gen_saliency.main(args(teacher_path, tmp_path / 'images', out, '--batch-size', '4'))
    monkeypatch.setattr(gen_saliency.os, 'replace', real_replace)
    # every rename but the interrupted one left a whole map; writes not started were dropped
    done = len(list(out.glob('*.png')))
    assert done == len(calls) - 1 and 5 <= done < 12 and not list(out.glob('.*'))
    # A hard kill would leave its temporary file behind: the restart must drop it.
    (out / f'.{images[7].stem}.png.abc.tmp').write_bytes(b'half a PNG')
    before = snapshot(out)
    capsys.readouterr()

    assert gen_saliency.main(args(teacher_path, tmp_path / 'images', out, '--batch-size',
                                  '4')) == 0
    log = capsys.readouterr().out
    assert f'12 images: {done} already have a map, {12 - done} to label' in log
    assert 'removed 1 partial files' in log
    after = snapshot(out)
    assert all(after[name] == stat for name, stat in before.items() if name.endswith('.png'))
    assert_complete(out, images)


def test_killed_run_restarts_and_completes(tmp_path, teacher):
    teacher_path, _ = teacher
    images = make_images(tmp_path / 'images', 24)
    out = tmp_path / 'maps'
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), OMP_NUM_THREADS='1')
    proc = subprocess.Popen(
        [sys.executable, 'tools/gen_saliency.py',
         *args(teacher_path, tmp_path / 'images', out, '--batch-size', '1', '--input-size',
               '192', '144')],
        cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None:
        if out.is_dir() and len(list(out.glob('*.png'))) >= 3:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.005)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()[-3000:]
    done = sorted(out.glob('*.png'))
    assert 3 <= len(done) < 24
    for path in done:  # every map on disk is whole
        assert cv2.imread(str(path), cv2.IMREAD_UNCHANGED) is not None
    before = snapshot(out)

    assert gen_saliency.main(args(teacher_path, tmp_path / 'images', out, '--input-size',
                                  '192', '144')) == 0
    after = snapshot(out)
    assert all(after[p.name] == before[p.name] for p in done)
    assert_complete(out, images)


def test_unreadable_images_are_reported_and_the_rest_are_written(tmp_path, teacher, capsys):
    teacher_path, _ = teacher
    images = make_images(tmp_path / 'images', 5)
    broken = tmp_path / 'images' / 'a' / 'broken.jpg'
    broken.write_bytes(b'not a JPEG at all')
    out = tmp_path / 'maps'
    assert gen_saliency.main(args(teacher_path, tmp_path / 'images', out)) == 1
    log = capsys.readouterr().out
    assert f'{broken}: not a readable image' in log and '1 failed' in log
    assert_complete(out, images)


def test_images_of_a_dataset_config(tmp_path, teacher):
    teacher_path, _ = teacher
    images = make_images(tmp_path / 'images', 4)
    config = tmp_path / 'data_config.py'
    config.write_text(f"default_scope = 'mmpretrain'\n"
                      f"train_dataloader = dict(dataset=dict(type='ImageFolder', "
                      f"img_dirs={str(tmp_path / 'images' / 'a')!r}))\n")
    out = tmp_path / 'maps'
    assert gen_saliency.main([str(REPO_ROOT / TEACHER_CPU), str(teacher_path), '--out-dir',
                              str(out), '--dataset-config', str(config),
                              '--num-workers', '0']) == 0
    assert_complete(out, [p for p in images if p.parent.name == 'a'])
    with pytest.raises(ValueError, match="no 'val_dataloader.dataset'"):
        gen_saliency.main([str(REPO_ROOT / TEACHER_CPU), str(teacher_path), '--out-dir',
                           str(out), '--dataset-config', str(config), '--dataset-key',
                           'val_dataloader.dataset'])


def test_colliding_stems_are_refused(tmp_path):
    with pytest.raises(ValueError, match='share the file stem'):
        gen_saliency.output_paths(['x/a/1.jpg', 'x/b/1.png'], str(tmp_path), 'png')


def test_tree_layout_keeps_sub_folders_and_the_dataset_reads_it(tmp_path, teacher):
    """Images sharing a file name in two class folders: --layout tree writes each map at the
    image's path below the --images folder, and SaliencyImageFolder(saliency_layout='tree')
    pairs every image with its own map."""
    teacher_path, model = teacher
    rng = np.random.RandomState(1)
    images = []
    for cls in ('cat', 'dog'):
        (tmp_path / 'images' / cls).mkdir(parents=True)
        images.append(tmp_path / 'images' / cls / 'image_0001.jpg')
        cv2.imwrite(str(images[-1]), rng.randint(0, 255, (30, 40, 3), np.uint8))
    out = tmp_path / 'maps'
    assert gen_saliency.main(args(teacher_path, tmp_path / 'images', out, '--layout',
                                  'tree')) == 0
    written = sorted(str(p.relative_to(out)) for p in out.rglob('*.png'))
    assert written == ['cat/image_0001.png', 'dog/image_0001.png']
    for image in images:  # each map is its own image's
        resized = torch.from_numpy(cv2.resize(cv2.imread(str(image)), (128, 96),
                                              interpolation=cv2.INTER_LINEAR))
        expected = resize_map(model.saliency_maps(resized.permute(2, 0, 1)[None])[0], (30, 40))
        expected = (expected / expected.max()).numpy()
        got = cv2.imread(str(out / image.parent.name / 'image_0001.png'),
                         cv2.IMREAD_UNCHANGED) / 255.0
        assert np.abs(got - expected).max() <= 0.5 / 255 + 1e-6
    dataset = DATASETS.build(dict(
        type='SaliencyImageFolder', img_dirs=str(tmp_path / 'images'), saliency_dir=str(out),
        saliency_layout='tree', pipeline=[]))
    assert [(osp.basename(osp.dirname(s['img_path'])),
             osp.basename(osp.dirname(s['saliency_path']))) for s in dataset] == [
        ('cat', 'cat'), ('dog', 'dog')]
    # the stem layout refuses the same images, and says what to do
    with pytest.raises(ValueError, match='--layout tree'):
        gen_saliency.output_paths([str(p) for p in images], str(out), 'png')
    with pytest.raises(ValueError, match='under none of the --images folders'):
        gen_saliency.output_paths([str(images[0])], str(out), 'png', roots=[str(tmp_path / 'x')])


def test_benchmark_labels_and_reports_rates(tmp_path, teacher):
    from tests.conftest import run_tool

    teacher_path, _ = teacher
    make_images(tmp_path / 'images', 6)
    proc = run_tool(['tools/benchmarks/bench_gen_saliency.py', '--config', TEACHER_CPU,
                     '--checkpoint', teacher_path, '--images', tmp_path / 'images', '--limit',
                     '5', '--runs', '1', '--batch-size', '2', '--num-workers', '0'])
    assert '5 images from' in proc.stdout
    assert 'run 1: 5 maps in' in proc.stdout and 'images/s end to end' in proc.stdout

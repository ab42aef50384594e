"""Standard evaluation of a pretrained backbone on frozen features: linear probe, weighted
kNN, few-shot linear probe, corruption robustness and Grad-CAM grounding.

The backbone is CONFIG's ``model.backbone``; CKPT is any checkpoint holding its weights (an
mmengine / mmpretrain checkpoint with ``backbone.*`` keys, a slim export of
tools/export_backbone.py, a plain torchvision ResNet state dict) or ``random`` (the config's
initialisation, seeded by --init-seed). Features (global average pooling of the last stage,
BatchNorm in eval mode, no augmentation: short side SIZE*8/7, centre crop SIZE) are
extracted once and cached under --cache-dir, keyed by the checkpoint's content hash, the
data lists and the resolution; corrupted test images are cached there too (they do not
depend on the model).

Tasks (on Caltech-101's fixed split, 101 classes, BACKGROUND_Google left out):
  linear      logistic regression on standardised features (L-BFGS), weight decay chosen
              on a stratified 20% validation split of train, refit on train; top-1 and mean
              per-class accuracy on test
  knn         weighted 20-NN, cosine similarity, votes exp(cos / 0.07) (InstDisc / DINO)
  fewshot     the linear probe on 1, 5, 10 images per class, 5 seeded draws: mean +- std
  corruption  the linear probe on corrupted test images: speckle noise, Gaussian blur,
              spatter, saturate (severities 1-5, --corruption-images), and the mean over the
              15 ImageNet-C corruptions (--mce-images); with --baseline, mCE against it
  grounding   Grad-CAM of the linear probe's top class on the last stage, against the SOD
              salient-object masks of the held-out BSDS500 val photos: NSS, CC, AUC-Judd
  fixations   (only when named) the same Grad-CAM against human eye fixations on the
              held-out splits of OSIE (1601-1700) and Scene saliency (401-500)
  attention   (only when named) the whole model's own attention map (a teacher-attention
              head's prediction, a VARS ViT's class-token attention, else Grad-CAM of
              query . key) against the same held-out fixations; needs CONFIG's full model

Each task's result is written to <out-dir>/<task>.json and skipped on a rerun with the same
settings (resumable); results.json and results.md gather them.

Examples:
    # a random ResNet-18 at 112 px, all five tasks
    python tools/analysis/ssl_eval.py \\
        configs/mocov2/mocov2_resnet18_1xb32-coslr-4e_bsds-osie_cpu.py random \\
        --out-dir work_dirs/ssl_eval/random_r18

    # a pretraining checkpoint, mCE against the random encoder above
    python tools/analysis/ssl_eval.py CONFIG work_dirs/mocov2/epoch_4.pth \\
        --baseline work_dirs/ssl_eval/random_r18 --baseline-name random

    # a torchvision state dict, linear and kNN only
    python tools/analysis/ssl_eval.py CONFIG resnet18.pth --tasks linear knn

    # where a 64-px encoder looks, against salient objects and human fixations, at 128 px;
    # and where the model's own attention head looks
    python tools/analysis/ssl_eval.py CONFIG CKPT --size 64 --grounding-size 128 \\
        --tasks grounding fixations attention
"""
import argparse
import json
import os
import os.path as osp
import time


# The defaults' light home: attn_plugins.evaluation.ssl_eval and .probes import torch.
from attn_plugins.defaults import (DEFAULT_WEIGHT_DECAYS, FEW_SHOT_WEIGHT_DECAY,
                                   SSL_EVAL_DEFAULT_TASKS, SSL_EVAL_TASKS as TASKS)

DATA_ROOT = os.environ.get('ATTN_DATA_ROOT', '../shared/data')


def parse_args(argv=None):
    from mmengine.config import DictAction

    parser = argparse.ArgumentParser(
        description='Frozen-feature evaluation of a pretrained backbone.',
        epilog=__doc__.split('\n\n', 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='config whose model.backbone is the encoder')
    parser.add_argument('checkpoint', help='checkpoint file, or "random"')
    parser.add_argument('--tasks', nargs='+', default=list(SSL_EVAL_DEFAULT_TASKS),
                        choices=TASKS, help='default: %(default)s')
    parser.add_argument('--name', help='name in the tables (default: checkpoint file name)')
    parser.add_argument('--out-dir', help='default: work_dirs/ssl_eval/<config>_<checkpoint>')
    parser.add_argument('--cache-dir', default='work_dirs/ssl_eval_cache',
                        help='feature and image cache (default: %(default)s)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, metavar='KEY=VALUE',
                        help='config overrides')
    parser.add_argument('--data-root', default=osp.join(DATA_ROOT, 'caltech101'),
                        help='labelled set: train.txt, test.txt, images/<class>/ '
                        '(default: %(default)s)')
    parser.add_argument('--size', type=int, default=112, help='input side (default: 112)')
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--num-workers', type=int, default=2,
                        help='dataloader workers (default: %(default)s)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the evaluation: validation split, few-shot draws, test '
                        'subsets, corruptions (default: %(default)s)')
    parser.add_argument('--init-seed', type=int, default=0,
                        help='seed of the random weights of CKPT "random" (default: '
                        '%(default)s)')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--weight-decays', nargs='+', type=float,
                        default=list(DEFAULT_WEIGHT_DECAYS), help='linear probe candidates')
    parser.add_argument('--knn-k', type=int, default=20)
    parser.add_argument('--knn-temperature', type=float, default=0.07)
    parser.add_argument('--shots', nargs='+', type=int, default=[1, 5, 10])
    parser.add_argument('--draws', type=int, default=5, help='few-shot draws per setting')
    parser.add_argument('--fewshot-weight-decay', type=float, default=FEW_SHOT_WEIGHT_DECAY)
    parser.add_argument('--corruption-images', type=int, default=250,
                        help='test subset for the four reported corruptions (default: 250)')
    parser.add_argument('--mce-images', type=int, default=100,
                        help='test subset for the 15 benchmark corruptions (default: 100; '
                        'glass blur costs ~0.3 s per image and severity at 112 px)')
    parser.add_argument('--severities', nargs='+', type=int, default=[1, 2, 3, 4, 5])
    parser.add_argument('--baseline', metavar='OUT_DIR',
                        help='another run\'s --out-dir: mCE of the 15 corruptions against it')
    parser.add_argument('--baseline-name', default='baseline')
    parser.add_argument('--masks-root', default=osp.join(DATA_ROOT, 'bsds500'),
                        help='grounding: folder with the images and masks (default: %(default)s)')
    parser.add_argument('--mask-img-dirs', nargs='+', default=['images/val'],
                        help='grounding images, never used in pretraining (default: %(default)s)')
    parser.add_argument('--mask-dir', default='sod_masks', help='default: %(default)s')
    parser.add_argument('--grounding-images', type=int, help='score only the first N')
    parser.add_argument('--grounding-size', type=int,
                        help='grounding and fixations input side (default: --size); larger '
                        'than a 64-px pretraining gives a last-stage grid finer than 2x2')
    parser.add_argument('--osie-root', default=osp.join(DATA_ROOT, 'osie'),
                        help='fixations: OSIE folder (default: %(default)s)')
    parser.add_argument('--scene-root', default=osp.join(DATA_ROOT, 'scene_saliency'),
                        help='fixations: Scene saliency folder (default: %(default)s)')
    parser.add_argument('--fixation-images', type=int,
                        help='fixations, attention: score only the first N of each set')
    return parser.parse_args(argv)


def task_settings(task, args, identity):
    """What a task's result depends on (a stored result is reused only when they match)."""
    common = dict(encoder=identity['digest'], data_root=osp.abspath(args.data_root),
                  size=args.size, seed=args.seed)
    if task == 'attention':
        from attn_plugins.evaluation.harness import config_digest

        # the whole model: the checkpoint's hash is in the encoder digest, the heads' settings
        # in the config's
        return dict(common, osie_root=osp.abspath(args.osie_root),
                    scene_root=osp.abspath(args.scene_root), max_images=args.fixation_images,
                    config=config_digest(args.config), cfg_options=args.cfg_options,
                    init_seed=args.init_seed, attention_size=args.grounding_size or args.size)
    linear = dict(weight_decays=args.weight_decays)
    extra = dict(
        linear=linear,
        knn=dict(k=args.knn_k, temperature=args.knn_temperature),
        fewshot=dict(shots=args.shots, draws=args.draws, weight_decay=args.fewshot_weight_decay),
        corruption=dict(linear, images=args.corruption_images, mce_images=args.mce_images,
                        severities=args.severities),
        grounding=dict(linear, masks_root=osp.abspath(args.masks_root),
                       img_dirs=args.mask_img_dirs, mask_dir=args.mask_dir,
                       max_images=args.grounding_images,
                       # only when given: results stored before the option stay valid
                       **({'grounding_size': args.grounding_size} if args.grounding_size
                          else {})),
        fixations=dict(linear, osie_root=osp.abspath(args.osie_root),
                       scene_root=osp.abspath(args.scene_root),
                       max_images=args.fixation_images,
                       fixation_size=args.grounding_size or args.size))[task]
    return dict(common, **extra)


def whole_model(args):
    """CONFIG's whole model (heads included) with CKPT's weights, or its own initialisation
    seeded by --init-seed for ``random``."""
    import torch

    from attn_plugins.engine.launch import load_model

    torch.manual_seed(args.init_seed)
    checkpoint = None if args.checkpoint == 'random' else args.checkpoint
    return load_model(args.config, checkpoint, args.cfg_options, args.device)


def run_task(task, ev, args):
    from attn_plugins.evaluation import ssl_eval as tasks

    if task == 'linear':
        return tasks.task_linear(ev, args.weight_decays)
    if task == 'knn':
        return tasks.task_knn(ev, args.knn_k, args.knn_temperature)
    if task == 'fewshot':
        return tasks.task_fewshot(ev, args.shots, args.draws, args.fewshot_weight_decay)
    if task == 'corruption':
        return tasks.task_corruption(ev, args.corruption_images, args.mce_images,
                                     args.severities, args.weight_decays)
    if task == 'fixations':
        return tasks.task_fixations(ev, args.osie_root, args.scene_root,
                                    args.grounding_size or args.size, args.fixation_images,
                                    args.weight_decays)
    if task == 'attention':
        return tasks.task_attention(whole_model(args), args.osie_root, args.scene_root,
                                    args.grounding_size or args.size, args.fixation_images,
                                    ev.progress)
    return tasks.task_grounding(ev, args.masks_root, args.mask_img_dirs, args.mask_dir,
                                args.grounding_size or args.size, args.grounding_images,
                                args.weight_decays)


def write_json(path, data):
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(data, f, indent=1)
    os.replace(tmp, path)


def markdown_report(name, results, metrics, extraction):
    """results.md: one line per headline metric, then the per-task details."""
    from attn_plugins.evaluation.tables import markdown_table
    from attn_plugins.robustness import CORRUPTIONS

    lines = [f'# {name}\n', markdown_table(['metric', 'value'],
                                           [[k, float(v)] for k, v in metrics.items()], 2)]
    if 'fewshot' in results:
        rows = [[k, v['top1'], v['top1_std'], v['mean_class']]
                for k, v in results['fewshot'].items() if isinstance(v, dict)]
        lines += ['\n## Few-shot linear probe (top-1 over draws)\n',
                  markdown_table(['setting', 'top-1', 'std', 'mean per class'], rows, 2)]
    if 'corruption' in results:
        c = results['corruption']
        severities = c['severities']
        rows = [[name_, *[acc[str(s)] for s in severities],
                 sum(acc.values()) / len(acc)] for name_, acc in c['accuracy'].items()]
        lines += [f'\n## Corruptions (linear-probe top-1; reported four on {c["images"]} test '
                  f'images, clean {c["clean"]:.1f}; the 15 on {c["mce_images"]}, clean '
                  f'{c["clean_mce"]:.1f})\n',
                  markdown_table(['corruption', *[f's{s}' for s in severities], 'mean'],
                                 rows, 1)]
        if 'mce' in c:
            lines.append(f'\nmCE against {c["mce_baseline"]}: {c["mce"]:.3f} (relative '
                         f'{c["relative_mce"]:.3f}) over {len(CORRUPTIONS)} corruptions\n')
    titles = dict(grounding='Grounding: salient-object masks',
                  fixations='Fixations: human eye fixations, OSIE + Scene held out',
                  attention='Own attention map: human eye fixations, OSIE + Scene held out')
    for task, title in titles.items():
        if task in results:
            g = results[task]
            label = 'own attention' if task == 'attention' else 'encoder'
            rows = [[label, *[f'{g[m]:.3f} ± {g[m + "_std"]:.3f}' for m in
                                ('nss', 'cc', 'auc_judd')]],
                    ['center bias', *[f'{g["center_bias"][m]:.3f}' for m in
                                      ('nss', 'cc', 'auc_judd')]]]
            lines += [f'\n## {title} ({g["images"]} images)\n',
                      markdown_table(['map', 'NSS', 'CC', 'AUC-Judd'], rows)]
    if extraction['images']:
        lines.append(f'\nFeature extraction in this run: {extraction["images"]} images, '
                     f'{extraction["images"] / max(extraction["seconds"], 1e-9):.0f} img/s\n')
    return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    from mmengine.logging import print_log

    from attn_plugins.evaluation.frozen import build_frozen_encoder
    from attn_plugins.evaluation.ssl_eval import (EvalData, FrozenEvaluation, corruption_mce,
                                                  flatten_metrics)

    start = time.time()
    stem = 'random' if args.checkpoint == 'random' else osp.splitext(
        osp.basename(args.checkpoint))[0]
    name = args.name or stem
    out_dir = args.out_dir or osp.join(
        'work_dirs', 'ssl_eval', f'{osp.splitext(osp.basename(args.config))[0]}_{stem}')
    os.makedirs(out_dir, exist_ok=True)
    try:
        encoder, identity = build_frozen_encoder(args.config, args.checkpoint, args.cfg_options,
                                                 args.init_seed, args.device)
        ev = FrozenEvaluation(encoder, identity, EvalData(args.data_root), args.size,
                              args.cache_dir, args.batch_size, args.num_workers, args.seed)
    except (FileNotFoundError, ValueError) as error:
        raise SystemExit(f'[ssl_eval] {error}')
    ordered = [task for task in TASKS if task in args.tasks]
    results = {}
    for index, task in enumerate(ordered):
        path = osp.join(out_dir, f'{task}.json')
        settings = json.loads(json.dumps(task_settings(task, args, identity)))
        if osp.isfile(path):
            with open(path) as f:
                stored = json.load(f)
            if stored.get('settings') == settings:
                results[task] = stored['result']
                print_log(f'[ssl_eval] {task}: done before ({path})', logger='current')
                continue
            print_log(f'[ssl_eval] {task}: settings changed, evaluating again',
                      logger='current')
        elapsed = time.time() - start
        print_log(f'[ssl_eval] task {index + 1}/{len(ordered)}: {task} (elapsed {elapsed:.0f}s)',
                  logger='current')
        results[task] = run_task(task, ev, args)
        write_json(path, dict(settings=settings, result=results[task]))
        print_log(f'[ssl_eval] {task} done in {results[task]["seconds"]:.0f}s', logger='current')

    if 'corruption' in results and args.baseline:
        baseline_path = osp.join(args.baseline, 'corruption.json')
        if not osp.isfile(baseline_path):
            raise SystemExit(f'[ssl_eval] --baseline: {baseline_path} not found; run the '
                             'corruption task for the baseline first')
        with open(baseline_path) as f:
            baseline = json.load(f)['result']
        try:
            results['corruption'].update(corruption_mce(results['corruption'], baseline),
                                         mce_baseline=args.baseline_name)
        except ValueError as error:
            raise SystemExit(f'[ssl_eval] --baseline {args.baseline}: {error}')
    metrics = flatten_metrics(results)
    report = dict(name=name, config=args.config, checkpoint=args.checkpoint, identity=identity,
                  size=args.size, metrics=metrics, tasks=results,
                  extraction=dict(ev.extraction, images_per_second=(
                      ev.extraction['images'] / ev.extraction['seconds']
                      if ev.extraction['seconds'] else None)),
                  seconds=round(time.time() - start, 1))
    write_json(osp.join(out_dir, 'results.json'), report)
    markdown = markdown_report(name, results, metrics, ev.extraction)
    with open(osp.join(out_dir, 'results.md'), 'w') as f:
        f.write(markdown)
    print(markdown)
    print(f'[ssl_eval] {len(ordered)} tasks in {time.time() - start:.0f}s; '
          f'{osp.join(out_dir, "results.json")} and results.md')

if __name__ == '__main__':
    main()

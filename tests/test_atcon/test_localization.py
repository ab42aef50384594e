"""Weakly supervised localisation and the attention metrics against hand computations."""
import numpy as np
import pytest
import torch

from attn_plugins.atcon import box_iou, cam_to_box, localization_iou


def test_box_iou_by_hand():
    # [0, 0, 4, 4] and [2, 1, 6, 3]: intersection 2 x 2 = 4, union 16 + 8 - 4 = 20.
    assert box_iou([0, 0, 4, 4], [[2, 1, 6, 3]])[0] == pytest.approx(0.2)
    ious = box_iou([1, 1, 3, 3], [[1, 1, 3, 3], [3, 3, 5, 5], [0, 0, 0, 0]])
    np.testing.assert_allclose(ious, [1.0, 0.0, 0.0])


def test_cam_to_box_largest_component_or_all_pixels():
    cam = np.zeros((10, 10))
    cam[2:5, 1:7] = 1.0  # 18 pixels
    cam[8, 8] = 0.9  # one isolated pixel
    cam[6, 0] = 0.1  # below 0.2 x max
    np.testing.assert_array_equal(cam_to_box(cam), [1, 2, 7, 5])
    np.testing.assert_array_equal(cam_to_box(cam, largest_component=False), [1, 2, 9, 9])
    np.testing.assert_array_equal(cam_to_box(cam, threshold=0.05, largest_component=False),
                                  [0, 2, 9, 9])
    # Diagonal neighbours belong to one region (8-connectivity).
    diagonal = np.eye(4)
    np.testing.assert_array_equal(cam_to_box(diagonal), [0, 0, 4, 4])
    assert cam_to_box(np.zeros((3, 3))) is None and cam_to_box(-np.ones((3, 3))) is None
    with pytest.raises(ValueError, match='threshold'):
        cam_to_box(cam, threshold=0)


def test_localization_iou_upsamples_then_matches_the_best_box():
    cam = np.zeros((4, 4))
    cam[1:3, 1:3] = 1.0  # the centre quarter: [2, 2, 6, 6] of an 8x8 image at threshold 0.5
    boxes = [[0, 0, 1, 1], [2, 2, 6, 8]]
    assert localization_iou(cam, boxes, (8, 8), threshold=0.5) == pytest.approx(16 / 24)
    assert localization_iou(torch.tensor(cam), np.zeros((0, 4)), (8, 8)) == 0.0
    assert localization_iou(np.zeros((4, 4)), boxes, (8, 8)) == 0.0


def test_metrics_against_hand_computations():
    pytest.importorskip('mmpretrain')
    from attn_plugins.atcon.metrics import (AttentionConsistencyMetric,
                                            AttentionLocalizationMetric)

    consistency = AttentionConsistencyMetric()
    consistency.process(None, [dict(attention_consistency=torch.tensor(v))
                               for v in (0.2, 0.6, -0.1)])
    assert consistency.evaluate(3) == {'attention/consistency': pytest.approx(0.7 / 3)}

    cam = np.zeros((4, 4), dtype=np.float32)
    cam[0:2, 0:2] = 1.0  # top-left quarter of an 8x8 input at threshold 0.5: [0, 0, 4, 4]
    samples = [
        # class 1 has the matching box: IoU 1
        dict(grad_cam=torch.tensor(cam), attention_class=1, img_shape=(8, 8),
             gt_bboxes=np.array([[0, 0, 4, 4], [4, 4, 8, 8]], np.float32),
             gt_bboxes_labels=np.array([1, 0])),
        # best box of class 0 is [0, 0, 4, 8]: IoU 16 / 32
        dict(grad_cam=torch.tensor(cam), attention_class=0, img_shape=(8, 8),
             gt_bboxes=np.array([[0, 0, 4, 8], [0, 0, 4, 4]], np.float32),
             gt_bboxes_labels=np.array([0, 2])),
        # the predicted class is not in the image: 0
        dict(grad_cam=torch.tensor(cam), attention_class=2, img_shape=(8, 8),
             gt_bboxes=np.array([[0, 0, 4, 4]], np.float32), gt_bboxes_labels=np.array([0])),
        # negative map (no ReLU in ATCON's A1): all <= 0 after ReLU, so 0
        dict(grad_cam=-torch.tensor(cam), attention_class=0, img_shape=(8, 8),
             gt_bboxes=np.array([[0, 0, 4, 4]], np.float32), gt_bboxes_labels=np.array([0])),
    ]
    localization = AttentionLocalizationMetric(threshold=0.5)
    localization.process(None, samples)
    result = localization.evaluate(4)
    assert result['attention/loc_iou'] == pytest.approx((1 + 0.5 + 0 + 0) / 4)
    assert result['attention/loc_acc'] == pytest.approx(2 / 4)  # IoU 0.5 counts
    # The whole 8x8 input as the box, for the same classes: boxes of area 16, 32, none, 16.
    assert result['attention/loc_iou_whole_image'] == pytest.approx((16 + 32 + 0 + 16) / 64 / 4)
    assert result['attention/loc_acc_whole_image'] == pytest.approx(1 / 4)


def test_localization_metric_names_what_is_missing():
    pytest.importorskip('mmpretrain')
    from attn_plugins.atcon.metrics import AttentionLocalizationMetric
    metric = AttentionLocalizationMetric()
    with pytest.raises(KeyError, match='gt_bboxes'):
        metric.process(None, [dict(grad_cam=torch.ones(2, 2), attention_class=0,
                                   img_shape=(4, 4))])
    with pytest.raises(KeyError, match='ATCONClassifier'):
        metric.process(None, [dict(img_shape=(4, 4))])

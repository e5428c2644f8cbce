"""Writes metrics_golden.json: Keras 3's metrics on two batches, with and without sample
weights. Run: KERAS_BACKEND=jax python3 metrics_golden.py (from this folder)."""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np
import keras
from keras.src.trainers.compile_utils import get_metric

rng = np.random.default_rng(7)


def probs(n, k):
    p = rng.random((n, k)).astype("float32") + 0.05
    return (p / p.sum(-1, keepdims=True)).astype("float32")


def onehot(n, k):
    return np.eye(k, dtype="float32")[rng.integers(0, k, n)]


def binary(n, d=1):
    return rng.integers(0, 2, (n, d)).astype("float32")


def unit(n, d=1):
    return rng.random((n, d)).astype("float32")


def reg(n, d=3):
    return (rng.normal(size=(n, d)) * 2).astype("float32")


def pos(n, d=3):
    return (rng.random((n, d)) * 3 + 0.01).astype("float32")


def sparse(n, k):
    return rng.integers(0, k, (n,)).astype("float32")


# (identifier or (class, kwargs), y_true maker, y_pred maker)
specs = [
    ("acc", lambda n: binary(n), lambda n: unit(n)),
    ("accuracy", lambda n: onehot(n, 4), lambda n: probs(n, 4)),
    ("acc", lambda n: sparse(n, 4), lambda n: probs(n, 4)),
    ("binary_accuracy", lambda n: binary(n, 3), lambda n: unit(n, 3)),
    ("categorical_accuracy", lambda n: onehot(n, 5), lambda n: probs(n, 5)),
    ("sparse_categorical_accuracy", lambda n: sparse(n, 5), lambda n: probs(n, 5)),
    ("top_k_categorical_accuracy", lambda n: onehot(n, 8), lambda n: probs(n, 8)),
    ("sparse_top_k_categorical_accuracy", lambda n: sparse(n, 8), lambda n: probs(n, 8)),
    (("TopKCategoricalAccuracy", {"k": 2}), lambda n: onehot(n, 5), lambda n: probs(n, 5)),
    (("SparseTopKCategoricalAccuracy", {"k": 3}), lambda n: sparse(n, 6), lambda n: probs(n, 6)),
    ("mse", lambda n: reg(n), lambda n: reg(n)),
    ("mae", lambda n: reg(n), lambda n: reg(n)),
    ("mape", lambda n: reg(n), lambda n: reg(n)),
    ("msle", lambda n: pos(n), lambda n: pos(n)),
    ("root_mean_squared_error", lambda n: reg(n), lambda n: reg(n)),
    ("cosine_similarity", lambda n: reg(n), lambda n: reg(n)),
    ("log_cosh_error", lambda n: reg(n), lambda n: reg(n)),
    ("hinge", lambda n: binary(n, 3), lambda n: reg(n)),
    ("squared_hinge", lambda n: binary(n, 3), lambda n: reg(n)),
    ("categorical_hinge", lambda n: onehot(n, 4), lambda n: reg(n, 4)),
    ("kl_divergence", lambda n: probs(n, 4), lambda n: probs(n, 4)),
    ("poisson", lambda n: pos(n), lambda n: pos(n)),
    ("bce", lambda n: binary(n, 2), lambda n: unit(n, 2)),
    ("binary_crossentropy", lambda n: binary(n), lambda n: unit(n)),
    ("categorical_crossentropy", lambda n: onehot(n, 4), lambda n: probs(n, 4)),
    ("sparse_categorical_crossentropy", lambda n: sparse(n, 4), lambda n: probs(n, 4)),
    ("precision", lambda n: binary(n, 2), lambda n: unit(n, 2)),
    ("recall", lambda n: binary(n, 2), lambda n: unit(n, 2)),
    (("Precision", {"thresholds": 0.3}), lambda n: binary(n, 2), lambda n: unit(n, 2)),
    (("Recall", {"top_k": 2}), lambda n: binary(n, 4), lambda n: unit(n, 4)),
    (("Precision", {"class_id": 1}), lambda n: binary(n, 3), lambda n: unit(n, 3)),
    ("true_positives", lambda n: binary(n), lambda n: unit(n)),
    ("false_positives", lambda n: binary(n), lambda n: unit(n)),
    ("true_negatives", lambda n: binary(n), lambda n: unit(n)),
    ("false_negatives", lambda n: binary(n), lambda n: unit(n)),
    ("auc", lambda n: binary(n), lambda n: unit(n)),
    (("AUC", {"num_thresholds": 200, "curve": "PR"}), lambda n: binary(n), lambda n: unit(n)),
    (("AUC", {"num_thresholds": 7, "summation_method": "minoring"}), lambda n: binary(n, 2), lambda n: unit(n, 2)),
    (("AUC", {"num_thresholds": 13, "curve": "PR", "summation_method": "majoring"}), lambda n: binary(n), lambda n: unit(n)),
    (("F1Score", {"average": "macro"}), lambda n: onehot(n, 4), lambda n: probs(n, 4)),
    (("F1Score", {"average": "micro", "threshold": 0.3}), lambda n: binary(n, 3), lambda n: unit(n, 3)),
    (("FBetaScore", {"average": "weighted", "beta": 2.0}), lambda n: onehot(n, 3), lambda n: probs(n, 3)),
    (("MeanIoU", {"num_classes": 4}), lambda n: sparse(n, 4), lambda n: sparse(n, 4)),
    (("MeanIoU", {"num_classes": 3, "sparse_y_pred": False}), lambda n: sparse(n, 3), lambda n: probs(n, 3)),
]

# Added with the second set of metrics (kept after the first so that the first cases'
# random draws, and so their golden values, do not change).
specs2 = [
    (("IoU", {"num_classes": 4, "target_class_ids": [0, 2]}), lambda n: sparse(n, 4), lambda n: sparse(n, 4)),
    (("IoU", {"num_classes": 3, "target_class_ids": [1], "sparse_y_pred": False, "ignore_class": 0}), lambda n: sparse(n, 3), lambda n: probs(n, 3)),
    ("binary_io_u", lambda n: binary(n), lambda n: unit(n)),
    (("BinaryIoU", {"target_class_ids": [1], "threshold": 0.3}), lambda n: binary(n), lambda n: unit(n)),
    (("OneHotIoU", {"num_classes": 4, "target_class_ids": [1, 3]}), lambda n: onehot(n, 4), lambda n: probs(n, 4)),
    (("OneHotMeanIoU", {"num_classes": 3}), lambda n: onehot(n, 3), lambda n: probs(n, 3)),
    (("PrecisionAtRecall", {"recall": 0.5}), lambda n: binary(n), lambda n: unit(n)),
    (("RecallAtPrecision", {"precision": 0.6, "num_thresholds": 50}), lambda n: binary(n, 2), lambda n: unit(n, 2)),
    (("SensitivityAtSpecificity", {"specificity": 0.4}), lambda n: binary(n), lambda n: unit(n)),
    (("SpecificityAtSensitivity", {"sensitivity": 0.7, "class_id": 1}), lambda n: binary(n, 3), lambda n: unit(n, 3)),
    (("SpecificityAtSensitivity", {"sensitivity": 0.5, "num_thresholds": 1}), lambda n: binary(n), lambda n: unit(n)),
    ("r2_score", lambda n: reg(n), lambda n: reg(n)),
    (("R2Score", {"class_aggregation": "variance_weighted_average"}), lambda n: reg(n), lambda n: reg(n)),
    (("R2Score", {"num_regressors": 2}), lambda n: reg(n, 2), lambda n: reg(n, 2)),
    ("pearson_correlation", lambda n: reg(n, 4), lambda n: reg(n, 4)),
    ("concordance_correlation", lambda n: reg(n, 4), lambda n: reg(n, 4)),
    (("AUC", {"multi_label": True}), lambda n: binary(n, 3), lambda n: unit(n, 3)),
    (("AUC", {"multi_label": True, "num_labels": 2, "label_weights": [0.3, 1.2], "curve": "PR"}), lambda n: binary(n, 2), lambda n: unit(n, 2)),
    (("AUC", {"label_weights": [2.0, 0.5], "summation_method": "majoring"}), lambda n: binary(n, 2), lambda n: unit(n, 2)),
    (("AUC", {"from_logits": True, "num_thresholds": 30}), lambda n: binary(n), lambda n: reg(n, 1)),
    (("AUC", {"thresholds": [0.25, 0.5, 0.75]}), lambda n: binary(n), lambda n: unit(n)),
    (("AUC", {"thresholds": [0.7, 0.2, 0.45]}), lambda n: binary(n), lambda n: unit(n)),
    (("F1Score", {}), lambda n: onehot(n, 3), lambda n: probs(n, 3)),
    (("FBetaScore", {"beta": 0.5, "threshold": 0.4}), lambda n: binary(n, 4), lambda n: unit(n, 4)),
    (("R2Score", {"class_aggregation": None}), lambda n: reg(n), lambda n: reg(n)),
    # Scores outside [0, 1]: Keras clips them into its threshold buckets (p = 1.3 is not above
    # the last threshold, p = -0.4 is above -ε).
    (("AUC", {"num_thresholds": 5}), lambda n: binary(n), lambda n: reg(n, 1)),
    (("PrecisionAtRecall", {"recall": 0.4, "num_thresholds": 7}), lambda n: binary(n), lambda n: reg(n, 1)),
]

cases = []
for ident, mt, mp in specs + specs2:
    for weighted in (False, True):
        batches = []
        for n in (6, 5):
            b = {"y_true": mt(n), "y_pred": mp(n)}
            if weighted:
                b["sample_weight"] = (rng.random(n) * 2).astype("float32")
            batches.append(b)
        if isinstance(ident, str):
            yt0, yp0 = batches[0]["y_true"], batches[0]["y_pred"]
            m = get_metric(ident, yt0, yp0)
            name, cls, cfg = ident, None, None
        else:
            cls, cfg = ident
            m = getattr(keras.metrics, cls)(**cfg)
            name = m.name
        for b in batches:
            m.update_state(b["y_true"], b["y_pred"], sample_weight=b.get("sample_weight"))
        cases.append({
            "name": name, "class": cls, "config": cfg,
            "batches": [{k: np.asarray(v).tolist() for k, v in b.items()} | {
                "true_shape": list(b["y_true"].shape), "pred_shape": list(b["y_pred"].shape)} for b in batches],
            "want": np.asarray(m.result(), dtype="float64").tolist(),
            "keras_class": type(m).__name__,
        })

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "metrics_golden.json"), "w") as f:
    json.dump({"keras": keras.__version__, "cases": cases}, f)
print(len(cases), "cases")

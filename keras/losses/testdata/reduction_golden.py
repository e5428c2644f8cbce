"""Golden values and gradients of Keras 3's loss reductions
(keras/losses/reduction_golden_test.go).

Run from the repository root:

    KERAS_BACKEND=jax python3 keras/losses/testdata/reduction_golden.py

Each case builds a Keras loss object with a reduction ("sum_over_batch_size", "sum", "mean",
"mean_with_sample_weight", None), calls it on float32 targets and predictions, with or
without sample weights, and records the loss object's config as Keras serialises it, the
value and the gradient of the value with respect to the predictions (jax.grad). With
reduction None the loss is a vector; the case records its mean, the number Keras's loss
tracker reports in evaluate(), and the gradient of that mean. It writes
keras/losses/testdata/reduction_golden.json.
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reduction_golden.json")

rng = np.random.default_rng(31)


def f32(x):
    return np.asarray(x, dtype="float32")


REG_Y = f32(rng.normal(size=(4, 3)) * 2)
REG_P = f32(REG_Y + rng.normal(size=(4, 3)) * 1.5)
BIN_Y = f32(rng.integers(0, 2, size=(4, 3)))
BIN_P = f32(rng.uniform(0.02, 0.98, size=(4, 3)))
ONE_HOT = f32(np.eye(3)[[0, 2, 1, 2]])
IDS = np.array([0, 2, 1, 2], dtype="int32")
PROB_P = f32(rng.dirichlet(np.ones(3), size=4))
SEQ_Y = f32(rng.normal(size=(2, 3, 4)))
SEQ_P = f32(rng.normal(size=(2, 3, 4)))
MASK_Y = f32(rng.integers(0, 2, size=(2, 3, 4)))
MASK_P = f32(rng.uniform(0, 1, size=(2, 3, 4)))
W = f32([0.5, 2.0, 0.0, 1.0])  # sums to 3.5, not the batch size
W_ZERO = f32([0, 0, 0, 0])
W_SEQ = f32(rng.uniform(0, 2, size=(2, 3)))

REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", None]

# (family, class, kwargs, y, pred, sample weights or None); every family runs each reduction.
FAMILIES = [
    ("mse", "MeanSquaredError", {}, REG_Y, REG_P, None),
    ("mse weighted", "MeanSquaredError", {}, REG_Y, REG_P, W),
    ("mse weights all 0", "MeanSquaredError", {}, REG_Y, REG_P, W_ZERO),
    ("mse per-step weights", "MeanSquaredError", {}, SEQ_Y, SEQ_P, W_SEQ),
    ("mae weighted", "MeanAbsoluteError", {}, REG_Y, REG_P, W),
    ("bce", "BinaryCrossentropy", {}, BIN_Y, BIN_P, None),
    ("bce weighted", "BinaryCrossentropy", {}, BIN_Y, BIN_P, W),
    ("cce weighted", "CategoricalCrossentropy", {}, ONE_HOT, PROB_P, W),
    ("scce", "SparseCategoricalCrossentropy", {}, IDS, PROB_P, None),
    ("scce weighted", "SparseCategoricalCrossentropy", {}, IDS, PROB_P, W),
    ("huber", "Huber", {}, REG_Y, REG_P, None),
    ("huber weighted", "Huber", dict(delta=0.8), REG_Y, REG_P, W),
    ("huber rank 3", "Huber", {}, SEQ_Y, SEQ_P, None),
    ("cosine_similarity axis 1", "CosineSimilarity", dict(axis=1), SEQ_Y, SEQ_P, None),
    ("hinge", "Hinge", {}, BIN_Y, REG_P, None),
    ("kl_divergence", "KLDivergence", {}, ONE_HOT, PROB_P, None),
    ("dice per sample", "Dice", dict(axis=(1, 2)), MASK_Y, MASK_P, None),
    ("dice", "Dice", {}, MASK_Y, MASK_P, None),
    ("binary focal", "BinaryFocalCrossentropy", {}, BIN_Y, BIN_P, None),
    # Every other loss with sample weights, per sample and per time step.
    ("log_cosh weighted", "LogCosh", {}, REG_Y, REG_P, W),
    ("log_cosh per-step weights", "LogCosh", {}, SEQ_Y, SEQ_P, W_SEQ),
    ("kl_divergence weighted", "KLDivergence", {}, ONE_HOT, PROB_P, W),
    ("kl_divergence per-step weights", "KLDivergence", {}, MASK_Y, MASK_P, W_SEQ),
    ("poisson weighted", "Poisson", {}, BIN_Y, BIN_P, W),
    ("poisson per-step weights", "Poisson", {}, MASK_Y, MASK_P, W_SEQ),
    ("cosine_similarity weighted", "CosineSimilarity", {}, REG_Y, REG_P, W),
    ("cosine_similarity per-step weights", "CosineSimilarity", {}, SEQ_Y, SEQ_P, W_SEQ),
    ("hinge weighted", "Hinge", {}, BIN_Y, REG_P, W),
    ("hinge per-step weights", "Hinge", {}, MASK_Y, SEQ_P, W_SEQ),
    ("squared_hinge weighted", "SquaredHinge", {}, BIN_Y, REG_P, W),
    ("squared_hinge per-step weights", "SquaredHinge", {}, MASK_Y, SEQ_P, W_SEQ),
    ("categorical_hinge weighted", "CategoricalHinge", {}, ONE_HOT, PROB_P, W),
    ("categorical_hinge per-step weights", "CategoricalHinge", {}, MASK_Y, SEQ_P, W_SEQ),
    ("mape weighted", "MeanAbsolutePercentageError", {}, REG_Y, REG_P, W),
    ("mape per-step weights", "MeanAbsolutePercentageError", {}, SEQ_Y, SEQ_P, W_SEQ),
    ("msle weighted", "MeanSquaredLogarithmicError", {}, BIN_Y, BIN_P, W),
    ("msle per-step weights", "MeanSquaredLogarithmicError", {}, MASK_Y, MASK_P, W_SEQ),
    ("binary focal weighted", "BinaryFocalCrossentropy", {}, BIN_Y, BIN_P, W),
    ("binary focal logits balanced weighted", "BinaryFocalCrossentropy",
     dict(from_logits=True, apply_class_balancing=True), BIN_Y, REG_P, W),
    ("binary focal per-step weights", "BinaryFocalCrossentropy", {}, MASK_Y, MASK_P, W_SEQ),
    ("categorical focal weighted", "CategoricalFocalCrossentropy", {}, ONE_HOT, PROB_P, W),
    ("categorical focal per-step weights", "CategoricalFocalCrossentropy", {}, MASK_Y, MASK_P, W_SEQ),
    ("generalized cross-entropy weighted", "CategoricalGeneralizedCrossEntropy", {}, IDS, PROB_P, W),
    ("dice weighted", "Dice", {}, MASK_Y, MASK_P, W_SEQ[:, 0]),
    ("dice per-step weights", "Dice", {}, MASK_Y, MASK_P, W_SEQ),
    ("dice per sample weighted", "Dice", dict(axis=(1, 2)), MASK_Y, MASK_P, W_SEQ[:, 0]),
    ("tversky weighted", "Tversky", dict(alpha=0.3, beta=0.7), MASK_Y, MASK_P, W_SEQ[:, 0]),
    ("tversky per-step weights", "Tversky", {}, MASK_Y, MASK_P, W_SEQ),
    ("tversky per sample weighted", "Tversky", dict(axis=(1, 2)), MASK_Y, MASK_P, W_SEQ[:, 0]),
]


def plain(v):
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    return v


def case(family, cls, kwargs, y, p, w, reduction):
    loss = getattr(keras.losses, cls)(reduction=reduction, **kwargs)

    def f(pred):
        v = loss(y, pred, sample_weight=w)
        return jnp.mean(v) if reduction is None else v

    value, grad = jax.value_and_grad(f)(jnp.asarray(p))
    cfg = plain(keras.saving.serialize_keras_object(loss)["config"])
    # kerago writes Keras's arguments that Keras 3.15 leaves out of its configs (Huber's
    # delta, CosineSimilarity's axis) when they are not the defaults.
    for key in ("axis", "delta"):
        if cls in ("CosineSimilarity", "Huber") and key in kwargs:
            cfg[key] = kwargs[key]
    return {
        "name": f"{family}, {reduction}",
        "class_name": cls,
        "config": cfg,
        "shape": list(p.shape),
        "y": np.asarray(y, dtype="float64").ravel().tolist(),
        "pred": np.asarray(p, dtype="float64").ravel().tolist(),
        "weights": None if w is None else np.asarray(w, dtype="float64").ravel().tolist(),
        "want": float(value),
        "grad": np.asarray(grad, dtype="float64").ravel().tolist(),
    }


cases = [case(*fam, r) for fam in FAMILIES for r in REDUCTIONS]
with open(OUT, "w") as fh:
    json.dump({"keras": keras.__version__, "cases": cases}, fh, indent=1)
print(f"wrote {len(cases)} cases to {OUT}")

"""Golden values and gradients of Keras 3's losses beyond the cross-entropies
(keras/losses/more_losses_golden_test.go).

Run from the repository root:

    KERAS_BACKEND=jax python3 keras/losses/testdata/more_losses_golden.py

Each case builds a Keras loss object from its class name and arguments, calls it on float32
targets and predictions, and records the loss object's config as Keras serialises it (with the
arguments Keras 3.15 leaves out of it, Huber's delta and CosineSimilarity's axis, added, as
kerago writes them), the value, and the gradient of the value with respect to the
predictions (jax.grad). It writes keras/losses/testdata/more_losses_golden.json.
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "more_losses_golden.json")

rng = np.random.default_rng(12)


def f32(x):
    return np.asarray(x, dtype="float32")


REG_Y = f32(rng.normal(size=(4, 3)) * 2)
REG_P = f32(REG_Y + rng.normal(size=(4, 3)) * 1.5)
POS_Y = f32(rng.uniform(0, 5, size=(4, 3)))
POS_P = f32(rng.uniform(0.1, 5, size=(4, 3)))
PROB_Y = f32(rng.dirichlet(np.ones(3), size=4))
PROB_P = f32(rng.dirichlet(np.ones(3), size=4))
BIN_Y = f32(rng.integers(0, 2, size=(4, 3)))
PM_Y = f32(BIN_Y * 2 - 1)
SCORES = f32(rng.normal(size=(4, 3)) * 2)
LOGITS = f32(rng.normal(size=(4, 3)) * 4)
BIN_P = f32(rng.uniform(0.02, 0.98, size=(4, 3)))
ONE_HOT = f32(np.eye(3)[[0, 2, 1, 2]])
IDS = np.array([0, 2, 1, 2], dtype="int32")
SEQ_Y = f32(rng.normal(size=(2, 3, 4)))
SEQ_P = f32(rng.normal(size=(2, 3, 4)))
MASK_Y = f32(rng.integers(0, 2, size=(2, 3, 4)))
MASK_P = f32(rng.uniform(0, 1, size=(2, 3, 4)))

# (name, class, kwargs, extra config kerago writes, y, pred)
CASES = [
    ("mape", "MeanAbsolutePercentageError", {}, {}, REG_Y, REG_P),
    ("msle", "MeanSquaredLogarithmicError", {}, {}, POS_Y, REG_P),
    ("huber", "Huber", {}, {}, REG_Y, REG_P),
    ("huber delta 2.5", "Huber", dict(delta=2.5), dict(delta=2.5), REG_Y, REG_P),
    ("huber rank 3", "Huber", dict(delta=0.5), dict(delta=0.5), SEQ_Y, SEQ_P),
    ("log_cosh", "LogCosh", {}, {}, REG_Y, REG_P * 30),
    ("kl_divergence", "KLDivergence", {}, {}, PROB_Y, PROB_P),
    ("poisson", "Poisson", {}, {}, POS_Y, POS_P),
    ("cosine_similarity", "CosineSimilarity", {}, {}, REG_Y, REG_P),
    ("cosine_similarity axis 1", "CosineSimilarity", dict(axis=1), dict(axis=1), SEQ_Y, SEQ_P),
    ("hinge, binary labels", "Hinge", {}, {}, BIN_Y, SCORES),
    ("hinge, -1/1 labels", "Hinge", {}, {}, PM_Y, SCORES),
    ("squared_hinge, binary labels", "SquaredHinge", {}, {}, BIN_Y, SCORES),
    ("squared_hinge, -1/1 labels", "SquaredHinge", {}, {}, PM_Y, SCORES),
    ("categorical_hinge", "CategoricalHinge", {}, {}, ONE_HOT, SCORES),
    ("binary focal", "BinaryFocalCrossentropy", {}, {}, BIN_Y, BIN_P),
    ("binary focal, balanced, from logits, smoothing", "BinaryFocalCrossentropy",
     dict(apply_class_balancing=True, alpha=0.4, gamma=1.5, from_logits=True, label_smoothing=0.1), {}, BIN_Y, LOGITS),
    ("categorical focal", "CategoricalFocalCrossentropy", {}, {}, ONE_HOT, PROB_P),
    ("categorical focal, from logits, smoothing", "CategoricalFocalCrossentropy",
     dict(alpha=0.5, gamma=3.0, from_logits=True, label_smoothing=0.2), {}, ONE_HOT, LOGITS),
    ("dice", "Dice", {}, {}, MASK_Y, MASK_P),
    ("dice per sample", "Dice", dict(axis=(1, 2)), {}, MASK_Y, MASK_P),
    ("tversky", "Tversky", {}, {}, MASK_Y, MASK_P),
    ("tversky 0.3/0.7 per sample", "Tversky", dict(alpha=0.3, beta=0.7, axis=(1, 2)), {}, MASK_Y, MASK_P),
    ("generalized cross-entropy", "CategoricalGeneralizedCrossEntropy", dict(q=0.7), {}, IDS, PROB_P),
]


def main():
    cases = []
    for name, cls, kwargs, extra, y, p in CASES:
        loss = getattr(keras.losses, cls)(**kwargs)
        value = float(keras.ops.convert_to_numpy(loss(y, p)))
        grad = jax.grad(lambda q: loss(y, q))(p)
        obj = keras.saving.serialize_keras_object(loss)
        config = dict(obj["config"], **extra)
        cases.append({
            "name": name,
            "class_name": obj["class_name"],
            "config": config,
            "shape": list(np.shape(p)),
            "y": np.asarray(y).ravel().tolist(),
            "pred": np.asarray(p).ravel().tolist(),
            "want": value,
            "grad": np.asarray(grad).ravel().tolist(),
        })
    with open(OUT, "w") as f:
        json.dump({"keras": keras.__version__, "backend": keras.backend.backend(), "cases": cases}, f, indent=1)
        f.write("\n")
    print("wrote", len(cases), "cases to", OUT)


if __name__ == "__main__":
    main()

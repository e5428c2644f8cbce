"""A Keras-written model compiled with every loss object kerago reads beyond the
cross-entropies (keras/saving_all_losses_test.go).

Run from the repository root:

    KERAS_BACKEND=jax python3 keras/testdata/all_losses.py

The model has one output per loss, each with the activation the loss expects, compiled with
a dict of loss objects, several with arguments other than the defaults. It writes
keras/testdata/all_losses.keras and, in keras/testdata/all_losses.json, the inputs, the
targets and what model.evaluate returns on one batch of all of them (Dice, Tversky and the
hinge's label conversion look at the whole batch).
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
L = keras.losses

# (output name, units, activation, loss object, targets(rng, n, units))
HEADS = [
    ("mape", 3, None, L.MeanAbsolutePercentageError(), lambda r, n, u: r.normal(size=(n, u)) * 2),
    ("msle", 3, "softplus", L.MeanSquaredLogarithmicError(), lambda r, n, u: r.uniform(0, 4, size=(n, u))),
    # Keras 3.15 writes no delta in Huber's config, so a file cannot carry one: the default.
    ("huber", 3, None, L.Huber(), lambda r, n, u: r.normal(size=(n, u)) * 2),
    ("log_cosh", 3, None, L.LogCosh(), lambda r, n, u: r.normal(size=(n, u)) * 2),
    ("kld", 4, "softmax", L.KLDivergence(), lambda r, n, u: r.dirichlet(np.ones(u), size=n)),
    ("poisson", 3, "softplus", L.Poisson(), lambda r, n, u: r.poisson(2.0, size=(n, u))),
    ("cosine", 4, None, L.CosineSimilarity(), lambda r, n, u: r.normal(size=(n, u))),
    ("hinge", 2, "tanh", L.Hinge(), lambda r, n, u: r.integers(0, 2, size=(n, u))),
    ("squared_hinge", 2, None, L.SquaredHinge(), lambda r, n, u: r.integers(0, 2, size=(n, u)) * 2 - 1),
    ("categorical_hinge", 4, None, L.CategoricalHinge(), lambda r, n, u: np.eye(u)[r.integers(0, u, size=n)]),
    ("binary_focal", 3, None,
     L.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=0.35, gamma=1.5, from_logits=True, label_smoothing=0.1),
     lambda r, n, u: r.integers(0, 2, size=(n, u))),
    ("categorical_focal", 4, "softmax", L.CategoricalFocalCrossentropy(alpha=0.5, gamma=2.5),
     lambda r, n, u: np.eye(u)[r.integers(0, u, size=n)]),
    ("dice", 3, "sigmoid", L.Dice(), lambda r, n, u: r.integers(0, 2, size=(n, u))),
    ("tversky", 3, "sigmoid", L.Tversky(alpha=0.3, beta=0.7, axis=(1,)), lambda r, n, u: r.integers(0, 2, size=(n, u))),
    ("gce", 4, "softmax", L.CategoricalGeneralizedCrossEntropy(q=0.6), lambda r, n, u: r.integers(0, u, size=(n,))),
]


def main():
    keras.utils.set_random_seed(12)
    rng = np.random.default_rng(12)
    inp = keras.Input((5,), name="x")
    h = layers.Dense(8, activation="tanh", name="hidden")(inp)
    outs = [layers.Dense(u, activation=a, name=name)(h) for name, u, a, _, _ in HEADS]
    model = keras.Model(inp, outs)
    model.compile(optimizer="sgd", loss={name: loss for name, _, _, loss, _ in HEADS})
    n = 8
    x = rng.normal(size=(n, 5)).astype("float32")
    y = {}
    for name, u, _, _, make in HEADS:
        v = make(rng, n, u)
        y[name] = v.astype("int32") if v.ndim == 1 else v.astype("float32")
    logs = model.evaluate(x, y, batch_size=n, verbose=0, return_dict=True)
    model.save(os.path.join(HERE, "all_losses.keras"))
    with open(os.path.join(HERE, "all_losses.json"), "w") as f:
        json.dump({
            "keras": keras.__version__,
            "backend": keras.backend.backend(),
            "x": x.tolist(),
            "y": {k: v.tolist() for k, v in y.items()},
            "evaluate": {k: float(v) for k, v in logs.items()},
        }, f, indent=1)
        f.write("\n")
    print(logs)


if __name__ == "__main__":
    main()

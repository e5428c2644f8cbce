"""Three SGD steps of Keras models with weight regularizers and constraints
(keras/regularizers/sgd_steps_test.go).

Run from the repository root:

    KERAS_BACKEND=jax python3 keras/regularizers/testdata/sgd_steps.py

The model: Conv1D(4, 3) with kernel_regularizer L2(0.01) and kernel_constraint
UnitNorm(axis=[0, 1]), GlobalAveragePooling1D, Dense(5, tanh) with kernel_regularizer L2(0.01),
bias_regularizer L1(0.02) and kernel_constraint MaxNorm(0.8), Dense(2) with
kernel_regularizer L1L2(0.01, 0.005), bias_constraint NonNeg and kernel_constraint
MinMaxNorm(0.2, 0.9, rate 0.5); and Embedding, GRU, LSTM with regularizers on their tables,
kernels, recurrent kernels and biases, and constraints. Each is compiled with SGD(0.1) and mse
and saved untrained to sgd_steps_<name>.keras; sgd_steps.json holds the batch, the loss
train_on_batch returns at each of three steps (the penalties included), the weights after
them, and evaluate's loss then. A third model, Dense layers with OrthogonalRegularizer by rows
and by columns, is stepped the same way.
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import constraints, layers, regularizers  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def dense_model():
    inp = keras.Input((6, 3), name="x")
    h = layers.Conv1D(4, 3, name="conv", bias_initializer="ones",
                      kernel_regularizer=regularizers.L2(0.01),
                      kernel_constraint=constraints.UnitNorm(axis=[0, 1]))(inp)
    h = layers.GlobalAveragePooling1D(name="pool")(h)
    h = layers.Dense(5, activation="tanh", name="hidden", bias_initializer="ones",
                     kernel_regularizer=regularizers.L2(0.01), bias_regularizer=regularizers.L1(0.02),
                     kernel_constraint=constraints.MaxNorm(0.8))(h)
    out = layers.Dense(2, name="out",
                       kernel_regularizer=regularizers.L1L2(l1=0.01, l2=0.005),
                       kernel_constraint=constraints.MinMaxNorm(0.2, 0.9, rate=0.5),
                       bias_constraint=constraints.NonNeg())(h)
    return keras.Model(inp, out)


def recurrent_model():
    inp = keras.Input((5,), name="ids")
    h = layers.Embedding(10, 4, name="embed", embeddings_regularizer=regularizers.L2(0.02),
                         embeddings_constraint=constraints.MaxNorm(0.1, axis=1))(inp)
    h = layers.GRU(3, return_sequences=True, name="gru", kernel_regularizer=regularizers.L2(0.03),
                   recurrent_regularizer=regularizers.L1(0.01), bias_regularizer=regularizers.L2(0.05),
                   bias_initializer="ones", recurrent_constraint=constraints.UnitNorm())(h)
    h = layers.LSTM(2, name="lstm", kernel_regularizer=regularizers.L1L2(0.01, 0.01),
                    recurrent_regularizer=regularizers.L2(0.02), kernel_constraint=constraints.MaxNorm(0.6),
                    bias_constraint=constraints.NonNeg())(h)
    out = layers.Dense(2, name="out")(h)
    return keras.Model(inp, out)


def orthogonal_model():
    inp = keras.Input((4,), name="x")
    h = layers.Dense(6, activation="tanh", name="rows",
                     kernel_regularizer=regularizers.OrthogonalRegularizer(0.5, mode="rows"))(inp)
    out = layers.Dense(2, name="columns",
                       kernel_regularizer=regularizers.OrthogonalRegularizer(0.3, mode="columns"))(h)
    return keras.Model(inp, out)


def main():
    keras.utils.set_random_seed(7)
    rng = np.random.default_rng(7)
    models = []
    builds = [
        ("dense", dense_model, rng.normal(size=(8, 6, 3)).astype("float32")),
        ("recurrent", recurrent_model, rng.integers(0, 10, size=(8, 5)).astype("float32")),
    ]
    # Added later, with data drawn after the first two models' (so theirs did not change).
    builds.append(("orthogonal", orthogonal_model, None))
    for name, build, x in builds:
        if x is None:
            x = rng.normal(size=(8, 4)).astype("float32")
        model = build()
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        y = rng.normal(size=(8, 2)).astype("float32")
        model.save(os.path.join(HERE, f"sgd_steps_{name}.keras"))
        losses = [float(model.train_on_batch(x, y)) for _ in range(3)]
        evaluate = float(model.evaluate(x, y, batch_size=8, verbose=0))
        models.append({
            "name": name,
            "x_shape": list(x.shape),
            "x": x.ravel().tolist(),
            "y": y.ravel().tolist(),
            "losses": losses,
            "evaluate": evaluate,
            "weights": [np.asarray(w).ravel().tolist() for w in model.get_weights()],
        })
        print(name, losses, evaluate)
    with open(os.path.join(HERE, "sgd_steps.json"), "w") as f:
        json.dump({"keras": keras.__version__, "backend": keras.backend.backend(), "models": models}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()

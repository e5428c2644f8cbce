"""Times the seed models in Keras 3 (JAX backend), the same models, shapes, optimizers and
losses as kerago's BenchmarkSeed (keras/layers/seed_bench_test.go) and torch_bench.py.

    KERAS_BACKEND=jax python3 bench/keras_bench.py --model mlp [--steps 20] [--warmup 3]

prints one JSON line: the model, the mean ms per step over the timed steps (train_on_batch,
or predict_on_batch for the predict_* models) after the warm-up steps (the first of which
traces and compiles), and the process's peak RSS. bench/main.go (go run ./bench) drives it.
"""
import argparse
import json
import os
import resource
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

VOCAB, T, DIM, F1, F2, DENSE, B = 5000, 200, 64, 64, 128, 128, 32


def mlp():
    inp = keras.Input((784,))
    x = layers.Dense(256, activation="relu")(inp)
    x = layers.Dense(128, activation="relu")(x)
    out = layers.Dense(10, activation="softmax")(x)
    m = keras.Model(inp, out)
    m.compile(keras.optimizers.Adam(1e-3, epsilon=1e-7), "categorical_crossentropy")
    return m


def mlp_data(rng, batch):
    return rng.random((batch, 784), dtype=np.float32), one_hot(rng, batch, 10)


def one_hot(rng, rows, classes):
    y = np.zeros((rows, classes), np.float32)
    y[np.arange(rows), rng.integers(0, classes, rows)] = 1
    return y


def qa():
    ti = keras.Input((None,), dtype="int32", name="text")
    qi = keras.Input((None,), dtype="int32", name="question")
    et = layers.LSTM(32)(layers.Embedding(10000, 64)(ti))
    eq = layers.LSTM(16)(layers.Embedding(10000, 32)(qi))
    out = layers.Dense(500, activation="softmax")(layers.Concatenate(axis=-1)([et, eq]))
    m = keras.Model([ti, qi], out)
    m.compile(keras.optimizers.Adam(1e-3, epsilon=1e-7), "categorical_crossentropy")
    return m


def qa_data(rng):
    text = rng.integers(1, 10000, (32, 100)).astype(np.int32)
    question = rng.integers(1, 10000, (32, 20)).astype(np.int32)
    return {"text": text, "question": question}, one_hot(rng, 32, 500)


def conv_trunk(inp):
    x = layers.Embedding(VOCAB, DIM)(inp)
    x = layers.Conv1D(F1, 5, activation="relu")(x)
    x = layers.MaxPooling1D(5)(x)
    x = layers.Conv1D(F2, 5, activation="relu")(x)
    x = layers.MaxPooling1D(5)(x)
    x = layers.Conv1D(F2, 5, activation="relu")(x)
    x = layers.GlobalMaxPooling1D()(x)
    return layers.Dense(DENSE, activation="relu")(x)


def conv1d():
    inp = keras.Input((None,), dtype="int32")
    m = keras.Model(inp, layers.Dense(1)(conv_trunk(inp)))
    m.compile(keras.optimizers.SGD(0.01), "mse")
    return m


def conv1d_data(rng):
    x = rng.integers(1, VOCAB, (B, T)).astype(np.int32)
    return x, (np.arange(B) % 3 - 1).astype(np.float32).reshape(B, 1)


def three_outputs():
    inp = keras.Input((None,), dtype="int32", name="posts")
    x = conv_trunk(inp)
    age = layers.Dense(1, name="age")(x)
    income = layers.Dense(10, activation="softmax", name="income")(x)
    gender = layers.Dense(1, activation="sigmoid", name="gender")(x)
    m = keras.Model(inp, [age, income, gender])
    m.compile(keras.optimizers.RMSprop(1e-3, rho=0.9, epsilon=1e-7),
              {"age": "mse", "income": "categorical_crossentropy", "gender": "binary_crossentropy"},
              loss_weights={"age": 0.25, "income": 1.0, "gender": 10.0})
    return m


def three_outputs_data(rng):
    x = rng.integers(1, VOCAB, (B, T)).astype(np.int32)
    y = {"age": rng.random((B, 1), dtype=np.float32), "income": one_hot(rng, B, 10),
         "gender": rng.integers(0, 2, (B, 1)).astype(np.float32)}
    return x, y


def residual_conv2d():
    inp = keras.Input((16, 16, 3))

    def conv(x):
        return layers.Conv2D(16, 3, padding="same", activation="relu")(x)

    def block(x):
        return layers.Add()([conv(conv(x)), x])

    x = block(conv(inp))
    x = layers.MaxPooling2D(2)(x)
    x = block(x)
    x = layers.GlobalAveragePooling2D()(x)
    m = keras.Model(inp, layers.Dense(10, activation="softmax")(x))
    m.compile(keras.optimizers.Adam(1e-3, epsilon=1e-7), "categorical_crossentropy")
    return m


def residual_data(rng):
    return rng.random((32, 16, 16, 3), dtype=np.float32), one_hot(rng, 32, 10)


# name: (build, data, predict)
MODELS = {
    "mlp": (mlp, lambda r: mlp_data(r, 128), False),
    "qa": (qa, qa_data, False),
    "conv1d": (conv1d, conv1d_data, False),
    "three_outputs": (three_outputs, three_outputs_data, False),
    "residual_conv2d": (residual_conv2d, residual_data, False),
    "predict_mlp_b1": (mlp, lambda r: mlp_data(r, 1), True),
    "predict_mlp_b128": (mlp, lambda r: mlp_data(r, 128), True),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True, choices=sorted(MODELS))
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    a = ap.parse_args()
    keras.utils.set_random_seed(1)
    build, data, predict = MODELS[a.model]
    m = build()
    x, y = data(np.random.default_rng(1))
    if predict:
        def step():
            np.asarray(m.predict_on_batch(x))  # np.asarray waits for JAX's async result
    else:
        def step():
            m.train_on_batch(x, y)  # returns the loss as NumPy: the step has finished
    for _ in range(a.warmup):
        step()
    start = time.perf_counter()
    for _ in range(a.steps):
        step()
    ms = (time.perf_counter() - start) * 1000 / a.steps
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"framework": "keras-jax", "model": a.model, "ms_per_step": ms,
                      "peak_rss_mb": rss, "steps": a.steps, "keras": keras.__version__}))


if __name__ == "__main__":
    main()

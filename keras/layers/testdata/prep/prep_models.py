"""Keras 3 writes models using the issue-12 preprocessing and normalisation layers
(keras/layers/prep_models_test.go).

Run from the repository root:

    KERAS_BACKEND=jax python3 keras/layers/testdata/prep/prep_models.py

It writes prep_features.keras (Normalization adapted on batches, Dense with gelu,
GroupNormalization, ConvNeXt's LayerScale, ActivityRegularization), prep_ids.keras
(CategoryEncoding), prep_discretization.keras (Discretization adapted with num_bins, counts),
prep_time_distributed.keras (two TimeDistributed Dense)
and prep_models.json: each model's inputs and Keras's predictions, the statistics
Normalization.adapt computes from one array and from a list of batches, and the boundaries
Discretization.adapt computes.
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402
from keras.src.applications.convnext import LayerScale  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

# Normalization.adapt and Discretization.adapt ask isinstance(data, tf.data.Dataset) (and
# tf.is_tensor) before they stream a list of batches, which imports TensorFlow; the JAX install
# has none. A stand-in that nothing is an instance of lets Keras's own code run on the list.
import types  # noqa: E402

from keras.src.layers.preprocessing import discretization as _discretization  # noqa: E402
from keras.src.layers.preprocessing import normalization as _normalization  # noqa: E402

_no_tf = types.SimpleNamespace(data=types.SimpleNamespace(Dataset=type("NoDataset", (), {})), is_tensor=lambda x: False)
_normalization.tf = _no_tf
_discretization.tf = _no_tf


def main():
    keras.utils.set_random_seed(7)
    rng = np.random.default_rng(7)
    out = {"keras": keras.__version__}

    # Statistics adapt computes: features with offsets and scales far from 0 and 1.
    data = (rng.normal(size=(10, 4, 6)) * np.array([1, 2, 3, 0.5, 10, 0.1]) + np.array([5, -3, 0, 100, 1, -7])).astype("float32")
    batches = [data[:4], data[4:8], data[8:]]
    whole = layers.Normalization(axis=-1)
    whole.adapt(data)
    streamed = layers.Normalization(axis=-1)
    streamed.adapt(batches)
    inner = layers.Normalization(axis=1)
    inner.adapt(batches)
    out["adapt"] = {
        "data": data.tolist(),
        "whole": [np.asarray(whole.adapt_mean).tolist(), np.asarray(whole.adapt_variance).tolist()],
        "streamed": [np.asarray(streamed.adapt_mean).tolist(), np.asarray(streamed.adapt_variance).tolist()],
        "inner": [np.asarray(inner.adapt_mean).tolist(), np.asarray(inner.adapt_variance).tolist()],
    }

    inp = keras.Input((4, 6), name="features")
    x = layers.Normalization(axis=-1, name="norm")
    x.adapt(batches)
    h = x(inp)
    h = layers.Dense(6, activation="gelu", name="dense_gelu")(h)
    h = layers.GroupNormalization(groups=2, name="group_norm")(h)
    h = LayerScale(0.5, 6, name="layer_scale")(h)
    h = layers.ActivityRegularization(l1=0.01, name="activity")(h)
    h = layers.Normalization(axis=None, mean=2.0, variance=9.0, invert=True, name="denorm")(h)
    y = layers.Dense(3, name="head")(h)
    model = keras.Model(inp, y)
    model.save(os.path.join(HERE, "prep_features.keras"))
    xs = data[:3]
    out["features"] = {"x": xs.tolist(), "y": model.predict(xs, verbose=0).tolist()}

    ids = keras.Input((3,), name="ids")
    counts = layers.CategoryEncoding(num_tokens=5, output_mode="count", name="counts")(ids)
    hot = layers.CategoryEncoding(num_tokens=5, output_mode="multi_hot", name="hot")(ids)
    y = layers.Dense(2, name="head")(layers.Concatenate()([counts, hot]))
    model = keras.Model(ids, y)
    model.save(os.path.join(HERE, "prep_ids.keras"))
    xi = np.array([[1, 1, 3], [0, 4, 2], [7, 2, 2]], dtype="float32")
    out["ids"] = {"x": xi.tolist(), "y": model.predict(xi, verbose=0).tolist()}

    # Discretization.adapt: quantile summaries of 300 values with ties, as one array and as
    # batches, at the default epsilon and a coarse one (whose summaries get compressed).
    values = np.round(rng.normal(size=(300, 1)) * 3, 1).astype("float32")
    bins = {}
    for name, num_bins, eps, sample in [
        ("whole", 4, 0.01, values),
        ("streamed", 5, 0.01, [values[:120], values[120:250], values[250:]]),
        ("coarse", 3, 0.1, [values[:100], values[100:]]),
    ]:
        layer = layers.Discretization(num_bins=num_bins, epsilon=eps)
        layer.adapt(sample)
        bins[name] = {"num_bins": num_bins, "epsilon": eps, "boundaries": layer.bin_boundaries}
    out["discretization"] = {"values": values.tolist(), "bins": bins}

    inp = keras.Input((4,), name="values")
    disc = layers.Discretization(num_bins=4, output_mode="count", name="disc")
    disc.adapt(values)
    y = layers.Dense(2, name="head")(disc(inp))
    model = keras.Model(inp, y)
    model.save(os.path.join(HERE, "prep_discretization.keras"))
    xd = values[:12].reshape(3, 4)
    out["discretized"] = {"x": xd.tolist(), "y": model.predict(xd, verbose=0).tolist()}

    seq = keras.Input((3, 4), name="steps")
    y = layers.TimeDistributed(layers.Dense(2, activation="gelu", name="per_step"), name="td")(seq)
    y = layers.TimeDistributed(layers.Dense(3, name="per_step_2"), name="td_2")(y)
    model = keras.Model(seq, y)
    model.save(os.path.join(HERE, "prep_time_distributed.keras"))
    out["time_distributed"] = {"x": data[:2, :3, :4].tolist(), "y": model.predict(data[:2, :3, :4], verbose=0).tolist()}

    with open(os.path.join(HERE, "prep_models.json"), "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()

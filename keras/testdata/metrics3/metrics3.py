"""Writes metrics3.json and compiled.keras: a small multi-label model that Keras 3 compiles
with the second set of metric objects (multi-label AUC, the constrained-curve metrics, the
IoU family, R2Score, the correlations, F1Score) and weighted metrics, saved with its
compile_config, and Keras's evaluation of it with sample weights. keras/metrics3_test.go
loads the file in Go and compares. Run: KERAS_BACKEND=jax python3 metrics3.py
With a path argument it instead loads that .keras file and prints the metric objects of its
compile_config as Keras reads them (the test's check that a Go-written compile_config means
the same to Keras)."""
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np
import keras

here = os.path.dirname(os.path.abspath(__file__))


def evaluate(model, g):
    logs = model.evaluate(np.array(g["x"], "float32"), np.array(g["y"], "float32"), batch_size=8, verbose=0,
                          return_dict=True, sample_weight=np.array(g["sample_weight"], "float32"))
    return {k: float(v) for k, v in logs.items()}


if len(sys.argv) > 1:
    # Keras reads the compile_config Go wrote: load_model compiles from it, and each metric
    # object is deserialised; its class and config, as Keras sees them, are printed as JSON.
    # (Evaluating would check the numbers again but costs a JIT compile of every metric.)
    import zipfile
    keras.saving.load_model(sys.argv[1])
    with zipfile.ZipFile(sys.argv[1]) as z:
        cc = json.loads(z.read("config.json"))["compile_config"]
    seen = []
    for key in ("metrics", "weighted_metrics"):
        for m in cc[key] or []:
            if isinstance(m, dict):
                obj = keras.metrics.deserialize(m)
                seen.append({"list": key, "class_name": type(obj).__name__, "config": obj.get_config()})
    print(json.dumps(seen, default=lambda v: np.asarray(v).tolist()))
    sys.exit(0)

rng = np.random.default_rng(12)
keras.utils.set_random_seed(12)
x = rng.normal(size=(30, 4)).astype("float32")
y = rng.integers(0, 2, (30, 3)).astype("float32")
same = (y == y[:, :1]).all(axis=1)
y[same, 0] = 1 - y[same, 0]  # no constant row: its Pearson correlation would be NaN
sw = (rng.random(30) * 2).astype("float32")
inp = keras.Input((4,), name="features")
model = keras.Model(inp, keras.layers.Dense(3, activation="sigmoid", name="probs")(inp))
model.compile(keras.optimizers.SGD(0.1), "binary_crossentropy",
              metrics=[keras.metrics.AUC(multi_label=True, num_labels=3, label_weights=[1.0, 2.0, 0.5], name="ml_auc"),
                       keras.metrics.PrecisionAtRecall(0.5),
                       keras.metrics.RecallAtPrecision(0.6, num_thresholds=50),
                       keras.metrics.SensitivityAtSpecificity(0.4),
                       keras.metrics.SpecificityAtSensitivity(0.7, class_id=1),
                       keras.metrics.IoU(3, [0, 2], sparse_y_true=False, sparse_y_pred=False),
                       keras.metrics.OneHotMeanIoU(3),
                       keras.metrics.OneHotIoU(3, [1], name="ohiou"),
                       keras.metrics.BinaryIoU(threshold=0.4),
                       "r2_score", "pearson_correlation", "concordance_correlation",
                       keras.metrics.F1Score(average="micro", threshold=0.4)],
              weighted_metrics=[keras.metrics.R2Score(class_aggregation="variance_weighted_average", name="r2w"),
                                keras.metrics.AUC(label_weights=[0.5, 1.0, 2.0], from_logits=False, name="lw_auc"),
                                keras.metrics.PrecisionAtRecall(0.3, name="par_w")])
path = os.path.join(here, "compiled.keras")
model.save(path)
# Keras 3.15 writes AUC's label_weights as a serialised tensor ({"class_name": "__tensor__"})
# that its own load_model cannot read back into AUC; the in-memory model is evaluated instead.
g = {"x": x.tolist(), "y": y.tolist(), "sample_weight": sw.tolist()}
g["evaluate"] = evaluate(model, g)
g["keras"] = keras.__version__
with open(os.path.join(here, "metrics3.json"), "w") as f:
    json.dump(g, f)
print(g["evaluate"])

"""Golden values for package callbacks, computed by Keras 3's own callbacks.

Run from anywhere (it needs keras and jax: pip install keras jax):

    KERAS_BACKEND=jax python3 keras/callbacks/testdata/keras_golden.py

It writes golden.json beside this script, and keras/testdata/progbar_golden.json for the
progress bar of package keras (driven with a fake clock). Every case drives a real Keras callback through a
scripted sequence of epoch (and batch) logs on a fake model that records weights, learning
rate, stop_training and saves, exactly as the Go tests replay them (golden_test.go). The
fake optimizer keeps a Python float learning rate, as the Go optimizers keep a float64 one
(a real Keras optimizer stores float32).
"""

import contextlib
import io
import json
import math
import os
import sys
import tempfile
import types
import warnings

os.environ.setdefault("KERAS_BACKEND", "jax")
# Do not import the Go package directory called keras when run from the repository root.
sys.path = [p for p in sys.path if p not in ("", ".", os.getcwd())]

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras.src.trainers import compile_utils  # noqa: E402
import keras.src.utils.progbar as progbar_module  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
METRICS = ["acc", "accuracy", "mse", "mae"]


def enc(v):
    """JSON for a float: numbers, or "nan"/"inf"/"-inf"."""
    if v is None:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return int(v)
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def dec(v):
    if isinstance(v, str):
        return float(v)
    return v


def enc_logs(logs):
    return {k: enc(v) for k, v in logs.items()}


class FakeOptimizer:
    def __init__(self, lr):
        self.learning_rate = lr


class FakeModel:
    def __init__(self, lr):
        self.stop_training = False
        self.optimizer = FakeOptimizer(lr)
        self.weights_ = [np.array([0.0])]
        self.saved = []
        self.metrics = [
            compile_utils.MetricsList(
                [
                    keras.metrics.BinaryAccuracy(name="acc"),
                    keras.metrics.BinaryAccuracy(name="accuracy"),
                    keras.metrics.MeanSquaredError(name="mse"),
                    keras.metrics.MeanAbsoluteError(name="mae"),
                ]
            )
        ]

    def get_weights(self):
        return [w.copy() for w in self.weights_]

    def set_weights(self, ws):
        self.weights_ = [np.array(w, copy=True) for w in ws]

    def save(self, path, overwrite=True):
        self.saved.append(path)

    def save_weights(self, path, overwrite=True):
        self.saved.append(path)


SCHEDULES = {
    "halve_from_2": lambda epoch, lr: lr if epoch < 2 else lr * 0.5,
    "exp_decay": lambda epoch, lr: 0.1 * 0.9**epoch,
    "constant_1e-5": lambda epoch, lr: 1e-05,
}


def make(case):
    kind, kw = case["callback"], dict(case.get("kwargs", {}))
    for k in ("baseline", "initial_value_threshold"):
        if k in kw:
            kw[k] = dec(kw[k])
    if kind == "EarlyStopping":
        return keras.callbacks.EarlyStopping(**kw)
    if kind == "ReduceLROnPlateau":
        return keras.callbacks.ReduceLROnPlateau(**kw)
    if kind == "ModelCheckpoint":
        return keras.callbacks.ModelCheckpoint(case["path"], **kw)
    if kind == "LearningRateScheduler":
        return keras.callbacks.LearningRateScheduler(SCHEDULES[case["schedule"]], **kw)
    if kind == "TerminateOnNaN":
        return keras.callbacks.TerminateOnNaN(**kw)
    raise ValueError(kind)


def run_case(case):
    res = {"construct_error": None, "error": None, "epochs": [], "stdout": "", "warnings": [],
           "saved": [], "final_weight": 0.0}
    out = io.StringIO()
    model = FakeModel(case.get("lr", 0.01))
    with contextlib.redirect_stdout(out), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            cb = make(case)
        except Exception as e:  # noqa: BLE001
            res["construct_error"] = f"{type(e).__name__}: {e}"
            return res
        cb.set_model(model)
        cb.set_params({"verbose": 0, "epochs": len(case["epochs"]), "steps": None})
        last = {}
        try:
            cb.on_train_begin({})
            for epoch, ep in enumerate(case["epochs"]):
                model.weights_ = [np.array([float(epoch + 1)])]
                cb.on_epoch_begin(epoch, {})
                for b, blogs in enumerate(ep.get("batches", [])):
                    cb.on_train_batch_begin(b, {})
                    cb.on_train_batch_end(b, {k: dec(v) for k, v in blogs.items()})
                    if model.stop_training:  # fit checks after every batch
                        break
                # CallbackList hands callbacks the logs sorted by name.
                logs = {k: dec(v) for k, v in sorted(ep["logs"].items())}
                cb.on_epoch_end(epoch, logs)
                last = logs
                rec = {
                    "stop": bool(model.stop_training),
                    "lr": enc(model.optimizer.learning_rate),
                    "logs": enc_logs(logs),
                }
                for attr in ("wait", "best", "cooldown_counter"):
                    if hasattr(cb, attr):
                        rec[attr] = enc(getattr(cb, attr))
                res["epochs"].append(rec)
                if model.stop_training:
                    break
            cb.on_train_end(last)
        except Exception as e:  # noqa: BLE001
            res["error"] = {"epoch": len(res["epochs"]), "message": f"{type(e).__name__}: {e}"}
    res["stdout"] = out.getvalue()
    seen = []
    for w in caught:
        msg = str(w.message)
        if msg not in seen and "jax" not in msg.lower():
            seen.append(msg)
    res["warnings"] = seen
    res["final_weight"] = float(model.weights_[0][0])
    res["saved"] = model.saved
    for attr in ("stopped_epoch", "best_epoch"):
        if hasattr(cb, attr):
            res[attr] = int(getattr(cb, attr))
    return res


def ep(**logs):
    return {"logs": {k: enc(v) for k, v in logs.items()}}


def eps(key, values, **extra):
    out = []
    for v in values:
        logs = {key: v}
        logs.update(extra)
        out.append(ep(**logs))
    return out


nan, inf = float("nan"), float("inf")

CASES = [
    # EarlyStopping: patience 0 to 3.
    dict(name="es_patience0", callback="EarlyStopping", kwargs={},
         epochs=eps("val_loss", [1.0, 0.9, 0.95, 0.8], loss=0.5)),
    dict(name="es_patience1", callback="EarlyStopping", kwargs={"patience": 1},
         epochs=eps("val_loss", [1.0, 0.9, 0.95, 0.85, 0.86, 0.87, 0.5])),
    dict(name="es_patience2", callback="EarlyStopping", kwargs={"patience": 2},
         epochs=eps("val_loss", [1.0, 1.1, 0.9, 0.95, 0.91, 0.92, 0.5])),
    dict(name="es_patience3_verbose", callback="EarlyStopping", kwargs={"patience": 3, "verbose": 1},
         epochs=eps("val_loss", [1.0, 0.8, 0.9, 0.85, 0.81, 0.82, 0.1])),
    dict(name="es_patience0_epoch0_never_stops", callback="EarlyStopping", kwargs={"monitor": "loss"},
         epochs=eps("loss", [1.0, 1.0, 1.0])),
    # Direction.
    dict(name="es_max_ties", callback="EarlyStopping", kwargs={"monitor": "val_acc", "mode": "max", "patience": 2},
         epochs=eps("val_acc", [0.5, 0.6, 0.6, 0.6, 0.7])),
    dict(name="es_auto_acc_max", callback="EarlyStopping", kwargs={"monitor": "val_acc", "patience": 1},
         epochs=eps("val_acc", [0.5, 0.6, 0.55, 0.58, 0.9])),
    dict(name="es_auto_accuracy_max", callback="EarlyStopping", kwargs={"monitor": "accuracy", "patience": 1},
         epochs=eps("accuracy", [0.5, 0.6, 0.6, 0.6])),
    dict(name="es_auto_mse_min", callback="EarlyStopping", kwargs={"monitor": "val_mse", "patience": 1},
         epochs=eps("val_mse", [0.5, 0.4, 0.45, 0.41])),
    dict(name="es_min_ties", callback="EarlyStopping", kwargs={"patience": 1},
         epochs=eps("val_loss", [0.5, 0.5, 0.5])),
    dict(name="es_mode_min_on_acc", callback="EarlyStopping", kwargs={"monitor": "acc", "mode": "min", "patience": 1},
         epochs=eps("acc", [0.5, 0.6, 0.7, 0.4])),
    dict(name="es_unknown_monitor", callback="EarlyStopping", kwargs={"monitor": "val_foo"},
         epochs=eps("val_foo", [1.0, 0.5])),
    dict(name="es_unknown_mode_max_ok", callback="EarlyStopping", kwargs={"monitor": "val_foo", "mode": "max", "patience": 1},
         epochs=eps("val_foo", [1.0, 0.5, 0.4])),
    # min_delta.
    dict(name="es_min_delta", callback="EarlyStopping", kwargs={"min_delta": 0.1, "patience": 1},
         epochs=eps("val_loss", [1.0, 0.95, 0.85, 0.89, 0.7, 0.65, 0.62])),
    dict(name="es_min_delta_negative_is_abs", callback="EarlyStopping", kwargs={"min_delta": -0.1, "patience": 1},
         epochs=eps("val_loss", [1.0, 0.95, 0.85, 0.89, 0.7, 0.65, 0.62])),
    dict(name="es_min_delta_max", callback="EarlyStopping", kwargs={"monitor": "acc", "min_delta": 0.05, "patience": 1},
         epochs=eps("acc", [0.5, 0.54, 0.56, 0.6, 0.64])),
    # Baseline.
    dict(name="es_baseline_never_beaten", callback="EarlyStopping",
         kwargs={"baseline": 0.5, "patience": 2, "restore_best_weights": True, "verbose": 1},
         epochs=eps("val_loss", [0.8, 0.7, 0.6, 0.55, 0.52])),
    dict(name="es_baseline_beaten", callback="EarlyStopping", kwargs={"baseline": 0.75, "patience": 2},
         epochs=eps("val_loss", [0.8, 0.7, 0.72, 0.71, 0.73, 0.74])),
    dict(name="es_baseline_max", callback="EarlyStopping", kwargs={"monitor": "val_acc", "baseline": 0.9, "patience": 1},
         epochs=eps("val_acc", [0.5, 0.6, 0.95, 0.94, 0.93])),
    # start_from_epoch.
    dict(name="es_start_from_epoch", callback="EarlyStopping", kwargs={"start_from_epoch": 2},
         epochs=eps("val_loss", [0.1, 0.5, 1.0, 1.1, 0.9])),
    dict(name="es_start_from_epoch_restore", callback="EarlyStopping",
         kwargs={"start_from_epoch": 3, "patience": 1, "restore_best_weights": True, "verbose": 1},
         epochs=eps("val_loss", [0.1, 0.2, 0.3, 0.5, 0.6, 0.7])),
    # restore_best_weights.
    dict(name="es_restore_on_stop", callback="EarlyStopping",
         kwargs={"patience": 2, "restore_best_weights": True, "verbose": 1},
         epochs=eps("val_loss", [1.0, 0.7, 0.8, 0.9, 0.1])),
    dict(name="es_restore_without_stop", callback="EarlyStopping",
         kwargs={"patience": 10, "restore_best_weights": True, "verbose": 1},
         epochs=eps("val_loss", [1.0, 0.7, 0.8, 0.75])),
    dict(name="es_restore_first_epoch_best", callback="EarlyStopping",
         kwargs={"patience": 1, "restore_best_weights": True},
         epochs=eps("val_loss", [0.1, 0.7, 0.8])),
    # Missing and special values.
    dict(name="es_missing_monitor", callback="EarlyStopping", kwargs={"patience": 0},
         epochs=eps("loss", [1.0, 2.0, 3.0], acc=0.5)),
    dict(name="es_nan", callback="EarlyStopping", kwargs={"patience": 1},
         epochs=eps("val_loss", [1.0, nan, 0.9, nan, nan])),
    dict(name="es_nan_first", callback="EarlyStopping", kwargs={"patience": 1},
         epochs=eps("val_loss", [nan, 1.0, 0.5])),
    dict(name="es_inf", callback="EarlyStopping", kwargs={"patience": 0},
         epochs=eps("val_loss", [inf, 1.0, inf])),
    # ReduceLROnPlateau.
    dict(name="rlr_defaults_patience10", callback="ReduceLROnPlateau", kwargs={}, lr=0.1,
         epochs=eps("val_loss", [1.0] + [1.0] * 12)),
    dict(name="rlr_patience2", callback="ReduceLROnPlateau", kwargs={"patience": 2, "factor": 0.5, "verbose": 1},
         lr=0.1, epochs=eps("val_loss", [1.0, 0.9, 0.95, 0.92, 0.91, 0.93, 0.5, 0.6, 0.7])),
    dict(name="rlr_patience0", callback="ReduceLROnPlateau", kwargs={"patience": 0, "verbose": 1},
         lr=0.1, epochs=eps("val_loss", [1.0, 1.1, 0.5, 0.6])),
    dict(name="rlr_cooldown", callback="ReduceLROnPlateau",
         kwargs={"patience": 1, "factor": 0.5, "cooldown": 2, "verbose": 1},
         lr=1.0, epochs=eps("val_loss", [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 1.0, 1.0])),
    dict(name="rlr_cooldown_improvement", callback="ReduceLROnPlateau",
         kwargs={"patience": 1, "factor": 0.5, "cooldown": 3},
         lr=1.0, epochs=eps("val_loss", [1.0, 1.0, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8])),
    dict(name="rlr_min_lr", callback="ReduceLROnPlateau",
         kwargs={"patience": 1, "min_lr": 1e-4, "cooldown": 1, "verbose": 1},
         lr=0.01, epochs=eps("val_loss", [1.0] * 10)),
    dict(name="rlr_min_lr_not_multiple", callback="ReduceLROnPlateau",
         kwargs={"patience": 1, "factor": 0.3, "min_lr": 0.002, "verbose": 1},
         lr=0.01, epochs=eps("val_loss", [1.0] * 7)),
    dict(name="rlr_min_delta", callback="ReduceLROnPlateau", kwargs={"patience": 1, "factor": 0.5},
         lr=0.1, epochs=eps("val_loss", [1.0, 0.99995, 0.9999, 0.99985, 0.9, 0.89995])),
    dict(name="rlr_max_acc", callback="ReduceLROnPlateau", kwargs={"monitor": "val_acc", "patience": 1, "factor": 0.5},
         lr=0.1, epochs=eps("val_acc", [0.5, 0.6, 0.6, 0.7, 0.65, 0.65])),
    dict(name="rlr_missing", callback="ReduceLROnPlateau", kwargs={"patience": 0},
         lr=0.1, epochs=eps("loss", [1.0, 2.0])),
    dict(name="rlr_factor_1", callback="ReduceLROnPlateau", kwargs={"factor": 1.0}, lr=0.1,
         epochs=eps("val_loss", [1.0])),
    dict(name="rlr_factor_0", callback="ReduceLROnPlateau", kwargs={"factor": 0.0, "patience": 0, "verbose": 1}, lr=0.1,
         epochs=eps("val_loss", [1.0, 1.0, 1.0])),
    dict(name="rlr_unknown_monitor", callback="ReduceLROnPlateau", kwargs={"monitor": "val_foo"}, lr=0.1,
         epochs=eps("val_foo", [1.0])),
    # ModelCheckpoint (saving is recorded, not performed).
    dict(name="mc_every_epoch_formatted", callback="ModelCheckpoint", path="ckpt/w.{epoch:02d}-{val_loss:.2f}.keras",
         kwargs={"verbose": 1}, epochs=eps("val_loss", [0.5, 0.456, 0.7], loss=1.25)),
    dict(name="mc_best_only_min", callback="ModelCheckpoint", path="best.{epoch:03d}.keras",
         kwargs={"save_best_only": True, "verbose": 1},
         epochs=eps("val_loss", [0.5, 0.6, 0.4, 0.4, 0.3999])),
    dict(name="mc_best_only_max_auto", callback="ModelCheckpoint", path="m-{epoch}-{val_acc:.3f}.h5",
         kwargs={"monitor": "val_acc", "save_best_only": True, "verbose": 1},
         epochs=eps("val_acc", [0.5, 0.6, 0.6, 0.55, 0.61])),
    dict(name="mc_initial_threshold", callback="ModelCheckpoint", path="t.{epoch:02d}.keras",
         kwargs={"save_best_only": True, "initial_value_threshold": 0.45, "verbose": 1},
         epochs=eps("val_loss", [0.5, 0.46, 0.44, 0.45, 0.3])),
    dict(name="mc_initial_threshold_never_beaten", callback="ModelCheckpoint", path="t.keras",
         kwargs={"monitor": "val_acc", "save_best_only": True, "initial_value_threshold": 0.9, "verbose": 1},
         epochs=eps("val_acc", [0.5, 0.6, 0.89])),
    dict(name="mc_best_only_missing_saves", callback="ModelCheckpoint", path="x.keras",
         kwargs={"save_best_only": True}, epochs=eps("loss", [0.5, 0.6])),
    dict(name="mc_weights_only", callback="ModelCheckpoint", path="w/{epoch}.weights.h5",
         kwargs={"save_weights_only": True}, epochs=eps("val_loss", [0.5, 0.6])),
    dict(name="mc_save_freq_3", callback="ModelCheckpoint", path="b.{epoch:02d}-{batch:03d}.keras",
         kwargs={"save_freq": 3, "verbose": 1},
         epochs=[dict(ep(val_loss=0.5, loss=0.4), batches=[{"loss": 0.4}] * 5),
                 dict(ep(val_loss=0.4, loss=0.3), batches=[{"loss": 0.3}] * 5),
                 dict(ep(val_loss=0.3, loss=0.2), batches=[{"loss": 0.2}] * 5)]),
    dict(name="mc_save_freq_15_of_5", callback="ModelCheckpoint", path="e{epoch:02d}.keras",
         kwargs={"save_freq": 15},
         epochs=[dict(ep(val_loss=0.5), batches=[{"loss": 0.4}] * 5) for _ in range(10)]),
    dict(name="mc_save_freq_best_only_batch_loss", callback="ModelCheckpoint", path="bl.{epoch}.{batch}.keras",
         kwargs={"save_freq": 4, "save_best_only": True, "monitor": "loss", "verbose": 1},
         epochs=[dict(ep(loss=0.4), batches=[{"loss": v} for v in (0.9, 0.8, 0.7, 0.6, 0.5)]),
                 dict(ep(loss=0.3), batches=[{"loss": v} for v in (0.7, 0.65, 0.55, 0.4, 0.3)]),
                 dict(ep(loss=0.3), batches=[{"loss": v} for v in (0.3, 0.2, 0.25, 0.26, 0.27)])]),
    dict(name="mc_bad_suffix", callback="ModelCheckpoint", path="model.ckpt", kwargs={}, epochs=eps("val_loss", [1.0])),
    dict(name="mc_weights_only_bad_suffix", callback="ModelCheckpoint", path="model.keras",
         kwargs={"save_weights_only": True}, epochs=eps("val_loss", [1.0])),
    dict(name="mc_bad_save_freq", callback="ModelCheckpoint", path="m.keras", kwargs={"save_freq": "batch"},
         epochs=eps("val_loss", [1.0])),
    dict(name="mc_missing_format_key", callback="ModelCheckpoint", path="m-{val_acc:.2f}.keras", kwargs={},
         epochs=eps("val_loss", [1.0])),
    dict(name="mc_unknown_monitor_auto", callback="ModelCheckpoint", path="m.keras", kwargs={"monitor": "val_foo"},
         epochs=eps("val_foo", [1.0])),
    # LearningRateScheduler.
    dict(name="lrs_halve", callback="LearningRateScheduler", schedule="halve_from_2", kwargs={"verbose": 1},
         lr=0.1, epochs=eps("loss", [1.0, 0.9, 0.8, 0.7, 0.6])),
    dict(name="lrs_exp", callback="LearningRateScheduler", schedule="exp_decay", kwargs={},
         lr=0.5, epochs=eps("loss", [1.0, 0.9, 0.8, 0.7])),
    dict(name="lrs_small", callback="LearningRateScheduler", schedule="constant_1e-5", kwargs={"verbose": 1},
         lr=0.5, epochs=eps("loss", [1.0, 0.9])),
    # TerminateOnNaN.
    dict(name="ton_nan", callback="TerminateOnNaN", kwargs={},
         epochs=[dict(ep(loss=0.5), batches=[{"loss": 0.5}, {"loss": 0.6}]),
                 dict(ep(loss=nan), batches=[{"loss": 0.5}, {"loss": nan}, {"loss": nan}]),
                 dict(ep(loss=0.5), batches=[{"loss": 0.5}])]),
    dict(name="ton_inf", callback="TerminateOnNaN", kwargs={},
         epochs=[dict(ep(loss=inf), batches=[{"loss": -inf}, {"loss": 1.0}])]),
    dict(name="ton_raise", callback="TerminateOnNaN", kwargs={"raise_error": True},
         epochs=[dict(ep(loss=0.5), batches=[{"loss": 0.5}]),
                 dict(ep(loss=nan), batches=[{"loss": 0.5}, {"loss": nan}])]),
]


def csv_run(kwargs, runs, pre=None):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "log.csv")
        if pre is not None:
            with open(path, "w", newline="") as f:
                f.write(pre)
        for logs_list in runs:
            cb = keras.callbacks.CSVLogger(path, **kwargs)
            cb.on_train_begin({})
            for epoch, logs in enumerate(logs_list):
                cb.on_epoch_end(epoch, {k: dec(v) for k, v in logs.items()})
            cb.on_train_end({})
        with open(path, "rb") as f:
            return f.read().decode("utf-8")


def L(**kw):
    return {k: enc(v) for k, v in kw.items()}


CSV_CASES = [
    dict(name="keras_doc", kwargs={}, runs=[[L(loss=0.5, mae=0.25, val_loss=0.75, val_mae=0.375),
                                             L(loss=0.4, mae=0.2, val_loss=0.7, val_mae=0.35)]]),
    dict(name="append_no_header", kwargs={"append": True},
         pre="epoch,loss,mae,val_loss,val_mae\r\n0,0.5,0.25,0.75,0.375\r\n",
         runs=[[L(loss=0.3, mae=0.1)]]),
    dict(name="append_to_empty_file", kwargs={"append": True}, pre="",
         runs=[[L(loss=0.3)]]),
    dict(name="append_missing_file", kwargs={"append": True}, runs=[[L(loss=0.3)], [L(loss=0.2)]]),
    dict(name="tab_first_epoch_without_val", kwargs={"separator": "\t"},
         runs=[[L(acc=0.5, loss=0.5), L(acc=0.6, loss=0.4, val_acc=0.1, val_loss=0.9)]]),
    dict(name="validation_freq_2", kwargs={},
         runs=[[L(loss=0.9), L(loss=0.8, val_loss=0.85), L(loss=0.7), L(loss=0.6, val_loss=0.65)]]),
    dict(name="float_repr", kwargs={},
         runs=[[L(a=0.1, b=1e-05, c=1.0, d=0.8686017990112305, e=1e16, f=1e15, g=123456789.125,
                  h=0.1 + 0.2, i=-0.0, j=5e-324, k=1.7976931348623157e308, l=0.0001, m=1e-4 * 0.99,
                  n=100.0, o=2.5e-08, p=-3.75),
               L(a=nan, b=inf, c=-inf, d=0.0, e=1e22, f=1e21, g=12345678901234567890.0, h=0.001)]]),
    dict(name="semicolon_and_quoting", kwargs={"separator": ";"},
         runs=[[L(**{"a;b": 1.0, 'q"uote': 2.0, "loss": 0.5})]]),
    dict(name="empty_logs", kwargs={}, runs=[[{}, {}]]),
    dict(name="rerun_overwrites", kwargs={}, runs=[[L(loss=0.5)], [L(loss=0.25, acc=0.5)]]),
]

FORMAT_CASES = []
for v in [0.5, 0.456, 0.005, -0.5, 1.0, 0.0, -0.0, 123.456, 1e-05, 1e16, 2.5, 3.5, 0.125, 99.0, 1234567.0,
          0.00001234, 1e100, 12.0, float("nan"), float("inf"), float("-inf")]:
    for spec in ["", ".2f", ".0f", "f", ".5f", "08.3f", "+.1f", " .1f", "e", ".2e", "E", "g", ".3g", "G",
                 ".2", ".1", ".3", "10.4f", "<8.2f", "^9.2f", "x>8.1f", "=+9.2f", ".1%", "d", "05d"]:
        try:
            FORMAT_CASES.append({"kind": "float", "value": enc(v), "spec": spec, "out": format(v, spec)})
        except (ValueError, TypeError) as e:
            FORMAT_CASES.append({"kind": "float", "value": enc(v), "spec": spec, "error": str(e)})
for v in [0, 1, 7, 12, 123, -3, 1000]:
    for spec in ["", "d", "02d", "03d", "5d", "<4d", "^5d", "+d", ".2f", "e", "g", "%", ".2d", "x^7"]:
        try:
            FORMAT_CASES.append({"kind": "int", "value": v, "spec": spec, "out": format(v, spec)})
        except (ValueError, TypeError) as e:
            FORMAT_CASES.append({"kind": "int", "value": v, "spec": spec, "error": str(e)})

REPR_CASES = []
rng = np.random.default_rng(0)
specials = [0.1, 1e-05, 1.0, 0.0001, 0.00012, 1e15, 1e16, 1.5e16, 123456789012345678.0, 5e-324,
            2.2250738585072014e-308, 1.7976931348623157e308, 0.30000000000000004, 1 / 3, 2 / 3, 100.0,
            1e-4 * 0.99, 0.001, 12345.6789, -2.5, 1e22, 1e23, 9.999999999999999e22, 0.5, 3.0e-5]
randoms = list(rng.standard_normal(40) * 10.0 ** rng.integers(-12, 20, 40)) + list(
    np.float32(rng.random(20)).astype(np.float64))
for v in specials + [float(x) for x in randoms]:
    REPR_CASES.append({"value": v, "out": repr(float(v))})


class Clock:
    t = 0.0

    def time(self):
        return self.t


def progbar_run(case):
    clock = Clock()
    progbar_module.time = types.SimpleNamespace(time=clock.time)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        cb = keras.callbacks.ProgbarLogger()
        cb.set_params(case["params"])
        for ev in case["events"]:
            clock.t = 1000.0 + ev["t"]  # seconds after an arbitrary start, as time.time()
            # CallbackList sorts the logs; callbacks (LR ones) add keys after that.
            hook = ev["hook"]
            logs = {k: dec(v) for k, v in sorted(ev.get("logs", {}).items())}
            logs.update({k: dec(v) for k, v in ev.get("added", {}).items()})
            if "arg" in ev:
                getattr(cb, hook)(ev["arg"], logs)
            else:
                getattr(cb, hook)(logs)
    return out.getvalue()


def fit_events(epochs, steps, times, logs_for, val=None, extra=None):
    """Events of a fit: per epoch begin, batch ends at the given offsets, epoch end."""
    evs = [{"hook": "on_train_begin", "t": 0.0}]
    t = 0.0
    for e in range(epochs):
        evs.append({"hook": "on_epoch_begin", "arg": e, "t": t})
        for b in range(steps):
            t += times[b % len(times)]
            evs.append({"hook": "on_train_batch_end", "arg": b, "t": t, "logs": logs_for(e, b)})
        end = dict(logs_for(e, steps - 1))
        if val:
            end.update(val(e))
        t += 0.01
        ev = {"hook": "on_epoch_end", "arg": e, "t": t, "logs": end}
        if extra:
            ev["added"] = extra(e)
        evs.append(ev)
    evs.append({"hook": "on_train_end", "t": t})
    return evs


PROGBAR_CASES = [
    dict(name="fit_2_epochs_val", params={"verbose": 1, "epochs": 2, "steps": 3},
         events=fit_events(2, 3, [0.013, 0.004, 0.004],
                           lambda e, b: L(accuracy=0.4062 - 0.01 * b + e * 0.1, loss=1.0948 + 0.03 * b),
                           val=lambda e: L(val_accuracy=0.25, val_loss=1.1848))),
    dict(name="fit_slow_12_steps", params={"verbose": 1, "epochs": 1, "steps": 12},
         events=fit_events(1, 12, [7.3, 0.02, 0.035, 31.0],
                           lambda e, b: L(loss=0.5 / (b + 1), mae=0.0005 * (b + 1)),
                           extra=lambda e: L(learning_rate=0.001))),
    dict(name="fit_hours", params={"verbose": 1, "epochs": 3, "steps": 4},
         events=fit_events(1, 4, [1500.0, 2000.0],
                           lambda e, b: L(loss=-0.25 * b, acc=1e-4))),
    dict(name="fit_verbose2", params={"verbose": 2, "epochs": 2, "steps": 4},
         events=fit_events(2, 4, [0.0031],
                           lambda e, b: L(accuracy=0.5, loss=0.6971 - e),
                           val=lambda e: L(val_accuracy=0.0, val_loss=0.0005),
                           extra=lambda e: L(learning_rate=0.01))),
    dict(name="fit_throttled_fast", params={"verbose": 1, "epochs": 1, "steps": 100},
         events=fit_events(1, 100, [0.0004, 0.0007, 0.02],
                           lambda e, b: L(loss=1.0 / (b + 1)))),
    dict(name="fit_stopped_early", params={"verbose": 1, "epochs": 1, "steps": 10},
         events=fit_events(1, 3, [0.2], lambda e, b: L(loss=0.5))),
    dict(name="evaluate", params={"verbose": 1, "epochs": 1, "steps": 4},
         events=[{"hook": "on_test_begin", "t": 0.0}]
         + [{"hook": "on_test_batch_end", "arg": b, "t": 0.002 * (b + 1), "logs": L(loss=0.5 + b, acc=0.25)} for b in range(4)]
         + [{"hook": "on_test_end", "t": 0.009, "logs": L(loss=2.0, acc=0.25)}]),
    dict(name="predict", params={"verbose": 1, "epochs": 1, "steps": 4},
         events=[{"hook": "on_predict_begin", "t": 0.0}]
         + [{"hook": "on_predict_batch_end", "arg": b, "t": 0.0007 * (b + 1)} for b in range(4)]
         + [{"hook": "on_predict_end", "t": 0.003}]),
]


def enc_inputs(case):
    """Encodes the special floats of a case's batch logs."""
    for e in case.get("epochs", []):
        if "batches" in e:
            e["batches"] = [enc_logs(b) for b in e["batches"]]
    return case


def main():
    out = {
        "keras_version": keras.__version__,
        "cases": [enc_inputs(dict(c, result=run_case(c))) for c in CASES],
        "csv_cases": [dict(c, bytes=csv_run(c["kwargs"], c["runs"], c.get("pre"))) for c in CSV_CASES],
        "format_cases": FORMAT_CASES,
        "repr_cases": REPR_CASES,
    }
    with open(os.path.join(HERE, "golden.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True, allow_nan=False)
        f.write("\n")
    # The progress bar lives in package keras (keras/progbar.go).
    progbar = {"keras_version": keras.__version__,
               "cases": [dict(c, output=progbar_run(c)) for c in PROGBAR_CASES]}
    with open(os.path.join(HERE, "..", "..", "testdata", "progbar_golden.json"), "w") as f:
        json.dump(progbar, f, indent=1, sort_keys=True, allow_nan=False)
        f.write("\n")
    print(f"wrote {len(out['cases'])} callback cases, {len(out['csv_cases'])} CSV cases, "
          f"{len(FORMAT_CASES)} format cases, {len(REPR_CASES)} repr cases, "
          f"{len(PROGBAR_CASES)} progress bar cases (Keras {keras.__version__})")


if __name__ == "__main__":
    main()

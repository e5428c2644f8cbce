#!/usr/bin/env python3
"""Check event files written by kerago's tensorboard package with
TensorBoard's own readers.

usage: check_tensorboard.py LOGDIR EXPECT.json

EXPECT.json (written by python_test.go; every float is a string such as
"0.5", "NaN", "+Inf" so that non-finite values survive JSON):

  {"runs": {RUN: {
      "scalars":    {TAG: {"steps": [...], "values": ["0.5", ...]}},
      "histograms": {TAG: {"steps": [...], "counts": [...],
                           "reference": [[values...], ...] or null}},
      "text":       {TAG: {"steps": [...], "texts": [...]}},
      "graph":      {"json": "...", "nodes": [["scope/layer", [inputs]], ...]}
                    (optional)}}}

Three readers are used:
  1. event_accumulator.EventAccumulator (size guidance 0: keep everything),
     checking tags, steps, dtypes, shapes and values; histograms are also
     compared bit for bit with tensorboard's own numpy bucketing
     (histogram_pb) of the reference values; the Keras model JSON is turned
     into a GraphDef by the graph plugin's keras_util;
  2. plugin_event_accumulator.EventAccumulator, the legacy loader behind the
     dashboards, checking the data class each series gets;
  3. the Rust data server (TensorBoard's default loader) when the
     tensorboard_data_server package is installed, checking what the
     dashboards are served: scalars, histogram tensors, text, the model blob.

Exit status 0 when everything matches, 1 otherwise (each mismatch printed).
"""

import json
import math
import os
import sys
import time

import numpy as np
from tensorboard.backend.event_processing import event_accumulator
from tensorboard.backend.event_processing import plugin_event_accumulator
from tensorboard.compat.proto import summary_pb2
from tensorboard.compat.proto import types_pb2
from tensorboard.plugins.graph import keras_util
from tensorboard.plugins.histogram import summary_v2 as histogram_v2
from tensorboard.plugins.text import text_plugin
from tensorboard.util import tensor_util

failures = []
checked = {"values": 0}


def check(cond, msg):
    checked["values"] += 1
    if not cond:
        failures.append(msg)
    return cond


def same32(got, want):
    """float32 equality, NaN equal to NaN."""
    with np.errstate(over="ignore"):  # 1e300 becomes inf, as TF casts it
        g, w = np.float32(got), np.float32(want)
    if np.isnan(w):
        return bool(np.isnan(g))
    return bool(g == w)


def keep_all(keys):
    return {k: 0 for k in keys}


def kinds(exp):
    """tag -> (kind, plugin, data class) for one run's expectations."""
    out = {}
    for tag in exp.get("scalars", {}):
        out[tag] = ("scalar", "scalars", summary_pb2.DATA_CLASS_SCALAR)
    for tag in exp.get("histograms", {}):
        out[tag] = ("histogram", "histograms", summary_pb2.DATA_CLASS_TENSOR)
    for tag in exp.get("text", {}):
        out[tag] = ("text", "text", summary_pb2.DATA_CLASS_TENSOR)
    if "graph" in exp:
        out["keras"] = ("graph", "graph_keras_model",
                        summary_pb2.DATA_CLASS_BLOB_SEQUENCE)
    return out


def check_accumulator(logdir, run, exp):
    where = "event_accumulator run %r" % run
    acc = event_accumulator.EventAccumulator(
        os.path.join(logdir, run),
        size_guidance=keep_all(event_accumulator.DEFAULT_SIZE_GUIDANCE))
    acc.Reload()
    check(acc.file_version == 2.0,
          "%s: file_version %r, want 2.0" % (where, acc.file_version))
    tags = acc.Tags()
    want = kinds(exp)
    check(sorted(tags["tensors"]) == sorted(want),
          "%s: tensor tags %s, want %s" % (where, sorted(tags["tensors"]), sorted(want)))
    check(not tags["scalars"] and not tags["histograms"],
          "%s: unexpected v1 summaries %s" % (where, tags))
    for tag, (kind, plugin, _) in want.items():
        if tag not in tags["tensors"]:
            continue
        md = acc.SummaryMetadata(tag)
        check(md.plugin_data.plugin_name == plugin,
              "%s tag %r: plugin %r, want %r" % (where, tag, md.plugin_data.plugin_name, plugin))
        events = acc.Tensors(tag)
        walls = [e.wall_time for e in events]
        check(walls == sorted(walls) and all(w > 1e9 for w in walls),
              "%s tag %r: wall times %s" % (where, tag, walls))
        steps = [e.step for e in events]
        if kind == "scalar":
            e = exp["scalars"][tag]
            check(steps == e["steps"], "%s tag %r: steps %s, want %s" % (where, tag, steps, e["steps"]))
            for ev, v in zip(events, e["values"]):
                arr = tensor_util.make_ndarray(ev.tensor_proto)
                check(ev.tensor_proto.dtype == types_pb2.DT_FLOAT and arr.shape == (),
                      "%s tag %r: dtype %s shape %s, want DT_FLOAT ()" % (where, tag, ev.tensor_proto.dtype, arr.shape))
                check(same32(arr.item(), float(v)),
                      "%s tag %r step %d: value %r, want %s" % (where, tag, ev.step, arr.item(), v))
        elif kind == "histogram":
            e = exp["histograms"][tag]
            check(steps == e["steps"], "%s tag %r: steps %s, want %s" % (where, tag, steps, e["steps"]))
            for i, ev in enumerate(events[:len(e["counts"])]):
                arr = tensor_util.make_ndarray(ev.tensor_proto)
                check(ev.tensor_proto.dtype == types_pb2.DT_DOUBLE and arr.shape == (30, 3),
                      "%s tag %r: dtype %s shape %s, want DT_DOUBLE (30, 3)" % (where, tag, ev.tensor_proto.dtype, arr.shape))
                check(arr[:, 2].sum() == e["counts"][i],
                      "%s tag %r step %d: counts sum to %r, want %r" % (where, tag, ev.step, arr[:, 2].sum(), e["counts"][i]))
                ref = e["reference"][i] if e.get("reference") else None
                if ref is not None:
                    data = np.array([float(x) for x in ref], dtype=np.float64)
                    tf = tensor_util.make_ndarray(histogram_v2.histogram_pb(tag, data).value[0].tensor)
                    check(np.array_equal(arr, tf),
                          "%s tag %r step %d: buckets differ from tensorboard's histogram_pb:\n%s\nvs\n%s"
                          % (where, tag, ev.step, arr, tf))
        elif kind == "text":
            e = exp["text"][tag]
            check(steps == e["steps"], "%s tag %r: steps %s, want %s" % (where, tag, steps, e["steps"]))
            for ev, text in zip(events, e["texts"]):
                arr = tensor_util.make_ndarray(ev.tensor_proto)
                check(ev.tensor_proto.dtype == types_pb2.DT_STRING and arr.shape == (),
                      "%s tag %r: dtype %s shape %s" % (where, tag, ev.tensor_proto.dtype, arr.shape))
                check(arr.item().decode("utf-8") == text,
                      "%s tag %r: text %r, want %r" % (where, tag, arr.item(), text))
                html = text_plugin.text_array_to_html(arr, enable_markdown=True)
                check(isinstance(html, str) and (html or not text),
                      "%s tag %r: text plugin rendered %r" % (where, tag, html))
        elif kind == "graph":
            g = exp["graph"]
            check(steps == [0], "%s keras graph: steps %s, want [0]" % (where, steps))
            check(md.plugin_data.content == b"1",
                  "%s keras graph: plugin content %r, want b'1'" % (where, md.plugin_data.content))
            raw = tensor_util.make_ndarray(events[-1].tensor_proto).item()
            check(raw.decode("utf-8") == g["json"], "%s keras graph: JSON differs" % where)
            graph_def = keras_util.keras_model_to_graph_def(json.loads(raw))
            names = [[n.name, list(n.input)] for n in graph_def.node]
            if "nodes" in g:
                check(names == g["nodes"], "%s keras graph: nodes %s, want %s" % (where, names, g["nodes"]))
            check(len(names) > 0, "%s keras graph: no nodes" % where)
            print("  %s: keras graph nodes %s" % (run, names))
    return acc


def check_plugin_accumulator(logdir, run, exp):
    where = "plugin_event_accumulator run %r" % run
    acc = plugin_event_accumulator.EventAccumulator(
        os.path.join(logdir, run),
        size_guidance=keep_all(plugin_event_accumulator.DEFAULT_SIZE_GUIDANCE),
        tensor_size_guidance={})
    acc.Reload()
    for tag, (kind, plugin, data_class) in kinds(exp).items():
        tagged = acc.PluginTagToContent(plugin) if plugin in acc.ActivePlugins() else {}
        if not check(tag in tagged, "%s: tag %r not under plugin %r" % (where, tag, plugin)):
            continue
        md = acc.SummaryMetadata(tag)
        check(md.data_class == data_class,
              "%s tag %r: data class %d, want %d" % (where, tag, md.data_class, data_class))
        n = {"scalar": lambda: len(exp["scalars"][tag]["steps"]),
             "histogram": lambda: len(exp["histograms"][tag]["steps"]),
             "text": lambda: len(exp["text"][tag]["steps"]),
             "graph": lambda: 1}[kind]()
        got = len(acc.Tensors(tag))
        check(got == n, "%s tag %r: %d points, want %d" % (where, tag, got, n))


def check_data_server(logdir, expect, accs):
    """The Rust data server, as `tensorboard --logdir` (load_fast) runs it."""
    try:
        from tensorboard import context
        from tensorboard.data import server_ingester
        from tensorboard.util import grpc_util
        binary = server_ingester.get_server_binary()
    except Exception as e:  # pylint: disable=broad-except
        print("SKIP data server: %s" % e)
        return
    ing = server_ingester.SubprocessServerDataIngester(
        binary, logdir, reload_interval=0,
        channel_creds_type=grpc_util.ChannelCredsType.LOCAL)
    ing.start()
    p = ing.data_provider
    ctx = context.RequestContext()
    big = 1000000

    def want_points():
        n = 0
        for exp in expect["runs"].values():
            n += sum(len(e["steps"]) for e in exp.get("scalars", {}).values())
            n += sum(len(e["steps"]) for e in exp.get("histograms", {}).values())
            n += sum(len(e["steps"]) for e in exp.get("text", {}).values())
        return n

    deadline = time.time() + 60
    while True:
        scalars = p.read_scalars(ctx, experiment_id="", plugin_name="scalars", downsample=big)
        hists = p.read_tensors(ctx, experiment_id="", plugin_name="histograms", downsample=big)
        texts = p.read_tensors(ctx, experiment_id="", plugin_name="text", downsample=big)
        got = sum(len(s) for r in (scalars, hists, texts) for tags in r.values() for s in tags.values())
        if got >= want_points() or time.time() > deadline:
            break
        time.sleep(0.2)
    blobs = p.read_blob_sequences(ctx, experiment_id="", plugin_name="graph_keras_model", downsample=big)
    where = "data server"
    runs = sorted(r.run_name for r in p.list_runs(ctx, experiment_id=""))
    check(runs == sorted(expect["runs"]), "%s: runs %s, want %s" % (where, runs, sorted(expect["runs"])))
    for run, exp in expect["runs"].items():
        w = "%s run %r" % (where, run)
        check(sorted(scalars.get(run, {})) == sorted(exp.get("scalars", {})),
              "%s: scalar tags %s, want %s" % (w, sorted(scalars.get(run, {})), sorted(exp.get("scalars", {}))))
        for tag, e in exp.get("scalars", {}).items():
            pts = scalars.get(run, {}).get(tag, [])
            check([d.step for d in pts] == e["steps"],
                  "%s tag %r: steps %s, want %s" % (w, tag, [d.step for d in pts], e["steps"]))
            for d, v in zip(pts, e["values"]):
                check(same32(d.value, float(v)), "%s tag %r step %d: value %r, want %s" % (w, tag, d.step, d.value, v))
        check(sorted(hists.get(run, {})) == sorted(exp.get("histograms", {})),
              "%s: histogram tags %s, want %s" % (w, sorted(hists.get(run, {})), sorted(exp.get("histograms", {}))))
        for tag, e in exp.get("histograms", {}).items():
            pts = hists.get(run, {}).get(tag, [])
            check([d.step for d in pts] == e["steps"], "%s tag %r: steps %s" % (w, tag, [d.step for d in pts]))
            ref = accs[run].Tensors(tag)
            for d, r in zip(pts, ref):
                check(np.array_equal(d.numpy, tensor_util.make_ndarray(r.tensor_proto)),
                      "%s tag %r step %d: served buckets differ from the file" % (w, tag, d.step))
        for tag, e in exp.get("text", {}).items():
            pts = texts.get(run, {}).get(tag, [])
            check([d.numpy.item().decode("utf-8") for d in pts] == e["texts"],
                  "%s tag %r: texts %s" % (w, tag, [d.numpy for d in pts]))
        if "graph" in exp:
            seq = blobs.get(run, {}).get("keras", [])
            if check(len(seq) == 1 and len(seq[0].values) == 1, "%s: keras graph blob sequence %s" % (w, seq)):
                blob = p.read_blob(ctx, blob_key=seq[0].values[0].blob_key)
                check(blob.decode("utf-8") == exp["graph"]["json"], "%s: keras graph blob differs" % w)
        elif run in blobs:
            check(False, "%s: unexpected keras graph" % w)
    print("  data server %s: checked" % binary.path)


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    logdir, expect_path = sys.argv[1], sys.argv[2]
    with open(expect_path) as f:
        expect = json.load(f)
    accs = {}
    for run, exp in sorted(expect["runs"].items()):
        accs[run] = check_accumulator(logdir, run, exp)
        check_plugin_accumulator(logdir, run, exp)
    check_data_server(logdir, expect, accs)
    for msg in failures:
        print("FAIL: " + msg)
    print("%s: %d checks, %d failed" % ("FAIL" if failures else "OK", checked["values"], len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

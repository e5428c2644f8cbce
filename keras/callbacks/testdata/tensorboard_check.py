#!/usr/bin/env python3
"""Check a log directory written by kerago's TensorBoard callback with
TensorBoard's own EventAccumulator.

usage: tensorboard_check.py LOGDIR EXPECT.json

EXPECT.json is written by tensorboard_python_test.go from the training loop
itself (History values, the optimizer's learning rate and iterations, the
batch logs), independently of the callback:

  {"runs": {RUN: {
      "scalars":    {TAG: {"steps": [...], "values": [...]}},
      "histograms": {TAG: {"steps": [...], "size": N}},
      "graph":      {"class_name": "Functional",
                     "nodes": {"model/layer": ["model/input", ...]}}
                    (optional)}}}

For every run directory the script loads the events with
event_accumulator.EventAccumulator (size guidance 0: keep every event) and
checks that:
  * the runs and the tags are exactly the expected ones;
  * every scalar is a rank-0 float32 tensor with the "scalars" plugin, and its
    steps and values equal the expectation (values to float32 precision);
  * every histogram is a [k, 3] tensor with the "histograms" plugin, at the
    expected steps, its buckets ordered and its counts summing to the
    weight's number of values;
  * the "keras" tensor of the graph_keras_model plugin (content b"1") is a
    JSON string that TensorBoard's graph plugin (keras_util) turns into a
    GraphDef with exactly the expected nodes and inputs.

Exit status 0 when everything matches, 1 otherwise (each mismatch printed).
"""

import json
import os
import sys

import numpy as np
from tensorboard.backend.event_processing import event_accumulator
from tensorboard.plugins.graph import keras_util
from tensorboard.util import tensor_util

failures = []
checked = {"scalars": 0, "histograms": 0, "graph_nodes": 0}


def fail(msg):
    failures.append(msg)


def check_run(logdir, run, want):
    ea = event_accumulator.EventAccumulator(
        os.path.join(logdir, run),
        size_guidance={event_accumulator.TENSORS: 0, event_accumulator.SCALARS: 0,
                       event_accumulator.HISTOGRAMS: 0, event_accumulator.GRAPH: 0},
    )
    ea.Reload()
    tags = ea.Tags()
    if tags.get("scalars") or tags.get("histograms"):
        fail("%s: unexpected v1 summaries %r %r" % (run, tags.get("scalars"), tags.get("histograms")))
    want_tags = set(want["scalars"]) | set(want["histograms"])
    if want.get("graph"):
        want_tags.add("keras")
    got_tags = set(tags.get("tensors", []))
    if got_tags != want_tags:
        fail("%s: tags %s, want %s" % (run, sorted(got_tags), sorted(want_tags)))

    for tag, series in sorted(want["scalars"].items()):
        if tag not in got_tags:
            continue
        md = ea.SummaryMetadata(tag)
        if md.plugin_data.plugin_name != "scalars":
            fail("%s/%s: plugin %r, want 'scalars'" % (run, tag, md.plugin_data.plugin_name))
        events = ea.Tensors(tag)
        steps = [e.step for e in events]
        if steps != series["steps"]:
            fail("%s/%s: steps %s, want %s" % (run, tag, steps, series["steps"]))
            continue
        for e, want_v in zip(events, series["values"]):
            arr = tensor_util.make_ndarray(e.tensor_proto)
            if arr.dtype != np.float32 or arr.shape != ():
                fail("%s/%s step %d: %s %s tensor, want a float32 scalar" % (run, tag, e.step, arr.dtype, arr.shape))
                continue
            if arr.item() != float(np.float32(want_v)):
                fail("%s/%s step %d: %r, want %r (float32 %r)" % (run, tag, e.step, arr.item(), want_v, float(np.float32(want_v))))
            checked["scalars"] += 1

    for tag, hist in sorted(want["histograms"].items()):
        if tag not in got_tags:
            continue
        md = ea.SummaryMetadata(tag)
        if md.plugin_data.plugin_name != "histograms":
            fail("%s/%s: plugin %r, want 'histograms'" % (run, tag, md.plugin_data.plugin_name))
        events = ea.Tensors(tag)
        steps = [e.step for e in events]
        if steps != hist["steps"]:
            fail("%s/%s: steps %s, want %s" % (run, tag, steps, hist["steps"]))
        for e in events:
            arr = tensor_util.make_ndarray(e.tensor_proto)
            if arr.ndim != 2 or arr.shape[1] != 3 or arr.shape[0] == 0:
                fail("%s/%s step %d: shape %s, want [k, 3]" % (run, tag, e.step, arr.shape))
                continue
            left, right, counts = arr[:, 0], arr[:, 1], arr[:, 2]
            if np.any(right < left) or np.any(left[1:] < right[:-1] - 1e-9 * np.abs(right[:-1])):
                fail("%s/%s step %d: buckets out of order %s" % (run, tag, e.step, arr.tolist()))
            if counts.sum() != hist["size"]:
                fail("%s/%s step %d: counts sum to %s, the weight has %d values" % (run, tag, e.step, counts.sum(), hist["size"]))
            checked["histograms"] += 1

    graph = want.get("graph")
    if graph:
        content = ea.PluginTagToContent("graph_keras_model")
        if content != {"keras": b"1"}:
            fail("%s: graph_keras_model content %r, want {'keras': b'1'}" % (run, content))
        events = ea.Tensors("keras") if "keras" in got_tags else []
        if [e.step for e in events] != [0]:
            fail("%s: keras graph at steps %s, want [0]" % (run, [e.step for e in events]))
        for e in events[:1]:
            raw = tensor_util.make_ndarray(e.tensor_proto).item()
            try:
                model = json.loads(raw)
            except ValueError as exc:
                fail("%s: the keras graph is not JSON: %s" % (run, exc))
                continue
            if model.get("class_name") != graph["class_name"]:
                fail("%s: class_name %r, want %r" % (run, model.get("class_name"), graph["class_name"]))
            gd = keras_util.keras_model_to_graph_def(model)
            got = {n.name: list(n.input) for n in gd.node}
            if got != graph["nodes"]:
                fail("%s: conceptual graph %s, want %s" % (run, got, graph["nodes"]))
            for n in gd.node:
                if not n.attr["keras_class"].s:
                    fail("%s: node %s has no keras_class" % (run, n.name))
            checked["graph_nodes"] += len(gd.node)


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    logdir, expect_path = sys.argv[1], sys.argv[2]
    with open(expect_path) as f:
        expect = json.load(f)
    runs = sorted(d for d in os.listdir(logdir) if os.path.isdir(os.path.join(logdir, d)))
    if runs != sorted(expect["runs"]):
        fail("runs %s, want %s" % (runs, sorted(expect["runs"])))
    for run, want in sorted(expect["runs"].items()):
        check_run(logdir, run, want)
    for msg in failures:
        print("FAIL:", msg)
    print("checked %(scalars)d scalar points, %(histograms)d histograms, %(graph_nodes)d graph nodes" % checked)
    if not failures and checked["scalars"] == 0:
        print("FAIL: nothing was checked")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Print the op graph of each run as TensorBoard itself reads it.

usage: opgraph_dump.py RUNDIR...

For every run directory, TensorBoard's EventAccumulator loads the events and
returns the run's GraphDef (Event.graph_def, parsed with TensorBoard's own
graph_pb2). The script prints one JSON object, {RUNDIR: {NODE: {"op": ...,
"inputs": [...], "shapes": [[...], ...], "dtype": ...}}}, which
tensorboard_graphdef_test.go compares with the model's layer graph.
"""

import json
import sys

from tensorboard.backend.event_processing import event_accumulator

DTYPES = {1: "float32", 2: "float64", 3: "int32", 9: "int64"}  # types.proto

out = {}
for run in sys.argv[1:]:
    ea = event_accumulator.EventAccumulator(run, size_guidance={event_accumulator.GRAPH: 0})
    ea.Reload()
    graph = ea.Graph()  # raises ValueError if the run has no graph
    nodes = {}
    for n in graph.node:
        if n.name in nodes:
            sys.exit("%s: node %s twice" % (run, n.name))
        shapes = [[d.size for d in s.dim] for s in n.attr["_output_shapes"].list.shape]
        nodes[n.name] = {
            "op": n.op,
            "inputs": list(n.input),
            "shapes": shapes,
            "dtype": DTYPES.get(n.attr["dtype"].type, ""),
        }
    out[run] = nodes
print(json.dumps(out))

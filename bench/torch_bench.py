"""Times the seed models in PyTorch, the same models, shapes, optimizers and losses as
kerago's BenchmarkSeed (keras/layers/seed_bench_test.go) and keras_bench.py. Debian's
python3-torch (apt-get install python3-torch) installs for Debian's own interpreter, so run
it with that one:

    /usr/bin/python3 bench/torch_bench.py --model mlp [--steps 20] [--warmup 3] [--threads 0]

prints one JSON line: the model, the mean ms per step over the timed steps (forward, loss,
backward, optimizer step; or a no-grad forward for the predict_* models) after the warm-up
steps, and the process's peak RSS. Convolutions run channels-first, PyTorch's layout; a
softmax head with categorical cross-entropy is cross_entropy on the logits, the same
arithmetic. bench/main.go (go run ./bench) drives it.
"""
import argparse
import json
import resource
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

VOCAB, T, DIM, F1, F2, DENSE, B = 5000, 200, 64, 64, 128, 128, 32


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                                 nn.Linear(128, 10))

    def forward(self, x):
        return self.net(x)


class QA(nn.Module):
    def __init__(self):
        super().__init__()
        self.et, self.eq = nn.Embedding(10000, 64), nn.Embedding(10000, 32)
        self.lt = nn.LSTM(64, 32, batch_first=True)
        self.lq = nn.LSTM(32, 16, batch_first=True)
        self.out = nn.Linear(48, 500)

    def forward(self, text, question):
        _, (ht, _) = self.lt(self.et(text))
        _, (hq, _) = self.lq(self.eq(question))
        return self.out(torch.cat([ht[0], hq[0]], dim=-1))


class ConvTrunk(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, DIM)
        self.c1, self.c2, self.c3 = nn.Conv1d(DIM, F1, 5), nn.Conv1d(F1, F2, 5), nn.Conv1d(F2, F2, 5)
        self.dense = nn.Linear(F2, DENSE)

    def forward(self, ids):
        x = self.emb(ids).transpose(1, 2)  # (B, C, T)
        x = F.max_pool1d(F.relu(self.c1(x)), 5)
        x = F.max_pool1d(F.relu(self.c2(x)), 5)
        x = F.relu(self.c3(x)).amax(dim=2)
        return F.relu(self.dense(x))


class Conv1D(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk, self.head = ConvTrunk(), nn.Linear(DENSE, 1)

    def forward(self, ids):
        return self.head(self.trunk(ids))


class ThreeOutputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = ConvTrunk()
        self.age, self.income, self.gender = nn.Linear(DENSE, 1), nn.Linear(DENSE, 10), nn.Linear(DENSE, 1)

    def forward(self, ids):
        h = self.trunk(ids)
        return self.age(h), self.income(h), self.gender(h)


class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv2d(3 if i == 0 else 16, 16, 3, padding=1) for i in range(5)])
        self.out = nn.Linear(16, 10)

    def forward(self, x):
        c = [lambda h, i=i: F.relu(self.convs[i](h)) for i in range(5)]
        x = c[0](x)
        x = c[2](c[1](x)) + x
        x = F.max_pool2d(x, 2)
        x = c[4](c[3](x)) + x
        return self.out(x.mean(dim=(2, 3)))


def one_hot(rng, rows, classes):
    y = np.zeros((rows, classes), np.float32)
    y[np.arange(rows), rng.integers(0, classes, rows)] = 1
    return torch.from_numpy(y)


def ids(rng, rows, steps, vocab):
    return torch.from_numpy(rng.integers(1, vocab, (rows, steps)).astype(np.int64))


def adam(p):
    return torch.optim.Adam(p, lr=1e-3, eps=1e-7)


def setup(name, rng):
    """Returns (model, inputs, loss function of the outputs, optimizer factory)."""
    if name.startswith("predict_mlp") or name == "mlp":
        batch = 1 if name == "predict_mlp_b1" else 128
        x = torch.from_numpy(rng.random((batch, 784), dtype=np.float32))
        y = one_hot(rng, batch, 10)
        return MLP(), (x,), lambda o: F.cross_entropy(o, y), adam
    if name == "qa":
        y = one_hot(rng, 32, 500)
        return QA(), (ids(rng, 32, 100, 10000), ids(rng, 32, 20, 10000)), lambda o: F.cross_entropy(o, y), adam
    if name == "conv1d":
        y = torch.from_numpy((np.arange(B) % 3 - 1).astype(np.float32).reshape(B, 1))
        return Conv1D(), (ids(rng, B, T, VOCAB),), lambda o: F.mse_loss(o, y), \
            lambda p: torch.optim.SGD(p, lr=0.01)
    if name == "three_outputs":
        age = torch.from_numpy(rng.random((B, 1), dtype=np.float32))
        income = one_hot(rng, B, 10)
        gender = torch.from_numpy(rng.integers(0, 2, (B, 1)).astype(np.float32))

        def loss(o):
            return (0.25 * F.mse_loss(o[0], age) + F.cross_entropy(o[1], income)
                    + 10 * F.binary_cross_entropy_with_logits(o[2], gender))
        return ThreeOutputs(), (ids(rng, B, T, VOCAB),), loss, \
            lambda p: torch.optim.RMSprop(p, lr=1e-3, alpha=0.9, eps=1e-7)
    if name == "residual_conv2d":
        x = torch.from_numpy(rng.random((32, 3, 16, 16), dtype=np.float32))
        y = one_hot(rng, 32, 10)
        return Residual(), (x,), lambda o: F.cross_entropy(o, y), adam
    raise SystemExit(f"unknown model {name}")


MODELS = ["mlp", "qa", "conv1d", "three_outputs", "residual_conv2d", "predict_mlp_b1", "predict_mlp_b128"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True, choices=MODELS)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0, help="torch threads; 0 leaves PyTorch's default")
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model, inputs, loss_fn, make_opt = setup(a.model, np.random.default_rng(1))
    if a.model.startswith("predict_"):
        model.eval()

        def step():
            with torch.no_grad():
                F.softmax(model(*inputs), dim=-1)
    else:
        opt = make_opt(model.parameters())

        def step():
            opt.zero_grad()
            loss = loss_fn(model(*inputs))
            loss.backward()
            opt.step()
    for _ in range(a.warmup):
        step()
    start = time.perf_counter()
    for _ in range(a.steps):
        step()
    ms = (time.perf_counter() - start) * 1000 / a.steps
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"framework": "pytorch", "model": a.model, "ms_per_step": ms, "peak_rss_mb": rss,
                      "steps": a.steps, "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()

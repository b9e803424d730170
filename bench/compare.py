"""The tutorial's MLP and CNN in Keras 3 and in PyTorch, on the CPU, trained
exactly as the Go bench trains them (same data, batch 200, last 20% for
validation), for bench/compare.sh.

    python bench/compare.py train keras|torch mlp|mlp-dropout|cnn|deep-cnn EPOCHS MNIST_FOLDER [SEED]
        prints one JSON line: seconds per epoch (median of epochs 2..N), test accuracy
    python bench/compare.py table < results.jsonl
        prints the side-by-side table: each row's time ratio to PyTorch, peak
        memory (when bench/peakmem.py measured it) and share of the CPU's peak
"""

import gzip
import json
import os
import statistics
import sys
import time

import numpy as np

BATCH, SPLIT = 200, 0.2


def load_mnist(folder):
    """The four IDX .gz files (as mnistlib's cache keeps them) or Keras' mnist.npz."""
    npz = os.path.join(folder, "mnist.npz")
    if os.path.exists(npz):
        with np.load(npz) as f:
            return f["x_train"], f["y_train"], f["x_test"], f["y_test"]

    def idx(name, offset):
        with gzip.open(os.path.join(folder, name + ".gz")) as f:
            return np.frombuffer(f.read(), np.uint8, offset=offset)

    x_train = idx("train-images-idx3-ubyte", 16).reshape(-1, 28, 28)
    x_test = idx("t10k-images-idx3-ubyte", 16).reshape(-1, 28, 28)
    return x_train, idx("train-labels-idx1-ubyte", 8), x_test, idx("t10k-labels-idx1-ubyte", 8)


def prepare(kind, folder):
    """The tutorial's preprocessing: flatten (MLP) or 28×28×1 (CNN), /255, one-hot."""
    x_train, y_train, x_test, y_test = load_mnist(folder)
    shape = (-1, 784) if kind.startswith("mlp") else (-1, 28, 28, 1)
    x_train = x_train.reshape(shape).astype("float32") / 255
    x_test = x_test.reshape(shape).astype("float32") / 255
    return x_train, np.eye(10, dtype="float32")[y_train], x_test, np.eye(10, dtype="float32")[y_test]


def train_keras(kind, epochs, data, seed):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras
    from keras import layers

    keras.utils.set_random_seed(seed)
    normal = "random_normal"  # Keras 2's 'normal': stddev 0.05
    if kind.startswith("mlp"):
        model = keras.Sequential([
            keras.Input((784,)),
            layers.Dense(256, kernel_initializer=normal, activation="relu"),
            *([layers.Dropout(0.5)] if kind == "mlp-dropout" else []),
            layers.Dense(10, kernel_initializer=normal, activation="softmax"),
        ])
    elif kind == "deep-cnn":  # notebook 08's two blocks, mnistlib.TutorialDeepCNN
        model = keras.Sequential([
            keras.Input((28, 28, 1)),
            layers.Conv2D(16, (5, 5), padding="same", activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Dropout(0.25),
            layers.Conv2D(36, (5, 5), padding="same", activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Dropout(0.25),
            layers.Flatten(),
            layers.Dense(128, kernel_initializer=normal, activation="relu"),
            layers.Dropout(0.5),
            layers.Dense(10, kernel_initializer=normal, activation="softmax"),
        ])
    else:
        model = keras.Sequential([
            keras.Input((28, 28, 1)),
            layers.Conv2D(16, (5, 5), padding="same", activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Flatten(),
            layers.Dense(128, kernel_initializer=normal, activation="relu"),
            layers.Dropout(0.5),
            layers.Dense(10, kernel_initializer=normal, activation="softmax"),
        ])
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    times = []

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.start)

    x, y, x_test, y_test = data
    model.fit(x, y, validation_split=SPLIT, epochs=epochs, batch_size=BATCH, verbose=2, callbacks=[Timer()])
    _, acc = model.evaluate(x_test, y_test, batch_size=500, verbose=0)
    return f"keras {keras.__version__} ({keras.backend.backend()})", times, acc


def train_torch(kind, epochs, data, seed):
    import torch
    from torch import nn

    torch.manual_seed(seed)
    if kind == "mlp":
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    elif kind == "mlp-dropout":
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, 10))
    elif kind == "deep-cnn":  # channels first, as PyTorch wants
        model = nn.Sequential(nn.Conv2d(1, 16, 5, padding="same"), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25),
                              nn.Conv2d(16, 36, 5, padding="same"), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25),
                              nn.Flatten(), nn.Linear(36 * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10))
    else:
        model = nn.Sequential(nn.Conv2d(1, 16, 5, padding="same"), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                              nn.Linear(16 * 14 * 14, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10))
    for m in model:
        if isinstance(m, nn.Linear):  # Keras' 'normal' initializer, zero biases
            nn.init.normal_(m.weight, std=0.05)
            nn.init.zeros_(m.bias)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()  # softmax + categorical cross-entropy on the logits

    x, y, x_test, y_test = (torch.from_numpy(a) for a in data)
    if not kind.startswith("mlp"):
        x, x_test = x.permute(0, 3, 1, 2).contiguous(), x_test.permute(0, 3, 1, 2).contiguous()
    y, y_test = y.argmax(1), y_test.argmax(1)
    n_train = int(len(x) * (1 - SPLIT))
    x, x_val, y, y_val = x[:n_train], x[n_train:], y[:n_train], y[n_train:]

    def accuracy(xs, ys):
        model.eval()
        with torch.no_grad():
            hits = sum((model(xs[i:i + 500]).argmax(1) == ys[i:i + 500]).sum().item() for i in range(0, len(xs), 500))
        return hits / len(xs)

    times = []
    for epoch in range(epochs):
        start = time.perf_counter()
        model.train()
        for batch in torch.randperm(n_train).split(BATCH):
            opt.zero_grad()
            loss = loss_fn(model(x[batch]), y[batch])
            loss.backward()
            opt.step()
        val = accuracy(x_val, y_val)
        times.append(time.perf_counter() - start)
        print(f"Epoch {epoch + 1}/{epochs} - {times[-1]:.1f}s - loss: {loss.item():.4f} - val_accuracy: {val:.4f}",
              file=sys.stderr)
    return f"pytorch {torch.__version__} ({torch.get_num_threads()} threads)", times, accuracy(x_test, y_test)


def train(framework, kind, epochs, folder, seed=1):
    data = prepare(kind, folder)
    run = train_keras if framework == "keras" else train_torch
    name, times, acc = run(kind, epochs, data, seed)
    seconds = statistics.median(times[1:] if len(times) > 1 else times)
    print(json.dumps({"Model": kind, "Backend": name, "Seed": seed, "SecondsPerEpoch": seconds, "TestAccuracy": acc}))


def table(rows):
    """One row per run, as bench/RESULTS.md's one-run table: the time ratio to
    PyTorch, peak memory (bench/peakmem.py), the share of the CPU's arithmetic
    peak (bench/flops.py), and the overhead per training step: the step's time
    less what its FLOPs would take at that peak. A row named MODEL+AUGMENT
    (GoMLX with notebook 10's augmentation) does the same arithmetic as MODEL,
    its feed the extra work; its × column is against MODEL in PyTorch, plain."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import flops

    lanes, ghz = flops.cpuinfo()
    cores = os.cpu_count()
    peak = flops.cpu_peak(cores, ghz, lanes, 2)
    print(f"CPU peak assumed: {cores} cores x {lanes} fp32 lanes x 2 (FMA) x 2 FMA units x {ghz:.2f} GHz = {peak:.1f} GFLOP/s\n")
    torch = {r["Model"]: r["SecondsPerEpoch"] for r in rows if r["Backend"].startswith("pytorch")}
    order = ["mlp", "cnn", "deep-cnn"]
    base = lambda r: r["Model"].split("+")[0]
    print("| model | framework / backend | s/epoch (median of epochs 2..N) | × PyTorch | test accuracy | peak memory | GFLOP/s | share of the CPU's fp32 peak | overhead per step |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in sorted(rows, key=lambda r: order.index(base(r)) if base(r) in order else len(order)):
        s, model = r["SecondsPerEpoch"], base(r)
        ratio = s / torch[model] if model in torch else float("nan")
        work = flops.flops_per_epoch(model) / 1e9
        overhead_ms = 1e3 * (s - work / peak) / flops.STEPS
        mem = f"{r['PeakMiB']:.0f} MiB" if "PeakMiB" in r else "?"
        print(f"| {r['Model']} | {r['Backend']} | {s:.2f} | {ratio:.2f} | {r['TestAccuracy']:.4f} | {mem} | {work / s:.1f} | "
              f"{100 * work / s / peak:.1f}% | {overhead_ms:.1f} ms |")


if __name__ == "__main__":
    if sys.argv[1:2] == ["table"]:
        table([json.loads(line) for line in sys.stdin if line.strip().startswith("{")])
    else:
        train(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], int(sys.argv[6]) if len(sys.argv) > 6 else 1)

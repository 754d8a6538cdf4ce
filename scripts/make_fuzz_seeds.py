#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz tests (src/test/resources/dev/kora4j/**/<Test>Inputs/<method>/):
valid inputs of each kind a parser reads, and the malformed ones of test-data/bad/. Run by hand from
the repository root; standard library only; re-running gives identical bytes. The fuzz tests replay
these seeds in every test run and start from them when fuzzing.
"""
import gzip
import json
import os
import struct
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BAD = os.path.join(ROOT, "test-data", "bad")
GOLDEN = os.path.join(ROOT, "test-data", "golden")
RESOURCES = os.path.join(ROOT, "src", "test", "resources", "dev", "kora4j")
sys.path.insert(0, BAD)
import make_bad  # noqa: E402  (re-writes test-data/bad identically; its helpers are reused here)


def seeds(package, test, method):
    """The seed folder of one fuzz test, emptied except for found-* files: inputs that fuzzing found
    (Jazzer's crash-* reproducers, renamed), kept as regression cases."""
    path = os.path.join(RESOURCES, package, test + "Inputs", method)
    os.makedirs(path, exist_ok=True)
    for name in os.listdir(path):
        if not name.startswith("found-"):
            os.remove(os.path.join(path, name))

    def put(name, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        with open(os.path.join(path, name), "wb") as f:
            f.write(data)
    return put


def read(*parts):
    with open(os.path.join(*parts), "rb") as f:
        return f.read()


def copy_all(put, folder, prefix=""):
    for name in sorted(os.listdir(folder)):
        if os.path.isfile(os.path.join(folder, name)):
            put(prefix + name, read(folder, name))


def parts(first, second, flags=None):
    """FuzzParts: a 4-byte big-endian length, the first file, the second (after a flag byte if given)."""
    head = b"" if flags is None else bytes([flags])
    return head + struct.pack(">I", len(first)) + first + second


# ---------------------------------------------------------------- safetensors

put = seeds("io", "SafetensorsFuzzTest", "openAndReadAll")
copy_all(put, os.path.join(BAD, "safetensors"), "bad-")
e = make_bad.entry
values = {  # dtype: (shape, bytes)
    "F64": ([1], struct.pack("<d", 2.5)),
    "I64": ([2], struct.pack("<2q", -1, 7)),
    "F32": ([2, 2], make_bad.f32(1, -2, 0.5, 3)),
    "I32": ([2], struct.pack("<2i", -3, 4)),
    "BF16": ([2], b"\x80\x3f\x00\xc0"),
    "F16": ([3], b"\x00\x3c\x00\xc0\x00\x7c"),
    "I16": ([1], b"\x01\x00"),
    "U8": ([3], b"\x00\x7f\xff"),
    "I8": ([1], b"\x80"),
    "BOOL": ([2], b"\x00\x01"),
    "F4": ([2], b"\x21"),
}
header, data = {"__metadata__": {"format": "pt"}}, b""
for dtype, (shape, raw) in values.items():
    header["t_" + dtype.lower()] = e(dtype, shape, len(data), len(data) + len(raw))
    data += raw
header["scalar"] = e("F32", [], len(data), len(data) + 4)
data += make_bad.f32(9)
header["empty"] = e("F32", [0, 3], len(data), len(data))
put("every-dtype.safetensors", make_bad.st(header, data))
for dtype, (shape, raw) in values.items():
    put("one-" + dtype.lower() + ".safetensors", make_bad.st({"x": e(dtype, shape, 0, len(raw))}, raw))
padded = json.dumps({"__metadata__": {"format": "pt"}, "w": e("F32", [2], 0, 8)}, separators=(",", ":"))
padded += " " * (-(8 + len(padded)) % 8)
put("padded-header.safetensors", make_bad.st(padded, make_bad.f32(1, 2)))
put("no-tensors.safetensors", make_bad.st("{}"))
put("golden-batch.safetensors", read(GOLDEN, "lora_head", "batch.safetensors"))

# ---------------------------------------------------------------- config.json and adapter_config.json

put = seeds("nn", "ViTConfigFuzzTest", "read")
copy_all(put, os.path.join(BAD, "config"), "bad-")
for case in sorted(os.listdir(GOLDEN)):
    if os.path.isfile(os.path.join(GOLDEN, case, "config.json")):
        put("golden-" + case + ".json", read(GOLDEN, case, "config.json"))
put("named-base.json", '{"architecture": "vit_base_patch16_224"}')
put("img-size-list.json", '{"architecture": "vit_small_patch16_224", "num_classes": 10, '
                          '"model_args": {"img_size": [32, 32], "patch_size": 8, "qkv_bias": false, "mlp_ratio": 2.5}}')

put = seeds("peft", "AdapterConfigFuzzTest", "read")
for name in sorted(os.listdir(os.path.join(BAD, "adapter"))):
    if name.endswith(".json"):
        put("bad-" + name, read(BAD, "adapter", name))
for case in sorted(os.listdir(GOLDEN)):
    if os.path.isfile(os.path.join(GOLDEN, case, "adapter_config.json")):
        put("golden-" + case + ".json", read(GOLDEN, case, "adapter_config.json"))
copy_all(put, os.path.join(ROOT, "test-data", "demo", "methods"), "demo-")
put("regex-targets.json", '{"peft_type": "LORA", "r": 2, "target_modules": ".*\\\\.(qkv|fc1)$", "use_rslora": true, '
                          '"lora_dropout": 0.1, "modules_to_save": ["head"], "init_lora_weights": true, "rank_pattern": {}}')

# ---------------------------------------------------------------- CIFAR-100, IDX, Tiny ImageNet

put = seeds("data", "CifarBinaryFuzzTest", "open")
put("one-record.bin", make_bad.cifar_record(3, 15, 40))
put("two-records.bin", make_bad.cifar_record(19, 99, 0) + make_bad.cifar_record(0, 0, 255))
for case in sorted(os.listdir(os.path.join(BAD, "cifar100"))):
    put("bad-" + case + ".bin", read(BAD, "cifar100", case, "train.bin"))


def idx(magic, dims, payload):
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in dims) + payload


put = seeds("data", "IdxDatasetFuzzTest", "open")
images = idx(0x803, [3, 2, 2], bytes(range(0, 240, 20)))
labels = idx(0x801, [3], b"\x00\x01\x02")
put("plain.bin", parts(images, labels, flags=0))
put("gzip.bin", parts(gzip.compress(images, mtime=0), gzip.compress(labels, mtime=0), flags=3))
put("bad-magic.bin", parts(idx(0x802, [3, 2, 2], bytes(12)), labels, flags=0))
put("bad-count.bin", parts(images, idx(0x801, [2], b"\x00\x01"), flags=0))
put("bad-huge-declared.bin", parts(idx(0x803, [65536, 256, 128], b""), labels, flags=0))
put("bad-declares-2e9.bin", parts(idx(0x803, [2000000000, 1, 1], b""), labels, flags=0))
put("bad-zero-rows.bin", parts(idx(0x803, [3, 0, 5], b""), labels, flags=0))

put = seeds("data", "TinyImageNetFuzzTest", "open")
wnids = b"n02124075\nn01443537\n"
put("two-classes.bin", parts(wnids, b"val_0.JPEG\tn02124075\t0\t0\t7\t7\nval_1.JPEG\tn01443537\t1\t2\t3\t4\n"
                                     b"val_2.JPEG\tn02124075\t0\t0\t7\t7\nval_3.JPEG\tn01443537\t0\t0\t7\t7\n"))
put("unknown-wnid.bin", parts(wnids, b"val_0.JPEG\tn09999999\t0\t0\t7\t7\n"))
put("malformed-line.bin", parts(wnids, b"val_0.JPEG n02124075 0 0 7 7\n"))
put("duplicate-wnid.bin", parts(b"n1\nn1\n", b""))

# ---------------------------------------------------------------- images


def png(width, height, colour, depth, rows, palette=None, interlace=0):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, interlace))
    if palette:
        out += chunk(b"PLTE", palette)
    out += chunk(b"IDAT", zlib.compress(b"".join(b"\x00" + r for r in rows), 9))
    return out + chunk(b"IEND", b"")


put = seeds("data", "ImageDecoderFuzzTest", "decode")
put("grey.jpg", make_bad.jpeg(16, 8))
put("colour.jpg", make_bad.jpeg(8, 16, components=3))
put("cmyk.jpg", make_bad.jpeg(8, 8, components=4, adobe=0))
put("ycck.jpg", make_bad.jpeg(8, 8, components=4, adobe=2))
put("rgb.png", png(2, 2, 2, 8, [b"\xff\x00\x00\x00\xff\x00", b"\x00\x00\xff\x10\x20\x30"]))
put("grey.png", png(3, 1, 0, 8, [b"\x00\x80\xff"]))
put("grey16.png", png(1, 2, 0, 16, [b"\x80\x00", b"\xff\xff"]))
put("palette.png", png(2, 1, 3, 8, [b"\x00\x01"], palette=b"\x00\x00\x00\xc8\x64\x32"))
put("rgba.png", png(1, 1, 6, 8, [b"\xc0\x80\x20\x40"]))
put("interlaced.png", png(1, 1, 2, 8, [b"\x01\x02\x03"], interlace=1))
for name in ("truncated.jpg", "empty.jpg", "not-an-image.jpg"):
    put("bad-" + name, read(BAD, "images", name))
print("seeds written under", os.path.relpath(RESOURCES, ROOT))

#!/usr/bin/env python3
"""Writes the malformed-file corpus of test-data/bad/ and its cases.json (run by hand; re-running
gives identical bytes). Standard library only: the safetensors, CIFAR and IDX files are written byte
by byte, and the JPEGs by a tiny baseline encoder below (flat 8x8 blocks, one-symbol Huffman tables).

Each case: a file or folder, the commands that read it (see README.md), and a text its one-line
error must contain. BadFilesTest runs them all through the CLI.
"""
import json
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = []


def case(path, commands, error, why):
    CASES.append({"file": path, "commands": commands, "error": error, "why": why})


def write(rel, data):
    path = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(path, "wb") as f:
        f.write(data)


# ---------------------------------------------------------------- safetensors


def st(header, data=b"", prefix=None):
    """A safetensors file: 8-byte little-endian header length, the header, the data."""
    if isinstance(header, (dict, list)):
        header = json.dumps(header, separators=(",", ":"))
    if isinstance(header, str):
        header = header.encode("utf-8")
    n = len(header) if prefix is None else prefix
    return struct.pack("<Q", n) + header + data


def f32(*values):
    return struct.pack("<%df" % len(values), *values)


def entry(dtype, shape, begin, end):
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


ST = ["inspect", "parity --weights"]


def st_case(name, data, error, why):
    path = "safetensors/" + name + ".safetensors"
    write(path, data)
    case(path, ST, error, why)


st_case("empty", b"", "is 0 bytes long, too short", "a file of 0 bytes")
st_case("too-short", b"\x10\x00\x00\x00\x00", "is 5 bytes long, too short", "fewer than the 8 bytes of the header length")
st_case("header-over-limit", st("{}", prefix=100_000_001), "over the limit of 100000000 bytes, the format's maximum",
        "header length over the reader's 100,000,000-byte limit")
st_case("header-length-u64-max", st("{}", prefix=2**64 - 1), "18446744073709551615 (bytes 0-7) is over",
        "header length 2^64-1, read unsigned")
st_case("header-past-end", st("{}", prefix=1000), "runs past the end of the file",
        "header length beyond the end of the file")
st_case("not-utf8", st(b'{"\xff\xfe":{}}'), "is not valid UTF-8", "header bytes that are not UTF-8")
st_case("not-json", st('{"w":{"dtype":"F32",'), "header is not valid JSON", "header that is not JSON")
st_case("not-an-object", st("[1,2,3]"), "header is an array, not a JSON object", "header that is JSON but not an object")
st_case("duplicate-key", st('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
                            '"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', f32(1)),
        "has the key 'w' twice", "the same tensor name twice")
st_case("bad-dtype", st({"w": entry("F31", [1], 0, 4)}, f32(1)), "unknown dtype 'F31'", "a dtype that does not exist")
st_case("shape-float", st('{"w":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}}', f32(1, 2)),
        "shape[0] is written as a floating-point number", "a shape entry that is not an integer")
st_case("shape-string", st({"w": entry("F32", ["2"], 0, 8)}, f32(1, 2)), "shape[0] is a string",
        "a shape entry that is a string")
st_case("shape-negative", st({"w": entry("F32", [-2], 0, 8)}, f32(1, 2)), "shape[0] is negative", "a negative dimension")
st_case("offset-float", st('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8.5]}}', f32(1, 2)),
        "data_offsets[1] is written as a floating-point number", "an offset that is not an integer")
st_case("offset-over-2-48", st({"w": entry("F32", [2], 0, 2**48)}, f32(1, 2)), "over the format's limit of 2^48-1",
        "an offset over the JSON schema's bound")
st_case("offsets-one-entry", st({"w": {"dtype": "F32", "shape": [2], "data_offsets": [8]}}, f32(1, 2)),
        "data_offsets has 1 entry, expected 2", "data_offsets without an end")
st_case("unknown-field", st({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4], "scale": 2}}, f32(1)),
        "unknown field 'scale'", "an entry field the format does not define")
st_case("end-before-begin", st({"w": entry("F32", [0], 8, 0)}, f32(1, 2)), "end before they begin", "END < BEGIN")
st_case("gap", st({"w": entry("F32", [1], 4, 8)}, f32(1, 2)), "leave a gap", "bytes that belong to no tensor")
st_case("overlap", st({"a": entry("F32", [2], 0, 8), "b": entry("F32", [2], 4, 12)}, f32(1, 2, 3)),
        "overlap tensor 'a'", "two tensors sharing bytes")
st_case("size-mismatch", st({"w": entry("F32", [2], 0, 12)}, f32(1, 2, 3)), "span 12 bytes but F32 [2] needs 8",
        "offsets that disagree with dtype and shape")
st_case("partial-byte", st({"w": entry("F4", [3], 0, 2)}, b"\x00\x00"), "not a whole number of bytes",
        "a 4-bit dtype with an odd element count")
st_case("trailing-bytes", st({"w": entry("F32", [1], 0, 4)}, f32(1) + b"PK\x03\x04"), "trailing bytes are not allowed",
        "bytes after the last tensor (a polyglot file)")
st_case("cut-short", st({"w": entry("F32", [4], 0, 16)}, f32(1, 2)), "the file is cut short", "data shorter than the header says")
st_case("huge-declared-tensor", st({"w": entry("F32", [2**40], 0, 2**42)}, f32(1)),
        "declares 1099511627776 elements, over the limit of 1073741824 (kora.limits.tensorElements",
        "a tensor of 2^40 elements declared in a 60-byte file")
st_case("size-overflows", st({"w": entry("F64", [2**40, 2**40], 0, 8)}, f32(1, 2)), "overflows 64 bits",
        "a shape whose byte size overflows 64 bits")
st_case("name-with-line-break", st({"line\nbreak": entry("F31", [1], 0, 4)}, f32(1)), "tensor 'line\\nbreak': unknown dtype",
        "a tensor name holding a line break, shown escaped so that the error stays one line")
st_case("metadata-not-string", st({"__metadata__": {"format": 1}}), "metadata values must be strings",
        "a __metadata__ value that is not a string")

# ---------------------------------------------------------------- model configs

MODEL = "parity --model"


def config(name, text, error, why):
    path = "config/" + name + ".json"
    write(path, text)
    case(path, [MODEL], error, why)


def vit(**args):
    return json.dumps({"architecture": "vit_tiny_patch16_224", "num_classes": 7,
                       "model_args": dict({"img_size": 16, "patch_size": 4, "embed_dim": 20, "depth": 2,
                                           "num_heads": 2, "mlp_ratio": 2.0}, **args)}, indent=2) + "\n"


config("depth-1e9", vit(depth=10**9), "depth 1000000000 is over the limit of 256 (kora.limits.modelDepth",
       "absurd depth: 10^9 blocks")
config("embed-dim-not-divisible", vit(embed_dim=20, num_heads=3), "embed_dim 20 is not divisible by num_heads 3",
       "heads that do not split the width")
config("huge-model", vit(embed_dim=16384, num_heads=16, depth=256, mlp_ratio=1.0),
       "parameters, over the limit of 2000000000 (kora.limits.modelParameters",
       "every size within its cap, but 4e11 parameters in all")
config("depth-float", vit(depth=2.0), "depth must be an integer", "a depth written as 2.0")
config("unknown-architecture", '{"architecture": "vit_gigantic_patch14_224"}\n', "'vit_gigantic_patch14_224' is unknown",
       "an architecture timm's hub does not name")
config("not-json", '{"architecture": "vit_tiny_patch16_224",\n', "not valid JSON at line", "a config cut short")
config("not-utf8", b'{"architecture": "vit_tiny_\xff"}\n', "is not UTF-8 text", "a config that is not UTF-8")

# ---------------------------------------------------------------- adapters

AC = "parity --adapter-config"


def adapter_config(name, text, error, why):
    path = "adapter/" + name + ".json"
    write(path, text)
    case(path, [AC], error, why)


adapter_config("for-another-model", json.dumps({"peft_type": "LORA", "r": 8, "lora_alpha": 16,
                                                 "target_modules": ["q_proj", "v_proj"], "task_type": "CAUSAL_LM"},
                                                indent=2, sort_keys=True) + "\n",
               "for-another-model.json: target_modules [q_proj, v_proj] match no module of the model",
               "a LoRA config made for a language model")
adapter_config("unknown-peft-type", '{"peft_type": "IA3", "target_modules": ["qkv"]}\n', "'IA3' is not one of",
               "a PEFT method kora4j does not implement")
adapter_config("rank-zero", '{"peft_type": "LORA", "r": 0, "target_modules": ["qkv"]}\n', "r must be between 1 and",
               "rank 0")
adapter_config("lora-bias", '{"peft_type": "LORA", "r": 4, "target_modules": ["attn.qkv"], "lora_bias": true}\n',
               "lora_bias is not supported (must be false)", "PEFT's lora_bias (a trained bias beside B), not implemented")
adapter_config("trainable-tokens", '{"peft_type": "LORA", "r": 4, "target_modules": ["attn.qkv"], "trainable_token_indices": [3]}\n',
               "trainable_token_indices is not supported (must be null)", "PEFT's trainable tokens, for language models")
adapter_config("targets-a-layernorm", '{"peft_type": "LORA", "r": 4, "target_modules": ["norm1"]}\n',
               "select blocks.0.norm1, a LayerNorm; LoRA goes on Linear and Conv2d layers",
               "a target that is neither a Linear nor a Conv2d, which PEFT refuses too")
adapter_config("layers-with-a-regex", '{"peft_type": "LORA", "r": 4, "target_modules": ".*qkv", "layers_to_transform": [0]}\n',
               "layers_to_transform cannot be used when target_modules is a string",
               "layer selection with a regex target, which PEFT refuses too")

# The golden lora_head adapter's tensors, shaped for a ViT of width 32 instead of 20 (zeros: only the
# shapes matter, and they keep the file small).
with open(os.path.join(HERE, "..", "golden", "lora_head", "adapter.safetensors"), "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    golden = json.loads(f.read(n))
WIDER = {20: 32, 60: 96, 40: 64}
header, offset = {"__metadata__": {"format": "pt"}}, 0
for name in sorted(k for k in golden if k != "__metadata__"):
    shape = [WIDER.get(d, d) for d in golden[name]["shape"]]
    size = 4 * shape[0] * (shape[1] if len(shape) > 1 else 1)
    header[name] = entry("F32", shape, offset, offset + size)
    offset += size
write("adapter/for-width-32.safetensors", st(header, bytes(offset)))
case("adapter/for-width-32.safetensors", ["parity --adapter"], "has shape [4,32] but the model expects [4,20]",
     "the LoRA tensors of a width-32 ViT given to a width-20 model")

# ---------------------------------------------------------------- CIFAR-100

RECORD = 3074


def cifar_record(coarse, fine, value):
    return bytes([coarse, fine]) + bytes([value]) * (RECORD - 2)


TRAIN_CIFAR = "train --data cifar100"
two = cifar_record(3, 15, 10) + cifar_record(4, 20, 200)
write("cifar100/truncated/train.bin", two + cifar_record(5, 25, 90)[:1000])
case("cifar100/truncated", [TRAIN_CIFAR], "1000 bytes after the last whole record",
     "train.bin cut short in its third record")
write("cifar100/oversized-records/train.bin", b"".join(cifar_record(1, 5, 7) + b"\x00" * 6 for _ in range(3)))
case("cifar100/oversized-records", [TRAIN_CIFAR], "18 bytes after the last whole record",
     "three records of 3080 bytes instead of 3074")
write("cifar100/cifar10-layout/train.bin", b"".join(bytes([k % 10]) + bytes([k]) * 3072 for k in range(3)))
case("cifar100/cifar10-layout", [TRAIN_CIFAR], "3 records of 3073 bytes, CIFAR-10's layout",
     "three CIFAR-10 records (3073 bytes: one label, no coarse label)")
write("cifar100/fine-label-out-of-range/train.bin", two + cifar_record(2, 117, 0))
case("cifar100/fine-label-out-of-range", [TRAIN_CIFAR], "fine label 117 is out of range 0..99", "a fine label over 99")
write("cifar100/empty/train.bin", b"")
case("cifar100/empty", [TRAIN_CIFAR], "empty file (0 bytes)", "a zero-byte train.bin")

# ---------------------------------------------------------------- JPEG


def jpeg(width, height, cut=None, components=1, adobe=None):
    """A baseline JPEG of flat mid-level 8x8 blocks: 1 component (grey), 3 (YCbCr) or 4 (with an
    Adobe APP14 segment whose transform is `adobe`: 0 CMYK, 2 YCCK). Both Huffman tables hold one
    symbol (DC difference category 0, AC end-of-block), coded "0", so every block is the bits 00."""
    def segment(marker, body):
        return struct.pack(">BBH", 0xFF, marker, len(body) + 2) + body
    blocks = ((width + 7) // 8) * ((height + 7) // 8) * components
    bits = "00" * blocks
    bits += "1" * (-len(bits) % 8)
    scan = bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits), 8))
    ids = range(1, components + 1)
    out = b"\xff\xd8"
    if adobe is not None:
        out += segment(0xEE, b"Adobe" + struct.pack(">HHHB", 100, 0, 0, adobe))   # APP14
    out += segment(0xDB, b"\x00" + b"\x01" * 64)                                   # DQT: table 0, all 1
    out += segment(0xC0, struct.pack(">BHHB", 8, height, width, components)
                   + b"".join(bytes([c, 0x11, 0]) for c in ids))                    # SOF0
    one_symbol = bytes([1] + [0] * 15) + b"\x00"                                  # one code of length 1
    out += segment(0xC4, b"\x00" + one_symbol)                                      # DHT DC 0
    out += segment(0xC4, b"\x10" + one_symbol)                                      # DHT AC 0
    out += segment(0xDA, bytes([components]) + b"".join(bytes([c, 0]) for c in ids) + b"\x00\x3f\x00")  # SOS
    body = out + scan + b"\xff\xd9"
    return body if cut is None else body[:len(out) + cut]


OK_JPEG = jpeg(8, 8)
write("ok/grey8.jpg", OK_JPEG)

FOLDER = "train --data folder"
write("images/truncated.jpg", jpeg(64, 64, cut=4))
case("images/truncated.jpg", [FOLDER], "truncated JPEG", "a JPEG whose scan ends after 4 of its 16 bytes")
write("images/empty.jpg", b"")
case("images/empty.jpg", [FOLDER], "empty file (0 bytes), not an image", "a zero-byte .jpg")
write("images/not-an-image.jpg", "name,label\ncat.jpg,3\n")
case("images/not-an-image.jpg", [FOLDER], "not a JPEG or PNG image", "a CSV file named .jpg")

# ---------------------------------------------------------------- Tiny ImageNet

TINY = "train --data tinyimagenet"


def tiny(name, wnids, train, val, annotations):
    root = "tinyimagenet/" + name + "/"
    shutil.rmtree(os.path.join(HERE, root), ignore_errors=True)
    write(root + "wnids.txt", "".join(w + "\n" for w in wnids))
    for wnid, files in train.items():
        for f in files:
            write(root + "train/" + wnid + "/" + f, OK_JPEG if f.endswith(".JPEG") else "%s 0 0 7 7\n" % f)
    for f in val:
        write(root + "val/images/" + f, OK_JPEG)
    write(root + "val/val_annotations.txt", "".join("%s\t%s\t0\t0\t7\t7\n" % a for a in annotations))
    return root.rstrip("/")


WNIDS = ["n02124075", "n01443537"]
GOOD_TRAIN = {w: ["images/%s_0.JPEG" % w, "images/%s_1.JPEG" % w] for w in WNIDS}
GOOD_VAL = ["val_0.JPEG", "val_1.JPEG"]
GOOD_ANN = [("val_0.JPEG", WNIDS[0]), ("val_1.JPEG", WNIDS[1])]

case(tiny("missing-class", WNIDS + ["n04067472"], GOOD_TRAIN, GOOD_VAL, GOOD_ANN), [TINY],
     "n04067472: missing; wnids.txt line 3 lists class n04067472", "wnids.txt lists a class with no train folder")
case(tiny("unknown-wnid", WNIDS, GOOD_TRAIN, GOOD_VAL, [GOOD_ANN[0], ("val_1.JPEG", "n09999999")]), [TINY],
     "val_annotations.txt line 2: class id n09999999 is not listed in wnids.txt", "a val annotation naming an unknown class")
case(tiny("empty-class", WNIDS, {WNIDS[0]: GOOD_TRAIN[WNIDS[0]], WNIDS[1]: [WNIDS[1] + "_boxes.txt"]}, GOOD_VAL, GOOD_ANN),
     [TINY], "class n01443537 (wnids.txt line 2) has no .JPEG/.jpg/.png images", "a class folder without images")

with open(os.path.join(HERE, "cases.json"), "w") as f:
    f.write('{\n  "cases": [\n')
    f.write(",\n".join("    " + json.dumps(c) for c in CASES))
    f.write("\n  ]\n}\n")
print(len(CASES), "cases")

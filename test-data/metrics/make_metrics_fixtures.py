"""Writes the expected values that the Java metrics tests compare against.

    python make_metrics_fixtures.py        (needs numpy and scikit-learn; CI never runs it)

f1_cases.json  : labels and predictions, and what scikit-learn says about them: accuracy_score,
                 f1_score(average='macro' / 'weighted') with the default zero_division ("warn",
                 which scores 0), and per-class precision / recall / F1 / support for
                 labels=range(num_classes) with zero_division=0.
cka_cases.json : feature matrices and their linear CKA, computed in numpy from centred Gram
                 matrices (HSIC form, biased), a different route from the Java code's feature form.
"""
import json
import warnings

import numpy as np
import sklearn
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support


def f1_case(name, num_classes, y_true, y_pred, note):
    y_true = [int(v) for v in y_true]
    y_pred = [int(v) for v in y_pred]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "warn" warns about ill-defined precision/recall and scores 0
        macro = f1_score(y_true, y_pred, average="macro")
        weighted = f1_score(y_true, y_pred, average="weighted")
    p, r, f, s = precision_recall_fscore_support(
        y_true, y_pred, labels=list(range(num_classes)), average=None, zero_division=0)
    return {
        "name": name,
        "note": note,
        "num_classes": num_classes,
        "y_true": y_true,
        "y_pred": y_pred,
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "f1_macro": float(macro),
        "f1_weighted": float(weighted),
        "precision": [float(v) for v in p],
        "recall": [float(v) for v in r],
        "f1": [float(v) for v in f],
        "support": [int(v) for v in s],
    }


def f1_cases():
    rng = np.random.default_rng(20251019)
    cases = []
    t = rng.integers(0, 5, 40)
    p = np.where(rng.random(40) < 0.6, t, rng.integers(0, 5, 40))
    cases.append(f1_case("random_5_classes", 5, t, p, "ordinary multi-class case"))

    t = [0, 0, 1, 1, 2, 2, 2, 3]
    p = [0, 1, 1, 1, 1, 0, 0, 3]
    cases.append(f1_case("class_never_predicted", 4, t, p,
                         "class 2 is in y_true but never predicted: precision 0/0 -> 0, F1 0"))

    t = [0, 0, 1, 1, 1, 2]
    p = [0, 3, 1, 3, 1, 2]
    cases.append(f1_case("predicted_class_absent_from_truth", 4, t, p,
                         "class 3 is predicted but absent from y_true: F1 0 counts in macro, weight 0 in weighted"))

    t = [0, 1, 1, 4, 4, 4]
    p = [0, 1, 4, 4, 4, 1]
    cases.append(f1_case("classes_absent_from_both", 6, t, p,
                         "classes 2, 3, 5 appear nowhere: sklearn leaves them out of the macro mean"))

    t = [0] * 50
    p = [0] * 41 + [3, 7, 7, 1, 2, 9, 0, 0, 5]
    cases.append(f1_case("all_true_labels_one_class", 10, t, p,
                         "label collapse: weighted F1 = F1 of class 0 = 2 acc / (1 + acc)"))

    t = [0] * 20
    p = [0] * 1 + [4] * 19
    cases.append(f1_case("collapse_low_accuracy", 5, t, p, "label collapse with accuracy 0.05"))

    t = [0] * 8
    p = [2] * 8
    cases.append(f1_case("collapse_zero_accuracy", 3, t, p, "label collapse, nothing right: F1 0"))

    t = [3] * 12
    p = [3] * 12
    cases.append(f1_case("collapse_perfect", 4, t, p, "label collapse, all right: F1 1 (one label only)"))

    t = [2, 0, 1, 1, 0, 2, 2]
    cases.append(f1_case("perfect", 3, t, list(t), "all predictions right"))

    t = [0, 1, 2, 0, 1, 2]
    p = [1, 2, 0, 1, 2, 0]
    cases.append(f1_case("all_wrong", 3, t, p, "no prediction right"))

    cases.append(f1_case("single_sample", 3, [1], [2], "one sample, wrong"))

    t = [0, 1, 1, 1, 0, 0, 1, 1, 1, 1]
    p = [0, 1, 0, 1, 1, 0, 1, 1, 0, 1]
    cases.append(f1_case("binary", 2, t, p, "two classes; average='weighted' still averages both"))

    t = rng.integers(0, 100, 1000)
    hard = rng.random(1000) < 0.35
    p = np.where(hard, rng.integers(0, 100, 1000) // 3, t)  # errors pile onto the low classes
    cases.append(f1_case("cifar_like_100_classes", 100, t, p, "100 classes, biased errors"))
    return cases


def centred_gram(x):
    k = x @ x.T
    n = k.shape[0]
    h = np.eye(n) - np.ones((n, n)) / n
    return h @ k @ h


def cka_gram(x, y):
    kx, ky = centred_gram(x), centred_gram(y)
    return float(np.sum(kx * ky) / np.sqrt(np.sum(kx * kx) * np.sum(ky * ky)))


def cka_cases():
    rng = np.random.default_rng(7)
    n = 24
    x = rng.normal(size=(n, 16))
    w = rng.normal(size=(16, 10))
    y = np.tanh(x @ w) + 0.3 * rng.normal(size=(n, 10))
    z = rng.normal(size=(n, 6)) + 2.0
    feats = [x, y, z]
    matrix = [[cka_gram(a, b) for b in feats] for a in feats]
    return {
        "note": "linear CKA, biased HSIC with centred Gram matrices H K H",
        "features": [{"rows": a.shape[0], "cols": a.shape[1], "data": [float(v) for v in a.ravel()]} for a in feats],
        "cka": matrix,
    }


def main():
    meta = {"sklearn": sklearn.__version__, "numpy": np.__version__}
    with open("f1_cases.json", "w") as f:
        json.dump({"made_with": meta, "cases": f1_cases()}, f, indent=1)
        f.write("\n")
    with open("cka_cases.json", "w") as f:
        json.dump({"made_with": meta, **cka_cases()}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()

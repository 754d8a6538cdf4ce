"""Writes the expected values that the Java stats tests compare against.

    python make_stats_fixtures.py        (needs numpy, scipy, statsmodels, scikit-learn; CI never runs it)

stats_cases.json holds, each computed by the library named (never by the Java code):

  erfc, normal_cdf, normal_ppf : scipy.special.erfc, scipy.stats.norm.cdf / norm.ppf
  t_ppf, t_cdf                 : scipy.stats.t.ppf / t.cdf
  binom_cdf                    : scipy.stats.binom.cdf
  wilson                       : statsmodels proportion_confint(count, nobs, alpha, method='wilson')
  mcnemar                      : statsmodels mcnemar([[0, b], [c, 0]], exact=True).pvalue and
                                 scipy binomtest(min(b, c), b + c, 0.5).pvalue (checked to agree)
  holm                         : statsmodels multipletests(p, alpha, method='holm') -> reject, adjusted
  percentile                   : numpy percentile(x, q) (default method 'linear')
  seed_summary                 : numpy mean, std(ddof=1) and scipy t.interval(confidence, n-1, mean, sem)
  bootstrap                    : the Java Bootstrap's index stream replayed here (xoshiro256** seeded
                                 through splitmix64, written below from Blackman & Vigna's description),
                                 the statistic recomputed per replicate (scikit-learn's weighted F1, or
                                 numpy's mean), and numpy percentile of the replicate statistics.
"""
import json
import platform

import numpy as np
import scipy
import sklearn
import statsmodels
from scipy import special, stats
from sklearn.metrics import f1_score
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def f(v):
    return float(v)


def normal_cases():
    erfc = [{"x": x, "erfc": f(special.erfc(x))}
            for x in [-2.0, -0.4, 0.0, 1e-8, 0.1, 0.3, 0.49, 0.5, 0.51, 0.8, 1.0, 1.5, 2.0, 3.0, 4.5, 6.0]]
    cdf = [{"x": x, "p": f(stats.norm.cdf(x))}
           for x in [-10.0, -8.0, -5.0, -3.0, -1.959963984540054, -0.5, 0.0, 0.3, 1.0, 1.96, 5.0]]
    ppf = [{"p": p, "x": f(stats.norm.ppf(p))}
           for p in [1e-300, 1e-20, 1e-6, 0.001, 0.02425, 0.025, 0.05, 0.2, 0.3, 0.5, 0.6, 0.9, 0.95, 0.975, 0.995,
                     1 - 1e-6, 1 - 1e-12]]
    return erfc, cdf, ppf


def t_cases():
    ppf = []
    for df in [1, 2, 3, 4, 5, 9, 29, 100, 1000]:
        for p in [1e-6, 0.001, 0.025, 0.1, 0.3, 0.5, 0.9, 0.975, 0.995, 1 - 1e-6]:
            ppf.append({"p": p, "df": df, "t": f(stats.t.ppf(p, df))})
    cdf = [{"t": t, "df": df, "p": f(stats.t.cdf(t, df))}
           for t, df in [(-30.0, 3), (-2.0, 1), (-1.5, 2), (0.0, 7), (0.7, 4), (2.262, 9), (2.0, 29), (1.96, 1000),
                         (4.0, 100)]]
    return ppf, cdf


def binom_cases():
    out = []
    for k, n, p in [(0, 6, 0.5), (3, 13, 0.5), (50, 120, 0.5), (400, 860, 0.5), (20000, 40400, 0.5),
                    (49000, 100000, 0.5), (2, 30, 0.3), (7, 30, 0.3), (25, 30, 0.3), (180, 1000, 0.2),
                    (5, 1000, 0.01), (950, 1000, 0.97)]:
        out.append({"k": k, "n": n, "p": p, "cdf": f(stats.binom.cdf(k, n, p))})
    return out


def wilson_cases():
    out = []
    for count, nobs, confidence in [(0, 10, 0.95), (10, 10, 0.95), (1, 3, 0.95), (45, 100, 0.95),
                                    (4973, 10000, 0.95), (181, 364, 0.95), (45, 100, 0.90), (181, 364, 0.99),
                                    (1, 1, 0.95), (0, 1, 0.95), (999999, 1000000, 0.95)]:
        low, upp = proportion_confint(count, nobs, alpha=1 - confidence, method="wilson")
        out.append({"successes": count, "trials": nobs, "confidence": confidence, "lower": f(low), "upper": f(upp)})
    return out


def mcnemar_cases():
    out = []
    for b, c in [(0, 0), (0, 5), (5, 0), (0, 6), (1, 1), (7, 7), (3, 10), (10, 3), (12, 30), (50, 70), (400, 460),
                 (20000, 20400), (49900, 50100), (49000, 51000), (0, 2000)]:
        sm = f(mcnemar([[0, b], [c, 0]], exact=True).pvalue)
        sp = f(stats.binomtest(min(b, c), b + c, 0.5).pvalue) if b + c > 0 else 1.0
        assert sm == sp or abs(sm - sp) <= 1e-12 * max(sm, sp), (b, c, sm, sp)
        out.append({"b": b, "c": c, "statsmodels": sm, "scipy": sp})
    return out


def holm_cases():
    rng = np.random.default_rng(31)
    lists = [
        ("holm_1979_style", [0.01, 0.04, 0.03, 0.005], 0.05),
        ("ties", [0.01, 0.01, 0.03, 0.04, 0.01], 0.05),
        ("capped_at_one", [0.5, 0.3, 0.9, 0.02, 0.04], 0.05),
        ("single", [0.03], 0.05),
        ("all_rejected", [0.001, 0.002, 0.003], 0.05),
        ("thresholds_exactly", [0.0125, 0.05 / 3, 0.025, 0.05], 0.05),
        ("zeros_and_ones", [0.0, 1.0, 0.0, 0.2, 1.0], 0.1),
        ("random_with_repeats", [float(v) for v in np.round(rng.uniform(0, 0.2, 20), 3)], 0.05),
    ]
    out = []
    for name, p, alpha in lists:
        reject, adjusted, _, _ = multipletests(p, alpha=alpha, method="holm")
        out.append({"name": name, "p": p, "alpha": alpha, "adjusted": [f(v) for v in adjusted],
                    "reject": [bool(v) for v in reject]})
    return out


def percentile_cases():
    rng = np.random.default_rng(11)
    qs = [0.0, 2.5, 5.0, 25.0, 33.3, 50.0, 62.5, 97.5, 99.9, 100.0]
    lists = [
        [3.5, 1.0, 2.0, 10.0, 7.25, 4.0, 4.0],
        [0.25, -1.5],
        [42.0],
        [float(v) for v in rng.normal(size=1000)],
    ]
    return [{"values": v, "q": qs, "expected": [f(np.percentile(v, q)) for q in qs]} for v in lists]


def summary(values, confidence):
    v = np.asarray(values, dtype=float)
    n = len(v)
    mean = float(np.mean(v))
    std = float(np.std(v, ddof=1))
    low, upp = stats.t.interval(confidence, n - 1, loc=mean, scale=std / np.sqrt(n))
    return {"n": n, "mean": mean, "std": std, "lower": f(low), "upper": f(upp)}


def seed_summary_cases():
    out = []
    for values, confidence in [([0.8123, 0.8201, 0.8087], 0.95), ([0.61, 0.64, 0.59, 0.66, 0.62], 0.95),
                               ([71.2, 70.8, 72.5, 69.9, 71.0, 70.4, 71.9, 72.2, 70.1, 71.5], 0.90),
                               ([0.5, 0.75], 0.95)]:
        out.append({"values": values, "confidence": confidence, **summary(values, confidence)})
    a = [0.842, 0.851, 0.838, 0.846, 0.849]
    b = [0.835, 0.842, 0.836, 0.839, 0.840]
    out.append({"a": a, "b": b, "confidence": 0.95, **summary(np.subtract(a, b), 0.95)})
    return out


def splitmix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


class Xoshiro256StarStar:
    """xoshiro256** seeded with splitmix64 outputs at seed + 1..4 golden steps, as dev.kora4j.tensor.Rng."""

    def __init__(self, seed):
        self.s = [splitmix((seed + (i + 1) * GOLDEN) & MASK) for i in range(4)]

    def next_long(self):
        s = self.s
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def next_int(self, bound):
        return (self.next_long() >> 1) % bound


def bootstrap_indices(items, replicates, seed):
    base = splitmix(seed & MASK)
    for r in range(replicates):
        rng = Xoshiro256StarStar((base + r) & MASK)
        yield np.array([rng.next_int(items) for _ in range(items)])


def bootstrap_cases():
    rng = np.random.default_rng(2024)
    out = []

    items, classes, replicates, seed, confidence = 300, 7, 200, 12345, 0.95
    labels = rng.integers(0, classes, items)
    predicted = np.where(rng.random(items) < 0.7, labels, rng.integers(0, classes, items))
    indices = list(bootstrap_indices(items, replicates, seed))
    reps = [f(f1_score(labels[i], predicted[i], average="weighted")) for i in indices]
    out.append({
        "name": "weighted_f1", "statistic": "weighted_f1", "seed": seed, "replicates": replicates,
        "confidence": confidence, "num_classes": classes,
        "labels": [int(v) for v in labels], "predicted": [int(v) for v in predicted],
        "point_estimate": f(f1_score(labels, predicted, average="weighted")),
        "first_indices": [[int(v) for v in indices[0]], [int(v) for v in indices[1]]],
        "replicate_statistics": reps,
        "lower": f(np.percentile(reps, 50 * (1 - confidence))),
        "upper": f(np.percentile(reps, 50 * (1 + confidence))),
    })

    items, replicates, seed, confidence = 40, 500, -7, 0.90
    values = rng.normal(3.0, 1.0, items)
    indices = list(bootstrap_indices(items, replicates, seed))
    reps = [f(np.mean(values[i])) for i in indices]
    out.append({
        "name": "mean_negative_seed", "statistic": "mean", "seed": seed, "replicates": replicates,
        "confidence": confidence, "values": [f(v) for v in values],
        "point_estimate": f(np.mean(values)),
        "first_indices": [[int(v) for v in indices[0]], [int(v) for v in indices[1]]],
        "replicate_statistics": reps,
        "lower": f(np.percentile(reps, 50 * (1 - confidence))),
        "upper": f(np.percentile(reps, 50 * (1 + confidence))),
    })
    return out


def main():
    erfc, normal_cdf, normal_ppf = normal_cases()
    t_ppf, t_cdf = t_cases()
    cases = {
        "made_with": {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
                      "statsmodels": statsmodels.__version__, "sklearn": sklearn.__version__},
        "erfc": erfc,
        "normal_cdf": normal_cdf,
        "normal_ppf": normal_ppf,
        "t_ppf": t_ppf,
        "t_cdf": t_cdf,
        "binom_cdf": binom_cases(),
        "wilson": wilson_cases(),
        "mcnemar": mcnemar_cases(),
        "holm": holm_cases(),
        "percentile": percentile_cases(),
        "seed_summary": seed_summary_cases(),
        "bootstrap": bootstrap_cases(),
    }
    with open("stats_cases.json", "w") as out:
        json.dump(cases, out, indent=1)
        out.write("\n")


if __name__ == "__main__":
    main()

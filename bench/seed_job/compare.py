"""Compares seed-job result CSVs (category,avg_value,std_value): same categories, values
equal within a relative tolerance. Usage: compare.py TOL REFERENCE.csv OTHER.csv..."""
import csv
import sys


def load(path):
    with open(path) as f:
        return {row["category"]: (float(row["avg_value"]), float(row["std_value"])) for row in csv.DictReader(f)}


tol = float(sys.argv[1])
ref_path, others = sys.argv[2], sys.argv[3:]
ref = load(ref_path)
failed = 0
for path in others:
    got = load(path)
    if set(got) != set(ref):
        print(f"{path}: categories differ from {ref_path}: {sorted(set(got) ^ set(ref))[:5]}")
        failed += 1
        continue
    worst = 0.0
    for cat, (a, s) in ref.items():
        for want, have in ((a, got[cat][0]), (s, got[cat][1])):
            rel = abs(want - have) / max(abs(want), 1e-300)
            worst = max(worst, rel)
    status = "ok" if worst <= tol else "MISMATCH"
    if worst > tol:
        failed += 1
    print(f"{path}: {len(got)} groups, worst relative difference {worst:.3g} ({status})")
print(f"{len(others) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)

"""The seed's three expectations as Great Expectations' pandas backend runs them: one
pass over the data per expectation. Usage: pandas_suite.py EVENTS.csv"""
import sys
import time

import pandas as pd

t0 = time.perf_counter()
df = pd.read_csv(sys.argv[1])
null_features = int(df["feature_id"].isnull().sum())
nv = df["normalized_value"].dropna()
out_of_range = int((~nv.between(0, 1)).sum())
ids = df["sample_id"].dropna()
duplicated = int(ids.duplicated(keep=False).sum())
print(f"pandas: {null_features} {out_of_range} {duplicated} in {(time.perf_counter() - t0) * 1000:.0f} ms", file=sys.stderr)

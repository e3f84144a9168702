"""The seed's job in pandas. Usage: /usr/bin/python3 pandas_job.py EVENTS.csv [OUT.csv]"""
import sys
import time

import pandas as pd

t0 = time.perf_counter()
df = pd.read_csv(sys.argv[1])
df["timestamp"] = pd.to_datetime(df["timestamp"])
df["value"] = df["value"].fillna(0)
df = df[df["quality_score"] > 0.8]
result = df.groupby("category")["value"].agg(avg_value="mean", std_value="std").reset_index()
print(f"pandas: {len(result)} groups in {(time.perf_counter() - t0) * 1000:.0f} ms", file=sys.stderr)
if len(sys.argv) > 2:
    result.sort_values("category").to_csv(sys.argv[2], index=False, float_format="%.17g")

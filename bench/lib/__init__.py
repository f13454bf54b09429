"""What the benchmarks, the studies and the tests share: where things are (`paths`), the
evaluation sets (`evalsets`, `ocr_noise`), ranking metrics (`metrics`), the machine and
percentile helpers (`machine`), text sets (`texts`), the evaluated notes library (`library`),
score matrices for the fusion studies (`matrices`), the before/after runner (`same_run`), the
app in a subprocess (`app`), generated Korean documents (`docgen`) and a throwaway PostgreSQL
server (`pg_cluster`).

Nothing here imports `tests`; nothing is done at import time.
"""

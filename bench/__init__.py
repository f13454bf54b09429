"""Benchmarks and studies (bench/README.md). Run each from the repository root as
`python -m bench.<name>` (maintained benchmarks) or `python -m bench.studies.<name>` (finished
studies); their shared helpers are in `bench.lib`, the only part of bench that tests import."""

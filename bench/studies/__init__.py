"""Finished one-off studies, kept runnable (`python -m bench.studies.<name>`), each with its
results beside it in `<name>.md`. They import only `bench.lib` and the product packages."""

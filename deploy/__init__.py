"""Running several chat instances behind nginx: the config template and the local cluster (`python -m deploy`)."""

from marelle_kit.migrations import run_env

run_env()

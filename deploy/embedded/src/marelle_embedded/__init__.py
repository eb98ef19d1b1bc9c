"""The embedded default: every Marelle service and the gateway in one process, no server to
install (SQLite file per service, in-process events, demo tenant)."""

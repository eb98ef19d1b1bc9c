"""Page tests: fake clients through ``app.dependency_overrides`` (see page_harness.py)."""

from page_harness import pages

__all__ = ["pages"]

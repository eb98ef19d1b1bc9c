"""Fixtures of the mailing-service tests (see mailing_world.py)."""

from mailing_world import mailing

__all__ = ["mailing"]

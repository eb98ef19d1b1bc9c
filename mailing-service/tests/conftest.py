"""Fixtures of the mailing-service tests (see mailing_world.py)."""

from mailing_world import mailing, mailing_pg

__all__ = ["mailing", "mailing_pg"]

"""Shared test fixtures for Marelle (a pytest plugin: ``-p marelle_testkit.plugin``)."""

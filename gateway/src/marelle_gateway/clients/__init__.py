"""Typed clients of the services, on one base (clients/base.py): the pages call these, never
aiohttp, and never build an upstream URL themselves."""

"""The gateway's API face: ``/api/<service>/...`` proxied with rate limits, and health."""

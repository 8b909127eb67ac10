"""The public and frontline service finder: search, browse, needs-based finding, shortlists.

It reads the published snapshots of the default feed (the same data as `/api/v3/`), never the
live records, so what the public finds is exactly what has been assured and published.
"""

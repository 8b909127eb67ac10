"""The ORUK 1.0 dialect of the feed (`/api/v1/`), for the LGA Service Finder and ServiceFinder.

Rendered from the published ORUK 3.0 snapshots; see `views.py`.
"""

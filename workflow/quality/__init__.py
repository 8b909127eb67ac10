"""Data quality: a richness score per service, background link checks, and the dashboard of
what needs attention (app label `quality`)."""

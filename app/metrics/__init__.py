"""Sourcing metrics: dials, connects, names, follow-ups and the funnel, as a page and a CSV."""

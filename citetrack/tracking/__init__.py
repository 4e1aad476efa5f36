"""Tracking over time: the committed lockfile (what changed since) and the evidence cache."""

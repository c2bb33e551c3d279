"""Builds: plan units, skip what is up to date, render on bounded workers, write atomically."""

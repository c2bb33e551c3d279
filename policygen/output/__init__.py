"""The output folder: atomic writes, the manifest, the lock, verification of packages."""

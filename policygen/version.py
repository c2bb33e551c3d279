"""The version of policygen, defined once: the package metadata and the manifests read it from here."""

__version__ = "0.2.0"

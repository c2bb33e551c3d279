"""Document model to document model: the profile's customisation and cross-references."""

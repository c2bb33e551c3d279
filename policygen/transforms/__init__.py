"""Document model to document model: the profile's customisation, cross-references and figures."""

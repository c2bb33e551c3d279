"""Rendered Markdown parsed into the document model."""

"""Word files lawyers send back: read safely, compared as tracked changes, brought back into profiles."""

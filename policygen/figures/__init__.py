"""Pictures drawn as PNG: the findings chart and the coverage heat map."""

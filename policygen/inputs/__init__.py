"""Reading a workspace: the strict YAML loader, profiles with their bases, the schemas, the review record."""

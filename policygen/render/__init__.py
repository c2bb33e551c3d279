"""Templates rendered in Jinja's sandbox: held to their skeletons, with each language's strings and Babel formatting."""

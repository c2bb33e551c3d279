"""The completeness check against ILO C190/R206 and good practice."""

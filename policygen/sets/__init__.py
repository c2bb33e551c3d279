"""What each document set is made of: an institution's set, the model set, the coverage report, the submission."""

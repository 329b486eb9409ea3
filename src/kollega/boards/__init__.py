"""Step 5: each group's shared board."""

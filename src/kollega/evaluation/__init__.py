"""Step 6: reports and the change in well-being."""

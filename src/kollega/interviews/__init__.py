"""Step 3: intake interviews and the baseline self-assessment."""

"""Step 5: the facilitator's console."""

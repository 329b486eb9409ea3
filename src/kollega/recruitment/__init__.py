"""Step 2: registration and the needs survey."""

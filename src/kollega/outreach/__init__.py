"""Step 1: the public programme page and outreach channels."""

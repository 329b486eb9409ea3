"""Models of this step arrive with the issue that needs them."""

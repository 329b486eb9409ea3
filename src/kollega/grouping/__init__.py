"""Step 4: groups, memberships, facilitators and theme plans."""

"""One path for every email: the outbox and its sender."""

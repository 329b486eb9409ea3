"""Forms as data: questions, versions and answers."""

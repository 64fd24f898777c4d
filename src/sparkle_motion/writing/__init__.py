"""Writing: from an idea, a structured story or a screenplay to a valid Script."""

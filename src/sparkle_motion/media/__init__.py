"""Asset resolution: local library, generated stand-ins, placeholders, rights."""

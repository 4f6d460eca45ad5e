"""The public directory: places, organisations and firms, read as plain rows."""

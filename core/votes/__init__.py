"""Owners' votes under Article 278 of the Civil Code: the electorate, ballots, the arithmetic."""

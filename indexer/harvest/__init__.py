"""Keeping the index up to date from councils' own publishing systems (ModernGov)."""

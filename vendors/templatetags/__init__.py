"""Template tags of the registry side."""

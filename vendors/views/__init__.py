"""Views of the registry side, one module per area: sign-in, profile, directory, imports."""

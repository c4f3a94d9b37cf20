"""Views of the booths side, one module per area: landing pages, booth plans, applications and review."""

"""The allocation: the engine (a pure function), its instance format, the adapter that runs it on a site,
the organiser's edits, the offers that follow, and the public lottery."""

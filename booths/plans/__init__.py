"""Booth plans: halls and their grid of booths, neighbours, zones, prices, and how a booth is named and drawn."""

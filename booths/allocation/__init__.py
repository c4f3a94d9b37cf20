"""The booth allocation engine, its instance format and the adapter to the database."""

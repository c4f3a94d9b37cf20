"""Bazaarche: exhibitions and bazaars for home businesses, run by a province's Directorate."""

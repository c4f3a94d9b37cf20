"""Views of exhibitions and sites: public pages and the organisers' editor."""

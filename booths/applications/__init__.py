"""Applications: which calls a vendor may answer, applying, the organisers' review, and priority."""

"""The fraud rules (``rules``) and the reference data they judge by (``dimensions``:
ANZSCO occupations, postcodes)."""

"""HTTP edge helpers shared by HTTP functions: parsing, error mapping, correlation ids."""

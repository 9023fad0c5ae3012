"""Generators of the synthetic example inputs (`make example-data`): they follow the configuration, write
only raw files that data/raw/provenance.yaml marks synthetic, and never touch data/private/.
"""

"""Genomes for deep learning: encodings, k-mers, in-silico primer matching, and reading primers out of a CNN."""

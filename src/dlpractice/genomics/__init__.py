"""Genomes for deep learning: encodings, k-mers, in-silico primer matching, and reading primers out of a CNN.

Lab 05. Code about DNA sequences that the lab teaches or reports belongs here (encoding, k-mers, matching,
primers, saliency along a genome, cross-validation results, the lab's figures and tables); the genome CNN is in
models/genome_cnn.py, FASTA files and synthetic genomes in data/. Like every topic package it may import engine,
training, models, data and course, never labs/, checks/ or another topic package (one exception today:
saliency.py reuses explain/'s input × gradient).
"""

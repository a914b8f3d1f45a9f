"""Sequences: recurrent cells written out gate by gate, gradients through time, forecasting against ARIMA, and
character-level models of names.

Lab 08. One concept per file: recurrent_cells.py (RNN, LSTM and GRU cells by hand, checked against nn.RNN/LSTM/GRU),
packing.py (padding, packed sequences, each sequence's last real output), gradients_through_time.py (how far back a
gradient reaches, clipping by norm), adding_problem.py, forecasting.py (windows, naive baselines, ARIMA, recurrent
forecasters, roll-outs), name_classification.py and name_generation.py (surnames by language), sampling.py
(temperature), plots.py (the figures; not imported here). Data sets are in data/, architectures in models/. Like
every topic package it may import engine, training, models, data and course, never labs/, checks/ or another topic
package.
"""

"""Autograd opened up (lab 01): backpropagation for a small network written out by hand and compared with what
autograd computes (`backprop`), and a text picture of the computational graph autograd records (`graph_text`).

Code that shows how gradients are computed belongs here; training loops go in training/, models in models/. Like
every topic package it may import engine, training, models, data and course (today it needs only torch), never
labs/, checks/ or another topic package.
"""

from dlpractice.autograd import backprop, graph_text

__all__ = ["backprop", "graph_text"]

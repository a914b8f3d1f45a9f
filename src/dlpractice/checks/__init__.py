"""Self-checks for exercises: one module per lab (`from dlpractice.checks import lab01 as check`).

`labNN.py` holds the checks that lab's notebook calls, each decorated with `@exercise` (core.py: the decorator and
the result format the grader reads); tensors.py has the comparisons they share. A check tries a student's answer
against the library's reference and explains what is wrong; the reference itself lives in a topic package,
models/ or data/, never here. checks/ sits beside labs/: it may import every layer below (topic packages, engine,
training, models, data, course), never a lab module or the CLI.
"""

"""One module per lab; each defines `LAB` and is registered in `dlpractice.course.registry`.

A lab module holds its typed config (a `LabConfig` or `EngineConfig` with a `quick()` variant), `run(config, ctx)`
and `LAB` (presets, targets, a CPU budget): orchestration only — load the data, call the pieces, collect metrics,
tables and figures. A function a student reads, reuses or is checked against goes in a topic package (autograd,
training, vision, explain, genomics), a model in models/, a dataset in data/. A lab may import every layer below it
(topic packages, engine, training, models, data, course), never checks/, the CLI or another lab.
"""

"""Citations: the `[n]` marker syntax (`markers`), whether a passage supports a sentence
(`support`), and a model's answer turned into checked sentences (`resolve`).

Import from the modules: `assistant.answer` needs `markers` before the rest can load.
"""

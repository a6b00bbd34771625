"""The outbound claims pipeline: scrub a PM export, plan and write the 837 batches of its clean claims.

``pipeline`` is what `connector claims scrub|build` and the demo call; ``plan`` turns PM claims into 837
models, ``build`` writes the files with store-allocated control numbers, ``scrub_tables`` reads the scrub
settings from ``mappings/scrub/``, ``scrub_output`` writes findings as JSON or XLSX.
"""

from __future__ import annotations

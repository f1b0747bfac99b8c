"""dprep: re-examining the evidence on deliberate practice from published numbers.

Modules (one idea each):

- :mod:`dprep.effects`    effect sizes (η², partial η², ω², ε², d, g, r, z) and their CIs
- :mod:`dprep.sumstats`   tests from summary statistics and the values they imply
- :mod:`dprep.audit`      consistency audit of reported statistics
- :mod:`dprep.meta`       random-effects meta-analysis
- :mod:`dprep.schema`     data package (Frictionless Table Schema) and pandera validation
- :mod:`dprep.io`         atomic file output
- :mod:`dprep.render`     report rendering (Quarto, or Jupyter + pandoc fallback)
"""

__version__ = "0.1.0"

"""dprep: re-examining the evidence on deliberate practice from published numbers.

Modules (one idea each):

- :mod:`dprep.stats.effects`    effect sizes (η², partial η², ω², ε², d, g, r, z) and their CIs
- :mod:`dprep.stats.sumstats`   tests from summary statistics and the values they imply
- :mod:`dprep.stats.audit`      consistency audit of reported statistics
- :mod:`dprep.stats.meta`       random-effects and multilevel meta-analysis, cluster-robust inference
- :mod:`dprep.data.schema`     data package (Frictionless Table Schema) and pandera validation
- :mod:`dprep.data.io`         atomic file output
- :mod:`dprep.report.render`     report rendering (Quarto, or Jupyter + pandoc fallback)
"""

__version__ = "0.1.0"

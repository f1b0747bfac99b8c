"""Figures, built on :class:`matplotlib.figure.Figure` directly (they work under the Agg backend and are
not kept alive by pyplot; save them with :func:`dprep.data.io.save_figure`). Text is at least 10 pt.

:mod:`.meta` forest and funnel plots; :mod:`.studies` figures of the primary studies; :mod:`.bayes`
posterior figures (imports ArviZ, so it is not imported here).
"""

from dprep.report.plots.meta import forest_plot, forest_plot_alt_text, funnel_plot
from dprep.report.plots.studies import (RECONSTRUCTED_LABEL, accumulated_by_age_plot, effect_sizes_plot,
                                        group_means_plot)

__all__ = ["RECONSTRUCTED_LABEL", "accumulated_by_age_plot", "effect_sizes_plot", "forest_plot",
           "forest_plot_alt_text", "funnel_plot", "group_means_plot"]

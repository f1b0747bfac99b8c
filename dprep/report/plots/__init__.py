"""Figures, built on :class:`matplotlib.figure.Figure` directly (they work under the Agg backend and are
not kept alive by pyplot; save them with :func:`dprep.data.io.save_figure`). Text is at least 10 pt.

:mod:`.meta` forest and funnel plots; :mod:`.sensitivity` bias-adjusted estimates, Baujat, GOSH and
cumulative plots; :mod:`.studies` figures of the primary studies; :mod:`.bayes`
posterior figures (imports ArviZ, so it is not imported here).
"""

from dprep.report.plots.meta import forest_plot, forest_plot_alt_text, funnel_plot
from dprep.report.plots.sensitivity import (baujat_alt_text, baujat_plot, bias_estimates_alt_text, bias_estimates_plot,
                                            cumulative_alt_text, cumulative_plot, gosh_alt_text, gosh_plot)
from dprep.report.plots.studies import (RECONSTRUCTED_LABEL, accumulated_by_age_plot, effect_sizes_plot,
                                        group_means_plot)

__all__ = ["RECONSTRUCTED_LABEL", "accumulated_by_age_plot", "baujat_alt_text", "baujat_plot", "bias_estimates_alt_text",
           "bias_estimates_plot", "cumulative_alt_text", "cumulative_plot", "effect_sizes_plot", "forest_plot",
           "forest_plot_alt_text", "funnel_plot", "gosh_alt_text", "gosh_plot", "group_means_plot"]

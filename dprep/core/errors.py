"""One exception hierarchy for the whole package.

Every error dprep raises on purpose is a :class:`DprepError`, so a caller (the command line, a
stage script, a notebook) can catch dprep's errors without catching programming mistakes. The
subclasses also derive from the built-in exception a Python user would expect (``ValueError``
for bad arguments and bad data, ``RuntimeError`` for non-convergence), so ``except ValueError``
keeps working.

========================  =======================================================================
class                     raised when
========================  =======================================================================
``ArgumentError``         an argument of a function is invalid (message names the parameter)
``DataError``             a data file or table is invalid (message names file, row and column)
``ConvergenceError``      an estimator or sampler did not converge or failed its diagnostics gates
``RenderError``           a report could not be rendered
========================  =======================================================================
"""

from __future__ import annotations


class DprepError(Exception):
    """Base class of every error raised by dprep on purpose."""


class ArgumentError(DprepError, ValueError):
    """An invalid argument: "The 'x' parameter of f must be ... Got ... instead."."""


class DataError(DprepError, ValueError):
    """Invalid input data; the message names the file, row and column where it can."""


class ConvergenceError(DprepError, RuntimeError):
    """An iterative estimator or an MCMC sampler did not converge (or failed its gates)."""


class RenderError(DprepError, RuntimeError):
    """A report could not be rendered; the message names the document and the cell."""

"""The setup cell of the notebooks in one call.

Ô thiết lập của các notebook trong một lệnh: ``view = setup(cycle, province)``.

``setup`` shows charts inline at their full 16:9 size (title and source line kept), makes an
``AnalystError`` (an unknown or not yet processed cycle, a unit no name matches) show as its one
Vietnamese sentence without a traceback, opens the cycle over the territory and displays its heading.
Outside IPython it only opens the cycle. The cell still fails on such an error (papermill and nbval
see it); only the traceback is left out.
"""

from __future__ import annotations

from antt.analyse import tables
from antt.analyse.view import CycleView, open_cycle
from antt.core.errors import AnalystError


def _one_sentence(shell, etype, value, tb, tb_offset=None):
    """IPython's handler for AnalystError: its Vietnamese sentence in red, nothing else (the error
    output's traceback is that one line; ename and evalue stay the exception's)."""
    shell._showtraceback(etype, value, [f"\x1b[31m{value}\x1b[39m"])


def setup(cycle=None, province: str | None = None) -> CycleView:
    """Set up a notebook for ``cycle`` (None: the latest processed) over ``province`` (None: the
    configured province) and return the cycle's ``CycleView``; displays its heading.

    Thiết lập notebook cho kỳ ``cycle`` trên địa bàn ``province``, trả về ``CycleView`` của kỳ và
    hiển thị tiêu đề của kỳ.
    """
    from IPython import get_ipython          # only in a kernel: the report's process never loads IPython

    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((AnalystError,), _one_sentence)
        shell.run_line_magic("matplotlib", "inline")
        shell.run_line_magic("config", "InlineBackend.print_figure_kwargs = {'bbox_inches': None}")
    view = open_cycle(cycle, scope=province)
    if shell is not None:
        from IPython.display import display
        display(tables.heading(view))
    return view

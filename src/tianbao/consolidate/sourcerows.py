"""数据来源's rows written on the second core.

Of the summary's work, turning each figure's trace into a 数据来源 row (its row
name, field label and unit, then the row's XML) is a third, and it depends on
nothing the other sheets write. So once a sheet of 数据来源 has many rows (and
there is a second core), a forked worker writes that sheet's later rows while
the main process writes the other sheets: the main process sends each batch of
traces (``Trace``) down a pipe and the worker writes them with its copy of the
worksheet, through the same ``write_plain_rows`` the serial path calls, into the
same temporary file (a fork shares the open file), so the bytes are the serial
ones by construction. Nothing else writes to that sheet's rows meanwhile; at the
end the worker writes the last row it may hold, flushes, and sends back the
sheet's row bounds, which the main process takes over before it goes on.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Iterable, Sequence
from typing import Any

from tianbao.consolidate.longcsv import Names
from tianbao.errors import EnvironmentFault
from tianbao.support.parallel import _die_with_parent, can_fork, cores

# (summary sheet, summary cell, form, row key, field, value, return id, department,
# sheet in the return, cell in the return): a figure's trace before it has names
Trace = tuple[str, str, str, str, str, Any, int, str, str, str]
Row = tuple[Any, ...]

# the worksheet's state the rows change (bounds of what was written, the last row)
_STATE = ("dim_rowmin", "dim_rowmax", "dim_colmin", "dim_colmax", "previous_row")


def rows_of(traces: Iterable[Trace], names: Names) -> list[Row]:
    """数据来源's rows of some traces: the figure's row name, field label and unit in
    place of the form, row key and field."""
    out = []
    for sheet, where, form, key, name, value, sub, dept, o_sheet, o_cell in traces:
        row_name, field_name, unit = names.of(form, key, name)
        out.append((sheet, where, row_name, field_name, unit, value, sub, dept, o_sheet, o_cell))
    return out


def worth_it() -> bool:
    """A second core to write on, and fork to start the worker with."""
    return cores() > 1 and can_fork()


class RowsWorker:
    """A forked process writing rows of one 数据来源 sheet (``ws``) in ``fmt``."""

    def __init__(self, ws: Any, names: Names, fmt: Any) -> None:
        self.ws = ws
        ws.fh.flush()  # the worker appends after what is written so far
        ctx = multiprocessing.get_context("fork")
        self.conn, theirs = ctx.Pipe()
        self.proc = ctx.Process(
            target=_serve, args=(theirs, self.conn, ws, names, fmt, os.getpid()), daemon=True
        )
        self.proc.start()
        theirs.close()
        ws.table.clear()  # a row it held is the worker's to write now

    def send(self, first: int, traces: Sequence[Trace]) -> None:
        """Rows ``first``, ``first`` + 1, ... of the sheet, for the worker to write."""
        try:
            self.conn.send((first, traces))
        except OSError:  # the worker is gone: say why at ``finish``
            self.finish()
            raise

    def finish(self) -> None:
        """Wait for the worker to write every row sent; the sheet's state as it left it
        (or the worker's error raised here)."""
        ws = self.ws
        try:
            self.conn.send(None)
            done = self.conn.recv()
        except (OSError, EOFError):
            done = None
        finally:
            self.close()
        if isinstance(done, BaseException):
            raise done
        if not isinstance(done, dict):
            raise EnvironmentFault(
                "写数据来源的工作进程意外退出 | the process writing 数据来源 died"
            )
        for name, value in done.items():
            setattr(ws, name, value)
        ws.fh.seek(0, os.SEEK_END)  # after the worker's rows

    def close(self) -> None:
        """Stop the worker (if still running) and wait for it."""
        with contextlib.suppress(OSError):
            self.conn.close()
        self.proc.join(timeout=5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()


def _serve(conn: Any, other: Any, ws: Any, names: Names, fmt: Any, parent: int) -> None:
    """In the worker: write the batches as they come, then report the sheet's state.
    Leaves by os._exit, never flushing the other sheets' files it shares."""
    other.close()
    code = 0
    try:
        _die_with_parent(parent)
        while (batch := conn.recv()) is not None:
            first, traces = batch
            ws.write_plain_rows(first, rows_of(traces, names), fmt)
        ws._write_single_row(ws.previous_row + 1)  # the last row: nothing follows it
        ws.fh.flush()
        conn.send({name: getattr(ws, name) for name in _STATE})
    except EOFError:  # the main process is gone
        code = 1
    except Exception as exc:  # the main process raises it
        with contextlib.suppress(Exception):
            conn.send(exc)
        code = 1
    finally:
        os._exit(code)

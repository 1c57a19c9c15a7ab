"""A sheet's rows written by a forked process on the second core.

The summary's sheets are written in ``constant_memory`` mode: each sheet's rows
go to its own temporary file. A forked worker shares that open file and has a
copy of the worksheet as it stood, so it can go on writing the sheet's rows
with the same xlsxwriter code the main process would run, while the main
process writes the other sheets: the bytes are the serial ones by construction.
The main process sends what to write down a pipe (``send``) and touches neither
the sheet's file nor its rows meanwhile; at ``finish`` the worker flushes and
sends back what xlsxwriter keeps of the rows (their bounds, the last row written,
a row it still holds and the settings of rows written cell by cell), which the
main process takes over before it goes on: its sheet is then as if it had
written the rows itself.
"""

from __future__ import annotations

import contextlib
import copyreg
import io
import multiprocessing
import os
import pickle
import threading
from collections.abc import Callable
from typing import Any

import xlsxwriter.worksheet
from xlsxwriter.format import Format

from tianbao.errors import EnvironmentFault
from tianbao.support.parallel import can_fork, cores, die_with_parent

# the worksheet's state the rows change (bounds of what was written, the last row)
_STATE = ("dim_rowmin", "dim_rowmax", "dim_colmin", "dim_colmax", "previous_row")


class Numbered:
    """A format as a worker knows it: its number, given by the main process."""

    __slots__ = ("xf_index",)

    def __init__(self, xf_index: int) -> None:
        self.xf_index = xf_index

    def _get_xf_index(self) -> int:
        return self.xf_index


def _portable(cells: dict[int, Any]) -> dict[int, tuple[str, dict[str, Any]]]:
    """A held row's cells (xlsxwriter's named tuples) as their type's name and fields,
    a format as its number: what the pipe can carry."""
    out = {}
    for col, cell in cells.items():
        fields = cell._asdict()
        if fields.get("format") is not None:
            fields["format"] = Numbered(fields["format"]._get_xf_index())
        out[col] = (type(cell).__name__, fields)
    return out


def _restored(cells: dict[int, tuple[str, dict[str, Any]]]) -> dict[int, Any]:
    """``_portable``'s cells as xlsxwriter's named tuples again."""
    kinds = xlsxwriter.worksheet
    return {col: getattr(kinds, f"Cell{name}Tuple")(**f) for col, (name, f) in cells.items()}


def _numbered(fmt: Format) -> tuple[type[Numbered], tuple[int]]:
    return Numbered, (int(fmt._get_xf_index()),)


# a format pickled as ``Numbered``: its number, once per message (pickle's memo), where
# swapping each cell's format for it cost more than the rest of sending the row
_TABLE = {**copyreg.dispatch_table, Format: _numbered}


def _dumps(message: Any) -> bytes:
    """What the main process sends a worker: formats numbered already (``lending``)."""
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _TABLE
    pickler.dump(message)
    return buf.getvalue()


def worth_it() -> bool:
    """A second core to write on, fork to start a worker with, and the main thread: in
    ``tianbao serve`` a summary is made in a request's thread, and a process forked
    from a thread beside others may inherit a lock one of them held."""
    return cores() > 1 and can_fork() and threading.current_thread() is threading.main_thread()


class SheetWorker:
    """A forked process that runs ``handle(message)`` on its copy of ``ws`` for each
    message sent, from row ``since`` of the sheet on."""

    def __init__(self, ws: Any, handle: Callable[[Any], None], since: int) -> None:
        self.ws = ws
        ws.fh.flush()  # the worker appends after what is written so far
        self.child = Child(_serve, ws, handle, since)
        self.conn = self.child.conn
        ws.table.clear()  # a row held for writing is the worker's to write now

    def send(self, message: Any) -> None:
        try:
            self.conn.send_bytes(_dumps(message))
        except OSError:  # the worker is gone: say why at ``finish``
            self.finish()
            raise

    def finish(self) -> None:
        """Wait for the worker to write all it was sent; the sheet's state as it left
        it (or the worker's error raised here)."""
        ws = self.ws
        try:
            self.conn.send_bytes(_dumps(None))
            done = self.conn.recv()
        except (OSError, EOFError):
            done = None
        finally:
            self.close()
        if isinstance(done, BaseException):
            raise done
        if not isinstance(done, dict):
            raise EnvironmentFault(
                f"写{ws.name}的工作进程意外退出 | the process writing {ws.name} died"
            )
        ws.row_info.update(done.pop("row_info"))
        held = done.pop("table")  # a row held: written when the next one starts
        ws.table.update({r: _restored(cells) for r, cells in held.items()})
        for name, value in done.items():
            setattr(ws, name, value)
        ws.fh.seek(0, os.SEEK_END)  # after the worker's rows

    def close(self) -> None:
        """Stop the worker (if still running) and wait for it."""
        self.child.stop()


def _serve(conn: Any, ws: Any, handle: Callable[[Any], None], since: int) -> None:
    """In the worker: handle the messages as they come, then report the sheet's state."""
    while (message := pickle.loads(conn.recv_bytes())) is not None:
        handle(message)
    ws.fh.flush()
    state: dict[str, Any] = {name: getattr(ws, name) for name in _STATE}
    # row settings xlsxwriter keeps for rows it wrote cell by cell (comments' sizes)
    state["row_info"] = {r: info for r, info in ws.row_info.items() if r >= since}
    state["table"] = {r: _portable(cells) for r, cells in ws.table.items() if cells}
    conn.send(state)


class Child:
    """A forked process running ``body(conn, *args)`` with its end of a pipe, whose other
    end is ``conn``. It dies with the main process; an error in ``body`` is sent down
    the pipe for the main process to raise; it leaves by os._exit, never flushing or
    closing what it shares with the main process (the other sheets' files, the ledger)."""

    def __init__(self, body: Callable[..., None], *args: Any, duplex: bool = True) -> None:
        ctx = multiprocessing.get_context("fork")
        self.conn, theirs = ctx.Pipe(duplex=duplex)  # one-way: ours reads, theirs writes
        self.proc = ctx.Process(
            target=_child, args=(body, theirs, self.conn, args, os.getpid()), daemon=True
        )
        self.proc.start()
        theirs.close()

    def stop(self) -> None:
        """Close our end (the child stops at its next send or receive) and wait for it."""
        with contextlib.suppress(OSError):
            self.conn.close()
        self.proc.join(timeout=5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()


def _child(
    body: Callable[..., None], conn: Any, other: Any, args: tuple[Any, ...], parent: int
) -> None:
    other.close()
    code = 0
    try:
        die_with_parent(parent)
        body(conn, *args)
    except EOFError:  # the main process is gone
        code = 1
    except Exception as exc:  # the main process raises it
        with contextlib.suppress(Exception):
            conn.send(exc)
        code = 1
    finally:
        os._exit(code)

"""antt.read.quiet: what is written on file descriptor 2 inside the block is dropped, and nothing else."""

from __future__ import annotations

import os
import subprocess
import sys

from antt.read.quiet import quiet_stderr


def test_descriptor_2_is_dropped_inside_the_block_and_back_after(capfd):
    os.write(2, b"before\n")
    with quiet_stderr():
        os.write(2, b"inside\n")
        with quiet_stderr():                     # nested: one redirection
            os.write(2, b"nested\n")
        os.write(2, b"still inside\n")
        print("stdout stays", flush=True)
    os.write(2, b"after\n")
    out, err = capfd.readouterr()
    assert err == "before\nafter\n"
    assert out == "stdout stays\n"


def test_descriptor_2_comes_back_when_the_block_raises(capfd):
    try:
        with quiet_stderr():
            raise ValueError("x")
    except ValueError:
        pass
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "after\n"


def test_silence_stderr_is_for_the_rest_of_a_process():
    code = ("import os; from antt.read.quiet import silence_stderr; os.write(2, b'a'); silence_stderr(); "
            "os.write(2, b'b'); print('done')")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and run.stdout == "done\n" and run.stderr == "a"

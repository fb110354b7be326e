"""The Compiler contract's shared parts: dependency files, first errors, failed runs."""
import logging
import os
import re

import pytest

from warpbench import compiler
from warpbench.compiler import GCC_DIAGNOSTIC, Compiler, define_flags, first_error, read_depfile
from warpbench.errors import CompileError


def test_read_depfile_handles_continuations_escapes_and_relative_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "deps.d").write_text("out.o: /src/k.cu inc/a.cuh \\\n /usr/x\\ y.h \\\n"
                                     "  $$HOME/b.h inc/a.cuh\n")
    assert read_depfile(tmp_path / "deps.d") == [
        "/src/k.cu", str(tmp_path / "inc" / "a.cuh"), "/usr/x y.h", str(tmp_path / "$HOME" / "b.h")]


def test_define_flags():
    flags = define_flags({"TILE": 16, "FAST": None, "ON": True, "OFF": False})
    assert flags == ["-DFAST", "-DON", "-DTILE=16"]


PRELUDE_LOG = """\
/pkg/include/wbemu/atomics.h: In instantiation of 'T atomicAdd(T*, T)':
user.cu:12:5:   required from here
/pkg/include/wbemu/atomics.h:40:10: error: no match for 'operator+'
user.cu:20:1: error: expected ';' before '}' token
"""


def test_first_error_points_at_the_user_line_and_counts_the_rest():
    assert first_error(PRELUDE_LOG, (GCC_DIAGNOSTIC,), ("/pkg/include",)) == (
        "user.cu:12: error: no match for 'operator+' (and 1 more errors)")
    assert first_error("/pkg/x.h:40:10: error: boom\n", (GCC_DIAGNOSTIC,)) == "/pkg/x.h:40: error: boom"
    assert first_error("ld: cannot find -lfoo\n", (GCC_DIAGNOSTIC,)) is None


class ShellCompiler(Compiler):
    """A 'compiler' that runs a shell script: enough to fail in every way a real one can."""

    kind, suffix = "shell", ".bin"

    def __init__(self, script: str):
        super().__init__()
        self.script = script

    def identity(self):
        return ("sh",)

    def key_parts(self, job):
        return (self.script,)

    def command(self, job, work):
        return ["sh", "-c", self.script, "sh", str(work / "out.bin")], work / "out.bin"


class Job:
    name = "job.cu"


@pytest.mark.parametrize("script,message", [
    ("kill -9 $$", "job.cu: sh was killed by signal 9"),
    ("exit 0", "job.cu: the compiler reported success but wrote nothing"),
    ("echo 'job.cu:3:1: error: bad thing' >&2; exit 1", "job.cu:3: error: bad thing"),
    ("echo 'no location here' >&2; exit 1", "job.cu: no location here"),
])
def test_a_failed_run_is_one_line_and_never_cached(private_cache, script, message):
    shell = ShellCompiler(script)
    for _ in range(2):
        with pytest.raises(CompileError) as info:
            shell.compile(Job())
        assert str(info.value) == message
    assert shell.stats["compiled"] == 2 and not any(private_cache.rglob("*.json"))


def test_a_successful_run_is_cached(private_cache):
    shell = ShellCompiler('printf data > "$1"; echo "$1: job.cu" > "$4"')
    first, second = shell.compile(Job()), shell.compile(Job())
    assert first.data == second.data == b"data" and second.cached and shell.stats["compiled"] == 1
    assert re.fullmatch(r"[0-9a-f]{64}\.bin", second.path.name) and os.path.isfile(second.path)
    assert compiler.inside(str(second.path), [private_cache])


def test_an_artefact_without_a_dependency_list_is_an_error(private_cache):
    with pytest.raises(CompileError, match="^job.cu: the compiler wrote no dependency list$"):
        ShellCompiler('printf data > "$1"').compile(Job())


def test_debug_level_one_logs_compile_and_cache_events(private_cache, monkeypatch, caplog):
    from warpbench import config
    monkeypatch.setattr(config, "DEBUG", 1)
    shell = ShellCompiler('printf data > "$1"; echo "$1: job.cu" > "$4"')
    with caplog.at_level(logging.DEBUG, logger="warpbench"):
        shell.compile(Job())
        shell.compile(Job())
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0] == "shell: compiling job.cu" and messages[-1].startswith("shell: cache hit for job.cu")

"""Every Python block of README.md runs as written, on the emulator and the cpu device, and
gives the results its comments show (the conventions are in tests/readme_blocks.py).

A block that does not run as written is listed in KNOWN_GAPS with the reason, as a strict
xfail: once the README is fixed the test reports XPASS and the entry must go.
"""
from __future__ import annotations

import os

import numpy as np
import pytest

from tests.readme_blocks import README, Block, check_claim, python_blocks, run_block

BLOCKS = python_blocks(README.read_text())
#: The first line of a README block that does not run as written -> why.
KNOWN_GAPS: dict[str, str] = {}
#: Blocks that take more than a few seconds (the first LeNet train step compiles its kernels).
SLOW = {"from warpbench import networks"}


class Session:
    """One namespace for the whole README, run in order: running block i first runs the
    blocks before it (their failures are their own tests' business)."""

    def __init__(self, folder):
        self.namespace: dict = {"__name__": "__readme__"}
        self.folder = folder
        self.done = 0

    def run(self, block: Block) -> list[str]:
        """Run every earlier block not run yet, then ``block``; returns its broken promises."""
        cwd = os.getcwd()
        os.chdir(self.folder)   # net.save("lenet.npz") and friends write here
        try:
            for earlier in BLOCKS[self.done:block.index]:
                self.done = earlier.index + 1
                if earlier.skip is None:
                    try:
                        run_block(earlier, self.namespace)
                    except Exception:   # reported by that block's own test
                        pass
            self.done = block.index + 1
            return run_block(block, self.namespace)
        finally:
            os.chdir(cwd)


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """The README's namespace, with a scratch working directory."""
    return Session(tmp_path_factory.mktemp("readme"))


def _param(block: Block):
    marks = []
    if block.skip is not None:
        marks.append(pytest.mark.skip(reason=block.skip))
    if block.first_line in KNOWN_GAPS:
        marks.append(pytest.mark.xfail(reason=KNOWN_GAPS[block.first_line], strict=True))
    if block.first_line in SLOW:
        marks.append(pytest.mark.slow)
    return pytest.param(block, marks=marks, id=f"block{block.index}-line{block.line}")


def test_the_readme_has_its_python_blocks():
    assert len(BLOCKS) >= 9, [b.first_line for b in BLOCKS]
    stale = set(KNOWN_GAPS) - {b.first_line for b in BLOCKS}
    assert not stale, f"KNOWN_GAPS names blocks the README no longer has: {stale}"


@pytest.mark.parametrize("block", [_param(b) for b in BLOCKS])
def test_readme_block_runs_as_written(session, block):
    broken = session.run(block)
    assert not broken, "\n".join(broken)


def test_skip_marker_and_fences_are_read():
    text = "intro\n```python\na = 1\n```\n\n<!-- skip: needs a GPU -->\n```python\nb = 2\n```\n```\nshell\n```\n"
    first, second = python_blocks(text)
    assert (first.code, first.skip, first.line) == ("a = 1\n", None, 3)
    assert (second.code, second.skip, second.line) == ("b = 2\n", "needs a GPU", 8)


@pytest.mark.parametrize("value, comment, kept", [
    ((True, "AXPBOp{a=4, b=5}"), "True, 'AXPBOp{a=4, b=5}'", True),
    ((True, "AXPBOp{a=4,b=5}"), "True, 'AXPBOp{a=4, b=5}'", False),
    (np.array([2, 3]), "[2, 3], from infer_shape", True),
    (np.array([2, 4]), "[2, 3], from infer_shape", False),
    (np.full((2, 3), 9.0), "all 9", True),
    (np.full((2, 3), 8.0), "all 9", False),
    ("anything", "Theano's format, with the device of each node", True),
])
def test_comment_claims_are_checked(value, comment, kept):
    assert (check_claim(value, comment) is None) == kept


def test_a_wrong_transcript_is_reported():
    block = Block(0, 1, "print('a')\nprint('b')\n# a\n# c\n", None)
    broken = run_block(block, {})
    assert len(broken) == 1 and "README.md:2 print('b')" in broken[0], broken
    assert not run_block(Block(0, 1, "print('a\\nb\\nc')\n# a\n# b\n#  ...\n", None), {})

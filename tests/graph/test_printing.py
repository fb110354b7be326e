"""debugprint: Theano's format with the device of each node (golden texts); print_profile."""
import io

import numpy as np
import pytest

from warpbench.errors import WarpbenchError
from warpbench.graph import AXPBOp, FunctionGraph, debugprint, function, matrix, print_profile, vector
from warpbench.graph.printing import _letters
from warpbench.graph.rewrite import optimize

from .book import AXPBOp as BookAXPBOp


def dprint(obj) -> str:
    return debugprint(obj, file=io.StringIO())


def test_cpu_function():
    x = vector("x")
    f = function([x], x * 2 + 4 * x, device="cpu")
    assert dprint(f) == """\
Composite{((i0 * i1) + (i2 * i0))} [id A] <cpu> ''   0
 |x [id B]
 |TensorConstant{2.0} [id C]
 |TensorConstant{4.0} [id D]
"""


def test_variable_graph_has_no_toposort_index_and_shows_names():
    x = vector("x")
    y = AXPBOp(4, 5)(x)
    y.name = "y"
    assert dprint(y.sum()) == """\
Sum [id A] <cpu> ''
 |AXPBOp{a=4, b=5} [id B] <cpu> 'y'
   |x [id C]
"""


# The book's picture: an op with only a host implementation inside a device graph runs
# between HostFromGpu and GpuFromHost.
BOOK_PICTURE = """\
HostFromGpu [id A] <emu->cpu> ''   6
 |Transpose [id B] <emu> ''   5
   |GpuFromHost<emu> [id C] <cpu->emu> ''   4
     |AXPBOp{a=4, b=5} [id D] <cpu> ''   3
       |HostFromGpu [id E] <emu->cpu> ''   2
         |Transpose [id F] <emu> ''   1
           |GpuFromHost<emu> [id G] <cpu->emu> ''   0
             |x [id H]
"""


def _book_graph():
    """x -> Transpose (kernel) -> AXPBOp (host only) -> Transpose (kernel)."""
    x = matrix("x")
    return x, BookAXPBOp(4, 5)(x.T).T


def test_book_picture_on_a_kernel_device():
    x, z = _book_graph()
    assert dprint(optimize(FunctionGraph([x], [z]), "emu")) == BOOK_PICTURE


def test_book_picture_of_a_compiled_emu_function(emu):
    x, z = _book_graph()
    assert dprint(function([x], z, device="emu")) == BOOK_PICTURE


def test_shared_subtrees_print_once():
    x = vector("x")
    h = x * 2
    text = dprint([h + h, h])
    assert text == """\
Add [id A] <cpu> ''
 |Mul [id B] <cpu> ''
 | |x [id C]
 | |TensorConstant{2.0} [id D]
 |Mul [id B] <cpu> ''
Mul [id B] <cpu> ''
"""


def test_device_nodes_on_cuda():
    x = vector("x")
    fg = optimize(FunctionGraph([x], [AXPBOp(4, 5)(x * 2)]), "cuda")
    assert dprint(fg) == """\
HostFromGpu [id A] <cuda->cpu> ''   3
 |AXPBOp{a=4, b=5} [id B] <cuda> ''   2
   |GpuElemwise{Mul} [id C] <cuda> ''   1
     |GpuFromHost<cuda> [id D] <cpu->cuda> ''   0
     | |x [id E]
     |TensorConstant{2.0} [id F]
"""


def test_prints_to_stdout_by_default(capsys):
    text = debugprint(vector("x") * 2)
    assert capsys.readouterr().out == text


def test_theano_ids():
    assert [_letters(n) for n in (0, 1, 25, 26, 27, 26 * 26)] == ["A", "B", "Z", "BA", "BB", "BAA"]


def test_pprint_of_the_book_example_is_its_output():
    from warpbench.graph import pprint
    y = BookAXPBOp(4, 5)(matrix())
    assert pprint(y) == "AXPBOp{a=4, b=5}.0"
    y.name = "y"
    assert pprint(y) == "AXPBOp{a=4, b=5}.0" and pprint(y * 2) == "y * 2"


def test_pprint_writes_elementwise_graphs_as_expressions():
    from warpbench.graph import dot, exp, grad, pprint
    x, v = matrix("x"), vector("v")
    assert pprint(x * 2 + 4 * x) == "(x * 2) + (4 * x)"
    assert pprint((x * 0.5 - 4).sum()) == "sum((x * 0.5) - 4)"
    assert pprint(-(x + 1) * exp(x.T)) == "(-(x + 1)) * exp(x.T)"
    assert pprint(dot(x, x.T) / 3) == "(x @ x.T) / 3"
    assert pprint(x.shape[1] * 2) == "shape(x)[1] * 2"
    assert pprint(grad((v * v).sum(), v)) == "sum_to(fill(v * v, 1) * v, v) + sum_to(fill(v * v, 1) * v, v)"
    assert pprint([x + 1, AXPBOp(4, 5)(x)]) == "x + 1\nAXPBOp{a=4, b=5}.0"


def test_pprint_of_a_compiled_device_graph_shows_the_transfers():
    from warpbench.graph import pprint
    x = vector("x")
    fg = optimize(FunctionGraph([x], [AXPBOp(4, 5)(x * 2) + 1]), "emu")
    assert pprint(fg.outputs[0]) == "HostFromGpu(AXPBOp{a=4, b=5}.0 + 1)"


def test_print_profile_per_class_and_per_node():
    x = vector("x")
    f = function([x], AXPBOp(4, 5)(x) * 2 + 1, device="cpu", name="step", profile=True,
                 excluding=("fusion",))
    for _ in range(4):
        f(np.ones(5, np.float32))
    text = print_profile(f, file=io.StringIO())
    lines = text.splitlines()
    assert lines[:3] == ["Function profiling", "==================", "  Message: step on cpu"]
    assert lines[3].startswith("  Time in 3 calls to Function.__call__: ") and "(first call, excluded: " in lines[3]
    classes = lines[lines.index("Class") + 3:lines.index("Apply") - 1]
    assert sorted(line.split()[-1] for line in classes) == ["AXPBOp", "Add", "Mul"]
    assert all(line.split()[4:7] == ["3", "1", "0"] for line in classes)  # calls, nodes, bytes moved
    assert float(classes[-1].split()[1].rstrip("%")) == pytest.approx(100, abs=0.2)  # the running share
    nodes = lines[lines.index("Apply") + 3:]
    assert len(nodes) == 3 and any(line.endswith("AXPBOp{a=4, b=5}(x) (cpu)") for line in nodes)
    assert sorted(int(line.split()[5]) for line in nodes) == [0, 1, 2]  # toposort ids


def test_print_profile_before_a_counted_call_and_without_profile():
    x = vector("x")
    f = function([x], x * 2, device="cpu", profile=True)
    assert "Time in 0 calls to Function.__call__: 0.000e+00s (first call, excluded: none yet)" in \
        print_profile(f, file=io.StringIO())
    with pytest.raises(WarpbenchError, match="^function was compiled without profile=True"):
        print_profile(function([x], x, device="cpu"))


def test_debugprint_to_str_returns_the_text_without_printing_it(capsys):
    text = debugprint(vector("x") * 2, file="str")
    assert text.startswith("Mul [id A]") and "x [id B]" in text
    assert capsys.readouterr().out == ""

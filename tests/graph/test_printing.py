"""debugprint: Theano's format with the device of each node (golden texts)."""
import io

from warpbench.graph import AXPBOp, FunctionGraph, debugprint, function, matrix, vector
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

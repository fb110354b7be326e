"""The book's chapter-13 Python op, verbatim but for the grad fix: a perform and nothing else.

It has no host code and no device kernel, so in a cuda/emu graph it runs on the host with
transfers around it, the picture of the book. Named AXPBOp, as in the book, so that
graphs print as the book shows them; it is a different class from
``warpbench.graph.AXPBOp`` (which has all three implementations).
"""
from warpbench.graph import Apply, Op, as_variable


class AXPBOp(Op):
    """This creates an Op that takes x to a*x+b."""

    __props__ = ("a", "b")

    def __init__(self, a, b):
        self.a = a
        self.b = b
        super().__init__()

    def make_node(self, x):
        x = as_variable(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        x = inputs[0]
        z = output_storage[0]
        z[0] = self.a * x + self.b

    def infer_shape(self, node, i0_shapes):
        return i0_shapes

    def grad(self, inputs, output_grads):
        return [self.a * output_grads[0]]

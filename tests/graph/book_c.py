"""The book's chapter-13 op in C ("Theano Op in C for CPU"), adapted to warpbench's contract.

As in the book: no ``perform``, a ``c_support_code`` helper checking that two arrays have
the same shape, a ``c_support_code_apply`` with the strided recursive loop specialised for
the node, and a ``c_code`` that checks the output and calls the loop. What changes is what
the code receives: typed pointers with ``nd_``/``dims_``/``strides_`` instead of
``PyArrayObject``, and outputs allocated by warpbench from ``infer_shape``. The book's
stride arithmetic is kept in bytes; its bug (``dims[0]`` compared to itself) is fixed.
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

    def infer_shape(self, node, i0_shapes):
        return i0_shapes

    def grad(self, inputs, output_grads):
        return [self.a * output_grads[0]]

    def c_code_cache_version(self):
        return (6, 0)

    def c_support_code(self):
        return """
        bool same_shape(int nd1, const npy_intp* dims1, int nd2, const npy_intp* dims2)
        {
            if (nd1 != nd2) {
                return false;
            }
            for (int i = 0; i < nd1; i++) {
                if (dims1[i] != dims2[i]) {
                    return false;
                }
            }
            return true;
        }
        """

    def c_support_code_apply(self, node, name):
        dtype_x = node.inputs[0].dtype
        dtype_z = node.outputs[0].dtype
        a = self.a
        b = self.b
        return """
        void elemwise_op_%(name)s(const char* x_ptr, const npy_intp* x_str,
            char* z_ptr, const npy_intp* z_str, int nbDims, const npy_intp* dims)
        {
            for (npy_intp i = 0; i < dims[0]; i++) {
                if (nbDims == 1) {
                    npy_%(dtype_x)s x = *(const npy_%(dtype_x)s*)(x_ptr + i * x_str[0]);
                    *(npy_%(dtype_z)s*)(z_ptr + i * z_str[0]) =
                        x * ((npy_%(dtype_z)s) %(a)s) + ((npy_%(dtype_z)s) %(b)s);
                } else {
                    elemwise_op_%(name)s(x_ptr + i * x_str[0], x_str + 1,
                        z_ptr + i * z_str[0], z_str + 1, nbDims - 1, dims + 1);
                }
            }
        }
        """ % locals()

    def c_code(self, node, name, inp, out, sub):
        x = inp[0]
        z = out[0]
        fail = sub["fail"]
        return """
        // Validate that the output storage has the same shape as x.
        if (!same_shape(nd_%(x)s, dims_%(x)s, nd_%(z)s, dims_%(z)s)) {
            %(fail)s
        }
        if (nd_%(x)s == 0) {
            %(z)s[0] = %(x)s[0] * %(a)s + %(b)s;
        } else if (n_%(x)s > 0) {
            elemwise_op_%(name)s((const char*)%(x)s, strides_%(x)s, (char*)%(z)s, strides_%(z)s,
                                 nd_%(x)s, dims_%(x)s);
        }
        """ % dict(x=x, z=z, fail=fail, name=name, a=self.a, b=self.b)

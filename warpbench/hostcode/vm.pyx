"""The graph executor's inner loop in Cython, Theano's CVM: a whole function call without Python frames.

``warpbench.graph.link`` prepares everything at link time: per node a :class:`Step` (its
thunk, its input and output cells, the cells it frees, its NVTX range), per function a
:class:`VM` (input cells with the dtype and ndim each accepts, output cells, shared
variables and where they must live, updates). A call then only checks arguments, moves
values between cells and calls thunks. Everything unusual goes back to the Python
``loop`` object (``link.Loop``): a node failing or leaving an output unset, an argument
that needs converting, a shared value on another device, and every call whose leaf
shapes differ from the last checked call (the loop then runs each node after its
``infer_shape``, and marks the nodes whose input shapes those leaf shapes do not fix,
which keep their check in later calls).

Between calls every cell of a node output is None (freed after its last reader, cleared
after the call or after an error), so an output a thunk leaves unset is seen as None
and never passes for an old value.
"""
cimport numpy as cnp
from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE, PyList_New, PyList_SET_ITEM
from cpython.ref cimport Py_INCREF, PyObject
from cpython.tuple cimport PyTuple_New, PyTuple_SET_ITEM

cnp.import_array()


cdef inline object cell_value(list cell):
    return <object>PyList_GET_ITEM(cell, 0)


cdef inline void set_cell(list cell, object value):
    cell[0] = value


cdef list gather(list cells):
    """The values held by ``cells``, as a new list."""
    cdef Py_ssize_t j, k = PyList_GET_SIZE(cells)
    cdef list values = PyList_New(k)
    cdef object value
    for j in range(k):
        value = cell_value(<list>PyList_GET_ITEM(cells, j))
        Py_INCREF(value)
        PyList_SET_ITEM(values, j, value)
    return values


cdef class Step:
    """One node ready to run: ``run(values, output_cells)``, its cells and its NVTX range."""

    cdef public Py_ssize_t index
    cdef public object node, name, run, kernel, range
    cdef public list inputs, outputs, frees
    #: True: the node's input shapes are not fixed by the leaf shapes, so every call
    #: checks them with its infer_shape (the loop's slow path).
    cdef public bint checked
    cdef object nvtx_push, nvtx_pop  # not "pop": Cython would call it as list.pop

    def __init__(self, index, node, name, run, kernel, list inputs, list outputs, list frees, range):
        self.index, self.node, self.name, self.run, self.kernel = index, node, name, run, kernel
        self.inputs, self.outputs, self.frees = inputs, outputs, frees
        self.range, self.nvtx_push, self.nvtx_pop = range, range.push, range.pop
        self.checked = True


cdef class VM:
    """A linked function: ``call(args)`` runs one call and returns its result(s)."""

    cdef object loop
    cdef list steps, input_cells, ndims, dtypes, leaf_cells, output_cells, copiers, cleared
    cdef list shared, places, targets, target_places
    cdef Py_ssize_t n_outputs
    cdef bint single, always_checked
    cdef object checked_shapes

    def __init__(self, loop, list steps, list input_cells, list input_types, list leaf_cells, list output_cells,
                 list copiers, list cleared, list shared, list places, list targets, list target_places,
                 Py_ssize_t n_outputs, bint single, bint always_checked):
        self.loop, self.steps = loop, steps
        self.input_cells, self.leaf_cells, self.output_cells = input_cells, leaf_cells, output_cells
        self.ndims = [t.ndim for t in input_types]
        self.dtypes = [cnp.dtype(t.dtype) for t in input_types]
        self.copiers, self.cleared = copiers, cleared
        self.shared, self.places, self.targets, self.target_places = shared, places, targets, target_places
        self.n_outputs, self.single, self.always_checked = n_outputs, single, always_checked
        self.checked_shapes = None

    def call(self, tuple args):
        """Fill the inputs, run every node, return the outputs and apply the updates."""
        return self._call(args)

    cdef object _call(self, tuple args):
        try:
            self._set_inputs(args)
            self._place_shared()
            shapes = self._leaf_shapes()
            if self.always_checked or shapes != self.checked_shapes:
                self.checked_shapes = None
                self.loop.run_checked()
                self.checked_shapes = shapes
            else:
                self._run()
            return self._finish()
        except BaseException:
            self.loop.reset()
            raise

    cdef void _set_inputs(self, tuple args) except *:
        cdef Py_ssize_t i, n = len(args)
        cdef object value
        if n != PyList_GET_SIZE(self.input_cells):
            self.loop.wrong_count(n)
        for i in range(n):
            value = args[i]
            if not (cnp.PyArray_CheckExact(value)
                    and cnp.PyArray_NDIM(<cnp.ndarray>value) == <int>self.ndims[i]
                    and <PyObject*>cnp.PyArray_DESCR(<cnp.ndarray>value) == <PyObject*>PyList_GET_ITEM(self.dtypes, i)):
                value = self.loop.filter_input(i, value)
            set_cell(<list>PyList_GET_ITEM(self.input_cells, i), value)

    cdef void _place_shared(self) except *:
        cdef Py_ssize_t j
        for j in range(PyList_GET_SIZE(self.shared)):
            variable = <object>PyList_GET_ITEM(self.shared, j)
            place = <object>PyList_GET_ITEM(self.places, j)
            if variable.place is not place and variable.place != place:
                variable.move_to(place)

    cdef tuple _leaf_shapes(self):
        cdef Py_ssize_t j, k = PyList_GET_SIZE(self.leaf_cells)
        cdef tuple shapes = PyTuple_New(k)
        cdef object shape
        for j in range(k):
            shape = cell_value(<list>PyList_GET_ITEM(self.leaf_cells, j)).shape
            Py_INCREF(shape)
            PyTuple_SET_ITEM(shapes, j, shape)
        return shapes

    cdef void _run(self) except *:
        cdef Py_ssize_t i, j
        cdef Step step
        cdef list values
        for i in range(PyList_GET_SIZE(self.steps)):
            step = <Step>PyList_GET_ITEM(self.steps, i)
            if step.checked:
                self.loop.run_step(step)
                continue
            values = gather(step.inputs)
            step.nvtx_push()
            try:
                step.run(values, step.outputs)
            except BaseException as exc:
                step.nvtx_pop()
                self.loop.fail(step, values, exc)
            step.nvtx_pop()
            for j in range(PyList_GET_SIZE(step.outputs)):
                if cell_value(<list>PyList_GET_ITEM(step.outputs, j)) is None:
                    self.loop.fail(step, values, None)
            for j in range(PyList_GET_SIZE(step.frees)):
                set_cell(<list>PyList_GET_ITEM(step.frees, j), None)

    cdef object _finish(self):
        cdef Py_ssize_t i, j, m = PyList_GET_SIZE(self.output_cells)
        cdef list results = PyList_New(m)
        cdef object value, copier
        for i in range(m):
            value = cell_value(<list>PyList_GET_ITEM(self.output_cells, i))
            copier = <object>PyList_GET_ITEM(self.copiers, i)
            if copier is None:  # a node's own output: copied only when an earlier output is the same array
                for j in range(i):
                    if <PyObject*>PyList_GET_ITEM(results, j) == <PyObject*>value:
                        value = self.loop.copy_output(i, value)
                        break
            else:  # an input, a constant or a shared value: the caller must not get ours
                value = copier(value)
            Py_INCREF(value)
            PyList_SET_ITEM(results, i, value)
        for j in range(PyList_GET_SIZE(self.cleared)):
            set_cell(<list>PyList_GET_ITEM(self.cleared, j), None)
        for j in range(PyList_GET_SIZE(self.targets)):
            target = <object>PyList_GET_ITEM(self.targets, j)
            set_cell(<list>target.container, <object>PyList_GET_ITEM(results, self.n_outputs + j))
            target.place = <object>PyList_GET_ITEM(self.target_places, j)
        if self.single:
            return <object>PyList_GET_ITEM(results, 0)
        return results[:self.n_outputs] if PyList_GET_SIZE(self.targets) else results


cdef class Callable:
    """The base of ``warpbench.graph.function.Function``: calling an instance runs its VM
    straight from C (no Python frame), or ``wrapper(args)`` when one is set (profiling)."""

    cdef VM _vm
    cdef object _wrapper

    def link(self, VM vm not None, wrapper=None):
        """Make calls run ``vm`` (through ``wrapper``, a function of the argument tuple, if given)."""
        self._vm, self._wrapper = vm, wrapper

    def __call__(self, *args):
        if self._wrapper is not None:
            return self._wrapper(args)
        if self._vm is None:
            raise TypeError(f"{type(self).__name__} is not linked yet")
        return self._vm._call(args)

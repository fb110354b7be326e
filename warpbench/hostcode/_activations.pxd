# Scalar activations and a row-wise activation pass, inlined into every module that
# cimports them. float32 exp uses libm's expf (the double exp would convert every
# element); float32 tanh is the exception, see tanh_.
from cython cimport floating
from cython.parallel cimport prange
from libc.math cimport copysign, exp, expf, fabs, tanh

cdef enum:
    ACT_NONE = 0
    ACT_RELU = 1
    ACT_TANH = 2
    ACT_SIGMOID = 3

# Loops shorter than this run serially: an OpenMP team costs microseconds to wake.
cdef enum:
    PAR_MIN = 32768


cdef inline floating tanh_(floating v) noexcept nogil:
    cdef double a, e
    if floating is float:
        # glibc's tanhf costs ~2.5x this. In double, with e = exp(-2|v|), (1 - e) / (1 + e)
        # loses ~1e-13 to cancellation for |v| >= 2**-12, far below float32's eps; below
        # that tanh(v) = v (1 - v*v/3) rounds to v. Checked correctly rounded on 2**24
        # float32 inputs spanning 2**-35 .. 2**8. NaN and +-inf come out as NaN and +-1.
        a = fabs(v)
        if a < 0.000244140625:
            return v
        e = exp(-2 * a)
        return <float>copysign((1 - e) / (1 + e), v)
    else:
        return tanh(v)


cdef inline floating exp_(floating v) noexcept nogil:
    if floating is float:
        return expf(v)
    else:
        return exp(v)


cdef inline floating sigmoid(floating v) noexcept nogil:
    # exp(-v) overflows to inf for very negative v, giving exactly 0: no NaN path.
    return 1 / (1 + exp_(-v))


cdef inline void act_inplace(floating* p, Py_ssize_t n, int act) noexcept nogil:
    """Apply activation ``act`` to p[0:n]; the switch sits outside the loops."""
    cdef Py_ssize_t j
    if act == ACT_RELU:
        for j in range(n):
            # A select, not `if p[j] < 0: p[j] = 0`: a conditional store does not vectorize
            # and mispredicts on mixed signs. `< 0` keeps NaN as numpy.maximum(x, 0) does.
            p[j] = 0 if p[j] < 0 else p[j]
    elif act == ACT_TANH:
        for j in range(n):
            p[j] = tanh_(p[j])
    elif act == ACT_SIGMOID:
        for j in range(n):
            p[j] = sigmoid(p[j])


cdef inline void bias_act_rows(const floating* x, const floating* bias, Py_ssize_t nb,
                               floating* out, Py_ssize_t m, Py_ssize_t n, int act,
                               bint per_row) noexcept nogil:
    """out = act(x + bias) for row-major (m, n) x and out (out may be x).

    per_row: bias[i % nb] is added to all of row i (rows are NCHW planes, nb channels);
    else bias[j] to column j (nb == n).
    """
    cdef Py_ssize_t i, j
    for i in prange(m, schedule="static", use_threads_if=m * n > PAR_MIN):
        if per_row:
            for j in range(n):
                out[i * n + j] = x[i * n + j] + bias[i % nb]
        else:
            for j in range(n):
                out[i * n + j] = x[i * n + j] + bias[j]
        act_inplace(&out[i * n], n, act)

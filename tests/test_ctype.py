"""The one table of C parameter types, as specs and the emulator's argument checks read it."""
import numpy as np
import pytest

from warpbench.ctype import C_TYPES, c_name, lookup, strip_qualifiers, value_dtype
from warpbench.emu.arguments import ArgumentPacker
from warpbench.emu.memory import DeviceArray
from warpbench.errors import DTypeError
from warpbench.kernels.spec import Param


def test_qualifiers_are_stripped_and_pointers_kept():
    assert strip_qualifiers("const volatile float *") == "float*"
    assert lookup("const unsigned int") is C_TYPES["unsigned int"]
    assert lookup("struct[16]") is None


@pytest.mark.parametrize("ctype,dtype", [
    ("float", "float32"), ("double", "float64"), ("int", "int32"), ("unsigned", "uint32"),
    ("long long", "int64"), ("__half", "float16"), ("unsigned char", "uint8"), ("bool", "bool"),
])
def test_value_dtypes(ctype, dtype):
    assert value_dtype(ctype) == np.dtype(dtype)
    assert Param("p", ctype).dtype({}) == np.dtype(dtype)
    assert Param("p", f"const {ctype}*").dtype({}) == np.dtype(dtype)


def test_types_numpy_cannot_hold_are_refused_by_name():
    with pytest.raises(DTypeError, match="C type 'float4' has no NumPy dtype"):
        value_dtype("float4")
    assert Param("x", "const T*").dtype({"dtype": "float64"}) == np.float64


def test_pointers_accept_the_element_dtypes_of_the_table():
    assert C_TYPES["float4"].pointee == ("float32",) and C_TYPES["void"].pointee is None
    packer = ArgumentPacker("k", ["const uchar4*", "void*", "const char*"], ["a", "b", "c"])
    packer.pack((DeviceArray(4, np.uint8), DeviceArray(4, np.float64), DeviceArray(4, np.bool_)))
    with pytest.raises(DTypeError, match=r"parameter 0 'a' \(const uchar4\*\): got a int8 array, expected "
                                         r"uint8 or bool"):
        packer.pack((DeviceArray(4, np.int8), DeviceArray(4, np.uint8), DeviceArray(4, np.int8)))


def test_scalars_are_checked_by_kind_and_width_from_the_table():
    packer = ArgumentPacker("k", ["unsigned int", "__half", "bool"], ["n", "h", "flag"])
    packer.pack((np.int32(3), np.float16(1), np.bool_(True)))
    with pytest.raises(DTypeError, match=r"'n' \(unsigned int\): got numpy.int64 .* pass np.uint32"):
        packer.pack((np.int64(3), np.float16(1), np.bool_(True)))
    with pytest.raises(DTypeError, match=r"'flag' \(bool\): got a Python bool .* np.bool_\(True\)"):
        packer.pack((np.uint32(3), np.float16(1), True))


def test_c_name_of_dtypes():
    assert [c_name(t) for t in (np.float32, np.int8, np.int64, np.uint64, np.uint16, bool)] == [
        "float", "signed char", "long long", "unsigned long long", "unsigned short", "bool"]
    with pytest.raises(DTypeError, match="complex64 has no C type"):
        c_name(np.complex64)

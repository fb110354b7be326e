"""Reading the symbol table of a compiled module (ELF64, little endian).

Used for what the dynamic loader does not tell: the size of ``__device__``/``__constant__``
globals, and which ``__shared__`` arrays (TLS symbols) belong to which kernel.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

STT_OBJECT, STT_FUNC, STT_TLS = 1, 2, 6
STB_LOCAL, STB_GLOBAL, STB_WEAK = 0, 1, 2
STV_DEFAULT = 0
SHT_SYMTAB = 2


@dataclass(frozen=True)
class Symbol:
    """One symbol: for STT_TLS, ``value`` is the offset in the module's TLS block."""
    name: str
    value: int
    size: int
    type: int
    binding: int
    visibility: int


def read_symbols(path: Path) -> list[Symbol]:
    """Every named symbol of the static symbol table (``.symtab``), without duplicates."""
    data = Path(path).read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError(f"{path} is not a little-endian ELF64 file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    symbols = {}
    for _name, section_type, _flags, _addr, offset, size, link, _info, _align, entsize in sections:
        if section_type != SHT_SYMTAB:
            continue
        strtab_offset = sections[link][4]
        for st_name, info, other, _shndx, value, sym_size in struct.iter_unpack(
                "<IBBHQQ", data[offset:offset + size - size % entsize]):
            if not st_name:
                continue
            end = data.index(b"\0", strtab_offset + st_name)
            name = data[strtab_offset + st_name:end].decode()
            symbols[(name, value)] = Symbol(name, value, sym_size, info & 0xF, info >> 4, other & 3)
    return list(symbols.values())


def local_static_prefix(function_symbol: str) -> str:
    """Mangled-name prefix of the function-local statics of a function, e.g. ``foo`` ->
    ``_ZZ3fooE`` and ``_Z3barILi16EEvPf`` -> ``_ZZ3barILi16EEvPfE``."""
    if function_symbol.startswith("_Z"):
        return "_ZZ" + function_symbol[2:] + "E"
    return f"_ZZ{len(function_symbol)}{function_symbol}E"


def variable_name(symbol: str) -> str:
    """The source name of a variable's symbol: ``_ZZ6kernelPfE4tile`` -> ``tile``,
    ``_ZN2ns5tilesE`` -> ``tiles``, ``tile`` -> ``tile``."""
    if symbol.startswith("_ZZ"):
        # <function encoding> E <length> <name> [_<discriminator>]
        for stripped in (symbol, symbol.rsplit("_", 1)[0]):
            for length in range(1, len(stripped) - 3):
                if stripped[:-length].endswith(f"E{length}") and stripped[-length:].isidentifier():
                    return stripped[-length:]
    elif symbol.startswith("_ZN") and symbol.endswith("E"):
        position, name = 3, symbol
        while position < len(symbol) - 1 and symbol[position].isdigit():
            digits = len(symbol[position:]) - len(symbol[position:].lstrip("0123456789"))
            length = int(symbol[position:position + digits])
            name = symbol[position + digits:position + digits + length]
            position += digits + length
        return name
    return symbol

"""A strict, pickle-free encoding for values crossing the sandbox boundary.

Supported: None, bool, int, float, str, list, tuple, dict with str keys, and numpy arrays of
numeric/bool dtypes. The decoder trusts nothing: every length is checked against the bytes that are
actually there and against caps, dtypes come from an allowlist, and nesting depth is bounded, so a
hostile child can neither crash the parent nor make it allocate much more than the frames it sent:
every decoding problem is a WireError, and a per-job DecodeBudget bounds the values and the time.
Frames are `u32 length + payload` so a reader never needs more than one frame in memory.
"""

from __future__ import annotations

import re
import struct
import time
from typing import Any

MAX_FRAME_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 32
MAX_BIG_INT_DIGITS = 1000
MAX_NDIM = 16
#: A decoded array has at most this many elements, and no dimension is larger (so shapes like
#: (0, 2**63) that hold no bytes are refused before numpy sees them).
MAX_ARRAY_ELEMENTS = MAX_FRAME_BYTES
#: Values (containers, scalars, arrays) one job's results may decode into: millions of tiny forged
#: objects would cost the parent far more memory and time than their bytes suggest.
MAX_OBJECTS_PER_JOB = 200_000
_BIG_INT = re.compile(rb"-?(0|[1-9][0-9]*)")
_SURROGATE = re.compile("[\ud800-\udfff]")

#: dtype codes allowed on the wire (numpy dtype.str, little-endian or byte-order free).
_ALLOWED_DTYPES = frozenset(
    {"|b1", "|i1", "|u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8", "<f2", "<f4", "<f8", "<c8", "<c16"}
)

_U32 = struct.Struct("<I")
_I64 = struct.Struct("<q")
_F64 = struct.Struct("<d")
_U64 = struct.Struct("<Q")


class WireError(ValueError):
    """The bytes are not a well-formed value (or exceed a cap)."""


class DecodeBudget:
    """What one job's results may cost the parent to decode: a count of values and a deadline.

    Shared by every frame of a job, so the cost of reading a hostile result is bounded in total,
    and reading counts against the job's own time.
    """

    def __init__(self, max_objects: int = MAX_OBJECTS_PER_JOB, deadline: float | None = None) -> None:
        self.objects_left = max_objects
        self.deadline = deadline
        self._until_clock = 1024

    def spend(self) -> None:
        self.objects_left -= 1
        if self.objects_left < 0:
            raise WireError("too many values")
        self._until_clock -= 1
        if self._until_clock <= 0:
            self._until_clock = 1024
            self.check_clock()

    def check_clock(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise WireError("reading it took too long")


class UnsupportedValue(TypeError):
    """The value has a type that may not cross the boundary."""


# ---------------------------------------------------------------- encoding
def encode(value: Any) -> bytes:
    return b"".join(_encode_parts(value))


def frame(value: Any) -> bytes:
    """`u32 length + payload`, built with a single copy of any array data."""
    parts = _encode_parts(value)
    size = sum(len(part) for part in parts)
    return b"".join([_U32.pack(size), *parts])


def _encode_parts(value: Any) -> list[Any]:
    out = _Parts()
    _encode_into(out, value, 0)
    parts = out.finish()
    if sum(len(part) for part in parts) > MAX_FRAME_BYTES:
        raise UnsupportedValue(f"value too large to send back (over {MAX_FRAME_BYTES} bytes)")
    return parts


class _Parts(bytearray):
    """Small items accumulate in place; large array buffers are kept by reference, not copied."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[Any] = []

    def attach(self, buffer: memoryview) -> None:
        self.parts.append(bytes(self))
        self.parts.append(buffer)
        del self[:]

    def finish(self) -> list[Any]:
        return [*self.parts, bytes(self)]


def read_frame(read_into: Any) -> bytes | None:
    """Read one frame with `read_into(memoryview) -> int` (e.g. a file's readinto); None at clean EOF."""
    header = bytearray(4)
    if not _read_exactly(read_into, memoryview(header)):
        return None
    size = _U32.unpack(header)[0]
    if size > MAX_FRAME_BYTES:
        raise WireError("frame too large")
    payload = bytearray(size)
    if not _read_exactly(read_into, memoryview(payload)) and size:
        raise WireError("truncated frame")
    return bytes(payload)


def _read_exactly(read_into: Any, view: memoryview) -> bool:
    got = 0
    while got < len(view):
        n = read_into(view[got:])
        if not n:
            if got:
                raise WireError("truncated frame")
            return False
        got += n
    return True


def _encode_into(out: bytearray, value: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise UnsupportedValue("value nested too deeply")
    if value is None:
        out += b"N"
    elif value is True or value is False:
        out += b"T" if value else b"F"
    elif isinstance(value, int) and type(value).__module__ == "builtins":
        if -(2**63) <= value < 2**63:
            out += b"i" + _I64.pack(value)
        else:
            digits = str(value).encode()
            if len(digits) > MAX_BIG_INT_DIGITS:
                raise UnsupportedValue("integer too large")
            out += b"I" + _U32.pack(len(digits)) + digits
    elif isinstance(value, float) and type(value).__module__ == "builtins":
        out += b"f" + _F64.pack(value)
    elif isinstance(value, str):
        data = str(value).encode("utf-8", "surrogatepass")
        out += b"s" + _U32.pack(len(data)) + data
    elif isinstance(value, list | tuple) and type(value) in (list, tuple):
        out += (b"l" if type(value) is list else b"t") + _U32.pack(len(value))
        for item in value:
            _encode_into(out, item, depth + 1)
    elif type(value) is dict:
        out += b"d" + _U32.pack(len(value))
        for key, item in value.items():
            if type(key) is not str:
                raise UnsupportedValue(f"dict keys must be str, got {type(key).__name__}")
            _encode_into(out, key, depth + 1)
            _encode_into(out, item, depth + 1)
    else:
        _encode_foreign(out, value, depth)


def _encode_foreign(out: bytearray, value: Any, depth: int) -> None:
    """numpy arrays and scalars (and torch tensors, converted to numpy) — imported lazily."""
    import sys

    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        value = value.detach().cpu().resolve_conj().resolve_neg().numpy()
    np = sys.modules.get("numpy")
    if np is not None:
        if isinstance(value, np.ndarray):
            _encode_array(out, value, np)
            return
        if isinstance(value, np.generic):
            if value.dtype.kind in "biufc":
                item = value.item()
                _encode_into(out, complex(item) if value.dtype.kind == "c" else item, depth)
                return
            raise UnsupportedValue(f"unsupported numpy scalar type {value.dtype}")
    if isinstance(value, complex):
        raise UnsupportedValue("complex numbers must be returned inside a numpy array")
    raise UnsupportedValue(f"unsupported return type {type(value).__module__}.{type(value).__qualname__}")


def _encode_array(out: bytearray, array: Any, np: Any) -> None:
    if array.dtype.kind not in "biufc" or array.dtype.str.replace(">", "<") not in _ALLOWED_DTYPES:
        raise UnsupportedValue(f"unsupported array dtype {array.dtype}")
    if array.ndim > MAX_NDIM:
        raise UnsupportedValue("array has too many dimensions")
    # Not ascontiguousarray: it turns 0-d arrays into 1-d ones.
    array = np.require(array.astype(array.dtype.newbyteorder("<"), copy=False), requirements="C")
    dtype_code = array.dtype.str.encode()
    out += b"a" + bytes([len(dtype_code)]) + dtype_code + bytes([array.ndim])
    for dim in array.shape:
        out += _U64.pack(dim)
    out += _U64.pack(array.nbytes)
    if array.nbytes >= 4096 and isinstance(out, _Parts):
        out.attach(memoryview(array).cast("B"))
    else:
        out += array.tobytes()


# ---------------------------------------------------------------- decoding
def decode(payload: bytes, budget: DecodeBudget | None = None) -> Any:
    """The value in `payload`. Every way the bytes can be wrong raises WireError, nothing else."""
    if len(payload) > MAX_FRAME_BYTES:
        raise WireError("frame too large")
    budget = budget if budget is not None else DecodeBudget()
    budget.check_clock()
    try:
        value, end = _decode_at(memoryview(payload), 0, 0, budget)
    except WireError:
        raise
    except (ValueError, TypeError, OverflowError, IndexError, struct.error) as exc:
        raise WireError(f"malformed value ({type(exc).__name__})") from None
    except (MemoryError, RecursionError) as exc:
        raise WireError(f"value too costly to read ({type(exc).__name__})") from None
    if end != len(payload):
        raise WireError("trailing bytes after value")
    return value


def _text(raw: bytes) -> str:
    """UTF-8 text; lone surrogates (valid only in Python's own encoding) become U+FFFD, so no decoded
    string can break a JSON verdict or a Discord message later."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError as exc:
        raise WireError("invalid utf-8 string") from exc
    return _SURROGATE.sub("\ufffd", text)


def _need(buf: memoryview, pos: int, n: int) -> None:
    if n < 0 or pos + n > len(buf):
        raise WireError("truncated value")


def _decode_at(buf: memoryview, pos: int, depth: int, budget: DecodeBudget) -> tuple[Any, int]:  # noqa: C901 (one branch per wire tag)
    if depth > MAX_DEPTH + 1:
        raise WireError("nested too deeply")
    budget.spend()
    _need(buf, pos, 1)
    tag = buf[pos]
    pos += 1
    if tag == ord("N"):
        return None, pos
    if tag == ord("T"):
        return True, pos
    if tag == ord("F"):
        return False, pos
    if tag == ord("i"):
        _need(buf, pos, 8)
        return _I64.unpack_from(buf, pos)[0], pos + 8
    if tag == ord("f"):
        _need(buf, pos, 8)
        return _F64.unpack_from(buf, pos)[0], pos + 8
    if tag in (ord("I"), ord("s")):
        _need(buf, pos, 4)
        n = _U32.unpack_from(buf, pos)[0]
        pos += 4
        _need(buf, pos, n)
        raw = bytes(buf[pos : pos + n])
        pos += n
        if tag == ord("s"):
            return _text(raw), pos
        if n > MAX_BIG_INT_DIGITS + 1 or not _BIG_INT.fullmatch(raw):
            raise WireError("invalid big integer")
        return int(raw), pos
    if tag in (ord("l"), ord("t")):
        _need(buf, pos, 4)
        n = _U32.unpack_from(buf, pos)[0]
        pos += 4
        _need(buf, pos, n)  # every item takes at least one byte
        items = []
        for _ in range(n):
            item, pos = _decode_at(buf, pos, depth + 1, budget)
            items.append(item)
        return (items if tag == ord("l") else tuple(items)), pos
    if tag == ord("d"):
        _need(buf, pos, 4)
        n = _U32.unpack_from(buf, pos)[0]
        pos += 4
        _need(buf, pos, 2 * n)
        result: dict[str, Any] = {}
        for _ in range(n):
            key, pos = _decode_at(buf, pos, depth + 1, budget)
            if type(key) is not str:
                raise WireError("dict key is not a string")
            result[key], pos = _decode_at(buf, pos, depth + 1, budget)
        return result, pos
    if tag == ord("a"):
        return _decode_array(buf, pos)
    raise WireError(f"unknown tag {tag}")


def _decode_array(buf: memoryview, pos: int) -> tuple[Any, int]:
    import numpy as np

    _need(buf, pos, 1)
    code_len = buf[pos]
    pos += 1
    _need(buf, pos, code_len + 1)
    code = bytes(buf[pos : pos + code_len]).decode("ascii", "replace")
    pos += code_len
    if code not in _ALLOWED_DTYPES:
        raise WireError(f"dtype {code!r} not allowed")
    ndim = buf[pos]
    pos += 1
    if ndim > MAX_NDIM:
        raise WireError("too many dimensions")
    _need(buf, pos, 8 * ndim + 8)
    shape = tuple(_U64.unpack_from(buf, pos + 8 * i)[0] for i in range(ndim))
    pos += 8 * ndim
    nbytes = _U64.unpack_from(buf, pos)[0]
    pos += 8
    dtype = np.dtype(code)
    if any(dim > MAX_ARRAY_ELEMENTS for dim in shape):
        raise WireError("array dimension too large")
    count = 1
    for dim in shape:
        count *= dim  # python ints: no overflow
    if count > MAX_ARRAY_ELEMENTS:
        raise WireError("array has too many elements")
    if count * dtype.itemsize != nbytes or nbytes > MAX_FRAME_BYTES:
        raise WireError("array size does not match its shape")
    _need(buf, pos, nbytes)
    array = np.frombuffer(buf[pos : pos + nbytes], dtype=dtype).reshape(shape).copy()
    return array, pos + nbytes


# ---------------------------------------------------------------- framing over a byte stream
class FrameReader:
    """Splits a byte stream into frames; refuses frames over the cap instead of buffering them."""

    def __init__(self, max_frame: int = MAX_FRAME_BYTES, max_total: int = 4 * MAX_FRAME_BYTES,
                 max_frames: int | None = None) -> None:  # fmt: skip
        self._buf = bytearray()
        self._max_frame = max_frame
        self._max_total = max_total
        #: millions of tiny frames would cost the parent far more than their bytes: a job sends one
        #: frame per case plus a few, so more than that is refused as it arrives
        self._frames_left = max_frames
        self._total = 0

    def feed(self, data: bytes) -> list[bytes]:
        self._total += len(data)
        if self._total > self._max_total:
            raise WireError("too much result data")
        self._buf += data
        frames: list[bytes] = []
        while len(self._buf) >= 4:
            n = _U32.unpack_from(self._buf, 0)[0]
            if n > self._max_frame:
                raise WireError("frame too large")
            if len(self._buf) < 4 + n:
                break
            if self._frames_left is not None:
                self._frames_left -= 1
                if self._frames_left < 0:
                    raise WireError("too many messages")
            with memoryview(self._buf) as view:
                frames.append(bytes(view[4 : 4 + n]))
            del self._buf[: 4 + n]
        return frames

    @property
    def has_partial(self) -> bool:
        return bool(self._buf)

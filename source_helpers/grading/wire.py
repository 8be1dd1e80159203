"""The plain-data format between the grader and the sandbox that runs a student's code.

The grader never receives a Python object from the student's process, only
data it rebuilds itself: ``None``, booleans, ints, floats, complex numbers,
strings, tuples, lists, dicts and sets of those, NumPy scalars and dtypes,
NumPy arrays (as ``.npy`` bytes, read with ``allow_pickle=False``) and the
state of a ``numpy.random.Generator``. Anything else arrives as a
``StudentObject``: an inert stand-in that knows only its type's name and a
short ``repr``. An ndarray subclass that claims to equal everything, or a
float that reads the checker's variables, cannot cross.

A message is a JSON header followed by the arrays it refers to, each frame
prefixed by its length. Both ends of the pipe use this module (the sandbox
gets a copy), and every frame is checked for size and shape on arrival.
"""

import io
import json
import struct
import time

import numpy as np

__all__ = ["ProtocolError", "StudentObject", "encode", "decode", "send", "receive"]

MAX_FRAME = 256 * 2**20      # bytes in one frame
MAX_HEADER = 32 * 2**20      # bytes of the JSON header (values that are not arrays)
DECODE_SECONDS = 10.0        # longest time decoding one value may take
MAX_MESSAGE = 512 * 2**20    # bytes in one message, all frames together
MAX_ARRAYS = 1000            # arrays in one message
MAX_DEPTH = 32               # nesting of containers
MAX_ITEMS = 2_000_000        # elements of all containers in one message
REPR_LENGTH = 120

_LENGTH = struct.Struct(">Q")


class ProtocolError(Exception):
    """A message that does not follow the format (broken pipe, bad frame, unknown tag)."""


class StudentObject:
    """Stand-in for a value of a type that cannot cross the pipe.

    ``type(obj).__name__`` is the name of the student's type, so messages such
    as "should be a tuple, but it is a Anything" read naturally.
    """

    __slots__ = ("shown",)

    def __init__(self, shown):
        self.shown = shown

    def __repr__(self):
        return self.shown

    def __eq__(self, other):
        return self is other

    __hash__ = object.__hash__


_student_types = {}


def _student_type(name):
    name = "".join(ch for ch in str(name)[:60] if ch.isalnum() or ch == "_") or "object"
    if name[0].isdigit():
        name = "_" + name
    if name not in _student_types:
        _student_types[name] = type(name, (StudentObject,), {"__slots__": ()})
    return _student_types[name]


def _short_repr(value):
    try:
        text = repr(value)
    except Exception:  # a __repr__ that fails is the student's business
        text = f"<{type(value).__name__} object>"
    text = str(text)
    return text if len(text) <= REPR_LENGTH else text[: REPR_LENGTH - 3] + "..."


# -- encoding -----------------------------------------------------------------

def encode(value):
    """``(header, arrays)``: a JSON-ready description of ``value`` and the arrays it refers to."""
    arrays = []
    counter = [0]
    header = _encode(value, arrays, 0, counter)
    return header, arrays


def _encode(value, arrays, depth, counter):
    counter[0] += 1
    if depth > MAX_DEPTH or counter[0] > MAX_ITEMS:
        return {"opaque": type(value).__name__, "repr": "<too deeply nested or too large>"}
    kind = type(value)
    if value is None or kind in (bool, str):
        return value
    if kind is int:
        return value
    if kind is float:
        return {"float": repr(value)}
    if kind is complex:
        return {"complex": [repr(value.real), repr(value.imag)]}
    if kind is tuple:
        return {"tuple": [_encode(v, arrays, depth + 1, counter) for v in value]}
    if kind is list:
        return [_encode(v, arrays, depth + 1, counter) for v in value]
    if kind is dict:
        return {"dict": [[_encode(k, arrays, depth + 1, counter), _encode(v, arrays, depth + 1, counter)]
                         for k, v in value.items()]}
    if kind in (set, frozenset):
        return {kind.__name__: [_encode(v, arrays, depth + 1, counter) for v in value]}
    if kind is range:
        return {"range": [value.start, value.stop, value.step]}
    if isinstance(value, np.ndarray) and value.dtype != object and value.dtype.names is None:
        if len(arrays) >= MAX_ARRAYS:
            return {"opaque": "ndarray", "repr": "<too many arrays>"}
        arrays.append(np.array(value, copy=True, subok=False))
        return {"array": len(arrays) - 1}
    if isinstance(value, np.generic) and not isinstance(value, np.object_) and value.dtype.names is None:
        item = value.item()
        return {"np": value.dtype.str, "v": _encode(item if type(item) in (bool, int, float, complex, str) else str(item),
                                                    arrays, depth + 1, counter)}
    if isinstance(value, np.dtype):
        return {"dtype": value.str if value.names is None else "O"}
    if isinstance(value, np.random.Generator):
        state = value.bit_generator.state
        return {"generator": _encode(state, arrays, depth + 1, counter)}
    return {"opaque": type(value).__name__, "repr": _short_repr(value)}


# -- decoding -----------------------------------------------------------------

def decode(header, arrays, *, timeout=DECODE_SECONDS):
    """Rebuild the value that ``encode`` described, from trusted types only.

    Decoding is bounded in size (``MAX_ITEMS``, ``MAX_DEPTH``) and in time:
    past ``timeout`` seconds (sets and dicts of items with equal hashes are
    slow to build) it raises ``ProtocolError``.
    """
    counter = [0, time.monotonic() + timeout]
    return _decode(header, arrays, 0, counter)


def _in_time(counter):
    if time.monotonic() > counter[1]:
        raise ProtocolError("the value took too long to read (a set or dict of many items with equal hashes?)")


def _number(text, kind):
    if type(text) is not str or len(text) > 400:
        raise ProtocolError(f"bad {kind.__name__} literal")
    try:
        return kind(text)
    except ValueError:
        raise ProtocolError(f"bad {kind.__name__} literal {text[:40]!r}") from None


def _decode(item, arrays, depth, counter):
    counter[0] += 1
    if depth > MAX_DEPTH + 2 or counter[0] > MAX_ITEMS + 10:
        raise ProtocolError("message nested too deeply or too large")
    if counter[0] % 4096 == 0:
        _in_time(counter)
    kind = type(item)
    if item is None or kind in (bool, str, int):
        return item
    if kind is list:
        return [_decode(v, arrays, depth + 1, counter) for v in item]
    if kind is not dict:
        raise ProtocolError(f"unexpected JSON value of type {kind.__name__}")
    keys = set(item)
    if keys == {"float"}:
        return _number(item["float"], float)
    if keys == {"complex"}:
        parts = item["complex"]
        if type(parts) is not list or len(parts) != 2:
            raise ProtocolError("bad complex")
        return complex(_number(parts[0], float), _number(parts[1], float))
    if keys == {"tuple"}:
        return tuple(_decode(v, arrays, depth + 1, counter) for v in _list(item["tuple"]))
    if keys == {"dict"}:
        pairs = []
        for pair in _list(item["dict"]):
            if type(pair) is not list or len(pair) != 2:
                raise ProtocolError("bad dict item")
            key = _decode(pair[0], arrays, depth + 1, counter)
            try:
                hash(key)
            except TypeError:
                raise ProtocolError("unhashable dict key") from None
            pairs.append((key, _decode(pair[1], arrays, depth + 1, counter)))
        result = {}
        for key, value in pairs:     # one at a time, so that the deadline holds for a slow build too
            result[key] = value
            _in_time(counter)
        return result
    if keys in ({"set"}, {"frozenset"}):
        (name,) = keys
        values = [_decode(v, arrays, depth + 1, counter) for v in _list(item[name])]
        result = set()
        try:
            for value in values:     # one at a time, so that the deadline holds for a slow build too
                result.add(value)
                _in_time(counter)
        except TypeError:
            raise ProtocolError("unhashable set element") from None
        return result if name == "set" else frozenset(result)
    if keys == {"range"}:
        bounds = _list(item["range"])
        if len(bounds) != 3 or not all(type(b) is int for b in bounds) or bounds[2] == 0:
            raise ProtocolError("bad range")
        return range(*bounds)
    if keys == {"array"}:
        index = item["array"]
        if type(index) is not int or not 0 <= index < len(arrays):
            raise ProtocolError("bad array reference")
        return arrays[index]
    if keys == {"np", "v"}:
        dtype = _dtype(item["np"])
        value = _decode(item["v"], arrays, depth + 1, counter)
        if type(value) not in (bool, int, float, complex, str):
            raise ProtocolError("bad NumPy scalar")
        try:
            return np.array(value, dtype=dtype)[()]
        except (ValueError, TypeError, OverflowError):
            raise ProtocolError("bad NumPy scalar value") from None
    if keys == {"dtype"}:
        return _dtype(item["dtype"])
    if keys == {"generator"}:
        state = _decode(item["generator"], arrays, depth + 1, counter)
        name = state.get("bit_generator") if type(state) is dict else None
        if name not in ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64"):
            raise ProtocolError("bad generator state")
        bit_generator = getattr(np.random, name)()
        try:
            bit_generator.state = state
        except (ValueError, TypeError, KeyError):
            raise ProtocolError("bad generator state") from None
        return np.random.Generator(bit_generator)
    if keys == {"opaque", "repr"}:
        return _student_type(item["opaque"])(str(item["repr"])[: REPR_LENGTH + 3])
    raise ProtocolError(f"unknown tag {sorted(keys)[:3]}")


def _list(value):
    if type(value) is not list:
        raise ProtocolError("expected a list")
    return value


def _dtype(text):
    if type(text) is not str or len(text) > 20:
        raise ProtocolError("bad dtype")
    try:
        dtype = np.dtype(text)
    except TypeError:
        raise ProtocolError(f"bad dtype {text!r}") from None
    if dtype.hasobject or dtype.names is not None:
        raise ProtocolError("object dtypes cannot cross")
    return dtype


# -- framing --------------------------------------------------------------------

def _array_bytes(array):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _array_from_bytes(data):
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise ProtocolError(f"bad array frame: {error}") from None
    if type(array) is not np.ndarray:
        raise ProtocolError("bad array frame")
    return array


def send(fd_file, message, arrays=()):
    """Write ``message`` (JSON-ready) and ``arrays`` to the binary file ``fd_file``, then flush."""
    frames = [json.dumps({"message": message, "arrays": len(arrays)}).encode()]
    frames += [_array_bytes(a) for a in arrays]
    for frame in frames:
        if len(frame) > MAX_FRAME:
            raise ProtocolError(f"a frame of {len(frame)} bytes exceeds the limit of {MAX_FRAME}")
        fd_file.write(_LENGTH.pack(len(frame)))
        fd_file.write(frame)
    fd_file.flush()


def _read_exact(fd_file, n):
    chunks = []
    while n:
        chunk = fd_file.read(n)
        if not chunk:
            raise ProtocolError("the other side closed the pipe")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _read_frame(fd_file):
    (length,) = _LENGTH.unpack(_read_exact(fd_file, _LENGTH.size))
    if length > MAX_FRAME:
        raise ProtocolError(f"a frame of {length} bytes exceeds the limit of {MAX_FRAME}")
    return _read_exact(fd_file, length)


def receive(fd_file):
    """Read one message written by ``send``: ``(message, arrays)``."""
    header = _read_frame(fd_file)
    if len(header) > MAX_HEADER:
        raise ProtocolError(f"a message header of {len(header)} bytes exceeds the limit of {MAX_HEADER} "
                            "(a very long list? a NumPy array crosses in far less)")
    try:
        envelope = json.loads(header)
    except (ValueError, UnicodeDecodeError):
        raise ProtocolError("the message header is not JSON") from None
    except RecursionError:
        raise ProtocolError("the message is nested too deeply") from None
    if type(envelope) is not dict or set(envelope) != {"message", "arrays"}:
        raise ProtocolError("bad message envelope")
    count = envelope["arrays"]
    if type(count) is not int or not 0 <= count <= MAX_ARRAYS:
        raise ProtocolError("bad array count")
    arrays, total = [], 0
    for _ in range(count):
        frame = _read_frame(fd_file)
        total += len(frame)
        if total > MAX_MESSAGE:
            raise ProtocolError(f"a message of more than {MAX_MESSAGE} bytes exceeds the limit")
        arrays.append(_array_from_bytes(frame))
    return envelope["message"], arrays

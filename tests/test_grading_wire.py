"""The plain-data format between grader and sandbox: what crosses comes back as the grader's own types."""

import io
import json
import math
import os
import struct

import numpy as np
import pytest

from source_helpers.grading import wire


def roundtrip(value):
    header, arrays = wire.encode(value)
    header = json.loads(json.dumps(header))          # exactly what crosses the pipe
    return wire.decode(header, arrays)


@pytest.mark.parametrize("value", [
    None, True, False, 0, -7, 2**80, 1.5, -0.0, math.inf, 1e-300, 2 + 3j, "", "row, col",
    (1, 2), [1, (2, 3)], {"a": 1, (1, 2): [3]}, {1, 2}, frozenset({"x"}), range(2, 9, 3), ((),), [[[]]],
])
def test_plain_values_come_back_equal_and_of_the_same_type(value):
    back = roundtrip(value)
    assert back == value and type(back) is type(value)


def test_nan_comes_back_as_nan():
    assert math.isnan(roundtrip(float("nan")))


@pytest.mark.parametrize("value", [np.int64(3), np.uint8(255), np.float32(0.25), np.bool_(True), np.float16(2.5),
                                   np.complex64(1 + 2j), np.int16(-4)])
def test_numpy_scalars_keep_their_type(value):
    back = roundtrip(value)
    assert type(back) is type(value) and back == value


@pytest.mark.parametrize("array", [
    np.arange(12, dtype=np.int64).reshape(3, 4), np.zeros((2, 3, 4), dtype=np.uint16), np.array(True),
    np.array([], dtype=np.float32), np.arange(20.0)[::3], np.eye(3, dtype=bool), np.array([1 + 1j, 2]),
    np.asfortranarray(np.arange(6).reshape(2, 3)),
])
def test_arrays_keep_dtype_shape_and_values(array):
    back = roundtrip(array)
    assert type(back) is np.ndarray and back.dtype == array.dtype and back.shape == array.shape
    assert np.array_equal(back, array)


def test_an_ndarray_subclass_arrives_as_a_plain_array():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return np.ones(self.shape, dtype=bool)

    back = roundtrip(np.zeros(3).view(Liar))
    assert type(back) is np.ndarray and not np.array_equal(back, np.ones(3))


def test_dtypes_and_generators_cross():
    assert roundtrip(np.dtype("uint16")) == np.dtype("uint16")
    rng = np.random.default_rng(5)
    rng.random(3)
    back = roundtrip(rng)
    assert back is not rng and np.array_equal(back.random(4), rng.random(4))


def test_anything_else_arrives_as_an_inert_stand_in_named_after_its_type():
    class Anything:
        def __eq__(self, other):
            return True

        def __float__(self):
            raise RuntimeError("never called on the grader's side")

    back = roundtrip(Anything())
    assert isinstance(back, wire.StudentObject) and type(back).__name__ == "Anything"
    assert back != 1 and back != back.__class__("other")
    assert roundtrip(lambda x: x).__class__.__name__ == "function"
    assert type(roundtrip(np.array([object()], dtype=object))).__name__ == "ndarray"


def test_type_names_from_the_student_are_sanitized():
    header = {"opaque": "Evil name\n<script>", "repr": "x" * 5000}
    back = wire.decode(header, [])
    assert type(back).__name__ == "Evilnamescript" and len(repr(back)) <= wire.REPR_LENGTH + 3


@pytest.mark.parametrize("header, arrays", [
    ({"unknown": 1}, []),
    ({"array": 0}, []),
    ({"array": "0"}, [np.zeros(1)]),
    ({"np": "O", "v": 1}, []),
    ({"dtype": "O"}, []),
    ({"float": "1e-3; import os"}, []),
    ({"tuple": "abc"}, []),
    ({"generator": {"dict": [["bit_generator", "Evil"]]}}, []),
    ({"set": [[1]]}, []),
    (3.5, []),
])
def test_malformed_headers_are_refused(header, arrays):
    with pytest.raises(wire.ProtocolError):
        wire.decode(header, arrays)


def test_nesting_deeper_than_the_limit_is_refused():
    header = [0]
    for _ in range(wire.MAX_DEPTH + 5):
        header = [header]
    with pytest.raises(wire.ProtocolError, match="nested"):
        wire.decode(header, [])


def framed(*frames):
    return b"".join(struct.pack(">Q", len(f)) + f for f in frames)


def test_messages_cross_a_pipe():
    read_fd, write_fd = os.pipe()
    with os.fdopen(write_fd, "wb") as writer, os.fdopen(read_fd, "rb") as reader:
        header, arrays = wire.encode({"value": (np.arange(3), 2.5)})
        wire.send(writer, {"op": "call", "value": header}, arrays)
        message, received = wire.receive(reader)
    value = wire.decode(message["value"], received)
    assert np.array_equal(value["value"][0], np.arange(3)) and value["value"][1] == 2.5


def test_a_pickled_array_frame_is_refused():
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    data = framed(json.dumps({"message": {}, "arrays": 1}).encode(), buffer.getvalue())
    with pytest.raises(wire.ProtocolError, match="bad array frame"):
        wire.receive(io.BytesIO(data))


@pytest.mark.parametrize("data, reason", [
    (framed(b"not json"), "not JSON"),
    (framed(b"[1, 2]"), "envelope"),
    (framed(json.dumps({"message": {}, "arrays": -1}).encode()), "array count"),
    (struct.pack(">Q", wire.MAX_FRAME + 1), "exceeds the limit"),
    (b"\x00\x00", "closed the pipe"),
])
def test_broken_frames_are_refused(data, reason):
    with pytest.raises(wire.ProtocolError, match=reason):
        wire.receive(io.BytesIO(data))

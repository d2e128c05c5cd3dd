"""The strict result format: what a hostile child may send must never be believed or crash the parent."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from bot.sandbox import wire


def test_supported_values_round_trip() -> None:
    value = {
        "none": None, "bools": [True, False], "int": -(2**63), "big": 3**100, "float": 1.5e-300,
        "text": "dx ≈ 0 — ok", "tuple": (1, (2.0, "x")), "nested": {"a": {"b": []}},
        "f64": np.linspace(0, 1, 6).reshape(2, 3), "bool_arr": np.array([True, False]),
        "i8": np.arange(-3, 3, dtype=np.int8), "c128": np.array([1 + 2j]), "scalar": np.float32(0.25),
        "zero_d": np.array(7.0), "empty": np.zeros((0, 4)), "strided": np.arange(10.0)[::3],
        "big_endian": np.arange(3, dtype=">f8"),
    }  # fmt: skip
    back = wire.decode(wire.encode(value))
    assert back.keys() == value.keys()
    for key in ("none", "bools", "int", "big", "float", "text", "tuple", "nested"):
        assert back[key] == value[key] and type(back[key]) is type(value[key])
    for key in ("f64", "bool_arr", "i8", "c128", "zero_d", "empty", "strided", "big_endian"):
        assert np.array_equal(back[key], value[key]) and back[key].shape == value[key].shape
        assert back[key].flags.writeable
    assert back["scalar"] == 0.25 and type(back["scalar"]) is float


@pytest.mark.parametrize(
    "value",
    [object(), {1: 2}, {"a": {3}}, np.array(["a"]), np.array([object()]), 1 + 2j, b"bytes", type],
)
def test_unsupported_values_are_refused_when_encoding(value: object) -> None:
    with pytest.raises(wire.UnsupportedValue):
        wire.encode(value)


def _array_header(code: bytes, shape: tuple[int, ...], nbytes: int) -> bytes:
    out = b"a" + bytes([len(code)]) + code + bytes([len(shape)])
    out += b"".join(struct.pack("<Q", d) for d in shape)
    return out + struct.pack("<Q", nbytes)


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(_array_header(b"|O", (1,), 8) + b"\0" * 8, id="object-dtype"),
        pytest.param(_array_header(b"<f8", (10**12,), 8 * 10**12), id="shape-1e12"),
        pytest.param(_array_header(b"<f8", (2,), 2**62) + b"\0" * 16, id="length-2^62"),
        pytest.param(_array_header(b"<f8", (3,), 16) + b"\0" * 16, id="length-mismatch"),
        pytest.param(b"s" + struct.pack("<I", 2**31) + b"abc", id="string-longer-than-frame"),
        pytest.param(b"l" + struct.pack("<I", 2**32 - 1), id="list-count-without-items"),
        pytest.param(b"d\x01\x00\x00\x00i" + b"\0" * 8 + b"N", id="non-string-key"),
        pytest.param(b"l\x01\x00\x00\x00" * 100 + b"N", id="too-deep"),
        pytest.param(b"NN", id="trailing-bytes"),
        pytest.param(b"P", id="unknown-tag"),
        pytest.param(b"I\x03\x00\x00\x00abc", id="bad-big-int"),
        pytest.param(b"s\x02\x00\x00\x00\xff\xfe", id="bad-utf8"),
        pytest.param(b"", id="empty"),
        pytest.param(b"I\x03\x00\x00\x00--5", id="big-int-double-minus"),
        pytest.param(b"I\x02\x00\x00\x00+5", id="big-int-plus"),
        pytest.param(b"I\x03\x00\x00\x00 12", id="big-int-space"),
        pytest.param(b"I\x03\x00\x00\x00012", id="big-int-leading-zero"),
        pytest.param(b"I\x04\x00\x00\x001_00", id="big-int-underscore"),
        pytest.param(b"I\x00\x00\x00\x00", id="big-int-empty"),
        pytest.param(_array_header(b"<f8", (0, 2**63), 0), id="empty-array-huge-dim"),
        pytest.param(_array_header(b"<f8", (0, 2**64 - 1, 2**64 - 1), 0), id="empty-array-max-dims"),
        pytest.param(_array_header(b"|b1", (2**12, 2**12, 2), 2**25), id="too-many-elements"),
        pytest.param(b"a\x03<f8\xff", id="ndim-255"),
        pytest.param(b"a\xff" + b"x" * 10, id="dtype-code-overrun"),
    ],
)
def test_malformed_payloads_are_rejected(payload: bytes) -> None:
    with pytest.raises(wire.WireError):
        wire.decode(payload)


def test_frame_reader_splits_a_stream_and_refuses_oversized_frames() -> None:
    stream = wire.frame({"kind": "case"}) + wire.frame([1, 2])
    reader = wire.FrameReader()
    frames = [f for byte in range(len(stream)) for f in reader.feed(stream[byte : byte + 1])]
    assert [wire.decode(f) for f in frames] == [{"kind": "case"}, [1, 2]]
    assert not reader.has_partial
    with pytest.raises(wire.WireError):
        wire.FrameReader().feed(struct.pack("<I", wire.MAX_FRAME_BYTES + 1))
    with pytest.raises(wire.WireError):
        total_cap = wire.FrameReader(max_total=1000)
        for _ in range(100):
            total_cap.feed(wire.frame("x" * 20))


def test_lone_surrogates_are_replaced_not_passed_on() -> None:
    payload = b"s\x06\x00\x00\x00\xed\xa0\x80ok\x21"
    text = wire.decode(payload)
    assert text == "\ufffdok!"
    text.encode("utf-8")  # encodable: a JSON verdict or a Discord message can carry it


def test_a_job_decodes_a_bounded_number_of_values() -> None:
    many = b"l" + struct.pack("<I", wire.MAX_OBJECTS_PER_JOB + 10) + b"d\x00\x00\x00\x00" * (wire.MAX_OBJECTS_PER_JOB + 10)
    with pytest.raises(wire.WireError, match="too many values"):
        wire.decode(many)
    budget = wire.DecodeBudget(max_objects=1000)  # shared by every frame of one job
    small = wire.encode(list(range(400)))
    wire.decode(small, budget)
    wire.decode(small, budget)
    with pytest.raises(wire.WireError, match="too many values"):
        wire.decode(small, budget)


def test_decoding_past_the_jobs_deadline_is_refused() -> None:
    import time

    with pytest.raises(wire.WireError, match="took too long"):
        wire.decode(wire.encode([0] * 10), wire.DecodeBudget(deadline=time.monotonic() - 1))


def test_frame_reader_refuses_more_frames_than_a_job_sends() -> None:
    reader = wire.FrameReader(max_frames=3)
    assert len(reader.feed(wire.frame(1) + wire.frame(2) + wire.frame(3))) == 3
    with pytest.raises(wire.WireError, match="too many messages"):
        reader.feed(wire.frame(4))

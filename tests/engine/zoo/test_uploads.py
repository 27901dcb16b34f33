"""Uploaded samples: pictures become 8×8 digits, CSV rows become feature rows, bad files give clear errors."""

import numpy as np
import pytest
from helpers import png, stroke_on_paper

from engine.errors import EngineError
from engine.explain import Request, explain
from engine.zoo import get_model
from engine.zoo.uploads import image_sample, table_sample


def test_a_picture_becomes_a_bright_ink_digit_the_models_read(tmp_path):
    sample = image_sample(png(stroke_on_paper()), "one.png")
    assert sample.data.shape == (8, 8) and sample.data.min() == 0 and sample.data.max() == 1
    assert sample.data[4, 3] == 1 and sample.data[4, 0] == 0  # inverted: the ink is bright, the paper dark
    assert image_sample(png(255 - stroke_on_paper())).sample_id == sample.sample_id  # same digit, same id
    model = get_model("digits-cnn")
    assert model.predicted_class(model.sample(sample.sample_id)) == 1
    from engine.cache import ResultCache

    result = explain(Request("digits-cnn", sample.sample_id, method="and"), ResultCache(tmp_path))
    assert result.n == 10 and result.provenance.sample_id == sample.sample_id


def test_a_picture_for_the_mnist3_models_becomes_a_28_by_28_digit(tmp_path):
    sample = image_sample(png(stroke_on_paper()), "one.png", side=28)
    assert sample.sample_id.startswith("upload-image28-") and sample.data.shape == (28, 28)
    model = get_model("mnist3-vgg")
    assert model.class_names[model.predicted_class(model.sample(sample.sample_id))] == "not 3"
    with pytest.raises(EngineError, match="no sample"):  # an 8×8 model never takes a 28×28 upload, nor back
        get_model("digits-cnn").sample(sample.sample_id)
    with pytest.raises(EngineError, match="no sample"):
        model.sample(image_sample(png(stroke_on_paper()), "one.png").sample_id)


def test_unreadable_and_blank_pictures_are_refused():
    with pytest.raises(EngineError, match="cannot read notes.txt as an image"):
        image_sample(b"not a picture", "notes.txt")
    with pytest.raises(EngineError, match="blank"):
        image_sample(png(np.full((16, 16), 200)), "grey.png")


@pytest.mark.parametrize("raw", [b"not a picture", png(stroke_on_paper())[:60]], ids=["no-image", "truncated"])
def test_a_bad_picture_is_named_by_its_file_name_not_its_buffer(raw):
    with pytest.raises(EngineError) as refused:
        image_sample(raw, "holiday.png")
    message = str(refused.value)
    assert message.startswith("cannot read holiday.png as an image") and "holiday.png" in message
    assert "BytesIO" not in message and "0x" not in message


FEATURES = get_model("tabular-mlp-wide").provenance["features"]


def test_a_csv_row_with_a_header_in_any_order_or_bare_numbers():
    values = np.arange(1, len(FEATURES) + 1, dtype=float)
    header = ",".join(["id"] + FEATURES[::-1]) + "\n" + ",".join(["7"] + [str(v) for v in values[::-1]]) + "\n"
    sample = table_sample(header.encode(), FEATURES, "row.csv")
    np.testing.assert_allclose(sample.data, values)
    bare = table_sample(",".join(str(v) for v in values).encode(), FEATURES)
    assert bare.sample_id == sample.sample_id
    model = get_model("tabular-mlp-wide")
    assert model.sample(sample.sample_id) is not None
    with pytest.raises(EngineError, match="no sample"):
        get_model("digits-cnn").sample(sample.sample_id)  # an uploaded row is not a digit


def test_bad_csv_rows_name_what_is_wrong():
    with pytest.raises(EngineError, match="missing: radius"):
        table_sample(b"texture,area\n1,2\n", FEATURES)
    with pytest.raises(EngineError, match="not numbers"):
        table_sample((",".join(FEATURES) + "\n" + ",".join(["x"] * len(FEATURES))).encode(), FEATURES)
    with pytest.raises(EngineError, match="no row"):
        table_sample((",".join(FEATURES) + "\n").encode(), FEATURES)


def test_a_headerless_row_is_read_as_its_numbers():
    """Issue #14: pandas took a line of equal numbers for a header and renamed its duplicate cells 0, 0.1, …, 0.9."""
    zeros = table_sample(",".join(["0"] * len(FEATURES)).encode(), FEATURES, "zeros.csv")
    np.testing.assert_array_equal(zeros.data, np.zeros(len(FEATURES)))
    tenths = table_sample(",".join(["0.1"] * len(FEATURES)).encode(), FEATURES, "tenths.csv")
    np.testing.assert_array_equal(tenths.data, np.full(len(FEATURES), 0.1, dtype=np.float32))
    with pytest.raises(EngineError, match="one line of 10 numbers"):
        table_sample(b"1,2,3\n", FEATURES)
    with pytest.raises(EngineError, match="2 line"):
        table_sample(("0," * 9 + "0\n") .encode() * 2, FEATURES)


@pytest.mark.parametrize("value, message", [("1e39", "32-bit float"), ("-1e400", "32-bit float"), ("1e-50", "32-bit"),
                                            ("nan", "not numbers"), ("inf", "not numbers"), ("1_000", "not numbers"),
                                            ("0x10", "not numbers")])
def test_values_that_a_float32_cannot_hold_or_that_are_not_plain_numbers_are_refused(value, message):
    row = ",".join(FEATURES) + "\n" + ",".join([value] + ["1"] * (len(FEATURES) - 1))
    with pytest.raises(EngineError, match=message) as refused:
        table_sample(row.encode(), FEATURES, "row.csv")
    assert FEATURES[0] in str(refused.value)


def test_a_header_that_names_a_column_twice_or_several_rows_are_refused():
    with pytest.raises(EngineError, match=f"named twice: {FEATURES[0]}"):
        table_sample((",".join(FEATURES + [FEATURES[0]]) + "\n" + ",".join(["1"] * 11)).encode(), FEATURES)
    with pytest.raises(EngineError, match="2 rows of values"):
        table_sample((",".join(FEATURES) + "\n" + (",".join(["1"] * 10) + "\n") * 2).encode(), FEATURES)
    with pytest.raises(EngineError, match="9 values for 10 columns"):
        table_sample((",".join(FEATURES) + "\n" + ",".join(["1"] * 9)).encode(), FEATURES)


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels (a decompression bomb's header)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + \
        chunk(b"IEND", b"")


def test_a_picture_too_large_is_refused_from_its_header_before_decoding():
    with pytest.raises(EngineError, match="bomb.png claims hundreds of megapixels; upload a picture of at most 16"):
        image_sample(png_claiming(20_000, 20_000), "bomb.png")  # 400 megapixels in a few bytes
    with pytest.raises(EngineError, match="5,000 × 4,000 pixels; upload a picture of at most 16 megapixels"):
        image_sample(png_claiming(5_000, 4_000), "large.png")
    with pytest.raises(EngineError, match="at most 10 MB"):
        image_sample(b"\0" * (10 * 2**20 + 1), "huge.png")

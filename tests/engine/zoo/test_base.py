"""What every zoo model provides: the prediction on the unmasked sample is computed once per sample."""

from dataclasses import replace

from engine.explain import Request, with_defaults
from engine.zoo import get_model


def test_the_target_costs_one_forward_pass_per_model_and_sample():
    model = get_model("tabular-mlp-wide")
    calls = []
    counted = replace(model, forward=lambda batch: calls.append(len(batch)) or model.forward(batch))
    sample = counted.samples[0]
    for _ in range(3):
        request = with_defaults(Request(counted.model_id, sample.sample_id), counted, sample)
    assert calls == [1] and request.target == counted.predicted_class(sample) and calls == [1]  # memoised
    assert abs(counted.predict(sample).sum() - 1) < 1e-9
    counted.predict(counted.samples[1])
    assert calls == [1, 1]  # another sample: one more pass

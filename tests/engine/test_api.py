"""The public API: the README's Python snippet runs as written, from another folder, in a fresh interpreter."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def readme_snippet() -> str:
    """The README's one ```python block."""
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
    assert len(blocks) == 1, "the README should have exactly one Python snippet"
    return blocks[0]


def run_python(code: str, folder: Path) -> subprocess.CompletedProcess:
    env = os.environ | {"PYTHONPATH": str(ROOT), "OMP_WAIT_POLICY": "PASSIVE"}
    return subprocess.run([sys.executable, "-c", code], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=300)


def test_the_readme_snippet_runs_from_another_folder(tmp_path):
    out = run_python(readme_snippet(), tmp_path)
    assert out.returncode == 0, out.stderr
    assert "RecursionError" not in out.stderr


def test_public_names_import_without_recursion_or_transformers(tmp_path):
    code = ("import sys\n"
            "from engine import explain, explain_shared, Request, predict, and_interactions, or_interactions\n"
            "import engine\n"
            "assert engine.explain is explain and callable(explain)\n"
            "assert 'transformers' not in sys.modules, 'transformers imported before a model is used'\n"
            "p = predict('digits-cnn', 'digit-10')\n"
            "assert abs(sum(p.values()) - 1) < 1e-9 and max(p, key=p.get) == '0', p\n"
            "print('ok')\n")
    out = run_python(code, tmp_path)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_predict_takes_any_sentence_for_a_text_model():
    import engine

    for model_id in ("text-sentiment-l6", "text-minilm-l6"):
        probabilities = engine.predict(model_id, "What a wonderful, moving film.")
        assert set(probabilities) == {"negative", "positive"}
        assert probabilities["positive"] > 0.5


def test_predict_agrees_with_the_explained_v_of_all_players():
    """v(N) (log-odds of the explained class, nothing masked) = log(p_y / (1 − p_y)) with p from predict, for a
    bundled sample and a typed sentence; the target is the predicted class unless another one is asked for."""
    import numpy as np

    import engine

    for model_id, sample_id, target in [("text-sentiment-l6", "not-bad", None), ("text-sentiment-l3", "not-bad", 0),
                                        ("text-sentiment-l6", "Far from perfect, yet I loved it.", None),
                                        ("digits-cnn", "digit-10", 3)]:
        probabilities = engine.predict(model_id, sample_id)
        names = list(probabilities)
        result = engine.explain(engine.Request(model_id, sample_id, players=(0, 1, 2), target=target, method="and"))
        explained = result.provenance.target
        assert explained == (names.index(max(probabilities, key=probabilities.get)) if target is None else target)
        p = probabilities[names[explained]]
        assert result.v_full == pytest.approx(np.log(p / (1 - p)), abs=1e-4)

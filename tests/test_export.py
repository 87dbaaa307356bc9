"""Export for the edge from the exported-program artifact (no candidate code runs): ONNX and
TorchScript round trips on a fake run, checked against the code + weights twin, and clear errors."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from fake_run import CHANNELS, IMAGE_SIZE, NUM_CLASSES, make_fake_run

from lemonade.export import ExportError, export_model
from lemonade.sandbox.export_job import max_diff
from lemonade.store import Store

torch.set_num_threads(1)


def add_artifacts(run: Path) -> None:
    """What the training worker and the search leave: graph.json + weights.safetensors next to
    each candidate's weights, and in best/ (built here by the test, from trusted code)."""
    from fake_run import build_model

    from lemonade.sandbox.artifacts import export_program, save_program

    for cdir in sorted((run / "candidates").iterdir()):
        if not (cdir / "weights.pt").is_file():
            continue
        net = build_model((cdir / "model.py").read_text())
        net.load_state_dict(torch.load(cdir / "weights.pt"))
        save_program(export_program(net, torch.randn(2, CHANNELS, *IMAGE_SIZE)), cdir)
    best_id = json.loads((run / "best" / "candidate.json").read_text())["candidate_id"]
    for name in ("graph.json", "weights.safetensors"):
        shutil.copy2(run / "candidates" / f"{best_id:04d}" / name, run / "best" / name)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = make_fake_run(tmp_path_factory.mktemp("export") / "run", n_ok=2)
    add_artifacts(path)
    return path


def _pytorch_logits(run: Path, cid: int, x: torch.Tensor) -> np.ndarray:
    from fake_run import build_model

    net = build_model((run / "candidates" / f"{cid:04d}" / "model.py").read_text())
    net.load_state_dict(torch.load(run / "candidates" / f"{cid:04d}" / "weights.pt"))
    with torch.no_grad():
        return net.eval()(x).numpy()


def test_torchscript_round_trip_of_best(run: Path) -> None:
    res = export_model(run, fmt="torchscript")
    best_id = json.loads((run / "best" / "candidate.json").read_text())["candidate_id"]
    assert res.ok and res.fmt == "torchscript" and res.candidate_id == best_id
    assert res.path == run / "export" / "best.pt"
    assert res.size_bytes == res.path.stat().st_size > 0
    assert res.max_abs_diff is not None and res.max_abs_diff <= 1e-4
    # independent check: the saved file gives the stored weights' logits at another batch size
    x = torch.randn(3, CHANNELS, *IMAGE_SIZE)
    got = torch.jit.load(str(res.path))(x).detach().numpy()
    want = _pytorch_logits(run, best_id, x)
    assert got.shape == (3, NUM_CLASSES)
    np.testing.assert_allclose(got, want, atol=1e-4, rtol=1e-3)


def test_onnx_round_trip_of_chosen_candidate(run: Path, tmp_path: Path) -> None:
    import onnxruntime as ort

    res = export_model(run, candidate_id=1, fmt="onnx", out=tmp_path / "m.onnx",
                       onnx_exporter="torchscript")
    assert res.ok and res.path == tmp_path / "m.onnx" and res.exporter == "torchscript-onnx"
    sess = ort.InferenceSession(str(res.path), providers=["CPUExecutionProvider"])
    x = torch.randn(5, CHANNELS, *IMAGE_SIZE)  # dynamic batch axis
    got = sess.run(None, {sess.get_inputs()[0].name: x.numpy()})[0]
    np.testing.assert_allclose(got, _pytorch_logits(run, 1, x), atol=1e-4, rtol=1e-3)


@pytest.mark.slow
def test_onnx_default_dynamo_exporter(run: Path, tmp_path: Path) -> None:
    res = export_model(run, fmt="onnx", out=tmp_path, onnx_exporter="dynamo")
    assert res.ok and res.exporter == "dynamo" and res.path == tmp_path / "best.onnx"
    import onnx

    model = onnx.load(str(res.path))
    dim0 = model.graph.input[0].type.tensor_type.shape.dim[0]
    assert dim0.dim_param and not dim0.dim_value  # symbolic batch, not a fixed 2


def test_falls_back_to_store_best_without_best_dir(run: Path, tmp_path: Path) -> None:
    copy = tmp_path / "nobest"
    shutil.copytree(run, copy)
    shutil.rmtree(copy / "best")
    with Store.open(copy) as s:
        best_id = s.best_candidate().id
        # the loop may have stored a path relative to another cwd: the candidates/ dir is used
        s._conn.execute("UPDATE candidates SET weights_path='elsewhere/weights.pt'")
    res = export_model(copy, fmt="torchscript")
    assert res.ok and res.candidate_id == best_id


@pytest.mark.parametrize(("a", "b", "ok"), [
    ([1.0, 2.0], [1.0, 2.0], True),
    ([1.0, 2.0], [1.00005, 2.0], True),   # within atol
    ([1000.0], [1000.5], True),           # within rtol 1e-3
    ([1.0], [1.01], False),
    ([1.0, 2.0], [1.0], False),           # shape mismatch
])
def test_max_diff_tolerance(a: list[float], b: list[float], ok: bool) -> None:
    assert max_diff(np.array(a), np.array(b))[1] is ok


def test_clear_errors(run: Path, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="no run store"):
        export_model(tmp_path / "missing")
    with pytest.raises(ExportError, match="no candidate 999"):
        export_model(run, candidate_id=999)
    with pytest.raises(ExportError, match="unknown export format"):
        export_model(run, fmt="tflite")
    with Store.open(run) as s:
        rejected = s.candidates("rejected")[0].id
    with pytest.raises(ExportError, match=f"candidate {rejected} .rejected. has no exported"):
        export_model(run, candidate_id=rejected)


def test_export_never_runs_the_candidate_code(run: Path, tmp_path: Path) -> None:
    copy = tmp_path / "dormant"
    shutil.copytree(run, copy)
    canary = tmp_path / "fired"
    for py in [*copy.glob("candidates/*/model.py"), copy / "best" / "model.py"]:
        # a payload that would fire on export if the host built the model from its source
        py.write_text(f"open({str(canary)!r}, 'w').write('x')\nraise SystemExit(3)\n")
    res = export_model(copy, fmt="torchscript")
    assert res.ok and not canary.exists()


def test_legacy_run_without_artifacts_is_refused_with_the_way_out(run: Path,
                                                                  tmp_path: Path) -> None:
    copy = tmp_path / "legacy"
    shutil.copytree(run, copy)
    shutil.rmtree(copy / "best")
    for f in copy.glob("candidates/*/graph.json"):
        f.unlink()
    with Store.open(copy) as s:  # the stored path leads back to the original run: not here
        s._conn.execute("UPDATE candidates SET weights_path='elsewhere/weights.pt'")
    with pytest.raises(ExportError, match="before trusted measurement: evaluate the model"):
        export_model(copy, candidate_id=1)


def test_errors_for_a_bad_graph_weights_and_shape(run: Path, tmp_path: Path) -> None:
    copy = tmp_path / "bad"
    shutil.copytree(run, copy)
    shutil.rmtree(copy / "best")
    cdir = copy / "candidates" / "0001"
    good = (cdir / "graph.json").read_text()
    doc = json.loads(good)
    doc["graph_module"]["graph"]["nodes"][0]["target"] = "torch.ops.aten.from_file.default"
    (cdir / "graph.json").write_text(json.dumps(doc))
    with pytest.raises(ExportError, match="from_file"):
        export_model(copy, candidate_id=1)
    (cdir / "graph.json").write_text(good)
    from safetensors.torch import load_file, save_file

    stored = load_file(cdir / "weights.safetensors")
    save_file(dict(list(stored.items())[1:]), cdir / "weights.safetensors")
    with pytest.raises(ExportError, match="cannot load the exported model"):
        export_model(copy, candidate_id=1)
    save_file(stored, cdir / "weights.safetensors")
    with Store.open(copy) as s:
        s.set_meta("dataset_info", {"channels": 3})
    with pytest.raises(ExportError, match="dataset_info"):
        export_model(copy, candidate_id=1)


def test_final_is_preferred_over_best_when_there(run: Path, tmp_path: Path) -> None:
    copy = tmp_path / "withfinal"
    shutil.copytree(run, copy)
    best_id = json.loads((copy / "best" / "candidate.json").read_text())["candidate_id"]
    other = next(int(d.name) for d in sorted((copy / "candidates").iterdir())
                 if (d / "graph.json").is_file() and int(d.name) != best_id)
    final = copy / "final"
    final.mkdir()
    for name in ("graph.json", "weights.safetensors"):
        shutil.copy2(copy / "candidates" / f"{other:04d}" / name, final / name)
    (final / "candidate.json").write_text(json.dumps({"candidate_id": other}))
    res = export_model(copy, fmt="torchscript")
    assert res.ok and res.candidate_id == other
    x = torch.randn(2, CHANNELS, *IMAGE_SIZE)
    got = torch.jit.load(str(res.path))(x).detach().numpy()
    np.testing.assert_allclose(got, _pytorch_logits(copy, other, x), atol=1e-4, rtol=1e-3)


# ---- parity, refusal, and the sandbox around the export ----------------------------------------
def test_parity_on_the_val_split_is_recorded(run: Path, tmp_path: Path) -> None:
    res = export_model(run, candidate_id=1, fmt="onnx", out=tmp_path / "p.onnx",
                       onnx_exporter="torchscript")
    assert res.ok and res.parity_split == "val" and res.parity_images > 0
    assert res.argmax_agreement == 1.0 and res.max_abs_diff is not None
    doc = json.loads((tmp_path / "p.onnx.json").read_text())
    assert doc["parity"]["split"] == "val" and doc["parity"]["argmax_agreement"] == 1.0
    assert doc["parity"]["max_abs_logit_diff"] == res.max_abs_diff
    assert doc["parity"]["images"] == res.parity_images


def test_export_whose_argmax_disagrees_is_refused(run: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The sandbox's job run here (trusted test process) with a file whose logits flip the
    argmax of 1% of the images: the host refuses it and writes nothing."""
    import lemonade.export as export_mod
    from lemonade.sandbox import export_job

    real = export_job._file_logits

    def flipped(path: Path, fmt: str, x: torch.Tensor) -> np.ndarray:
        out = real(path, fmt, x).copy()
        k = max(1, len(out) // 100)
        top = out[:k].argmax(axis=1)
        out[np.arange(k), top] = out[:k].min(axis=1) - 1.0
        return out

    def in_process(doc: dict, *, dest: Path, **_kw: object) -> dict:
        monkeypatch.setattr(export_job, "_file_logits", flipped)
        return export_job.run_export_job(doc, dest)

    monkeypatch.setattr(export_mod, "run_trusted_job", in_process)
    with pytest.raises(ExportError, match=r"refused: .* argmax differs .*limit 0\.1%"):
        export_model(run, candidate_id=1, fmt="torchscript", out=tmp_path / "r.pt")
    assert not (tmp_path / "r.pt").exists()


def _greedy_run(run: Path, dest: Path) -> Path:
    """A copy of the run whose candidate 1 is a graph that allocates 2 GB per image."""
    from lemonade.sandbox.artifacts import export_program, save_program

    class Greedy(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = torch.nn.Linear(CHANNELS * IMAGE_SIZE[0] * IMAGE_SIZE[1], NUM_CLASSES)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            big = x.repeat(1, 700_000, 1, 1)  # ATen ops only: 2 GB per image
            return self.fc(x.flatten(1)) + big.sum() * 0.0

    shutil.copytree(run, dest)
    save_program(export_program(Greedy(), torch.randn(2, CHANNELS, *IMAGE_SIZE)),
                 dest / "candidates" / "0001")
    return dest


def test_export_of_a_graph_huge_at_the_export_batch_is_bounded(run: Path,
                                                                tmp_path: Path) -> None:
    import resource

    from lemonade.config import SandboxConfig

    copy = _greedy_run(run, tmp_path / "greedy")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ExportError, match=r"(?i)memory|alloc|killed"):
        export_model(copy, candidate_id=1, fmt="torchscript", out=tmp_path / "g.pt",
                     limits=SandboxConfig(memory_limit_mb=2048), timeout_s=300)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 500  # the 4 GB never touched the host
    assert not (tmp_path / "g.pt").exists()


def test_export_of_a_shape_expression_that_never_ends_times_out(run: Path,
                                                               tmp_path: Path) -> None:
    import time

    copy = tmp_path / "sym"
    shutil.copytree(run, copy)
    gpath = copy / "candidates" / "0001" / "graph.json"
    text = gpath.read_text()
    sym = next(re.finditer(r'"expr_str": "(Symbol\([^"]*\))"', text))
    bomb = f"Pow({sym.group(1)}, Pow(Integer(9), Pow(Integer(9), Integer(9))))"
    gpath.write_text(text.replace(sym.group(0), f'"expr_str": "{bomb}"', 1))
    t0 = time.monotonic()
    with pytest.raises(ExportError, match=r"timeout|not allowed|refused|too"):
        export_model(copy, candidate_id=1, fmt="torchscript", out=tmp_path / "s.pt",
                     timeout_s=30)
    assert time.monotonic() - t0 < 120

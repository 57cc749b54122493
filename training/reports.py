"""Markdown + PNG evaluation reports for trained artifacts (``<artifact>/report/``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

__all__ = ["Report", "bar_png", "calibration_png", "confusion_png", "expected_calibration_error", "scatter_png"]


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4f}"
    return str(v)


class Report:
    """Accumulates a Markdown report and writes it with its figures to ``<artifact_dir>/report/``."""

    def __init__(self, artifact_dir: Path, title: str) -> None:
        self.dir = Path(artifact_dir) / "report"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.lines: list[str] = [f"# {title}", ""]

    def text(self, *paragraphs: str) -> None:
        """Add paragraphs."""
        for p in paragraphs:
            self.lines += [p, ""]

    def heading(self, text: str, level: int = 2) -> None:
        """Add a heading."""
        self.lines += ["#" * level + " " + text, ""]

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Add a Markdown table."""
        self.lines.append("| " + " | ".join(headers) + " |")
        self.lines.append("|" + "---|" * len(headers))
        for r in rows:
            self.lines.append("| " + " | ".join(_fmt(v) for v in r) + " |")
        self.lines.append("")

    def comparison(self, results: Mapping[str, Mapping[str, float]], metrics: Sequence[str]) -> None:
        """Table of model/baseline rows x metric columns."""
        self.table(
            ["model", *metrics], [[name, *[res.get(m, float("nan")) for m in metrics]] for name, res in results.items()]
        )

    def figure(self, filename: str, caption: str) -> Path:
        """Reference a PNG (already written into the report dir) and return its path."""
        self.lines += [f"![{caption}]({filename})", "", f"*{caption}*", ""]
        return self.dir / filename

    def write(self) -> Path:
        """Write README.md."""
        path = self.dir / "README.md"
        path.write_text("\n".join(self.lines).rstrip() + "\n", encoding="utf-8")
        return path


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    # fixed metadata keeps the PNG bytes reproducible run to run
    fig.savefig(path, dpi=90, metadata={"Software": None})
    plt.close(fig)
    return path


def confusion_png(cm: np.ndarray, labels: Sequence[str], path: Path, title: str = "Confusion matrix") -> Path:
    """Confusion matrix heat map with counts."""
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.imshow(cm, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=20)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for i in range(cm.shape[0]):
        for j in range(cm.shape[1]):
            ax.text(j, i, str(int(cm[i, j])), ha="center", va="center", color="black")
    ax.set_title(title)
    return _save(fig, path)


def calibration_png(y: np.ndarray, probs: np.ndarray, labels: Sequence[str], path: Path, n_bins: int = 10) -> Path:
    """One-vs-rest reliability curves per class."""
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.plot([0, 1], [0, 1], "k--", lw=1, label="perfect")
    bins = np.linspace(0, 1, n_bins + 1)
    for k, lab in enumerate(labels):
        p, t = probs[:, k], (y == k).astype(float)
        idx = np.clip(np.digitize(p, bins) - 1, 0, n_bins - 1)
        xs, ys = [], []
        for b in range(n_bins):
            m = idx == b
            if m.sum() >= 5:
                xs.append(p[m].mean())
                ys.append(t[m].mean())
        ax.plot(xs, ys, "o-", label=lab)
    ax.set_xlabel("predicted probability")
    ax.set_ylabel("observed frequency")
    ax.set_title("Calibration (held-out)")
    ax.legend(fontsize=8)
    return _save(fig, path)


def expected_calibration_error(y: np.ndarray, probs: np.ndarray, n_bins: int = 10) -> float:
    """Top-label ECE with equal-width bins."""
    conf = probs.max(axis=1)
    pred = probs.argmax(axis=1)
    correct = (pred == y).astype(float)
    bins = np.linspace(0, 1, n_bins + 1)
    idx = np.clip(np.digitize(conf, bins) - 1, 0, n_bins - 1)
    ece = 0.0
    for b in range(n_bins):
        m = idx == b
        if m.any():
            ece += m.mean() * abs(conf[m].mean() - correct[m].mean())
    return float(ece)


def bar_png(names: Sequence[str], values: Sequence[float], path: Path, title: str, xlabel: str = "") -> Path:
    """Horizontal bar chart (e.g. learned weights)."""
    fig, ax = plt.subplots(figsize=(6, 0.35 * len(names) + 1.2))
    ax.barh(
        list(names)[::-1], list(values)[::-1], color=["tab:green" if v >= 0 else "tab:red" for v in list(values)[::-1]]
    )
    ax.axvline(0, color="k", lw=0.8)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    return _save(fig, path)


def scatter_png(y_true: np.ndarray, y_pred: np.ndarray, path: Path, title: str) -> Path:
    """Predicted vs true scatter."""
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.scatter(y_true, y_pred, s=4, alpha=0.35)
    ax.plot([0, 1], [0, 1], "k--", lw=1)
    ax.set_xlabel("target")
    ax.set_ylabel("predicted")
    ax.set_title(title)
    return _save(fig, path)


def grouped_bar_png(results: Mapping[str, Mapping[str, float]], metrics: Sequence[str], path: Path, title: str) -> Path:
    """Model vs baselines, one group of bars per metric."""
    fig, ax = plt.subplots(figsize=(1.6 * len(metrics) + 2.5, 3.5))
    names = list(results)
    width = 0.8 / max(len(names), 1)
    x = np.arange(len(metrics))
    for i, n in enumerate(names):
        ax.bar(x + i * width, [results[n].get(m, 0.0) for m in metrics], width, label=n)
    ax.set_xticks(x + width * (len(names) - 1) / 2, metrics)
    ax.set_title(title)
    ax.legend(fontsize=8)
    return _save(fig, path)

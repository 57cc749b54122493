"""bench/results.json -> bench/REPORT.md + PNG charts (matplotlib, Agg backend)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.common import BUDGETS

__all__ = ["evaluate_budgets", "render_charts", "render_markdown", "write_report"]


def _get(d: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    return d


def _check(value: float | None, limit: float, op: str) -> str:
    if value is None:
        return "not measured"
    return "PASS" if (value <= limit if op == "<=" else value >= limit) else "FAIL"


def evaluate_budgets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per budget (per function where the budget is per function): value, limit, verdict."""
    rows: list[dict[str, Any]] = []
    analyze_med = _get(results, "latency", "inprocess", "analyze", "medium") or {}
    for key, stat in (("analyze_inprocess_500w_p50_ms", "median"), ("analyze_inprocess_500w_p99_ms", "p99")):
        b = BUDGETS[key]
        value = analyze_med.get(stat)
        rows.append(
            {
                "budget": key,
                "value": value,
                "limit": b["limit"],
                "op": b["op"],
                "verdict": _check(value, b["limit"], b["op"]),
            }
        )
    b = BUDGETS["cold_start_empty_cache_ms"]
    for fn, entry in (_get(results, "cold_start") or {}).items():
        value = _get(entry, "empty_cache", "summary", "cold_start_ms", "median")
        limit = (b.get("limits") or {}).get(fn, b["limit"])
        rows.append(
            {
                "budget": f"cold_start_empty_cache_ms[{fn}] (median)",
                "value": value,
                "limit": limit,
                "op": b["op"],
                "verdict": _check(value, limit, b["op"]),
            }
        )
    b = BUDGETS["analyze_lambda_vs_inprocess_p50_ratio"]
    lam = _get(results, "latency", "lambda", "analyze", "medium", "median")
    inp = analyze_med.get("median")
    ratio = round(lam / inp, 2) if isinstance(lam, (int, float)) and isinstance(inp, (int, float)) and inp else None
    rows.append(
        {
            "budget": "analyze_lambda_vs_inprocess_p50_ratio",
            "value": ratio,
            "limit": b["limit"],
            "op": b["op"],
            "verdict": _check(ratio, b["limit"], b["op"]),
        }
    )
    b = BUDGETS["image_installed_mb"]
    for fn, entry in (_get(results, "footprint", "functions") or {}).items():
        value = entry.get("total_mb") if isinstance(entry, dict) else None
        rows.append(
            {
                "budget": f"image_installed_mb[{fn}]",
                "value": value,
                "limit": b["limit"],
                "op": b["op"],
                "verdict": _check(value, b["limit"], b["op"]),
            }
        )
    b = BUDGETS["ingest_resumes_per_s_per_core"]
    value = _get(results, "event_path", "resumes_per_s_per_core")
    rows.append(
        {
            "budget": "ingest_resumes_per_s_per_core",
            "value": value,
            "limit": b["limit"],
            "op": b["op"],
            "verdict": _check(value, b["limit"], b["op"]),
        }
    )
    return rows


def _fmt(x: Any, digits: int = 1) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:,.{digits}f}"
    return str(x)


def render_charts(results: dict[str, Any], out_dir: Path) -> list[str]:
    """Cold-start phases per function and warm analyze latency per transport; returns the PNG names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written: list[str] = []
    cold = results.get("cold_start") or {}
    fns = [f for f in cold if _get(cold[f], "empty_cache", "summary", "cold_start_ms")]
    if fns:
        phases = ["interpreter_start_ms", "import_ms", "fetch_ms", "load_ms", "first_invoke_ms"]
        labels = ["interpreter", "imports", "S3 download+verify", "model load", "first invoke"]
        fig, ax = plt.subplots(figsize=(8, 4))
        for j, mode in enumerate(("empty_cache", "warm_cache")):
            bottoms = [0.0] * len(fns)
            xs = [i + (j - 0.5) * 0.38 for i in range(len(fns))]
            for k, (ph, lab) in enumerate(zip(phases, labels, strict=True)):
                vals = [(_get(cold[f], mode, "summary", ph, "median") or 0.0) for f in fns]
                ax.bar(
                    xs,
                    vals,
                    width=0.36,
                    bottom=bottoms,
                    color=f"C{k}",
                    label=lab if j == 0 else None,
                    alpha=1.0 if mode == "empty_cache" else 0.55,
                    edgecolor="black",
                    linewidth=0.3,
                )
                bottoms = [b + v for b, v in zip(bottoms, vals, strict=True)]
        ax.axhline(1500, color="red", linestyle="--", linewidth=1, label="budget 1.5 s")
        ax.set_xticks(range(len(fns)), fns)
        ax.set_ylabel("ms (median)")
        ax.set_title("Cold start per function (left: empty /tmp cache, right: warm cache)")
        ax.legend(fontsize=7, loc="upper left")
        fig.tight_layout()
        fig.savefig(out_dir / "cold_start.png", dpi=110)
        plt.close(fig)
        written.append("cold_start.png")
    lat = results.get("latency") or {}
    series = []
    for transport in ("inprocess", "http", "lambda"):
        for size in ("short", "medium", "long"):
            s = _get(lat, transport, "analyze", size)
            if s and s.get("n"):
                series.append((f"{transport}\n{size}", s))
    if series:
        fig, ax = plt.subplots(figsize=(max(6, len(series) * 0.9), 4))
        pos = list(range(len(series)))
        for k, stat in enumerate(("median", "p95", "p99")):
            ax.bar(
                [x + (k - 1) * 0.27 for x in pos], [s[stat] for _, s in series], width=0.26, label=stat, color=f"C{k}"
            )
        ax.axhline(100, color="green", linestyle=":", linewidth=1, label="p50 budget (500 w, in-process)")
        ax.axhline(250, color="red", linestyle="--", linewidth=1, label="p99 budget (500 w, in-process)")
        ax.set_xticks(pos, [name for name, _ in series], fontsize=7)
        ax.set_ylabel("ms")
        ax.set_title("Warm /analyze latency by transport and resume size")
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(out_dir / "latency.png", dpi=110)
        plt.close(fig)
        written.append("latency.png")
    return written


def _cold_row(name: str, cache: str, entry: dict[str, Any]) -> str | None:
    """One cold-start table row from ``{"runs": [...], "summary": {...}}`` (None when nothing was measured)."""
    s = entry.get("summary") or {}
    runs = entry.get("runs") or []
    if not s:
        return None

    def med(k: str) -> str:
        return _fmt(_get(s, k, "median"), 0)

    ok = all(r.get("ok") for r in runs) if runs else False
    return (
        f"| {name} | {cache} | {len(runs)} | {med('cold_start_ms')} | "
        f"{_fmt(_get(s, 'cold_start_ms', 'p95'), 0)} | {med('interpreter_start_ms')} | {med('import_ms')} | "
        f"{med('fetch_ms')} ({med('download_ms')} / {med('verify_ms')}) | {med('fetch_hidden_ms')} | {med('load_ms')} | "
        f"{med('first_invoke_ms')} | "
        f"{med('warm_invoke_median_ms')} | {med('peak_rss_mb')} | {'yes' if ok else 'NO'} |"
    )


def _template_memory() -> tuple[dict[str, int], int]:
    """MemorySize per function (bench names) and the default SQS batch size, from template.yaml."""
    from bench.coldstart import LOGICAL_IDS
    from infra.local.template_env import function_specs, load_template

    specs = function_specs()
    memory = {name: specs[lid].memory_mb for name, lid in LOGICAL_IDS.items() if lid in specs}
    batch = int(load_template()["Parameters"]["IngestBatchSize"]["Default"])
    return memory, batch


def _cost_section(results: dict[str, Any], cold: dict[str, Any]) -> list[str]:
    """Peak RSS vs MemorySize per function, then dollars per 1,000 analyses / event-path resumes."""
    from bench.cost import FULL_VCPU_MB, PRICE_SOURCE, PRICES, cost_rows

    try:
        memory, batch = _template_memory()
    except Exception as exc:  # the report still renders without the template
        return ["## Memory and cost", "", f"Not computed: template.yaml unreadable ({type(exc).__name__}).", ""]
    lines = [
        "## Memory and cost",
        "",
        "Peak RSS: `ru_maxrss` of the cold-start child after its warm invocations (the event path's child for "
        f"ingest, which ran {_get(results, 'event_path', 'handled') or 'the'} resumes). MemorySize: template.yaml "
        "(docs/benchmarks.md says how it was chosen).",
        "",
        "| function | peak RSS MB | MemorySize MB | headroom | vCPU share |",
        "|---|---:|---:|---:|---:|",
    ]
    for fn, mem in memory.items():
        rss = _get(cold, fn, "empty_cache", "summary", "peak_rss_mb", "median")
        if fn == "ingest":
            rss = max(x for x in (rss, _get(results, "event_path", "peak_rss_mb")) if isinstance(x, (int, float)))
        ratio = f"{mem / rss:.1f}x" if isinstance(rss, (int, float)) and rss else "–"
        lines.append(f"| {fn} | {_fmt(rss, 0)} | {mem} | {ratio} | {min(1.0, mem / FULL_VCPU_MB):.2f} |")
    rows = cost_rows(results, memory, batch)
    x86, arm = PRICES["x86_64"], PRICES["arm64"]
    lines += [
        "",
        f"Prices ({PRICE_SOURCE}): x86_64 ${x86['gb_s']:.10f} per GB-s, arm64 ${arm['gb_s']:.10f} per GB-s, "
        f"${x86['request'] * 1e6:.2f} per 1M requests. Durations are this run's (analyze: warm in-process p50; event "
        f"path: handler CPU per resume), billed per ms; below {FULL_VCPU_MB} MB Lambda gives a proportional CPU "
        "share, so they are scaled by 1,769 / MemorySize. The images are built for x86_64 (template.yaml); the arm64 "
        "column prices the same durations if they were rebuilt for arm64 (not measured). Not included: API Gateway, "
        "S3 and SQS requests, CloudWatch logs, cold-start init time.",
        "",
        "| per | function | MemorySize MB | billed s each | $ x86_64 | $ arm64 |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['what']} | {r['function']} | {r['memory_mb']} | {r['seconds']:.3f} | "
            f"{r['x86_64']:.4f} | {r['arm64']:.4f} |"
        )
    if not rows:
        lines.append("| (durations not measured in this run) | | | | | |")
    lines.append("")
    return lines


def render_markdown(results: dict[str, Any], charts: list[str]) -> str:
    """The readable report."""
    m = results.get("machine", {})
    lines = [
        "# Benchmark report",
        "",
        f"Generated by `{results.get('command', 'python -m bench.run')}` ({results.get('mode')} mode) in "
        f"{_fmt(results.get('duration_s'))} s. Machine: {m.get('cores')} cores, {m.get('cpu_model')}, "
        f"{_fmt(m.get('mem_total_mb'), 0)} MB RAM, Python {m.get('python')}, load average at start "
        f"{m.get('loadavg_at_start')}. Commit `{str(m.get('commit'))[:12]}`{' (dirty tree)' if m.get('dirty') else ''}.",
        "The machine is shared: ratios are more trustworthy than absolute figures. Every figure is a median",
        "and p95 (p99 for latency) over the repetitions or requests counted in `n`. Raw samples: `bench/results.json`.",
        "",
    ]
    art = results.get("artifacts", {})
    if not art.get("ready", False):
        lines += [
            f"**Artifacts missing** ({', '.join(art.get('missing', []))}): run `make train`; serving sections were skipped.",
            "",
        ]
    base = results.get("baseline") or {}
    before = {r["budget"]: r for r in base.get("budgets", [])}
    if before:
        bm = base.get("machine", {})
        lines += [
            "## Budgets",
            "",
            f"`before` = the baseline run in `bench/baseline.json` ({base.get('note', '')}; commit "
            f"`{str(bm.get('commit'))[:12]}`, load average at start {bm.get('loadavg_at_start')}).",
            "",
            "| budget | before | measured | limit | verdict |",
            "|---|---:|---:|---:|---|",
        ]
    else:
        lines += ["## Budgets", "", "| budget | measured | limit | verdict |", "|---|---:|---:|---|"]
    for row in evaluate_budgets(results):
        prev = before.get(row["budget"])
        cells = [row["budget"]] + ([_fmt(prev["value"]) if prev else "–"] if before else [])
        cells += [
            _fmt(row["value"]),
            f"{row['op']} {_fmt(row['limit'], 0 if float(row['limit']).is_integer() else 1)}",
            row["verdict"],
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    la = results.get("loadavg_by_section") or {}
    if la:
        lines += [
            "Load average (1/5/15 min) when each section started (the machine is shared; read figures with it): "
            + "; ".join(f"{k} {v}" for k, v in la.items())
            + f"; at end {m.get('loadavg_at_end')}.",
            "",
        ]

    cold = results.get("cold_start") or {}
    if cold:
        lines += [
            "## Cold start per function",
            "",
            "Fresh `python` process -> imports -> artifacts from the local moto S3 into a cache dir (sha256-verified) -> "
            "models loaded -> the function's `events/` event answered. `cold` = process spawn to first answer. "
            "Phases are medians (ms) on the main thread's timeline and add up to `cold`: fetch = time spent waiting "
            "for downloads + verify + manifest/cache checks (per-file download / verify sums in brackets, which run "
            "concurrently and can exceed it); `hidden` = fetching that ran in background threads while the main "
            "thread imported code (`startup.prefetch`), not on the critical path.",
            "",
            "| function | cache | n | cold median | cold p95 | interpreter | imports | fetch (download / verify) | hidden | load | first invoke | warm invoke | peak RSS MB | ok |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for fn, entry in cold.items():
            for mode in ("empty_cache", "warm_cache"):
                row = _cold_row(fn, mode.replace("_cache", ""), _get(entry, mode) or {})
                if row:
                    lines.append(row)
            for err in entry.get("errors", [])[:3]:
                lines.append(f"| {fn} | error | | {err[:160].replace('|', '/')} ||||||||||")
        lt = results.get("cold_start_analyze_lambda") or {}
        for case, label in (("stages_cold", "stage workers cold too"), ("stages_warm", "stage workers preloaded")):
            row = _cold_row(f"analyze, Lambda transport ({label})", "empty", _get(lt, case) or {})
            if row:
                lines.append(row)
        lines.append("")
        if lt and not lt.get("error"):
            lines += [
                "Lambda transport rows: the analyze process loads only what it needs itself and calls the stage "
                "functions through the Lambda Invoke API on `infra.local.lambda_server` (one worker process per "
                "stage, artifacts from the same moto S3 into their own empty cache). With cold stage workers, "
                "its first invoke includes their cold starts (extract, match, readiness, recommend, in series).",
                "",
            ]
        if "cold_start.png" in charts:
            lines += ["![cold start](cold_start.png)", ""]

    lat = results.get("latency") or {}
    if lat:
        lines += [
            "## Warm latency",
            "",
            "Client-side wall time per request after 3 warm-up requests (ms).",
            "",
            "| path | transport | resume | n | p50 | p95 | p99 |",
            "|---|---|---|---:|---:|---:|---:|",
        ]
        for transport in ("inprocess", "http", "lambda"):
            t = lat.get(transport) or {}
            if t.get("error") or t.get("skipped"):
                lines.append(f"| analyze | {transport} | – | – | {t.get('error') or t.get('skipped')} | | |")
                continue
            for size, s in (t.get("analyze") or {}).items():
                lines.append(
                    f"| analyze | {transport} | {size} ({_fmt(s.get('words_mean'), 0)} w) | {s['n']} | "
                    f"{_fmt(s.get('median'))} | {_fmt(s.get('p95'))} | {_fmt(s.get('p99'))} |"
                )
            nr = t.get("analyze_no_role_medium")
            if nr and nr.get("n"):
                lines.append(
                    f"| analyze, no role ({nr.get('roles_ranked')} roles ranked) | {transport} | medium | {nr['n']} | "
                    f"{_fmt(nr.get('median'))} | {_fmt(nr.get('p95'))} | {_fmt(nr.get('p99'))} |"
                )
            for stage, s in (t.get("stages_medium") or {}).items():
                lines.append(
                    f"| {stage} | {transport} | medium | {s['n']} | {_fmt(s.get('median'))} | {_fmt(s.get('p95'))} | {_fmt(s.get('p99'))} |"
                )
        lines.append("")
        if "latency.png" in charts:
            lines += ["![latency](latency.png)", ""]

    fp = results.get("footprint") or {}
    if fp:
        lines += [
            "## Footprint per function image",
            "",
            "`pip install --target` of `functions/<name>/requirements.txt` + `pip install --no-deps` of the package "
            "(MiB, apparent size, bytecode compiled by pip). Peak RSS: warm handler after the cold-start runs.",
            "",
            "| function | deps MiB | package MiB | total MiB | largest | peak RSS MB |",
            "|---|---:|---:|---:|---|---:|",
        ]
        for fn, e in (fp.get("functions") or {}).items():
            if "error" in e:
                lines.append(f"| {fn} | error: {e['error'][:120]} | | | | |")
                continue
            largest = ", ".join(f"{k} {v:.0f}" for k, v in list(e.get("largest", {}).items())[:4])
            rss = _get(cold, fn, "warm_cache", "summary", "peak_rss_mb", "median") or _get(
                cold, fn, "empty_cache", "summary", "peak_rss_mb", "median"
            )
            lines.append(
                f"| {fn} | {_fmt(e['deps_mb'])} | {_fmt(e['package_mb'], 2)} | {_fmt(e['total_mb'])} | {largest} | {_fmt(rss, 0)} |"
            )
        lines.append("")

    lines += _cost_section(results, cold)

    ev = results.get("event_path") or {}
    if ev:
        lines += ["## S3-event path throughput", ""]
        if ev.get("error") or ev.get("skipped"):
            lines += [f"Not measured: {ev.get('error') or ev.get('skipped')}", ""]
        else:
            lines += [
                f"{ev['handled']} resumes (mix {ev.get('size_mix')}) uploaded to moto S3 `incoming/`, notifications "
                f"received from SQS in batches of <= 10, ingest handler run per batch, {ev.get('results_written')} "
                f"`results/` objects written, {ev.get('batch_failures')} batch-item failures. Objects carry no role "
                "metadata, so each analysis ranks every catalog role (by the resume text's similarity to each role "
                "profile, then the 5 best fully matched, gaps ranked for the best). Steady state (first batch excluded): "
                f"{_fmt(ev.get('steady_resumes_per_s_per_core'))} resumes/s per core, "
                f"{_fmt(ev.get('steady_resumes_per_s_wall'))} resumes/s wall.",
                "",
                "| resumes/s per core (handler CPU) | resumes/s (handler wall) | resumes/s end to end | batch p50 ms | batch p95 ms | peak RSS MB |",
                "|---:|---:|---:|---:|---:|---:|",
                f"| {_fmt(ev.get('resumes_per_s_per_core'))} | {_fmt(ev.get('resumes_per_s_wall'))} | "
                f"{_fmt(ev.get('resumes_per_s_end_to_end'))} | {_fmt(_get(ev, 'batch_summary', 'median'))} | "
                f"{_fmt(_get(ev, 'batch_summary', 'p95'))} | {_fmt(ev.get('peak_rss_mb'), 0)} |",
                "",
            ]

    alt = results.get("alternatives") or {}
    emb = alt.get("embeddings") or {}
    if emb:
        lines += [
            "## Alternatives",
            "",
            f"### Embedding engine ({emb.get('threads')} thread(s), fresh process per cold run)",
            "",
            "| engine | cold to first vectors | import | load | 32 skill names | 4 resumes (500 w) | peak RSS MB | venv estimate MiB |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        venv = {"onnx": _get(emb, "onnx_venv_estimate", "total_mb"), "st": _get(emb, "st_venv_estimate", "total_mb")}
        for engine, label in (("onnx", "onnxruntime + tokenizers (served)"), ("st", "sentence-transformers + torch")):
            e = emb.get(engine)
            if not e:
                continue
            lines.append(
                f"| {label} | {_fmt(_get(e, 'cold_to_first_vectors_ms', 'median'), 0)} | {_fmt(_get(e, 'import_ms', 'median'), 0)} | "
                f"{_fmt(_get(e, 'load_ms', 'median'), 0)} | {_fmt(_get(e, 'skill_batch32_ms', 'median'))} (p95 {_fmt(_get(e, 'skill_batch32_ms', 'p95'))}) | "
                f"{_fmt(_get(e, 'resume_batch4_ms', 'median'))} (p95 {_fmt(_get(e, 'resume_batch4_ms', 'p95'))}) | "
                f"{_fmt(_get(e, 'peak_rss_mb', 'median'), 0)} | {_fmt(venv[engine], 0)} |"
            )
        lines += [
            "",
            "Venv estimates: du of the packages in .venv site-packages (torch + sentence_transformers + "
            "transformers vs onnxruntime + tokenizers + numpy).",
            "",
        ]
    peers = alt.get("peers") or {}
    if peers:
        lines += [
            "### Extraction peers (own venvs under build/peers/)",
            "",
            "| peer | status | time per resume (median ms by size) |",
            "|---|---|---|",
        ]
        ours = _get(results, "latency", "inprocess", "stages_medium", "extract", "median")
        for name, p in peers.items():
            if p.get("status") == "measured":
                per = ", ".join(f"{k} {_fmt(v.get('median'))}" for k, v in p["per_resume_ms"].items())
                lines.append(f"| {name} | measured | {per} |")
            else:
                lines.append(f"| {name} | {p.get('status')} | {p.get('reason', '')} |")
        if ours is not None:
            lines.append(f"| careerready extract stage (in-process) | measured | medium {_fmt(ours)} |")
        lines.append("")
    missing = results.get("not_measured") or []
    if missing:
        lines += ["## Not measured in this run", ""] + [f"- {x}" for x in missing] + [""]
    return "\n".join(lines)


def write_report(results: dict[str, Any], out_dir: Path) -> Path:
    """Render charts and REPORT.md into ``out_dir``; returns the report path."""
    try:
        charts = render_charts(results, out_dir)
    except Exception as exc:  # a chart failure must not lose the tables
        charts = []
        results.setdefault("not_measured", []).append(f"charts: {type(exc).__name__}: {exc}")
    path = out_dir / "REPORT.md"
    path.write_text(render_markdown(results, charts) + "\n", encoding="utf-8")
    return path

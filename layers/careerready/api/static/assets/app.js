// Career Readiness Analyzer: the page's only script. Plain DOM, no build step, no third-party code.
// Every value from the API goes into the page as text (textContent), never as markup.
"use strict";

(function () {
  const SVG_NS = "http://www.w3.org/2000/svg";
  const MAX_ROLES = 5;
  const LABELS = ["needs_upskilling", "almost_ready", "industry_ready"];
  const LABEL_TEXT = { needs_upskilling: "Needs upskilling", almost_ready: "Almost ready", industry_ready: "Industry ready" };

  const apiMeta = document.querySelector('meta[name="careerready-api"]');
  const API_BASE = ((apiMeta && apiMeta.content) || "").replace(/\/+$/, "");
  // relative to the page when the API serves it ("v1/roles" from "/" is "/v1/roles")
  const apiUrl = (path) => (API_BASE ? API_BASE + "/" + path : path);

  const $ = (id) => document.getElementById(id);
  const form = $("analyze-form");
  const fileInput = $("resume-file");
  const textInput = $("resume-text");
  const roleInput = $("role-input");
  const optionList = $("role-options");
  const chips = $("chosen-roles");
  const statusLine = $("status");
  const errorBox = $("error");
  const results = $("results");
  const button = $("analyze-button");
  const postingInput = $("posting-text");

  /** @type {{ref: string, title: string}[]} */
  const chosen = [];

  // ---------------------------------------------------------------- small DOM helpers
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "text") node.textContent = String(value);
      else if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "text") node.textContent = String(value);
      else node.setAttribute(key, String(value));
    }
    for (const child of children.flat()) if (child) node.append(child);
    return node;
  }

  const pct = (x) => Math.round(100 * x) + "%";
  const fmtHours = (h) => (h >= 10 ? Math.round(h) : Math.round(h * 10) / 10) + " h";
  const fmtWeeks = (w) => (w < 1 ? "under a week" : (Math.round(w * 10) / 10) + (w === 1 ? " week" : " weeks"));
  const humanize = (s) => String(s).replace(/_/g, " ");
  const labelText = (label) => LABEL_TEXT[label] || humanize(label);
  const slug = (s) => String(s).replace(/[^A-Za-z0-9_-]/g, "-");

  // ---------------------------------------------------------------- resume source toggle
  function syncSource() {
    const mode = form.elements.source.value;
    $("file-block").hidden = mode !== "file";
    $("text-block").hidden = mode !== "text";
  }
  for (const radio of form.elements.source) radio.addEventListener("change", syncSource);
  syncSource();

  // ---------------------------------------------------------------- role type-ahead (ARIA combobox)
  let options = [];
  let active = -1;
  let lookup = 0;
  let debounce = 0;

  function closeOptions() {
    optionList.hidden = true;
    optionList.replaceChildren();
    delete optionList.dataset.query;
    roleInput.setAttribute("aria-expanded", "false");
    roleInput.removeAttribute("aria-activedescendant");
    options = [];
    active = -1;
  }

  function setActive(index) {
    active = index;
    optionList.querySelectorAll("[role=option]").forEach((li, i) => {
      li.setAttribute("aria-selected", i === index ? "true" : "false");
      if (i === index) li.scrollIntoView({ block: "nearest" });
    });
    if (index >= 0) roleInput.setAttribute("aria-activedescendant", "role-opt-" + index);
    else roleInput.removeAttribute("aria-activedescendant");
  }

  function renderOptions(roles, query) {
    options = roles;
    optionList.replaceChildren();
    roles.forEach((role, i) => {
      const alt = (role.alt_titles || []).find((t) => t.toLowerCase().includes(query.toLowerCase()));
      const note = alt && !role.title.toLowerCase().includes(query.toLowerCase()) ? "also called " + alt : role.family;
      optionList.append(
        el("li", { id: "role-opt-" + i, role: "option", "aria-selected": "false", class: "option",
                   onmousedown: (e) => { e.preventDefault(); choose(role.id, role.title); } },
           el("span", { class: "opt-title", text: role.title }),
           note ? el("span", { class: "opt-note", text: humanize(note) }) : null)
      );
    });
    if (!roles.length) {
      optionList.append(el("li", { class: "option empty", role: "option", "aria-disabled": "true",
                                   text: "No role in the catalog starts with that; press Enter to use the title as typed." }));
    }
    optionList.dataset.query = query; // which typed text these suggestions answer
    optionList.hidden = false;
    roleInput.setAttribute("aria-expanded", "true");
    setActive(-1);
  }

  async function lookupRoles() {
    const query = roleInput.value.trim();
    const mine = ++lookup;
    if (!query) { closeOptions(); return; }
    try {
      const resp = await fetch(apiUrl("v1/roles?limit=12&q=" + encodeURIComponent(query)));
      const body = await resp.json();
      if (mine !== lookup) return; // a newer keystroke won
      if (!resp.ok) { showError(resp, body); return; }
      renderOptions(body.roles || [], query);
    } catch (err) {
      if (mine === lookup) showNetworkError(err);
    }
  }

  function choose(ref, title) {
    const text = String(ref || "").trim();
    if (!text) return;
    window.clearTimeout(debounce); // a lookup still pending for the typed text must not reopen the list
    lookup++;
    if (chosen.some((c) => c.ref === text)) { statusLine.textContent = title + " is already chosen."; }
    else if (chosen.length >= MAX_ROLES) { statusLine.textContent = "At most " + MAX_ROLES + " roles can be compared."; }
    else { chosen.push({ ref: text, title: title || text }); statusLine.textContent = "Added " + (title || text) + "."; }
    roleInput.value = "";
    closeOptions();
    renderChips();
    roleInput.focus();
  }

  function renderChips() {
    chips.replaceChildren(
      ...chosen.map((c, i) =>
        el("li", { class: "chip" },
           el("span", { text: c.title }),
           el("button", { type: "button", class: "chip-remove", "aria-label": "Remove " + c.title,
                          onclick: () => { chosen.splice(i, 1); renderChips(); roleInput.focus(); } }, "×")))
    );
  }

  roleInput.addEventListener("input", () => {
    window.clearTimeout(debounce);
    debounce = window.setTimeout(lookupRoles, 120);
  });
  roleInput.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" && options.length) { e.preventDefault(); setActive((active + 1) % options.length); }
    else if (e.key === "ArrowUp" && options.length) { e.preventDefault(); setActive(active <= 0 ? options.length - 1 : active - 1); }
    else if (e.key === "Escape") { closeOptions(); }
    else if (e.key === "Enter") {
      e.preventDefault(); // Enter picks a role; the Analyze button submits
      if (active >= 0 && options[active]) choose(options[active].id, options[active].title);
      else if (roleInput.value.trim()) choose(roleInput.value.trim(), roleInput.value.trim());
    } else if (e.key === "Backspace" && !roleInput.value && chosen.length) {
      chosen.pop(); renderChips();
    }
  });
  roleInput.addEventListener("blur", () => window.setTimeout(closeOptions, 100));

  // ---------------------------------------------------------------- errors, as the API words them
  function showError(resp, body) {
    const detail = body && body.detail;
    errorBox.replaceChildren();
    if (detail && typeof detail === "object" && !Array.isArray(detail) && detail.message) {
      errorBox.append(
        el("p", { class: "error-title" }, el("strong", { text: "The API answered " + resp.status + ": " }),
           el("code", { class: "error-code", text: detail.code || "error" })),
        el("p", { class: "error-message", text: detail.message })
      );
      if (detail.field) errorBox.append(el("p", { class: "error-field", text: "Field: " + detail.field }));
      if (Array.isArray(detail.nearest) && detail.nearest.length) {
        errorBox.append(el("p", {}, "Use one of the closest roles instead: ",
          ...detail.nearest.map((n) => el("button", { type: "button", class: "link-button",
            onclick: () => { const i = chosen.findIndex((c) => c.ref === detail.role); if (i >= 0) chosen.splice(i, 1);
                             choose(n.role_id, n.title); } }, n.title))));
      }
      if (detail.request_id) errorBox.append(el("p", { class: "muted", text: "Request id: " + detail.request_id }));
    } else {
      errorBox.append(el("p", { class: "error-message",
        text: "The API answered " + resp.status + " " + (resp.statusText || "") + (detail ? ": " + JSON.stringify(detail) : "") }));
    }
    errorBox.hidden = false;
    errorBox.focus();
  }

  function showNetworkError(err) {
    errorBox.replaceChildren(el("p", { class: "error-message", text: "Could not reach the API: " + err.message }));
    errorBox.hidden = false;
  }

  // ---------------------------------------------------------------- submit
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    errorBox.hidden = true;
    const refs = chosen.map((c) => c.ref);
    const hours = Number($("hours").value) || 10;
    const yearsText = $("years").value.trim();
    let request;
    if (form.elements.source.value === "file") {
      const data = new FormData();
      if (fileInput.files.length) data.append("file", fileInput.files[0]);
      for (const ref of refs) data.append("roles", ref);
      data.append("hours_per_week", String(hours));
      if (yearsText) data.append("years_experience", yearsText);
      data.append("include_text", "true");
      if (postingInput.value.trim()) data.append("posting", postingInput.value);
      request = { method: "POST", body: data };
    } else {
      const payload = { text: textInput.value, roles: refs, hours_per_week: hours, include_text: true };
      if (postingInput.value.trim()) payload.posting = postingInput.value;
      if (yearsText) payload.years_experience = Number(yearsText);
      request = { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload) };
    }
    button.disabled = true;
    statusLine.textContent = "Analyzing…";
    form.setAttribute("aria-busy", "true");
    try {
      const resp = await fetch(apiUrl("v1/analyze"), request);
      let body = null;
      try { body = await resp.json(); } catch (_) { body = null; }
      if (!resp.ok) { statusLine.textContent = ""; results.replaceChildren(); showError(resp, body); return; }
      renderResults(body);
      statusLine.textContent = "Done: " + body.analyses.length + (body.analyses.length === 1 ? " role" : " roles") + " analysed.";
      $("results-title").focus();
    } catch (err) {
      statusLine.textContent = "";
      showNetworkError(err);
    } finally {
      button.disabled = false;
      form.removeAttribute("aria-busy");
    }
  });

  // ---------------------------------------------------------------- evidence spans
  function mentionsOf(skill) {
    const list = skill.mentions && skill.mentions.length ? skill.mentions : [skill];
    return list.map((m) => ({ start: m.start, end: m.end, negated: !!m.negated }));
  }

  function heldSkillFor(match, skillsById) {
    return skillsById.get(match.skill_id) || (match.via_skill_id ? skillsById.get(match.via_skill_id) : undefined);
  }

  /** The line of the resume around a span, with the span marked. */
  function snippet(text, skill) {
    if (!text) return el("span", { class: "snippet", text: skill.sentence });
    const start = skill.start, end = skill.end;
    let lineStart = text.lastIndexOf("\n", start - 1) + 1;
    let lineEnd = text.indexOf("\n", end);
    if (lineEnd < 0) lineEnd = text.length;
    lineStart = Math.max(lineStart, start - 40);
    lineEnd = Math.min(lineEnd, end + 40);
    return el("span", { class: "snippet" },
      (lineStart > 0 && text[lineStart - 1] !== "\n" ? "…" : "") + text.slice(lineStart, start),
      el("mark", { class: "ev", text: text.slice(start, end) }),
      text.slice(end, lineEnd) + (lineEnd < text.length && text[lineEnd] !== "\n" ? "…" : ""));
  }

  /** The whole resume text with every skill mention marked (marks get ids to jump to). */
  function resumePanel(text, skills) {
    const spans = [];
    for (const skill of skills) {
      if (!skill.skill_id) continue;
      mentionsOf(skill).forEach((m, k) => spans.push({ ...m, skill, k }));
    }
    spans.sort((a, b) => a.start - b.start || b.end - a.end);
    const pre = el("pre", { class: "resume", id: "resume-text-view", tabindex: "0", "aria-label": "Resume text with skill evidence marked" });
    let at = 0;
    for (const s of spans) {
      if (s.start < at || s.end > text.length || s.end <= s.start) continue; // overlapping or out of range
      pre.append(text.slice(at, s.start));
      pre.append(el("mark", { class: "ev" + (s.negated ? " neg" : ""), id: "ev-" + slug(s.skill.skill_id) + "-" + s.k,
                              "data-skill": s.skill.skill_id, tabindex: "-1",
                              title: (s.skill.name || s.skill.text) + (s.negated ? " (stated as absent)" : "") }, text.slice(s.start, s.end)));
      at = s.end;
    }
    pre.append(text.slice(at));
    return pre;
  }

  function jumpToEvidence(skillId) {
    document.querySelectorAll("mark.ev.active").forEach((m) => m.classList.remove("active"));
    const marks = document.querySelectorAll('#resume-text-view mark[data-skill="' + CSS.escape(skillId) + '"]');
    marks.forEach((m) => m.classList.add("active"));
    if (marks.length) {
      const details = $("resume-details");
      if (details) details.open = true;
      marks[0].focus();
      marks[0].scrollIntoView({ block: "center" });
    }
  }

  // ---------------------------------------------------------------- charts (plain SVG)
  function probabilityChart(probabilities, label) {
    const rowH = 26, labelW = 128, barW = 150, width = labelW + barW + 48;
    const desc = LABELS.map((l) => labelText(l) + " " + pct(probabilities[l] || 0)).join(", ");
    const chart = svg("svg", { class: "chart prob", viewBox: "0 0 " + width + " " + (rowH * LABELS.length + 4), role: "img",
                               "aria-label": "Readiness probabilities: " + desc });
    LABELS.forEach((l, i) => {
      const p = probabilities[l] || 0, y = i * rowH + 4;
      chart.append(
        svg("text", { x: 0, y: y + 15, class: "chart-label" + (l === label ? " strong" : ""), text: labelText(l) }),
        svg("rect", { x: labelW, y: y + 3, width: barW, height: 16, rx: 3, class: "track" }),
        svg("rect", { x: labelW, y: y + 3, width: Math.max(1, p * barW), height: 16, rx: 3, class: "bar p-" + l }),
        svg("text", { x: labelW + barW + 6, y: y + 15, class: "chart-value", text: pct(p) }));
    });
    return chart;
  }

  function comparisonChart(analyses) {
    const rowH = 60, barW = 228, width = 300;
    const chart = svg("svg", { class: "chart compare", viewBox: "0 0 " + width + " " + (rowH * analyses.length + 24), role: "img",
      "aria-label": "Fit and chance of industry readiness per role: " +
        analyses.map((a) => a.role.title + " fit " + pct(a.match.score) + ", industry ready " +
                            pct(a.readiness.probabilities.industry_ready || 0)).join("; ") });
    chart.append(svg("rect", { x: 0, y: 4, width: 10, height: 10, class: "bar fit" }),
                 svg("text", { x: 14, y: 13, class: "chart-value", text: "skill fit" }),
                 svg("rect", { x: 90, y: 4, width: 10, height: 10, class: "bar p-industry_ready" }),
                 svg("text", { x: 104, y: 13, class: "chart-value", text: "P(industry ready)" }));
    analyses.forEach((a, i) => {
      const y = 24 + i * rowH, title = a.role.title.length > 40 ? a.role.title.slice(0, 39) + "…" : a.role.title;
      const ready = a.readiness.probabilities.industry_ready || 0;
      chart.append(
        svg("text", { x: 0, y: y + 12, class: "chart-label strong", text: title }),
        svg("rect", { x: 0, y: y + 18, width: barW, height: 12, rx: 2, class: "track" }),
        svg("rect", { x: 0, y: y + 18, width: Math.max(1, a.match.score * barW), height: 12, rx: 2, class: "bar fit" }),
        svg("text", { x: barW + 6, y: y + 28, class: "chart-value", text: pct(a.match.score) }),
        svg("rect", { x: 0, y: y + 33, width: barW, height: 12, rx: 2, class: "track" }),
        svg("rect", { x: 0, y: y + 33, width: Math.max(1, ready * barW), height: 12, rx: 2, class: "bar p-industry_ready" }),
        svg("text", { x: barW + 6, y: y + 43, class: "chart-value", text: pct(ready) }));
    });
    return chart;
  }

  /** The roadmap on one week axis: a segment per step, a marker where industry_ready is reached. */
  function roadmapChart(rm) {
    const width = 320, left = 4, right = 4, axis = width - left - right, total = Math.max(rm.weeks_total, 1e-9);
    const x = (w) => left + (axis * Math.min(w, total)) / total;
    const readyWeek = rm.weeks_to_ready;
    const chart = svg("svg", { class: "chart roadmap", viewBox: "0 0 " + width + " 46", role: "img",
      "aria-label": "Roadmap over " + fmtWeeks(rm.weeks_total) + ", " + rm.steps.length + " steps" +
        (readyWeek !== null && readyWeek !== undefined ? ", industry ready after about " + fmtWeeks(readyWeek) : "") });
    let from = 0;
    rm.steps.forEach((s, i) => {
      chart.append(svg("rect", { x: x(from), y: 8, width: Math.max(1, x(s.week_end) - x(from) - 1), height: 14,
                                 class: "seg " + (s.kind === "prerequisite" ? "seg-prereq" : i % 2 ? "seg-b" : "seg-a") },
                       svg("title", { text: s.name + ": by week " + Math.ceil(s.week_end - 1e-9) })));
      from = s.week_end;
    });
    chart.append(svg("text", { x: left, y: 38, class: "chart-value", text: "week 0" }),
                 svg("text", { x: width - right, y: 38, class: "chart-value", "text-anchor": "end", text: "week " + Math.ceil(total) }));
    if (readyWeek !== null && readyWeek !== undefined && readyWeek > 0) {
      const rx = x(readyWeek);
      chart.append(svg("line", { x1: rx, x2: rx, y1: 2, y2: 28, class: "ready-line" }),
                   svg("text", { x: Math.min(Math.max(rx, 100), width - 100), y: 38, class: "chart-value ready-text", "text-anchor": "middle",
                                 text: "ready ~week " + Math.ceil(readyWeek - 1e-9) }));
    }
    return chart;
  }

  // ---------------------------------------------------------------- results
  function badge(label) {
    return el("span", { class: "badge label-" + label, text: labelText(label) });
  }

  function resolutionNote(resolution) {
    if (resolution.method === "posting") return el("p", { class: "muted", text: "The job posting you pasted, read as a role of its own." });
    if (resolution.method === "ranked") return el("p", { class: "muted", text: "No role given: this is the role your resume fits best." });
    if (resolution.roles_sharing_title && resolution.runner_up) return el("p", { class: "muted", text:
      resolution.roles_sharing_title + " roles share the title “" + resolution.query + "”: this one reads most like your resume (next: " +
      resolution.runner_up.title + ")." });
    if (resolution.method === "id" || resolution.method === "title") return null;
    return el("p", { class: "muted", text: "You asked for “" + resolution.query + "”: matched " + resolution.title +
      " (" + humanize(resolution.method) + ", " + pct(resolution.confidence) + ")." });
  }

  function readinessBlock(a) {
    const drivers = (a.readiness.drivers || []).slice(0, 4);
    return el("section", { class: "block" },
      el("h4", { text: "Readiness" }),
      el("p", {}, badge(a.readiness.label), " ", el("span", { class: "muted", text: "calibrated probabilities:" })),
      probabilityChart(a.readiness.probabilities, a.readiness.label),
      drivers.length ? el("ul", { class: "drivers" }, drivers.map((d) =>
        el("li", {}, el("span", { class: "dir dir-" + d.direction, "aria-hidden": "true", text: d.direction === "up" ? "▲ " : "▼ " }),
           (d.direction === "up" ? "raises it: " : "lowers it: ") + humanize(d.feature) + " = " + (Math.round(d.value * 100) / 100)))) : null);
  }

  function matchBlock(a, text, skillsById) {
    const rows = [...a.match.skills].sort((x, y) => y.importance - x.importance || x.name.localeCompare(y.name));
    const table = el("table", { class: "skills" },
      el("caption", { text: "Required skills, most important first" }),
      el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Skill" }), el("th", { scope: "col", text: "Weight" }),
                                   el("th", { scope: "col", text: "In your resume" }), el("th", { scope: "col", text: "Evidence" }))),
      el("tbody", {}, rows.map((m) => {
        const held = heldSkillFor(m, skillsById);
        const status = m.status === "partial" ? "related: " + (held ? held.name || held.text : m.via_skill_id)
                     : m.status === "missing" ? "missing" : m.status === "alias" ? "yes (alias)" : "yes";
        return el("tr", { class: "status-" + m.status },
          el("th", { scope: "row" }, m.name, m.critical ? el("span", { class: "tag crit", text: "critical" }) : null),
          el("td", { "data-label": "Weight", text: pct(m.importance) }),
          el("td", { "data-label": "In your resume" }, el("span", { class: "status status-" + m.status, text: status }),
             m.years ? el("span", { class: "muted", text: " · " + m.years + " y" }) : null),
          el("td", { "data-label": "Evidence" }, held && m.status !== "missing"
            ? [snippet(text, held), " ", el("button", { type: "button", class: "link-button",
                "aria-label": "Show " + m.name + " in the resume", onclick: () => jumpToEvidence(held.skill_id) }, "show in resume")]
            : el("span", { class: "muted", text: "—" })));
      })));
    return el("section", { class: "block" },
      el("h4", { text: "Match: " + pct(a.match.score) + " skill fit" }),
      el("p", { text: a.match.explanation.summary }),
      el("div", { class: "table-wrap" }, table));
  }

  function gapItem(g) {
    return el("li", { class: "gap" },
      el("p", { class: "gap-head" }, el("strong", { text: g.name }),
         g.critical ? el("span", { class: "tag crit", text: "critical" }) : null,
         g.status === "partial" ? el("span", { class: "tag", text: "partly there" }) : null,
         el("span", { class: "muted", text: " ~" + fmtHours(g.learning_hours) + " to learn" })),
      g.reasons && g.reasons.length ? el("ul", { class: "reasons" }, g.reasons.map((r) => el("li", { text: r }))) : null);
  }

  function gapsBlock(a) {
    const gaps = a.match.gaps || [];
    if (!gaps.length) return el("section", { class: "block" }, el("h4", { text: "Gaps" }), el("p", { text: "No missing skills for this role." }));
    const shown = 6;
    return el("section", { class: "block" },
      el("h4", { text: "Gaps, most worth learning first" }),
      el("ol", { class: "gaps" }, gaps.slice(0, shown).map(gapItem)),
      gaps.length > shown ? el("details", { class: "more-gaps" },
        el("summary", { text: (gaps.length - shown) + " more gaps" }),
        el("ol", { class: "gaps", start: shown + 1 }, gaps.slice(shown).map(gapItem))) : null);
  }

  function resourcesBlock(a) {
    if (!a.resources.length) {
      return a.resources_note ? el("section", { class: "block" },
        el("h4", { text: "Learning resources" }),
        el("p", { class: "muted resources-note", text: a.resources_note })) : null;
    }
    return el("section", { class: "block" },
      el("h4", { text: "Learning resources" }),
      el("ul", { class: "resources" }, a.resources.map((r) =>
        el("li", {},
          /^https?:\/\//.test(r.url) ? el("a", { href: r.url, rel: "noopener noreferrer", target: "_blank", text: r.title })
                                    : el("strong", { text: r.title }),
          el("span", { class: "muted", text: " · " + r.provider + " · " + r.level + " · " + fmtHours(r.hours) + (r.free ? " · free" : "") }),
          el("p", { class: "reason", text: r.reason })))));
  }

  function roadmapBlock(a) {
    const rm = a.roadmap;
    if (!rm.steps.length) return null;
    const reaches = rm.weeks_to_ready !== null && rm.weeks_to_ready !== undefined;
    const ready = !reaches ? "This plan does not reach industry ready on its own"
      : rm.hours_to_ready > 0 ? "Industry ready in about " + fmtWeeks(rm.weeks_to_ready) + " (" + fmtHours(rm.hours_to_ready) + ")"
      : "Already rated industry ready; the plan closes the remaining gaps";
    return el("section", { class: "block" },
      el("h4", { text: "Roadmap" }),
      el("p", { text: ready + " at " + rm.hours_per_week + " h per week; the whole plan takes " + fmtWeeks(rm.weeks_total) +
                      " (" + fmtHours(rm.total_hours) + ")." }),
      roadmapChart(rm),
      el("ol", { class: "timeline" }, rm.steps.map((s) => {
        return el("li", { class: "step" + (s.kind === "prerequisite" ? " prereq" : "") + (s.reaches_industry_ready ? " ready" : "") },
          el("span", { class: "when", text: "By week " + Math.max(1, Math.ceil(s.week_end - 1e-9)) }),
          el("span", { class: "what" }, el("strong", { text: s.name }),
             el("span", { class: "muted", text: " · " + fmtHours(s.hours) + (s.kind === "prerequisite" ? " · prerequisite" : "") })),
          s.reaches_industry_ready ? el("span", { class: "tag ok", text: "industry ready from here" }) : null);
      })));
  }

  function compareBlock(analyses) {
    return el("section", { class: "card compare-block", "aria-labelledby": "compare-title" },
      el("h3", { id: "compare-title", text: "Side by side" }),
      comparisonChart(analyses),
      el("div", { class: "compare-grid" }, analyses.map((a) =>
        el("article", { class: "compare-card" },
          el("h4", { text: a.role.title }),
          el("p", {}, badge(a.readiness.label)),
          el("dl", {},
            el("dt", { text: "Skill fit" }), el("dd", { text: pct(a.match.score) }),
            el("dt", { text: "Required skills held" }),
            el("dd", { text: a.match.skills.filter((s) => s.status !== "missing").length + " of " + a.match.skills.length }),
            el("dt", { text: "Time to ready" }),
            el("dd", { text: a.roadmap.weeks_to_ready === null || a.roadmap.weeks_to_ready === undefined ? "not reached by the plan"
                          : a.roadmap.hours_to_ready > 0 ? fmtWeeks(a.roadmap.weeks_to_ready) : "ready now" }),
            el("dt", { text: "Top gaps" }),
            el("dd", { text: (a.match.gaps || []).slice(0, 3).map((g) => g.name).join(", ") || "none" }))))));
  }

  function suggestionsBlock(closest) {
    return el("section", { class: "card", "aria-labelledby": "suggest-title" },
      el("h3", { id: "suggest-title", text: "Roles your resume fits best" }),
      el("ol", { class: "suggestions" }, closest.map((r) =>
        el("li", {},
          el("strong", { text: r.title }),
          el("span", { class: "muted", text: " · skill fit " + pct(r.score) + (r.rank_score !== null && r.rank_score !== undefined ? " · text match " + pct(r.rank_score) : "") }),
          " ", el("button", { type: "button", class: "link-button", onclick: () => choose(r.role_id, r.title) }, "add to compare"),
          r.reasons && r.reasons.length ? el("p", { class: "reason", text: r.reasons[0] }) : null))));
  }

  const LEVEL_TEXT = { required: "Required", mentioned: "Mentioned in the duties", preferred: "Nice to have",
                       context: "Not asked of you (about the company, benefits, or negated)" };

  function postingBlock(p) {
    const years = p.min_years === null || p.min_years === undefined ? "not stated" : p.min_years + "+ years";
    const groups = Object.keys(LEVEL_TEXT).map((level) => [level, p.skills.filter((s) => s.level === level)])
      .filter(([, list]) => list.length);
    return el("section", { class: "card", "aria-labelledby": "posting-title" },
      el("h3", { id: "posting-title", text: "The job posting: " + p.title }),
      el("p", { class: "muted", text: "Experience asked: " + years + ". " + p.required_count + " required and " +
                                      p.preferred_count + " nice-to-have skills found" +
                                      (p.unlinked_count ? "; " + p.unlinked_count + " not in our taxonomy, kept as written." : ".") }),
      groups.map(([level, list]) => el("div", { class: "block" },
        el("h4", { text: LEVEL_TEXT[level] + " (" + list.length + ")" }),
        el("ul", { class: "reasons" }, list.map((s) => el("li", {},
          el("strong", { text: s.name }),
          s.critical ? el("span", { class: "tag crit", text: "critical" }) : null,
          !s.linked ? el("span", { class: "tag", text: "not in taxonomy" }) : null,
          el("span", { class: "muted", text: " · " + s.reason })))))),
      p.closest_roles && p.closest_roles.length ? el("p", {}, "Closest roles in our catalog: ",
        p.closest_roles.slice(0, 3).flatMap((r, i) => [i ? ", " : "", el("button", { type: "button", class: "link-button",
          onclick: () => choose(r.role_id, r.title) }, r.title)])) : null);
  }

  // how many years of experience the analysis used, and what they were read from
  function experienceNote(body) {
    const years = body.years_experience;
    let text;
    if (years === null || years === undefined) {
      text = "No years of experience found in the resume (no total stated, no dated jobs): enter them under More options to count them.";
    } else if ($("years").value.trim()) {
      text = "Experience: " + years + " years, as you entered it.";
    } else {
      const used = (body.experience_evidence || []).filter((e) => e.used)
        .map((e) => e.end_date === "present" ? e.text + " (to " + body.as_of + ")" : e.text);
      text = "Experience read from the resume: " + years + " years" + (used.length ? ", from " + used.join("; ") : "") + ".";
    }
    return el("p", { class: "muted", id: "experience-note", text: text });
  }

  function renderResults(body) {
    const text = body.text || "";
    const skillsById = new Map(body.skills.filter((s) => s.skill_id).map((s) => [s.skill_id, s]));
    const source = body.source.kind === "upload" ? body.source.filename || "the uploaded file" : "the pasted text";
    const parts = [
      el("h2", { id: "results-title", tabindex: "-1", text: "Results" }),
      el("p", { class: "muted", text: body.word_count + " words read from " + source + "; " + skillsById.size +
                                      " skills found. Request id " + body.request_id + "." }),
      experienceNote(body),
    ];
    if (body.posting) parts.push(postingBlock(body.posting));
    if (body.closest_roles && body.closest_roles.length) parts.push(suggestionsBlock(body.closest_roles));
    if (body.analyses.length > 1) parts.push(compareBlock(body.analyses));
    body.analyses.forEach((a, i) => {
      parts.push(el("details", { class: "card role-detail", open: i === 0, id: "role-" + slug(a.role.role_id) },
        el("summary", {}, el("h3", { class: "role-title" }, a.role.title, " ", badge(a.readiness.label))),
        resolutionNote(a.role),
        el("div", { class: "role-grid" }, readinessBlock(a), gapsBlock(a)),
        matchBlock(a, text, skillsById),
        el("div", { class: "role-grid" }, roadmapBlock(a), resourcesBlock(a))));
    });
    if (text) {
      parts.push(el("details", { class: "card", id: "resume-details", open: true },
        el("summary", {}, el("h3", { text: "Your resume, with the evidence marked" })),
        el("p", { class: "muted", text: "Each highlighted phrase is a skill the analyzer read; struck-through ones are stated as absent." }),
        resumePanel(text, body.skills)));
    }
    results.replaceChildren(...parts);
  }

  // when published as static files with another API origin, point the docs links at it
  if (API_BASE) document.querySelectorAll("nav a").forEach((a) => a.setAttribute("href", apiUrl(a.getAttribute("href"))));
})();

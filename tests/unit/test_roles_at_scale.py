"""Title resolution over curated roles + O*NET occupations: tiers, plurals, shared titles, the saved index."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
from careerready.core.errors import RoleNotFoundError
from careerready.services.catalog import Catalog, Role, RoleSkill
from careerready.services.roles import (
    NEAREST_FLOOR,
    TITLE_INDEX_FILE,
    RoleCandidate,
    RoleResolver,
    alt_title_forms,
    best_fitting,
    canonical_title,
    resolver_for,
    singular,
    title_heads,
)

from training.catalog.build import build

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    out = tmp_path_factory.mktemp("cat")
    build(ROOT / "data", out, onet_dir=ROOT / "tests" / "fixtures" / "onet_small")
    return Catalog.load(out)


def _occ(rid: str, title: str, alts: tuple[str, ...] = (), esco: tuple[str, ...] = ()) -> Role:
    return Role(
        rid, title, alts, "onet-29", "", 2.0, (RoleSkill("x", 0.5),), kind="occupation", soc_code="29-0000.00",
        esco_titles=esco,
    )  # fmt: skip


def test_every_title_of_every_role_resolves_exactly(catalog: Catalog) -> None:
    resolver = RoleResolver.for_catalog(catalog)
    for role in catalog.roles.values():
        for title in (role.title, *role.alt_titles):
            res = resolver.resolve(title)
            assert res.method in ("title", "alt_title", "normalized") and res.confidence == 1.0, title
            winner = catalog.roles[res.role_id]
            # a title goes to the role that lists it, or to a curated role that claims the same title
            assert res.role_id == role.id or winner.kind == "curated" or title in winner.alt_titles, title


def test_curated_wins_shared_titles_and_plurals_resolve(catalog: Catalog) -> None:
    resolver = RoleResolver.for_catalog(catalog)
    assert resolver.resolve("Software Engineer").role_id == "software-engineer"  # also an O*NET alternate title
    assert resolver.resolve("Software Developers").role_id == "onet-15-1252-00"
    res = resolver.resolve("Software Developer")  # singular of the occupation title
    assert res.role_id in ("onet-15-1252-00", "software-engineer") and res.confidence == 1.0
    assert (
        singular("nurses") == "nurse" and singular("secretaries") == "secretary" and singular("business") == "business"
    )
    assert canonical_title("Registered Nurses", singulars=True) == "registered nurse"
    assert canonical_title("Operations manager") == "operations manager"  # fuzzy keeps plurals


def test_title_shared_by_occupations_goes_to_the_closest_own_title_with_a_runner_up() -> None:
    roles = [
        _occ("onet-a", "Law Teachers, Postsecondary", ("Teacher",)),
        _occ("onet-b", "Teachers", ("Teacher",)),
        _occ("onet-c", "Critical Care Nurses", (), ("ward nurse",)),
        _occ("onet-d", "Registered Nurses", ("Ward Nurse",)),
    ]
    resolver = RoleResolver(roles)
    res = resolver.resolve("teacher")
    assert (res.role_id, res.method) == ("onet-b", "alt_title") and res.runner_up is not None
    assert res.runner_up.role_id == "onet-a"
    assert res.shared_by == ("onet-b", "onet-a")  # every role claiming the title, the pick first
    # with a resume, the role it reads most like; ties keep the resolver's order
    assert best_fitting(res.shared_by, {"onet-a": 0.9, "onet-b": 0.4}) == "onet-a"
    assert best_fitting(res.shared_by, {"onet-a": 0.5, "onet-b": 0.5}) == "onet-b"
    chosen = res.choose(RoleCandidate("onet-a", "Law Teachers, Postsecondary", 0.9), None)
    assert (chosen.role_id, chosen.title, chosen.method, chosen.query) == (
        "onet-a", "Law Teachers, Postsecondary", "alt_title", "teacher",
    )  # fmt: skip
    with pytest.raises(ValueError, match="does not share"):
        res.choose(RoleCandidate("onet-c", "Critical Care Nurses", 1.0), None)
    assert resolver.resolve("Registered Nurses").shared_by == ()  # one role: nothing to choose
    # an O*NET alternate title outranks an ESCO label of another occupation
    assert resolver.resolve("ward nurse").role_id == "onet-d"
    assert resolver.resolve("Registered Nurse").method == "normalized"


def test_an_occupations_own_title_beats_another_occupations_alternate_title() -> None:
    """O*NET lists "Physician Assistant" among Medical Assistants' alternate titles; it is Physician Assistants."""
    roles = [
        _occ("onet-ma", "Medical Assistants", ("Physician Assistant", "Clinical Assistant")),
        _occ("onet-pa", "Physician Assistants", ("PA-C",)),
    ]
    resolver = RoleResolver(roles)
    res = resolver.resolve("Physician Assistant")
    assert (res.role_id, res.method) == ("onet-pa", "normalized")
    assert resolver.resolve("clinical assistant").role_id == "onet-ma"  # no own title says otherwise
    # a curated role's alternative title is its authors' choice and still wins
    curated = Role("sci", "Data Scientist", ("Statistician",), "data", "", 2.0, (RoleSkill("x", 0.5),))
    assert RoleResolver([curated, _occ("onet-st", "Statisticians")]).resolve("Statistician").role_id == "sci"


def test_a_title_only_abbreviations_share_goes_to_the_role_most_of_whose_titles_name_it() -> None:
    """ "CNA" is a short title of Surgical Assistants once and of Nursing Assistants in five alternate titles."""
    roles = [
        _occ("onet-29-9093-00", "Surgical Assistants", ("CNA", "Certified Nursing Assistant (CNA)")),
        _occ(
            "onet-31-1131-00",
            "Nursing Assistants",
            ("CNA", "Certified Nurse Aide (CNA)", "Certified Nursing Assistant (CNA)", "Certified Nurses Aide (CNA)"),
        ),
    ]
    res = RoleResolver(roles).resolve("CNA")
    assert res.role_id == "onet-31-1131-00" and res.shared_by == ("onet-31-1131-00", "onet-29-9093-00")


def test_title_heads_are_the_last_word_before_of_and_commas() -> None:
    assert title_heads("First-Line Supervisors of Retail Sales Workers") == {"supervisor"}
    assert title_heads("Producers and Directors") == {"producer", "director"}
    assert title_heads("Cooks, Fast Food") == {"cook"}
    assert title_heads("Education Administrators, Kindergarten through Secondary") == {"administrator"}
    assert title_heads("Director of Nursing") == {"director"}
    assert title_heads("Senior Lead") == set()  # only seniority words: no head


def test_a_one_word_generic_title_is_shared_by_every_role_whose_title_it_heads() -> None:
    roles = [
        _occ("onet-p", "Producers and Directors", ("Director",)),
        _occ("onet-a", "Art Directors", ("Creative Director",)),
        _occ("onet-m", "Music Directors and Composers"),
        _occ("onet-e", "Emergency Management Directors", ("Emergency Director", "Director of Emergency Services")),
        _occ("onet-r", "Directors, Religious Activities and Education"),
        _occ("onet-c", "Chief Executives", ("Managing Director",)),  # an alternative title alone does not count
        _occ("onet-l", "Lawyers", ("Lawyer", "Legal Director")),
        _occ("onet-1", "Computer Programmers"),
        _occ("onet-2", "Web Programmers"),
        _occ("onet-3", "Computer Numerically Controlled Tool Programmers"),
        Role("software-engineer", "Software Engineer", ("Programmer",), "tech", "", 2.0, (RoleSkill("x", 0.5),)),
    ]
    resolver = RoleResolver(roles)
    res = resolver.resolve("Director")
    # the exact claimant stays the pick (no resume: title-only callers are unchanged), then by how many of a
    # role's alternative titles the word heads, then by id
    assert (res.role_id, res.method) == ("onet-p", "alt_title")
    assert res.shared_by == ("onet-p", "onet-e", "onet-a", "onet-m", "onet-r")
    assert res.runner_up is not None and res.runner_up.role_id == "onet-e"
    assert resolver.resolve("directors").shared_by == res.shared_by  # plural, "normalized"
    assert resolver.resolve("Art Director").shared_by == ()  # two words name a post
    assert resolver.resolve("Lawyer").shared_by == ()  # heads one role's title only
    assert resolver.resolve("Programmer").shared_by == ()  # a curated role's alternative title: its authors' pick
    # a word that is a role's whole title names that role
    assert RoleResolver([*roles, _occ("onet-d", "Directors")]).resolve("Director").shared_by == ()


def test_a_one_word_title_nobody_claims_resolves_generic_to_every_role_it_heads() -> None:
    """ "Manager" is no role's title or alternative title: it used to fall to the fuzzy scores (which sent it to
    Registered Nurses on the full catalog) and a 404; the roles it heads share it instead."""
    from training.eval.labels import decide_label

    roles = [
        _occ("onet-f", "Financial Managers", ("Finance Manager", "Treasury Manager")),
        _occ("onet-s", "Sales Managers", ("Sales Manager",)),
        _occ("onet-o", "Food Service Managers"),
        _occ("onet-n", "Registered Nurses", ("Nurse Manager",)),  # an alternative title alone does not count
        _occ("onet-c", "Clinical Research Coordinators"),
        _occ("onet-i", "Instructional Coordinators"),
    ]
    resolver = RoleResolver(roles)
    res = resolver.resolve("Manager")
    assert (res.role_id, res.method, res.query) == ("onet-f", "generic", "Manager")
    assert res.shared_by == ("onet-f", "onet-s", "onet-o")
    assert res.runner_up is not None and res.runner_up.role_id == "onet-s"
    assert resolver.resolve(" managers ").shared_by == res.shared_by
    assert resolver.resolve("Senior Manager").method == "generic"  # seniority words dropped, as for "normalized"
    assert resolver.resolve("Sales Manager").method == "alt_title"  # a title some role claims is not generic
    with pytest.raises(RoleNotFoundError):
        resolver.resolve("Coordinator")  # heads two roles only
    # a generic title names no role: the real-resume label rule leaves such a resume unlabelled
    spans = [{"label": "Designation", "start": 0, "end": 7, "text": "Manager"}]
    decision = decide_label("r1", spans, resolver)
    assert (decision.role_id, decision.reason) == (None, "ambiguous")


def test_a_word_that_heads_only_alternative_titles_is_shared_by_those_roles() -> None:
    """ "Consultant" heads no occupation's own title but the alternative titles of many: those roles share it,
    most such titles first; a word that heads fewer than three roles' titles stays a 404."""
    roles = [
        _occ("onet-m", "Management Analysts", ("Management Consultant", "Business Consultant")),
        _occ("onet-n", "Registered Nurses", ("Nurse Consultant",)),
        _occ("onet-t", "Travel Agents", ("Travel Consultant",)),
        _occ("onet-f", "Personal Financial Advisors", ("Financial Adviser",)),
        _occ("onet-b", "Budget Analysts", ("Budget Adviser",)),
        _occ("onet-c", "Chefs and Head Cooks", ("Consulting Chef",)),  # "consult..." in the text, not the head
    ]
    resolver = RoleResolver(roles)
    res = resolver.resolve("Consultants")
    assert (res.role_id, res.method) == ("onet-m", "generic")
    assert res.shared_by == ("onet-m", "onet-n", "onet-t")
    with pytest.raises(RoleNotFoundError):
        resolver.resolve("Adviser")  # two roles only


def test_a_one_word_alternate_title_of_one_occupation_is_shared_by_the_roles_it_heads() -> None:
    """ "Owner" (an O*NET alternate title of Urologists alone) is shared by every role whose alternative titles it
    heads, the claimant first, so a resume picks among them; a word in the claimant's own title is not widened."""
    roles = [
        _occ("onet-u", "Urologists", ("Owner", "Urology Physician")),
        _occ("onet-c", "Chief Executives", ("Agency Owner", "Business Owner", "President")),
        _occ("onet-f", "Funeral Home Managers", ("Funeral Home Owner",)),
        _occ("onet-r", "Food Service Managers", ("Restaurant Owner",)),
        _occ("onet-e", "Electricians", ("Electrician", "Wireman")),
        _occ("onet-s", "Solar Photovoltaic Installers", ("Solar Electrician",)),
        _occ("onet-l", "Electrical Power-Line Installers", ("Line Electrician",)),
        _occ("onet-m", "Maintenance Workers", ("Maintenance Electrician",)),
    ]
    resolver = RoleResolver(roles)
    owner = resolver.resolve("Owner")
    assert (owner.role_id, owner.method) == ("onet-u", "alt_title")
    assert owner.shared_by == ("onet-u", "onet-c", "onet-f", "onet-r")
    electrician = resolver.resolve("Electrician")
    assert (electrician.role_id, electrician.shared_by) == ("onet-e", ())


def test_an_alternate_title_written_in_two_forms_resolves_by_either_form(tmp_path: Path) -> None:
    """O*NET writes "Automotive Technician (Auto Tech)" for Automotive Service Technicians and Mechanics, and the bare
    "Automotive Technician" for Automotive Glass Installers only: a mechanic typing either form must reach his own
    occupation (before, "Automotive Service Technician" went by fuzzy score to an electronics installers' title)."""
    glass, service = "onet-49-3022-00", "onet-49-3023-00"
    roles = [
        _occ(glass, "Automotive Glass Installers and Repairers", ("Automotive Technician", "Auto Glass Technician")),
        _occ(
            service,
            "Automotive Service Technicians and Mechanics",
            ("Automotive Technician (Auto Tech)", "Automotive Service Technician (Auto Service Tech)"),
        ),
        _occ(
            "onet-49-2096-00",
            "Electronic Equipment Installers and Repairers, Motor Vehicles",
            ("Car Stereo Installer",),
        ),
    ]
    fresh = RoleResolver(roles)
    for q in ("Automotive Service Technician", "auto service tech", "Auto Tech", "Automotive Technician (Auto Tech)"):
        res = fresh.resolve(q)
        assert (res.role_id, res.method, res.confidence) == (service, "alt_title", 1.0), q
    shared = fresh.resolve("Automotive Technician")
    assert set(shared.shared_by) == {glass, service}  # both list it; with a resume the one it reads like
    assert best_fitting(shared.shared_by, {glass: 0.2, service: 0.7}) == service
    assert alt_title_forms("MRI Tech (Magnetic Resonance Imaging Technician)") == (
        "MRI Tech (Magnetic Resonance Imaging Technician)", "MRI Tech", "Magnetic Resonance Imaging Technician",
    )  # fmt: skip
    for whole in ("Registered Radiologic Technologist (RT (R))", "Recreational Vehicle (RV) Repairer", "Nurse"):
        assert alt_title_forms(whole) == (whole,)  # nested or inner parentheses: the title as written only
    # the saved index answers the same, and an index saved before the forms were indexed is not adopted
    fresh.save_index(tmp_path / TITLE_INDEX_FILE)
    with np.load(tmp_path / TITLE_INDEX_FILE) as data:
        index = {k: data[k] for k in data.files}
    saved = RoleResolver(roles, index=index)
    assert saved._saved is not None and saved.resolve("Auto Service Tech").role_id == service
    assert saved.resolve("Automotive Technician").shared_by == shared.shared_by
    older = {**index, "format": np.asarray([1])}
    assert RoleResolver(roles, index=older)._saved is None


def test_saved_index_gives_the_same_answers_and_is_ignored_for_other_roles(catalog: Catalog, tmp_path: Path) -> None:
    assert catalog.directory is not None and (catalog.directory / TITLE_INDEX_FILE).is_file()
    fresh = RoleResolver(catalog.roles)
    saved = RoleResolver.for_catalog(catalog)
    assert saved._saved is not None and "_fuzzy" not in saved.__dict__  # adopted, decoded on first use
    for q in ["Sr. Data Scientst", "App Developer", "software dev", "Backend engineer", "Data sciense intern"]:
        try:
            a = fresh.resolve(q)
        except RoleNotFoundError as exc:
            with pytest.raises(RoleNotFoundError) as other:
                saved.resolve(q)
            assert other.value.details == exc.details
            continue
        assert saved.resolve(q) == a
    np.testing.assert_array_equal(saved.scores("qa engineer")[0].score, fresh.scores("qa engineer")[0].score)
    assert "heads_keys" in saved._saved and dict(saved._heads) == dict(fresh._heads)  # generic titles saved too
    with np.load(catalog.directory / TITLE_INDEX_FILE) as data:
        index = {k: data[k] for k in data.files}
    subset = RoleResolver(list(catalog.roles.values())[:5], index=index)
    assert subset._saved is None  # built for other roles: not adopted


def test_one_resolver_per_catalog_and_a_404_lists_near_titles(catalog: Catalog) -> None:
    assert resolver_for(catalog) is resolver_for(catalog)
    with pytest.raises(RoleNotFoundError) as err:
        resolver_for(catalog).resolve("Data Sciencist of oceans")
    nearest = err.value.details["nearest"]
    assert len(nearest) == 3 and nearest[0]["score"] >= nearest[-1]["score"] >= NEAREST_FLOOR


def test_a_404_for_gibberish_offers_no_unrelated_titles(catalog: Catalog) -> None:
    with pytest.raises(RoleNotFoundError) as err:
        resolver_for(catalog).resolve("xyzzy plugh")
    assert err.value.details["nearest"] == []
    assert "no catalog title is close" in str(err.value)


def test_ranking_confidence_is_calibrated_form_and_says_no_close_match() -> None:
    from careerready.pipelines.matching import NO_CLOSE_MATCH, RANK_CONFIDENCE, ranking_confidence

    a, b = RANK_CONFIDENCE
    assert b > 0  # a closer text means more confidence
    scores = [0.0, 0.1, 0.17, 0.18, 0.3, 0.6]
    conf = [ranking_confidence(s) for s in scores]
    assert conf == sorted(conf) and all(0.0 < c < 1.0 for c in conf)
    # the "no close match" bar sits where the fitted curve crosses 0.5: rank_score = -a / b (about 0.174)
    bar = -a / b
    assert ranking_confidence(bar - 0.01) < NO_CLOSE_MATCH <= ranking_confidence(bar + 0.01)


def test_the_saved_index_is_read_as_lookups_need_it(catalog: Catalog) -> None:
    # Given a catalog whose title index was preloaded (a cold start's background thread)
    from careerready.services import roles

    assert catalog.directory is not None
    copy = Catalog.load(catalog.directory)  # its own resolver: not the module's cached one
    roles.preload_title_index(copy)
    arrays = roles._PRELOADED[id(copy)][1]
    assert isinstance(arrays, roles._NpzArrays) and set(arrays._read) == set(roles._EXACT_ARRAYS)

    # When a role is named by id or by an exact title, Then nothing more is decompressed
    resolver = RoleResolver.for_catalog(copy)
    fresh = roles.read_title_index(copy)
    assert fresh is not None
    eager = RoleResolver(catalog.roles, index=dict(fresh.items()))
    assert resolver.resolve("data-scientist").role_id == "data-scientist"
    assert resolver.resolve("Data Scientist") == eager.resolve("Data Scientist")
    assert set(arrays._read) == set(roles._EXACT_ARRAYS)

    # And a misspelt title reads the fuzzy index on first use, with the eager index's answer
    assert [asdict(c) for c in resolver.scores("Data sciense intern")] == [
        asdict(c) for c in eager.scores("Data sciense intern")
    ]
    assert any(key.startswith("fz_") for key in arrays._read) and len(arrays._read) < len(arrays)

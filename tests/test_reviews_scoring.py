"""Pure rules of case-file review: scoring, grades, mean, divergence, sampling and assignment."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supervision import scoring
from supervision.sampling import NoEligibleReviewers, Pool, draw_sample, eligible, plan_assignments

CATS = {"主体": 10, "事实证据": 20, "法律适用": 15, "程序": 20, "裁量说理": 15, "文书": 10, "归档": 10}


# --- scoring ------------------------------------------------------------------------------


def test_category_scores_floor_at_zero():
    scores = scoring.category_scores(CATS, [("主体", 6), ("主体", 8), ("程序", 3)])
    assert scores["主体"] == 0  # 10 - 14 → 0, never negative (扣完为止)
    assert scores["程序"] == 17
    assert scores["文书"] == 10


def test_total_sums_categories_and_veto_zeroes_it():
    deductions = [("主体", 2), ("文书", 1.5)]
    assert scoring.total_score(CATS, deductions) == 96.5
    assert scoring.total_score(CATS, deductions, veto=True) == 0
    assert scoring.total_score(CATS, []) == 100


def test_deductions_to_unknown_categories_are_ignored():
    assert scoring.total_score(CATS, [("不存在", 50)]) == 100


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        (100, "优秀"),
        (90, "优秀"),
        (89.99, "良好"),
        (80, "良好"),
        (79.5, "合格"),
        (60, "合格"),
        (59.9, "不合格"),
        (0, "不合格"),
    ],
)
def test_default_bands(total, grade):
    assert scoring.grade_for(total) == grade


def test_veto_grade_is_fail_whatever_the_score():
    assert scoring.grade_for(95, veto=True) == "不合格"
    assert scoring.grade_for(None) is None


def test_custom_bands_any_order():
    bands = [("合格", 70), ("优秀", 95)]
    assert scoring.grade_for(96, bands) == "优秀"
    assert scoring.grade_for(80, bands) == "合格"
    assert scoring.grade_for(69, bands) == "不合格"
    assert scoring.grade_labels(bands) == ["优秀", "合格", "不合格"]


def test_mean_and_divergence():
    assert scoring.mean_score([80, 91]) == 85.5
    assert scoring.mean_score([]) is None
    assert scoring.is_divergent([80, 91], 10) is True
    assert scoring.is_divergent([80, 90], 10) is False  # exactly the margin is not "more than"
    assert scoring.is_divergent([80], 10) is False


def test_validate_deduction():
    assert scoring.validate_deduction(-1, 5, "x") == "扣分不能为负数。"
    assert "最高分" in scoring.validate_deduction(6, 5, "x")
    assert "说明" in scoring.validate_deduction(2, 5, " ")
    assert scoring.validate_deduction(0, 5, "") is None
    assert scoring.validate_deduction(5, 5, "缺页") is None


deduction_lists = st.lists(
    st.tuples(st.sampled_from(sorted(CATS)), st.floats(min_value=0, max_value=30, allow_nan=False)),
    max_size=30,
)


@given(deduction_lists)
def test_total_is_between_0_and_100(deductions):
    total = scoring.total_score(CATS, deductions)
    assert 0 <= total <= 100
    for name, value in scoring.category_scores(CATS, deductions).items():
        assert 0 <= value <= CATS[name]


@given(deduction_lists, st.tuples(st.sampled_from(sorted(CATS)), st.floats(min_value=0, max_value=30)))
def test_more_deductions_never_raise_the_total(deductions, extra):
    assert scoring.total_score(CATS, [*deductions, extra]) <= scoring.total_score(CATS, deductions)


@given(st.lists(st.floats(min_value=0, max_value=100, allow_nan=False), min_size=1, max_size=5))
def test_mean_lies_between_min_and_max(totals):
    mean = scoring.mean_score(totals)
    assert min(totals) - 0.01 <= mean <= max(totals) + 0.01


@given(st.floats(min_value=0, max_value=100, allow_nan=False))
def test_grade_is_monotonic(total):
    order = scoring.grade_labels()
    higher = scoring.grade_for(min(100, total + 5))
    assert order.index(higher) <= order.index(scoring.grade_for(total))


# --- sampling -----------------------------------------------------------------------------


def _pool(n_units=4, per_unit=12, types=("行政处罚", "行政许可")):
    files = []
    fid = 0
    for unit in range(1, n_units + 1):
        for i in range(per_unit):
            fid += 1
            files.append(Pool(fid, unit, types[i % len(types)], f"海{unit}罚〔2026〕{i + 1}号"))
    return files


def test_same_seed_same_draw_and_order_of_input_does_not_matter():
    pool = _pool()
    a = draw_sample(pool, 3, seed=20260301)
    b = draw_sample(list(reversed(pool)), 3, seed=20260301)
    assert a.chosen == b.chosen
    assert len(a.chosen) == 4 * 2 * 3 and not a.shortfalls


def test_different_seeds_usually_differ():
    pool = _pool()
    draws = {tuple(sorted(draw_sample(pool, 3, seed=s).chosen)) for s in range(10)}
    assert len(draws) > 1


def test_short_group_takes_all_and_says_so():
    pool = _pool(n_units=1, per_unit=4)
    draw = draw_sample(pool, 3, seed=1)  # two per type: each type has only 2
    assert sorted(draw.chosen) == [1, 2, 3, 4]
    assert draw.shortfalls == [(1, "行政处罚", 3, 2), (1, "行政许可", 3, 2)]


def test_only_the_chosen_case_types_are_drawn():
    pool = _pool()
    draw = draw_sample(pool, 2, seed=5, case_types=["行政许可"])
    types = {f.id: f.case_type for f in pool}
    assert {types[i] for i in draw.chosen} == {"行政许可"}


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=1, max_value=6),
    st.integers(min_value=0, max_value=15),
    st.integers(min_value=1, max_value=5),
    st.integers(min_value=0, max_value=2**31 - 1),
)
def test_sampling_properties(n_units, per_unit, per_group, seed):
    pool = _pool(n_units, per_unit)
    draw = draw_sample(pool, per_group, seed)
    assert draw == draw_sample(pool, per_group, seed)  # reproducible
    assert len(set(draw.chosen)) == len(draw.chosen)
    by_group: dict = {}
    for f in pool:
        by_group.setdefault((f.unit_id, f.case_type), []).append(f.id)
    for ids in by_group.values():
        taken = [i for i in draw.chosen if i in ids]
        assert len(taken) == min(per_group, len(ids))


# --- assignment ---------------------------------------------------------------------------


def test_assignment_never_gives_own_unit_and_gives_distinct_reviewers():
    files = [(i, 1 + i % 3) for i in range(1, 13)]
    reviewers = [(101, 1), (102, 2), (103, 3), (104, None)]
    plan = plan_assignments(files, reviewers, 2)
    homes = dict(reviewers)
    for file_id, unit in files:
        assert len(set(plan[file_id])) == 2
        assert all(homes[r] != unit for r in plan[file_id])
    loads = [sum(r in picks for picks in plan.values()) for r, _ in reviewers]
    assert max(loads) - min(loads) <= 1


def test_no_eligible_reviewer_is_an_error_naming_the_units():
    files = [(1, 1), (2, 2)]
    reviewers = [(101, 1), (102, 3)]
    with pytest.raises(NoEligibleReviewers) as error:
        plan_assignments(files, reviewers, 2)
    assert error.value.unit_ids == [1, 2] or error.value.unit_ids == [1]


@settings(max_examples=120, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=40),
    st.lists(st.one_of(st.none(), st.integers(min_value=1, max_value=8)), min_size=1, max_size=10),
    st.integers(min_value=1, max_value=3),
)
def test_assignment_properties(file_units, reviewer_units, per_file):
    files = [(i + 1, u) for i, u in enumerate(file_units)]
    reviewers = [(100 + i, u) for i, u in enumerate(reviewer_units)]
    homes = dict(reviewers)
    try:
        plan = plan_assignments(files, reviewers, per_file)
    except NoEligibleReviewers as error:
        for unit in error.unit_ids:
            assert len(eligible(reviewers, unit)) < per_file
        return
    assert set(plan) == {f for f, _ in files}
    for file_id, unit in files:
        picks = plan[file_id]
        assert len(picks) == per_file == len(set(picks))  # balanced within one file: k distinct people
        assert all(homes[r] != unit for r in picks)  # cross-review: never their own unit
    assert plan == plan_assignments(files, reviewers, per_file)  # deterministic


@settings(max_examples=80, deadline=None)
@given(
    st.integers(min_value=1, max_value=60),
    st.integers(min_value=2, max_value=9),
    st.integers(min_value=1, max_value=2),
)
def test_assignment_is_balanced_when_nobody_is_excluded(n_files, n_reviewers, per_file):
    files = [(i, 1) for i in range(n_files)]
    reviewers = [(100 + i, 2 + i) for i in range(n_reviewers)]
    plan = plan_assignments(files, reviewers, per_file)
    loads = [sum(r in p for p in plan.values()) for r, _ in reviewers]
    assert max(loads) - min(loads) <= 1

#!/usr/bin/env python3
"""Unit tests of bench/compare's arithmetic, run by scripts/test-all: the statistics a target is
judged on must not change unnoticed. `python3 bench/test_compare.py`."""

import importlib.machinery
import importlib.util
import sys
import unittest
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in bench/
_loader = importlib.machinery.SourceFileLoader("compare", str(Path(__file__).resolve().parent / "compare"))
_spec = importlib.util.spec_from_loader("compare", _loader)
compare = importlib.util.module_from_spec(_spec)
_loader.exec_module(compare)

FLOOD = "(c) valid req/s under a forged flood / alone (32+32 connections; median of the rounds' ratios)"


def row(contender, rnd, rps, **opts):
    opts = {"conns": 32, "short": True, **opts}
    r = {"contender": contender, "label": contender, "token": "rs256_valid", "options": opts, "round": rnd,
         "rps": rps, "requests": int(rps), "non_2xx": 0, "socket_errors": 0, "scenario": "c-mixed",
         **{f: None for f in compare.MEDIAN_FIELDS if f != "rps"}}
    r["key"] = f"c-mixed|{compare.key_of(contender, 'rs256_valid', opts)}"
    return r


def summary(runs):
    out = compare.summarize(runs)
    for key, r in out.items():
        r["scenario"] = key.split("|", 1)[0]
    return out


class FloodTarget(unittest.TestCase):
    def test_windows_alternate_alone_flood_flood_alone(self):
        cases = compare.flood_pairs("rs256_valid", ["portcullis"])
        self.assertEqual([bool(o.get("flood")) for _, _, o in cases], [False, True, True, False])
        self.assertTrue(all(o["short"] and o["conns"] == 32 for _, _, o in cases))

    def test_the_target_is_the_median_of_each_rounds_own_ratio(self):
        # Round 1 is fast, round 2 slow; within each, the flood costs 9 % and 6 %. The ratio of
        # the two medians (73.5 / 75 = 0.98) would hide the cost; each round's means give
        # 100 / 110 and 47 / 50, median 0.925.
        runs = [row("portcullis", 1, 100), row("portcullis", 1, 99, flood=True),
                row("portcullis", 1, 101, flood=True), row("portcullis", 1, 120),
                row("portcullis", 2, 50), row("portcullis", 2, 48, flood=True),
                row("portcullis", 2, 46, flood=True), row("portcullis", 2, 50)]
        checks = {c["target"]: c for c in compare.targets(summary(runs), {}, None, {})}
        self.assertAlmostEqual(checks[FLOOD]["value"], (100 / 110 + 47 / 50) / 2)
        self.assertTrue(checks[FLOOD]["met"])

    def test_a_round_missing_either_side_is_left_out(self):
        alone = {"rps_by_round": {1: 100.0, 2: 50.0, 3: 80.0}}
        flooded = {"rps_by_round": {1: 90.0, 2: 0.0}}
        self.assertEqual(compare.paired_ratios(flooded, alone), [0.9])
        self.assertEqual(compare.paired_ratios(None, alone), [])


class UserBudget(unittest.TestCase):
    def test_a_gateway_spending_its_budget_meets_the_target_exactly(self):
        # Core 0 serves gateway and backend: req/s goes as 1 / (gateway + backend).
        jwt, backend, kernel, rsa = 52.2, 8.0, 11.6, 16.8
        for limit, extra in [(3.0, 0.0), (1.6, rsa)]:
            user = compare.user_budget(limit, jwt, backend, kernel, extra)
            self.assertAlmostEqual((jwt + backend) / (kernel + extra + user + backend), limit)

    def test_the_backend_counts_only_on_the_system_under_tests_core(self):
        rows = {"backend": 8.0, "haproxy": 16.0, "haproxy-jwt": 52.0}

        def get(contender, token=None, scenario=None, **opts):
            return ({"cpu_us_per_request": rows[contender], "kernel_cpu_us_per_request": None}
                    if contender in rows and scenario else None)

        def val(r, field):
            return r[field] if r else None

        shared = compare.bounds(get, val, {"rsa2048_verify_us": 16.0}, backend_with_sut=True)
        apart = compare.bounds(get, val, {"rsa2048_verify_us": 16.0}, backend_with_sut=False)
        self.assertAlmostEqual(shared["a"], 60.0 / 24.0)
        self.assertAlmostEqual(apart["a"], 52.0 / 16.0)
        self.assertAlmostEqual(apart["b"], 52.0 / 32.0)

    def test_the_targets_carry_the_budgets_and_what_each_proxy_spends(self):
        def summary_row(scenario, contender, cpu, kernel=None):
            return {**{f: None for f in compare.MEDIAN_FIELDS}, "scenario": scenario, "contender": contender,
                    "token": "rs256_valid", "options": {}, "cpu_us_per_request": cpu,
                    "kernel_cpu_us_per_request": kernel, "rps": 1000.0}

        rows = [summary_row("a", "backend", 8.0, 6.0), summary_row("a", "haproxy", 16.0, 12.0),
                summary_row("a", "haproxy-jwt", 52.0, 16.0), summary_row("a", "portcullis", 18.0, 12.5),
                summary_row("b", "haproxy-jwt", 53.0, 17.0), summary_row("b", "portcullis-nocache", 38.0, 14.0)]
        summary = {f"{r['scenario']}|{r['contender']}": r for r in rows}

        def budgets(ceilings):
            return {c["target"][:3]: c for c in compare.targets(summary, {}, None, {}, ceilings)
                    if "user_budget_us" in c}

        with_rsa = budgets({"rsa2048_verify_us": 16.0})
        self.assertAlmostEqual(with_rsa["(a)"]["user_budget_us"], 60.0 / 3.0 - 8.0 - 12.0)
        self.assertAlmostEqual(with_rsa["(b)"]["user_budget_us"], 61.0 / 1.6 - 8.0 - 12.0 - 16.0)
        self.assertEqual(with_rsa["(a)"]["user_spent_us"], {"HAProxy plain": 4.0, "Portcullis": 5.5})
        # Portcullis's own RSA verification is taken out of what it spends with the cache off.
        self.assertEqual(with_rsa["(b)"]["user_spent_us"]["Portcullis"], 38.0 - 14.0 - 16.0)
        # A partial run measures no RSA ceiling: (b) has no budget then, (a) still has one.
        partial = budgets({})
        self.assertIsNone(partial["(b)"]["user_budget_us"])
        self.assertIsNotNone(partial["(a)"]["user_budget_us"])

    def test_negative_when_no_user_space_work_would_do(self):
        self.assertLess(compare.user_budget(3.0, 40.0, 8.0, 11.6), 0)
        self.assertIsNone(compare.user_budget(3.0, 40.0, None, 11.6))


class RoundOrder(unittest.TestCase):
    def test_odd_rounds_run_each_scenario_reversed(self):
        cases = [("haproxy", "t", {}), ("portcullis", "t", {}), ("portcullis-open", "t", {})]
        self.assertEqual(compare.in_round_order(cases, 0), cases)
        self.assertEqual(compare.in_round_order(cases, 1), cases[::-1])
        self.assertEqual(compare.in_round_order(cases, 2), cases)

    def test_over_even_rounds_every_case_has_every_place_equally(self):
        cases = [("a", None, {}), ("b", None, {}), ("c", None, {}), ("d", None, {})]
        places = {}
        for rnd in range(4):
            for place, case in enumerate(compare.in_round_order(cases, rnd)):
                places.setdefault(case[0], []).append(place)
        # Each case's mean place is the middle one: no case is always measured later.
        self.assertTrue(all(sum(p) / len(p) == 1.5 for p in places.values()))

    def test_the_report_says_when_an_odd_round_count_leaves_the_order_unbalanced(self):
        self.assertNotIn("odd", compare.order_balance(4))
        self.assertIn("listed order only", compare.order_balance(1))
        self.assertNotIn("reverse order", compare.order_balance(1))
        self.assertIn("listed order ran 3 times, the reverse 2", compare.order_balance(5))

    def test_a_reversed_bracket_still_brackets(self):
        cases = compare.bracketed(("portcullis", None, {}), [("portcullis", "x", {}), ("portcullis", "y", {})])
        reversed_ = compare.in_round_order(cases, 1)
        self.assertEqual((reversed_[0][1], reversed_[-1][1]), (None, None))

    def test_reversed_flood_windows_keep_alone_flood_flood_alone(self):
        cases = compare.flood_pairs("rs256_valid", ["portcullis", "haproxy-jwt"])
        reversed_ = compare.in_round_order(cases, 1)
        for contender in ["portcullis", "haproxy-jwt"]:
            self.assertEqual([bool(o.get("flood")) for c, _, o in reversed_ if c == contender],
                             [False, True, True, False])


if __name__ == "__main__":
    unittest.main()

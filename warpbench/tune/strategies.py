"""Search strategies: which configurations of the space to evaluate next.

Every strategy is told the configurations already in the database (a resumed run skips
them and, for the model-based one, learns from them) and hands out batches of new ones:

* ``brute_force``: the whole space in its order;
* ``random``: the space in a seeded random order (the same seed resumes the same order);
* ``tpe``: Optuna's Tree-structured Parzen Estimator over the tunables' candidates, seeded;
  a suggestion that breaks a restriction or repeats a configuration is told to Optuna as
  pruned and another is asked for;
* ``auto``: brute force when the whole space fits the budget (or has at most
  :data:`AUTO_BRUTE_FORCE` configurations without a budget), else ``tpe``.
"""
from __future__ import annotations

import random

from warpbench.errors import ConfigError, UnknownNameError
from warpbench.kernels.spec import KernelSpec
from warpbench.tune.record import config_label

STRATEGIES = ("auto", "brute_force", "random", "tpe")
AUTO_BRUTE_FORCE = 64
#: Suggestions Optuna may repeat or break restrictions with before a random new configuration is taken.
TPE_RETRIES = 50


class Strategy:
    """Hands out new configurations of ``space`` (dicts), skipping those in ``done``."""

    name = ""

    def __init__(self, spec: KernelSpec, space: list[dict], done: dict[str, float | None], seed: int = 0):
        self.spec, self.space, self.seed = spec, space, seed
        self.done = set(done)
        self.order = self._order()

    def _order(self) -> list[dict]:
        return list(self.space)

    def next(self, count: int) -> list[dict]:
        """Up to ``count`` configurations not evaluated yet."""
        batch = []
        for config in self.order:
            if len(batch) == count:
                break
            if config_label(config) not in self.done:
                batch.append(config)
                self.done.add(config_label(config))
        return batch

    def tell(self, config: dict, value: float | None) -> None:
        """The objective of ``config`` (None when it was pruned or failed)."""


class BruteForce(Strategy):
    """Every configuration, in the space's order."""

    name = "brute_force"


class RandomSearch(Strategy):
    """Every configuration, in a seeded random order."""

    name = "random"

    def _order(self) -> list[dict]:
        order = list(self.space)
        random.Random(self.seed).shuffle(order)
        return order


class OptunaTPE(Strategy):
    """Optuna's TPE sampler over the tunables' candidates (a categorical each), seeded."""

    name = "tpe"

    def __init__(self, spec: KernelSpec, space: list[dict], done: dict[str, float | None], seed: int = 0):
        try:
            import optuna
        except ImportError:
            raise ConfigError(f"{spec.name}: strategy 'tpe' needs optuna (pip install optuna)") from None
        super().__init__(spec, space, done, seed)
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self._optuna = optuna
        self._valid = {config_label(c): c for c in space}
        self._distributions = {t.name: optuna.distributions.CategoricalDistribution(list(t.values))
                               for t in spec.tunables}
        sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=min(10, max(len(space) // 4, 1)))
        self._study = optuna.create_study(direction="minimize", sampler=sampler)
        self._random = random.Random(seed)
        self._pending: dict[str, object] = {}
        for label, value in done.items():
            if label in self._valid:
                self._add(self._valid[label], value)

    def _add(self, config: dict, value: float | None) -> None:
        trial_state = self._optuna.trial.TrialState
        state = trial_state.COMPLETE if value is not None else trial_state.PRUNED
        self._study.add_trial(self._optuna.trial.create_trial(
            params=dict(config), distributions=self._distributions, value=value, state=state))

    def next(self, count: int) -> list[dict]:
        """Up to ``count`` new configurations, asked of Optuna (a random new one after
        :data:`TPE_RETRIES` unusable suggestions in a row)."""
        batch = []
        while len(batch) < count and len(self.done) < len(self._valid):
            config = self._ask()
            self.done.add(config_label(config))
            batch.append(config)
        return batch

    def _ask(self) -> dict:
        for _ in range(TPE_RETRIES):
            trial = self._study.ask(self._distributions)
            config = {t.name: trial.params[t.name] for t in self.spec.tunables}
            label = config_label(config)
            if label in self._valid and label not in self.done:
                self._pending[label] = trial
                return config
            self._study.tell(trial, state=self._optuna.trial.TrialState.PRUNED)
        remaining = [c for label, c in self._valid.items() if label not in self.done]
        return self._random.choice(remaining)

    def tell(self, config: dict, value: float | None) -> None:
        """Report ``config``'s objective to Optuna (pruned when it has none)."""
        trial = self._pending.pop(config_label(config), None)
        if trial is None:
            self._add(config, value)
        elif value is None:
            self._study.tell(trial, state=self._optuna.trial.TrialState.PRUNED)
        else:
            self._study.tell(trial, value)


_CLASSES = {cls.name: cls for cls in (BruteForce, RandomSearch, OptunaTPE)}


def pick(name: str, space_size: int, budget: int | None) -> str:
    """The strategy ``name`` stands for (``auto`` resolved)."""
    if name not in STRATEGIES:
        raise UnknownNameError(f"unknown strategy {name!r} (strategies: {', '.join(STRATEGIES)})")
    if name != "auto":
        return name
    fits = space_size <= budget if budget is not None else space_size <= AUTO_BRUTE_FORCE
    return "brute_force" if fits else "tpe"


def make_strategy(name: str, spec: KernelSpec, space: list[dict], done: dict[str, float | None],
                  seed: int = 0) -> Strategy:
    """The strategy called ``name`` (not ``auto``: see :func:`pick`) over ``space``."""
    return _CLASSES[name](spec, space, done, seed)

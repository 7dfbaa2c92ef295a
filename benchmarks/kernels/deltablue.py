"""deltablue: the DeltaBlue incremental dataflow constraint solver.

Runs the classic chain test (a long chain of equality constraints driven by an
edit constraint) and projection test (scale/offset constraints edited from
either end), checking every propagated value.
"""

from __future__ import annotations

import _harness

ROUNDS = 100
SIZE = 100

# Constraint strengths: a smaller number is stronger.
REQUIRED, STRONG_PREFERRED, PREFERRED, STRONG_DEFAULT, NORMAL, WEAK_DEFAULT, WEAKEST = range(7)
NONE, FORWARD, BACKWARD = range(3)


class Variable:
    def __init__(self, value: int) -> None:
        self.value = value
        self.constraints: list[Constraint] = []
        self.determined_by: Constraint | None = None
        self.walk_strength = WEAKEST
        self.stay = True
        self.mark = 0

    def add_constraint(self, constraint: Constraint) -> None:
        self.constraints.append(constraint)

    def remove_constraint(self, constraint: Constraint) -> None:
        self.constraints.remove(constraint)
        if self.determined_by is constraint:
            self.determined_by = None


class Constraint:
    def __init__(self, planner: Planner, strength: int) -> None:
        self.planner = planner
        self.strength = strength

    def install(self) -> None:
        self.add_to_graph()
        self.planner.incremental_add(self)

    def satisfy(self, mark: int) -> Constraint | None:
        """Try to satisfy this constraint; return the constraint it overrode, if any."""
        self.choose_method(mark)
        if not self.is_satisfied():
            if self.strength == REQUIRED:
                raise RuntimeError("could not satisfy a required constraint")
            return None
        self.mark_inputs(mark)
        out = self.output()
        overridden = out.determined_by
        if overridden is not None:
            overridden.mark_unsatisfied()
        out.determined_by = self
        if not self.planner.add_propagate(self, mark):
            raise RuntimeError("cycle encountered")
        out.mark = mark
        return overridden

    def destroy(self) -> None:
        if self.is_satisfied():
            self.planner.incremental_remove(self)
        else:
            self.remove_from_graph()

    def is_input(self) -> bool:
        return False

    def add_to_graph(self) -> None:
        raise NotImplementedError

    def remove_from_graph(self) -> None:
        raise NotImplementedError

    def choose_method(self, mark: int) -> None:
        raise NotImplementedError

    def is_satisfied(self) -> bool:
        raise NotImplementedError

    def mark_inputs(self, mark: int) -> None:
        raise NotImplementedError

    def mark_unsatisfied(self) -> None:
        raise NotImplementedError

    def inputs_known(self, mark: int) -> bool:
        raise NotImplementedError

    def output(self) -> Variable:
        raise NotImplementedError

    def recalculate(self) -> None:
        raise NotImplementedError

    def execute(self) -> None:
        raise NotImplementedError


class UnaryConstraint(Constraint):
    def __init__(self, planner: Planner, variable: Variable, strength: int) -> None:
        super().__init__(planner, strength)
        self.variable = variable
        self.satisfied = False
        self.install()

    def add_to_graph(self) -> None:
        self.variable.add_constraint(self)
        self.satisfied = False

    def remove_from_graph(self) -> None:
        self.variable.remove_constraint(self)
        self.satisfied = False

    def choose_method(self, mark: int) -> None:
        variable = self.variable
        self.satisfied = variable.mark != mark and self.strength < variable.walk_strength

    def is_satisfied(self) -> bool:
        return self.satisfied

    def mark_inputs(self, mark: int) -> None:
        pass

    def mark_unsatisfied(self) -> None:
        self.satisfied = False

    def inputs_known(self, mark: int) -> bool:
        return True

    def output(self) -> Variable:
        return self.variable

    def recalculate(self) -> None:
        variable = self.variable
        variable.walk_strength = self.strength
        variable.stay = not self.is_input()
        if variable.stay:
            self.execute()

    def execute(self) -> None:
        pass


class StayConstraint(UnaryConstraint):
    """Keeps a variable at its current value."""


class EditConstraint(UnaryConstraint):
    """Marks a variable as changed from outside the solver."""

    def is_input(self) -> bool:
        return True


class BinaryConstraint(Constraint):
    def __init__(self, planner: Planner, v1: Variable, v2: Variable, strength: int) -> None:
        super().__init__(planner, strength)
        self.v1 = v1
        self.v2 = v2
        self.direction = NONE

    def add_to_graph(self) -> None:
        self.v1.add_constraint(self)
        self.v2.add_constraint(self)
        self.direction = NONE

    def remove_from_graph(self) -> None:
        self.v1.remove_constraint(self)
        self.v2.remove_constraint(self)
        self.direction = NONE

    def choose_method(self, mark: int) -> None:
        """Pick the direction that writes the weaker, unmarked variable."""
        v1, v2, strength = self.v1, self.v2, self.strength
        if v1.mark == mark:
            ok = v2.mark != mark and strength < v2.walk_strength
            self.direction = FORWARD if ok else NONE
        elif v2.mark == mark:
            ok = strength < v1.walk_strength
            self.direction = BACKWARD if ok else NONE
        elif v1.walk_strength > v2.walk_strength:
            self.direction = BACKWARD if strength < v1.walk_strength else NONE
        else:
            self.direction = FORWARD if strength < v2.walk_strength else NONE

    def is_satisfied(self) -> bool:
        return self.direction != NONE

    def mark_inputs(self, mark: int) -> None:
        self.input().mark = mark

    def mark_unsatisfied(self) -> None:
        self.direction = NONE

    def input(self) -> Variable:
        return self.v1 if self.direction == FORWARD else self.v2

    def output(self) -> Variable:
        return self.v2 if self.direction == FORWARD else self.v1

    def inputs_known(self, mark: int) -> bool:
        source = self.input()
        return source.mark == mark or source.stay or source.determined_by is None

    def recalculate(self) -> None:
        source, out = self.input(), self.output()
        out.walk_strength = max(self.strength, source.walk_strength)
        out.stay = source.stay
        if out.stay:
            self.execute()


class EqualityConstraint(BinaryConstraint):
    def __init__(self, planner: Planner, v1: Variable, v2: Variable, strength: int) -> None:
        super().__init__(planner, v1, v2, strength)
        self.install()

    def execute(self) -> None:
        self.output().value = self.input().value


class ScaleConstraint(BinaryConstraint):
    """dest = src * scale + offset, solvable in either direction."""

    def __init__(self, planner: Planner, src: Variable, scale: Variable, offset: Variable,
                 dest: Variable, strength: int) -> None:
        super().__init__(planner, src, dest, strength)
        self.scale = scale
        self.offset = offset
        self.install()

    def add_to_graph(self) -> None:
        super().add_to_graph()
        self.scale.add_constraint(self)
        self.offset.add_constraint(self)

    def remove_from_graph(self) -> None:
        super().remove_from_graph()
        self.scale.remove_constraint(self)
        self.offset.remove_constraint(self)

    def mark_inputs(self, mark: int) -> None:
        super().mark_inputs(mark)
        self.scale.mark = self.offset.mark = mark

    def recalculate(self) -> None:
        source, out = self.input(), self.output()
        out.walk_strength = max(self.strength, source.walk_strength)
        out.stay = source.stay and self.scale.stay and self.offset.stay
        if out.stay:
            self.execute()

    def execute(self) -> None:
        if self.direction == FORWARD:
            self.v2.value = self.v1.value * self.scale.value + self.offset.value
        else:
            self.v1.value = (self.v2.value - self.offset.value) // self.scale.value


class Planner:
    def __init__(self) -> None:
        self.current_mark = 0

    def new_mark(self) -> int:
        self.current_mark += 1
        return self.current_mark

    def incremental_add(self, constraint: Constraint) -> None:
        mark = self.new_mark()
        overridden = constraint.satisfy(mark)
        while overridden is not None:
            overridden = overridden.satisfy(mark)

    def incremental_remove(self, constraint: Constraint) -> None:
        out = constraint.output()
        constraint.mark_unsatisfied()
        constraint.remove_from_graph()
        unsatisfied = self.remove_propagate_from(out)
        for strength in range(REQUIRED, WEAKEST):
            for candidate in unsatisfied:
                if candidate.strength == strength:
                    self.incremental_add(candidate)

    def add_propagate(self, constraint: Constraint, mark: int) -> bool:
        """Recompute walk strengths downstream; False if that walk meets `mark` (a cycle)."""
        todo = [constraint]
        while todo:
            current = todo.pop(0)
            if current.output().mark == mark:
                self.incremental_remove(constraint)
                return False
            current.recalculate()
            self.add_consumers(current.output(), todo)
        return True

    def remove_propagate_from(self, out: Variable) -> list[Constraint]:
        out.determined_by = None
        out.walk_strength = WEAKEST
        out.stay = True
        unsatisfied = []
        todo = [out]
        while todo:
            variable = todo.pop(0)
            for constraint in variable.constraints:
                if not constraint.is_satisfied():
                    unsatisfied.append(constraint)
            determining = variable.determined_by
            for constraint in variable.constraints:
                if constraint is not determining and constraint.is_satisfied():
                    constraint.recalculate()
                    todo.append(constraint.output())
        return unsatisfied

    def make_plan(self, sources: list[Constraint]) -> list[Constraint]:
        mark = self.new_mark()
        plan = []
        todo = sources
        while todo:
            constraint = todo.pop(0)
            out = constraint.output()
            if out.mark != mark and constraint.inputs_known(mark):
                plan.append(constraint)
                out.mark = mark
                self.add_consumers(out, todo)
        return plan

    def plan_from(self, constraints: list[Constraint]) -> list[Constraint]:
        return self.make_plan([c for c in constraints if c.is_input() and c.is_satisfied()])

    @staticmethod
    def add_consumers(variable: Variable, todo: list[Constraint]) -> None:
        determining = variable.determined_by
        for constraint in variable.constraints:
            if constraint is not determining and constraint.is_satisfied():
                todo.append(constraint)


def run_plan(plan: list[Constraint]) -> None:
    for constraint in plan:
        constraint.execute()


def expect(actual: int, wanted: int, what: str) -> None:
    if actual != wanted:
        raise RuntimeError(f"{what}: got {actual}, wanted {wanted}")


def chain_test(n: int) -> int:
    """Drive a chain of n equalities from its first variable; return the plan length."""
    planner = Planner()
    chain = [Variable(0) for _ in range(n + 1)]
    for a, b in zip(chain, chain[1:]):
        EqualityConstraint(planner, a, b, REQUIRED)
    StayConstraint(planner, chain[-1], STRONG_DEFAULT)
    edit = EditConstraint(planner, chain[0], PREFERRED)
    plan = planner.plan_from([edit])
    for i in range(100):
        chain[0].value = i
        run_plan(plan)
        expect(chain[-1].value, i, "chain end")
    edit.destroy()
    return len(plan)


def change(planner: Planner, variable: Variable, value: int) -> None:
    edit = EditConstraint(planner, variable, PREFERRED)
    plan = planner.plan_from([edit])
    for _ in range(10):
        variable.value = value
        run_plan(plan)
    edit.destroy()


def projection_test(n: int) -> int:
    """Edit both ends of n scale constraints and the shared scale/offset; return a checksum."""
    planner = Planner()
    scale = Variable(10)
    offset = Variable(1000)
    sources = [Variable(i) for i in range(n)]
    dests = [Variable(i) for i in range(n)]
    for src, dst in zip(sources, dests):
        StayConstraint(planner, src, NORMAL)
        ScaleConstraint(planner, src, scale, offset, dst, REQUIRED)
    change(planner, sources[-1], 17)
    expect(dests[-1].value, 1170, "projection forward")
    change(planner, dests[-1], 1050)
    expect(sources[-1].value, 5, "projection backward")
    change(planner, scale, 5)
    for i in range(n - 1):
        expect(dests[i].value, i * 5 + 1000, "after scale change")
    change(planner, offset, 2000)
    for i in range(n - 1):
        expect(dests[i].value, i * 5 + 2000, "after offset change")
    return sum(d.value for d in dests)


def main() -> str:
    plan_steps = 0
    projection = 0
    for _ in range(ROUNDS):
        plan_steps += chain_test(SIZE)
        projection += projection_test(SIZE)
    return f"deltablue plan_steps={plan_steps} projection={projection}"


if __name__ == "__main__":
    _harness.run(main)

"""The engine: validate -> plan -> execute.

:mod:`.validate` checks every argument once at the boundary and
:mod:`.budget` what a call would cost; :mod:`.plan` computes every
coordinate, bin edge, sample and weight (the single source of truth);
:mod:`.execute` runs a call: it validates, plans and hands the plan to
:mod:`.kernels`, which execute it on :mod:`.threads`' pool.
"""

"""The front ends a person uses: the command line, the explorer and practice.

:mod:`.request` turns text options into a walkthrough for the command line
(:mod:`.cli`) and the explorer's page (:mod:`.explore`) alike; :mod:`.mapio`
reads maps, :mod:`.messages` holds the command line's errors in English and
Korean, :mod:`.demo` the embedded example and :mod:`.practice` the
worksheets and the checker.
"""
